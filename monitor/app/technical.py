"""Technical upgrades: re-running extraction over stored snapshots after a code or config change.

The newest readable snapshot is extracted again; if its text differs from the current version,
a `technical` version is added and never alerted. If the snapshot that first gave the current
version now extracts differently from the newest one, the content changed at the source without
being noticed at the time: the change is flagged for review (and reaches the REVIEW digest through
the recording events) instead of silently absorbed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from monitor.app.context import App
from monitor.app.cycle import PlannedDocument, plan
from monitor.app.events import Events
from monitor.app.extraction import extract_for
from monitor.app.record import add_change, add_version
from monitor.config import DocumentConfig
from monitor.text.pipeline import Extracted
from storage.blobs import load_blob, make_whole
from storage.db import session_scope
from storage.fetches import first_snapshot_of, latest_snapshot_with_body
from storage.models import Snapshot
from storage.versions import current_version

READABLE = ("first_version", "unchanged", "new_version", "reverted", "flip_flop")


@dataclass(frozen=True)
class Reextracted:
    """What re-extraction did to one document."""

    vendor_id: str
    document_type: str
    result: str  # up_to_date | technical | flagged | no_snapshot
    version_seq: int | None
    detail: str


def reextract(app: App, vendor_ids: Sequence[str] | None = None) -> list[Reextracted]:
    """Re-extract the newest readable snapshot of every document of the given vendors (all by default)."""
    done = []
    for target in plan(app, vendor_ids):
        with session_scope(app.engine) as session:
            done.append(reextract_document(session, app.events, target))
    return done


def reextract_document(session: Session, events: Events, target: PlannedDocument) -> Reextracted:
    """Re-extract a document's newest readable snapshot, recording a technical version if its text moved."""
    document_id, config = target.document_id, target.config

    def said(result: str, seq: int | None, detail: str) -> Reextracted:
        return Reextracted(target.vendor_id, config.type, result, seq, detail)

    latest = latest_snapshot_with_body(session, document_id, READABLE)
    current = current_version(session, document_id)
    if latest is None or current is None or current.id is None:
        return said("no_snapshot", None, "no readable snapshot stored yet")
    extracted = _extract(session, latest, config)
    if extracted.text_hash == current.text_hash:
        return said("up_to_date", current.seq, "the stored text is what extraction gives today")
    origin = first_snapshot_of(session, current.id)
    flagged = (
        origin is not None
        and origin.id != latest.id
        and _extract(session, origin, config).text_hash != extracted.text_hash
    )
    version = add_version(session, events, document_id, extracted, current, latest, latest.fetched_at, kind="technical")
    add_change(session, events, current, version, latest, "technical", flagged=flagged, ignore=target.ignore)
    latest.version_id = version.id
    session.add(latest)
    assert latest.body_sha256 is not None
    make_whole(session, latest.body_sha256)  # now the technical version's source
    if flagged:
        return said("flagged", version.seq, "the text changed at the source without being noticed at the time: flagged")
    return said("technical", version.seq, "extraction changed, the policy did not: not alerted")


def _extract(session: Session, snapshot: Snapshot, config: DocumentConfig) -> Extracted:
    assert snapshot.body_sha256 is not None
    return extract_for(
        config,
        load_blob(session, snapshot.body_sha256),
        content_type=snapshot.content_type,
        url=snapshot.final_url or snapshot.requested_url,
        fetched_at=snapshot.fetched_at,
    )
