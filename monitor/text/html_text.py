"""lxml HTML trees as readable, stable line-oriented text.

One block (paragraph, heading, list item, table row) per line, headings prefixed
with ``#`` by level, list items with ``- ``, table cells joined by `` | ``,
``<br>`` as a line break, whitespace collapsed inside a line and no blank lines.
Links become ``[text](url)`` when a URL resolver is given and accepts the href.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from lxml import etree

BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
        "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu",
        "nav", "ol", "option", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead",
        "tr", "ul", "caption",
    }
)  # fmt: skip
HEADING_LEVELS = {f"h{n}": n for n in range(1, 7)}
CELL_TAGS = frozenset({"td", "th"})
SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "head", "object", "embed", "canvas",
     "math", "title", "meta", "link", "base"}
)  # fmt: skip

UrlResolver = Callable[[str], str | None]
_OpenLink = tuple[int, int, str, etree._Element]  # parts index, line generation, url, element


_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_ANY_CONTROL = re.compile("[" + "".join(map(chr, _CONTROLS)) + "]")


def collapse(text: str) -> str:
    """Drop control characters, collapse whitespace runs (NBSP included) to one space, strip."""
    if _ANY_CONTROL.search(text):  # rare: a search is much cheaper than a translation
        text = text.translate(_CONTROLS)
    return " ".join(text.split())


class _Writer:
    """Accumulates inline text and turns block boundaries into lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.parts: list[str] = []
        self.prefix = ""
        self.generation = 0  # bumped on every line break, so a link knows if it spans lines
        self.cells: list[list[str]] | None = None  # open table row: finished cell texts
        self.cell_depth = 0  # >0 while inside a table cell: blocks become spaces

    def text(self, value: str | None) -> None:
        if value:
            self.parts.append(value)

    def block_break(self) -> None:
        if self.cell_depth:
            self.parts.append(" ")
            return
        line = collapse("".join(self.parts))
        self.parts = []
        self.generation += 1
        if line:
            self.lines.append(self.prefix + line)
            self.prefix = ""

    def start_row(self) -> None:
        self.block_break()
        self.cells = []

    def start_cell(self) -> None:
        self.cell_depth += 1
        if self.cell_depth == 1:
            self.parts = []

    def end_cell(self) -> None:
        self.cell_depth -= 1
        if self.cell_depth == 0:
            cell = collapse("".join(self.parts))
            self.parts = []
            if self.cells is not None and cell:
                self.cells.append(cell)
            elif cell:  # a cell outside any row (broken table): a line of its own
                self.lines.append(cell)

    def end_row(self) -> None:
        if self.cells:
            self.lines.append(" | ".join(self.cells))
        self.cells = None
        self.generation += 1


def _walk(root: etree._Element, writer: _Writer, resolve: UrlResolver | None) -> None:
    """Depth-first walk with an explicit stack (no recursion limit on deep pages)."""
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    links: list[_OpenLink] = []
    while stack:
        el, closing = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else None
        if closing:
            _close(el, tag, writer, links)
            if el is not root:
                writer.text(el.tail)
            continue
        if tag is None or tag in SKIPPED_TAGS:
            if el is not root:
                writer.text(el.tail)
            continue
        _open(el, tag, writer, links, resolve)
        writer.text(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))


def _open(el: etree._Element, tag: str, writer: _Writer, links: list[_OpenLink], resolve: UrlResolver | None) -> None:
    if tag in CELL_TAGS:
        writer.start_cell()
    elif tag == "tr" and not writer.cell_depth:
        writer.start_row()
    elif tag == "br":
        writer.block_break()
    elif tag in BLOCK_TAGS:
        writer.block_break()
        if not writer.cell_depth:
            if tag in HEADING_LEVELS:
                writer.prefix = "#" * HEADING_LEVELS[tag] + " "
            elif tag == "li":
                writer.prefix = _list_marker(el)
    elif tag == "a" and resolve is not None:
        href = el.get("href")
        url = resolve(href) if href else None
        if url:
            links.append((len(writer.parts), writer.generation, url, el))


def _list_marker(item: etree._Element) -> str:
    """``- `` for a bullet, ``N. `` for an item of an ordered list (``start`` honoured)."""
    parent = item.getparent()
    if parent is None or parent.tag != "ol":
        return "- "
    start = parent.get("start", "1").strip()
    number = int(start) if start.lstrip("-").isdigit() else 1
    for sibling in item.itersiblings(preceding=True):
        if sibling.tag == "li":
            number += 1
    return f"{number}. "


def _close(el: etree._Element, tag: str | None, writer: _Writer, links: list[_OpenLink]) -> None:
    if tag in CELL_TAGS:
        writer.end_cell()
    elif tag == "tr" and not writer.cell_depth:
        writer.block_break()
        writer.end_row()
    elif tag in BLOCK_TAGS:
        writer.block_break()
    elif links and links[-1][3] is el:
        start, generation, url, _ = links.pop()
        if generation == writer.generation:
            inner = "".join(writer.parts[start:])
            label = collapse(inner)
            if label:  # keep the outer whitespace so neighbouring words do not merge
                lead = " " if inner[0].isspace() else ""
                trail = " " if inner[-1].isspace() else ""
                writer.parts[start:] = [f"{lead}[{label}]({url}){trail}"]


def html_to_text(roots: Iterable[etree._Element], resolve: UrlResolver | None = None) -> str:
    """Render the given elements (each with its subtree, never its tail) as text lines."""
    writer = _Writer()
    for root in roots:
        writer.block_break()
        _walk(root, writer, resolve)
        writer.block_break()
    return "\n".join(writer.lines)
