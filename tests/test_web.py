"""The web view over HTTP (a real uvicorn server on loopback): pages, review writes, feeds, JSON API."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import feedparser
import lxml.html
import pytest
from lxml import etree

from monitor import app as core
from monitor.config import WebConfig, load_config
from tests.support.web import web_view
from tests.test_alerts import Recorder, write_config
from tests.test_decisions import BASE, SELLS, edited

TOKEN = "a-long-enough-test-token"
#: Vendor text that would run in a page that did not escape it.
EVIL = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "<a href=\"javascript:window.__pwned = 'link'\">click</a>",
    "</textarea><script>window.__pwned = 'textarea'</script>",
]
EVIL_LINE = "Our partners may receive your data. " + " ".join(EVIL)


def recorded(folder: Path, token: str | None = TOKEN, database_url: str | None = None) -> Recorder:
    """A database with three versions of acme's policy: a reworded one, then a MATERIAL one with `EVIL` in it."""
    config = load_config(write_config(folder, {}))
    storage = config.storage.model_copy(update={"url": database_url}) if database_url else config.storage
    fetch = Recorder(config.model_copy(update={"web": WebConfig(token=token), "storage": storage}))
    fetch(BASE)
    fetch(edited(line3="We use your e-mail address to send you service messages and news about your account."))
    fetch([*SELLS, html.escape(EVIL_LINE)])  # shown as text by the vendor: the extracted text holds the markup
    return fetch


def assert_inert(page: str) -> None:
    """The page has no script, no event handler, no `javascript:` link and no textarea: policy text stayed text."""
    tree = lxml.html.fromstring(page)
    assert tree.xpath("//script | //textarea | //iframe | //object | //embed") == []
    assert [a for e in tree.iter() if isinstance(e.tag, str) for a in e.attrib if a.startswith("on")] == []
    assert [h for h in tree.xpath("//@href | //@src | //@action") if h.strip().lower().startswith("javascript:")] == []


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object) -> None:
        return None


NOT_FOLLOWING = urllib.request.build_opener(_NoRedirect)


def post(url: str, form: dict[str, str], headers: dict[str, str] | None = None) -> tuple[int, str]:
    """POST a form without following the redirect: the status and body."""
    request = urllib.request.Request(url, urlencode(form).encode(), headers=headers or {}, method="POST")
    try:
        with NOT_FOLLOWING.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Recorder, str]]:
    fetch = recorded(tmp_path)
    with web_view(fetch.app) as base:
        yield fetch, base


PAGES = [
    "/",
    "/?tag=saas&severity=MATERIAL",
    "/vendors/acme",
    "/vendors/acme/privacy_policy/diff/2/3",
    "/vendors/acme/privacy_policy/diff/1/3",
    "/vendors/acme/privacy_policy/versions/3",
    "/vendors/acme/privacy_policy/versions/3/raw",
    "/vendors/acme/privacy_policy/text?at=2025-03-03T13:00",
]
FEEDS = ["/feeds/changes.atom", "/feeds/vendors/acme.atom", "/feeds/vendors/acme/privacy_policy.atom"]
APIS = [
    "/api/v1/dashboard",
    "/api/v1/changes",
    "/api/v1/vendors/acme",
    "/api/v1/vendors/acme/privacy_policy/versions/3",
]
ERRORS = ["/vendors/nobody", "/api/v1/vendors/nobody", "/feeds/severity/X.atom"]


def test_policy_text_is_only_ever_text_on_pages_feeds_and_api(served: tuple[Recorder, str]) -> None:
    _, base = served
    for path in PAGES:
        status, headers, body = get(base + path)
        assert status == 200, path
        assert headers["content-security-policy"].startswith("default-src 'none'"), path
        assert "script-src" not in headers["content-security-policy"]  # so no script at all
        assert_inert(body)
    for path in ("/vendors/acme/privacy_policy/diff/2/3", "/vendors/acme/privacy_policy/versions/3"):
        text = lxml.html.fromstring(get(base + path)[2]).text_content()
        assert all(evil in text for evil in EVIL), path
    for path in FEEDS:
        status, headers, body = get(base + path)
        assert status == 200 and headers["content-type"].startswith("application/atom+xml")
        assert "<script" not in body
        titles = " ".join(entry.title for entry in feedparser.parse(body).entries)
        assert "new purpose" in titles
    for path in APIS:
        status, headers, body = get(base + path)
        assert status == 200 and headers["content-type"] == "application/json"
        json.loads(body)  # the markup is a JSON string: `<` travels as itself, never as HTML
        assert headers["x-content-type-options"] == "nosniff"
    raw = get(base + "/vendors/acme/privacy_policy/versions/3/raw")[2]
    assert "&lt;script&gt;var n=" in raw  # the vendor's own script tag, shown and not run


