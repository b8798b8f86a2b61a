"""The pure text pipeline: a raw body in, the text of a version and its facts out.

Nothing here touches the network or the database, so that stored snapshots can be run through
it again after the code or a document's selectors change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.dates import PolicyDates, detect_dates
from monitor.extract import extract_document
from monitor.language import detect_language
from monitor.normalize import text_hash


@dataclass(frozen=True)
class Extracted:
    """What one snapshot's body says: its text, the hash versions are compared by, and its dates."""

    text: str
    text_hash: str
    language: str | None
    dates: PolicyDates


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
    """Run extraction, language and date detection and normalisation over one raw body.

    `language` is the document's configured language; the page's own declaration comes first
    and the text itself wins when it clearly disagrees.
    """
    page = extract_document(body, content_type=content_type, base_url=url, select=select, remove=remove)
    detected = detect_language(page.text, page.declared_language or language)
    return Extracted(
        text=page.text,
        text_hash=text_hash(page.text),
        language=detected,
        dates=detect_dates(page.text, language=detected, fetched_at=fetched_at),
    )
