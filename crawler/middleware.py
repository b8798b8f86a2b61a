"""Downloader middleware of the crawl: Scrapy's, with two fixes, and the fallback to a browser."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.botwall import bot_wall_marker
from crawler.render import MODE_SETTING, RenderMode, needs_browser, render_meta

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.robotstxt import RobotParser


class BotWallAwareMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Follow ``<meta http-equiv="refresh">`` like Scrapy, except away from a bot wall.

    SiteGround's captcha, for one, is a page that meta-refreshes to
    ``/.well-known/sgcaptcha``: following it would report the captcha endpoint
    instead of the wall in front of the document.
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:
        """Return the response itself when it is a bot wall, else follow any meta refresh."""
        if bot_wall_marker(response.body):
            return response
        return super().process_response(request, response)


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with its parser shared by all waiting requests.

    In Scrapy 2.19 the requests that arrive while a host's robots.txt is downloading
    await one shared Deferred; awaiting a Deferred consumes its result, so only the
    first of them gets the parser and the others get None, which means "allow all".
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The parser for the request's host, downloading robots.txt on first use."""
        netloc = urlparse_cached(request).netloc
        pending: Any = self._parsers.get(netloc)
        if isinstance(pending, Deferred):
            await maybe_deferred_to_future(_when_fired(pending))
            return self._parsers[netloc]  # type: ignore[return-value]  # set before firing
        return await super().robot_parser(request)


def _when_fired(deferred: Deferred[Any]) -> Deferred[None]:
    """A Deferred firing when ``deferred`` does, leaving its result to its other callbacks."""
    fired: Deferred[None] = Deferred()

    def relay(result: Any) -> Any:
        fired.callback(None)
        return result

    deferred.addBoth(relay)
    return fired


class RenderFallbackMiddleware:
    """Retry a plain fetch once through the browser when it got 403/406/502 or a bot wall.

    Only when rendering is available; the spider reports the other cases. Whether a response was
    rendered is told by its ``playwright`` flag, never by the request's meta.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.enabled = crawler.settings.get(MODE_SETTING) == RenderMode.AVAILABLE

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderFallbackMiddleware:
        """Build the middleware for ``crawler``."""
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        """A browser request for a plain response that needs one, else the response itself."""
        document = request.meta.get("document")  # robots.txt requests have none
        if (
            not self.enabled
            or document is None
            or request.meta.get("render_tried")
            or "playwright" in response.flags
            or not needs_browser(response.status, response.body)
        ):
            return response
        return request.replace(meta={**request.meta, **render_meta(document.wait_for)}, dont_filter=True)
