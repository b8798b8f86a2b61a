"""Classify a semantic diff as MATERIAL, REVIEW or NOISE with explainable rules.

The taxonomy (rule ids M1-M14, R1-R6, N1-N7) is ``docs/materiality.md`` of the shared docs. Each rule
is a small class registered in :data:`RULES` under its id as ``kind``; it looks at one changed sentence
(a :class:`SentenceChange`, with the policy dates and the facets of both sides from
``monitor.judge.clauses``) and returns :class:`Evidence` or None. A noise gate comes first: a sentence
whose canonical form (``monitor.judge.semdiff.canonical``) is unchanged is cosmetic and only noise
rules look at it. Otherwise NOISE evidence still wins (a noise rule only fires when the whole
difference is cosmetic, e.g. a misspelt word fixed), then MATERIAL, then REVIEW; a changed sentence no
rule explains is R2 ("reworded"), never silent noise. The diff's severity is the maximum over its
sentences, except for a text dated before the current one: an older edition or another variant of
the page (N6), never alerted.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any, ClassVar, Literal

from crawler.kinds import Kind, Registry
from monitor.judge import lexicons as lx
from monitor.judge.clauses import Clause, clause, durations, negated_at, prose, stem, word_stems
from monitor.judge.semdiff import SemanticDiff, Unit, canonical, link_targets
from monitor.judge.textdiff import EQUAL, INSERT, word_diff
from monitor.text.dates import DetectedDate, PolicyDates
from monitor.text.normalize import normalize_for_hash

Severity = Literal["MATERIAL", "REVIEW", "NOISE"]
RANK: dict[str, int] = {"NOISE": 0, "REVIEW": 1, "MATERIAL": 2}
CHANGED: frozenset[str] = frozenset({"added", "removed", "modified"})
LARGE_CHANGE = 100  # changed sentences from which a note warns of a rewrite (or a variant of the page)

_WORD = re.compile(r"\w+")
_COMPOUND = re.compile(r"\w+(?:-\w+)*")  # a hyphenated word is one word for a typo fix (e-mial)
_LINK = re.compile(r"!?\[([^\]\n]*)\]\((?:[^()\s]|\([^()]*\))*\)")
_URL = re.compile(r"(?:https?://|www\.)[^\s)\]]+", re.IGNORECASE)
_MARKUP = re.compile(r"<br\s*/?>|[*_`\\]", re.IGNORECASE)
_NUMBERING = re.compile(r"^(?:#{1,6}\s*|[-*•]\s+|\(?(?:\d+(?:\.\d+)*|[a-z]|[ivxlc]+)[.)]?\.?\s+)+", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)\d\d")
_DATE_FILLERS = lx.words("st nd rd th er e de du le am on of the den vom")
_DYNAMIC = re.compile(r"(?=[a-z]*\d)[0-9a-f]{8,}|\d{6,}|(?=\w*\d)(?=\w*[a-z])\w{20,}", re.IGNORECASE)
_STREET = re.compile(r"\b(?:street|st\.|avenue|ave\.|road|suite|floor|p\.?o\.? box|\w*stra(?:ß|ss)e|str\.|postfach"
                     r"|rue|boulevard|\d{4,})\b", re.IGNORECASE)  # fmt: skip
_SECURITY_SECTION = re.compile(r"secur|sicherheit|sécurité|protect", re.IGNORECASE)
_NOTICE_SECTION = re.compile(r"chang|updat|änderung|modif|amend", re.IGNORECASE)
_RIGHTS_SECTION = re.compile(r"right|choice|control|recht|droit|option", re.IGNORECASE)
_COLLECT_SECTION = re.compile(r"collect|information|data|erheb|daten|données|collect", re.IGNORECASE)
_CONTACT_SECTION = re.compile(
    r"contact|who we are|controller|representative|kontakt|verantwortlich|impressum"
    r"|nous contacter|responsable",
    re.IGNORECASE,
)
_CONTROLLER_SECTION = re.compile(r"who we are|controller|about us|verantwortlich|responsable|qui sommes", re.I)
_ITEM = re.compile(r"^(?:- |\d+\. )|\s\|\s")
_PURPOSE_SECTION = re.compile(r"\buse\b|\busing\b|purpose|zweck|verwend|nutzung|utilis|finalit", re.IGNORECASE)
_PURPOSE_ITEM = re.compile(r"^(?:- |\d+\. )?(?:to|um|pour|afin de) ", re.IGNORECASE)
_USE_CONTEXT = lx.cue(r"use[sd]?|using|process\w*|analy[sz]\w*|verwend\w*|nutzen|utilis\w*|traite\w*")
_CHANNEL_SENTENCE = lx.cue(r"contact\w*|request\w*|submit\w*|appeal\w*|exercis\w*|opt(?:-| )?out|complain\w*"
                           r"|kontakt\w*|anfrage\w*|demande\w*")  # fmt: skip
_DAYS_PER_UNIT = {"day": 1, "week": 7, "month": 30, "year": 365}


@dataclass(frozen=True)
class Evidence:
    """Why a rule fired: the old and new sentence and the terms that differ."""

    rule: str
    old: str | None
    new: str | None
    terms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {**asdict(self), "terms": list(self.terms)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        """Rebuild from :meth:`to_dict` output."""
        return cls(data["rule"], data.get("old"), data.get("new"), tuple(data.get("terms", ())))


@dataclass(frozen=True)
class Classification:
    """The verdict on one diff: severity, rules fired, their evidence, notes and a one-line headline."""

    severity: Severity
    rules: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    notes: tuple[str, ...]
    headline: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``from_dict`` inverts it)."""
        return {
            "severity": self.severity,
            "rules": list(self.rules),
            "evidence": [e.to_dict() for e in self.evidence],
            "notes": list(self.notes),
            "headline": self.headline,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Classification:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            data["severity"],
            tuple(data.get("rules", ())),
            tuple(Evidence.from_dict(e) for e in data.get("evidence", ())),
            tuple(data.get("notes", ())),
            data.get("headline", ""),
        )


