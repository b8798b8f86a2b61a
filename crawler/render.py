"""Rendering pages in headless Chromium through scrapy-playwright (the optional ``render`` extra).

A document with ``render`` is always fetched by the browser; any other one is fetched plainly and
retried once by the browser when it gets 403/406/502 or a bot wall (see
:class:`crawler.middleware.RenderFallbackMiddleware`). The browser is Debian's ``chromium``, never
one downloaded by Playwright; it starts on the first rendered page and closes with the crawl.
"""

from __future__ import annotations

import importlib.util
import shutil
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from crawler.botwall import bot_wall_marker

if TYPE_CHECKING:
    from playwright.async_api import Request as BrowserRequest

    from crawler.job import FetchSettings, RenderSettings

#: Statuses a plain fetch may get where a browser gets the page.
BROWSER_STATUSES = frozenset({403, 406, 502})

#: What to do about rendering: how to enable it.
ENABLE_HINT = "to enable it: pip install 'policy-monitor[render]' and apt-get install chromium"

#: The browser's user agent: a desktop Chrome (its own says ``HeadlessChrome``, which sites block).
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
)

#: The custom Scrapy setting holding the :class:`RenderMode`.
MODE_SETTING = "POLICY_MONITOR_RENDER"

_HEAVY_RESOURCES = frozenset({"image", "media", "font"})
_LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
]


class RenderMode(StrEnum):
    """Whether the crawl may use a browser."""

    OFF = "off"  # disabled in the config
    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"  # wanted, but the extra or chromium is missing

    def why_not(self) -> str:
        """Why a page that needs a browser could not have one, in a few words."""
        if self is RenderMode.OFF:
            return "rendering is disabled ([render] enabled = false)"
        return f"rendering is unavailable ({ENABLE_HINT})"


def browser_available(chromium_path: str) -> str | None:
    """The Chromium executable when the render extra is installed and chromium is found, else None."""
    if importlib.util.find_spec("scrapy_playwright") is None:
        return None
    return shutil.which(chromium_path)


def browser_executable(render: RenderSettings) -> str | None:
    """The Chromium to launch, or None when rendering is off, not installed or chromium is missing."""
    return browser_available(render.chromium_path) if render.enabled else None


def render_mode(render: RenderSettings) -> RenderMode:
    """The crawl's :class:`RenderMode`."""
    if not render.enabled:
        return RenderMode.OFF
    return RenderMode.AVAILABLE if browser_executable(render) else RenderMode.UNAVAILABLE


def render_settings(settings: FetchSettings, render: RenderSettings) -> dict[str, Any]:
    """Scrapy settings wiring scrapy-playwright in, when rendering is available (else only the mode)."""
    executable = browser_executable(render)
    if executable is None:
        return {MODE_SETTING: render_mode(render).value}
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    return {
        MODE_SETTING: RenderMode.AVAILABLE.value,
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": executable, "headless": True, "args": _LAUNCH_ARGS},
        "PLAYWRIGHT_PROCESS_REQUEST_HEADERS": None,  # the browser's own headers, not Scrapy's user agent
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": render.max_pages,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": settings.timeout * 1000,
        "PLAYWRIGHT_ABORT_REQUEST": "crawler.render.abort_heavy",
    }


def render_meta(wait_for: str) -> dict[str, Any]:
    """Request meta keys sending a request through the browser, waiting for ``wait_for`` or network idle."""
    from scrapy_playwright.page import PageMethod

    wait = PageMethod("wait_for_selector", wait_for) if wait_for else PageMethod("wait_for_load_state", "networkidle")
    return {
        "playwright": True,
        # A lazy context (startup contexts would launch a browser per scheme even for plain crawls).
        "playwright_context": "render",
        "playwright_context_kwargs": {"user_agent": BROWSER_USER_AGENT},
        "playwright_page_methods": [wait],
        "render_tried": True,
    }


def needs_browser(status: int, body: bytes) -> bool:
    """Whether a plain response suggests that a browser would get the page."""
    return status in BROWSER_STATUSES or (200 <= status < 300 and bot_wall_marker(body) is not None)


def launch_failed(exc: BaseException) -> bool:
    """Whether ``exc`` says the browser could not be started (e.g. chromium removed mid-way)."""
    return type(exc).__module__.startswith("playwright") and "Failed to launch" in str(exc)


def abort_heavy(request: BrowserRequest) -> bool:
    """Skip images, media and fonts: they never carry policy text."""
    return request.resource_type in _HEAVY_RESOURCES