def test_every_response_carries_the_security_headers(served: tuple[Recorder, str]) -> None:
    _, base = served
    for path in ("/static/style.css", "/healthz", *ERRORS):
        _, headers, _ = get(base + path)
        assert headers["content-security-policy"].startswith("default-src 'none'"), path
        assert headers["x-frame-options"] == "DENY"
    assert get(base + "/vendors/nobody")[0] == 404
    assert json.loads(get(base + "/api/v1/vendors/nobody")[2])["error"].startswith("unknown vendor 'nobody'")
    assert get(base + "/feeds/severity/X.atom")[0] == 400


def test_the_dashboard_lists_the_queue_first_and_filters_documents(served: tuple[Recorder, str]) -> None:
    _, base = served
    body = get(base + "/")[2]
    assert body.index('id="queue"') < body.index('id="documents"')
    queue = body[body.index('id="queue"') : body.index('id="documents"')]
    assert queue.count("<tr>") == 3  # header, the MATERIAL change, the REVIEW one
    queued = core.review_queue(served[0].app)
    assert all(f'href="/changes/{item.change.id}"' in queue for item in queued)
    change_page = get(base + f"/changes/{queued[0].change.id}")[2]  # the short link: the change page itself
    assert change_page == get(base + "/vendors/acme/privacy_policy/diff/2/3")[2]
    assert get(base + "/changes/999")[0] == 404
    documents = body[body.index('id="documents"') :]
    assert "Acme" in documents and "2025-03-01" in documents  # the policy date
    assert "Acme" not in get(base + "/?tag=other")[2].split('id="documents"')[1]
    assert "Acme" not in get(base + "/?severity=NOISE")[2].split('id="documents"')[1]
    assert "Acme" in get(base + "/?tag=saas&severity=MATERIAL")[2].split('id="documents"')[1]


def test_a_write_without_the_token_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    cases = ((None, TOKEN, 403), (TOKEN, "wrong-token-of-the-same-size", 401), (TOKEN, "", 401))
    for index, (token, given, refused) in enumerate(cases):
        (tmp_path / str(index)).mkdir()
        fetch = recorded(tmp_path / str(index), token)
        before = core.review_queue(fetch.app)
        change_id = before[0].change.id
        with web_view(fetch.app) as base:
            form = {"status": "reviewed", "author": "mallory", "note": "x", "token": given}
            status, _ = post(f"{base}/changes/{change_id}/review", form)
            assert status == refused
            assert post(f"{base}/changes/{change_id}/review", form, {"Authorization": f"Bearer {given}"})[0] == refused
        assert core.review_queue(fetch.app) == before
        assert core.change_reviews(fetch.app, change_id) == []


def test_a_change_marked_with_the_token_leaves_the_queue_and_is_recorded(served: tuple[Recorder, str]) -> None:
    fetch, base = served
    material = core.review_queue(fetch.app)[0].change
    form = {"status": "reviewed", "author": "priya", "note": "checked with legal", "token": TOKEN}
    status, _ = post(f"{base}/changes/{material.id}/review", form)
    assert status == 303
    assert [item.change.id for item in core.review_queue(fetch.app)] == [material.id - 1]
    (row,) = core.change_reviews(fetch.app, material.id)
    assert (row.status, row.author, row.note, row.via) == ("reviewed", "priya", "checked with legal", "web")
    assert row.at.tzinfo is not None
    page = get(base + "/vendors/acme/privacy_policy/diff/2/3")[2]
    assert "reviewed by priya (web)" in page
    escalate = {"status": "escalated", "author": "priya", "token": TOKEN}
    assert post(f"{base}/changes/{material.id - 1}/review", escalate, {"Authorization": f"Bearer {TOKEN}"})[0] == 303
    (item,) = core.review_queue(fetch.app)  # an escalated change stays in the queue, marked
    assert item.review is not None and item.review.status == "escalated"
    assert post(f"{base}/changes/{material.id}/review", {**form, "status": "lost"})[0] == 400
    assert post(f"{base}/changes/999/review", form)[0] == 404


