"""One crawl cycle: plan the documents, fetch them in one crawler child, record each result.

Fetch (the `crawler` child), extract (`monitor.text.pipeline`) and record (`monitor.app.record`) stay
separate; this module only wires them and keeps the crawl-run record.  Every planned document
ends the cycle with a snapshot, failures included (`not_fetched` when the crawler never
reported it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from crawler.outcomes import NotFetched
from crawler.process import run_crawl
from crawler.render import browser_available, needs_browser
from crawler.results import FetchResult
from monitor.alerts.outbox import enqueue
from monitor.app.record import Recorded, record_fetch
from monitor.config import Config, CrawlConfig, DocumentConfig, RenderConfig
from storage.db import session_scope
from storage.queries import DocumentSpec, finish_run, start_run, sync_documents

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlannedDocument:
    """A document the cycle will fetch."""

    document_id: int
    vendor_id: str
    config: DocumentConfig


@dataclass
class CycleResult:
    """How a cycle went: its run id, what each document gave, and whether the crawler ended well."""

    run_id: int
    planned: list[PlannedDocument]
    recorded: list[Recorded] = field(default_factory=list)
    status: str = "finished"
    error: str | None = None

    @property
    def new_versions(self) -> int:
        """How many documents got a new version."""
        return sum(r.new_version for r in self.recorded)


def sync_config(config: Config, engine: Engine) -> dict[tuple[str, str], int]:
    """Make the stored vendors and documents match the config; returns document ids by (vendor, type)."""
    specs = [
        DocumentSpec(vendor.id, vendor.name, doc.type, doc.url, doc.language)
        for vendor in config.vendors
        for doc in vendor.documents
    ]
    with session_scope(engine) as session:
        documents = sync_documents(session, specs)
        return {key: doc.id for key, doc in documents.items() if doc.id is not None}


def plan(config: Config, engine: Engine, vendor_ids: Sequence[str] | None = None) -> list[PlannedDocument]:
    """The documents of the given vendors (all when None), synced to storage first."""
    ids = sync_config(config, engine)
    return [
        PlannedDocument(ids[(vendor.id, doc.type)], vendor.id, doc)
        for vendor in config.vendors
        if vendor_ids is None or vendor.id in vendor_ids
        for doc in vendor.documents
    ]


JOB_SETTINGS = {
    "user_agent",
    "timeout",
    "delay",
    "concurrency_per_domain",
    "obey_robots_txt",
    "retries",
    "max_bytes",
    "autothrottle",
    "log_level",
}


def crawl_job(
    settings: CrawlConfig, documents: Sequence[dict[str, Any]], render: RenderConfig | None = None
) -> dict[str, Any]:
    """The job handed to the crawler child: the crawl and render settings, and one object per document."""
    render = render or RenderConfig()
    job_settings = {
        **settings.model_dump(include=JOB_SETTINGS),
        "render": render.enabled,
        "chromium_path": render.chromium_path,
        "render_max_pages": render.max_pages,
    }
    return {"settings": job_settings, "documents": list(documents)}


def _job_document(planned: PlannedDocument) -> dict[str, Any]:
    doc = planned.config
    return {
        "key": str(planned.document_id),
        "url": doc.url,
        "headers": doc.headers,
        "render": doc.render,
        "wait_for": doc.wait_for or "",
    }


def run_cycle(
    config: Config,
    engine: Engine,
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
    with session_scope(engine) as session:
        run = start_run(session, [p.document_id for p in planned], trigger)
    assert run.id is not None
    result = CycleResult(run_id=run.id, planned=list(planned))
    by_key = {str(p.document_id): p for p in planned}
    rendering = config.render.enabled and browser_available(config.render.chromium_path) is not None
    to_render = [p for p in planned if rendering and p.config.render]
    done: set[str] = set()

    def record(fetch: FetchResult) -> None:
        target = by_key.get(fetch.key)
        if target is None or fetch.key in done:
            log.warning("ignored a second or unknown result", extra={"key": fetch.key})
            return
        if rendering and not fetch.rendered and target not in to_render and _wants_browser(fetch):
            to_render.append(target)  # fetched again by the browser, below
            return
        with session_scope(engine) as session:
            recorded = record_fetch(session, target.document_id, target.config, fetch, config.changes, run.id)
            enqueue(session, recorded, config)  # alerts commit with the change that causes them
        done.add(fetch.key)
        result.recorded.append(recorded)
        log.info(
            "recorded",
            extra={"vendor": target.vendor_id, "document": target.config.type, "outcome": recorded.outcome},
        )
        if on_recorded is not None:
            on_recorded(recorded)

    started = time.monotonic()
    plain = [_job_document(p) for p in planned if p not in to_render]
    plain_render = RenderConfig(enabled=False) if rendering else config.render  # unavailable: say so per page
    result.status, result.error = _crawl(config, crawl_job(config.crawl, plain, plain_render), record, stop, by_key)
    if to_render and result.status == "finished":
        remaining = max(30.0, config.crawl.cycle_timeout - (time.monotonic() - started))
        browser_job = crawl_job(config.crawl, [{**_job_document(p), "render": True} for p in to_render], config.render)
        result.status, result.error = _crawl(config, browser_job, record, stop, by_key, remaining)
    with session_scope(engine) as session:
        finish_run(session, session.merge(run), result.status, result.error)
    return result


def _wants_browser(fetch: FetchResult) -> bool:
    return fetch.status is not None and needs_browser(fetch.status, fetch.body or b"")


def _crawl(
    config: Config,
    job: dict[str, Any],
    record: Callable[[FetchResult], None],
    stop: threading.Event | None,
    by_key: dict[str, PlannedDocument],
    timeout: float | None = None,
) -> tuple[str, str | None]:
    """Run one crawler child over `job`; how it ended, as (run status, error)."""
    if not job["documents"]:
        return "finished", None
    limit = timeout or config.crawl.cycle_timeout
    try:
        report = run_crawl(job, timeout=limit, on_result=record, stop=stop)
    except OSError as exc:
        error = f"cannot start the crawler: {exc}"
        for document in job["documents"]:
            url = by_key[document["key"]].config.url
            record(
                FetchResult(key=document["key"], requested_url=url, final_url=url, outcome=NotFetched.kind, error=error)
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