class SentenceChange:
    """One changed sentence with the views rules share (computed once, on demand).

    ``old`` and ``new`` are the sentences as prose (links read as their text, bare URLs dropped), which is
    what lexicons match against; ``raw_old`` and ``raw_new`` are the sentences as extracted.
    """

    def __init__(self, unit: Unit, old_dates: PolicyDates | None = None, new_dates: PolicyDates | None = None):
        self.unit = unit
        self.raw_old = unit.old or ""
        self.raw_new = unit.new or ""
        self.old = prose(self.raw_old)
        self.new = prose(self.raw_new)
        self.section = " > ".join(unit.section)
        self.old_dates = old_dates
        self.new_dates = new_dates
        self._found: dict[tuple[int, str], Counter[str]] = {}

    @property
    def kind(self) -> str:
        return self.unit.kind

    def find(self, lexicon: lx.Lexicon, side: str) -> Counter[str]:
        """Labels of ``lexicon`` in the old or new sentence (memoised)."""
        key = (id(lexicon), side)
        if key not in self._found:
            self._found[key] = lexicon.find(self.old if side == "old" else self.new)
        return self._found[key]

    def gained(self, lexicon: lx.Lexicon) -> list[str]:
        """Labels in the new sentence that the old one lacks."""
        old = self.find(lexicon, "old")
        return [label for label in self.find(lexicon, "new") if label not in old]

    def gained_affirmed(self, lexicon: lx.Lexicon) -> list[str]:
        """Gained labels with at least one match in the new sentence that is not negated (``we do not …``)."""
        affirmed = {label for label, start, _ in lexicon.matches(self.new) if not negated_at(self.new, start)}
        return [label for label in self.gained(lexicon) if label in affirmed]

    def lost(self, lexicon: lx.Lexicon) -> list[str]:
        """Labels in the old sentence that the new one lacks."""
        new = self.find(lexicon, "new")
        return [label for label in self.find(lexicon, "old") if label not in new]

    def either(self, pattern: re.Pattern[str]) -> bool:
        """Whether ``pattern`` occurs in the old or the new sentence."""
        return bool(pattern.search(self.old) or pattern.search(self.new))

    @cached_property
    def changed_words(self) -> list[str]:
        """The words deleted or inserted by the word diff."""
        return [w for op, text in self.unit.words if op != EQUAL for w in _WORD.findall(text)]

    @cached_property
    def inserted_words(self) -> list[str]:
        return [w for op, text in self.unit.words if op == INSERT for w in _WORD.findall(text)]

    @cached_property
    def visible_changed_words(self) -> list[str]:
        """Changed words once link targets are dropped (``[text](url)`` read as ``text``)."""
        diff = word_diff(self.old, self.new)
        return [w for op, text in diff if op != EQUAL for w in _WORD.findall(text)]

    @cached_property
    def same_signature(self) -> bool:
        """Same negations, limiters, modal verbs, numbers and e-mail addresses on both sides."""
        return _signature(self.old) == _signature(self.new)

    @cached_property
    def before(self) -> Clause:
        """The facets of the old sentence (empty when it was added)."""
        return clause(self.raw_old)

    @cached_property
    def after(self) -> Clause:
        """The facets of the new sentence (empty when it was removed)."""
        return clause(self.raw_new)

    def facet_gained(self, facet: str) -> list[str]:
        """Labels of a facet the new sentence has and the old one lacks."""
        return self.after.gained(self.before, facet)

    def facet_lost(self, facet: str) -> list[str]:
        """Labels of a facet the old sentence has and the new one lacks."""
        return self.before.gained(self.after, facet)

    @cached_property
    def canonical_equal(self) -> bool:
        """Whether both sides have the same canonical form and the same e-mail addresses (only looks or link
        targets differ; a hidden address shown is no difference)."""
        if self.kind != "modified" or canonical(self.raw_old) != canonical(self.raw_new):
            return False
        before, after = self.before.addresses, self.after.addresses
        return not (before and after and before != after)

    @cached_property
    def targets_changed(self) -> bool:
        """Whether the link targets differ, beyond the scheme, ``www.`` and a trailing slash."""
        return [_url_path(u, host=True) for u in link_targets(self.raw_old)] != [
            _url_path(u, host=True) for u in link_targets(self.raw_new)
        ]

    @cached_property
    def channel_link_changed(self) -> bool:
        """Whether a link target changed in a sentence that says how to make a request or contact someone."""
        return self.kind == "modified" and self.targets_changed and bool(_CHANNEL_SENTENCE.search(self.new))

    @cached_property
    def cosmetic(self) -> bool:
        """The noise gate: only looks differ (a changed link for making requests is not cosmetic)."""
        return self.unit.incomplete or (self.canonical_equal and not self.channel_link_changed)


