"""Recognise captcha and bot-challenge pages served in place of the real content."""

import re

#: How much of the body is searched for markers.
HEAD_BYTES = 20_000

#: A weak marker only counts on a page with fewer visible characters than this.
LITTLE_TEXT = 1_000

# Markup that only challenge pages carry: enough on its own.
_STRONG_MARKERS = (
    "/.well-known/sgcaptcha",
    "_cf_chl_opt",
    "cf-challenge",
    "incapsula incident",
)

# Markers that normal pages may carry too (a reCAPTCHA contact form, a bot-detection
# script, a cookie table naming the vendor): they count only on pages with little text.
_WEAK_MARKERS = (
    "just a moment...",
    "checking your browser",
    "challenge-platform",
    "_incapsula_resource",
    "captcha-delivery.com",
    "datadome",
    "px-captcha",
    "_pxcaptcha",
    "g-recaptcha",
    "h-captcha",
)

_INVISIBLE = re.compile(rb"<(script|style|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(rb"<[^>]*>")
_SPACE = re.compile(rb"\s+")


def bot_wall_marker(body: bytes) -> str | None:
    """Return the bot-wall marker found in ``body``, or None for an ordinary page."""
    head = body[:HEAD_BYTES].lower()
    for marker in _STRONG_MARKERS:
        if marker.encode() in head:
            return marker
    weak = next((marker for marker in _WEAK_MARKERS if marker.encode() in head), None)
    if weak is not None and visible_text_length(body) < LITTLE_TEXT:
        return weak
    return None


def visible_text_length(body: bytes) -> int:
    """Roughly count the characters a browser would show for an HTML ``body``."""
    text = _TAG.sub(b" ", _INVISIBLE.sub(b" ", body))
    return len(_SPACE.sub(b" ", text).strip())
