"""The `monitor` command line (Typer + Rich).

Exit codes: 0 success, 1 something asked for does not exist (vendor, document, version) or a
crawl cycle failed, 2 a bad config or an unusable database.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine
from sqlmodel import Session

from crawler.outcomes import OUTCOMES
from crawler.process import run_crawl
from crawler.results import FetchResult
from monitor.alerts.channels import CHANNELS, open_channel
from monitor.alerts.outbox import describe, drain, enqueue_change, outbox_rows, send_test
from monitor.app.catchup import catch_up_plan
from monitor.app.cycle import crawl_job, plan, run_cycle, sync_config
from monitor.app.reextract import reextract_document
from monitor.app.signals import stop_on_signals
from monitor.app.status import gather_status
from monitor.cli import views
from monitor.config import Config, ConfigError, DocumentConfig, config_path, load_config
from monitor.judge.inaccessible import CHECKS
from monitor.logs import LogFormat, configure_logging
from monitor.text.pipeline import extract_version
from monitor.text.selectors import SelectorError, compile_css
from storage.db import StorageError, open_database, session_scope
from storage.locks import database_lock
from storage.models import Document, Version
from storage.queries import (
    changes_by_version,
    current_version,
    get_vendor,
    latest_snapshot,
    list_versions,
    vendor_documents,
    version_at,
    version_by_seq,
    version_counts,
)

app = typer.Typer(
    help="Watch vendors' privacy policies and terms; report the changes that matter.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)

DocOption = Annotated[str | None, typer.Option("--doc", "-d", help="Document type, e.g. privacy_policy.")]


class _State:
    config_file: Path | None = None
    verbose: int = 0
    log_format: LogFormat = "text"


state = _State()


class Failure(Exception):
    """A user-facing failure: one line on stderr and an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop the command with a one-line message and an exit code."""
    raise Failure(message, code)


@app.callback()
def _options(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Config file (default: $POLICY_MONITOR_CONFIG or ./config.toml)."),
    ] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More logs (-v, -vv).")] = 0,
    log_format: Annotated[str, typer.Option("--log-format", help="Log lines as 'text' or 'json'.")] = "text",
) -> None:
    if log_format not in ("text", "json"):
        fail(f"--log-format must be 'text' or 'json', not {log_format!r}", 2)
    fmt: LogFormat = "json" if log_format == "json" else "text"
    configure_logging(verbose, fmt)
    state.config_file, state.verbose, state.log_format = config, verbose, fmt


def _config() -> Config:
    try:
        return load_config(config_path(state.config_file))
    except ConfigError as exc:
        fail(str(exc), 2)


def _engine(config: Config) -> Engine:
    try:
        return open_database(config.database_url)
    except StorageError as exc:
        fail(str(exc), 2)


def _known_vendor(config: Config, vendor_id: str) -> None:
    if config.vendor(vendor_id) is None:
        known = ", ".join(v.id for v in config.vendors) or "none configured"
        fail(f"unknown vendor {vendor_id!r} (known: {known})")


def _document(session: Session, vendor_id: str, doc_type: str | None) -> Document:
    """The vendor's document of `doc_type`; without one, its only document or its privacy policy."""
    if get_vendor(session, vendor_id) is None:
        fail(f"unknown vendor {vendor_id!r}: nothing recorded for it (run `monitor crawl {vendor_id}` first)")
    documents = vendor_documents(session, vendor_id, doc_type)
    if not documents:
        types = ", ".join(d.type for d in vendor_documents(session, vendor_id))
        fail(f"vendor {vendor_id!r} has no document of type {doc_type!r} (it has: {types})")
    if len(documents) == 1:
        return documents[0]
    preferred = [d for d in documents if d.type == "privacy_policy"]
    if preferred:
        return preferred[0]
    fail(f"vendor {vendor_id!r} has several documents; choose one with --doc ({', '.join(d.type for d in documents)})")


