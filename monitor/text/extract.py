"""Page bytes to readable policy text: decode, parse, apply selectors or strip chrome, write as text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from charset_normalizer import from_bytes
from lxml import etree
from w3lib.encoding import html_to_unicode

from monitor.text import chrome, selectors
from monitor.text.html_text import collapse, html_to_text
from monitor.text.pdf import UnreadablePdf, is_pdf, pdf_text
from monitor.text.selectors import RangeSpec, SelectorSpec
from monitor.text.urls import canonical_url, decode_cf_email

__all__ = ["ExtractedPage", "RangeSpec", "SelectorSpec", "extract_document", "extract_text", "parse_html"]

_PARSER = etree.HTMLParser(
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    no_network=True,
    default_doctype=False,
    huge_tree=True,
)


#: Pages with more tags than this are not parsed: a million tiny elements take 600 MB and 10 s to read.
MAX_TAGS = 400_000
#: Multi-byte encodings charset_normalizer's guess is trusted for; other undeclared legacy bytes are windows-1252.
_MULTI_BYTE = frozenset(
    {"cp932", "shift_jis", "euc_jp", "iso2022_jp", "gb2312", "gbk", "gb18030", "big5", "big5hkscs", "cp949", "euc_kr"}
)
#: A declared charset is wrong when this share of the body's non-ASCII bytes does not decode in it.
_WRONG_CHARSET_SHARE = 0.2


class Unreadable(ValueError):
    """The body cannot be read whole (a damaged PDF, too many tags, markup nested past the parser's limit)."""


def _undecodable(text: str, body: bytes) -> bool:
    """Whether most of the non-ASCII bytes of ``body`` failed to decode into ``text`` (a wrong charset),
    rather than a stray byte or two."""
    if "\ufffd" not in text:
        return False
    non_ascii = len(body.translate(None, bytes(range(128))))  # the ASCII bytes deleted
    return text.count("\ufffd") > _WRONG_CHARSET_SHARE * non_ascii


def _guess_encoding(body: bytes) -> str:
    """The encoding of undeclared bytes: UTF-8 if they are (but for a stray byte), else a multi-byte
    guess, else windows-1252.

    windows-1252 is what browsers read unlabelled legacy pages as; charset_normalizer's single-byte
    guesses are unreliable on short Western texts (French read as cp1250, say).
    """
    if not _undecodable(body.decode("utf-8", errors="replace"), body):
        return "utf-8"
    best = from_bytes(body[:65536]).best()
    return best.encoding if best is not None and best.encoding in _MULTI_BYTE else "cp1252"


def _decode(body: bytes, content_type: str | None) -> str:
    """The page as text: its declared charset (HTTP header, BOM, meta), else :func:`_guess_encoding`'s.

    A declared charset most of whose non-ASCII bytes do not decode (Latin-1 served as UTF-8) is
    overruled by the guess. NUL bytes are dropped.
    """
    text = html_to_unicode(content_type, body, auto_detect_fun=_guess_encoding)[1]
    if _undecodable(text, body):
        text = body.decode(_guess_encoding(body), errors="replace")
    return text.replace("\x00", "")


def parse_html(body: bytes, content_type: str | None = None) -> etree._Element | None:
    """Decode (HTTP header, BOM, meta charset) and leniently parse a page; None if empty.

    Raises :class:`Unreadable` for a page with more than :data:`MAX_TAGS` tags or nested deeper than
    the parser reads (2,048 levels): its text would be cut short.
    """
    tags = body.count(b"<")
    if tags > MAX_TAGS:
        raise Unreadable(f"the page has {tags:,} tags, more than {MAX_TAGS:,}: too many to read")
    text = _decode(body, content_type)
    if not text.strip():
        return None
    try:
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    for error in _PARSER.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":
            raise Unreadable(f"the page's markup is nested past the parser's limit ({error.message.split(':')[0]})")
    return root


def _plain_text(body: bytes, content_type: str | None) -> str:
    lines = (collapse(line) for line in _decode(body, content_type).splitlines())
    return "\n".join(line for line in lines if line)


def _document_base(root: etree._Element, base_url: str | None) -> str | None:
    """The base URL links resolve against: ``<base href>`` joined to the page URL."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return canonical_url(href, base_url) or base_url
    return base_url


def _reveal_cf_emails(root: etree._Element) -> None:
    """Replace Cloudflare's ``[email protected]`` placeholders by the decoded address."""
    for el in root.xpath("//*[@data-cfemail]"):
        address = decode_cf_email(el.get("data-cfemail", ""))
        if address:
            for child in list(el):
                el.remove(child)
            el.text = address


@dataclass(frozen=True)
class ExtractedPage:
    """A page's extracted text, the language its markup declares (``<html lang>``), whether it was a PDF,
    and why it could not be read whole (then the text is empty)."""

    text: str
    declared_language: str | None = None
    pdf: bool = False
    unreadable: str | None = None


def _declared_language(root: etree._Element) -> str | None:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        for meta in root.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "content-language":
                lang = meta.get("content")
                break
    lang = (lang or "").split(",")[0].strip()
    return lang or None


def extract_document(
    body: bytes,
    *,
    content_type: str | None = None,
    base_url: str | None = None,
    select: SelectorSpec | None = None,
    remove: SelectorSpec | None = None,
) -> ExtractedPage:
    """Like :func:`extract_text`, also returning the page's declared language."""
    if is_pdf(body, content_type, base_url):
        try:
            return ExtractedPage(pdf_text(body), pdf=True)
        except UnreadablePdf as exc:
            return ExtractedPage("", pdf=True, unreadable=str(exc))
    if content_type and content_type.split(";")[0].strip().lower() == "text/plain":
        return ExtractedPage(_plain_text(body, content_type))
    try:
        root = parse_html(body, content_type)
    except Unreadable as exc:
        return ExtractedPage("", unreadable=str(exc))
    if root is None:
        return ExtractedPage("")
    base = _document_base(root, base_url)
    declared = _declared_language(root)
    _reveal_cf_emails(root)
    selectors.remove(root, remove)
    nodes = selectors.select_nodes(root, select) if select else chrome.main_content(root, base)
    return ExtractedPage(html_to_text(nodes, partial(canonical_url, base_url=base)), declared)


def extract_text(
    body: bytes,
    *,
    content_type: str | None = None,
    base_url: str | None = None,
    select: SelectorSpec | None = None,
    remove: SelectorSpec | None = None,
) -> str:
    """Extract a page's policy text as stable lines (deterministic; "" for an empty page).

    ``remove`` and ``select`` follow Open Terms Archive's grammar (see ``monitor.text.selectors``).
    Without ``select`` the page chrome (navigation, banners, cookie notices, hidden and
    repeated blocks, menus) is stripped and the main content kept. A PDF is read by
    ``monitor.text.pdf`` (selectors do not apply to it).
    """
    page = extract_document(body, content_type=content_type, base_url=base_url, select=select, remove=remove)
    return page.text
