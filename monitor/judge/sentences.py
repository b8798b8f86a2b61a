"""Split extracted policy text into sentences, each under its heading path.

The text is one block per line (see ``monitor.text.html_text``): ``#`` headings, ``- `` and ``N. `` list
items, `` | ``-joined table rows. Every block yields at least one sentence; headings and table rows
are never split. Inside a paragraph a sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by
white space and a capital, digit or opening quote, unless the word before the stop is an
abbreviation (``e.g.``, ``Inc.``, ``No.``, ``z. B.``) or the day of a German date (``1. Mai 2024``), and
never inside a URL, e-mail address or link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.judge.lexicons import MONTHS, words

_HEADING = re.compile(r"(#{1,6}) +(.*)")
_MARKER = re.compile(r"(?:#{1,6} |- |\d+\. )")
_STOP = re.compile(r"[.!?…][\"'”’»)\]]*\s+")
_OPENERS = "\"'“‘«([¿¡"
_PROTECTED = re.compile(
    r"!?\[[^\]\n]*\]\((?:[^()\s]|\([^()]*\))*\)"  # markdown link [text](url)
    r"|(?:https?://|www\.)\S*[^\s.,;:!?)\]\"'”’]"  # bare URL without its trailing punctuation
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # e-mail address
    re.IGNORECASE,
)
_MAYBE_PROTECTED = re.compile(r"\]\(|://|www\.|@", re.IGNORECASE)
_LAST_WORD = re.compile(r"[\w.&'-]*$")
_DAY = re.compile(r"\d{1,2}")
_NEXT_WORD = re.compile(r"[^\W\d_]+")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]|[^\W\d_]")  # e.g, i.e, U.S, z.B, single letters (J. Smith)
ABBREVIATIONS = words(
    """
    inc ltd co corp llc plc no nos nr mr mrs ms dr prof st jr sr vs approx incl excl dept est fig ref
    vol pp para sec art abs lit ca bzw ggf vgl usw sog evtl inkl max min mio mrd str tel ziff gem
    cf env mme mlle av
    """
)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a policy, with the texts of its enclosing headings (outermost first)."""

    section: tuple[str, ...]
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of an extracted text, in order, each under its heading path."""
    return [Sentence(section, s) for section, line in sectioned_lines(text) for s in split_block(line)]


def sectioned_lines(text: str) -> list[tuple[tuple[str, ...], str]]:
    """The non-empty lines of a text, each with the path of the headings above it (a heading: its parents)."""
    headings: list[tuple[int, str]] = []
    lines: list[tuple[tuple[str, ...], str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        heading = _HEADING.fullmatch(line) if line[0] == "#" else None
        if heading:
            level = len(heading.group(1))
            headings = [(lvl, title) for lvl, title in headings if lvl < level]
            lines.append((tuple(title for _, title in headings), line))
            headings.append((level, heading.group(2).strip()))
        else:
            lines.append((tuple(title for _, title in headings), line))
    return lines


def split_block(line: str) -> list[str]:
    """One block (a line) as sentences; its list marker stays on the first one."""
    if " | " in line or _HEADING.fullmatch(line):
        return [line]
    marker = _MARKER.match(line)
    start = marker.end() if marker else 0
    masked = _PROTECTED.sub(_mask, line) if _MAYBE_PROTECTED.search(line) else line
    pieces: list[str] = []
    for stop in _STOP.finditer(masked, start):
        if _is_boundary(masked, stop):
            pieces.append(line[start : stop.end()].strip())
            start = stop.end()
    pieces.append(line[start:].strip())
    if marker:
        pieces[0] = line[: marker.end()] + pieces[0]
    return [p for p in pieces if p]


def _mask(match: re.Match[str]) -> str:
    return "x" * len(match.group())


def _is_boundary(masked: str, stop: re.Match[str]) -> bool:
    following = masked[stop.end() : stop.end() + 1]
    if not following or not (following.isupper() or following.isdigit() or following in _OPENERS):
        return False
    if masked[stop.start()] != ".":
        return True
    word = _LAST_WORD.search(masked[max(0, stop.start() - 30) : stop.start()]).group().lstrip("'-&.")
    if _DAY.fullmatch(word):
        following_word = _NEXT_WORD.match(masked, stop.end())
        return not (following_word and following_word.group().lower() in MONTHS)
    return not (word.lower() in ABBREVIATIONS or _INITIALS.fullmatch(word))