def _visible(text: str) -> str:
    return _LINK.sub(r"\1", text)


def _signature(text: str) -> tuple[Any, ...]:
    return (
        lx.MODALS.find(text),
        lx.LIMITERS.find(text),
        len(lx.NEGATIONS.findall(text)),
        sorted(re.findall(r"\d+", text)),
        sorted(lx.EMAIL.findall(text)),
    )


# --- the rule registry -------------------------------------------------------------------------------


RULES: Registry[type[Rule]] = Registry("rules", "Materiality rules (the ids of the taxonomy)")


class Rule(Kind, registry=RULES):
    """A taxonomy rule: looks at one changed sentence and returns evidence or None."""

    severity: ClassVar[Severity]
    title: ClassVar[str]
    phrase: ClassVar[str] = ""  # headline template: {terms}, {count}, {sentences}
    applies_to: ClassVar[frozenset[str]] = CHANGED  # the kinds of changed sentence it looks at

    def check(self, change: SentenceChange) -> Evidence | None:
        """Evidence when the rule applies to ``change``, else None."""
        if change.kind not in self.applies_to:
            return None
        terms = self.match(change)
        if not terms:
            return None
        return Evidence(self.kind, change.unit.old, change.unit.new, tuple(dict.fromkeys(terms)))

    def match(self, change: SentenceChange) -> list[str]:
        """The terms that make the rule fire (empty: it does not)."""
        raise NotImplementedError

    @classmethod
    def describe(cls, evidence: Evidence, count: int = 1) -> str:
        """A short phrase for a headline about ``count`` pieces of such evidence."""
        terms = ", ".join(evidence.terms[:3])
        if not cls.phrase or ("{terms}" in cls.phrase and not terms):
            return cls.title
        return cls.phrase.format(terms=terms, count=count, sentences="sentence" if count == 1 else "sentences")


# --- shared helpers ------------------------------------------------------------------------------------


def _is_list_item(text: str) -> bool:
    return bool(_ITEM.search(text))


def _window_before(text: str, start: int, words: int = 5) -> str:
    return " ".join(text[max(0, start - 60) : start].split()[-words:])


def _negated_promises(text: str) -> set[str]:
    """Promise verbs (sell, share …) that are negated: ``we do not sell``, ``wir verkaufen … nicht``."""
    negated = set()
    for label, start, end in lx.PROMISE_VERBS.matches(text):
        before = _window_before(text, start)
        after = " ".join(text[end : end + 60].split()[:5])
        if (lx.NEGATIONS.search(before) and not lx.SECOND_PERSON.search(before)) or lx.GERMAN_NEGATIONS.search(after):
            negated.add(label)
    return negated


def _affirmed(pattern: re.Pattern[str], text: str) -> list[str]:
    """Matches of ``pattern`` in ``text`` that are not negated in their clause."""
    return [m.group() for m in pattern.finditer(text) if not negated_at(text, m.start())]


def _is_name(word: str) -> bool:
    return word[0].isupper() and word.lower() not in lx.STOPWORDS and word.lower() not in lx.MONTHS


def _ages(text: str) -> set[int]:
    return {int(a or b) for a, b in lx.AGE.findall(text) if 10 <= int(a or b) <= 21}


def _flip(old: set[Any], new: set[Any], fmt: str = "{}") -> list[str]:
    """``old→new`` terms for a changed set of values (``-``/``+`` for removals and additions)."""
    if old == new:
        return []
    before = ", ".join(fmt.format(v) for v in sorted(old)) or "none"
    after = ", ".join(fmt.format(v) for v in sorted(new)) or "none"
    return [f"{before} → {after}"]


# --- MATERIAL ---------------------------------------------------------------------------------------------


class NewDataCategory(Rule):
    """A data category (sensitive ones first) newly named near a collection verb or in a data list."""

    kind, severity, title = "M1", "MATERIAL", "new category of personal data collected"
    phrase = "now collects {terms}"
    applies_to = frozenset({"added", "modified"})

    def match(self, change: SentenceChange) -> list[str]:
        gained = change.facet_gained("data")
        if not gained:
            return []
        in_list = _is_list_item(change.new) and _COLLECT_SECTION.search(change.section)
        if not (lx.COLLECTION_VERBS.search(change.new) or in_list):
            return []
        return sorted(gained, key=lambda label: label not in lx.SENSITIVE_DATA)


class NewPurpose(Rule):
    """A processing purpose (advertising, profiling, AI training, sale …) newly attached to data, or in a
    sentence about what data is used for, a use added while the existing ones stay (``and to estimate …``)."""

    kind, severity, title = "M2", "MATERIAL", "new or broader purpose of use"
    phrase = "new purpose: {terms}"
    applies_to = frozenset({"added", "modified"})

    def match(self, change: SentenceChange) -> list[str]:
        gained = change.gained_affirmed(lx.PURPOSES)  # a sale no longer denied is M4's
        terms = gained if gained and re.search(r"data|information|daten|données|personal", change.new, re.I) else []
        if not _purpose_clause(change):
            return terms
        if change.facet_lost("uses"):
            return terms  # one use put in place of another is a rewording, not a new use
        known = word_stems(change.old)
        uses = [verb for verb in change.facet_gained("uses") if stem(verb) not in known]
        return terms + [f"to {verb}" if not verb.endswith("ing") else verb for verb in uses]


