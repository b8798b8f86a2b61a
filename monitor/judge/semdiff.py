"""Sentence-level ("semantic") diff of two extracted policy texts.

Both texts are split into sentences under their headings (``monitor.judge.sentences``); the two sentence
sequences are aligned with diff-match-patch, one character per normalised sentence. Inside each
replaced region, similar sentences are paired as ``modified`` (with their word diff) and the rest
are ``added`` or ``removed``; a sentence removed in one place and added in another is ``moved``.
Differences that vanish under ``normalize_for_hash`` are not changes at all, nor is a sentence removed
or added while a copy of it stays in the text (a duplicate collapsed or repeated).

Pairing and moves compare :func:`canonical` forms (markup, numbering, link targets and heading case
dropped, dates written one way), so that a cosmetic edit still pairs; units keep the real text for
display. A unit in a section that the page's own contents list but its body lacks (or lacked) is
marked ``incomplete``: the page was published broken, the vendor did not remove (or add) that section.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import Any, Literal

from monitor.judge.lexicons import EMAIL, MONTH_NUMBERS, MONTHS, OBFUSCATED_AT, OBFUSCATED_DOT
from monitor.judge.sentences import Sentence, sectioned_lines, split_block
from monitor.judge.textdiff import DELETE, EQUAL, INSERT, diff_tokens, word_diff
from monitor.text.language import sentence_language
from monitor.text.normalize import normalize_for_hash

UnitKind = Literal["added", "removed", "modified", "moved"]
KINDS: tuple[UnitKind, ...] = ("added", "removed", "modified", "moved")
SIMILARITY = 0.5  # word-level Dice coefficient from which two sentences count as one modified sentence
SOLE_SIMILARITY = 0.3  # the same when one sentence alone replaces one other in place
MAX_PAIRS = 20_000  # similarity computations per replaced region; beyond, only near-diagonal pairs
_WORD = re.compile(r"\w+")
_DUPLICATE_MIN_WORDS = 4  # shorter sentences ("- Name", "Contract") legitimately recur in lists and tables
_LINK = re.compile(r"!?\[([^\]\n]*)\]\(((?:[^()\s]|\([^()]*\))*)\)")
_BARE_URL = re.compile(r"(?:https?://|www\.)[^\s)\]]+", re.IGNORECASE)
_MARKUP = re.compile(r"<br\s*/?>|[*_`\\]", re.IGNORECASE)
_LEADING = re.compile(r"^(?:#{1,6}\s*|>\s*|[-*•]\s*|\(?(?:\d+(?:\.\d+)*|[a-z]|[ivxlc]+)[.)]\.?\s*(?=\S))+", re.I)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?)\]])")
_NO_SPACE_AFTER_PUNCTUATION = re.compile(r"([,;])(?=[^\W\d_])")
_HIDDEN_EMAIL = re.compile(r"\[email(?:\s|&#160;|&nbsp;)+protected\]", re.IGNORECASE)
_MONTH = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))
_DATES = re.compile(
    rf"(?<!\w)(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th|er)?\.?\s+(?:of\s+)?(?P<m1>{_MONTH})\.?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{1,2})-(?P<d3>\d{1,2})|(?P<d4>\d{1,2})\.(?P<m4>\d{1,2})\.(?P<y4>\d{4})"
    r"|(?P<d5>\d{1,2})/(?P<m5>\d{1,2})/(?P<y5>\d{4}))(?!\w)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Unit:
    """One changed sentence: ``old``/``new`` text (None when absent), its heading path, its word diff."""

    kind: UnitKind
    old: str | None
    new: str | None
    section: tuple[str, ...]
    words: tuple[tuple[int, str], ...] = ()
    incomplete: bool = False  # in a section the page's contents list but its body lacks (or lacked)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = {
            "kind": self.kind,
            "old": self.old,
            "new": self.new,
            "section": list(self.section),
            "words": [list(w) for w in self.words],
        }
        return data | {"incomplete": True} if self.incomplete else data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Unit:
        """Rebuild from :meth:`to_dict` output."""
        words = tuple((int(op), str(text)) for op, text in data.get("words", ()))
        section = tuple(data.get("section", ()))
        return cls(data["kind"], data.get("old"), data.get("new"), section, words, bool(data.get("incomplete")))


@dataclass(frozen=True)
class SectionSummary:
    """How many sentences of each kind changed under one heading path."""

    section: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The heading path joined by `` > `` (``(top)`` before the first heading)."""
        return " > ".join(self.section) or "(top)"

    @property
    def changed(self) -> int:
        """Sentences added, removed or modified (moved ones excluded)."""
        return sum(n for kind, n in self.counts.items() if kind != "moved")

    @property
    def label(self) -> str:
        """E.g. ``Sharing (3 sentences changed)`` or ``Sharing (1 sentence changed, 2 moved)``."""
        parts = [f"{_sentences(self.changed)} changed"] if self.changed else []
        moved = self.counts.get("moved", 0)
        if moved:
            parts.append(f"{moved} moved" if parts else f"{_sentences(moved)} moved")
        return f"{self.title} ({', '.join(parts)})"


