"""Versions (the distinct texts of a document) and the Changes between them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, case, exists, false, func
from sqlalchemy.orm import aliased, defer
from sqlmodel import Session, col, select

from storage.models import Change, Document, Snapshot, Version

_WITHOUT_TEXT = defer(Version.text)  # type: ignore[arg-type]
_WITHOUT_DIFF = (defer(Change.diff), defer(Change.classification), defer(Change.notes))  # type: ignore[arg-type]


def add_row(session: Session, row: Version | Change) -> None:
    """Store a new version or change (its id is set)."""
    session.add(row)
    session.flush()


def get_version(session: Session, version_id: int) -> Version | None:
    """The version with this id, or None."""
    return session.get(Version, version_id)


def get_change(session: Session, change_id: int) -> Change | None:
    """The change with this id, or None."""
    return session.get(Change, change_id)


def current_version(session: Session, document_id: int) -> Version | None:
    """The newest version of a document (its text is loaded only when read)."""
    query = (
        select(Version)
        .options(_WITHOUT_TEXT)
        .where(Version.document_id == document_id)
        .order_by(col(Version.seq).desc())
    )
    return session.exec(query.limit(1)).first()


def current_versions(session: Session) -> dict[int, Row[tuple[int, int, str | None]]]:
    """The number and policy date of every document's newest version, by document id (one query).

    Each row has `document_id`, `seq` and `policy_date`, read off the `ix_version_current` index alone
    (in SQLite a column stored after the text is reached only through the text's overflow pages).
    """
    later = aliased(Version)
    newer = exists().where(later.document_id == Version.document_id, later.seq > Version.seq)  # type: ignore[arg-type]
    query = select(Version.document_id, Version.seq, Version.policy_date).where(~newer)
    return {row.document_id: row for row in session.exec(query)}


def version_seqs(session: Session, version_ids: Sequence[int | None]) -> dict[int | None, int]:
    """The number (seq) of each of these versions, by version id (one query)."""
    ids = {i for i in version_ids if i is not None}
    if not ids:
        return {}
    return {i: seq for i, seq in session.exec(select(Version.id, Version.seq).where(col(Version.id).in_(ids)))}


def list_versions(session: Session, document_id: int, *, with_text: bool = True) -> list[Version]:
    """All versions of a document, oldest first (without `with_text`, texts load only when read)."""
    query = select(Version).where(Version.document_id == document_id).order_by(col(Version.seq))
    return list(session.exec(query if with_text else query.options(_WITHOUT_TEXT)))


def last_seen(session: Session, versions: Sequence[Version]) -> dict[int, datetime]:
    """When each version was last seen, by id: its newest snapshot, else when it was first seen."""
    ids = [v.id for v in versions if v.id is not None]
    query = (
        select(Snapshot.version_id, func.max(Snapshot.fetched_at))
        .where(col(Snapshot.version_id).in_(ids))
        .group_by(col(Snapshot.version_id))
    )
    newest = {version_id: seen for version_id, seen in session.exec(query)}
    return {v.id: max(newest.get(v.id, v.first_seen), v.first_seen) for v in versions if v.id is not None}


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
        .options(_WITHOUT_TEXT)
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


def version_counts(session: Session, document_ids: Sequence[int]) -> dict[int, int]:
    """How many versions each document has."""
    query = (
        select(Version.document_id, func.count())
        .where(col(Version.document_id).in_(document_ids))
        .group_by(col(Version.document_id))
    )
    return {doc_id: count for doc_id, count in session.exec(query)}


def changes_by_version(session: Session, document_id: int) -> dict[int, Change]:
    """The Change that introduced each version of a document, by version id."""
    query = select(Change).where(Change.document_id == document_id)
    return {change.version_id: change for change in session.exec(query)}


#: What a summary of a change shows (no diff, classification or notes): rows of these read like Changes.
#: Only re-extractions are ever flagged, and `flagged` is stored after the diff: a row is read past its
#: diff for a technical change alone.
SUMMARY_COLUMNS = (
    Change.id,
    Change.document_id,
    Change.version_id,
    Change.previous_version_id,
    Change.detected_at,
    Change.kind,
    Change.severity,
    Change.rules,
    Change.headline,
    case((col(Change.kind) == "technical", col(Change.flagged)), else_=false()).label("flagged"),
)


def latest_changes(session: Session, kinds: Sequence[str]) -> dict[int, Row[Any]]:
    """The newest change of these kinds of every document that has one, by document id (one query).

    Each row has the :data:`SUMMARY_COLUMNS` of the change, and the `new_seq` and `old_seq` of its versions.
    """
    new, old = aliased(Version), aliased(Version)
    newest = select(func.max(Change.id)).where(col(Change.kind).in_(kinds)).group_by(col(Change.document_id))
    query = (
        select(*SUMMARY_COLUMNS, new.seq.label("new_seq"), old.seq.label("old_seq"))  # type: ignore[attr-defined]
        .join(new, new.id == Change.version_id)  # type: ignore[arg-type]
        .outerjoin(old, old.id == Change.previous_version_id)  # type: ignore[arg-type]
        .where(col(Change.id).in_(newest))
    )
    return {row.document_id: row for row in session.exec(query)}


def change_of_version(session: Session, version_id: int) -> Change | None:
    """The change that introduced a version, or None (the first version)."""
    return session.exec(select(Change).where(Change.version_id == version_id).limit(1)).first()


def change_and_document(session: Session, change_id: int) -> tuple[Change, Document] | None:
    """The change with this id and its document, or None."""
    query = select(Change, Document).where(Change.id == change_id, Change.document_id == Document.id)
    row = session.exec(query).first()
    return (row[0], row[1]) if row else None


def recent_changes(
    session: Session,
    limit: int,
    vendor_id: str | None = None,
    severities: Sequence[str] = (),
    *,
    doc_type: str | None = None,
    kinds: Sequence[str] = (),
) -> list[tuple[Change, Document]]:
    """The newest changes (of a vendor or one of its documents, of some severities and kinds), newest first.

    The changes' diffs and classifications load only when read.
    """
    query = select(Change, Document).options(*_WITHOUT_DIFF).where(Change.document_id == Document.id)
    if vendor_id is not None:
        query = query.where(Document.vendor_id == vendor_id)
    if doc_type is not None:
        query = query.where(Document.type == doc_type)
    if kinds:
        query = query.where(col(Change.kind).in_(kinds))
    if severities:
        query = query.where(col(Change.severity).in_(severities))
    query = query.order_by(col(Change.detected_at).desc(), col(Change.id).desc()).limit(limit)
    return [(change, document) for change, document in session.exec(query)]
