"""`explain`: why a change was judged as it was, rule by rule, with the words that made each rule fire.

For the person who asks "why did this page me?": the severity and how it follows from the rules
(per sentence, cosmetic evidence wins, then MATERIAL, then REVIEW; the change takes its most severe
sentence), every rule that fired with its evidence, the notes, where the alert went, and any
person's verdict. Consecutive versions are explained from what was recorded at the time; any other
pair is classified now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from monitor.app.context import App
from monitor.app.errors import NotFound
from monitor.app.reads import find_document, find_version
from monitor.judge.materiality import RULES, Classification, classify
from monitor.judge.semdiff import SemanticDiff, semantic_diff
from monitor.text.dates import PolicyDates
from storage.labels import labels_of
from storage.models import Change, Document, Version
from storage.outbox import alerts_for_change
from storage.versions import changes_by_version, current_version

HOW = (
    "Each changed sentence takes the severity of its evidence: cosmetic (NOISE) evidence wins, then MATERIAL, "
    "then REVIEW; a changed sentence no rule explains is R2 (reworded). The change takes the most severe sentence."
)


@dataclass(frozen=True)
class Fired:
    """One piece of evidence: the rule, its severity and title, the sentences and the words that made it fire."""

    rule: str
    severity: str
    title: str
    old: str | None
    new: str | None
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    """The decision on one pair of versions of a document."""

    vendor_id: str
    document_type: str
    old_seq: int
    new_seq: int
    kind: str  # new_version | reversion | technical, or "compared now"
    detected_at: datetime | None
    severity: str
    headline: str
    how: str
    evidence: tuple[Fired, ...]
    notes: tuple[str, ...]
    alerts: tuple[tuple[str, str, str], ...]  # (channel, kind, status)
    verdict: tuple[str, str, str | None] | None  # a person's (verdict, author, note)


def explain(
    app: App, vendor_id: str, a: int | None = None, b: int | None = None, doc_type: str | None = None
) -> Explanation:
    """The decision for the change that made version `b` (the latest by default), or between versions `a` and `b`."""
    with Session(app.engine) as session:
        if b is None:
            document = find_document(app, session, vendor_id, doc_type)
            assert document.id is not None
            latest = current_version(session, document.id)
            if latest is None:
                raise NotFound(f"{vendor_id} {document.type} has no version yet")
            b = latest.seq
        document, new = find_version(app, session, vendor_id, doc_type, b)
        _, old = find_version(app, session, vendor_id, doc_type, a if a is not None else max(1, b - 1))
        return explanation_of(session, document, old, new)


def explanation_of(
    session: Session, document: Document, old: Version, new: Version, compared: Classification | None = None
) -> Explanation:
    """For read models holding the rows: the decision on `old` -> `new` (`compared`: their classification made now)."""
    assert document.id is not None and new.id is not None
    change = changes_by_version(session, document.id).get(new.id)
    label = labels_of(session, document.id).get(new.id)
    verdict = (label.verdict, label.author, label.note) if label else None
    if change is not None and change.previous_version_id == old.id:
        return _recorded(session, document.vendor_id, document.type, old, new, change, verdict)
    classification = compared or compare_versions(old, new)[1]
    return _now(document.vendor_id, document.type, old, new, classification, verdict)


def compare_versions(old: Version, new: Version) -> tuple[SemanticDiff, Classification]:
    """The semantic diff of two versions and its classification, made now (no recorded change joins them)."""
    diff = semantic_diff(old.text, new.text)
    dates = {"old_dates": PolicyDates.from_dict(old.dates), "new_dates": PolicyDates.from_dict(new.dates)}
    return diff, classify(diff, **dates)


def _recorded(
    session: Session,
    vendor_id: str,
    document_type: str,
    old: Version,
    new: Version,
    change: Change,
    verdict: tuple[str, str, str | None] | None,
) -> Explanation:
    assert change.id is not None
    classification = Classification.from_dict(change.classification)
    alerts = tuple((row.channel, row.kind, row.status) for row in alerts_for_change(session, change.id))
    return Explanation(
        vendor_id,
        document_type,
        old.seq,
        new.seq,
        change.kind,
        change.detected_at,
        change.severity,
        change.headline,
        HOW + _technical(change),
        _fired(classification),
        tuple(change.notes),
        alerts,
        verdict,
    )


def _now(
    vendor_id: str,
    document_type: str,
    old: Version,
    new: Version,
    classification: Classification,
    verdict: tuple[str, str, str | None] | None,
) -> Explanation:
    return Explanation(
        vendor_id,
        document_type,
        old.seq,
        new.seq,
        "compared now",
        None,
        classification.severity,
        classification.headline,
        HOW,
        _fired(classification),
        classification.notes,
        (),
        verdict,
    )


def _technical(change: Change) -> str:
    if change.kind != "technical":
        return ""
    return " A re-extraction is never alerted unless it reveals a change missed at the time (then REVIEW)."


def _fired(classification: Classification) -> tuple[Fired, ...]:
    out = []
    for item in classification.evidence:
        rule = RULES.get(item.rule)
        severity, title = (rule.severity, rule.title) if rule else ("?", item.rule)
        out.append(Fired(item.rule, severity, title, item.old, item.new, item.terms))
    return tuple(out)