def _parse_moment(value: str) -> datetime:
    """An ISO date (the end of that day, UTC) or date-time (UTC unless it says otherwise)."""
    try:
        if len(value) == 10:
            return datetime.combine(datetime.fromisoformat(value).date(), time.max, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--at takes an ISO date or date-time such as 2024-05-01 or 2024-05-01T12:00, not {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _version(session: Session, document: Document, seq: int) -> Version:
    assert document.id is not None
    version = version_by_seq(session, document.id, seq)
    if version is None:
        fail(f"{document.vendor_id} {document.type} has no version {seq}")
    return version


@app.command()
def crawl(
    vendors: Annotated[list[str] | None, typer.Argument(help="Vendor ids (default: all).")] = None,
    schedule: Annotated[
        str | None, typer.Option(help="Only the documents with this schedule (the daemon's jobs use it).")
    ] = None,
    catch_up: Annotated[
        bool, typer.Option("--catch-up", help="Only the documents that interrupted crawl runs never recorded.")
    ] = False,
    trigger: Annotated[str, typer.Option(hidden=True)] = "cli",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no table.")] = False,
) -> None:
    """Fetch the documents of all (or the given) vendors once and record what changed. Ctrl-C stops cleanly."""
    config = _config()
    for vendor_id in vendors or []:
        _known_vendor(config, vendor_id)
    engine = _engine(config)
    stop = stop_on_signals(watch_parent=trigger != "cli")
    with database_lock(config.database_url, "cycle"):  # one cycle at a time, across processes
        planned = catch_up_plan(config, engine) if catch_up else plan(config, engine, vendors or None)
        if schedule is not None:
            members = set(config.schedules().get(schedule, []))
            planned = [p for p in planned if (p.vendor_id, p.config.type) in members]
        if not planned:
            if catch_up or schedule is not None:
                return
            fail("no documents to crawl: the config lists no vendors")
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=errors, transient=True, disable=quiet) as progress:
            task = progress.add_task("crawling", total=len(planned))
            result = run_cycle(
                config, engine, planned, trigger=trigger, stop=stop, on_recorded=lambda _r: progress.advance(task)
            )
    if not quiet:
        names = {p.document_id: (p.vendor_id, p.config.type) for p in planned}
        rows = sorted(((*names[r.document_id], r) for r in result.recorded), key=lambda row: row[:2])
        console.print(views.cycle_table(rows))
        console.print(
            f"{len(result.recorded)} documents fetched, {result.new_versions} new versions (run {result.run_id})."
        )
    if config.alerts.channels and not stop.is_set():
        drained = drain(engine, config)
        if drained.attempted and not quiet:
            console.print(f"Alerts: {drained.sent} sent, {drained.retrying} to retry, {drained.failed} failed.")
    if result.status not in ("finished", "interrupted"):
        fail(f"crawl run {result.run_id} failed: {result.error}")


@app.command()
def run() -> None:
    """Run the daemon: crawl on schedule, catch up interrupted runs, send alerts; stop with SIGTERM or Ctrl-C."""
    config = _config()
    _engine(config)  # the schema is migrated before the daemon starts
    command = [sys.executable, "-m", "monitor.daemon", "--config", str(config_path(state.config_file).resolve())]
    command += ["-v"] * state.verbose + ["--log-format", state.log_format]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command)  # a lean process: none of the CLI's imports stay resident


@app.command()
def status() -> None:
    """Last and next runs, open incidents, queued and failed alerts, database size; exit 1 when unhealthy."""
    config = _config()
    report = gather_status(config, _engine(config))
    console.print(views.status_view(report))
    if not report.healthy:
        fail("unhealthy: " + "; ".join(report.problems))


