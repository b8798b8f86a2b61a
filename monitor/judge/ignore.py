"""A team's ignore rules: sentences it never wants to hear about, dropped from a diff before it is judged.

A rule is a sentence, matched whole (case, spacing, quotes and dashes aside), or ``re:`` and a regular
expression searched in each sentence, case-insensitively. A changed sentence is ignored when every side
of it that exists (the old one, the new one) matches a rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from monitor.text.normalize import normalize_for_hash

if TYPE_CHECKING:  # the config checks rules with this module: it stays light to import
    from monitor.judge.semdiff import SemanticDiff, Unit

REGEX_PREFIX = "re:"


def check_rule(rule: str) -> str:
    """`rule` itself when it is usable, else ValueError saying why (for the config's one-line errors)."""
    if rule.startswith(REGEX_PREFIX):
        try:
            re.compile(rule.removeprefix(REGEX_PREFIX))
        except re.error as exc:
            raise ValueError(f"not a regular expression: {rule!r} ({exc})") from None
    elif not normalize_for_hash(rule).strip():
        raise ValueError("an ignore rule must not be empty")
    return rule


@dataclass(frozen=True)
class IgnoreRules:
    """Compiled ignore rules."""

    sentences: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def of(cls, rules: Sequence[str]) -> IgnoreRules:
        """Compile rules as written in the config."""
        sentences = frozenset(_key(rule) for rule in rules if not rule.startswith(REGEX_PREFIX))
        patterns = tuple(re.compile(r.removeprefix(REGEX_PREFIX), re.I) for r in rules if r.startswith(REGEX_PREFIX))
        return cls(sentences, patterns)

    def __bool__(self) -> bool:
        return bool(self.sentences or self.patterns)

    def matches(self, sentence: str) -> bool:
        """Whether `sentence` is text the team never wants to hear about."""
        return _key(sentence) in self.sentences or any(p.search(sentence) for p in self.patterns)

    def covers(self, unit: Unit) -> bool:
        """Whether every side of a changed sentence matches a rule."""
        return all(self.matches(side) for side in (unit.old, unit.new) if side is not None)


NO_RULES = IgnoreRules.of(())


def drop_ignored(diff: SemanticDiff, rules: IgnoreRules) -> tuple[SemanticDiff, int]:
    """The diff without the sentences the rules cover, and how many were dropped."""
    if not rules:
        return diff, 0
    kept = tuple(unit for unit in diff.units if not rules.covers(unit))
    return type(diff)(kept), len(diff.units) - len(kept)


def _key(sentence: str) -> str:
    return " ".join(normalize_for_hash(sentence).casefold().split())