def _purpose_clause(change: SentenceChange) -> bool:
    """Whether the sentence says what data is used for: in a purposes section, a "To …" purpose item, or a
    sentence about using data (an added one only in a purposes section or a purpose list)."""
    if _PURPOSE_SECTION.search(change.section) or _PURPOSE_ITEM.match(change.new):
        return True
    return change.kind == "modified" and bool(_USE_CONTEXT.search(change.old) and _USE_CONTEXT.search(change.new))


class NewSharing(Rule):
    """A recipient category or named processor newly named with a share/disclose/sell verb, or data made
    visible to a wider audience (other users, people nearby, the public)."""

    kind, severity, title = "M3", "MATERIAL", "new sharing with third parties"
    phrase = "new sharing with {terms}"
    applies_to = frozenset({"added", "modified"})

    def match(self, change: SentenceChange) -> list[str]:
        gained = change.facet_gained("recipients")
        terms = gained if gained and _affirmed(lx.SHARE_VERBS, change.new) else []
        return terms + [f"{audience} (who can see it)" for audience in _wider_audiences(change)]


def _wider_audiences(change: SentenceChange) -> list[str]:
    """Audiences that can now see the data and are wider than any that could before."""
    widest = max((lx.AUDIENCE_RANK[a] for a in change.before.audiences), default=0)
    return [a for a in change.facet_gained("audiences") if lx.AUDIENCE_RANK[a] > widest]


class PromiseWeakened(Rule):
    """A negated promise (``do not sell``) or limiter (``only``, ``without your consent``) is gone, an
    encryption claim is dropped, or a security promise covers less (a qualifier such as ``at rest`` dropped)."""

    kind, severity, title = "M4", "MATERIAL", "a privacy promise was removed or weakened"
    phrase = "drops a promise: {terms}"
    applies_to = frozenset({"removed", "modified"})

    def match(self, change: SentenceChange) -> list[str]:
        verbs = sorted(_negated_promises(change.old) - _negated_promises(change.new))
        lost = [f"not to {verb}" for verb in verbs]
        if change.find(lx.PROMISE_VERBS, "old"):
            lost += [f"“{limiter}”" for limiter in change.lost(lx.LIMITERS)]
        lost = lost + [f"now “{term}”" for term in change.gained(lx.PERMISSIVE)] if lost else []
        return lost + _security_weakened(change)


def _security_weakened(change: SentenceChange) -> list[str]:
    """An encryption claim dropped, or a security promise that now covers less (``in transit and at rest``
    becoming ``in transit``)."""
    before, after = change.before.security, change.after.security
    terms = ["no longer: encryption"] if "encryption" in before and "encryption" not in after else []
    if before & after:
        terms += [f"no longer “{scope}”" for scope in change.facet_lost("scopes")]
    return terms


class InternationalTransfer(Rule):
    """A transfer or storage sentence names a country more, a storage sentence one fewer (data is kept
    somewhere else), or transfer mechanisms (SCCs, DPF, adequacy) differ."""

    kind, severity, title = "M5", "MATERIAL", "international transfers changed"
    phrase = "international transfers changed: {terms}"

    def match(self, change: SentenceChange) -> list[str]:
        mechanisms = [f"+{m}" for m in change.gained(lx.TRANSFER_MECHANISMS)]
        mechanisms += [f"-{m}" for m in change.lost(lx.TRANSFER_MECHANISMS)]
        if change.kind == "removed":
            return [m for m in mechanisms if m.startswith("-")]
        countries = change.facet_gained("locations")
        if change.before.storage and change.after.storage:
            countries += [f"-{country}" for country in change.facet_lost("storage")]
        return countries + mechanisms


class NewController(Rule):
    """A new organisation named in a "controller" / "who we are" / representative sentence, or a new name
    given for such a role (``UK Representative: Prighter Group``)."""

    kind, severity, title = "M6", "MATERIAL", "the controller or its representative changed"
    phrase = "controller or representative changed: {terms}"
    applies_to = frozenset({"added", "modified"})

    def match(self, change: SentenceChange) -> list[str]:
        if not (change.either(lx.CONTROLLER_CONTEXT) or _CONTROLLER_SECTION.search(change.section)):
            return []
        return change.facet_gained("entities")


class RightsReduced(Rule):
    """A right, a request channel or opt-out dropped, a fee or verification added, or a longer deadline; in an
    existing rights sentence, a channel added or replaced, or the people who may use it changed."""

    kind, severity, title = "M7", "MATERIAL", "data-subject rights or how to exercise them changed"
    phrase = "rights changed: {terms}"

    def match(self, change: SentenceChange) -> list[str]:
        terms = self._procedure(change) if change.kind == "modified" else []
        if not (change.either(lx.RIGHTS_CONTEXT) or _RIGHTS_SECTION.search(change.section)):
            return terms
        terms += [f"no longer: {right}" for right in change.lost(lx.RIGHTS)]
        terms += [f"no longer via {channel}" for channel in change.facet_lost("channels") if channel not in terms]
        if change.kind == "removed":
            return terms
        terms += [f"new {burden}" for burden in change.gained(lx.RIGHTS_BURDENS)]
        old, new = _max_days(change.old), _max_days(change.new)
        if old and new and new > old:
            terms.append(f"deadline {old} → {new} days")
        return terms

    @staticmethod
    def _procedure(change: SentenceChange) -> list[str]:
        """In a sentence naming a right on both sides: channels added or replaced, or who may use it changed."""
        if not (change.before.rights and change.after.rights):
            return []
        terms = [f"new channel: {channel}" for channel in change.facet_gained("channels")]
        terms += [f"no longer via {channel}" for channel in change.facet_lost("channels")]
        terms += [f"now also for {where}" for where in change.facet_gained("applies_to")]
        return terms + [f"no longer for {where}" for where in change.facet_lost("applies_to")]


