"""Checking documents: plan them, fetch them in one crawler child, record each result.

Fetch (the `crawler` child), extract (`monitor.text.pipeline`, in a worker process for a large cycle:
`monitor.app.extraction`) and record (`monitor.app.record`, in batched transactions: `monitor.app.batch`)
stay separate and overlap; this module only wires them and keeps the crawl-run record. Every planned
document ends the cycle with a snapshot, failures included (`not_fetched` when the crawler never
reported it).
:func:`check_documents` is the use case every face calls (the CLI's `crawl`, the daemon's jobs).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack, suppress
from dataclasses import dataclass, field

from crawler.job import FetchRequest, Job, RenderSettings
from crawler.outcomes import NotFetched
from crawler.process import run_crawl
from crawler.render import browser_available, needs_browser
from crawler.results import FetchResult
from monitor.app.batch import Batch
from monitor.app.context import App, unknown_vendor
from monitor.app.extraction import Extractor, body_key
from monitor.app.record import Recorded, record_fetch
from monitor.config import Config, DocumentConfig
from monitor.judge.ignore import NO_RULES, IgnoreRules
from monitor.text.pipeline import Extracted
from storage.db import session_scope
from storage.documents import sync_documents
from storage.fetches import close_run, current_body_keys, finish_run, start_run, unfinished_runs
from storage.locks import LockBusy, database_lock
from storage.models import Document

log = logging.getLogger(__name__)

#: A cycle of at least this many documents extracts in a worker process (fewer: starting one costs more).
WORKER_MIN_DOCUMENTS = 20
#: A fetch as the extractor holds it: its document, the result, its body key, the version it is known to give.
Fetched = tuple["PlannedDocument", FetchResult, str | None, int | None]


@dataclass(frozen=True)
class PlannedDocument:
    """A document a use case works on: its stored id, its vendor, its config and its vendor's ignore rules."""

    document_id: int
    vendor_id: str
    config: DocumentConfig
    ignore: IgnoreRules = NO_RULES


@dataclass
class CycleResult:
    """How a cycle went: its run id, what each document gave, and whether the crawler ended well."""

    run_id: int | None
    planned: list[PlannedDocument]
    recorded: list[Recorded] = field(default_factory=list)
    status: str = "finished"
    error: str | None = None

    @property
    def new_versions(self) -> int:
        """How many documents got a new version."""
        return sum(r.new_version for r in self.recorded)


def check_documents(
    app: App,
    vendor_ids: Sequence[str] | None = None,
    *,
    schedule: str | None = None,
    catch_up: bool = False,
    document_ids: Sequence[int] | None = None,
    trigger: str = "cli",
    stop: threading.Event | None = None,
    on_planned: Callable[[int], None] | None = None,
    on_recorded: Callable[[Recorded], None] | None = None,
) -> CycleResult:
    """Fetch and record the documents of the given vendors (all by default).

    `schedule` keeps the documents crawled on that schedule; `catch_up` only those that interrupted
    runs never recorded; `document_ids` only those (a worker's host batch). `on_planned(count)` is
    told how many documents the cycle fetches before it starts. Raises NotFound for an unknown
    vendor; a cycle with nothing to fetch records no run. With the `local` queue one cycle runs at a
    time per database; `procrastinate` workers run theirs side by side (one per host at a time).
    """
    for vendor_id in vendor_ids or ():
        if app.config.vendor(vendor_id) is None:
            raise unknown_vendor(app.config, vendor_id)
    side_by_side = app.config.queue.backend == "procrastinate"
    with database_lock(app.config.database_url, "cycle", shared=side_by_side):  # `gc` waits for cycles to end
        planned = catch_up_plan(app) if catch_up else plan(app, vendor_ids or None)
        if document_ids is not None:
            wanted = set(document_ids)
            planned = [p for p in planned if p.document_id in wanted]
        if schedule is not None:
            members = set(app.config.schedules().get(schedule, []))
            planned = [p for p in planned if (p.vendor_id, p.config.type) in members]
        if on_planned is not None:
            on_planned(len(planned))
        if not planned:
            return CycleResult(run_id=None, planned=[])
        return run_cycle(app, planned, trigger=trigger, stop=stop, on_recorded=on_recorded)


