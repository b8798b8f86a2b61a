"""Regenerate the web view's screenshots under docs/ from real crawls of the demo site on loopback.

    python bench/web_samples.py       # docs/web-dashboard.png and docs/web-change.png (needs Debian's chromium)

The demo vendors are crawled twice into a throw-away database (Lumen's policy changes, Nestwise hits
a bot wall), the web view serves it on a free loopback port, and Playwright drives /usr/bin/chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor import app
from tests.support.web import demo_record, web_view

DOCS = Path(__file__).resolve().parents[1] / "docs"
CHROMIUM = "/usr/bin/chromium"


def main() -> None:
    """Crawl, serve, and save the two screenshots."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        config = demo_record(Path(folder))
        application = app.open_app(app.load_settings(config))
        with web_view(application) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1200, "height": 640})
            page.goto(base + "/")
            page.screenshot(path=DOCS / "web-dashboard.png", full_page=True)
            page.goto(base + "/vendors/lumen/privacy_policy/diff/1/2")
            page.screenshot(path=DOCS / "web-change.png", full_page=True)
            browser.close()
    print(f"wrote {DOCS / 'web-dashboard.png'} and {DOCS / 'web-change.png'}")


if __name__ == "__main__":
    main()
