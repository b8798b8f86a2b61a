"""Text extraction on synthetic pages: rendering, selectors, robustness and chrome stripping."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from monitor.text.dates import detect_dates
from monitor.text.extract import extract_document, extract_text
from monitor.text.language import detect_language
from monitor.text.urls import canonical_url

PAGE = b"""<!doctype html><html lang="en"><head><title>T</title><style>p{}</style></head><body>
<div id="a"><h1>Privacy&nbsp;Policy</h1><p id="intro">Intro   text.</p></div>
<div id="b"><h2>Section</h2><ul><li>One</li><li><p>Two</p></li></ul><p id="x">X para</p></div>
<div id="c"><p class="note">Note one</p><p class="note">Note two</p></div>
</body></html>"""


def lines(text: str) -> list[str]:
    return text.splitlines()


def test_blocks_headings_lists_tables_and_breaks() -> None:
    html = b"""<body><main><h1>Title</h1><h3>Sub  title</h3><p>A<br>B<br/>C</p>
    <ol><li>first</li><li>second <b>bold</b></li></ol><ol start="7"><li>seventh</li></ol>
    <table><tr><th>Data</th><th>Use</th></tr><tr><td><p>Name</p><p>Email</p></td><td>Login</td></tr></table>
    <p>  spaced&nbsp;\xc2\xa0out\t text </p><div>inline <span>span</span><em>em</em></div></main></body>"""
    assert lines(extract_text(html)) == [
        "# Title",
        "### Sub title",
        "A",
        "B",
        "C",
        "1. first",
        "2. second bold",
        "7. seventh",
        "Data | Use",
        "Name Email | Login",
        "spaced out text",
        "inline spanem",
    ]


def test_no_blank_lines_and_stripped() -> None:
    text = extract_text(b"<body><p> </p><p>a</p><div><p></p></div><p>\n b \n</p></body>")
    assert text == "a\nb"


def test_default_drops_non_content_hidden_and_landmarks() -> None:
    html = b"""<html><head><title>Title</title><script>var x=1;</script></head><body>
    <header><a href="/">Home</a></header><nav><a href="/a">A</a></nav>
    <main><p>Kept</p><p hidden>Hidden attr</p><p style="color:red; display: none">Hidden style</p>
    <noscript>Enable JS</noscript><template><p>Tpl</p></template><svg><text>Svg</text></svg>
    <iframe src="x">Frame</iframe><aside>Aside</aside></main><footer>Foot</footer></body></html>"""
    assert extract_text(html) == "Kept"


def test_select_css_in_document_order_and_selector_order() -> None:
    assert lines(extract_text(PAGE, select=".note")) == ["Note one", "Note two"]
    assert lines(extract_text(PAGE, select=["#x", "h1"])) == ["X para", "# Privacy Policy"]


def test_remove_then_select() -> None:
    text = extract_text(PAGE, select="body", remove=["#b", ".note"])
    assert lines(text) == ["# Privacy Policy", "Intro text."]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"startBefore": "#intro", "endBefore": "#x"}, ["Intro text.", "## Section", "- One", "- Two"]),
        ({"startAfter": "#intro", "endAfter": "#x"}, ["## Section", "- One", "- Two", "X para"]),
        ({"startAfter": "h1", "endBefore": "ul"}, ["Intro text.", "## Section"]),
        ({"startBefore": "li", "endAfter": "li:nth-child(2)"}, ["- One", "- Two"]),
    ],
)
def test_select_range_boundaries(spec: dict, expected: list[str]) -> None:
    assert lines(extract_text(PAGE, select=spec)) == expected


def test_select_range_inside_text_keeps_partial_tails() -> None:
    html = b"<body><p>before <b id=s>S</b> middle <i id=e>E</i> after</p></body>"
    assert extract_text(html, select={"startAfter": "#s", "endBefore": "#e"}) == "middle"
    assert extract_text(html, select={"startBefore": "#s", "endAfter": "#e"}) == "S middle E"


def test_remove_range_then_elements() -> None:
    text = extract_text(PAGE, select="body", remove=[{"startAfter": "h1", "endBefore": "#x"}, ".note"])
    assert lines(text) == ["# Privacy Policy", "X para"]


def test_remove_range_inside_text() -> None:
    html = b"<body><div id=m><p>keep <b id=s>S</b> drop <i id=e>E</i> tail</p></div></body>"
    assert extract_text(html, select="#m", remove={"startBefore": "#s", "endAfter": "#e"}) == "keep tail"


def test_select_list_mixing_ranges_and_css() -> None:
    spec = ["h1", {"startBefore": "#c", "endAfter": "#c"}]
    assert lines(extract_text(PAGE, select=spec)) == ["# Privacy Policy", "Note one", "Note two"]


def test_unmatched_selector_gives_empty_text() -> None:
    assert extract_text(PAGE, select=".missing") == ""
    assert extract_text(PAGE, select={"startBefore": ".missing", "endBefore": "#x"}) == ""


def test_deterministic() -> None:
    assert extract_text(PAGE) == extract_text(PAGE)
    assert extract_text(PAGE, select=[{"startAfter": "h1", "endAfter": "#c"}]) == extract_text(
        PAGE, select=[{"startAfter": "h1", "endAfter": "#c"}]
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<p>Café – déjà</p>".encode("cp1252"), "text/html; charset=windows-1252"),
        ('<meta charset="iso-8859-1"><p>Café – déjà</p>'.encode("cp1252"), None),
        (b"\xef\xbb\xbf<p>Caf\xc3\xa9 \xe2\x80\x93 d\xc3\xa9j\xc3\xa0</p>", None),
        ("<p>Café – déjà</p>".encode("utf-16"), None),
    ],
)
def test_non_utf8_input(body: bytes, content_type: str | None) -> None:
    assert extract_text(body, content_type=content_type) == "Café – déjà"


@pytest.mark.parametrize(
    "body", [b"", b"   \n ", b"<html></html>", b"<!-- only a comment -->", b"<script>x()</script>"]
)
def test_empty_pages_give_empty_text(body: bytes) -> None:
    assert extract_text(body) == ""


def test_binary_junk_does_not_raise() -> None:
    assert extract_text(b"\x00\x01\x02junk\x7f").endswith("junk")


def test_broken_html_does_not_raise() -> None:
    text = extract_text(b"<html><body><div><p>Open <b>bold<p>Second</i></table></div></span>Tail")
    assert "Open bold" in text and "Second" in text and "Tail" in text


def test_deeply_nested_html() -> None:
    body = b"<div>" * 1500 + b"deep" + b"</div>" * 1500
    assert extract_text(body) == "deep"


def test_plain_text_bodies() -> None:
    assert extract_text(b"a  b\n\n\nc", content_type="text/plain; charset=utf-8") == "a b\nc"


# --- chrome stripping without selectors -------------------------------------------------------

MENU_LABELS = ["Gizmo Modules", "Widget Series", "Sprocket Kits", "Download Hub", "Dev Forum", "Our Crew"]
POLICY = """<h1>Acme Privacy Notice</h1>
<p>Last updated: March 3, 2024</p>
<p>Acme Gadgets Ltd. explains here how it handles the personal data of its customers.</p>
<h2>1 What we collect</h2>
<p>We collect your name, your e-mail address and the serial number of your gadget.</p>
<ul><li>Account data you give us.</li><li>Usage data your gadget sends.</li></ul>
<h2>2 Your rights</h2>
<p>You may ask for a copy of your data or its deletion at any time by writing to us.</p>"""
POLICY_LINES = [
    "# Acme Privacy Notice",
    "Last updated: March 3, 2024",
    "Acme Gadgets Ltd. explains here how it handles the personal data of its customers.",
    "## 1 What we collect",
    "We collect your name, your e-mail address and the serial number of your gadget.",
    "- Account data you give us.",
    "- Usage data your gadget sends.",
    "## 2 Your rights",
    "You may ask for a copy of your data or its deletion at any time by writing to us.",
]


def mega_menu(style: str) -> str:
    """One copy of a two-level menu; desktop, mobile and sticky copies differ in markup."""
    items = "".join(f'<li><a href="/p/{n}">{label}</a></li>' for n, label in enumerate(MENU_LABELS))
    title = "<h4>Products</h4>" if style == "desktop" else "<span>Products</span>"
    glued = "".join(f'<a href="/q/{n}">{label}</a>' for n, label in enumerate(MENU_LABELS))
    return (
        f'<div class="menu-{style}"><ul class="level-1"><li><a href="/products">Products</a>'
        f'<div class="panel"><div class="inner"><div class="col">{title}<ul>{items}</ul></div>'
        f'<div class="col">{glued}</div></div></div></li><li><a href="/support">Support</a></li>'
        f'<li><a href="/about">About</a></li><li><a href="/contact">Contact</a></li></ul></div>'
    )


def chrome_page(content: str, *, layout: str = "wrapped", lang: str = "en") -> bytes:
    """Wrap content in site chrome: login bar, three menu copies, footer, cookie banner, modal.

    ``layout``: ``semantic`` (header/nav/main/footer tags), ``wrapped`` (divs only) or ``flat``
    (menus, content and footer all direct children of ``<body>``).
    """
    menus = mega_menu("desktop") + mega_menu("mobile") + mega_menu("sticky")
    footer_links = "".join(f'<li><a href="/f/{n}">{label}</a></li>' for n, label in enumerate(MENU_LABELS))
    footer = (
        f'<ul class="sitemap">{footer_links}</ul><p class="legal"><a href="/privacy">Privacy Policy</a> '
        f'<a href="/cookies">Cookie Policy</a> <a href="/imprint">Imprint</a></p>'
    )
    banner = (
        '<div class="cookie-consent-banner"><p>We use cookies to make this site work and to measure '
        'how visitors use it. Read our <a href="/privacy">Privacy Policy</a>.</p>'
        "<button>Accept all</button><button>Reject all</button></div>"
    )
    modal = '<div class="newsletter-modal" style="display: none"><p>Subscribe to our newsletter!</p></div>'
    login = '<div class="topbar"><a href="/login">Login</a> | <a href="/signup">Sign Up</a></div>'
    if layout == "semantic":
        head = f'<header>{login}<nav aria-label="Main">{menus}</nav></header>'
        foot = f"<footer>{footer}</footer>"
        main = f"<main>{content}</main>"
        banner = f'<div role="dialog" aria-label="Cookies"><p>Cookie choices for this site.</p></div>{banner}'
    else:
        head = f'<div class="site-header">{login}{menus}</div>'
        foot = f'<div class="site-footer">{footer}<p>© 2024 Acme Gadgets Ltd. All rights reserved.</p></div>'
        main = f'<div class="page"><div class="container"><div class="entry">{content}</div></div></div>'
    if layout == "flat":
        head, main, foot = (
            login + menus,
            content,
            f"{footer}<p>© 2024 Acme Gadgets Ltd. All rights reserved.</p>",
        )
    html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Privacy</title>'
        f"<script>window.dataLayer=[];</script></head><body>{head}{main}{foot}{banner}{modal}</body></html>"
    )
    return html.encode("utf-8")


@pytest.mark.parametrize("layout", ["wrapped", "semantic", "flat"])
def test_chrome_is_stripped_without_selectors(layout: str) -> None:
    text = extract_text(chrome_page(POLICY, layout=layout), base_url="https://acme.example/privacy")
    assert lines(text) == POLICY_LINES


def test_consent_manager_containers_are_dropped() -> None:
    cmps = "".join(
        f'<div id="{name}"><p>Consent text of {name} with many words about partners.</p></div>'
        for name in ("onetrust-consent-sdk", "CybotCookiebotDialog", "didomi-host", "truste-consent-track",
                     "usercentrics-root", "__tcfapiLocator")
    )  # fmt: skip
    page = f"<body><main>{POLICY}</main>{cmps}<div class='qc-cmp2-container'><p>Quantcast</p></div></body>"
    assert lines(extract_text(page.encode())) == POLICY_LINES


def test_policy_sections_about_cookies_are_kept() -> None:
    section = (
        '<section id="cookies-and-tracking" class="cookie-policy"><h2>Cookies</h2><p>We set cookies.</p></section>'
    )
    text = extract_text(f"<body><main>{POLICY}{section}</main></body>".encode())
    assert lines(text)[-2:] == ["## Cookies", "We set cookies."]


def test_title_and_date_in_a_header_band_are_kept() -> None:
    band = '<header class="hero"><h1>Acme Privacy Notice</h1><p>Last updated: March 3, 2024</p></header>'
    body = POLICY.split("\n", 2)[2]  # the policy without its title and date lines
    page = f'<body><header class="site">{mega_menu("desktop")}</header>{band}<main>{body}</main></body>'
    assert lines(extract_text(page.encode())) == POLICY_LINES


def test_densest_region_wins_over_link_sidebars() -> None:
    sidebar = "".join(f'<li><a href="/legal/{n}">Legal page {n}</a></li>' for n in range(8))
    page = (
        f'<body><div class="cols"><div class="side"><ul>{sidebar}</ul></div>'
        f'<div class="text">{POLICY}</div></div></body>'
    )
    assert lines(extract_text(page.encode(), base_url="https://acme.example/privacy")) == POLICY_LINES


def test_link_lists_inside_the_policy_are_kept() -> None:
    partners = (
        "<p>Our partners publish their own policies:</p><ul>"
        '<li><a href="https://analytics.example.net/privacy">Analytics Co</a></li>'
        '<li><a href="https://ads.example.org/privacy">Ads Co</a></li>'
        '<li><a href="https://pay.example.com/privacy">Pay Co</a></li></ul>'
    )
    text = extract_text(chrome_page(POLICY + partners), base_url="https://acme.example/privacy")
    assert "- [Ads Co](https://ads.example.org/privacy)" in lines(text)


def test_repeated_link_blocks_are_kept_once() -> None:
    promo = '<div class="promo"><a href="/app">Get the Acme app for your phone</a></div>'
    text = extract_text(f"<body><main>{promo}{POLICY}{promo}</main></body>".encode())
    assert text.count("Get the Acme app") == 1


def test_toc_of_in_page_anchors_is_content() -> None:
    toc = "".join(
        f'<li><a href="#s{n}">{title}</a></li>' for n, title in enumerate(["What we collect", "Your rights", "Contact"])
    )
    toc = f'<ul class="toc">{toc}</ul>'
    text = extract_text(f"<body><main>{toc}{POLICY}</main></body>".encode())
    assert lines(text)[:3] == ["- What we collect", "- Your rights", "- Contact"]


CTAS = [
    '<p><a class="btn" href="https://apps.example/acme">Download the app</a></p>',
    '<div class="hero-cta"><a href="/signup">Join now</a></div>',
    '<a class="button-primary" href="/join">Jetzt registrieren</a>',
    '<p><a href="/fr/app">Télécharger l\'application</a></p>',
]


@pytest.mark.parametrize("layout", ["wrapped", "semantic", "flat"])
def test_calls_to_action_and_link_rows_leaking_into_the_policy_are_dropped(layout: str) -> None:
    body = POLICY.split("</h2>", 1)
    content = f"{body[0]}</h2>{CTAS[0]}{CTAS[2]}{body[1]}{CTAS[1]}{CTAS[3]}"
    content += '<p><a href="https://sources.example/acme">Sources</a> | <a href="/history">History</a></p>'
    text = extract_text(chrome_page(content, layout=layout), base_url="https://acme.example/privacy")
    assert lines(text) == POLICY_LINES


def test_the_policys_own_links_are_not_calls_to_action() -> None:
    own = (
        '<p><a href="/settings/privacy">Open your privacy settings</a></p>'
        '<p>You can <a href="https://apps.example/acme">download the app</a> to manage your data.</p>'
        '<p><a href="https://pay.example/terms">Pay terms</a> | <a href="https://ads.example/p">Ads policy</a></p>'
        "<p>You may object to direct marketing at any time.</p>"
    )
    text = extract_text(chrome_page(POLICY + own), base_url="https://acme.example/privacy")
    assert lines(text)[-4:] == [
        "[Open your privacy settings](https://acme.example/settings/privacy)",
        "You can [download the app](https://apps.example/acme) to manage your data.",
        "[Pay terms](https://pay.example/terms) | [Ads policy](https://ads.example/p)",
        "You may object to direct marketing at any time.",
    ]


# --- links ------------------------------------------------------------------------------------


def cf_encode(address: str, key: int) -> str:
    return f"{key:02x}" + "".join(f"{ord(c) ^ key:02x}" for c in address)


def test_links_are_canonical_markdown() -> None:
    html = (
        b'<body><p><a href="/doc.pdf?1670402296314">PDF</a> '
        b'<a href="https://other.example/p?utm_source=x&amp;gclid=1&amp;id=7&amp;fbclid=2">other</a> '
        b'<a href="style.css?ver=6.1&amp;v=3&amp;_=99&amp;ts=5">asset</a> '
        b'<a href="#top">anchor</a> <a href="javascript:void(0)">js</a> '
        b'<a href="HTTPS://Example.ORG:443/a b">host</a></p></body>'
    )
    assert extract_text(html, base_url="https://acme.example/legal/privacy") == (
        "[PDF](https://acme.example/doc.pdf) [other](https://other.example/p?id=7) "
        "[asset](https://acme.example/legal/style.css) anchor js [host](https://example.org/a%20b)"
    )


def test_cloudflare_protected_emails_are_decoded_and_stable() -> None:
    def page(key: int) -> bytes:
        enc = cf_encode("dpo@acme.example", key)
        return (
            f'<body><p>Write to <a href="/cdn-cgi/l/email-protection#{enc}"><span class="__cf_email__" '
            f'data-cfemail="{enc}">[email&#160;protected]</span></a> or '
            f'<span class="__cf_email__" data-cfemail="{enc}">[email protected]</span>.</p></body>'
        ).encode()

    text = extract_text(page(0x3A))
    assert text == "Write to [dpo@acme.example](mailto:dpo@acme.example) or dpo@acme.example."
    assert extract_text(page(0x7F)) == text


def test_page_language_is_reported() -> None:
    page = extract_document(chrome_page(POLICY, lang="en-GB"))
    assert page.declared_language == "en-GB"
    assert page.text.splitlines() == POLICY_LINES


# --- the five seed policies in synthetic chrome (seed text read at test time, never stored) ---

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = sorted((SHARED / "seeds").glob("00?_*.txt"))
SEED_DATES = [("2023-04-17", "day"), ("2024-02-18", "day"), None, ("2019-01", "month"), ("2021-11-17", "day")]
# Seed 004's lines 1-100 and 321-384 are that site's own menus and footer, already flattened to
# text by whoever captured it; the policy is lines 101-320 (see docs/vendors.md §1).
SEED_BODY_LINES = {4: (101, 320)}


def seed_page(index: int, layout: str) -> bytes:
    seed_lines = SEEDS[index].read_text(encoding="utf-8").splitlines()
    first, last = SEED_BODY_LINES.get(index, (1, len(seed_lines)))
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in seed_lines[first - 1 : last] if line.strip())
    return chrome_page(paragraphs, layout=layout)


@pytest.mark.skipif(len(SEEDS) != 5, reason="../shared/seeds not available")
@pytest.mark.parametrize("layout", ["wrapped", "flat"])
@pytest.mark.parametrize("index", range(5))
def test_seed_policies_come_out_clean_and_dated(index: int, layout: str) -> None:
    page = extract_document(seed_page(index, layout), base_url="https://vendor.example/privacy")
    assert_no_chrome_lines(page.text)
    seed_words = " ".join(SEEDS[index].read_text(encoding="utf-8").split())
    assert all(line in seed_words for line in page.text.splitlines())  # nothing but policy text
    language = detect_language(page.text, page.declared_language)
    assert language == "en"
    primary = detect_dates(page.text, language=language).primary
    expected = SEED_DATES[index]
    assert (primary.iso, primary.precision) == expected if expected else primary is None


def assert_no_chrome_lines(text: str) -> None:
    chrome_lines = {*MENU_LABELS, "Products", "Support", "About", "Contact", "Login | Sign Up"}
    assert not chrome_lines & set(text.splitlines())
    assert not any(label in line for line in text.splitlines() for label in MENU_LABELS)
    assert "We use cookies to make this site work" not in text
    assert "All rights reserved" not in text


def test_enumerations_are_not_copyright_lines() -> None:
    page = f"<body><main>{POLICY}<p>(c) Legitimate interest, where we weigh your rights.</p></main></body>"
    assert lines(extract_text(page.encode()))[-1] == "(c) Legitimate interest, where we weigh your rights."


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/a?utm_medium=x&utm_campaign=y", "https://acme.example/a"),
        ("/a?b=2&a=1&mc_cid=9", "https://acme.example/a?b=2&a=1"),
        ("/terms.pdf?3fa9c0d1e2", "https://acme.example/terms.pdf"),
        ("mailto: dpo@acme.example", "mailto:dpo@acme.example"),
        ("tel:+331234", "tel:+331234"),
        ("#section-2", None),
        ("javascript:openCookieSettings()", None),
        ("https://other.example/x#frag", "https://other.example/x#frag"),
    ],
)
def test_canonical_url(href: str, expected: str | None) -> None:
    assert canonical_url(href, "https://acme.example/legal/privacy") == expected


@pytest.mark.parametrize(
    ("text", "declared", "expected"),
    [
        (
            "We collect the data that you give us and we use it for the services of our app. " * 5,
            "en-us",
            "en-US",
        ),
        (
            "Wir verarbeiten die Daten, die Sie uns geben, und wir nutzen sie für die Dienste. " * 5,
            "en",
            "de",
        ),
        (
            "Nous traitons les données que vous nous donnez et nous les utilisons pour le service. " * 5,
            None,
            "fr",
        ),
        ("我们收集您提供的个人信息并用于提供服务。" * 10, None, "zh"),
        ("Short text.", "nl", "nl"),
        ("Short text.", None, None),
    ],
)
def test_detect_language(text: str, declared: str | None, expected: str | None) -> None:
    assert detect_language(text, declared) == expected


FRENCH_TEXT = "Nous traitons vos données « personnelles » et ne les vendons jamais à des tiers."
JAPANESE_TEXT = "当社はお客様の個人情報を適切に取り扱います。"


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        (FRENCH_TEXT.encode("latin-1"), "text/html", FRENCH_TEXT),
        (FRENCH_TEXT.encode("latin-1"), "text/html; charset=utf-8", FRENCH_TEXT),
        (JAPANESE_TEXT.encode("shift_jis"), "text/html", JAPANESE_TEXT),
        (JAPANESE_TEXT.encode("shift_jis"), "text/html; charset=utf-8", JAPANESE_TEXT),
        ("Café “cookies” ".encode() * 20 + b"\xe9", None, "Café “cookies” " * 19 + "Café “cookies” \ufffd"),
        (b"We keep\x00 your data\x00.", "text/html", "We keep your data."),
    ],
    ids=["latin-1", "latin-1 as utf-8", "shift-jis", "shift-jis as utf-8", "utf-8 with a stray byte", "NUL bytes"],
)
def test_pages_are_decoded_whatever_their_charset_says(body: bytes, content_type: str | None, text: str) -> None:
    assert extract_text(b"<main><p>" + body + b"</p></main>", content_type=content_type) == text.strip()


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"<div>" * 3000 + b"<p>deep</p>", None, "nested past the parser's limit"),
        (b"<i>x</i>" * 250_000, None, "500,000 tags, more than 400,000"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog", "application/pdf", "the PDF cannot be read"),
    ],
    ids=["too deep", "too many tags", "damaged PDF"],
)
def test_a_body_that_cannot_be_read_whole_says_why(body: bytes, content_type: str | None, reason: str) -> None:
    page = extract_document(body, content_type=content_type)
    assert page.text == "" and page.unreadable is not None and reason in page.unreadable
