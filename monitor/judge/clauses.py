"""The clause model: the facets of one policy sentence, for rules that fire on what changed between two.

A :class:`Clause` holds, for one sentence, the things a privacy lead compares: data categories, the uses
data is put to, recipients and who can see the data, security measures and the scope of those promises,
transfer and storage locations, rights, the channels to exercise them and who may use them, legal bases,
the choice the user has (required / asked / optional), the organisations named for a role, and whether
the sentence only dates the document (its date, its previous version); :func:`durations` reads retention
periods. Facets are sets of plain labels, found with ``monitor.judge.lexicons``, computed on first use; negated
mentions ("we do not collect ID documents") do not count. :func:`clause` is pure and memoised: the same
sentences recur in every version of a policy.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

from monitor.judge import lexicons as lx
from monitor.text.dates import detect_dates

_LINK = re.compile(r"!?\[([^\]\n]*)\]\(((?:[^()\s]|\([^()]*\))*)\)")
_URL = re.compile(r"(?:https?://|www\.)[^\s)\]]+", re.IGNORECASE)
_DOMAIN_PATH = re.compile(r"(?<![\w@/.-])(?:[a-z0-9-]+\.)+[a-z]{2,}/[\w/.-]*\w", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[.;:!?]|\b(?:but|however|whereas|aber|jedoch|sondern|mais|cependant)\b", re.I)
_NOT_ONLY = re.compile(r"\s*(?:only|just|merely|nur|seulement|uniquement)\b", re.IGNORECASE)
_WORDS = re.compile(r"[^\W\d_][\w'-]*")
_INFINITIVE = re.compile(r"(?<!\w)(?i:to|in order to)\s+(?:(?:also|better|further|help(?: us)?)\s+)?([a-z]{3,})\b")
_GERUND = re.compile(r"(?<!\w)(?:by|for|and|or)\s+([a-z]{3,}ing)\b")
# French "pour / afin de (vous) tester"; German "um … zu testen (und … anzuzeigen)", verbs in lower case.
_FRENCH_INFINITIVE = re.compile(
    r"(?<!\w)(?i:pour\s+|afin d(?:e\s+|'))(?:(?i:mieux|aussi|également|nous aider à)\s+)?"
    r"(?:(?i:vous|nous|leur|lui|en|y|se|me|te)\s+|(?i:l'|s'|m'|t'))?([a-zàâçéèêëîïôûùüÿœ]{2,}(?:er|ir|re|oir))\b"
)
_GERMAN_PURPOSE = re.compile(r"(?<!\w)(?i:um)\s[^.;:!?]*")
_GERMAN_INFINITIVE = re.compile(
    r"(?<![\w-])(?:zu\s+([a-zäöüß]{3,}n)|([a-zäöüß]{2,}zu[a-zäöüß]{2,}n))(?=\s*(?:[,.;:!?)]|und\b|oder\b|sowie\b|$))"
)
_NOT_PURPOSE_AFTER = re.compile(
    r"(?:right|rights|able|ability|option|choice|want|wish|like|need|agree|consent|ask(?:s|ed)?(?: us)?|request"
    r"|allow(?:s|ed)?(?: us| you)?|permit|how|subject|according|due|prior|similar|related|up|addition|applies"
    r"|apply|access|transfer\w*|sent|disclosed|provided|shared|back|want|going|used|refer|reference|return)\s+"
    r"(?:(?:in order|also|better|further|help(?: us)?)\s+)?$",
    re.IGNORECASE,
)
_VISIBILITY = lx.cue(
    r"see|seen|sees|visible|view\w*|display\w*|shown|shows?|appear\w*|publicly|made public"
    r"|is public|sehen|sieht|einsehen|sichtbar|angezeigt|voir|voient|visibles?|affiché\w*"
)
_ROLE_NAME = re.compile(
    r"(?i:representative|controller|verantwortliche\w*|vertreter\w*|représentant\w*|responsable du traitement)"
    r"(?:\s+(?i:in|im|in der|in the|for the|für|au|en|dans l'|pour l')\s*\S+(?:\s+[A-Z]\S*)?)?"  # … in the EU:
    r"(?:\s*:|\s+(?:is|ist|est)\b:?)\s*((?:(?:[A-Z][\w&'.-]*|of|&)\s?){1,5})",
)
_VERSION_NOTE = re.compile(
    r"(?:previous|prior|earlier|former|archived|older|past)\s+(?:versions?|editions?)|frühere\w* fassung\w*"
    r"|vorherige\w* (?:version|fassung)\w*|version(?:s)? (?:précédente|antérieure)s?",
    re.IGNORECASE,
)
_NOTE_MAX_WORDS = 30


def stem(word: str) -> str:
    """A crude stem, enough to tell ``identify`` and ``identifying`` apart from ``estimate``."""
    word = word.lower()
    for suffix in ("ing", "es", "ed", "e", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


_BASELINE_USES = frozenset(stem(w) for w in lx.BASELINE_USES)
_NOT_VERBS = frozenset(stem(w) for w in lx.NOT_VERBS)


class Clause:
    """The facets of one sentence as extracted (links as ``[text](url)``), each a frozenset of labels
    computed on first use."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.text = prose(raw)

    def gained(self, other: Clause, facet: str) -> list[str]:
        """Labels of ``facet`` this clause has and ``other`` lacks, sorted (verbs compared by stem, names
        by their words, places case-blind)."""
        key = _KEYS.get(facet, str)
        theirs = {key(label) for label in getattr(other, facet)}
        return sorted(label for label in getattr(self, facet) if key(label) not in theirs)

    @cached_property
    def data(self) -> frozenset[str]:
        """Data categories named, not negated."""
        return affirmed(lx.DATA_TYPES, self.text)

    @cached_property
    def uses(self) -> frozenset[str]:
        """The verbs of purpose clauses (``to estimate …``, ``by searching for …``, ``pour tester``, ``um … zu
        testen``) beyond running the service."""
        verbs = {m.group(1) for m in _INFINITIVE.finditer(self.text)
                 if not _NOT_PURPOSE_AFTER.search(self.text[max(0, m.start() - 40) : m.start()])}  # fmt: skip
        verbs.update(m.group(1) for m in _GERUND.finditer(self.text))
        verbs.update(m.group(1) for m in _FRENCH_INFINITIVE.finditer(self.text))
        for purpose in _GERMAN_PURPOSE.finditer(self.text):
            verbs.update(a or b for a, b in _GERMAN_INFINITIVE.findall(purpose.group()))
        return frozenset(v for v in verbs if stem(v) not in _BASELINE_USES and stem(v) not in _NOT_VERBS)

    @cached_property
    def recipients(self) -> frozenset[str]:
        """Recipient categories and named processors, not negated."""
        return affirmed(lx.RECIPIENTS, self.text) | affirmed(lx.NAMED_PROCESSORS, self.text)

    @cached_property
    def audiences(self) -> frozenset[str]:
        """Who can see the data (your matches, other users, people nearby, the public)."""
        return affirmed(lx.AUDIENCES, self.text) if _VISIBILITY.search(self.text) else frozenset()

    @cached_property
    def security(self) -> frozenset[str]:
        """Security measures named (security, encryption, access controls, pseudonymisation)."""
        return frozenset(lx.SECURITY.find(self.text))

    @cached_property
    def scopes(self) -> frozenset[str]:
        """What a security promise covers (in transit, at rest, end-to-end, all data)."""
        return frozenset(lx.SECURITY_SCOPES.find(self.text)) if self.security else frozenset()

    @cached_property
    def locations(self) -> frozenset[str]:
        """Countries and regions named in a sentence about transfers."""
        return frozenset(lx.COUNTRIES.find(self.text)) if lx.TRANSFER_CONTEXT.search(self.text) else frozenset()

    @cached_property
    def storage(self) -> frozenset[str]:
        """Countries and regions named in a sentence about where data is stored or hosted."""
        return frozenset(lx.COUNTRIES.find(self.text)) if lx.STORAGE_CONTEXT.search(self.text) else frozenset()

    @cached_property
    def rights(self) -> frozenset[str]:
        """Data-subject rights named (access, delete, object, appeal …)."""
        return frozenset(lx.RIGHTS.find(self.text))

    @cached_property
    def channels(self) -> frozenset[str]:
        """How a request can be made: e-mail, web form, web page, phone, post, in-app settings."""
        kinds = set(lx.RIGHTS_CHANNELS.find(self.text))
        targets = [t for _, t in _LINK.findall(self.raw)] + _URL.findall(self.raw) + _DOMAIN_PATH.findall(self.text)
        for target in map(str.lower, targets):
            if target.startswith("mailto:"):
                kinds.add("e-mail")
            elif target.startswith("tel:"):
                kinds.add("phone")
            else:
                kinds.add("web form" if re.search(r"form|request|submit|contact", target) else "web page")
        return frozenset(kinds | ({"e-mail"} if self.addresses else set()))

    @cached_property
    def addresses(self) -> frozenset[str]:
        """E-mail addresses in link targets and as read (obfuscated ones too: ``dpo [at] acme [dot] example``),
        lower-cased."""
        found = lx.EMAIL.findall(deobfuscate(self.raw)) + lx.EMAIL.findall(deobfuscate(self.text))
        return frozenset(m.lower() for m in found)

    @cached_property
    def applies_to(self) -> frozenset[str]:
        """In a sentence about rights: the jurisdictions and regions it is for (who may use them)."""
        if not (self.rights or lx.RIGHTS_CONTEXT.search(self.text)):
            return frozenset()
        names = {m.group() for m in lx.JURISDICTIONS.finditer(self.text)}
        names = {name for name in names if name.lower() not in lx.GENERIC_JURISDICTION_WORDS}
        return frozenset(names | set(lx.COUNTRIES.find(self.text)))

    @cached_property
    def legal_bases(self) -> frozenset[str]:
        """Legal bases named (consent, contract, legitimate interests …)."""
        return frozenset(lx.LEGAL_BASES.find(self.text))

    @cached_property
    def choice(self) -> frozenset[str]:
        """The choice the user has: required, asked, optional."""
        return frozenset(lx.CHOICE.find(self.text))

    @cached_property
    def entities(self) -> frozenset[str]:
        """Organisations with a legal form, and names given for a role (``Representative: Prighter Group``)."""
        names = [org.strip() for org in lx.ORGANISATION.findall(self.text)]
        names += [" ".join(m.group(1).split()).rstrip(".,") for m in _ROLE_NAME.finditer(self.text)]
        return frozenset({_entity_key(name): name for name in reversed(names) if _entity_key(name)}.values())

    @cached_property
    def version_note(self) -> bool:
        """Whether the sentence only dates the document or points to its previous version."""
        return is_version_note(self.text)


