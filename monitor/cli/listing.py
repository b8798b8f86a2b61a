"""Commands that list what the program knows: fetch outcomes and every registry of kinds."""

from __future__ import annotations

from typing import Annotated

import typer

from monitor.cli import views
from monitor.cli.base import JsonOption, cli, fail, print_json, show

PANEL = "Reference"


@cli.command(rich_help_panel=PANEL)
def outcomes(as_json: JsonOption = False) -> None:
    """List what a snapshot can turn out to be: fetch outcomes, then the checks that a page is the policy."""
    from monitor import app

    (fetched,), (checks,) = app.kinds("outcomes"), app.kinds("checks")
    if as_json:
        print_json([fetched, checks])
    else:
        show(views.outcomes_table(fetched, checks))


@cli.command("kinds", rich_help_panel=PANEL)
def list_kinds(
    family: Annotated[
        str | None, typer.Argument(help="Only this registry: outcomes, checks, rules or channels.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List every registered kind: fetch outcomes, page checks, materiality rules and channel kinds."""
    from monitor import app
    from monitor.config import did_you_mean

    names = app.family_names()
    if family is not None and family not in names:
        fail(f"unknown registry {family!r}{did_you_mean(family, names)} (use {', '.join(names)})", 2)
    families = app.kinds(family)
    if as_json:
        print_json(families)
        return
    for listed in families:
        show(views.kinds_table(listed))
