"""Scrapy settings for a crawl, built from the job's settings."""

from typing import Any

from crawler.job import Job
from crawler.render import render_settings

#: Scrapy components a crawl of given URLs does without (no stats, feeds, cookies, auth, offsite
#: filtering or depth tracking): not loading them saves start-up imports and per-page calls.
UNUSED_EXTENSIONS = (
    "corestats.CoreStats",
    "logcount.LogCount",
    "memusage.MemoryUsage",
    "memdebug.MemoryDebugger",
    "closespider.CloseSpider",
    "feedexport.FeedExporter",
    "logstats.LogStats",
    "spiderstate.SpiderState",
)
UNUSED_DOWNLOADER_MIDDLEWARES = (
    "offsite.OffsiteMiddleware",
    "httpauth.HttpAuthMiddleware",
    "cookies.CookiesMiddleware",
    "stats.DownloaderStats",
    "httpcache.HttpCacheMiddleware",
)
UNUSED_SPIDER_MIDDLEWARES = (
    "depth.DepthMiddleware",
    "metacopy.MetaCopyDetectionMiddleware",
)

#: HTTP statuses worth retrying: server hiccups, gateway errors, timeouts, rate limiting.
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]


def scrapy_settings(job: Job) -> dict[str, Any]:
    """Scrapy settings implementing the job's settings, for a crawl whose logs go to stderr."""
    settings = job.settings
    return {
        "USER_AGENT": settings.user_agent,
        "DOWNLOAD_TIMEOUT": settings.timeout,
        "DNS_TIMEOUT": settings.timeout,
        "DOWNLOAD_DELAY": settings.delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": settings.concurrency_per_domain,
        "DOWNLOADER": "crawler.downloader.PoliteDownloader",
        "ROBOTSTXT_OBEY": settings.obey_robots_txt,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": settings.retries,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "DOWNLOAD_MAXSIZE": settings.max_bytes,
        "DOWNLOAD_WARNSIZE": settings.max_bytes // 2,
        "AUTOTHROTTLE_ENABLED": settings.autothrottle,
        "AUTOTHROTTLE_START_DELAY": settings.delay,
        "AUTOTHROTTLE_MAX_DELAY": max(30.0, 10 * settings.delay),
        "LOG_LEVEL": settings.log_level,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy 2.19's code-execution HTTP server, with its job files in ~/.local/state.
        "REMOTE_CONTROL_ENABLED": False,
        "COOKIES_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        # Error pages reach the spider's callback. (The handle_httpstatus_all request
        # meta key would do the same but also disables following redirects.)
        "HTTPERROR_ALLOW_ALL": True,
        # Scrapy's own, fixed: see crawler.middleware.
        "EXTENSIONS": dict.fromkeys((f"scrapy.extensions.{name}" for name in UNUSED_EXTENSIONS), None),
        "SPIDER_MIDDLEWARES": dict.fromkeys((f"scrapy.spidermiddlewares.{n}" for n in UNUSED_SPIDER_MIDDLEWARES), None),
        "DOWNLOADER_MIDDLEWARES": {
            **dict.fromkeys((f"scrapy.downloadermiddlewares.{n}" for n in UNUSED_DOWNLOADER_MIDDLEWARES), None),
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawler.middleware.SharedRobotsTxtMiddleware": 100,
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
            "crawler.middleware.BotWallAwareMetaRefreshMiddleware": 580,
            # Before RetryMiddleware (550) sees a 502, so the browser gets its chance first.
            "crawler.middleware.RenderFallbackMiddleware": 585,
        },
        **render_settings(settings, job.render),
    }
