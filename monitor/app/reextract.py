"""Technical upgrades: re-running extraction over stored snapshots after a code or config change.

The newest readable snapshot is extracted again; if its text differs from the current version,
a `technical` version is added and never alerted. If the snapshot that first gave the current
version now extracts differently from the newest one, the content changed at the source without
being noticed at the time: the change is flagged for review instead of silently absorbed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from monitor.app.record import add_change, add_version
from monitor.config import DocumentConfig
from monitor.text.pipeline import Extracted, extract_for
from storage.models import Change, Snapshot
from storage.queries import current_version, load_blob

READABLE = ("first_version", "unchanged", "new_version", "reverted", "reversion")


@dataclass(frozen=True)
class Reextracted:
    """What re-extraction did to one document."""

    result: str  # up_to_date | technical | flagged | no_snapshot
    version_seq: int | None
    detail: str
    change: Change | None = None


def reextract_document(session: Session, document_id: int, config: DocumentConfig) -> Reextracted:
    """Re-extract a document's newest readable snapshot and record a technical version if its text moved."""
    latest = _latest_readable(session, document_id)
    current = current_version(session, document_id)
    if latest is None or current is None:
        return Reextracted("no_snapshot", None, "no readable snapshot stored yet")
    extracted = _extract(session, latest, config)
    if extracted.text_hash == current.text_hash:
        return Reextracted("up_to_date", current.seq, "the stored text is what extraction gives today")
    origin = _origin(session, current.id)
    flagged = (
        origin is not None
        and origin.id != latest.id
        and _extract(session, origin, config).text_hash != (extracted.text_hash)
    )
    version = add_version(session, document_id, extracted, current, latest.fetched_at, kind="technical")
    change = add_change(session, current, version, latest, "technical", flagged=flagged)
    latest.version_id = version.id
    session.add(latest)
    if flagged:
        detail = "the text changed at the source without being noticed at the time: flagged for review"
        return Reextracted("flagged", version.seq, detail, change)
    return Reextracted("technical", version.seq, "extraction changed, the policy did not: not alerted", change)


def _latest_readable(session: Session, document_id: int) -> Snapshot | None:
    query = select(Snapshot).where(
        Snapshot.document_id == document_id,
        col(Snapshot.decision).in_(READABLE),
        col(Snapshot.body_sha256).is_not(None),
    )
    return session.exec(query.order_by(col(Snapshot.id).desc()).limit(1)).first()


def _origin(session: Session, version_id: int | None) -> Snapshot | None:
    """The first snapshot that gave a version."""
    query = select(Snapshot).where(Snapshot.version_id == version_id).order_by(col(Snapshot.id)).limit(1)
    return session.exec(query).first()


def _extract(session: Session, snapshot: Snapshot, config: DocumentConfig) -> Extracted:
    assert snapshot.body_sha256 is not None
    return extract_for(
        config,
        load_blob(session, snapshot.body_sha256),
        content_type=snapshot.content_type,
        url=snapshot.final_url or snapshot.requested_url,
        fetched_at=snapshot.fetched_at,
    )
