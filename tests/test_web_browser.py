"""The web view in a real browser: Playwright driving Debian's chromium over a database filled by real crawls."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor import app as core
from tests.support.sites import LoopbackSite
from tests.support.web import crawl, demo_record, web_view, write_record_config
from tests.test_render import CAN_RENDER
from tests.test_web import EVIL, TOKEN

pytestmark = pytest.mark.skipif(not CAN_RENDER, reason="needs chromium (apt) and the render extra")

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


def test_a_change_is_followed_from_the_dashboard_to_its_diff_and_reviewed(browser: object, tmp_path: Path) -> None:
    config = demo_record(tmp_path, TOKEN)
    application = core.open_app(core.load_settings(config))
    with web_view(application) as base:
        page = browser.new_page()  # type: ignore[attr-defined]
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base + "/")
        queue = page.locator("#queue")
        assert queue.locator("tr").count() == 2  # its header and Lumen's change
        assert "Lumen" in page.locator("#documents").inner_text()
        assert "bot_wall" in page.locator("#documents").inner_text()  # Nestwise's open incident
        queue.locator("a[href^='/changes/']").first.click()
        page.wait_for_url("**/changes/*")
        assert page.locator("h1").inner_text().startswith("Lumen")
        assert page.locator("del").count() > 0 and page.locator("ins").count() > 0
        assert "MATERIAL" in page.locator("main p [class^='s-']").first.inner_text()
        assert "Why MATERIAL" in page.content()
        page.select_option("#review select[name=status]", "reviewed")
        page.fill("#review input[name=note]", "seen by legal")
        page.fill("#review input[name=author]", "priya")
        page.fill("#review input[name=token]", TOKEN)
        page.click("#review button")
        page.wait_for_url(base + "/")
        assert page.locator("#queue").inner_text() == "Nothing to review."
        page.goto(base + "/vendors/lumen/privacy_policy/diff/1/2")
        assert "reviewed by priya (web)" in page.locator("main").inner_text()
        assert errors == []


def test_no_script_from_policy_text_runs_on_any_page(browser: object, tmp_path: Path) -> None:
    policy = "<h1>Privacy</h1>" + "".join(
        f"<p>We keep your data safe and never sell it to anyone, ever. Item {i}.</p>" for i in range(6)
    )
    evil = "<p>" + " ".join(html.escape(e) for e in EVIL) + " alert(document.domain)</p>"
    live = "<script>window.__pwned = 'raw'</script><img src=x onerror=\"window.__pwned = 'raw-img'\">"
    with LoopbackSite() as site:
        config = write_record_config(tmp_path, {"evilcorp": site.url("/privacy")}, TOKEN)
        site.set("/privacy", f"<html><body><main>{policy}</main></body></html>")
        crawl(config)
        site.set("/privacy", f"<html><body><main>{policy}{evil}{live}</main></body></html>")
        crawl(config)
    application = core.open_app(core.load_settings(config))
    assert len(core.recent_changes(application)) == 1
    paths = [
        "/",
        "/vendors/evilcorp",
        "/vendors/evilcorp/privacy_policy/diff/1/2",
        "/vendors/evilcorp/privacy_policy/versions/2",
        "/vendors/evilcorp/privacy_policy/versions/2/raw",
        "/vendors/evilcorp/privacy_policy/text?at=2100-01-01",
        "/feeds/changes.atom",
        "/api/v1/vendors/evilcorp/privacy_policy/versions/2",
        "/api/v1/vendors/evilcorp/privacy_policy/changes/1/2",
    ]
    with web_view(application) as base:
        page = browser.new_page()  # type: ignore[attr-defined]
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in paths:
            page.goto(base + path)
            page.wait_for_load_state("load")
            assert page.evaluate("window.__pwned") is None, path
            shown = page.locator("body").inner_text()
            if path.endswith("/raw"):
                assert "<script>window.__pwned = 'raw'</script>" in shown
            elif path not in ("/", "/vendors/evilcorp", "/feeds/changes.atom"):  # those show headlines, not text
                assert "<script>window.__pwned = 'script'</script>" in shown, path
                assert "</textarea>" in shown and "javascript:window.__pwned" in shown, path
        page.goto(base + "/")
        assert "evilcorp" in page.locator("#documents").inner_text().lower()
        assert dialogs == []
