"""Selector-free page-chrome stripping: keep the policy, drop navigation, banners and notices.

The steps, each linear in the page size:

1. drop non-content elements, hidden elements, ARIA landmarks (navigation, banner, contentinfo,
   dialog, search) and cookie/consent-manager containers;
2. measure every element's text and its text inside links to the site's own pages (in-page
   anchors and links to other sites read as text) in one bottom-up pass;
3. drop blocks made of such links (menus, sidebars of legal pages), copyright lines and later
   copies of link-heavy blocks that repeat on the page (desktop and mobile menus);
4. pick the main content: ``<main>``/``<article>`` when one holds most of the text, else the
   element a descent from ``<body>`` ends on while one child holds nearly all the text;
5. drop what leaks into it: call-to-action lines made only of a link or button ("Download the app",
   "Join now") and a row of short links at its very start or end ("Sources | History");
6. keep the policy's title and date lines found outside that region (a header band).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from monitor.text.dates import detect_dates
from monitor.text.selectors import compile_css, drop_element

_NON_CONTENT = ("script", "style", "noscript", "template", "svg", "iframe", "head", "object", "embed", "canvas",
                "select", "button")  # fmt: skip
_LANDMARK_TAGS = ("nav", "aside", "dialog")
_LANDMARK_ROLES = frozenset({"navigation", "banner", "contentinfo", "dialog", "alertdialog", "search"})
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)", re.IGNORECASE)
_COPYRIGHT = re.compile(r"\s*(?:©|copyright\s*(?:©|\(c\)|\d{4}))", re.IGNORECASE)
_SECTIONING = frozenset({"article", "aside", "main", "nav", "section"})
_CONSENT_VENDOR = re.compile(
    r"onetrust|optanon|ot-sdk|cookiebot|cybotcookie|didomi|truste|trustarc|usercentrics|__tcfapi|qc-cmp"
    r"|sp_message|osano|iubenda|cmplz|borlabs|cookieyes|cky-consent|moove_gdpr|cookie-law-info|klaro"
    r"|termly|axeptio|tarteaucitron|cookiefirst|cmpbox|consentmanager|evidon|cookie-script|cookiehub",
    re.IGNORECASE,
)
_CONSENT_BOX = re.compile(
    r"(?:cookie|consent|gdpr|cmp)s?[-_]?(?:consent|banner|bar|notice|notification|popup|pop-up|modal|dialog"
    r"|overlay|wall|alert|box|container|layer|wrapper|prompt|manager|settings|preferences|law|message)"
    r"|(?:banner|notice|popup|modal)[-_]?(?:cookie|consent)",
    re.IGNORECASE,
)
_CONTAINER_TAGS = frozenset({"div", "section", "aside", "form", "dialog", "footer", "header", "span", "ul"})
_BLOCKS = frozenset(
    {"address", "article", "blockquote", "dd", "details", "div", "dl", "fieldset", "figure", "form", "li",
     "main", "menu", "ol", "p", "section", "table", "ul", "center", "header", "footer", "summary"}
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MIN_MENU_LINKS = 2
_MENU_LINK_SHARE = 0.8
_REPEAT_MIN_CHARS = 20
_REPEAT_LINK_SHARE = 0.5  # only blocks with at least this share of link text count as repeats
_MAIN_SHARE = 0.5  # a <main>/<article> holding this share of the text is the content
_DESCENT_SHARE = 0.9  # descend into a child holding this share of its parent's plain text
_LINE_MAX_CHARS = 200  # title or date lines rescued from outside the content are this short
_CTA_MAX_WORDS = 5
_ROW_LINK_MAX_WORDS = 3
_CALL_TO_ACTION = re.compile(  # a whole line: a marketing invitation, not a policy's own link
    r"(?:(?:download|get|install|open|try)(?: the| our)?(?: free)?(?: [\w-]+)? (?:app|apps|application)"
    r"|join(?: [\w-]+)? (?:now|today|free|for free|us)|join|(?:sign ?up|sign ?in|log ?in|register|subscribe)"
    r"(?: now| today| for free| free)?|get started|start (?:now|for free|today)|try (?:it )?(?:for )?free"
    r"|create (?:an |your )?(?:free )?account|back to top|(?:jetzt )?(?:kostenlos )?(?:registrieren|anmelden"
    r"|einloggen|mitglied werden|herunterladen)|jetzt [\w-]+|app (?:herunterladen|laden|holen)"
    r"|télécharger l'app(?:lication)?|rejoignez-nous|s'inscrire|inscrivez-vous|se connecter"
    r"|essayez(?: gratuitement)?)[.!]?",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[\s|·•/,–—-]*")
_BUTTON_CLASS = re.compile(r"\b(?:btn|button|cta)\b|-(?:btn|button|cta)\b|\b(?:btn|button|cta)[-_]", re.IGNORECASE)


def _text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _is_element(el: object) -> bool:
    return isinstance(getattr(el, "tag", None), str)


def _drop_all(elements: list[etree._Element]) -> None:
    for el in elements:
        if el.getparent() is not None:
            drop_element(el)


def _is_hidden(el: etree._Element) -> bool:
    return el.get("hidden") is not None or bool(_HIDDEN_STYLE.search(el.get("style", "")))


def _is_page_band(el: etree._Element) -> bool:
    """A ``header``/``footer`` scoped to the page (banner/contentinfo), not to a section."""
    return not any(a.tag in _SECTIONING for a in el.iterancestors())


def _is_consent_box(el: etree._Element) -> bool:
    if el.tag not in _CONTAINER_TAGS:
        return False
    names = f"{el.get('id', '')} {el.get('class', '')}"
    return bool(_CONSENT_VENDOR.search(names) or _CONSENT_BOX.search(names))


def strip_chrome(root: etree._Element) -> None:
    """Remove non-content, hidden, landmark and consent-manager elements in place."""
    # Passes of lxml's own iteration (a CSS selector list or an XPath predicate per element costs more).
    attributed = [el for el in root.iter(etree.Element) if el.attrib]  # only these have a role or can hide
    doomed = list(root.iter(*_NON_CONTENT, *_LANDMARK_TAGS))
    doomed += [el for el in attributed if el.get("role") in _LANDMARK_ROLES or el.get("aria-modal") == "true"]
    doomed += [el for el in root.iter("header", "footer") if _is_page_band(el)]
    doomed += [el for el in attributed if _is_hidden(el) or _is_consent_box(el)]
    _drop_all([el for el in doomed if el.find(".//h1") is None and el.tag != "h1"])


@dataclass
class _Stats:
    """Text measures of every element, from one bottom-up pass."""

    text: dict[etree._Element, int] = field(default_factory=dict)
    links: dict[etree._Element, int] = field(default_factory=dict)
    link_count: dict[etree._Element, int] = field(default_factory=dict)
    nested: set[etree._Element] = field(default_factory=set)  # elements holding a block element

    def drop(self, elements: list[etree._Element]) -> None:
        """Remove elements (tails kept) and take their text off their ancestors' measures."""
        for el in elements:
            if el.getparent() is None:
                continue
            for ancestor in el.iterancestors():
                if ancestor in self.text:
                    self.text[ancestor] -= self.text[el]
                    self.links[ancestor] -= self.links[el]
                    self.link_count[ancestor] -= self.link_count[el]
            drop_element(el)

    def plain(self, el: etree._Element) -> int:
        """Characters of text outside links."""
        return self.text[el] - self.links[el]


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _site_host(body: etree._Element, base_url: str | None) -> str:
    """The site's own host: the page URL's, else the host most links on the page point to."""
    if base_url and _host(base_url):
        return _host(base_url)
    hosts = Counter(_host(a.get("href", "")) for a in body.iter("a"))
    hosts.pop("", None)
    return min(hosts, key=lambda h: (-hosts[h], h)) if hosts else ""


