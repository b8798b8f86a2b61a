"""Commands that fetch or re-read pages: crawl, run, reextract, gc, extract, replay, demo."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from monitor.cli import views
from monitor.cli.base import (
    JsonOption,
    cli,
    config_file,
    console,
    errors,
    fail,
    open_application,
    print_json,
    settings_or_defaults,
    show,
)
from monitor.cli.base import state as global_options

PANEL = "Watching"


@cli.command(rich_help_panel=PANEL)
def crawl(
    vendors: Annotated[list[str] | None, typer.Argument(help="Vendor ids (default: all).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no table.")] = False,
) -> None:
    """Fetch the documents of all (or the given) vendors once and record what changed. Ctrl-C stops cleanly."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from monitor import app
    from monitor.app.signals import stop_on_signals

    application = open_application()
    stop = stop_on_signals()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=errors, transient=True, disable=quiet) as progress:
        task = progress.add_task("crawling", total=None)
        result = app.check_documents(
            application,
            vendors or None,
            stop=stop,
            on_planned=lambda count: progress.update(task, total=count),
            on_recorded=lambda _recorded: progress.advance(task),
        )
    if result.run_id is None:
        fail("no documents to crawl: the config lists no vendors")
    if not quiet:
        names = {p.document_id: (p.vendor_id, p.config.type) for p in result.planned}
        rows = sorted(((*names[r.document_id], r) for r in result.recorded), key=lambda row: row[:2])
        show(views.cycle_table(rows))
        console.print(
            f"{len(result.recorded)} documents fetched, {result.new_versions} new versions (run {result.run_id})."
        )
    if application.config.alerts.channels and not stop.is_set():
        drained = app.send_due_alerts(application)
        if drained.noteworthy and not quiet:
            console.print(views.drained_line(drained))
    if result.status not in ("finished", "interrupted"):
        fail(f"crawl run {result.run_id} failed: {result.error}")


@cli.command(rich_help_panel=PANEL)
def run() -> None:
    """Run the daemon: crawl on schedule, catch up interrupted runs, send alerts; stop with SIGTERM or Ctrl-C."""
    open_application()  # the config is valid and the schema migrated before the daemon starts
    command = [sys.executable, "-m", "monitor.daemon", "--config", str(config_file().resolve())]
    command += ["-v"] * global_options.verbose + ["--log-format", global_options.log_format]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command)  # a lean process: none of the CLI's imports stay resident


@cli.command(rich_help_panel=PANEL)
def worker(
    concurrency: Annotated[int, typer.Option("--concurrency", "-n", min=1, help="Host batches crawled at once.")] = 1,
) -> None:
    """Run a crawl worker (queue.backend = "procrastinate"): crawl host batches off the queue until SIGTERM."""
    from monitor import app

    application = open_application()
    if application.config.queue.backend != "procrastinate":
        fail('`monitor worker` needs queue.backend = "procrastinate" (the local queue crawls in `monitor run`)', 2)
    app.run_worker(application, concurrency=concurrency)


@cli.command(rich_help_panel=PANEL)
def reextract(
    vendors: Annotated[list[str] | None, typer.Argument(help="Vendor ids (default: all).")] = None,
) -> None:
    """Re-run extraction over stored snapshots after a code or config change (technical versions, not alerted)."""
    from monitor import app

    application = open_application()
    for vendor_id in vendors or []:
        if application.config.vendor(vendor_id) is None:
            raise app.unknown_vendor(application.config, vendor_id)
    show(views.reextract_table(app.reextract(application, vendors or None)))
    if application.config.alerts.channels:
        app.send_due_alerts(application)  # only a flagged change goes out, to the digest


