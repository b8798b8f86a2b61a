"""Pages that need a browser: rendering, the fallback after a block, and what happens without a browser."""

from __future__ import annotations

import importlib.util
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from sqlmodel import select

from crawler.job import FetchRequest, RenderSettings
from crawler.render import MODE_SETTING, needs_browser
from crawler.results import FetchResult
from monitor.app.context import open_app
from monitor.app.cycle import plan, run_cycle
from monitor.config import (
    DocumentConfig,
)
from monitor.text.extract import extract_text
from storage.db import session_scope
from storage.models import Incident, Snapshot
from tests.support.configs import loopback_config
from tests.support.sites import LoopbackSite
from tests.test_crawler import CLOUDFLARE_CHALLENGE, POLICY_TEXT, crawl_settings, run

CAN_RENDER = shutil.which("chromium") is not None and importlib.util.find_spec("scrapy_playwright") is not None
needs_render = pytest.mark.skipif(
    not CAN_RENDER, reason="rendering unavailable: needs chromium (apt) and the render extra (pip install '.[render]')"
)

#: What bot filters block: scripted clients and headless browsers that say so.
BOT_AGENTS = ("Scrapy", "policy-monitor", "python", "HeadlessChrome")

JS_PAGE = f"""<html><head><title>Privacy</title></head><body><div id="policy">Loading…</div>
<script>
window.addEventListener("load", () => setTimeout(() => {{
  document.getElementById("policy").innerHTML = {POLICY_TEXT!r} + "<p id='done'>The end.</p>";
}}, 300));
</script></body></html>"""


def chromium_pids() -> set[int]:
    """Running (not zombie) processes whose executable is chromium."""
    pids = set()
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and "chromium" in (entry / "cmdline").read_text()
                and (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
            ):
                pids.add(int(entry.name))
        except OSError:
            continue
    return pids


@pytest.fixture(scope="module")
def rendered() -> Iterator[tuple[LoopbackSite, dict[str, FetchResult], Any, set[int]]]:
    """One crawl with rendering: JS pages, a page blocking scripted clients, a challenge, a plain page."""
    if not CAN_RENDER:
        pytest.skip("rendering unavailable: needs chromium (apt) and the render extra (pip install '.[render]')")
    before = chromium_pids()
    with LoopbackSite() as site:
        site.set("/js", JS_PAGE)
        site.set("/blocked", f"<html><body><main>{POLICY_TEXT}</main></body></html>", block_agents=BOT_AGENTS)
        site.set("/challenge", CLOUDFLARE_CHALLENGE)
        site.set("/plain", f"<html><body><main>{POLICY_TEXT}</main></body></html>")
        documents = [
            {"key": "js-wait", "url": site.url("/js"), "render": True, "wait_for": "#done"},
            {"key": "js-idle", "url": site.url("/js?idle"), "render": True},
            {"key": "js-plain", "url": site.url("/js?plain")},
            {"key": "blocked", "url": site.url("/blocked")},
            {"key": "challenge", "url": site.url("/challenge")},
            {"key": "plain", "url": site.url("/plain")},
        ]
        settings = crawl_settings(timeout=15.0)
        results, report = run({"settings": settings, "render": {"enabled": True}, "documents": documents}, timeout=60)
        yield site, results, report, before


@needs_render
def test_javascript_page_yields_its_text_when_rendered(rendered: Any) -> None:
    _, results, report, _ = rendered
    assert report.returncode == 0
    for key in ("js-wait", "js-idle"):
        result = results[key]
        assert (result.outcome, result.status, result.rendered) == ("ok", 200, True), key
        text = extract_text(result.body, content_type=result.content_type, base_url=result.final_url)
        assert "purpose 39" in text and "Loading" not in text, key
    plain = results["js-plain"]
    assert (plain.outcome, plain.rendered) == ("ok", False)
    assert "purpose 39" not in extract_text(plain.body)


@needs_render
def test_page_blocking_the_crawler_is_fetched_through_the_browser(rendered: Any) -> None:
    site, results, _, _ = rendered
    blocked = results["blocked"]
    assert (blocked.outcome, blocked.status, blocked.rendered) == ("ok", 200, True)
    assert "purpose 39" in extract_text(blocked.body)
    assert "Chrome/" in site.last_headers("/blocked")["user-agent"]


@needs_render
def test_challenge_still_there_after_rendering_is_a_bot_wall(rendered: Any) -> None:
    site, results, _, _ = rendered
    challenge = results["challenge"]
    assert (challenge.outcome, challenge.rendered) == ("bot_wall", True)
    assert site.hits("/challenge") == 2  # the plain fetch, then the browser


@needs_render
def test_plain_pages_are_not_rendered_and_no_browser_outlives_the_crawl(rendered: Any) -> None:
    site, results, _, before = rendered
    assert (results["plain"].outcome, results["plain"].rendered) == ("ok", False)
    assert site.hits("/plain") == 1
    deadline = time.monotonic() + 5
    while chromium_pids() - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not chromium_pids() - before


