"""Commands about the decisions: why a change was judged so, and people's verdicts on versions."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

from monitor.cli import views
from monitor.cli.base import (
    DocOption,
    JsonOption,
    cli,
    console,
    fail,
    open_application,
    open_reader,
    present,
    print_json,
)

PANEL = "Judging"


@cli.command(rich_help_panel=PANEL)
def explain(
    vendor: str,
    a: Annotated[int | None, typer.Argument(help="Older version number (default: the one before B).")] = None,
    b: Annotated[int | None, typer.Argument(help="Newer version number (default: the latest).")] = None,
    doc: DocOption = None,
    as_json: JsonOption = False,
) -> None:
    """Why a change was judged as it was: the rules that fired, with their evidence, and where the alert went."""
    from monitor import app

    present(app.explain(open_reader(), vendor, a, b, doc), views.explanation_view, as_json)


@cli.command(rich_help_panel=PANEL)
def label(
    vendor: str,
    version: Annotated[int, typer.Argument(help="The version number the verdict is about.")],
    verdict: Annotated[str, typer.Argument(help="MATERIAL, REVIEW or NOISE.")],
    note: Annotated[str | None, typer.Option(help="Why, in a few words.")] = None,
    by: Annotated[str | None, typer.Option(help="Who says so (default: $POLICY_MONITOR_USER or the login).")] = None,
    doc: DocOption = None,
) -> None:
    """Record a person's verdict on a version, next to the machine's (shown by history, explain and labels)."""
    from monitor import app
    from monitor.app.reads import SEVERITIES

    if verdict.upper() not in SEVERITIES:
        fail(f"the verdict is one of {', '.join(SEVERITIES)}, not {verdict!r}", 2)
    author = by or os.environ.get("POLICY_MONITOR_USER") or getpass.getuser()
    row = app.label_version(open_application(), vendor, version, verdict, author, note, doc)
    machine = row.machine or "no change (first version)"
    said = f"{row.vendor_id} {row.document_type} #{row.version}: {row.verdict} by {author} (machine: {machine})"
    console.print(said, markup=False, highlight=False)


@cli.command(rich_help_panel=PANEL)
def labels(
    vendor: Annotated[str | None, typer.Argument(help="Only this vendor.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List people's verdicts (the newest per version) next to the machine's severity (--json: bench/materiality.py)."""
    from monitor import app

    rows = app.labels(open_reader(), vendor)
    if rows or as_json:
        present(rows, views.labels_table, as_json)
    else:
        console.print("No version has been labelled yet (see `monitor label --help`).", markup=False)


@cli.command(rich_help_panel=PANEL)
def review(
    change: Annotated[int | None, typer.Argument(help="The change to mark (its id, as the queue lists it).")] = None,
    status: Annotated[str | None, typer.Argument(help="reviewed, dismissed or escalated.")] = None,
    note: Annotated[str | None, typer.Option(help="Why, in a few words.")] = None,
    by: Annotated[str | None, typer.Option(help="Who says so (default: $POLICY_MONITOR_USER or the login).")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the review queue (unhandled MATERIAL and REVIEW changes), or mark a change of it with a note."""
    from monitor import app

    if change is None:
        present(app.review_queue(open_reader()), views.queue_table, as_json)
        return
    if status is None:
        fail("give the status too: monitor review CHANGE reviewed|dismissed|escalated [--note ...]", 2)
    author = by or os.environ.get("POLICY_MONITOR_USER") or getpass.getuser()
    try:
        row = app.review_change(open_application(), change, status, author, note)
    except ValueError as exc:
        fail(str(exc), 2)
    if as_json:
        print_json(row)
        return
    console.print(f"change {row.change_id}: {row.status} by {row.author}", markup=False, highlight=False)