def _sentences(n: int) -> str:
    return f"{n} sentence" if n == 1 else f"{n} sentences"


@dataclass(frozen=True)
class SemanticDiff:
    """The changed sentences between two versions, in the new version's order."""

    units: tuple[Unit, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when nothing changed beyond normalisation."""
        return not self.units

    def sections(self) -> list[SectionSummary]:
        """Per heading path (in order of first appearance), the counts of changed sentences by kind."""
        counts: dict[tuple[str, ...], Counter[str]] = {}
        for unit in self.units:
            counts.setdefault(unit.section, Counter())[unit.kind] += 1
        return [SectionSummary(section, {k: c[k] for k in KINDS if c[k]}) for section, c in counts.items()]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``from_dict`` inverts it)."""
        return {"units": [unit.to_dict() for unit in self.units]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SemanticDiff:
        """Rebuild from :meth:`to_dict` output."""
        return cls(tuple(Unit.from_dict(u) for u in data.get("units", ())))


def canonical(text: str) -> str:
    """The comparison form of a sentence: what is left when only its looks could differ.

    Entities unescaped, markup (emphasis, code, escapes, ``<br>``), heading and list markers and numbering
    dropped, links read as their text and bare URLs dropped (compare targets with :func:`link_targets`),
    headings case-folded, e-mail addresses (plain, ``dpo [at] acme [dot] example`` or Cloudflare's hidden
    ``[email protected]``) all read ``<email>`` (compare them with the clause's addresses), dates written
    ``YYYY-MM-DD`` (``01/05/2024`` day-first in a sentence in another language than English, kept as written
    in an English one when either order is possible), spaces around punctuation made regular and whitespace collapsed.
    """
    heading = text.lstrip().startswith("#")
    text = _HIDDEN_EMAIL.sub("<email>", _MARKUP.sub("", html.unescape(text)))
    text = _BARE_URL.sub(" ", _LINK.sub(r"\1", text))
    text = EMAIL.sub("<email>", OBFUSCATED_DOT.sub(".", OBFUSCATED_AT.sub("@", text)))
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", normalize_for_hash(_NO_SPACE_AFTER_PUNCTUATION.sub(r"\1 ", text)))
    day_first = "/" in text and sentence_language(text) not in (None, "en")
    text = _LEADING.sub("", _DATES.sub(partial(_iso_date, day_first=day_first), text)).strip()
    return text.casefold() if heading else text


def link_targets(text: str) -> tuple[str, ...]:
    """The link targets and bare URLs of a sentence, in order."""
    return tuple(target for _, target in _LINK.findall(text)) + tuple(_BARE_URL.findall(_LINK.sub("", text)))


def _iso_date(match: re.Match[str], day_first: bool) -> str:
    groups = match.groupdict()
    n = next(n for n in "12345" if groups[f"y{n}"])
    month, day = groups[f"m{n}"], int(groups[f"d{n}"])
    if n == "5" and not (day > 12 or day_first):
        if int(month) <= 12:
            return match.group()  # 01/05/2024 in English: 1 May or January 5
        month, day = str(day), int(month)
    number = int(month) if month.isdigit() else MONTH_NUMBERS[month.lower()]
    return f"{groups[f'y{n}']}-{number:02d}-{day:02d}" if 1 <= number <= 12 and 1 <= day <= 31 else match.group()


@dataclass(frozen=True, eq=False)
class _Item:
    """A sentence with its alignment key (items compare by identity)."""

    sentence: Sentence
    key: str

    @cached_property
    def canon(self) -> str:
        """The sentence's canonical form (only changed sentences need it)."""
        return canonical(self.sentence.text)


@dataclass
class _Region:
    """A run of removed and added sentences between two equal runs."""

    removed: list[_Item]
    added: list[_Item]


def semantic_diff(old: str, new: str) -> SemanticDiff:
    """The sentence-level diff of two extracted texts.

    Lines are aligned first; only the lines of changed runs are split into sentences and aligned again,
    so the cost of a few edits does not grow with the square of the document.
    """
    old_hashed, new_hashed = normalize_for_hash(old), normalize_for_hash(new)
    if old_hashed == new_hashed:
        return SemanticDiff()
    old_lines, new_lines = sectioned_lines(old), sectioned_lines(new)
    regions: list[_Region] = []
    for old_run, new_run in _runs([line for _, line in old_lines], [line for _, line in new_lines]):
        old_items, new_items = _items(old_lines[old_run]), _items(new_lines[new_run])
        for old_sub, new_sub in _runs([it.key for it in old_items], [it.key for it in new_items]):
            regions.append(_Region(old_items[old_sub], new_items[new_sub]))
    moved = _match_moved(regions)
    copies = _Copies(f" {old_hashed} ", f" {new_hashed} ")
    units: list[Unit] = []
    for region in regions:
        units.extend(_region_units(region, moved, copies))
    if not any(unit.kind in ("added", "removed") and (unit.old or unit.new or "").startswith("#") for unit in units):
        return SemanticDiff(tuple(units))  # no section came or went
    broken = _Contents(old_lines, new_lines)
    return SemanticDiff(tuple(broken.mark(unit) for unit in units))


def _items(lines: list[tuple[tuple[str, ...], str]]) -> list[_Item]:
    sentences = [Sentence(section, text) for section, line in lines for text in split_block(line)]
    return [_Item(sentence, normalize_for_hash(sentence.text)) for sentence in sentences]


@dataclass(frozen=True)
class _Copies:
    """Both texts, normalised and space-padded, to tell a duplicate copy from a real addition or removal."""

    old: str
    new: str

    def removed(self, item: _Item) -> bool:
        """A removed sentence a copy of which stays in the new text (a duplicate collapsed)."""
        return _long(item) and f" {item.key} " in self.new

    def added(self, item: _Item) -> bool:
        """An added sentence the old text had and the new one now has twice (a line repeated)."""
        if not (_long(item) and f" {item.key} " in self.old):
            return False
        return len(re.findall(f"(?= {re.escape(item.key)} )", self.new)) > 1


def _long(item: _Item) -> bool:
    return len(_WORD.findall(item.key)) >= _DUPLICATE_MIN_WORDS


class _Contents:
    """Sections a page's own table of contents lists but its body lacks: the page was published broken."""

    def __init__(self, old: list[tuple[tuple[str, ...], str]], new: list[tuple[tuple[str, ...], str]]) -> None:
        self.old_headings, old_entries = _headings_and_entries(old)
        self.new_headings, new_entries = _headings_and_entries(new)
        self.missing = (set(self.old_headings) - set(self.new_headings)) & new_entries  # the new page lacks them
        self.restored = (set(self.new_headings) - set(self.old_headings)) & old_entries  # the old page lacked them

    def mark(self, unit: Unit) -> Unit:
        """The unit, marked ``incomplete`` when it lies in such a section."""
        if not (self.missing or self.restored) or unit.kind == "moved":
            return unit
        gone, kept = (self.missing, self.new_headings) if unit.new is None else (self.restored, self.old_headings)
        text = unit.old or unit.new or ""
        path = [*unit.section, _title(text)] if text.startswith("#") else list(unit.section)
        for title in reversed(path):
            key = _title_key(title)
            if key in gone:
                return replace(unit, incomplete=True)
            if key in kept:
                break
        return unit


def _headings_and_entries(lines: list[tuple[tuple[str, ...], str]]) -> tuple[dict[str, str], set[str]]:
    """A text's headings (key -> title) and its short plain lines (keys): contents entries look like that."""
    headings: dict[str, str] = {}
    entries: set[str] = set()
    for _, line in lines:
        if line.startswith("#"):
            headings[_title_key(_title(line))] = _title(line)
        elif len(line) <= 120:
            entries.add(_title_key(line))
    return headings, entries


def _title(heading: str) -> str:
    return heading.lstrip("#").strip()


def _title_key(text: str) -> str:
    return canonical(f"# {text}")


def _runs(old: list[str], new: list[str]) -> list[tuple[slice, slice]]:
    """The non-equal runs of a diff-match-patch alignment, as (old slice, new slice) pairs in order."""
    runs: list[tuple[slice, slice]] = []
    i = j = 0
    open_run = False
    for op, keys in diff_tokens(old, new):
        if op == EQUAL:
            i, j, open_run = i + len(keys), j + len(keys), False
            continue
        if not open_run:
            runs.append((slice(i, i), slice(j, j)))
            open_run = True
        old_run, new_run = runs[-1]
        if op == DELETE:
            i += len(keys)
            runs[-1] = (slice(old_run.start, i), new_run)
        else:
            j += len(keys)
            runs[-1] = (old_run, slice(new_run.start, j))
    return runs


def _match_moved(regions: list[_Region]) -> dict[_Item, _Item]:
    """Pair sentences removed and added verbatim anywhere, or with only cosmetic edits in another region:
    added item -> the removed item it moved from (a cosmetic edit in place stays a modification)."""
    removed: dict[str, list[tuple[int, _Item]]] = {}
    for index, region in enumerate(regions):
        for item in region.removed:
            removed.setdefault(item.canon, []).append((index, item))
    moved: dict[_Item, _Item] = {}
    for index, region in enumerate(regions):
        for item in region.added:
            sources = removed.get(item.canon, [])
            found = next((s for s in sources if s[1].key == item.key or s[0] != index), None)
            if found:
                sources.remove(found)
                moved[item] = found[1]
    return moved


def _region_units(region: _Region, moved: dict[_Item, _Item], copies: _Copies) -> list[Unit]:
    """Units of one region: unpaired removed sentences first, then the new side in order (unpaired
    duplicate copies left out)."""
    moved_from = set(moved.values())
    removed = [it for it in region.removed if it not in moved_from]
    pairs = _pair_similar(removed, [it for it in region.added if it not in moved])
    paired_old = set(pairs.values())
    units = [
        Unit("removed", it.sentence.text, None, it.sentence.section, ((DELETE, it.sentence.text),))
        for it in removed
        if it not in paired_old and not copies.removed(it)
    ]
    for item in region.added:
        text, section = item.sentence.text, item.sentence.section
        if item in moved:
            units.append(Unit("moved", moved[item].sentence.text, text, section, ((EQUAL, text),)))
        elif item in pairs:
            before = pairs[item].sentence.text
            units.append(Unit("modified", before, text, section, tuple(word_diff(before, text))))
        elif not copies.added(item):
            units.append(Unit("added", None, text, section, ((INSERT, text),)))
    return units


def _pair_similar(removed: list[_Item], added: list[_Item]) -> dict[_Item, _Item]:
    """Greedily pair the most similar removed and added sentences (added item -> removed item)."""
    if not removed or not added:
        return {}
    bags_old = [_bag(it.canon) for it in removed]
    bags_new = [_bag(it.canon) for it in added]
    n_old, n_new = len(removed), len(added)
    threshold = SOLE_SIMILARITY if n_old == n_new == 1 else SIMILARITY
    band = n_old if n_old * n_new <= MAX_PAIRS else max(1, MAX_PAIRS // (2 * n_new))
    candidates: list[tuple[float, int, int]] = []
    for a, bag_new in enumerate(bags_new):
        centre = a * n_old // n_new
        for r in range(max(0, centre - band), min(n_old, centre + band + 1)):
            score = _similarity(bags_old[r], bag_new, threshold)
            if score >= threshold:
                candidates.append((score, r, a))
    pairs: dict[_Item, _Item] = {}
    used: set[int] = set()
    for _, r, a in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if r not in used and added[a] not in pairs:
            used.add(r)
            pairs[added[a]] = removed[r]
    return pairs


def _bag(text: str) -> tuple[Counter[str], int]:
    """The sentence's word multiset, numbers and month names folded, so that a changed date still pairs."""
    words = Counter(_placeholder(w) for w in _WORD.findall(text.lower()))
    return words, sum(words.values())


def _placeholder(word: str) -> str:
    return "<number>" if word.isdigit() else "<month>" if word in MONTHS else word


def _similarity(a: tuple[Counter[str], int], b: tuple[Counter[str], int], floor: float = SIMILARITY) -> float:
    """Dice coefficient of the two word multisets (0 when one is empty or it cannot reach ``floor``)."""
    total = a[1] + b[1]
    if not total or 2 * min(a[1], b[1]) < floor * total:
        return 0.0
    return 2 * sum((a[0] & b[0]).values()) / total
