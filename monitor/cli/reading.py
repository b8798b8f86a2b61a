"""Commands that read the record: status, vendors, history, show, diff. Each has `--json`; none creates a database."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from monitor.cli import views
from monitor.cli.base import DocOption, JsonOption, cli, console, fail, open_reader, present, print_json, show

PANEL = "Reading the record"


@cli.command(rich_help_panel=PANEL)
def status(as_json: JsonOption = False) -> None:
    """Last and next runs, open incidents, queued and failed alerts, database size; exit 1 when unhealthy."""
    from monitor import app

    report = app.status(open_reader())
    present(report, views.status_view, as_json)
    if not report.healthy:
        fail("unhealthy: " + "; ".join(report.problems))


@cli.command("vendors", rich_help_panel=PANEL)
def list_vendors(as_json: JsonOption = False) -> None:
    """List the watched documents: last fetch, its outcome, version count and latest policy date."""
    from monitor import app

    present(app.watched_documents(open_reader()), views.vendors_table, as_json)


@cli.command(rich_help_panel=PANEL)
def history(vendor: str, doc: DocOption = None, as_json: JsonOption = False) -> None:
    """One line per version of a vendor's documents: first and last seen, policy date, size, changes."""
    from monitor import app

    documents = app.history(open_reader(), vendor, doc)
    if as_json:
        print_json(documents)
        return
    for document in documents:
        title = f"{vendor} {document.document_type} ({document.url}) - times in UTC"
        if document.versions:
            show(views.history_table(title, document.versions))
        else:
            console.print(f"{title}: no version recorded yet", markup=False, highlight=False)


@cli.command("show", rich_help_panel=PANEL)
def show_version(
    vendor: str,
    doc: DocOption = None,
    at: Annotated[str | None, typer.Option(help="The version current at this date (ISO).")] = None,
    version: Annotated[int | None, typer.Option("--version", "-n", help="Version number.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Print the text of a version: the latest, the one current at a date, or a numbered one."""
    from monitor import app

    if at is not None and version is not None:
        fail("give --at or --version, not both", 2)
    moment = None
    if at is not None:
        try:
            moment = app.end_of_day(at)
        except ValueError:
            fail(f"--at takes an ISO date or date-time such as 2024-05-01 or 2024-05-01T12:00, not {at!r}", 2)
    chosen = app.version_text(open_reader(), vendor, doc, at=moment, seq=version)
    if as_json:
        print_json(chosen)
        return
    sys.stdout.write(chosen.text.rstrip("\n") + "\n")


@cli.command(rich_help_panel=PANEL)
def diff(
    vendor: str,
    a: Annotated[int | None, typer.Argument(help="Older version number (default: the one before B).")] = None,
    b: Annotated[int | None, typer.Argument(help="Newer version number (default: the latest).")] = None,
    doc: DocOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show what changed between two versions, word by word."""
    from monitor import app

    reader = open_reader()
    if as_json:
        print_json(app.version_diff(reader, vendor, a, b, doc))
        return
    pair = app.version_pair(reader, vendor, a, b, doc)
    old, new = pair.old, pair.new
    if old is None:
        console.print(f"{vendor} {new.document_type} has only version {new.seq}: nothing to compare.", markup=False)
        return
    header = f"{vendor} {new.document_type}: version {old.seq} ({views.when(old.first_seen)}) -> {new.seq} "
    console.print(f"{header}({views.when(new.first_seen)} UTC)", style="bold", markup=False, highlight=False)
    console.print(views.diff_view(old.text, new.text, markers=console.no_color or not console.is_terminal))