def sync_config(app: App) -> dict[tuple[str, str], int]:
    """Make the stored vendors and documents match the config; document ids by (vendor, type)."""
    config = app.config
    vendors = {vendor.id: vendor.name for vendor in config.vendors}
    documents = [
        Document(vendor_id=vendor.id, type=doc.type, url=doc.url, language=doc.language)
        for vendor in config.vendors
        for doc in vendor.documents
    ]
    with session_scope(app.engine) as session:
        synced = sync_documents(session, vendors, documents)
        return {key: doc.id for key, doc in synced.items() if doc.id is not None}


def plan(app: App, vendor_ids: Sequence[str] | None = None) -> list[PlannedDocument]:
    """The documents of the given vendors (all when None), synced to storage first."""
    ids = sync_config(app)
    return [
        PlannedDocument(ids[(vendor.id, doc.type)], vendor.id, doc, IgnoreRules.of(vendor.ignore))
        for vendor in app.config.vendors
        if vendor_ids is None or vendor.id in vendor_ids
        for doc in vendor.documents
    ]


def catch_up_plan(app: App) -> list[PlannedDocument]:
    """The documents that dead runs never recorded; those runs are marked `caught_up`.

    A run is dead when nobody holds its run lock (`run_lock`): the process that ran it was killed,
    or stopped it (`interrupted`). Runs of live processes, on this machine or another, are left
    alone. Dead runs are marked before their documents are crawled again in a new run, so a second
    crash never repeats this catch-up, and documents the old runs did record are not fetched twice.
    """
    active = {p.document_id: p for p in plan(app)}
    missing: list[int] = []
    with session_scope(app.engine) as session:
        run_ids = unfinished_runs(session)
    for run_id in run_ids:
        with suppress(LockBusy), run_lock(app, run_id, wait=False), session_scope(app.engine) as session:
            missing += [d for d in close_run(session, run_id, "the run stopped before it finished") if d not in missing]
    return [active[d] for d in missing if d in active]


def run_lock(app: App, run_id: int, *, wait: bool = True) -> AbstractContextManager[None]:
    """The lock a crawl run's process holds while the run goes on: free means the run is dead."""
    return database_lock(app.config.database_url, f"run-{run_id}", wait=wait, temporary=True)


def fetch_job(config: Config, documents: Sequence[FetchRequest], render: RenderSettings | None = None) -> Job:
    """The job handed to the crawler child: the configured fetch and render settings, and the pages."""
    return Job(settings=config.crawl, render=render or config.render, documents=list(documents))


def _request(planned: PlannedDocument, *, render: bool | None = None) -> FetchRequest:
    doc = planned.config
    return FetchRequest(
        key=str(planned.document_id),
        url=doc.url,
        headers=doc.headers,
        render=doc.render if render is None else render,
        wait_for=doc.wait_for or "",
    )


def run_cycle(
    app: App,
    planned: Sequence[PlannedDocument],
    *,
    trigger: str = "cli",
    on_recorded: Callable[[Recorded], None] | None = None,
    stop: threading.Event | None = None,
) -> CycleResult:
    """Fetch the planned documents and record every result as it arrives.

    When a browser is available, the documents are fetched plainly first (no browser starts), then
    `render = true` documents and plain results that need a browser (403/406/502, a bot wall) go
    through a second, rendering child. Setting `stop` ends the crawl early: the run is `interrupted`
    and its unfetched documents are left for the catch-up.
    """
    with ExitStack() as alive:
        with session_scope(app.engine) as session:
            run_id = start_run(session, [p.document_id for p in planned], trigger).id
            assert run_id is not None
            alive.enter_context(run_lock(app, run_id))  # held before the run is seen: never taken for dead
            known = current_body_keys(session, [p.document_id for p in planned])
        result = CycleResult(run_id=run_id, planned=list(planned))
        _fetch_and_record(app, result, known, on_recorded, stop)
        with session_scope(app.engine) as session:
            finish_run(session, run_id, result.status, result.error)
    return result


