"""The pure text pipeline: a raw body in, the text of a version and its facts out.

Nothing here touches the network or the database, so that stored snapshots can be run through
it again after the code or a document's selectors change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from monitor.text.dates import PolicyDates, detect_dates
from monitor.text.extract import extract_document
from monitor.text.language import detect_language
from monitor.text.normalize import text_hash


@dataclass(frozen=True)
class Extracted:
    """What one snapshot's body says: its text, the hash versions are compared by, and (computed on
    first use, since an unchanged text needs neither) its language and dates; `pdf` when the body was a PDF;
    `unreadable` why it could not be read."""

    text: str
    text_hash: str
    declared_language: str | None
    fetched_at: datetime | None = None
    pdf: bool = False
    unreadable: str | None = None  # why the body could not be read whole (then the text is empty)

    @cached_property
    def language(self) -> str | None:
        """The text's language: the page's or configured one, unless the text clearly says otherwise."""
        return detect_language(self.text, self.declared_language)

    @cached_property
    def dates(self) -> PolicyDates:
        """The policy's own "last updated" and "effective" dates."""
        return detect_dates(self.text, language=self.language, fetched_at=self.fetched_at)


def extract_version(
    body: bytes,
    *,
    content_type: str | None,
    url: str | None,
    select: Any = None,
    remove: Any = None,
    language: str | None = None,
    fetched_at: datetime | None = None,
) -> Extracted:
    """Run extraction and normalisation over one raw body (language and dates follow on demand).

    `language` is the document's configured language; the page's own declaration comes first.
    """
    page = extract_document(body, content_type=content_type, base_url=url, select=select, remove=remove)
    return Extracted(
        page.text, text_hash(page.text), page.declared_language or language, fetched_at, page.pdf, page.unreadable
    )
