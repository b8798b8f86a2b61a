"""What an alert says, before any format: pure functions from stored rows to a :class:`Message`.

A message is channel-neutral (a subject, a headline, labelled facts, the changed sentences with their
word diffs and the evidence of each rule, and how to see the full diff); ``monitor.alerts.formats`` turns it
into e-mail (HTML and plain text), Slack Block Kit or plain text for any other service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crawler.outcomes import OUTCOMES
from monitor.judge.inaccessible import CHECKS, is_held
from monitor.judge.materiality import RANK, RULES, Classification, Evidence
from monitor.judge.semdiff import SemanticDiff, Unit
from storage.models import Change, Incident, Version

PREFIX = "[policy-monitor]"


@dataclass(frozen=True)
class About:
    """The document an alert is about."""

    vendor_id: str
    vendor_name: str
    document_type: str

    @property
    def title(self) -> str:
        """E.g. ``Quectel Wireless Solutions privacy policy``."""
        return f"{self.vendor_name} {self.document_type.replace('_', ' ')}"


@dataclass(frozen=True)
class Sentence:
    """One changed sentence: its section, its word diff (``(op, text)`` pairs) and why it matters.

    ``evidence`` holds, per rule that fired, its title in plain words and the terms it found.
    """

    kind: str  # added | removed | modified
    section: str
    words: tuple[tuple[int, str], ...]
    evidence: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Message:
    """A channel-neutral alert. ``items`` are the summaries a digest is made of."""

    kind: str  # change | reversion | incident_opened | incident_resolved | digest | operations | test
    subject: str
    title: str
    headline: str
    severity: str | None = None
    facts: tuple[tuple[str, str], ...] = ()
    sentences: tuple[Sentence, ...] = ()
    notes: tuple[str, ...] = ()
    see: tuple[str, ...] = ()  # how to see more: commands and links
    link: str | None = None
    items: tuple[Message, ...] = field(default=())


def change_message(about: About, change: Change, old: Version, new: Version, diff_url: str | None = None) -> Message:
    """The alert for a Change (a new version or a reversion that held)."""
    classification = Classification.from_dict(change.classification)
    diff = SemanticDiff.from_dict(change.diff)
    reverted = change.kind == "reversion"
    label = "REVERTED" if reverted else change.severity
    command = f"monitor diff {about.vendor_id} {old.seq} {new.seq} --doc {about.document_type}"
    link = (
        diff_url.format(vendor=about.vendor_id, document=about.document_type, old=old.seq, new=new.seq)
        if diff_url
        else None
    )
    facts = [
        ("Severity", severity_line(change.severity, change.rules)),
        ("Policy date", dates_line(old.policy_date, new.policy_date)),
        ("Versions", f"{old.seq} (first seen {_day(old.first_seen)}) → {new.seq} (seen {_day(new.first_seen)})"),
        ("Sections", "; ".join(s.label for s in diff.sections()) or "none"),
    ]
    return Message(
        kind="reversion" if reverted else "change",
        subject=f"{PREFIX} {label}: {about.title} - {change.headline}",
        title=about.title,
        headline=change.headline,
        severity=change.severity,
        facts=tuple(facts),
        sentences=tuple(changed_sentences(diff, classification.evidence)),
        notes=tuple(change.notes),
        see=(command,),
        link=link,
    )


def severity_line(severity: str, rules: list[str] | tuple[str, ...]) -> str:
    """``MATERIAL: new sharing with third parties, a privacy promise was removed or weakened``.

    Only the rules of the change's own severity are named; each sentence names all of its rules.
    """
    titles = [RULES[r].title for r in rules if r in RULES and RULES[r].severity == severity]
    return f"{severity}: {', '.join(dict.fromkeys(titles))}" if titles else severity


def dates_line(old: str | None, new: str | None) -> str:
    """``2023-03-03 → 2024-05-20``, or ``2023-03-03 (date not updated)``."""
    if new is None:
        return f"{old} → no date stated" if old else "no date stated"
    if old == new:
        return f"{new} (date not updated)"
    return f"{old or 'no date'} → {new}"


def changed_sentences(diff: SemanticDiff, evidence: tuple[Evidence, ...]) -> list[Sentence]:
    """The changed sentences (moved ones left out), the most severe evidence first, else in text order."""
    found: dict[tuple[str | None, str | None], list[Evidence]] = {}
    for item in evidence:
        found.setdefault((item.old, item.new), []).append(item)
    units = [unit for unit in diff.units if unit.kind != "moved"]

    def weight(pair: tuple[int, Unit]) -> tuple[int, int]:
        rules = found.get((pair[1].old, pair[1].new), [])
        return -max((RANK[RULES[e.rule].severity] for e in rules if e.rule in RULES), default=0), pair[0]

    return [_sentence(unit, found.get((unit.old, unit.new), [])) for _, unit in sorted(enumerate(units), key=weight)]


def _sentence(unit: Unit, evidence: list[Evidence]) -> Sentence:
    reasons = []
    for item in evidence:
        rule = RULES.get(item.rule)
        if rule is not None and rule.severity != "NOISE":
            reasons.append((rule.title, ", ".join(term for term in item.terms if term != unit.kind)))
    return Sentence(unit.kind, " > ".join(unit.section) or "(top)", unit.words, tuple(reasons))


@dataclass(frozen=True)
class _IncidentWords:
    """How an incident's two messages speak: a page that cannot be read, or a text held as suspect."""

    opened: str
    opened_headline: str
    opened_notes: tuple[str, ...]
    resolved: str
    resolved_headline: str
    period: str
    fetches: str
    resolved_note: str


