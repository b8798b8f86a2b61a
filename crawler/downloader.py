"""Scrapy's downloader, with its per-domain concurrency kept when there is no download delay."""

from __future__ import annotations

from typing import Any

from scrapy.core.downloader import Downloader, Slot


class PoliteDownloader(Downloader):
    """Claims a slot's transfer place when a request is dispatched, not when its task starts.

    Scrapy 2.19 marks a request as transferring in the first line of the task it schedules for it,
    so with `DOWNLOAD_DELAY = 0` the dispatch loop sees every place free and sends a host's whole
    queue at once (6 requests in flight with `CONCURRENT_REQUESTS_PER_DOMAIN = 1`, measured). The
    request leaves `transferring` where Scrapy removes it, at the end of its download.
    """

    def _wait_for_download(self, slot: Slot, request: Any, queue_dfd: Any) -> Any:
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)
