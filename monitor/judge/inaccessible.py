"""Checks that a fetched page really is the policy: each a registered class with a kind.

A page that fails one is stored for audit but never diffed: it opens (or extends) an incident
instead. Most checks see a page that is not the policy (a wall, nothing to read) and it is never a
version. `held` checks see a text that looks broken (markup shown as text, most of the policy gone,
another language): it is held as suspect, and becomes the new version only when the next fetch
gives the same text. Fetch-level failures (HTTP errors, bot walls) are the crawler's outcomes;
these checks look at the extracted text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from crawler.kinds import Kind, Registry

CHECKS: Registry[type[Check]] = Registry("checks", "Page checks: is the text the policy?")
SHORT_PAGE = 1500  # characters: walls are short pages
MARKUP_TAGS, MARKUP_SHARE = 20, 0.05  # HTML source as text: at least 20 tags making up 5% of the text


@dataclass(frozen=True)
class Page:
    """What the checks look at: the new text and what is known of the document so far."""

    text: str
    language: str | None
    established_language: str | None
    established_size: int | None
    min_chars: int
    shrink_ratio: float
    pdf: bool = False
    content_type: str | None = None  # the response's
    unreadable: str | None = None  # why the body could not be read whole (extraction says)


class Check(Kind, registry=CHECKS):
    """Base class of the checks; subclasses register under their `kind`."""

    held: ClassVar[bool] = False  # a suspect text, confirmed by the next fetch, rather than not the policy

    @classmethod
    def reason(cls, page: Page) -> str | None:
        """Why the page is not the policy, or None when this check passes."""
        raise NotImplementedError


#: Media types a policy is served as (a PDF is recognised by its bytes as well); untyped bodies pass too.
PAGE_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml", "application/octet-stream"}
)


class NotAPage(Check):
    """The response is not a page (JSON, an image, a script): the URL serves something else than the policy."""

    kind = "not_a_page"

    @classmethod
    def reason(cls, page: Page) -> str | None:
        media_type = (page.content_type or "").split(";")[0].strip().lower()
        if page.pdf or not media_type or media_type in PAGE_TYPES:
            return None
        return f"the response is {media_type}, not a page"


class Unreadable(Check):
    """The body cannot be read whole (a damaged PDF, too many tags, markup nested past the parser's limit)."""

    kind = "unreadable"

    @classmethod
    def reason(cls, page: Page) -> str | None:
        return page.unreadable


class NoTextLayer(Check):
    """A PDF without a text layer (scanned): it needs OCR."""

    kind = "no_text_layer"

    @classmethod
    def reason(cls, page: Page) -> str | None:
        return "a PDF without a text layer (scanned): it needs OCR" if page.pdf and not page.text.strip() else None


class Empty(Check):
    """The page gave no text at all."""

    kind = "empty"

    @classmethod
    def reason(cls, page: Page) -> str | None:
        return None if page.text.strip() else "the page gave no text"


class _Wall(Check):
    """A short page whose text asks the visitor to do something first."""

    cues: ClassVar[re.Pattern[str]]

    @classmethod
    def reason(cls, page: Page) -> str | None:
        if len(page.text) >= SHORT_PAGE:
            return None
        found = cls.cues.search(page.text)
        return f"the page asks the visitor to {found.group(0).lower()!r}" if found else None


class LoginWall(_Wall):
    """A short page asking the visitor to sign in."""

    kind = "login_wall"
    cues = re.compile(
        r"\b(?:please\s+)?(?:sign|log)\s*in\s+(?:to\s+(?:continue|view|access)|required)|\bbitte\s+(?:melde|logge)",
        re.IGNORECASE,
    )


class CookieWall(_Wall):
    """A short page that shows nothing until cookies are accepted or enabled."""

    kind = "cookie_wall"
    cues = re.compile(
        r"\b(?:please\s+)?(?:enable|accept|allow)\s+(?:all\s+)?cookies\s+(?:to|in\s+order\s+to|before)|"
        r"\bcookies\s+(?:are\s+)?(?:required|disabled)",
        re.IGNORECASE,
    )


class ScriptRequired(_Wall):
    """A short page that needs JavaScript to show its content."""

    kind = "script_required"
    cues = re.compile(
        r"\b(?:please\s+)?enable\s+javascript|\bjavascript\s+(?:is\s+)?(?:required|disabled)|"
        r"\byou\s+need\s+to\s+enable\s+javascript",
        re.IGNORECASE,
    )


class TooShort(Check):
    """The text is too short to be a policy."""

    kind = "too_short"

    @classmethod
    def reason(cls, page: Page) -> str | None:
        size = len(page.text.strip())
        return f"only {size} characters of text (fewer than {page.min_chars})" if size < page.min_chars else None


class MarkupAsText(Check):
    """The page shows HTML source as text (a publishing glitch): held until the next fetch confirms it."""

    kind = "markup_as_text"
    held = True
    tags = re.compile(
        r"</?(?:div|span|p|a|li|ul|ol|h[1-6]|br|strong|em|b|i|table|tr|td|section|script|style)\b[^<>]{0,200}>"
    )

    @classmethod
    def reason(cls, page: Page) -> str | None:
        found = cls.tags.findall(page.text)
        if len(found) < MARKUP_TAGS or sum(map(len, found)) < MARKUP_SHARE * len(page.text):
            return None
        return f"the text shows HTML source ({len(found):,} tags such as {found[0][:40]!r})"


class MostlyGone(Check):
    """Most of the policy's text is gone compared with the current version: held until the next fetch confirms it."""

    kind = "mostly_gone"
    held = True

    @classmethod
    def reason(cls, page: Page) -> str | None:
        if not page.established_size or len(page.text) >= page.shrink_ratio * page.established_size:
            return None
        return f"most of the text is gone ({len(page.text):,} of {page.established_size:,} characters left)"


class OtherLanguage(Check):
    """The page is in another language than the document's established one: held until the next fetch confirms it."""

    kind = "other_language"
    held = True

    @classmethod
    def reason(cls, page: Page) -> str | None:
        new, old = _base(page.language), _base(page.established_language)
        if new and old and new != old:
            return f"the page is in {new!r}, the policy has been in {old!r}"
        return None


def _base(language: str | None) -> str | None:
    return language.split("-")[0].lower() if language else None


def is_held(kind: str) -> bool:
    """Whether a failed check of this kind holds the text as suspect (rather than not the policy)."""
    check = CHECKS.get(kind)
    return check is not None and check.held


def first_failure(page: Page) -> tuple[str, str] | None:
    """The first check the page fails, as (kind, reason), or None when it reads as the policy."""
    for kind, check in CHECKS.items():
        if reason := check.reason(page):
            return kind, reason
    return None
