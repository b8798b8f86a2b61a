"""Commands that read the record: vendors, history, show, diff, status."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from monitor.cli import views
from monitor.cli.base import DocOption, cli, console, fail, open_application

PANEL = "Reading the record"


@cli.command(rich_help_panel=PANEL)
def status() -> None:
    """Last and next runs, open incidents, queued and failed alerts, database size; exit 1 when unhealthy."""
    from monitor import app

    report = app.status(open_application())
    console.print(views.status_view(report))
    if not report.healthy:
        fail("unhealthy: " + "; ".join(report.problems))


@cli.command("vendors", rich_help_panel=PANEL)
def list_vendors() -> None:
    """List the watched documents: last fetch, its outcome, version count and latest policy date."""
    from monitor import app

    console.print(views.vendors_table(app.watched_documents(open_application())))


@cli.command(rich_help_panel=PANEL)
def history(vendor: str, doc: DocOption = None) -> None:
    """One line per version of a vendor's documents: first and last seen, policy date, size, changes."""
    from monitor import app

    for document in app.history(open_application(), vendor, doc):
        title = f"{vendor} {document.document_type} ({document.url}) - times in UTC"
        if document.versions:
            console.print(views.history_table(title, document.versions))
        else:
            console.print(f"{title}: no version recorded yet")


@cli.command(rich_help_panel=PANEL)
def show(
    vendor: str,
    doc: DocOption = None,
    at: Annotated[str | None, typer.Option(help="The version current at this date (ISO).")] = None,
    version: Annotated[int | None, typer.Option("--version", "-n", help="Version number.")] = None,
) -> None:
    """Print the text of a version: the latest, the one current at a date, or a numbered one."""
    from monitor import app

    if at is not None and version is not None:
        fail("give --at or --version, not both")
    moment = None
    if at is not None:
        try:
            moment = app.end_of_day(at)
        except ValueError:
            fail(f"--at takes an ISO date or date-time such as 2024-05-01 or 2024-05-01T12:00, not {at!r}")
    chosen = app.version_text(open_application(), vendor, doc, at=moment, seq=version)
    sys.stdout.write(chosen.text.rstrip("\n") + "\n")


@cli.command(rich_help_panel=PANEL)
def diff(
    vendor: str,
    a: Annotated[int | None, typer.Argument(help="Older version number (default: the one before B).")] = None,
    b: Annotated[int | None, typer.Argument(help="Newer version number (default: the latest).")] = None,
    doc: DocOption = None,
) -> None:
    """Show what changed between two versions, word by word."""
    from monitor import app

    pair = app.version_pair(open_application(), vendor, a, b, doc)
    old, new = pair.old, pair.new
    if old is None:
        console.print(f"{vendor} {new.document_type} has only version {new.seq}: nothing to compare.")
        return
    header = f"{vendor} {new.document_type}: version {old.seq} ({views.when(old.first_seen)}) -> {new.seq} "
    console.print(f"[bold]{header}({views.when(new.first_seen)} UTC)[/bold]", highlight=False)
    console.print(views.diff_view(old.text, new.text, markers=console.no_color or not console.is_terminal))
