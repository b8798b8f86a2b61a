"""`python -m monitor` is the `monitor` command."""

from monitor.cli.base import main

main()
