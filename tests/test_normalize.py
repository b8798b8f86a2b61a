"""Hash normalisation: cosmetic differences vanish, real edits do not."""

from __future__ import annotations

from monitor.text.extract import extract_text
from monitor.text.normalize import normalize_for_hash, text_hash


def test_quotes_dashes_and_invisible_characters_are_unified() -> None:
    assert normalize_for_hash("We\u2019re \u201cfine\u201d \u2014 ok\u200b") == 'We\'re "fine" - ok'


def test_whitespace_and_nbsp_collapse() -> None:
    assert normalize_for_hash("  a\u00a0\u00a0b\n\n c\t") == "a b c"


def test_nfkc_folds_compatibility_forms() -> None:
    assert normalize_for_hash("ﬁle №１") == "file No1"


def test_hash_is_hex_sha256_and_ignores_cosmetics() -> None:
    digest = text_hash("We\u2019re here")
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest == text_hash("We're  here")
    assert digest != text_hash("We are here")


def test_entity_and_serializer_differences_hash_equal() -> None:
    one = extract_text(b"<p>We&#8217;ll keep&nbsp;it.</p><p>Next</p>")
    two = extract_text(b"<p>We'll keep it.</p>\n\n<p>Next</p>")
    assert text_hash(one) == text_hash(two)