def _fetch_and_record(
    app: App,
    result: CycleResult,
    known: dict[int, tuple[str, int]],
    on_recorded: Callable[[Recorded], None] | None,
    stop: threading.Event | None,
) -> None:
    """Crawl `result.planned` and record each fetch in run `result.run_id`; how the crawl ended goes in `result`."""
    config, planned, run_id = app.config, result.planned, result.run_id
    by_key = {str(p.document_id): p for p in planned}
    rendering = config.render.enabled and browser_available(config.render.chromium_path) is not None
    to_render = [p for p in planned if rendering and p.config.render]
    done: set[str] = set()

    def committed(recorded: Recorded) -> None:
        result.recorded.append(recorded)
        target = by_key[str(recorded.document_id)]
        log.info(
            "recorded",
            extra={"vendor": target.vendor_id, "document": target.config.type, "outcome": recorded.outcome},
        )
        if on_recorded is not None:
            on_recorded(recorded)

    def write(fetched: Fetched, extracted: Extracted | None) -> None:
        target, fetch, key, text_of = fetched
        batch.write(
            lambda session: record_fetch(
                session,
                app.events,
                target.document_id,
                target.config,
                fetch,
                config.changes,
                run_id,
                extracted,
                ignore=target.ignore,
                body_key=key,
                text_of=text_of,
            )
        )

    def record(fetch: FetchResult) -> None:
        target = by_key.get(fetch.key)
        if target is None or fetch.key in done:
            log.warning("ignored a second or unknown result", extra={"key": fetch.key})
            return
        if rendering and not fetch.rendered and target not in to_render and _wants_browser(fetch):
            to_render.append(target)  # fetched again by the browser, below
            return
        done.add(fetch.key)
        key = body_key(target.config, fetch)
        same = known.get(target.document_id)
        text_of = same[1] if key is not None and same is not None and same[0] == key else None  # known: no extraction
        extractor.put((target, fetch, key, text_of), target.config, fetch, extract=text_of is None)

    def idle() -> None:  # the crawler is slow to answer: commit what is in
        extractor.flush()
        batch.commit()

    started = time.monotonic()
    workers = 1 if len(planned) >= WORKER_MIN_DOCUMENTS else 0
    unknown = len(planned) - len(known)  # documents with no known body: those are sure to be extracted
    with (
        Batch(app.engine, committed) as batch,
        Extractor(write, workers=workers, warm=unknown >= WORKER_MIN_DOCUMENTS) as extractor,
    ):
        plain = [_request(p) for p in planned if p not in to_render]
        plain_render = RenderSettings(enabled=False) if rendering else config.render  # unavailable: said per page
        result.status, result.error = _crawl(
            config, fetch_job(config, plain, plain_render), (record, idle), stop, by_key
        )
        if to_render and result.status == "finished":
            remaining = max(30.0, config.crawl.cycle_timeout - (time.monotonic() - started))
            browser_job = fetch_job(config, [_request(p, render=True) for p in to_render])
            result.status, result.error = _crawl(config, browser_job, (record, idle), stop, by_key, remaining)


def _wants_browser(fetch: FetchResult) -> bool:
    return fetch.status is not None and needs_browser(fetch.status, fetch.body or b"")


def _crawl(
    config: Config,
    job: Job,
    callbacks: tuple[Callable[[FetchResult], None], Callable[[], None]],
    stop: threading.Event | None,
    by_key: dict[str, PlannedDocument],
    timeout: float | None = None,
) -> tuple[str, str | None]:
    """Run one crawler child over `job` with `(on_result, on_idle)`; how it ended, as (run status, error)."""
    record, idle = callbacks
    if not job.documents:
        return "finished", None
    limit = timeout or config.crawl.cycle_timeout
    try:
        report = run_crawl(job, timeout=limit, on_result=record, on_idle=idle, stop=stop)
    except OSError as exc:
        error = f"cannot start the crawler: {exc}"
        for document in job.documents:
            url = by_key[document.key].config.url
            record(
                FetchResult(key=document.key, requested_url=url, final_url=url, outcome=NotFetched.kind, error=error)
            )
        return "failed", error
    if report.stopped:
        return "interrupted", "stopped before every document was fetched"
    if report.timed_out:
        return "failed", f"the crawl did not finish within {limit:g} s and was stopped"
    if report.returncode != 0:
        last = report.stderr_tail[-1] if report.stderr_tail else "no message"
        return "failed", f"the crawler exited with code {report.returncode}: {last}"
    return "finished", None