@app.command("vendors")
def list_vendors() -> None:
    """List the watched documents: last fetch, its outcome, version count and latest policy date."""
    config = _config()
    engine = _engine(config)
    ids = sync_config(config, engine)
    rows = []
    with Session(engine) as session:
        counts = version_counts(session, list(ids.values()))
        for vendor in config.vendors:
            for doc in vendor.documents:
                document_id = ids[(vendor.id, doc.type)]
                snapshot = latest_snapshot(session, document_id)
                current = current_version(session, document_id)  # its text is not loaded
                rows.append(
                    views.DocumentRow(
                        vendor_id=vendor.id,
                        vendor_name=vendor.name,
                        document_type=doc.type,
                        last_fetch=snapshot.fetched_at if snapshot else None,
                        outcome=snapshot.outcome if snapshot else None,
                        error=snapshot.error if snapshot else None,
                        versions=counts.get(document_id, 0),
                        policy_date=current.policy_date if current else None,
                    )
                )
    console.print(views.vendors_table(rows))


@app.command()
def history(vendor: str, doc: DocOption = None) -> None:
    """One line per version of a vendor's documents: first and last seen, policy date, size, changes."""
    engine = _engine(_config())
    with Session(engine) as session:
        documents = [_document(session, vendor, doc)] if doc else vendor_documents(session, vendor)
        if not documents:
            _document(session, vendor, None)
        for document in documents:
            assert document.id is not None
            versions = list_versions(session, document.id)
            title = f"{vendor} {document.type} ({document.url}) - times in UTC"
            if versions:
                console.print(views.history_table(title, versions, changes_by_version(session, document.id)))
            else:
                console.print(f"{title}: no version recorded yet")


@app.command()
def show(
    vendor: str,
    doc: DocOption = None,
    at: Annotated[str | None, typer.Option(help="The version current at this date (ISO).")] = None,
    version: Annotated[int | None, typer.Option("--version", "-n", help="Version number.")] = None,
) -> None:
    """Print the text of a version: the latest, the one current at a date, or a numbered one."""
    if at is not None and version is not None:
        fail("give --at or --version, not both")
    engine = _engine(_config())
    with Session(engine) as session:
        document = _document(session, vendor, doc)
        assert document.id is not None
        if version is not None:
            chosen = _version(session, document, version)
        elif at is not None:
            found = version_at(session, document.id, _parse_moment(at))
            if found is None:
                fail(f"{vendor} {document.type} had no version yet at {at}")
            chosen = found
        else:
            versions = list_versions(session, document.id)
            if not versions:
                fail(f"{vendor} {document.type} has no version yet")
            chosen = versions[-1]
    sys.stdout.write(chosen.text.rstrip("\n") + "\n")


@app.command()
def diff(
    vendor: str,
    a: Annotated[int | None, typer.Argument(help="Older version number (default: the one before B).")] = None,
    b: Annotated[int | None, typer.Argument(help="Newer version number (default: the latest).")] = None,
    doc: DocOption = None,
) -> None:
    """Show what changed between two versions, word by word."""
    engine = _engine(_config())
    with Session(engine) as session:
        document = _document(session, vendor, doc)
        assert document.id is not None
        if b is None:
            latest = current_version(session, document.id)
            if latest is None:
                fail(f"{vendor} {document.type} has no version yet")
            b = latest.seq
        new = _version(session, document, b)
        old_seq = a if a is not None else new.seq - 1
        if old_seq < 1:
            console.print(f"{vendor} {document.type} has only version {new.seq}: nothing to compare.")
            return
        old = _version(session, document, old_seq)
    header = f"{vendor} {document.type}: version {old.seq} ({views.when(old.first_seen)}) -> {new.seq} "
    console.print(f"[bold]{header}({views.when(new.first_seen)} UTC)[/bold]", highlight=False)
    console.print(views.diff_view(old.text, new.text, markers=console.no_color or not console.is_terminal))


@app.command()
def reextract(
    vendors: Annotated[list[str] | None, typer.Argument(help="Vendor ids (default: all).")] = None,
) -> None:
    """Re-run extraction over stored snapshots after a code or config change (technical versions, not alerted)."""
    config = _config()
    for vendor_id in vendors or []:
        _known_vendor(config, vendor_id)
    engine = _engine(config)
    planned = plan(config, engine, vendors or None)
    table = views.reextract_table()
    for target in planned:
        with session_scope(engine) as session:
            done = reextract_document(session, target.document_id, target.config)
            if done.change is not None:
                enqueue_change(session, done.change, config)  # only a flagged one goes out, to the digest
        table.add_row(target.vendor_id, target.config.type, done.result, str(done.version_seq or "-"), done.detail)
    console.print(table)
    if config.alerts.channels:
        drain(engine, config)


