"""Recording a fetch: the snapshot always, and a version when its text is new.

This is the only place that turns fetch results into rows; the crawl cycle calls it once per
document as results stream in, each in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from crawler.outcomes import Empty
from crawler.results import FetchResult
from monitor.config import DocumentConfig
from monitor.pipeline import Extracted, extract_version
from monitor.textdiff import line_counts
from storage.models import Snapshot, Version
from storage.queries import current_version, store_blob


@dataclass(frozen=True)
class Recorded:
    """What recording one fetch did."""

    document_id: int
    snapshot_id: int
    outcome: str
    error: str | None
    version_seq: int | None
    new_version: bool


def record_fetch(
    session: Session,
    document_id: int,
    config: DocumentConfig,
    result: FetchResult,
    crawl_run_id: int | None = None,
) -> Recorded:
    """Store one fetch result as a snapshot and, for a good page, place its text among the versions."""
    snapshot = Snapshot(
        document_id=document_id,
        crawl_run_id=crawl_run_id,
        fetched_at=result.fetched_at,
        requested_url=result.requested_url,
        final_url=result.final_url,
        http_status=result.status,
        content_type=result.content_type,
        headers=result.headers,
        outcome=result.outcome,
        error=result.error,
        elapsed_ms=result.elapsed_ms,
    )
    if result.body is not None:
        snapshot.body_sha256 = store_blob(session, result.body)
    version: Version | None = None
    is_new = False
    if result.outcome == "ok" and result.body is not None:
        extracted = extract_version(
            result.body,
            content_type=result.content_type,
            url=result.final_url or result.requested_url,
            select=config.select_spec,
            remove=config.remove_spec,
            language=config.language,
            fetched_at=result.fetched_at,
        )
        if extracted.text.strip():
            version, is_new = place_version(session, document_id, extracted, result.fetched_at)
            snapshot.version_id = version.id
        else:
            snapshot.outcome, snapshot.error = Empty.kind, "the page gave no text"
    session.add(snapshot)
    session.flush()
    assert snapshot.id is not None
    return Recorded(
        document_id=document_id,
        snapshot_id=snapshot.id,
        outcome=snapshot.outcome,
        error=snapshot.error,
        version_seq=version.seq if version else None,
        new_version=is_new,
    )


def place_version(
    session: Session, document_id: int, extracted: Extracted, seen_at: datetime
) -> tuple[Version, bool]:
    """The current version if the text is unchanged (its `last_seen` moves), else a new version."""
    current = current_version(session, document_id)
    if current is not None and current.text_hash == extracted.text_hash:
        current.last_seen = max(current.last_seen, seen_at)
        session.add(current)
        return current, False
    added, removed = (
        line_counts(current.text, extracted.text) if current else (len(extracted.text.splitlines()), 0)
    )
    primary = extracted.dates.primary
    version = Version(
        document_id=document_id,
        seq=current.seq + 1 if current else 1,
        text=extracted.text,
        text_hash=extracted.text_hash,
        size=len(extracted.text),
        lines_added=added,
        lines_removed=removed,
        language=extracted.language,
        dates=extracted.dates.to_dict(),
        policy_date=primary.iso if primary else None,
        first_seen=seen_at,
        last_seen=seen_at,
    )
    session.add(version)
    session.flush()
    return version, True
