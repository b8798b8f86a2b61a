"""PDF bytes to the same text form as an HTML page: one paragraph per line, ``#`` headings.

pdfminer.six groups each page's text into boxes, put in reading order here (a two-column page
reads the left column, then the right, between full-width blocks); lines in the top or bottom band
of a page that repeat on most pages (running headers and footers) and bare page numbers are
dropped; words hyphenated at a line end are joined; ligatures and other compatibility characters
are normalised (NFKC). A PDF with pages but no text at all has no text layer (a scan).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from io import BytesIO
from statistics import median
from urllib.parse import urlsplit

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTPage, LTTextBox, LTTextLine

#: Share of the page height, at the top and at the bottom, where running headers and footers live.
CHROME_BAND = 0.10
#: A band line is a running header or footer when it is on at least this share of the pages.
CHROME_REPEAT = 0.5
#: A paragraph in a font this much larger than the body's is a heading.
HEADING_RATIO = 1.15
#: Longer paragraphs are never headings.
HEADING_MAX_CHARS = 150

_PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
_UNTYPED = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?#(?:\s*(?:of|/)\s*#)?$|^-\s*#\s*-$", re.IGNORECASE)
_HYPHENATED = re.compile(r"(\w)-\n([a-zà-ÿ])")
_SPACE = re.compile(r"\s+")


def is_pdf(body: bytes, content_type: str | None = None, url: str | None = None) -> bool:
    """Whether a response is a PDF: by its magic bytes, its content type, or an untyped ``.pdf`` URL."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if body[:1024].lstrip().startswith(b"%PDF-") or kind in _PDF_TYPES:
        return True
    return kind in _UNTYPED and bool(url) and urlsplit(url).path.lower().endswith(".pdf")


@dataclass(frozen=True)
class _Line:
    text: str
    size: float  # median font size of its characters
    in_band: bool  # in the top or bottom band of its page
    box: int  # text box number, unique across pages


class UnreadablePdf(ValueError):
    """The PDF is damaged or truncated: pdfminer cannot read it."""


def pdf_text(body: bytes) -> str:
    """The text of a PDF ("" when it has no text layer); :class:`UnreadablePdf` when it cannot be read."""
    try:
        pages = list(extract_pages(BytesIO(body), laparams=LAParams()))
    except Exception as exc:  # pdfminer raises many kinds of errors on damaged files
        message = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise UnreadablePdf(f"the PDF cannot be read ({message})") from None
    lines = _lines(pages)
    chrome = _running_lines(lines, len(pages))
    return _paragraphs(
        [
            line
            for page in lines
            for line in page
            if not (line.in_band and (_key(line.text) in chrome or _is_page_number(line)))
        ]
    )


def _lines(pages: list[LTPage]) -> list[list[_Line]]:
    """Each page's text lines, in pdfminer's reading order."""
    out: list[list[_Line]] = []
    box = 0
    for page in pages:
        height = page.height or 1.0
        page_lines: list[_Line] = []
        for element in _reading_order([e for e in page if isinstance(e, LTTextBox)], page.x0 + page.width / 2):
            box += 1
            for line in element:
                if not isinstance(line, LTTextLine):
                    continue
                text = unicodedata.normalize("NFKC", line.get_text()).strip()
                sizes = [char.size for char in line if isinstance(char, LTChar)]
                if text and sizes:
                    band = min(page.y1 - line.y1, line.y0 - page.y0) < CHROME_BAND * height
                    page_lines.append(_Line(text, round(median(sizes), 1), band, box))
        out.append(page_lines)
    return out


def _reading_order(boxes: list[LTTextBox], middle: float) -> list[LTTextBox]:
    """Top to bottom, except that between two full-width boxes the left column comes before the right."""
    out: list[LTTextBox] = []
    left: list[LTTextBox] = []
    right: list[LTTextBox] = []
    for box in sorted(boxes, key=lambda b: -b.y1):
        if box.x1 <= middle:
            left.append(box)
        elif box.x0 >= middle:
            right.append(box)
        else:
            out += left + right + [box]
            left, right = [], []
    return out + left + right


def _key(text: str) -> str:
    return _DIGITS.sub("#", _SPACE.sub(" ", text).strip().lower())


def _is_page_number(line: _Line) -> bool:
    return bool(_PAGE_NUMBER.match(_key(line.text)))


def _running_lines(pages: list[list[_Line]], page_count: int) -> set[str]:
    """Digit-normalised texts of band lines found on at least :data:`CHROME_REPEAT` of the pages."""
    if page_count < 2:
        return set()
    counts = Counter(key for page in pages for key in {_key(line.text) for line in page if line.in_band})
    return {key for key, count in counts.items() if count >= CHROME_REPEAT * page_count}


def _paragraphs(lines: list[_Line]) -> str:
    """Join the kept lines into paragraphs (by text box and font size), headings marked with ``#``."""
    if not lines:
        return ""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    body = sizes.most_common(1)[0][0]
    heading_sizes = sorted({line.size for line in lines if line.size >= HEADING_RATIO * body}, reverse=True)
    groups: list[list[_Line]] = []
    for line in lines:
        if groups and groups[-1][-1].box == line.box and groups[-1][-1].size == line.size:
            groups[-1].append(line)
        else:
            groups.append([line])
    out = []
    for group in groups:
        text = _SPACE.sub(" ", _HYPHENATED.sub(r"\1\2", "\n".join(line.text for line in group))).strip()
        size = group[0].size
        if size in heading_sizes and len(text) <= HEADING_MAX_CHARS:
            text = "#" * min(heading_sizes.index(size) + 1, 3) + " " + text
        out.append(text)
    return "\n".join(out)