_UNREADABLE = _IncidentWords(
    "CANNOT READ",
    "the page cannot be read, so changes to it cannot be seen",
    ("You will get one more message when the page can be read again.",),
    "READABLE AGAIN",
    "the page can be read again",
    "Unreadable",
    "Failed fetches",
    "Any change made while the page was unreadable is reported on its own.",
)
_HELD = _IncidentWords(
    "SUSPECT",
    "the page's text looks broken: it is held, not reported as a change",
    (
        "If the next fetch gives the same text, it becomes the current version and the change is reported.",
        "You will get one more message when the text is no longer held.",
    ),
    "NO LONGER SUSPECT",
    "the held text was confirmed or went away",
    "Held",
    "Suspect fetches",
    "A confirmed text is reported as a change on its own.",
)


def incident_message(about: About, incident: Incident, url: str) -> Message:
    """The alert when a document can no longer be read (or its text looks broken and is held), or once resolved."""
    words = _HELD if is_held(incident.kind) else _UNREADABLE
    kind = incident.kind.replace("_", " ")
    what = f"{kind}: {incident.reason}"
    if incident.resolved_at is None:
        return Message(
            kind="incident_opened",
            subject=f"{PREFIX} {words.opened}: {about.title} - {kind}",
            title=about.title,
            headline=words.opened_headline,
            facts=(
                ("What happened", what),
                ("Meaning", outcome_meaning(incident.kind)),
                ("Since", _moment(incident.opened_at)),
                ("URL", url),
            ),
            notes=words.opened_notes,
        )
    return Message(
        kind="incident_resolved",
        subject=f"{PREFIX} {words.resolved}: {about.title}",
        title=about.title,
        headline=words.resolved_headline,
        facts=(
            ("What happened", what),
            (words.period, f"{_moment(incident.opened_at)} → {_moment(incident.resolved_at)}"),
            (words.fetches, str(incident.fetches)),
            ("URL", url),
        ),
        notes=(words.resolved_note,),
    )


def operations_message(
    title: str, headline: str, facts: tuple[tuple[str, str], ...], notes: tuple[str, ...] = ()
) -> Message:
    """A message for whoever runs policy-monitor (never a policy alert): ``[policy-monitor] OPERATIONS: ...``."""
    return Message(
        kind="operations",
        subject=f"{PREFIX} OPERATIONS: {title} - {headline}",
        title=title,
        headline=headline,
        facts=facts,
        notes=notes,
    )


def operator_incident_message(about: About, incident: Incident, url: str) -> Message:
    """The operators' message about an incident only they can fix (no browser, a crashed crawler), opened or closed."""
    if incident.resolved_at is None:
        return operations_message(
            f"{about.title} cannot be read",
            incident.kind.replace("_", " "),
            (("What happened", incident.reason), ("Since", _moment(incident.opened_at)), ("URL", url)),
            ("The privacy team is not told: this is about the installation, not the policy.",),
        )
    return operations_message(
        f"{about.title} can be read again",
        f"{incident.kind.replace('_', ' ')} resolved",
        (("Unreadable", f"{_moment(incident.opened_at)} → {_moment(incident.resolved_at)}"), ("URL", url)),
    )


def channel_paused_message(channel: str, failures: int, error: str, probe_every: float) -> Message:
    """The operators' message when a channel is paused after failing `failures` times in a row."""
    return operations_message(
        f"alert channel {channel}",
        f"paused after {failures} failed deliveries in a row",
        (("Channel", channel), ("Last error", error), ("Probed", f"every {probe_every:g} s, with one alert")),
        (f"Fix the channel, then run `monitor alerts retry --channel {channel}`.",),
    )


def channel_resumed_message(channel: str, paused_at: datetime) -> Message:
    """The operators' message when a probe through a paused channel got through."""
    return operations_message(
        f"alert channel {channel}",
        "resumed: a probe got through, its waiting alerts are sent",
        (("Channel", channel), ("Paused since", _moment(paused_at))),
    )


def outcome_meaning(kind: str) -> str:
    """The one-line meaning of a fetch outcome or not-the-policy check."""
    known = OUTCOMES.get(kind) or CHECKS.get(kind)
    return (known.__doc__ or kind).strip().splitlines()[0] if known else kind


def digest_message(items: list[Message]) -> Message:
    """One message for the REVIEW changes a channel collected since its last digest."""
    count = f"{len(items)} change{'s' if len(items) != 1 else ''} to review"
    return Message(
        kind="digest",
        subject=f"{PREFIX} REVIEW digest: {count}",
        title="Changes to review",
        headline=f"{count}: worded differently, not clearly material",
        severity="REVIEW",
        items=tuple(items),
    )


def sample_message(channel: str, now: datetime) -> Message:
    """A sample message that proves a channel works."""
    return Message(
        kind="test",
        subject=f"{PREFIX} test alert for channel {channel}",
        title=f"Test alert for channel {channel}",
        headline="if you can read this, policy-monitor can reach you here",
        facts=(("Channel", channel), ("Sent", _moment(now))),
        sentences=(
            Sentence("modified", "Sharing", ((0, "We "), (-1, "do not sell"), (1, "may share"), (0, " your data."))),
        ),
    )


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def _moment(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