def _max_days(text: str) -> int:
    return max((n * _DAYS_PER_UNIT[unit] for n, unit in durations(text)), default=0)


class RetentionChanged(Rule):
    """A retention period differs, or "indefinitely" / "as long as necessary" replaces a stated period."""

    kind, severity, title = "M8", "MATERIAL", "retention period changed"
    phrase = "retention changed: {terms}"
    applies_to = frozenset({"added", "modified"})

    def match(self, change: SentenceChange) -> list[str]:
        if not change.either(lx.RETENTION_CONTEXT):
            return []
        terms = _flip(durations(change.old), durations(change.new), "{0[0]} {0[1]}s")
        return terms + change.gained(lx.INDEFINITE)


class ChildrenChanged(Rule):
    """An age threshold near child/minor/parent words differs, or parental-consent wording changes."""

    kind, severity, title = "M9", "MATERIAL", "children's data rules changed"
    phrase = "children: {terms}"

    def match(self, change: SentenceChange) -> list[str]:
        if not change.either(lx.CHILD_CONTEXT):
            return []
        terms = [f"age {t}" for t in _flip(_ages(change.old), _ages(change.new))] + change.gained(lx.PARENTAL_CONSENT)
        return terms + [f"no longer: {t}" for t in change.lost(lx.PARENTAL_CONSENT)]


class ConsentModelChanged(Rule):
    """Opt-in or consent wording dropped, implied consent / consent as a condition of service added, or the
    user's choice changed between required and asked / optional (``you must allow`` ↔ ``you can refuse``)."""

    kind, severity, title = "M10", "MATERIAL", "the consent or choice model changed"
    phrase = "consent model changed: {terms}"

    def match(self, change: SentenceChange) -> list[str]:
        lost = [f"no longer: {t}" for t in change.lost(lx.CONSENT_MODEL) if t in ("opt-in", "consent")]
        if change.kind == "removed":
            return lost
        gained = [t for t in change.gained(lx.CONSENT_MODEL) if t in ("implied consent", "condition of service")]
        if "opt-in" in change.find(lx.CONSENT_MODEL, "old") and "opt-out" in change.gained(lx.CONSENT_MODEL):
            gained.append("opt-in → opt-out")
        before, after = change.before.choice, change.after.choice
        if before and after and ("required" in before) != ("required" in after):
            gained.append(f"{'/'.join(sorted(before))} → {'/'.join(sorted(after))}")
        return lost + gained


class LegalBasisChanged(Rule):
    """A legal basis (legitimate interests, contract, consent …) newly named."""

    kind, severity, title = "M11", "MATERIAL", "the legal basis changed"
    phrase = "new legal basis: {terms}"
    applies_to = frozenset({"added", "modified"})

    def match(self, change: SentenceChange) -> list[str]:
        return change.facet_gained("legal_bases")


class NoticeWeakened(Rule):
    """In the policy-change clause, a notification promise is dropped or "effective on posting" is added."""

    kind, severity, title = "M12", "MATERIAL", "the change-notice promise weakened"
    phrase = "change notice weakened: {terms}"

    def match(self, change: SentenceChange) -> list[str]:
        in_section = _NOTICE_SECTION.search(change.section) and re.search(r"polic|notice|datenschutz|politique",
                                                                           change.section, re.I)  # fmt: skip
        if not (change.either(lx.NOTICE_CONTEXT) or in_section):
            return []
        lost = [f"no longer: {t}" for t in change.lost(lx.NOTICE_PROMISES)]
        return lost + ([] if change.kind == "removed" else change.gained(lx.NOTICE_WEAKENERS))


class NewTracking(Rule):
    """A tracking technique (pixels, SDKs, fingerprinting, cross-device …) newly named, or DNT/GPC ignored."""

    kind, severity, title = "M13", "MATERIAL", "new tracking"
    phrase = "new tracking: {terms}"
    applies_to = frozenset({"added", "modified"})

    def match(self, change: SentenceChange) -> list[str]:
        terms = change.gained_affirmed(lx.TRACKING)
        if lx.DO_NOT_TRACK.search(change.new):
            old_negations = len(lx.NEGATIONS.findall(change.old))
            if len(lx.NEGATIONS.findall(change.new)) > old_negations:
                terms.append("Do Not Track / GPC signals not honoured")
        return terms


class ScopeExtended(Rule):
    """A "this policy applies to" sentence gains products, apps, affiliates or other named scope."""

    kind, severity, title = "M14", "MATERIAL", "the policy's scope grew"
    phrase = "scope grew: {terms}"
    applies_to = frozenset({"added", "modified"})

    def match(self, change: SentenceChange) -> list[str]:
        if not lx.SCOPE_CONTEXT.search(change.new):
            return []
        return [w for w in change.inserted_words if lx.SCOPE_NOUNS.fullmatch(w) or _is_name(w)]


