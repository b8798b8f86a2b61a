"""Reads and writes over the tables, each a small function taking a session."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from storage.models import Blob, Change, CrawlRun, Document, Incident, Snapshot, Vendor, Version, utcnow


@dataclass(frozen=True)
class DocumentSpec:
    """What the config says about a document, as storage needs it."""

    vendor_id: str
    vendor_name: str
    type: str
    url: str
    language: str | None


def sync_documents(session: Session, specs: Iterable[DocumentSpec]) -> dict[tuple[str, str], Document]:
    """Create or update vendors and documents to match the config; documents left out become inactive.

    Returns the active documents keyed by (vendor id, document type).
    """
    specs = list(specs)
    vendors = {v.id: v for v in session.exec(select(Vendor))}
    for spec in specs:
        vendor = vendors.setdefault(spec.vendor_id, Vendor(id=spec.vendor_id, name=spec.vendor_name))
        vendor.name = spec.vendor_name
        session.add(vendor)
    session.flush()  # vendors before the documents that refer to them
    documents = {(d.vendor_id, d.type): d for d in session.exec(select(Document))}
    active: dict[tuple[str, str], Document] = {}
    for spec in specs:
        doc = documents.get((spec.vendor_id, spec.type)) or Document(
            vendor_id=spec.vendor_id, type=spec.type, url=spec.url
        )
        doc.url, doc.language, doc.active = spec.url, spec.language, True
        session.add(doc)
        active[(spec.vendor_id, spec.type)] = doc
    for key, doc in documents.items():
        if key not in active and doc.active:
            doc.active = False
            session.add(doc)
    session.flush()
    return active


def get_vendor(session: Session, vendor_id: str) -> Vendor | None:
    """The vendor with this id, or None."""
    return session.get(Vendor, vendor_id)


def vendor_documents(session: Session, vendor_id: str, doc_type: str | None = None) -> list[Document]:
    """A vendor's documents (all, or the one of `doc_type`), active ones first."""
    query = select(Document).where(Document.vendor_id == vendor_id)
    if doc_type is not None:
        query = query.where(Document.type == doc_type)
    return list(session.exec(query.order_by(col(Document.active).desc(), Document.type)))


def store_blob(session: Session, body: bytes) -> str:
    """Store a raw body once (zlib-compressed) and return its SHA-256."""
    digest = hashlib.sha256(body).hexdigest()
    if session.get(Blob, digest) is None:
        session.add(Blob(sha256=digest, size=len(body), data=zlib.compress(body, 6)))
        session.flush()
    return digest


def load_blob(session: Session, digest: str) -> bytes:
    """The raw body stored under `digest`."""
    blob = session.get(Blob, digest)
    if blob is None:
        raise KeyError(digest)
    return zlib.decompress(blob.data)


def current_version(session: Session, document_id: int) -> Version | None:
    """The newest version of a document (its text is loaded only when read)."""
    query = (
        select(Version)
        .options(defer(Version.text))  # type: ignore[arg-type]
        .where(Version.document_id == document_id)
        .order_by(col(Version.seq).desc())
    )
    return session.exec(query.limit(1)).first()


def list_versions(session: Session, document_id: int) -> list[Version]:
    """All versions of a document, oldest first."""
    query = select(Version).where(Version.document_id == document_id).order_by(col(Version.seq))
    return list(session.exec(query))


def version_by_seq(session: Session, document_id: int, seq: int) -> Version | None:
    """Version number `seq` (1 is the first) of a document."""
    query = select(Version).where(Version.document_id == document_id, Version.seq == seq)
    return session.exec(query).first()


def version_at(session: Session, document_id: int, when: datetime) -> Version | None:
    """The version that was current at `when`: the newest one first seen at or before it."""
    query = (
        select(Version)
        .where(Version.document_id == document_id, Version.first_seen <= when)
        .order_by(col(Version.seq).desc())
    )
    return session.exec(query.limit(1)).first()


def recent_versions(session: Session, document_id: int, limit: int) -> list[Version]:
    """Up to `limit` distinct texts of a document other than its current one, newest first.

    Texts are loaded only for the versions kept, when read.
    """
    query = (
        select(Version)
        .options(defer(Version.text))  # type: ignore[arg-type]
        .where(Version.document_id == document_id)
        .order_by(col(Version.seq).desc())
    )
    versions = iter(session.exec(query.limit(limit * 4 + 4)))
    current = next(versions, None)
    seen = {current.text_hash} if current else set()
    out: list[Version] = []
    for version in versions:
        if version.text_hash not in seen and len(out) < limit:
            seen.add(version.text_hash)
            out.append(version)
    return out


def reversion_streak(session: Session, document_id: int, version_id: int, limit: int) -> int:
    """How many of the document's latest readable fetches in a row returned to version `version_id`."""
    query = (
        select(Snapshot.decision, Snapshot.version_id)
        .where(Snapshot.document_id == document_id, col(Snapshot.decision).is_not(None))
        .where(Snapshot.decision != "inaccessible")
        .order_by(col(Snapshot.id).desc())
        .limit(limit)
    )
    streak = 0
    for decision, matched in session.exec(query):
        if decision != "reversion" or matched != version_id:
            break
        streak += 1
    return streak


def changes_by_version(session: Session, document_id: int) -> dict[int, Change]:
    """The Change that introduced each version of a document, by version id."""
    query = select(Change).where(Change.document_id == document_id)
    return {change.version_id: change for change in session.exec(query)}


def open_incident(session: Session, document_id: int) -> Incident | None:
    """The document's unresolved incident, if any."""
    query = select(Incident).where(Incident.document_id == document_id, col(Incident.resolved_at).is_(None))
    return session.exec(query).first()


def latest_snapshot(session: Session, document_id: int) -> Snapshot | None:
    """The most recent fetch of a document, whatever its outcome."""
    query = select(Snapshot).where(Snapshot.document_id == document_id).order_by(col(Snapshot.id).desc())
    return session.exec(query.limit(1)).first()


def version_counts(session: Session, document_ids: Sequence[int]) -> dict[int, int]:
    """How many versions each document has."""
    query = (
        select(Version.document_id, func.count())
        .where(col(Version.document_id).in_(document_ids))
        .group_by(col(Version.document_id))
    )
    return {doc_id: count for doc_id, count in session.exec(query)}


def snapshots_of_run(session: Session, run_id: int) -> list[Snapshot]:
    """The snapshots recorded by one crawl run."""
    query = select(Snapshot).where(Snapshot.crawl_run_id == run_id).order_by(col(Snapshot.id))
    return list(session.exec(query))


def start_run(session: Session, planned: Sequence[int], trigger: str) -> CrawlRun:
    """Record the start of a crawl cycle over the documents `planned`."""
    run = CrawlRun(planned=list(planned), trigger=trigger)
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run: CrawlRun, status: str, error: str | None = None) -> None:
    """Record how a crawl cycle ended."""
    run.finished_at, run.status, run.error = utcnow(), status, error
    session.add(run)
