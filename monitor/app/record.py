"""Recording a fetch: the snapshot always, then what it means for the document.

A page that cannot be read (fetch failure, bot wall, or text that is not the policy) opens or
extends the document's incident. A text that looks broken (a `held` check) is `suspect`: it opens
the incident too, and becomes the new version only when the next fetch gives the same text. A
readable page resolves the incident, and is unchanged, a flip-flop, a reversion that held, or a
new version with a Change (semantic diff, the vendor's ignore rules, classification). This is the
only place that turns fetch results into rows; each call is one transaction, and what it records
is announced as events (:mod:`monitor.app.events`) inside that transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from crawler.results import FetchResult
from monitor.app.events import ChangeRecorded, Events, IncidentOpened, IncidentResolved, VersionRecorded
from monitor.app.extraction import extract_fetch, extract_for, readable
from monitor.config import ChangesConfig, DocumentConfig
from monitor.judge.decide import Decision, Known, decide
from monitor.judge.ignore import NO_RULES, IgnoreRules, drop_ignored
from monitor.judge.inaccessible import Page, first_failure, is_held
from monitor.judge.materiality import classify
from monitor.judge.semdiff import semantic_diff
from monitor.judge.textdiff import line_counts
from monitor.text.dates import PolicyDates, with_history
from monitor.text.pipeline import Extracted
from storage.blobs import load_blob, store_blob, store_delta
from storage.fetches import UNREADABLE, add_snapshot, decision_streak, get_snapshot, source_body
from storage.incidents import add_incident, open_incident
from storage.models import Change, Incident, Snapshot, Version
from storage.versions import add_row, current_version, get_version, recent_versions

INACCESSIBLE, SUSPECT = UNREADABLE  # the decisions of fetches that gave no version


@dataclass(frozen=True)
class Recorded:
    """What recording one fetch did."""

    document_id: int
    snapshot_id: int
    outcome: str
    decision: str
    reason: str | None
    version_seq: int | None
    policy_date: str | None = None
    severity: str | None = None
    rules: tuple[str, ...] = ()
    headline: str | None = None
    incident: str | None = None  # opened | continued | resolved
    change_id: int | None = None
    incident_id: int | None = None

    @property
    def new_version(self) -> bool:
        """Whether the fetch gave the document a new current version."""
        return self.decision in ("first_version", "new_version", "reverted")


def record_fetch(
    session: Session,
    events: Events,
    document_id: int,
    config: DocumentConfig,
    result: FetchResult,
    settings: ChangesConfig,
    crawl_run_id: int | None = None,
    extracted: Extracted | None = None,
    *,
    ignore: IgnoreRules = NO_RULES,
    body_key: str | None = None,
    text_of: int | None = None,
) -> Recorded:
    """Store one fetch result as a snapshot and decide what it means for its document.

    `extracted` is the text of the result's body when it was extracted already (in a worker);
    `ignore` holds the vendor's ignore rules: sentences they cover are left out of the Change.
    `body_key` (:func:`~monitor.app.extraction.body_key`) is kept on the snapshot; `text_of` names
    the version whose text the body is known to give (its key is that of the fetch that gave the
    version): while that version is current, the fetch is unchanged without being extracted.
    """
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
        rendered=result.rendered,
        body_key=body_key,
    )
    current = current_version(session, document_id)
    known = readable(result) and current is not None and current.id == text_of  # needs no extraction
    failure: tuple[str, str] | None = None
    if not readable(result):
        failure, extracted = (result.outcome, result.error or result.outcome), None
    elif not known:
        extracted = extracted or extract_fetch(config, result)
        if current is None or extracted.text_hash != current.text_hash:  # the accepted text needs no checks
            failure = first_failure(
                Page(
                    text=extracted.text,
                    language=extracted.language,
                    established_language=current.language if current else None,
                    established_size=current.size if current else None,
                    min_chars=settings.min_chars,
                    shrink_ratio=settings.shrink_ratio,
                    pdf=extracted.pdf,
                    content_type=result.content_type,
                    unreadable=extracted.unreadable,
                )
            )
    confirmed = None
    if failure is not None and extracted is not None and is_held(failure[0]):
        confirmed = _confirmed_suspect(session, document_id, config, extracted)
    if failure is not None and confirmed is None:
        held = extracted is not None and is_held(failure[0])
        snapshot.outcome, snapshot.reason = failure[0], failure[1]
        snapshot.decision = SUSPECT if held else INACCESSIBLE
        if result.body is not None:
            snapshot.body_sha256 = store_blob(session, result.body)
        add_snapshot(session, snapshot)
        noted = _note_incident(session, events, document_id, snapshot, *failure)
        return _recorded(snapshot, None, None, noted)
    assert result.body is not None
    notes: tuple[str, ...] = ()
    if confirmed is not None:
        notes = (f"held as suspect from {confirmed.opened_at:%Y-%m-%d %H:%M} UTC ({confirmed.reason})",)
        confirmed.reason = f"{confirmed.reason}; the next fetch gave the same text, now the current version"
    resolved = _resolve_incident(session, events, document_id, snapshot)
    incident = ("resolved", resolved) if resolved else None
    if known:
        decision = Decision("unchanged", text_of)
    else:
        assert extracted is not None
        decision = _decide(session, document_id, extracted, current, settings)
    if decision.kind in ("unchanged", "flip_flop"):
        assert decision.match is not None
        _seen_again(session, snapshot, result.body, decision.kind, decision.match)
        return _recorded(snapshot, get_version(session, decision.match), None, incident)
    assert extracted is not None
    snapshot.body_sha256 = store_blob(session, result.body)  # a version's source body is stored whole
    add_snapshot(session, snapshot)
    version, change = _add(session, events, document_id, snapshot, extracted, current, decision, ignore, notes)
    snapshot.decision, snapshot.version_id = decision.kind, version.id
    session.add(snapshot)
    return _recorded(snapshot, version, change, incident)


def _seen_again(session: Session, snapshot: Snapshot, body: bytes, decision: str, version_id: int) -> None:
    """A known text again: the snapshot, its body as a delta against the version's source, and nothing else."""
    source = source_body(session, version_id)
    snapshot.body_sha256 = store_delta(session, body, source) if source else store_blob(session, body)
    snapshot.decision, snapshot.version_id = decision, version_id
    add_snapshot(session, snapshot)


