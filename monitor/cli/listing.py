"""Commands that list what the program knows: fetch outcomes and every registry of kinds."""

from __future__ import annotations

from typing import Annotated

import typer

from monitor.cli import views
from monitor.cli.base import cli, console, fail

PANEL = "Reference"


@cli.command(rich_help_panel=PANEL)
def outcomes() -> None:
    """List what a snapshot can turn out to be: fetch outcomes, then the checks that a page is the policy."""
    from monitor import app

    console.print(views.outcomes_table(app.kinds("outcomes")[0], app.kinds("checks")[0]))


@cli.command("kinds", rich_help_panel=PANEL)
def list_kinds(
    family: Annotated[
        str | None, typer.Argument(help="Only this registry: outcomes, checks, rules or channels.")
    ] = None,
) -> None:
    """List every registered kind: fetch outcomes, page checks, materiality rules and channel kinds."""
    from monitor import app

    names = app.family_names()
    if family is not None and family not in names:
        fail(f"unknown registry {family!r} (use {', '.join(names)})", 2)
    for listed in app.kinds(family):
        console.print(views.kinds_table(listed))