@app.command()
def extract(
    source: Annotated[str, typer.Argument(help="A saved page (HTML or text) or an http(s) URL.")],
    select: Annotated[str | None, typer.Option(help="Keep only this CSS selector's content.")] = None,
    remove: Annotated[str | None, typer.Option(help="Drop this CSS selector's content first.")] = None,
    lang: Annotated[str | None, typer.Option(help="The page's language, e.g. en, de, en-US.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"text", "language", "dates"}.')] = False,
) -> None:
    """Preview what policy-monitor extracts from a page before adding it as a vendor."""
    for selector in (select, remove):
        if selector is not None:
            try:
                compile_css(selector)
            except SelectorError as exc:
                fail(str(exc), 2)
    body, content_type, url, fetched_at = _read_source(source)
    extracted = extract_version(
        body, content_type=content_type, url=url, select=select, remove=remove, language=lang, fetched_at=fetched_at
    )
    if as_json:
        payload = {"text": extracted.text, "language": extracted.language, "dates": extracted.dates.to_dict()}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    sys.stdout.write(extracted.text.rstrip("\n") + "\n")
    errors.print(views.dates_line(extracted.language, extracted.dates), highlight=False)


def _read_source(source: str) -> tuple[bytes, str | None, str | None, datetime]:
    """The raw body of a file, or of a URL fetched once by the crawler with the configured politeness."""
    if not source.startswith(("http://", "https://")):
        path = Path(source)
        try:
            body = path.read_bytes()
        except OSError as exc:
            fail(f"cannot read {source}: {exc.strerror or exc}")
        kind = "text/plain" if path.suffix.lower() in (".txt", ".md") else None
        return body, kind, None, datetime.now(UTC)
    config = _config_or_defaults()
    settings = config.crawl
    job = crawl_job(settings, [{"key": "preview", "url": source}], config.render)
    results: list[FetchResult] = []
    run_crawl(job, timeout=settings.timeout * (settings.retries + 2) + 30, on_result=results.append)
    fetched = results[0]
    if fetched.outcome != "ok" or fetched.body is None:
        fail(f"{source}: {fetched.outcome}: {fetched.error or 'no body'}")
    return fetched.body, fetched.content_type, fetched.final_url, fetched.fetched_at


@app.command()
def replay(
    directory: Annotated[Path, typer.Argument(help="A folder of raw pages named like 2022-05-24T12-31-52Z.html.")],
    select: Annotated[str | None, typer.Option(help="Keep only this CSS selector's content.")] = None,
    remove: Annotated[str | None, typer.Option(help="Drop this CSS selector's content first.")] = None,
    lang: Annotated[str | None, typer.Option(help="The document's language, e.g. en, de.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Replay saved pages through the whole pipeline in time order, in a throw-away database."""
    from monitor.app.replay import REPLAY_URL, replay_files
    from monitor.app.replay import replay as run_replay

    if not directory.is_dir():
        fail(f"{directory}: not a folder")
    files = replay_files(directory)
    if not files:
        fail(f"{directory}: no files named like 2022-05-24T12-31-52Z.html")
    try:
        document = DocumentConfig(type="privacy_policy", url=REPLAY_URL, select=select, remove=remove, language=lang)
    except ValidationError as exc:
        fail(f"bad option: {exc.errors()[0]['msg'].removeprefix('Value error, ')}", 2)
    for line in run_replay(files, document, _config_or_defaults().changes):
        if as_json:
            sys.stdout.write(json.dumps(line.to_json_dict(), ensure_ascii=False) + "\n")
        else:
            console.print(views.replay_line(line), highlight=False, soft_wrap=True)


def _config_or_defaults() -> Config:
    """The config when its file exists (bad content still fails), else the defaults."""
    return _config() if config_path(state.config_file).exists() else Config()


@app.command()
def outcomes() -> None:
    """List what a snapshot can turn out to be: fetch outcomes, then the checks that a page is the policy."""
    kinds = [(kind, cls.inaccessible, _first_line(cls.__doc__)) for kind, cls in OUTCOMES.items()]
    kinds += [(kind, True, _first_line(cls.__doc__)) for kind, cls in CHECKS.items()]
    console.print(views.outcomes_table(kinds))


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().splitlines()[0]


@app.command()
def alerts(
    status: Annotated[
        list[str] | None, typer.Option("--status", "-s", help="Only these statuses: queued, sent, failed, digested.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many rows, newest first.")] = 50,
) -> None:
    """List the alert outbox: what is queued, sent or failed, where to, attempts and the last error."""
    unknown = set(status or ()) - set(views.STATUS_STYLES)
    if unknown:
        fail(f"unknown status {sorted(unknown)[0]!r} (use {', '.join(views.STATUS_STYLES)})")
    config = _config()
    engine = _engine(config)
    with Session(engine) as session:
        rows = outbox_rows(session, status or (), limit)
        described = [(row, describe(session, row)) for row in rows]
    if not described:
        console.print("The outbox is empty." if not status else "No alert has that status.")
        return
    console.print(views.outbox_table(described))


@app.command("send-alerts")
def send_alerts() -> None:
    """Send the alerts that are due (the daemon runs this every few minutes; `crawl` does it too)."""
    config = _config()
    drained = drain(_engine(config), config)
    if drained.attempted:
        console.print(f"Alerts: {drained.sent} sent, {drained.retrying} to retry, {drained.failed} failed.")


@app.command("test-alert")
def test_alert(
    channel: Annotated[str | None, typer.Argument(help="A channel name (default: every channel).")] = None,
) -> None:
    """Send a sample message through the configured channels; exit 1 if any fails."""
    config = _config()
    if not config.alerts.channels:
        fail("no alert channels configured: add [[alerts.channels]] to the config (see README, Alerts)")
    if channel is not None and config.alerts.channel(channel) is None:
        fail(f"unknown channel {channel!r} (known: {', '.join(c.name for c in config.alerts.channels)})")
    names = [channel] if channel else [c.name for c in config.alerts.channels]
    rows = send_test(_engine(config), config, names)
    for name, row in rows.items():
        if row.status == "sent":
            console.print(f"sent a test alert to {name}", highlight=False)
    failed = [f"{name}: {row.last_error}" for name, row in rows.items() if row.status != "sent"]
    if failed:
        fail("\n".join(f"test alert not sent to {line}" for line in failed))


@app.command()
def channels() -> None:
    """List the configured alert channels (secrets masked) and the channel kinds."""
    config = _config()
    rows = []
    for wanted in config.alerts.channels:
        channel = open_channel(wanted.name, wanted.url)
        scope = ", ".join(wanted.vendors + [f"tag {tag}" for tag in wanted.tags]) or "all vendors"
        sends = f"{', '.join(wanted.events)}; {'/'.join(wanted.severities)}; {scope}"
        rows.append((wanted.name, channel.kind, channel.masked_url, sends))
    if rows:
        console.print(views.channels_table(rows))
    else:
        console.print("No alert channel is configured (see README, Alerts).")
    console.print(views.kinds_table((kind, _first_line(cls.__doc__)) for kind, cls in CHANNELS.items()))


@app.command()
def demo() -> None:
    """Run the bundled demo: fictional vendors on a loopback site, crawled through a script of days."""
    checkout = Path(__file__).resolve().parents[2]
    if not (checkout / "tests" / "support" / "demo.py").is_file():
        fail("the demo runs from a source checkout of policy-monitor: clone it and run `make demo`")
    sys.path.insert(0, str(checkout))  # the demo's site and sinks are test helpers, not part of the package
    from tests.support.demo import run_demo

    run_demo(console)


def main() -> None:
    """Entry point of the `monitor` console script."""
    try:
        app()
    except Failure as exc:
        errors.print(f"error: {exc}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(exc.code)
