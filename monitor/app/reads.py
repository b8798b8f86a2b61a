"""Read models: what the faces show, as plain dataclasses (no database row leaves for a face).

Every function takes the :class:`~monitor.app.context.App` and reads; none writes. An unknown vendor,
document or version raises :class:`~monitor.app.context.NotFound` with a one-line message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlmodel import Session

from monitor.app.context import App, command_hint, unknown_vendor
from monitor.app.errors import NotFound
from monitor.config import did_you_mean
from storage.documents import all_documents, get_vendor, vendor_documents
from storage.fetches import latest_snapshot
from storage.labels import labels_of
from storage.models import Change, Document, Label, Outbox, Version
from storage.outbox import latest_alerts
from storage.versions import (
    changes_by_version,
    current_version,
    last_seen,
    list_versions,
    version_at,
    version_by_seq,
    version_counts,
    version_seqs,
)
from storage.versions import recent_changes as stored_changes

SEVERITIES = ("MATERIAL", "REVIEW", "NOISE")
ALERT_STATUSES = ("queued", "sent", "failed", "dismissed", "digested")


@dataclass(frozen=True)
class WatchedDocument:
    """A document of the config, and how its last fetch went."""

    vendor_id: str
    vendor_name: str
    document_type: str
    url: str
    last_fetch: datetime | None
    outcome: str | None
    error: str | None
    decision: str | None  # of the last fetch: first_version, unchanged, new_version, flip_flop, inaccessible ...
    versions: int
    current_seq: int | None
    policy_date: str | None


@dataclass(frozen=True)
class ChangeSummary:
    """A change of a document: its kind, severity, rules and headline, and the versions it joins."""

    id: int
    vendor_id: str
    document_type: str
    detected_at: datetime
    kind: str  # new_version | reversion | technical
    severity: str
    rules: tuple[str, ...]
    headline: str
    flagged: bool
    old_seq: int | None
    new_seq: int


@dataclass(frozen=True)
class VersionSummary:
    """One version in a document's history, with the change that made it (None for the first)."""

    seq: int
    first_seen: datetime
    last_seen: datetime
    policy_date: str | None
    size: int
    lines_added: int
    lines_removed: int
    kind: str
    change: ChangeSummary | None
    verdict: str | None = None  # a person's, when one labelled the version (`monitor label`)
    verdict_by: str | None = None


@dataclass(frozen=True)
class DocumentHistory:
    """The versions of one document, oldest first."""

    vendor_id: str
    document_type: str
    url: str
    versions: tuple[VersionSummary, ...]


@dataclass(frozen=True)
class VersionText:
    """One version's text and dates."""

    vendor_id: str
    document_type: str
    seq: int
    first_seen: datetime
    last_seen: datetime
    policy_date: str | None
    text: str


@dataclass(frozen=True)
class VersionPair:
    """Two versions to compare; `old` is None when the document has only `new`."""

    old: VersionText | None
    new: VersionText


@dataclass(frozen=True)
class VersionRef:
    """A version named in a diff: its number, when it was first and last seen, its policy date."""

    seq: int
    first_seen: datetime
    last_seen: datetime
    policy_date: str | None


@dataclass(frozen=True)
class DiffHunk:
    """A run of changed lines: `removed`, `added`, or `changed` (the old lines replaced by the new ones)."""

    kind: str
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class VersionDiff:
    """What changed between two versions of a document, line by line (equal lines left out)."""

    vendor_id: str
    document_type: str
    old: VersionRef | None
    new: VersionRef
    hunks: tuple[DiffHunk, ...]


@dataclass(frozen=True)
class AlertRow:
    """One alert in the outbox."""

    id: int
    created_at: datetime
    channel: str
    kind: str
    about: str
    status: str
    digest_id: int | None
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None


def watched_documents(app: App) -> list[WatchedDocument]:
    """Every document of the config with its last fetch, outcome, version count and latest policy date."""
    with Session(app.engine) as session:
        stored = {(d.vendor_id, d.type): d for d in all_documents(session)}
        counts = version_counts(session, [d.id for d in stored.values() if d.id is not None])
        rows = []
        for vendor in app.config.vendors:
            for doc in vendor.documents:
                row = stored.get((vendor.id, doc.type))
                snapshot = latest_snapshot(session, row.id) if row and row.id else None
                current = current_version(session, row.id) if row and row.id else None  # its text is not loaded
                rows.append(
                    WatchedDocument(
                        vendor_id=vendor.id,
                        vendor_name=vendor.name,
                        document_type=doc.type,
                        url=doc.url,
                        last_fetch=snapshot.fetched_at if snapshot else None,
                        outcome=snapshot.outcome if snapshot else None,
                        error=(snapshot.reason or snapshot.error) if snapshot else None,
                        decision=snapshot.decision if snapshot else None,
                        versions=counts.get(row.id, 0) if row and row.id else 0,
                        current_seq=current.seq if current else None,
                        policy_date=current.policy_date if current else None,
                    )
                )
    return rows


