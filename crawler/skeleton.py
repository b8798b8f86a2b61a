"""A body's markup skeleton: what is left of a page once the parts that change on every response are out.

Pages carry per-response values that no reader sees: CSP nonces, scripts holding a build or
session id, stylesheet URLs with build hashes, metadata stamped with the generation time, hidden
form tokens. The skeleton hash leaves out exactly these (and nothing that markup or text could hide
in), so two fetches with the same skeleton hash give the same text: the recorder then needs no
extraction to know the page is unchanged. Extraction never reads them: scripts, styles, links and
metadata give no text (`<meta charset>` and `http-equiv`, which decode the page, are kept).

The rules are deliberately narrow. A script or style is dropped only when its content holds no `<`,
and a comment only when it holds neither `<` nor `>`, so a stray `<script` or `<!--` inside an
attribute can never swallow the markup after it; anything else simply stays in the skeleton (the
page is then extracted as usual). A body that is not HTML hashes as it is.
"""

from __future__ import annotations

import hashlib
import re

_VOLATILE = re.compile(
    rb"<!--[^<>]*-->"  # a comment without markup in it
    rb"|<(script|style)\b[^<>]*>[^<]*</\1\s*>"  # a script or style (attributes and content) without markup in it
    rb"|<link\b[^<>]*>"  # stylesheets, preloads, alternates: build hashes in their URLs, in any order
    rb"|<meta\b(?![^<>]*\b(?:charset|http-equiv)\b)[^<>]*>"  # page metadata (but not what decodes the page)
    rb"|<input\b[^<>]*\btype\s*=\s*[\"']?hidden\b[^<>]*>",  # a hidden form field (tokens)
    re.IGNORECASE,
)
#: A `nonce` or `integrity` attribute, inside a tag (the tag's start is kept).
_NONCE = re.compile(
    rb"""(<[a-z][^<>]*?)\s(?:nonce|integrity)\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'<>=`]+)""", re.IGNORECASE
)


def _keep_tag(match: re.Match[bytes]) -> bytes:
    """A script or style keeps its place (a range selector may start at it); the rest goes."""
    tag = match.group(1)
    return b"" if tag is None else b"<%b></%b>" % (tag, tag)


def _is_html(body: bytes, content_type: str | None) -> bool:
    """Whether a body is markup (by its content type, or by its first bytes when there is none)."""
    if content_type:
        return "html" in content_type.lower() or "xml" in content_type.lower()
    return body.lstrip()[:1] == b"<"


def skeleton_hash(body: bytes, content_type: str | None) -> str:
    """SHA-256 of the body without its per-response values (of the body itself when it is not HTML)."""
    if _is_html(body, content_type):
        body = _VOLATILE.sub(_keep_tag, body)
        body = _NONCE.sub(rb"\1", _NONCE.sub(rb"\1", body))  # a tag may have both
    return hashlib.sha256(body).hexdigest()
