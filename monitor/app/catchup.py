"""Catching up crawl runs that a crash or a stop left half-done."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from monitor.app.cycle import PlannedDocument, plan
from monitor.config import Config
from storage.db import session_scope
from storage.models import CrawlRun, Snapshot

UNFINISHED = ("running", "interrupted")


def catch_up_plan(config: Config, engine: Engine) -> list[PlannedDocument]:
    """The documents that unfinished runs never recorded; those runs are marked `caught_up`.

    A run still `running` while this cycle holds the cycle lock was killed; an `interrupted` one was
    stopped. They are marked before their documents are crawled again in a new run, so a second
    crash never repeats this catch-up (the new run is caught up in turn), and documents the old
    runs did record are not fetched twice.
    """
    active = {p.document_id: p for p in plan(config, engine)}
    missing: dict[int, PlannedDocument] = {}
    with session_scope(engine) as session:
        for run in session.exec(select(CrawlRun).where(col(CrawlRun.status).in_(UNFINISHED))):
            fetched = set(session.exec(select(Snapshot.document_id).where(Snapshot.crawl_run_id == run.id)))
            missing.update({d: active[d] for d in run.planned if d not in fetched and d in active})
            run.status = "caught_up"
            run.finished_at = run.finished_at or datetime.now(UTC)
            run.error = run.error or "the daemon stopped before the run finished"
            session.add(run)
    return list(missing.values())