# --- REVIEW ---------------------------------------------------------------------------------------------


class ContactChanged(Rule):
    """A privacy contact's e-mail address (obfuscated ones read), phone number or postal address changed, or
    the link of a sentence that says how to make a request."""

    kind, severity, title = "R1", "REVIEW", "privacy contact changed"
    phrase = "privacy contact changed: {terms}"

    def match(self, change: SentenceChange) -> list[str]:
        terms = change.facet_gained("addresses") + [f"-{v}" for v in change.facet_lost("addresses")]
        before, after = set(lx.PHONE.findall(change.old)), set(lx.PHONE.findall(change.new))
        terms += sorted(after - before) + [f"-{v}" for v in sorted(before - after)]
        if terms:
            return terms
        if change.channel_link_changed:
            return [f"link now {target}" for target in link_targets(change.raw_new)[:1]] or ["link removed"]
        contact = change.either(lx.CONTACT_CONTEXT) or _CONTACT_SECTION.search(change.section)
        short = len(_WORD.findall(change.new or change.old)) <= 8
        return ["postal address"] if contact and short and _STREET.search(change.new or change.old) else []


class Reworded(Rule):
    """An existing practice reworded: the fallback for a changed sentence no other rule explains."""

    kind, severity, title = "R2", "REVIEW", "reworded"
    phrase = "{count} {sentences} reworded"

    def match(self, change: SentenceChange) -> list[str]:
        return [change.kind]


class ExplanationAdded(Rule):
    """An added sentence in an FAQ/examples section, or one that opens with "for example"."""

    kind, severity, title = "R3", "REVIEW", "explanation or examples added"
    applies_to = frozenset({"added"})

    def match(self, change: SentenceChange) -> list[str]:
        if lx.EXPLANATION_SECTIONS.search(change.section):
            return ["explanatory section"]
        return ["example"] if lx.EXPLANATION_OPENERS.match(_NUMBERING.sub("", change.new)) else []


class JurisdictionSection(Rule):
    """An added sentence under a jurisdiction-specific heading (a US state, Brazil, the EEA …)."""

    kind, severity, title = "R4", "REVIEW", "new jurisdiction-specific section"
    phrase = "new jurisdiction-specific text: {terms}"
    applies_to = frozenset({"added"})

    def match(self, change: SentenceChange) -> list[str]:
        for heading in reversed(change.unit.section):
            found = lx.JURISDICTIONS.search(heading)
            if found:
                return [found.group()]
        return []


class SecurityChanged(Rule):
    """Security wording (encryption, safeguards, access controls) added or removed."""

    kind, severity, title = "R5", "REVIEW", "security statements changed"
    phrase = "security statements changed: {terms}"

    def match(self, change: SentenceChange) -> list[str]:
        terms = [f"+{t}" for t in change.gained(lx.SECURITY)] + [f"-{t}" for t in change.lost(lx.SECURITY)]
        if not terms and _SECURITY_SECTION.search(change.section) and change.find(lx.SECURITY, "new"):
            terms = list(change.find(lx.SECURITY, "new"))
        return terms


class Moved(Rule):
    """A sentence moved to another place without changing."""

    kind, severity, title = "R6", "REVIEW", "sections moved, not changed"
    phrase = "{count} {sentences} moved"
    applies_to = frozenset({"moved"})

    def match(self, change: SentenceChange) -> list[str]:
        return ["moved"]


# --- NOISE ---------------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    return normalize_for_hash(_MARKUP.sub("", html.unescape(text)))


class MarkupOnly(Rule):
    """Only whitespace, markup (bold, escapes, line breaks, heading case), entities or the way an e-mail address
    or a date is written differ, or a line of symbols came or went."""

    kind, severity, title = "N1", "NOISE", "whitespace or markup only"
    applies_to = frozenset({"modified", "added", "removed"})

    def match(self, change: SentenceChange) -> list[str]:
        if change.kind != "modified":
            return [] if _WORD.search(change.raw_old + change.raw_new) else ["markup"]
        if _plain(change.raw_old) == _plain(change.raw_new):
            return ["markup"]
        return ["markup"] if change.canonical_equal and not change.targets_changed else []


class TypoFix(Rule):
    """Punctuation, capitalisation, or one misspelt long word fixed (negations, modals and numbers kept); a
    hyphenated word counts whole (``e-mial`` is long)."""

    kind, severity, title = "N2", "NOISE", "typo, punctuation or capitalisation fix"
    applies_to = frozenset({"modified"})

    def match(self, change: SentenceChange) -> list[str]:
        if normalize_for_hash(change.old) == normalize_for_hash(change.new):
            return []  # the difference is in links or URLs: N5's business
        old, new = _WORD.findall(change.old.lower()), _WORD.findall(change.new.lower())
        if old == new:
            return ["punctuation or case"]
        changed = change.changed_words
        if changed and all(w.lower() in ("a", "an") for w in changed) and len(old) == len(new):
            return ["a/an"]
        short = any(len(w) < 5 or not w.isalpha() or w.isupper() for w in _changed_compounds(change))
        if short or not change.same_signature:
            return []
        return ["typo"] if _edit_distance(" ".join(old), " ".join(new)) <= 2 else []