ATOM_NS = "{http://www.w3.org/2005/Atom}"
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_feeds_are_valid_atom_with_ids_stable_across_restarts(tmp_path: Path) -> None:
    fetch = recorded(tmp_path)
    with web_view(fetch.app) as base:
        first = {path: get(base + path)[2] for path in [*FEEDS, "/feeds/severity/MATERIAL.atom"]}
    with web_view(core.open_app(fetch.config)) as base:  # a restarted server over the same database
        again = {path: get(base + path)[2] for path in first}
    for path, body in first.items():
        parsed = feedparser.parse(body)
        assert not parsed.bozo, path
        root = etree.fromstring(body.encode())
        for element in (root, *root.findall(f"{ATOM_NS}entry")):
            for required in ("id", "title", "updated"):
                assert element.findtext(f"{ATOM_NS}{required}"), (path, required)
            assert RFC3339_UTC.match(element.findtext(f"{ATOM_NS}updated") or ""), path
        assert root.find(f"{ATOM_NS}author/{ATOM_NS}name") is not None
        for entry in root.findall(f"{ATOM_NS}entry"):
            assert entry.find(f"{ATOM_NS}link[@rel='alternate']") is not None
        assert [e.id for e in parsed.entries] == [e.id for e in feedparser.parse(again[path]).entries]
    entries = feedparser.parse(first["/feeds/changes.atom"]).entries
    assert [e.tags[0].term for e in entries] == ["MATERIAL", "REVIEW"]
    assert entries[0].link.endswith("/vendors/acme/privacy_policy/diff/2/3")
    assert [e.title for e in feedparser.parse(first["/feeds/severity/MATERIAL.atom"]).entries] == [entries[0].title]


def test_the_api_has_the_clis_json_shapes(served: tuple[Recorder, str]) -> None:
    fetch, base = served
    config = str(fetch.config.path)

    def cli(*args: str) -> object:
        result = subprocess.run(
            [sys.executable, "-m", "monitor", "-c", config, *args, "--json"], capture_output=True, timeout=60, text=True
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def api(path: str) -> object:
        return json.loads(get(base + "/api/v1" + path)[2])

    assert api("/vendors/acme") == cli("history", "acme")
    assert api("/vendors/acme/privacy_policy/versions/3") == cli("show", "acme", "--version", "3")
    at = "2025-03-03T11:30"
    assert api(f"/vendors/acme/privacy_policy/text?at={at}") == cli("show", "acme", "--at", at)
    assert api("/vendors/acme/privacy_policy/changes/2/3") == cli("explain", "acme", "2", "3")
    assert api("/vendors/acme/privacy_policy/diff/1/3") == cli("diff", "acme", "1", "3")
    assert api("/vendors") == cli("vendors")
    assert api("/review-queue") == cli("review")
    explained = api("/vendors/acme/privacy_policy/changes/2/3")
    assert {"M3", "M4"} <= {fired["rule"] for fired in explained["evidence"]}  # the rules, with their evidence
    assert api("/incidents") == []
    assert datetime.fromisoformat(api("/changes")[0]["detected_at"]).utcoffset().total_seconds() == 0


def test_monitor_review_lists_the_queue_and_marks_a_change(tmp_path: Path) -> None:
    fetch = recorded(tmp_path)
    config = str(fetch.config.path)

    def monitor(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "monitor", "-c", config, *args], capture_output=True, text=True)

    queue = json.loads(monitor("review", "--json").stdout)
    assert [item["change"]["severity"] for item in queue] == ["MATERIAL", "REVIEW"]
    change_id = queue[0]["change"]["id"]
    marked = monitor("review", str(change_id), "dismissed", "--note", "known", "--by", "sam")
    assert marked.returncode == 0 and f"change {change_id}: dismissed by sam" in marked.stdout
    assert [item["change"]["id"] for item in json.loads(monitor("review", "--json").stdout)] == [change_id - 1]
    wrong = monitor("review", str(change_id), "shrugged")
    assert wrong.returncode == 2 and "reviewed, dismissed, escalated" in wrong.stderr


