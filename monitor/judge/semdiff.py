"""Sentence-level ("semantic") diff of two extracted policy texts.

Both texts are split into sentences under their headings (``monitor.judge.sentences``); the two sentence
sequences are aligned with diff-match-patch, one character per normalised sentence. Inside each
replaced region, similar sentences are paired as ``modified`` (with their word diff) and the rest
are ``added`` or ``removed``; a sentence removed in one place and added verbatim in another is
``moved``. Differences that vanish under ``normalize_for_hash`` are not changes at all.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from monitor.judge.lexicons import MONTHS
from monitor.judge.sentences import Sentence, sectioned_lines, split_block
from monitor.judge.textdiff import DELETE, EQUAL, INSERT, diff_tokens, word_diff
from monitor.text.normalize import normalize_for_hash

UnitKind = Literal["added", "removed", "modified", "moved"]
KINDS: tuple[UnitKind, ...] = ("added", "removed", "modified", "moved")
SIMILARITY = 0.5  # word-level Dice coefficient from which two sentences count as one modified sentence
MAX_PAIRS = 20_000  # similarity computations per replaced region; beyond, only near-diagonal pairs
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Unit:
    """One changed sentence: ``old``/``new`` text (None when absent), its heading path, its word diff."""

    kind: UnitKind
    old: str | None
    new: str | None
    section: tuple[str, ...]
    words: tuple[tuple[int, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "old": self.old,
            "new": self.new,
            "section": list(self.section),
            "words": [list(w) for w in self.words],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Unit:
        """Rebuild from :meth:`to_dict` output."""
        words = tuple((int(op), str(text)) for op, text in data.get("words", ()))
        return cls(data["kind"], data.get("old"), data.get("new"), tuple(data.get("section", ())), words)


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


@dataclass(frozen=True, eq=False)
class _Item:
    """A sentence with its alignment key (items compare by identity)."""

    sentence: Sentence
    key: str


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
    if normalize_for_hash(old) == normalize_for_hash(new):
        return SemanticDiff()
    old_lines, new_lines = sectioned_lines(old), sectioned_lines(new)
    regions: list[_Region] = []
    for old_run, new_run in _runs([line for _, line in old_lines], [line for _, line in new_lines]):
        old_items, new_items = _items(old_lines[old_run]), _items(new_lines[new_run])
        for old_sub, new_sub in _runs([it.key for it in old_items], [it.key for it in new_items]):
            regions.append(_Region(old_items[old_sub], new_items[new_sub]))
    moved = _match_moved(regions)
    units: list[Unit] = []
    for region in regions:
        units.extend(_region_units(region, moved))
    return SemanticDiff(tuple(units))


def _items(lines: list[tuple[tuple[str, ...], str]]) -> list[_Item]:
    sentences = [Sentence(section, text) for section, line in lines for text in split_block(line)]
    return [_Item(sentence, normalize_for_hash(sentence.text)) for sentence in sentences]


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
    """Pair sentences removed and added verbatim anywhere: added item -> the removed item it moved from."""
    removed: dict[str, list[_Item]] = {}
    for region in regions:
        for item in region.removed:
            removed.setdefault(item.key, []).append(item)
    moved: dict[_Item, _Item] = {}
    for region in regions:
        for item in region.added:
            sources = removed.get(item.key)
            if sources:
                moved[item] = sources.pop(0)
    return moved


def _region_units(region: _Region, moved: dict[_Item, _Item]) -> list[Unit]:
    """Units of one region: unpaired removed sentences first, then the new side in order."""
    moved_from = set(moved.values())
    removed = [it for it in region.removed if it not in moved_from]
    pairs = _pair_similar(removed, [it for it in region.added if it not in moved])
    paired_old = set(pairs.values())
    units = [
        Unit("removed", it.sentence.text, None, it.sentence.section, ((DELETE, it.sentence.text),))
        for it in removed
        if it not in paired_old
    ]
    for item in region.added:
        text, section = item.sentence.text, item.sentence.section
        if item in moved:
            units.append(Unit("moved", moved[item].sentence.text, text, section, ((EQUAL, text),)))
        elif item in pairs:
            before = pairs[item].sentence.text
            units.append(Unit("modified", before, text, section, tuple(word_diff(before, text))))
        else:
            units.append(Unit("added", None, text, section, ((INSERT, text),)))
    return units


def _pair_similar(removed: list[_Item], added: list[_Item]) -> dict[_Item, _Item]:
    """Greedily pair the most similar removed and added sentences (added item -> removed item)."""
    if not removed or not added:
        return {}
    bags_old = [_bag(it.key) for it in removed]
    bags_new = [_bag(it.key) for it in added]
    n_old, n_new = len(removed), len(added)
    band = n_old if n_old * n_new <= MAX_PAIRS else max(1, MAX_PAIRS // (2 * n_new))
    candidates: list[tuple[float, int, int]] = []
    for a, bag_new in enumerate(bags_new):
        centre = a * n_old // n_new
        for r in range(max(0, centre - band), min(n_old, centre + band + 1)):
            score = _similarity(bags_old[r], bag_new)
            if score >= SIMILARITY:
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


def _similarity(a: tuple[Counter[str], int], b: tuple[Counter[str], int]) -> float:
    """Dice coefficient of the two word multisets (0 when one is empty)."""
    total = a[1] + b[1]
    if not total or 2 * min(a[1], b[1]) < SIMILARITY * total:
        return 0.0
    return 2 * sum((a[0] & b[0]).values()) / total
