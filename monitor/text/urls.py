"""Canonical link targets: absolute, without tracking or cache-busting parameters."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING_KEYS = frozenset(
    {
        "gclid", "gclsrc", "dclid", "fbclid", "msclkid", "yclid", "igshid", "twclid", "ttclid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_id", "wickedid", "rb_clickid", "s_cid", "ref_src",
        # cache busters
        "v", "ver", "_", "ts", "t", "cb", "cachebuster", "cache", "nocache", "rnd", "rand",
        "random", "timestamp", "_t", "_v",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__hs")
_BARE_TOKEN = re.compile(r"[0-9]+|[0-9a-f]{8,}", re.IGNORECASE)  # ?1670402296314, ?3fa9c0d1e2
_IGNORED_SCHEMES = ("javascript:", "data:", "about:", "blob:", "vbscript:")
_CF_EMAIL_PATH = "/cdn-cgi/l/email-protection"


def decode_cf_email(encoded: str) -> str | None:
    """Decode a Cloudflare-protected e-mail address (hex; the first byte is the XOR key)."""
    try:
        data = bytes.fromhex(encoded.strip())
    except ValueError:
        return None
    if len(data) < 2:
        return None
    key = data[0]
    try:
        return bytes(b ^ key for b in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _keep_param(key: str, value: str) -> bool:
    lowered = key.lower()
    if lowered in _TRACKING_KEYS or lowered.startswith(_TRACKING_PREFIXES):
        return False
    return not (value == "" and _BARE_TOKEN.fullmatch(key))


@lru_cache(maxsize=4096)
def canonical_url(href: str, base_url: str | None = None) -> str | None:
    """Return the canonical absolute form of a link target, or None for a non-link.

    Fragment-only hrefs (in-page anchors), ``javascript:`` and similar pseudo-links give None.
    Cloudflare e-mail-protection links become ``mailto:`` links to the decoded address.
    """
    href = href.strip()
    if not href or href.startswith("#") or href.lower().startswith(_IGNORED_SCHEMES):
        return None
    url = urljoin(base_url, href) if base_url else href
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.path.endswith(_CF_EMAIL_PATH) or _CF_EMAIL_PATH + "/" in parts.path:
        address = decode_cf_email(parts.fragment)
        return f"mailto:{address}" if address else None
    scheme = parts.scheme.lower()
    if scheme == "mailto":
        return f"mailto:{parts.path.strip()}"
    if scheme and scheme not in ("http", "https"):
        return url
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if _keep_param(k, v)],
        quote_via=quote,
    )
    netloc = parts.netloc.lower()
    default_port = {"http": ":80", "https": ":443"}.get(scheme)
    if default_port and netloc.endswith(default_port):
        netloc = netloc.removesuffix(default_port)
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~") or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, query, parts.fragment))