def test_the_web_base_url_makes_alerts_link_to_the_change_page(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    vendor = (
        '[[vendors]]\nid = "acme"\nname = "Acme"\n[[vendors.documents]]\ntype = "terms"\nurl = "https://a.test/t"\n'
    )
    path.write_text('[web]\nbase_url = "https://policies.example/"\n' + vendor)
    assert load_config(path).alerts.diff_url == "https://policies.example/vendors/{vendor}/{document}/diff/{old}/{new}"
    own = '[alerts]\ndiff_url = "https://x.test/{new}"\n'
    path.write_text('[web]\nbase_url = "https://policies.example"\n' + own + vendor)
    assert load_config(path).alerts.diff_url == "https://x.test/{new}"


def test_any_two_versions_are_compared_and_moved_sentences_marked(served: tuple[Recorder, str]) -> None:
    fetch, base = served
    moved = [*SELLS[:3], *SELLS[4:], SELLS[3]]  # the e-mail sentence moves to the end, unchanged
    fetch(moved)
    page = get(base + "/vendors/acme/privacy_policy/diff/3/4")[2]
    moved_block = page[page.index("Moved, unchanged") :]
    assert "We use your e-mail address to send you service messages about your account." in moved_block
    compared = get(base + "/vendors/acme/privacy_policy/diff/1/3")[2]
    assert "compared now, not a recorded change" in compared and 'id="review"' not in compared
    assert "<del>do not</del>" in compared
    assert unfollowed(base + "/vendors/acme/privacy_policy/diff?a=3&b=1") == (
        303,
        "/vendors/acme/privacy_policy/diff/1/3",
    )
    at = lxml.html.fromstring(get(base + "/vendors/acme/privacy_policy/text?at=2025-03-03T12:30")[2]).text_content()
    assert "version 2" in at and "and news about your account" in at  # the text that stood then
    assert get(base + "/vendors/acme/privacy_policy/text?at=2020-01-01")[0] == 404
    assert get(base + "/vendors/acme/privacy_policy/text?at=yesterday")[0] == 400


def unfollowed(url: str) -> tuple[int, str]:
    """GET `url` without following a redirect: its status and Location."""
    try:
        with NOT_FOLLOWING.open(url, timeout=10) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("location", "")


def test_feeds_and_the_queue_leave_out_re_extractions(served: tuple[Recorder, str]) -> None:
    fetch, base = served
    extra = "We keep server logs for thirty days in every office we run."
    fetch([*SELLS, f"The end.</p><div class='extra'><p>{extra}</p></div><p>Thank you."])  # version 4
    vendor = fetch.config.vendors[0]
    document = vendor.documents[0].model_copy(update={"remove": ".extra"})
    changed = fetch.config.model_copy(update={"vendors": [vendor.model_copy(update={"documents": [document]})]})
    (done,) = core.reextract(core.open_app(changed))
    assert (done.result, done.version_seq) in {("technical", 5), ("flagged", 5)}
    assert core.history(fetch.app, "acme")[0].versions[-1].change.kind == "technical"
    feeds = [*FEEDS, "/feeds/severity/REVIEW.atom", "/feeds/severity/NOISE.atom"]
    for path in feeds:
        ids = [entry.id for entry in feedparser.parse(get(base + path)[2]).entries]
        assert not [i for i in ids if i.endswith(":5")], path
    assert ":4" in feedparser.parse(get(base + "/feeds/changes.atom")[2]).entries[0].id
    assert all(item.change.kind != "technical" for item in core.review_queue(fetch.app))
    assert "re-extraction" in get(base + "/vendors/acme")[2]  # the timeline shows it, marked


def test_the_read_models_behind_the_web_view(database_url: str, tmp_path: Path) -> None:
    fetch = recorded(tmp_path, database_url=database_url)
    fetch(None, "http_error")  # an open incident
    board = core.dashboard(fetch.app)
    (row,) = board.documents
    assert (row.current_seq, row.policy_date, row.outcome) == (3, "2025-03-01", "http_error")
    latest = row.latest
    assert latest is not None and (latest.severity, latest.old_seq, latest.new_seq) == ("MATERIAL", 2, 3)
    assert row.incident is not None and row.incident.kind == "http_error"
    assert [i.change.severity for i in board.queue] == ["MATERIAL", "REVIEW"] and board.queued == 2
    assert core.dashboard(fetch.app, severity="REVIEW").documents == ()
    core.review_change(fetch.app, board.queue[0].change.id, "escalated", "sam", "legal?")
    core.review_change(fetch.app, board.queue[1].change.id, "dismissed", "sam")
    (left,) = core.review_queue(fetch.app)
    assert left.change.id == board.queue[0].change.id and left.review is not None and left.review.note == "legal?"
    assert core.dashboard(fetch.app).queued == 1
    view = core.change_view(fetch.app, "acme", 2, 3)
    assert view.change_id == board.queue[0].change.id and [r.status for r in view.reviews] == ["escalated"]
    assert core.change_view(fetch.app, "acme", 1, 3).change_id is None  # compared now
    assert [c.new_seq for c in core.recent_changes(fetch.app, kinds=("new_version",), doc_type="privacy_policy",
                                                   vendor="acme")] == [3, 2]  # fmt: skip
    assert [i.kind for i in core.incidents(fetch.app, "acme")] == ["http_error"]
    assert "<script>" in core.raw_source(fetch.app, "acme", 3).body