def history(app: App, vendor_id: str, doc_type: str | None = None) -> list[DocumentHistory]:
    """The versions of a vendor's documents (or of its document of `doc_type`), oldest first."""
    with Session(app.engine) as session:
        documents = (
            [find_document(app, session, vendor_id, doc_type)] if doc_type else vendor_documents(session, vendor_id)
        )
        if not documents:
            find_document(app, session, vendor_id, None)  # says why
        out = []
        for document in documents:
            assert document.id is not None
            changes = changes_by_version(session, document.id)
            verdicts = labels_of(session, document.id)
            versions = list_versions(session, document.id, with_text=False)
            seqs = {v.id: v.seq for v in versions}
            seen = last_seen(session, versions)
            out.append(
                DocumentHistory(
                    document.vendor_id,
                    document.type,
                    document.url,
                    tuple(
                        _version_summary(v, seen, changes.get(v.id or -1), verdicts.get(v.id or -1), document, seqs)
                        for v in versions
                    ),
                )
            )
    return out


def version_text(
    app: App, vendor_id: str, doc_type: str | None = None, *, at: datetime | None = None, seq: int | None = None
) -> VersionText:
    """A version of a document: number `seq`, the one current at `at`, or the latest."""
    with Session(app.engine) as session:
        document = find_document(app, session, vendor_id, doc_type)
        assert document.id is not None
        if seq is not None:
            return _text(session, document, _version(session, document, seq))
        if at is not None:
            found = version_at(session, document.id, at)
            if found is None:
                raise NotFound(f"{vendor_id} {document.type} had no version yet at {at:%Y-%m-%d %H:%M} UTC")
            return _text(session, document, found)
        latest = current_version(session, document.id)
        if latest is None:
            raise NotFound(f"{vendor_id} {document.type} has no version yet")
        return _text(session, document, latest)


def version_pair(
    app: App, vendor_id: str, a: int | None = None, b: int | None = None, doc_type: str | None = None
) -> VersionPair:
    """Versions `a` and `b` of a document: by default the latest and the one before it."""
    with Session(app.engine) as session:
        document = find_document(app, session, vendor_id, doc_type)
        assert document.id is not None
        if b is None:
            latest = current_version(session, document.id)
            if latest is None:
                raise NotFound(f"{vendor_id} {document.type} has no version yet")
            b = latest.seq
        new = _text(session, document, _version(session, document, b))
        old_seq = a if a is not None else new.seq - 1
        old = _text(session, document, _version(session, document, old_seq)) if old_seq >= 1 else None
    return VersionPair(old, new)


def version_diff(
    app: App, vendor_id: str, a: int | None = None, b: int | None = None, doc_type: str | None = None
) -> VersionDiff:
    """The changed lines between versions `a` and `b` of a document (by default the latest and the one before)."""
    from monitor.judge.textdiff import line_hunks

    pair = version_pair(app, vendor_id, a, b, doc_type)
    old, new = pair.old, pair.new
    hunks = line_hunks(old.text, new.text) if old else []
    return VersionDiff(
        new.vendor_id,
        new.document_type,
        _ref(old) if old else None,
        _ref(new),
        tuple(DiffHunk(h.kind, tuple(h.old), tuple(h.new)) for h in hunks if h.kind != "equal"),
    )


def _ref(version: VersionText) -> VersionRef:
    return VersionRef(version.seq, version.first_seen, version.last_seen, version.policy_date)


def recent_changes(
    app: App,
    limit: int = 20,
    vendor: str | None = None,
    severity: str | Sequence[str] | None = None,
    *,
    doc_type: str | None = None,
    kinds: Sequence[str] = (),
) -> list[ChangeSummary]:
    """The newest changes, of one vendor (or document), of some severities and kinds when asked, newest first."""
    severities = (severity,) if isinstance(severity, str) else tuple(severity or ())
    with Session(app.engine) as session:
        if vendor is not None and get_vendor(session, vendor) is None:
            raise unknown_vendor(app.config, vendor)
        if vendor is not None and doc_type is not None:
            find_document(app, session, vendor, doc_type)  # says why there is none
        found = stored_changes(session, limit, vendor, severities, doc_type=doc_type, kinds=kinds)
        return change_summaries(session, found)


