"""The web view served on a free loopback port in a thread, for tests, the screenshots and the bench."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from monitor.app.context import App
from monitor.web.server import create_app
from tests.support.demo_site import DemoSite
from tests.support.sinks import free_port


@contextmanager
def web_view(app: App) -> Iterator[str]:
    """Serve `app`'s web view until the block ends; yields its base URL (no trailing slash)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(app), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web view did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def write_record_config(folder: Path, urls: dict[str, str], token: str | None = None) -> Path:
    """A config watching each URL as a vendor's privacy policy (tagged), with the web view's write token."""
    lines = ["[storage]", 'url = "sqlite:///web.db"', "[crawl]", "delay = 0", "timeout = 5", "retries = 0"]
    lines += ["autothrottle = false"] + (["[web]", f'token = "{token}"'] if token else [])
    for index, (vendor, url) in enumerate(urls.items()):
        tag = "displays" if index % 2 == 0 else "home"
        lines += ["[[vendors]]", f'id = "{vendor}"', f'name = "{vendor.title()}"', f'tags = ["{tag}"]']
        lines += ["[[vendors.documents]]", 'type = "privacy_policy"', f'url = "{url}"', 'language = "en"']
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def crawl(config: Path) -> None:
    """One real crawl cycle, as `monitor crawl` runs it (the Scrapy child included)."""
    command = [sys.executable, "-m", "monitor", "-c", str(config), "crawl"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr


def demo_record(folder: Path, token: str | None = None) -> Path:
    """The demo vendors crawled twice on loopback: Lumen changes (MATERIAL), Nestwise hits a bot wall."""
    with DemoSite() as site:
        config = write_record_config(folder, {v: site.url(v) for v in ("lumen", "corvid", "nestwise")}, token)
        crawl(config)
        site.show("lumen", 1)
        site.captcha.add("nestwise")
        crawl(config)
    return config
