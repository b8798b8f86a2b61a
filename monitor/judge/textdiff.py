"""Line and word diffs between two extracted texts, with diff-match-patch.

Texts are diffed line by line first (one line is one paragraph, heading or list item), then the
changed lines are diffed word by word, so that output names whole paragraphs, not characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from diff_match_patch import diff_match_patch

DELETE, EQUAL, INSERT = (
    diff_match_patch.DIFF_DELETE,
    diff_match_patch.DIFF_EQUAL,
    diff_match_patch.DIFF_INSERT,
)
TIMEOUT_S = 2.0  # never 0: an unbounded diff of a rewrite takes minutes
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Hunk:
    """A run of lines that are equal, removed, added, or changed (removed lines replaced by added ones)."""

    kind: Literal["equal", "removed", "added", "changed"]
    old: list[str]
    new: list[str]


def _engine() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = TIMEOUT_S
    return dmp


def diff_tokens(old: list[str], new: list[str], *, semantic: bool = False) -> list[tuple[int, list[str]]]:
    """Diff two token sequences, each token mapped to one character (diff-match-patch's line trick).

    With `semantic`, small equalities between changes are merged into them, never splitting a token.
    """
    codes: dict[str, str] = {}
    vocabulary: list[str] = []

    def encode(tokens: list[str]) -> str:
        out = []
        for token in tokens:
            if token not in codes:
                codes[token] = chr(len(vocabulary) + 1)
                vocabulary.append(token)
            out.append(codes[token])
        return "".join(out)

    dmp = _engine()
    diffs = dmp.diff_main(encode(old), encode(new), False)
    if semantic:
        dmp.diff_cleanupSemantic(diffs)
    return [(op, [vocabulary[ord(c) - 1] for c in chars]) for op, chars in diffs]


def line_hunks(old: str, new: str) -> list[Hunk]:
    """The line-level diff of two texts as hunks, in order."""
    hunks: list[Hunk] = []
    for op, lines in diff_tokens(old.splitlines(), new.splitlines()):
        if op == EQUAL:
            hunks.append(Hunk("equal", lines, lines))
        elif op == DELETE:
            hunks.append(Hunk("removed", lines, []))
        elif hunks and hunks[-1].kind == "removed":
            hunks[-1] = Hunk("changed", hunks[-1].old, lines)
        else:
            hunks.append(Hunk("added", [], lines))
    return hunks


def line_counts(old: str, new: str) -> tuple[int, int]:
    """How many lines `new` adds and removes relative to `old`."""
    added = removed = 0
    for hunk in line_hunks(old, new):
        if hunk.kind != "equal":
            added += len(hunk.new)
            removed += len(hunk.old)
    return added, removed


def word_diff(old: str, new: str) -> list[tuple[int, str]]:
    """A word-level diff: (DELETE | EQUAL | INSERT, text) pairs, tidied for human reading."""
    diffs = diff_tokens(_TOKEN.findall(old), _TOKEN.findall(new), semantic=True)
    return [(op, "".join(tokens)) for op, tokens in diffs]