def _is_site_link(el: etree._Element, site: str) -> bool:
    """A link to another page of the same site (what menus are made of)."""
    href = el.get("href", "").strip()
    if not href or href.startswith("#") or href.lower().startswith(("mailto:", "tel:", "javascript:")):
        return False
    host = _host(href) if "//" in href[:8] else ""
    return not host or host == site


def _measure(root: etree._Element, site: str) -> _Stats:
    """Text and site-link measures of every element (links elsewhere and anchors are text)."""
    stats = _Stats()
    for _, el in etree.iterwalk(root, events=("end",)):
        if not _is_element(el):
            continue
        text = len((el.text or "").strip())
        links = link_count = 0
        for child in el:
            if child in stats.text:
                text += stats.text[child]
                links += stats.links[child]
                link_count += stats.link_count[child]
                if child.tag in _BLOCKS or child.tag in _HEADINGS or child in stats.nested:
                    stats.nested.add(el)
            text += len((child.tail or "").strip())
        if el.tag == "a" and _is_site_link(el, site):
            links, link_count = text, 1
        stats.text[el], stats.links[el], stats.link_count[el] = text, links, link_count
    return stats


def _is_menu(el: etree._Element, stats: _Stats) -> bool:
    """A block that is mostly links: a menu, a sidebar of links or a table of contents."""
    if el.tag not in _BLOCKS or stats.link_count[el] < _MIN_MENU_LINKS:
        return False
    return stats.links[el] >= _MENU_LINK_SHARE * stats.text[el]


