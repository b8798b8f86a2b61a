"""Recording a fetch: the snapshot always, then what it means for the document.

A page that cannot be read (fetch failure, bot wall, or text that is not the policy) opens or
extends the document's incident. A readable page resolves it, and is unchanged, a flip-flop, a
reversion that held, or a new version with a Change (semantic diff and classification). This is
the only place that turns fetch results into rows; each call is one transaction, and what it
records is announced as events (:mod:`monitor.app.events`) inside that transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from crawler.results import FetchResult
from monitor.app.events import ChangeRecorded, Events, IncidentOpened, IncidentResolved, VersionRecorded
from monitor.app.extraction import extract_fetch, readable
from monitor.config import ChangesConfig, DocumentConfig
from monitor.judge.decide import Decision, Known, decide
from monitor.judge.inaccessible import Page, first_failure
from monitor.judge.materiality import classify
from monitor.judge.semdiff import semantic_diff
from monitor.judge.textdiff import line_counts
from monitor.text.dates import PolicyDates
from monitor.text.pipeline import Extracted
from storage.fetches import add_snapshot, decision_streak, store_blob
from storage.incidents import add_incident, open_incident
from storage.models import Change, Incident, Snapshot, Version
from storage.versions import add_row, current_version, get_version, recent_versions

INACCESSIBLE = "inaccessible"


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
) -> Recorded:
    """Store one fetch result as a snapshot and decide what it means for its document.

    `extracted` is the text of the result's body when it was extracted already (in a worker).
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
    )
    if result.body is not None:
        snapshot.body_sha256 = store_blob(session, result.body)
    current = current_version(session, document_id)
    failure: tuple[str, str] | None = None
    if not readable(result):
        failure, extracted = (result.outcome, result.error or result.outcome), None
    else:
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
                )
            )
    add_snapshot(session, snapshot)
    if failure is not None:
        snapshot.outcome, snapshot.decision, snapshot.reason = failure[0], INACCESSIBLE, failure[1]
        noted = _note_incident(session, events, document_id, snapshot, *failure)
        return _recorded(snapshot, None, None, noted)
    assert extracted is not None
    resolved = _resolve_incident(session, events, document_id, snapshot)
    decision = _decide(session, document_id, extracted, current, settings)
    version, change = _apply(session, events, document_id, snapshot, extracted, current, decision)
    snapshot.decision, snapshot.version_id = decision.kind, version.id
    session.add(snapshot)
    return _recorded(snapshot, version, change, ("resolved", resolved) if resolved else None)


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


def _apply(
    session: Session,
    events: Events,
    document_id: int,
    snapshot: Snapshot,
    extracted: Extracted,
    current: Version | None,
    decision: Decision,
) -> tuple[Version, Change | None]:
    """Move `last_seen`, or add the version (and its Change) the decision calls for."""
    if decision.kind in ("unchanged", "flip_flop"):
        assert decision.match is not None
        seen = get_version(session, decision.match)
        assert seen is not None
        seen.last_seen = max(seen.last_seen, snapshot.fetched_at)
        session.add(seen)
        return seen, None
    version = add_version(
        session, events, document_id, extracted, current, snapshot, snapshot.fetched_at, reverts_to=decision.match
    )
    if current is None:
        return version, None
    change = add_change(session, events, current, version, snapshot, "reversion" if decision.match else "new_version")
    return version, change


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
    """A new current version of the document, numbered after `current`."""
    added, removed = line_counts(current.text, extracted.text) if current else (len(extracted.text.splitlines()), 0)
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
) -> Change:
    """The Change from `old` to `new`: its semantic diff and its classification."""
    diff = semantic_diff(old.text, new.text)
    classification = classify(
        diff, old_dates=PolicyDates.from_dict(old.dates), new_dates=PolicyDates.from_dict(new.dates)
    )
    headline, notes = classification.headline, list(classification.notes)
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