def word_stems(text: str) -> frozenset[str]:
    """The stems of a text's words (a verb it already has, in any form, is no new use)."""
    return frozenset(stem(w) for w in _WORDS.findall(text))


def prose(text: str) -> str:
    """Links read as their text, bare URLs dropped, blockquote markers gone."""
    return _URL.sub(" ", _LINK.sub(r"\1", text)).lstrip("> ")


def negated_at(text: str, position: int) -> bool:
    """Whether the mention at ``position`` is negated in its clause: a negation up to 12 words before it
    (``we do not collect``, ``nous ne collectons jamais``), or a German one after it (``erheben wir nicht``).
    ``not only`` / ``nicht nur`` is no negation."""
    start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, position)), default=0)
    before = " ".join(text[start:position].split()[-12:])
    if any(not _NOT_ONLY.match(before, m.end()) for m in lx.NEGATIONS.finditer(before)):
        return True
    end = _CLAUSE_BREAK.search(text, position)
    after = text[position : end.start() if end else len(text)]
    return any(not _NOT_ONLY.match(after, m.end()) for m in lx.GERMAN_NEGATIONS.finditer(after))


def affirmed(lexicon: lx.Lexicon, text: str) -> frozenset[str]:
    """Labels of ``lexicon`` with at least one mention in ``text`` that is not negated."""
    return frozenset(label for label, start, _ in lexicon.matches(text) if not negated_at(text, start))