def change_summaries(session: Session, found: Sequence[tuple[Change, Document]]) -> list[ChangeSummary]:
    """For read models: the summaries of these changes (one query for their version numbers)."""
    seqs = version_seqs(session, [v for change, _ in found for v in (change.version_id, change.previous_version_id)])
    return [_change_summary(change, document, seqs) for change, document in found]


def outbox_rows(app: App, statuses: Sequence[str] = (), limit: int = 50) -> list[AlertRow]:
    """The latest alerts (of the given statuses), newest first, each with what it is about."""
    from monitor.alerts.outbox import describe

    with Session(app.engine) as session:
        return [_alert_row(row, describe(session, row)) for row in latest_alerts(session, statuses, limit)]


def find_version(
    app: App, session: Session, vendor_id: str, doc_type: str | None, seq: int
) -> tuple[Document, Version]:
    """For use cases: the vendor's document (as `--doc` chooses) and its version `seq`, as rows."""
    document = find_document(app, session, vendor_id, doc_type)
    return document, _version(session, document, seq)


def find_document(app: App, session: Session, vendor_id: str, doc_type: str | None) -> Document:
    """For use cases: the vendor's document of `doc_type`; without one, its only one or its privacy policy."""
    configured = app.config.vendor(vendor_id)
    if get_vendor(session, vendor_id) is None:
        if configured is None:
            raise unknown_vendor(app.config, vendor_id)
        raise NotFound(
            f"nothing recorded for vendor {vendor_id!r} yet (run {command_hint(app.config, f'crawl {vendor_id}')})"
        )
    documents = vendor_documents(session, vendor_id, doc_type)
    if not documents:
        types = [d.type for d in vendor_documents(session, vendor_id)]
        if configured is not None and doc_type in {d.type for d in configured.documents}:
            hint = command_hint(app.config, f"crawl {vendor_id}")
            raise NotFound(f"nothing recorded for {vendor_id} {doc_type} yet (run {hint})")
        raise NotFound(
            f"vendor {vendor_id!r} has no document of type {doc_type!r}{did_you_mean(str(doc_type), types)}"
            f" (it has: {', '.join(types)})"
        )
    if len(documents) == 1:
        return documents[0]
    preferred = [d for d in documents if d.type == "privacy_policy"]
    if preferred:
        return preferred[0]
    names = ", ".join(d.type for d in documents)
    raise NotFound(f"vendor {vendor_id!r} has several documents; choose one with --doc ({names})")


def end_of_day(day: str) -> datetime:
    """An ISO date as the last moment of that day, UTC; an ISO date-time as itself (UTC unless it says)."""
    if len(day) == 10:
        return datetime.combine(datetime.fromisoformat(day).date(), time.max, tzinfo=UTC)
    moment = datetime.fromisoformat(day)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _version(session: Session, document: Document, seq: int) -> Version:
    assert document.id is not None
    version = version_by_seq(session, document.id, seq)
    if version is None:
        raise NotFound(f"{document.vendor_id} {document.type} has no version {seq}")
    return version


def _text(session: Session, document: Document, version: Version) -> VersionText:
    assert version.id is not None
    return VersionText(
        document.vendor_id,
        document.type,
        version.seq,
        version.first_seen,
        last_seen(session, [version])[version.id],
        version.policy_date,
        version.text,
    )


def _change_summary(change: Change, document: Document, seqs: dict[int | None, int]) -> ChangeSummary:
    assert change.id is not None
    return ChangeSummary(
        id=change.id,
        vendor_id=document.vendor_id,
        document_type=document.type,
        detected_at=change.detected_at,
        kind=change.kind,
        severity=change.severity,
        rules=tuple(change.rules),
        headline=change.headline,
        flagged=change.flagged,
        old_seq=seqs.get(change.previous_version_id),
        new_seq=seqs[change.version_id],
    )


def _version_summary(
    version: Version,
    seen: dict[int, datetime],
    change: Change | None,
    label: Label | None,
    document: Document,
    seqs: dict[int | None, int],
) -> VersionSummary:
    return VersionSummary(
        seq=version.seq,
        first_seen=version.first_seen,
        last_seen=seen[version.id or -1],
        policy_date=version.policy_date,
        size=version.size,
        lines_added=version.lines_added,
        lines_removed=version.lines_removed,
        kind=version.kind,
        change=_change_summary(change, document, seqs) if change else None,
        verdict=label.verdict if label else None,
        verdict_by=label.author if label else None,
    )


def _alert_row(row: Outbox, about: str) -> AlertRow:
    assert row.id is not None
    return AlertRow(
        id=row.id,
        created_at=row.created_at,
        channel=row.channel,
        kind=row.kind,
        about=about,
        status=row.status,
        digest_id=row.digest_id,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        sent_at=row.sent_at,
    )