def _decide(
    session: Session, document_id: int, extracted: Extracted, current: Version | None, settings: ChangesConfig
) -> Decision:
    def known(version: Version) -> Known:
        assert version.id is not None
        return Known(version.id, version.text, version.text_hash)

    if current is not None and extracted.text_hash == current.text_hash:
        return Decision("unchanged", current.id)  # the common case, without loading any text
    recent = recent_versions(session, document_id, settings.flipflop_window) if current else []
    limit = settings.flipflop_confirmations
    return decide(
        extracted.text,
        extracted.text_hash,
        known(current) if current else None,
        [known(v) for v in recent],
        lambda version_id: decision_streak(session, document_id, "flip_flop", version_id, limit),
        limit,
    )


def _add(
    session: Session,
    events: Events,
    document_id: int,
    snapshot: Snapshot,
    extracted: Extracted,
    current: Version | None,
    decision: Decision,
    ignore: IgnoreRules,
    notes: tuple[str, ...],
) -> tuple[Version, Change | None]:
    """Add the version (and its Change, with `notes`) a new text calls for."""
    version = add_version(
        session, events, document_id, extracted, current, snapshot, snapshot.fetched_at, reverts_to=decision.match
    )
    if current is None:
        return version, None
    kind, base = ("reversion", current) if decision.match else ("new_version", _base(session, current, decision))
    if base is not current:
        notes = (*notes, f"compared with version #{base.seq}, the closest recent text (the page serves variants)")
    change = add_change(session, events, base, version, snapshot, kind, ignore=ignore, notes=notes)
    return version, change


def _base(session: Session, current: Version, decision: Decision) -> Version:
    """The version a new version's change is told against: the current one, or the decision's closer one."""
    closer = get_version(session, decision.base) if decision.base is not None else None
    return closer or current


def add_version(
    session: Session,
    events: Events,
    document_id: int,
    extracted: Extracted,
    current: Version | None,
    snapshot: Snapshot | None,
    seen_at: datetime,
    *,
    reverts_to: int | None = None,
    kind: str = "content",
) -> Version:
    """A new current version of the document, numbered after `current` (whose dates settle ambiguous ones)."""
    added, removed = line_counts(current.text, extracted.text) if current else (len(extracted.text.splitlines()), 0)
    dates = with_history(extracted.dates, PolicyDates.from_dict(current.dates)) if current else extracted.dates
    primary = dates.primary
    version = Version(
        document_id=document_id,
        seq=current.seq + 1 if current else 1,
        text=extracted.text,
        text_hash=extracted.text_hash,
        size=len(extracted.text),
        lines_added=added,
        lines_removed=removed,
        language=extracted.language,
        dates=dates.to_dict(),
        policy_date=primary.iso if primary else None,
        first_seen=seen_at,
        kind=kind,
        reverts_to_id=reverts_to,
    )
    add_row(session, version)
    events.emit(session, VersionRecorded(version, snapshot))
    return version


