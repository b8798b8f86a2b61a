"""Fetches: snapshots and the crawl runs that made them (their raw bodies: `storage.blobs`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from storage.models import CrawlRun, Snapshot, utcnow

UNFINISHED_RUNS = ("running", "interrupted")
UNREADABLE = ("inaccessible", "suspect")  # fetches that gave no version
CURRENT_TEXT = ("first_version", "new_version", "reverted", "unchanged")  # fetches whose text became or was current


def add_snapshot(session: Session, snapshot: Snapshot) -> Snapshot:
    """Store a new snapshot (its id is set)."""
    session.add(snapshot)
    session.flush()
    return snapshot


def get_snapshot(session: Session, snapshot_id: int) -> Snapshot | None:
    """The snapshot with this id, if any."""
    return session.get(Snapshot, snapshot_id)


def latest_snapshot(session: Session, document_id: int) -> Snapshot | None:
    """The most recent fetch of a document, whatever its outcome."""
    query = select(Snapshot).where(Snapshot.document_id == document_id).order_by(col(Snapshot.id).desc())
    return session.exec(query.limit(1)).first()


def latest_snapshot_with_body(session: Session, document_id: int, decisions: Sequence[str]) -> Snapshot | None:
    """The newest snapshot of a document with a stored body and one of `decisions`."""
    query = select(Snapshot).where(
        Snapshot.document_id == document_id,
        col(Snapshot.decision).in_(decisions),
        col(Snapshot.body_sha256).is_not(None),
    )
    return session.exec(query.order_by(col(Snapshot.id).desc()).limit(1)).first()


def current_body_keys(session: Session, document_ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    """(body key, version id) of each document's newest keyed fetch whose text became or was current.

    One query for the whole lot. The version is the current one but for a document re-extracted
    since (a technical version): the recorder checks it against the current version.
    """
    keyed = (
        select(func.max(Snapshot.id))
        .where(col(Snapshot.document_id).in_(document_ids), col(Snapshot.body_key).is_not(None))
        .where(col(Snapshot.decision).in_(CURRENT_TEXT))
        .group_by(col(Snapshot.document_id))
    )
    rows = session.exec(
        select(Snapshot.document_id, Snapshot.body_key, Snapshot.version_id).where(col(Snapshot.id).in_(keyed))
    )
    return {document_id: (key, version) for document_id, key, version in rows if key and version is not None}


def first_snapshot_of(session: Session, version_id: int) -> Snapshot | None:
    """The first snapshot that gave a version."""
    query = select(Snapshot).where(Snapshot.version_id == version_id).order_by(col(Snapshot.id)).limit(1)
    return session.exec(query).first()


def source_body(session: Session, version_id: int) -> str | None:
    """The SHA-256 of the body that first gave a version (its source), if stored."""
    query = select(Snapshot.body_sha256).where(Snapshot.version_id == version_id).order_by(col(Snapshot.id)).limit(1)
    return session.exec(query).first()


def decision_streak(session: Session, document_id: int, decision: str, version_id: int, limit: int) -> int:
    """How many of the document's latest readable fetches in a row had `decision` towards `version_id`."""
    query = (
        select(Snapshot.decision, Snapshot.version_id)
        .where(Snapshot.document_id == document_id, col(Snapshot.decision).is_not(None))
        .where(col(Snapshot.decision).not_in(UNREADABLE))
        .order_by(col(Snapshot.id).desc())
        .limit(limit)
    )
    streak = 0
    for seen, matched in session.exec(query):
        if seen != decision or matched != version_id:
            break
        streak += 1
    return streak


def start_run(session: Session, planned: Sequence[int], trigger: str) -> CrawlRun:
    """Record the start of a crawl cycle over the documents `planned`."""
    run = CrawlRun(planned=list(planned), trigger=trigger)
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run_id: int, status: str, error: str | None = None) -> None:
    """Record how a crawl cycle ended."""
    run = session.get(CrawlRun, run_id)
    if run is None:
        raise KeyError(run_id)
    run.finished_at, run.status, run.error = utcnow(), status, error
    session.add(run)


def unfinished_runs(session: Session) -> list[int]:
    """The ids of the crawl runs still `running` or `interrupted`, oldest first."""
    query = select(CrawlRun.id).where(col(CrawlRun.status).in_(UNFINISHED_RUNS)).order_by(col(CrawlRun.id))
    return [run_id for run_id in session.exec(query) if run_id is not None]


def close_run(session: Session, run_id: int, error: str) -> list[int]:
    """Mark an unfinished run `caught_up`; the documents it planned and never fetched (none if it had ended)."""
    run = session.get(CrawlRun, run_id, with_for_update=True)
    if run is None or run.status not in UNFINISHED_RUNS:
        return []
    fetched = set(session.exec(select(Snapshot.document_id).where(Snapshot.crawl_run_id == run.id)))
    run.status = "caught_up"
    run.finished_at = run.finished_at or utcnow()
    run.error = run.error or error
    session.add(run)
    return [d for d in run.planned if d not in fetched]


def last_fetched(session: Session, document_ids: Sequence[int]) -> dict[int, datetime]:
    """When each of the documents was last fetched (documents never fetched are left out)."""
    query = (
        select(Snapshot.document_id, func.max(Snapshot.fetched_at))
        .where(col(Snapshot.document_id).in_(document_ids))
        .group_by(col(Snapshot.document_id))
    )
    return {document_id: at for document_id, at in session.exec(query)}


def last_run(session: Session) -> CrawlRun | None:
    """The newest crawl run."""
    return session.exec(select(CrawlRun).order_by(col(CrawlRun.id).desc()).limit(1)).first()


def run_finished_since(session: Session, moment: datetime) -> bool:
    """Whether a crawl run that started after `moment` has ended."""
    query = select(CrawlRun.id).where(CrawlRun.started_at > moment, col(CrawlRun.finished_at).is_not(None))
    return session.exec(query.limit(1)).first() is not None