def _changed_compounds(change: SentenceChange) -> list[str]:
    """The changed words (link targets too), a hyphenated one whole and without its hyphens when both sides
    have as many."""
    old, new = _COMPOUND.findall(change.raw_old), _COMPOUND.findall(change.raw_new)
    if len(old) != len(new):
        return change.changed_words
    return [w.replace("-", "") for a, b in zip(old, new, strict=True) if a != b for w in (a, b)]


def _edit_distance(a: str, b: str, limit: int = 24) -> int:
    """Levenshtein distance of the differing middles of ``a`` and ``b`` (``limit``+1 when they are long)."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start : len(a) - end], b[start : len(b) - end]
    if max(len(a), len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _date_words(words: list[str]) -> bool:
    """Whether every word is part of a date, and at least one is a month name or a year."""
    if not words or not any(w.lower() in lx.MONTHS or _YEAR.fullmatch(w) for w in words):
        return False
    return all(w.isdigit() or w.lower() in lx.MONTHS or w.lower() in _DATE_FILLERS for w in words)


class DateOnly(Rule):
    """Only the document's own date changed: its "last updated" / "effective" line, or a sentence that only
    dates the document or points to its previous version came, went or moved."""

    kind, severity, title = "N3", "NOISE", "only the date changed"
    applies_to = frozenset({"modified", "added", "removed", "moved"})

    def match(self, change: SentenceChange) -> list[str]:
        if change.kind != "modified":
            side = change.before if change.kind == "removed" else change.after
            return ["version note"] if side.version_note else []
        if change.before.version_note and change.after.version_note and not _date_words(change.visible_changed_words):
            return ["version note"]
        if re.search(r"©|copyright", change.new, re.IGNORECASE) or not _date_words(change.visible_changed_words):
            return []
        if not (change.before.version_note or change.after.version_note):
            return []  # a date inside a practice ("data collected before 1 May 2024") is no policy date
        date = change.new_dates.primary if change.new_dates else None
        return [f"now {date.iso}" if date else "date"]


class PageChrome(Rule):
    """Copyright-year rollover, or navigation / language-switcher text."""

    kind, severity, title = "N4", "NOISE", "navigation, footer or copyright year"

    def match(self, change: SentenceChange) -> list[str]:
        if change.kind == "modified" and re.search(r"©|copyright|all rights reserved", change.new, re.IGNORECASE):
            return ["copyright year"] if all(_YEAR.fullmatch(w) for w in change.changed_words) else []
        words = _WORD.findall((change.new or change.old).lower())
        return ["navigation"] if 0 < len(words) <= 5 and all(w in lx.NAVIGATION for w in words) else []


def _url_path(url: str, host: bool = False) -> str:
    """A URL without scheme, ``www.``, query, fragment and trailing slash (and without its host unless ``host``);
    any ``mailto:`` or Cloudflare e-mail-protection link is ``mailto`` (addresses are compared apart)."""
    url = url.lower()
    if url.startswith("mailto:") or "/cdn-cgi/l/email-protection" in url:
        return "mailto"
    pattern = r"^(?:https?://)?(?:www\.)?|[?#].*$|/$" if host else r"^(?:https?://)?(?:www\.)?[^/?#]*|[?#].*$|/$"
    return re.sub(pattern, "", url)


class UrlOnly(Rule):
    """Only link targets or URLs changed: tracking parameters, cache-busters, http→https, a new host; not the
    link of a sentence that says how to make a request."""

    kind, severity, title = "N5", "NOISE", "URL-only change"
    applies_to = frozenset({"modified"})

    def match(self, change: SentenceChange) -> list[str]:
        if change.channel_link_changed:
            return []  # the way to make a request changed: R1 or M7
        if change.canonical_equal and change.targets_changed:
            return ["link target"]
        old, new = _visible(change.raw_old), _visible(change.raw_new)
        if old != new:
            old, new = (_URL.sub(lambda m: _url_path(m.group()), t) for t in (old, new))
        return ["link target"] if normalize_for_hash(old) == normalize_for_hash(new) else []


class DynamicContent(Rule):
    """Only machine tokens changed (session ids, hashes, long timestamps), or the sentence lies in a section
    the page's own contents list but its body lacks or lacked (a page published incomplete)."""

    kind, severity, title = "N6", "NOISE", "dynamic content, a variant or an incomplete page"
    kinds = CHANGED

    def match(self, change: SentenceChange) -> list[str]:
        if change.unit.incomplete:
            return ["section missing from the page's body, listed in its contents"]
        words = change.changed_words if change.kind == "modified" else []
        return ["token"] if words and all(_DYNAMIC.fullmatch(w) for w in words) else []


class Renumbered(Rule):
    """Only section numbers, list markers or heading levels changed."""

    kind, severity, title = "N7", "NOISE", "renumbered sections or heading levels"
    applies_to = frozenset({"modified"})

    def match(self, change: SentenceChange) -> list[str]:
        strip = lambda text: normalize_for_hash(_NUMBERING.sub("", text))  # noqa: E731
        return ["numbering"] if strip(change.raw_old) == strip(change.raw_new) else []


# --- classification --------------------------------------------------------------------------------------

_FALLBACK = Reworded()
_ACTIVE: tuple[Rule, ...] = tuple(cls() for rule_id, cls in RULES.items() if rule_id != _FALLBACK.kind)
_BY_SEVERITY: dict[Severity, tuple[Rule, ...]] = {
    severity: tuple(rule for rule in _ACTIVE if rule.severity == severity)
    for severity in ("NOISE", "MATERIAL", "REVIEW")  # the order a sentence's severity is decided in
}