def add_change(
    session: Session,
    events: Events,
    old: Version,
    new: Version,
    snapshot: Snapshot | None,
    kind: str,
    *,
    flagged: bool = False,
    ignore: IgnoreRules = NO_RULES,
    notes: tuple[str, ...] = (),
) -> Change:
    """The Change from `old` to `new`: its semantic diff, less what `ignore` covers, and its classification."""
    diff, ignored = drop_ignored(semantic_diff(old.text, new.text), ignore)
    classification = classify(
        diff, old_dates=PolicyDates.from_dict(old.dates), new_dates=PolicyDates.from_dict(new.dates)
    )
    headline = classification.headline
    notes = [*notes, *classification.notes]
    if ignored:
        notes.append(f"{ignored} changed sentence{'s' if ignored != 1 else ''} left out by the vendor's ignore rules")
    if kind == "reversion":
        headline = f"reverted to the version of {_returned_date(session, new)}"
        notes.insert(0, f"{headline} after holding for several fetches")
    assert new.id is not None and new.document_id is not None
    change = Change(
        document_id=new.document_id,
        version_id=new.id,
        previous_version_id=old.id,
        snapshot_id=snapshot.id if snapshot else None,
        detected_at=snapshot.fetched_at if snapshot else new.first_seen,
        kind=kind,
        severity=_severity(kind, classification.severity, flagged),
        rules=list(classification.rules),
        headline=headline,
        notes=notes,
        classification=classification.to_dict(),
        diff=diff.to_dict(),
        flagged=flagged,
    )
    add_row(session, change)
    events.emit(session, ChangeRecorded(change))
    return change


def _severity(kind: str, classified: str, flagged: bool) -> str:
    """Technical changes are never alerted, unless flagged for review."""
    if kind != "technical":
        return classified
    return "REVIEW" if flagged else "NOISE"


def _returned_date(session: Session, version: Version) -> str:
    """When the text a reversion returns to was first seen (its day, UTC)."""
    earlier = get_version(session, version.reverts_to_id) if version.reverts_to_id else None
    return (earlier or version).first_seen.date().isoformat()


def _confirmed_suspect(
    session: Session, document_id: int, config: DocumentConfig, extracted: Extracted
) -> Incident | None:
    """The open suspect incident when the text it holds is `extracted`'s (the next fetch confirms it)."""
    incident = open_incident(session, document_id)
    held = get_snapshot(session, incident.last_snapshot_id) if incident else None
    if held is None or held.decision != SUSPECT or held.body_sha256 is None:
        return None
    body = load_blob(session, held.body_sha256)
    url = held.final_url or held.requested_url
    before = extract_for(config, body, content_type=held.content_type, url=url, fetched_at=held.fetched_at)
    return incident if before.text_hash == extracted.text_hash else None


def _note_incident(
    session: Session, events: Events, document_id: int, snapshot: Snapshot, kind: str, reason: str
) -> tuple[str, Incident]:
    assert snapshot.id is not None
    incident = open_incident(session, document_id)
    if incident is None:
        incident = add_incident(
            session,
            Incident(
                document_id=document_id,
                kind=kind,
                reason=reason,
                opened_at=snapshot.fetched_at,
                first_snapshot_id=snapshot.id,
                last_snapshot_id=snapshot.id,
            ),
        )
        events.emit(session, IncidentOpened(incident))
        return "opened", incident
    incident.last_snapshot_id, incident.fetches = snapshot.id, incident.fetches + 1
    session.add(incident)
    return "continued", incident


def _resolve_incident(session: Session, events: Events, document_id: int, snapshot: Snapshot) -> Incident | None:
    incident = open_incident(session, document_id)
    if incident is None:
        return None
    incident.resolved_at = snapshot.fetched_at
    session.add(incident)
    events.emit(session, IncidentResolved(incident))
    return incident


def _recorded(
    snapshot: Snapshot, version: Version | None, change: Change | None, incident: tuple[str, Incident] | None
) -> Recorded:
    assert snapshot.id is not None
    return Recorded(
        document_id=snapshot.document_id,
        snapshot_id=snapshot.id,
        outcome=snapshot.outcome,
        decision=snapshot.decision or INACCESSIBLE,
        reason=snapshot.reason,
        version_seq=version.seq if version else None,
        policy_date=version.policy_date if version else None,
        severity=change.severity if change else None,
        rules=tuple(change.rules) if change else (),
        headline=change.headline if change else None,
        incident=incident[0] if incident else None,
        change_id=change.id if change else None,
        incident_id=incident[1].id if incident else None,
    )