def test_without_a_browser_render_documents_are_render_unavailable(site: LoopbackSite) -> None:
    site.set("/plain", f"<html><body><main>{POLICY_TEXT}</main></body></html>")
    site.set("/blocked", "<p>policy</p>", block_agents=BOT_AGENTS)
    documents = [
        {"key": "render", "url": site.url("/plain?r"), "render": True},
        {"key": "plain", "url": site.url("/plain")},
        {"key": "blocked", "url": site.url("/blocked")},
    ]
    off, _ = run({"settings": crawl_settings(), "render": {"enabled": False}, "documents": documents})
    assert [off[key].outcome for key in ("render", "plain", "blocked")] == ["render_unavailable", "ok", "http_error"]
    assert "[render] enabled = false" in off["render"].error
    no_chromium = {"enabled": True, "chromium_path": "/nonexistent/chromium"}
    missing, _ = run({"settings": crawl_settings(), "render": no_chromium, "documents": documents})
    assert [missing[key].outcome for key in ("render", "plain", "blocked")] == [
        "render_unavailable",
        "ok",
        "render_unavailable",
    ]
    for key in ("render", "blocked"):
        assert "pip install 'policy-monitor[render]'" in missing[key].error
        assert not missing[key].rendered
    assert missing["blocked"].error.startswith("HTTP 403 Forbidden: ")
    assert site.hits("/plain?r") == 0


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (403, b"<p>denied</p>", True),
        (406, b"", True),
        (502, b"", True),
        (404, b"<p>gone</p>", False),
        (200, CLOUDFLARE_CHALLENGE.encode(), True),
        (200, f"<main>{POLICY_TEXT}</main>".encode(), False),
    ],
)
def test_which_plain_responses_get_a_browser(status: int, body: bytes, expected: bool) -> None:
    assert needs_browser(status, body) is expected


@needs_render
def test_fallback_middleware_asks_the_browser_once() -> None:
    from crawler.middleware import RenderFallbackMiddleware

    middleware = RenderFallbackMiddleware(SimpleNamespace(settings=Settings({MODE_SETTING: "available"})))
    document = FetchRequest(key="1", url="http://h/p", wait_for="main")
    request = Request("http://h/p", meta={"document": document})
    retry = middleware.process_response(request, HtmlResponse("http://h/p", status=403, body=b"", request=request))
    assert isinstance(retry, Request) and retry.dont_filter and retry.meta["playwright"] and retry.meta["render_tried"]
    assert retry.meta["playwright_page_methods"][0].args == ("main",)
    again = HtmlResponse("http://h/p", status=403, body=b"", request=retry)
    assert middleware.process_response(retry, again) is again
    robots = Request("http://h/robots.txt")
    denied = HtmlResponse("http://h/robots.txt", status=403, body=b"", request=robots)
    assert middleware.process_response(robots, denied) is denied


def test_render_unavailable_is_an_incident_and_recorded_truthfully(site: LoopbackSite, tmp_path: Path) -> None:
    site.set("/plain", f"<html><body><main>{POLICY_TEXT}</main></body></html>")
    documents = [
        DocumentConfig(type="privacy_policy", url=site.url("/plain?r"), render=True, wait_for="main"),
        DocumentConfig(type="terms", url=site.url("/plain")),
    ]
    config = loopback_config(tmp_path / "render.db", {"acme": documents})
    config = config.model_copy(update={"render": RenderSettings(enabled=False)})
    application = open_app(config)
    engine = application.engine
    result = run_cycle(application, plan(application))
    by_outcome = {r.outcome: r for r in result.recorded}
    assert set(by_outcome) == {"render_unavailable", "ok"}
    assert by_outcome["render_unavailable"].version_seq is None
    assert by_outcome["render_unavailable"].incident == "opened"
    with session_scope(engine) as session:
        snapshots = session.exec(select(Snapshot)).all()
        assert {(s.outcome, s.rendered) for s in snapshots} == {("render_unavailable", False), ("ok", False)}
        assert session.exec(select(Incident)).one().kind == "render_unavailable"
    engine.dispose()


@needs_render
def test_a_cycle_sends_only_what_needs_it_through_the_browser(site: LoopbackSite, tmp_path: Path) -> None:
    page = f"<html><body><main>{POLICY_TEXT}</main></body></html>"
    site.set("/plain", page)
    site.set("/blocked", page, block_agents=BOT_AGENTS)
    site.set("/js", JS_PAGE)
    documents = {
        "plain": DocumentConfig(type="privacy_policy", url=site.url("/plain")),
        "blocked": DocumentConfig(type="privacy_policy", url=site.url("/blocked")),
        "js": DocumentConfig(type="privacy_policy", url=site.url("/js"), render=True, wait_for="#done"),
    }
    config = loopback_config(tmp_path / "cycle.db", {vendor: [doc] for vendor, doc in documents.items()}, timeout=15)
    application = open_app(config)
    engine = application.engine
    result = run_cycle(application, plan(application))
    assert result.status == "finished"
    with session_scope(engine) as session:
        snapshots = {s.requested_url.rsplit("/", 1)[-1]: s for s in session.exec(select(Snapshot))}
    assert {name: (s.outcome, s.rendered) for name, s in snapshots.items()} == {
        "plain": ("ok", False),
        "blocked": ("ok", True),  # 403 to the plain pass, then the browser's second pass
        "js": ("ok", True),  # render = true: straight to the browser
    }
    assert (site.hits("/plain"), site.hits("/blocked"), site.hits("/js")) == (1, 2, 1)
    engine.dispose()
