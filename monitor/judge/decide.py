"""What a readable page means for its document: unchanged, a flip-flop, a change back that held, or new.

Pure functions over the texts: the recorder gathers the facts and applies the decision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from monitor.judge.materiality import classify
from monitor.judge.semdiff import semantic_diff
from monitor.judge.textdiff import line_counts

DecisionKind = Literal["first_version", "unchanged", "flip_flop", "reverted", "new_version"]
NEAR_EQUAL_SHARE = 0.01  # at most this share of lines (and at least one) may differ
CLOSER_SHARE = 0.5  # a recent version this much closer than the current one is the base of a new version's change


@dataclass(frozen=True)
class Known:
    """A stored version as the decision sees it."""

    id: int
    text: str
    text_hash: str


@dataclass(frozen=True)
class Decision:
    """The decision, and the id of the version it refers to (the current one, or the one returned to).

    For a new version, `base` is a recent version much closer to the new text than the current one
    (a page that serves variants): the change is told against it, so that it shows what is new.
    """

    kind: DecisionKind
    match: int | None = None
    base: int | None = None


def decide(
    text: str,
    text_hash: str,
    current: Known | None,
    recent: Sequence[Known],
    streak: Callable[[int], int],
    confirmations: int,
) -> Decision:
    """Decide on a new readable text.

    `recent` are the last distinct versions before the current one, newest first; `streak(id)`
    says how many fetches in a row just before this one already returned to version `id`. A
    return to a recent version is a `flip_flop` until it holds for `confirmations` fetches in a
    row; then it is `reverted`, a real change back (recorded as a Change of kind `reversion`).
    """
    if current is None:
        return Decision("first_version")
    if text_hash == current.text_hash:
        return Decision("unchanged", current.id)
    earlier, closer = _returned_to(text, text_hash, current, recent)
    if earlier is None:
        return Decision("new_version", base=closer.id if closer else None)
    if streak(earlier.id) + 1 >= confirmations:
        return Decision("reverted", earlier.id)
    return Decision("flip_flop", earlier.id)


def _returned_to(
    text: str, text_hash: str, current: Known, recent: Sequence[Known]
) -> tuple[Known | None, Known | None]:
    """The recent version the text equals, or nearly equals (a few lines apart, all of them noise, and
    closer to it than to the current version); else None and the recent version much closer to the
    text than the current one, if any."""
    for version in recent:
        if version.text_hash == text_hash:
            return version, None
    if not recent:
        return None, None
    distance, best = min(((_distance(v.text, text), v) for v in recent), key=lambda pair: pair[0])
    from_current = _distance(current.text, text)
    closer = best if distance < CLOSER_SHARE * from_current else None
    allowed = max(1, int(NEAR_EQUAL_SHARE * len(text.splitlines())))
    if distance > allowed or distance >= from_current:
        return None, closer
    return (best, None) if classify(semantic_diff(best.text, text)).severity == "NOISE" else (None, closer)


def _distance(old: str, new: str) -> int:
    added, removed = line_counts(old, new)
    return max(added, removed)