@lru_cache(maxsize=8192)
def clause(raw: str) -> Clause:
    """The (memoised) clause of one sentence as extracted."""
    return Clause(raw)


def deobfuscate(text: str) -> str:
    """E-mail addresses written ``dpo [at] acme [dot] example`` as ``dpo@acme.example``."""
    return lx.OBFUSCATED_DOT.sub(".", lx.OBFUSCATED_AT.sub("@", text))


def durations(text: str) -> set[tuple[int, str]]:
    """The periods a sentence names, as (count, day | week | month | year)."""
    found = set()
    for number, unit in lx.DURATION.findall(text):
        value = int(number) if number.isdigit() else lx.WORD_NUMBERS.get(number.lower(), 1)
        found.add((value, next(norm for prefix, norm in lx.UNITS if unit.lower().startswith(prefix))))
    return found


def _entity_key(name: str) -> str:
    return re.sub(r"\W+", "", name).lower()


_KEYS = {"uses": stem, "entities": _entity_key, "applies_to": str.lower}


@lru_cache(maxsize=4096)
def is_version_note(text: str) -> bool:
    """Whether a sentence only dates the document or points to its previous version (no practice in it)."""
    words = _WORDS.findall(text)
    if not words or len(words) > _NOTE_MAX_WORDS:
        return False
    if not (_VERSION_NOTE.search(text) or detect_dates(text).primary is not None):
        return False
    return not (lx.DATA_TYPES.search(text) or lx.SHARE_VERBS.search(text) or lx.RIGHTS_CONTEXT.search(text))
