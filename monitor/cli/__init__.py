from monitor.cli.base import main

__all__ = ["main"]
