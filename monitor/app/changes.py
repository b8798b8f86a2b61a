"""The change page's read model: one pair of versions with the e-mail's facts, the sentences and the rules.

The facts, changed sentences (word diffs) and evidence are those of the alert
(:func:`monitor.alerts.messages.change_message`); the decision is :func:`monitor.app.explanations.explanation_of`'s.
A pair that no recorded change joins (any two versions) is diffed and classified now. The raw
snapshot of a version is handed out as text, for a face to show escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from monitor.alerts.messages import About, Sentence, change_message
from monitor.app.context import App
from monitor.app.errors import NotFound
from monitor.app.explanations import Explanation, compare_versions, explanation_of
from monitor.app.reads import VersionRef, find_document, find_version
from monitor.app.reviews import ReviewRow, change_reviews
from monitor.judge.materiality import Classification
from monitor.judge.semdiff import SemanticDiff
from storage.blobs import load_blob
from storage.documents import get_vendor
from storage.fetches import first_snapshot_of
from storage.models import Change, Version
from storage.versions import change_and_document, change_of_version, current_version, last_seen, version_seqs


@dataclass(frozen=True)
class Moved:
    """A sentence that moved, unchanged, to another place (shown marked, not as a change)."""

    section: str
    text: str


@dataclass(frozen=True)
class ChangeView:
    """Two versions of a document compared: the recorded change (`change_id`) or a comparison made now."""

    change_id: int | None
    vendor_id: str
    vendor_name: str
    document_type: str
    url: str
    old: VersionRef
    new: VersionRef
    subject: str
    facts: tuple[tuple[str, str], ...]
    sentences: tuple[Sentence, ...]
    moved: tuple[Moved, ...]
    notes: tuple[str, ...]
    explanation: Explanation
    reviews: tuple[ReviewRow, ...]


@dataclass(frozen=True)
class RawSource:
    """The body of the fetch that first gave a version, as text (never to be run as markup)."""

    vendor_id: str
    document_type: str
    seq: int
    fetched_at: datetime
    url: str
    content_type: str | None
    body: str


def change_view(
    app: App, vendor_id: str, a: int | None = None, b: int | None = None, doc_type: str | None = None
) -> ChangeView:
    """Versions `a` and `b` of a document compared (by default the latest and the one before it)."""
    with Session(app.engine) as session:
        document = find_document(app, session, vendor_id, doc_type)
        assert document.id is not None
        if b is None:
            latest = current_version(session, document.id)
            b = latest.seq if latest else 1
        if (a if a is not None else b - 1) < 1:
            raise NotFound(f"{vendor_id} {document.type} version {b} is its first: nothing to compare")
        _, new = find_version(app, session, vendor_id, document.type, b)
        _, old = find_version(app, session, vendor_id, document.type, a if a is not None else b - 1)
        assert new.id is not None and old.id is not None
        change = change_of_version(session, new.id)
        recorded = change is not None and change.previous_version_id == old.id
        compared = None if recorded else compare_versions(old, new)
        if compared is not None:
            change = _compared_now(old, new, *compared)
        assert change is not None
        vendor = get_vendor(session, document.vendor_id)
        about = About(document.vendor_id, vendor.name if vendor else document.vendor_id, document.type)
        message = change_message(about, change, old, new)
        seen = last_seen(session, [old, new])
        refs = [VersionRef(v.seq, v.first_seen, seen[v.id or -1], v.policy_date) for v in (old, new)]
        moved = tuple(
            Moved(" > ".join(u.section) or "(top)", u.new or "")
            for u in SemanticDiff.from_dict(change.diff).units
            if u.kind == "moved"
        )
        change_id = change.id if recorded else None
        url = document.url
        explanation = explanation_of(session, document, old, new, compared[1] if compared else None)
    return ChangeView(
        change_id,
        about.vendor_id,
        about.vendor_name,
        about.document_type,
        url,
        refs[0],
        refs[1],
        message.subject,
        message.facts,
        message.sentences,
        moved,
        message.notes,
        explanation,
        tuple(change_reviews(app, change_id)) if change_id is not None else (),
    )


def recorded_change(app: App, change_id: int) -> ChangeView:
    """The change page of the recorded change `change_id` (its versions compared)."""
    with Session(app.engine) as session:
        found = change_and_document(session, change_id)
        if found is None:
            raise NotFound(f"no change {change_id}")
        change, document = found
        seqs = version_seqs(session, [change.previous_version_id, change.version_id])
    if change.previous_version_id is None:
        raise NotFound(f"change {change_id} has no earlier version to compare with")
    new = seqs[change.version_id]
    return change_view(app, document.vendor_id, seqs[change.previous_version_id], new, document.type)


def raw_source(app: App, vendor_id: str, seq: int, doc_type: str | None = None) -> RawSource:
    """The raw body (decoded as UTF-8, bad bytes replaced) of the fetch that first gave version `seq`."""
    with Session(app.engine) as session:
        document, version = find_version(app, session, vendor_id, doc_type, seq)
        assert version.id is not None
        snapshot = first_snapshot_of(session, version.id)
        if snapshot is None or snapshot.body_sha256 is None:
            raise NotFound(f"{vendor_id} {document.type} version {seq}: its raw body is no longer kept")
        body = load_blob(session, snapshot.body_sha256).decode("utf-8", errors="replace")
        url = snapshot.final_url or snapshot.requested_url
        return RawSource(document.vendor_id, document.type, seq, snapshot.fetched_at, url, snapshot.content_type, body)


def _compared_now(old: Version, new: Version, diff: SemanticDiff, classification: Classification) -> Change:
    """An unsaved change between two versions no recorded change joins, as `compare_versions` classified it."""
    return Change(
        document_id=new.document_id,
        version_id=new.id or 0,
        previous_version_id=old.id,
        detected_at=new.first_seen,
        kind="compared now",
        severity=classification.severity,
        rules=list(classification.rules),
        headline=classification.headline,
        notes=list(classification.notes),
        classification=classification.to_dict(),
        diff=diff.to_dict(),
    )
