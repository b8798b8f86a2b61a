"""Text normalisation for change detection: equal hashes for texts that differ only cosmetically."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_QUOTES = {c: "'" for c in "‘’‚‛′`´ʹʼˈ"} | {c: '"' for c in "“”„‟″«»"}
_DASHES = {c: "-" for c in "‐‑‒–—―−﹘﹣－"}
_INVISIBLE = {c: None for c in "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"}
_TABLE = str.maketrans(_QUOTES | _DASHES | _INVISIBLE)
_ANY_MAPPED = re.compile("[" + re.escape("".join(_QUOTES | _DASHES | _INVISIBLE)) + "]")


def normalize_for_hash(text: str) -> str:
    """NFKC, unify quotes and dashes, drop zero-width characters, collapse all whitespace."""
    if not unicodedata.is_normalized("NFKC", text):  # checking is much cheaper than normalising
        text = unicodedata.normalize("NFKC", text)
    if _ANY_MAPPED.search(text):
        text = text.translate(_TABLE)
    return " ".join(text.split())


def text_hash(text: str) -> str:
    """Hex SHA-256 of :func:`normalize_for_hash` of ``text``."""
    return hashlib.sha256(normalize_for_hash(text).encode("utf-8")).hexdigest()
