"""The markup skeleton: per-response values (nonces, inline script data, stamped comments, form
tokens) leave it unchanged; anything a reader could see, or that could hide markup, changes it."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import pytest

from crawler.skeleton import skeleton_hash
from monitor.text.pipeline import extract_version

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ota"

HTML = "text/html; charset=utf-8"


def page(
    text: str = "We keep logs for 30 days.", *, nonce: str = "n1", script: str = "var build='b1'", extra: str = ""
) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>Policy</title><script nonce='{nonce}'>{script}</script>"
        f'<style nonce="{nonce}">p {{ color: #333 }}</style>'
        f"<meta name='csrf-token' content='{nonce}'><!-- generated {nonce} in 0.2 s --></head>"
        f"<body><main><p>{text}</p>{extra}</main>"
        f"<form><input type='hidden' name='token' value='{nonce}'><input name='q'></form></body></html>"
    ).encode()


def test_per_response_values_leave_the_skeleton_as_it_is() -> None:
    assert skeleton_hash(page(), HTML) == skeleton_hash(page(nonce="n2", script="var build='b2'"), HTML)


@pytest.mark.parametrize(
    "other",
    [
        page("We keep logs for 90 days."),  # the text
        page(extra="<p>A new paragraph.</p>"),  # markup
        page(extra="<a href='/rights'>Your rights</a>"),  # a link
        page(extra="<!-- <p>a comment holding markup</p> -->"),
    ],
)
def test_what_a_reader_could_see_changes_it(other: bytes) -> None:
    assert skeleton_hash(page(), HTML) != skeleton_hash(other, HTML)


def test_a_script_holding_markup_characters_is_kept_whole() -> None:
    assert skeleton_hash(page(script="if (a < b) n = 1"), HTML) != skeleton_hash(page(script="if (a < b) n = 2"), HTML)


def test_a_stray_comment_opener_in_an_attribute_hides_nothing() -> None:
    def body(word: str) -> bytes:
        return f"<div title='<!--'><p>{word}</p></div><!-- end -->".encode()

    assert skeleton_hash(body("thirty"), HTML) != skeleton_hash(body("ninety"), HTML)


def test_nonce_in_the_text_is_text() -> None:
    assert skeleton_hash(b"<p>send nonce=abc</p>", HTML) != skeleton_hash(b"<p>send nonce=xyz</p>", HTML)


def test_a_script_keeps_its_place_but_not_its_source() -> None:
    moved = b"<p>One</p><p>Two</p><script>x=1</script>"
    assert skeleton_hash(b"<p>One</p><script>x=1</script><p>Two</p>", HTML) != skeleton_hash(moved, HTML)
    assert skeleton_hash(b"<script src='a.js?v=1'></script>", HTML) == skeleton_hash(
        b"<script src='a.js?v=2' data-ray='9f'></script>", HTML
    )


def test_links_and_metadata_go_but_what_decodes_the_page_stays() -> None:
    def head(extra: str) -> bytes:
        return f"<html><head>{extra}</head><body><p>Text</p></body></html>".encode()

    build = head("<link rel='stylesheet' href='/v/1a2b/app.css'><meta property='article:modified_time' content='1'>")
    assert skeleton_hash(build, HTML) == skeleton_hash(
        head("<meta content='2' property='article:modified_time'>"), HTML
    )
    assert skeleton_hash(head("<meta charset='utf-8'>"), HTML) != skeleton_hash(head("<meta charset='cp1252'>"), HTML)
    equiv = "<meta http-equiv='Content-Type' content='text/html; charset={}'>"
    assert skeleton_hash(head(equiv.format("utf-8")), HTML) != skeleton_hash(head(equiv.format("latin-1")), HTML)


def test_a_body_that_is_not_html_hashes_as_it_is() -> None:
    body = b"%PDF-1.7 <!-- x -->"
    assert skeleton_hash(body, "application/pdf") == hashlib.sha256(body).hexdigest()


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/ota not available")
def test_on_real_pages_equal_skeletons_give_equal_texts() -> None:
    collapsed = 0
    for service in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        groups: defaultdict[str, list[bytes]] = defaultdict(list)
        for file in [*service.glob("*.html"), *service.glob("noise/*.html"), *service.glob("blocked/*.html")]:
            body = file.read_bytes()
            groups[skeleton_hash(body, HTML)].append(body)
        for bodies in groups.values():
            texts = {extract_version(b, content_type=HTML, url="https://vendor.test/").text_hash for b in bodies}
            assert len(texts) == 1, service.name
            collapsed += len(bodies) - 1
    assert collapsed > 50  # raw bodies that differ (build hashes, nonces, metadata) and share a skeleton
