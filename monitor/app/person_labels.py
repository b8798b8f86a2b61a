"""People's verdicts: `monitor label` records one next to the machine's, and they can be listed and exported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from monitor.app.context import App
from monitor.app.reads import SEVERITIES, find_version
from storage.db import session_scope
from storage.labels import add_label, all_labels
from storage.models import Label, Version
from storage.versions import changes_by_version, get_version


@dataclass(frozen=True)
class LabelRow:
    """A person's verdict on a version, next to the machine's severity for the change that made it."""

    vendor_id: str
    document_type: str
    version: int
    previous: int | None
    verdict: str
    machine: str | None
    author: str
    note: str | None
    labelled_at: datetime
    first_seen: datetime  # when the version was first fetched: names it across databases and saved pages


def label_version(
    app: App, vendor_id: str, seq: int, verdict: str, author: str, note: str | None = None, doc_type: str | None = None
) -> LabelRow:
    """Record `author`'s verdict (MATERIAL, REVIEW or NOISE) on version `seq` of a vendor's document."""
    verdict = verdict.upper()
    if verdict not in SEVERITIES:
        raise ValueError(f"a verdict is one of {', '.join(SEVERITIES)}, not {verdict!r}")
    with session_scope(app.engine) as session:
        document, version = find_version(app, session, vendor_id, doc_type, seq)
        assert document.id is not None and version.id is not None
        change = changes_by_version(session, document.id).get(version.id)
        label = add_label(
            session,
            Label(
                document_id=document.id,
                version_id=version.id,
                change_id=change.id if change else None,
                verdict=verdict,
                machine=change.severity if change else None,
                author=author,
                note=note,
            ),
        )
        return _row(session, label, document.vendor_id, document.type, version)


def labels(app: App, vendor_id: str | None = None) -> list[LabelRow]:
    """The newest label of every labelled version (of one vendor)."""
    with session_scope(app.engine) as session:
        rows = []
        for label, document in all_labels(session, vendor_id):
            version = get_version(session, label.version_id)
            assert version is not None
            rows.append(_row(session, label, document.vendor_id, document.type, version))
        return rows


def _row(session: Session, label: Label, vendor_id: str, document_type: str, version: Version) -> LabelRow:
    previous = None
    if label.change_id is not None:
        change = changes_by_version(session, label.document_id).get(label.version_id)
        old = get_version(session, change.previous_version_id) if change and change.previous_version_id else None
        previous = old.seq if old else None
    return LabelRow(
        vendor_id,
        document_type,
        version.seq,
        previous,
        label.verdict,
        label.machine,
        label.author,
        label.note,
        label.created_at,
        version.first_seen,
    )