def classify_change(change: SentenceChange) -> tuple[Severity, list[Evidence]]:
    """The severity of one changed sentence and the evidence for it (a cosmetic one: noise rules only)."""
    if change.cosmetic:
        fired = [ev for rule in _BY_SEVERITY["NOISE"] if (ev := rule.check(change))]
        return "NOISE", fired or [Evidence(MarkupOnly.kind, change.unit.old, change.unit.new, ("markup",))]
    for severity, rules in _BY_SEVERITY.items():
        fired = [ev for rule in rules if (ev := rule.check(change))]
        if fired:
            return severity, fired
    evidence = _FALLBACK.check(change)
    return _FALLBACK.severity, [evidence] if evidence else []


def classify(
    diff: SemanticDiff, *, old_dates: PolicyDates | None = None, new_dates: PolicyDates | None = None
) -> Classification:
    """Classify a semantic diff: severity (max over sentences), rules, evidence, notes, headline."""
    if diff.is_empty:
        return Classification("NOISE", (), (), (), "no change")
    severity: Severity = "NOISE"
    located: list[_Located] = []
    for index, unit in enumerate(diff.units):
        unit_severity, unit_evidence = classify_change(SentenceChange(unit, old_dates, new_dates))
        if RANK[unit_severity] > RANK[severity]:
            severity = unit_severity
        located.extend(_Located(ev, unit.section, index) for ev in unit_evidence)
    older = _older_edition(old_dates, new_dates)
    if older and severity != "NOISE":
        severity = "NOISE"
        located = [_Located(Evidence(DynamicContent.kind, None, None, (older,)), (), -1)] + [
            item for item in located if item.severity == "NOISE"
        ]
    evidence = tuple(item.evidence for item in located)
    rules = tuple(rule_id for rule_id in RULES if any(ev.rule == rule_id for ev in evidence))
    changed = sum(unit.kind != "moved" for unit in diff.units)
    notes = _notes(severity, rules, changed, old_dates, new_dates)
    if older:
        notes = (f"{older}: an earlier edition or another variant of the page, not alerted", *notes)
    return Classification(severity, rules, evidence, notes, _headline(severity, located, new_dates))


def _older_edition(old_dates: PolicyDates | None, new_dates: PolicyDates | None) -> str | None:
    """``dated X, before Y`` when the new text carries an older date of the same kind than the current one."""
    old: DetectedDate | None = old_dates.primary if old_dates else None
    new: DetectedDate | None = new_dates.primary if new_dates else None
    if not (old and new) or old.kind != new.kind or old.ambiguous or new.ambiguous:
        return None
    length = min(len(old.iso), len(new.iso))
    return f"dated {new.iso}, before {old.iso}" if new.iso[:length] < old.iso[:length] else None


def _notes(
    severity: Severity,
    rules: tuple[str, ...],
    changed: int,
    old_dates: PolicyDates | None,
    new_dates: PolicyDates | None,
) -> tuple[str, ...]:
    """Date notes (date-only change, unchanged date, upcoming effective date) and a large-change warning."""
    notes = [f"large change: {changed} sentences changed"] if changed >= LARGE_CHANGE else []
    new_date = new_dates.primary if new_dates else None
    old_date = old_dates.primary if old_dates else None
    if rules == (DateOnly.kind,):
        notes.append(f"only the date changed (now {new_date.iso})" if new_date else "only the date changed")
    elif severity != "NOISE" and old_date and new_date and old_date.iso == new_date.iso:
        notes.append("changed without updating its date")
    if new_dates and new_dates.effective and new_dates.effective.upcoming:
        notes.append(f"takes effect on {new_dates.effective.iso}")
    return tuple(notes)


@dataclass(frozen=True)
class _Located:
    evidence: Evidence
    section: tuple[str, ...]
    unit: int

    @property
    def severity(self) -> Severity:
        return RULES[self.evidence.rule].severity


def _headline(severity: Severity, located: list[_Located], new_dates: PolicyDates | None) -> str:
    """One short line: the lead reason, where it is, and how many other notable sentences changed."""
    top = [item for item in located if item.severity == severity]
    if severity == "REVIEW" and any(item.evidence.rule != _FALLBACK.kind for item in top):
        top = [item for item in top if item.evidence.rule != _FALLBACK.kind]  # a reason beats "reworded"
    lead = top[0]
    same = [item for item in top if item.evidence.rule == lead.evidence.rule]
    if lead.evidence.rule == DateOnly.kind and len(same) == len(located):
        date = new_dates.primary if new_dates else None
        return f"only the date changed (now {date.iso})" if date else "only the date changed"
    phrase = RULES[lead.evidence.rule].describe(lead.evidence, len({item.unit for item in same}))
    sections = {item.section for item in same}
    if len(sections) == 1 and lead.section:
        phrase += f" in {lead.section[-1]}"
    elif len(sections) > 1:
        phrase += f" in {len(sections)} sections"
    described = {item.unit for item in same}
    others = {item.unit for item in located if item.severity != "NOISE"} - described
    return f"{phrase} (+{len(others)} more {'change' if len(others) == 1 else 'changes'})" if others else phrase