def _is_copyright(el: etree._Element, stats: _Stats) -> bool:
    """A short copyright line (``© 2024 Acme Ltd. All rights reserved.``)."""
    return _is_line(el, stats) and bool(_COPYRIGHT.match(_text(el)))


def _drop_menus(root: etree._Element, stats: _Stats) -> None:
    """Drop the topmost link-dense blocks that hold no ``<h1>``, and copyright lines."""
    menus: list[etree._Element] = []
    walker = etree.iterwalk(root, events=("start",))
    for _, el in walker:
        if el not in stats.text:
            continue
        if (_is_menu(el, stats) and el.find(".//h1") is None) or _is_copyright(el, stats):
            menus.append(el)
            walker.skip_subtree()
    stats.drop(menus)


def _words(el: etree._Element) -> str:
    """The element's words, lower-cased, whitespace-insensitive (``<a>A</a><a>B</a>`` is ``a b``)."""
    return " ".join(" ".join(el.itertext()).lower().split())


def _drop_repeats(root: etree._Element, stats: _Stats) -> None:
    """Drop every later copy of a link-heavy block whose words already appeared in an earlier one."""
    seen: set[str] = set()
    repeats: list[etree._Element] = []
    walker = etree.iterwalk(root, events=("start",))
    for _, el in walker:
        if el.tag not in _BLOCKS or el not in stats.text or stats.text[el] < _REPEAT_MIN_CHARS:
            continue
        if stats.links[el] < _REPEAT_LINK_SHARE * stats.text[el]:
            continue
        words = _words(el)
        if words in seen:
            repeats.append(el)
            walker.skip_subtree()
        else:
            seen.add(words)
    stats.drop(repeats)


def _content_root(body: etree._Element, stats: _Stats) -> etree._Element:
    """The element holding the policy: a dominant ``<main>``/``<article>``, then a descent."""
    node = body
    total = stats.plain(body)
    for selector in ("main, [role=main]", "article"):
        candidates = compile_css(selector)(body)
        if candidates:
            best = max(candidates, key=stats.plain)
            if stats.plain(best) >= _MAIN_SHARE * total:
                node = best
                break
    while True:
        children = [child for child in node if child in stats.text]
        if not children:
            return node
        best = max(children, key=stats.plain)
        if stats.plain(best) < _DESCENT_SHARE * stats.plain(node) or not stats.plain(best):
            return node
        node = best


