"""The `monitor` command line: the Typer app (:mod:`monitor.cli.base`) and its commands, by theme."""

# The import order is the order of the help panels.
from monitor.cli import setup, crawling, reading, judging, alerting, listing  # noqa: I001
from monitor.cli.base import cli, main

__all__ = ["alerting", "cli", "crawling", "judging", "listing", "main", "reading", "setup"]