@cli.command(rich_help_panel=PANEL)
def gc(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would be removed.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Drop the raw bodies of unchanged fetches older than storage.keep_fetches_days (sources, failures kept)."""
    from monitor import app

    collected = app.collect_garbage(open_application(create=False), dry_run=dry_run)
    if as_json:
        print_json(collected)
    else:
        console.print(views.collected_line(collected), highlight=False)


@cli.command(rich_help_panel=PANEL)
def extract(
    source: Annotated[str, typer.Argument(help="A saved page (HTML or text) or an http(s) URL.")],
    select: Annotated[str | None, typer.Option(help="Keep only this CSS selector's content.")] = None,
    remove: Annotated[str | None, typer.Option(help="Drop this CSS selector's content first.")] = None,
    lang: Annotated[str | None, typer.Option(help="The page's language, e.g. en, de, en-US.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"text", "language", "dates"}.')] = False,
) -> None:
    """Preview what policy-monitor extracts from a page before adding it as a vendor."""
    from monitor import app
    from monitor.text.selectors import SelectorError, compile_css

    for selector in (select, remove):
        if selector is not None:
            try:
                compile_css(selector)
            except SelectorError as exc:
                fail(str(exc), 2)
    extracted = app.preview(settings_or_defaults(), source, select=select, remove=remove, language=lang)
    if as_json:
        payload = {"text": extracted.text, "language": extracted.language, "dates": extracted.dates.to_dict()}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    sys.stdout.write(extracted.text.rstrip("\n") + "\n")
    errors.print(views.dates_line(extracted.language, extracted.dates), highlight=False, markup=False)


@cli.command(rich_help_panel=PANEL)
def replay(
    directory: Annotated[Path, typer.Argument(help="A folder of raw pages named like 2022-05-24T12-31-52Z.html.")],
    select: Annotated[str | None, typer.Option(help="Keep only this CSS selector's content.")] = None,
    remove: Annotated[str | None, typer.Option(help="Drop this CSS selector's content first.")] = None,
    lang: Annotated[str | None, typer.Option(help="The document's language, e.g. en, de.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Replay saved pages through the whole pipeline in time order, in a throw-away database."""
    from pydantic import ValidationError

    from monitor import app
    from monitor.app.saved_pages import REPLAY_URL
    from monitor.config import DocumentConfig

    if not directory.is_dir():
        fail(f"{directory}: not a folder")
    files = app.replay_files(directory)
    if not files:
        fail(f"{directory}: no files named like 2022-05-24T12-31-52Z.html")
    try:
        document = DocumentConfig(type="privacy_policy", url=REPLAY_URL, select=select, remove=remove, language=lang)
    except ValidationError as exc:
        fail(f"bad option: {exc.errors()[0]['msg'].removeprefix('Value error, ')}", 2)
    for line in app.replay(files, document, settings_or_defaults().changes):
        if as_json:
            sys.stdout.write(json.dumps(line.to_json_dict(), ensure_ascii=False) + "\n")
        else:
            console.print(views.replay_line(line), highlight=False, soft_wrap=True)


@cli.command(rich_help_panel=PANEL)
def demo(
    replace: Annotated[bool, typer.Option("--replace", help="Replace ./demo-output even if no demo made it.")] = False,
) -> None:
    """Run the bundled demo: fictional vendors on a loopback site, crawled through a script of days.

    Its config, database, log and captured alerts stay in ./demo-output, to explore afterwards.
    """
    checkout = Path(__file__).resolve().parents[2]
    if not (checkout / "tests" / "support" / "demo.py").is_file():
        fail("the demo runs from a source checkout of policy-monitor: clone it and run `make demo`")
    sys.path.insert(0, str(checkout))  # the demo's site and sinks are test helpers, not part of the package
    from tests.support.demo import FOLDER, is_demo_folder, run_demo

    if not replace and not is_demo_folder(FOLDER):
        question = f"{FOLDER}/ exists and was not made by the demo: replace it (its content is deleted)?"
        if not (sys.stdin.isatty() and typer.confirm(question, default=False)):
            fail(f"{FOLDER}/ exists and was not made by the demo: move it away, or run `monitor demo --replace`", 2)
    run_demo(console)