def _is_line(el: etree._Element, stats: _Stats) -> bool:
    """A block of one short line of text (a title, a date line)."""
    return (
        (el.tag in _BLOCKS or el.tag in _HEADINGS) and el not in stats.nested and 0 < stats.text[el] <= _LINE_MAX_CHARS
    )


def _rescued_lines(
    body: etree._Element, root: etree._Element, stats: _Stats
) -> tuple[list[etree._Element], list[etree._Element]]:
    """Title and date lines outside the content root: (before it, after it), in page order."""
    before: list[etree._Element] = []
    after: list[etree._Element] = []
    title: tuple[int, etree._Element] | None = None  # the last h1 before the root, and its place
    past_root = False
    walker = etree.iterwalk(body, events=("start",))
    for _, el in walker:
        if el is root:
            past_root = True
            walker.skip_subtree()
        elif el in stats.text and _is_line(el, stats):
            if el.tag == "h1" and not past_root:
                title = (len(before), el)
            elif detect_dates(_text(el)).primary is not None:
                (after if past_root else before).append(el)
    if title is not None and root.find(".//h1") is None:
        before.insert(*title)
    return before, after


def _is_control(el: etree._Element) -> bool:
    """A link, or an element styled or marked up as a button."""
    return el.tag == "a" or el.get("role") == "button" or bool(_BUTTON_CLASS.search(el.get("class", "")))


def _outside_controls(el: etree._Element) -> str:
    """The element's text that is not inside a link or button."""
    parts = [] if _is_control(el) else [el.text or ""]
    for child in el:
        if _is_element(child) and not _is_control(child):
            parts.append(_outside_controls(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _is_own_line(el: etree._Element, stats: _Stats) -> bool:
    """A block holding no other block, or a link or button standing between blocks: one line of text."""
    if el in stats.nested or el not in stats.text or not stats.text[el]:
        return False
    if el.tag in _BLOCKS or el.tag in _HEADINGS:
        return True
    parent = el.getparent()
    return _is_control(el) and parent is not None and parent in stats.nested


def _is_call_to_action(el: etree._Element) -> bool:
    """A short line that is nothing but a link or button inviting an action (``Download the app``)."""
    if el.tag in _HEADINGS:
        return False
    words = _text(el).split()
    if not 0 < len(words) <= _CTA_MAX_WORDS or _outside_controls(el).strip():
        return False
    has_control = _is_control(el) or any(_is_control(d) for d in el.iterdescendants() if _is_element(d))
    return has_control and bool(_CALL_TO_ACTION.fullmatch(" ".join(words)))


def _is_link_row(el: etree._Element) -> bool:
    """One line of two or more short links and separators only (``Sources | History``)."""
    if el.tag not in _BLOCKS or el.tag == "li":
        return False
    links = list(el.iter("a"))
    if len(links) < 2 or any(len(_text(a).split()) > _ROW_LINK_MAX_WORDS for a in links):
        return False
    return _SEPARATORS.fullmatch(_outside_controls(el)) is not None


def _drop_leaks(content: etree._Element, stats: _Stats) -> None:
    """Drop call-to-action lines anywhere in the content, and a link row that opens or closes it."""
    lines = [el for el in content.iter() if _is_own_line(el, stats)]
    doomed = [el for el in lines if _is_call_to_action(el)]
    edges = [el for el in (lines[:1] + lines[-1:]) if el not in doomed]
    stats.drop(doomed + [el for el in edges if _is_link_row(el)])


def main_content(root: etree._Element, base_url: str | None = None) -> list[etree._Element]:
    """Strip the chrome of a whole page and return the elements holding its content, in order."""
    strip_chrome(root)
    body = root.find("body")
    if body is None:
        body = root
    stats = _measure(body, _site_host(body, base_url))
    _drop_menus(body, stats)
    _drop_repeats(body, stats)
    content = _content_root(body, stats)
    _drop_leaks(content, stats)
    if content is body:
        return [body]
    before, after = _rescued_lines(body, content, stats)
    return [*before, content, *after]
