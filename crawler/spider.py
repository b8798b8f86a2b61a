"""The spider fetching every document of a job, and the crawl that runs it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any, BinaryIO

import scrapy
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.http import Headers, Response
from twisted.python.failure import Failure

from crawler.job import FetchRequest, Job
from crawler.outcomes import NotFetched, Ok, RenderUnavailable, classify_failure, describe_response
from crawler.render import MODE_SETTING, RenderMode, launch_failed, needs_browser, render_meta
from crawler.results import SELECTED_HEADERS, FetchResult
from crawler.settings import scrapy_settings
from crawler.skeleton import skeleton_hash


class ResultWriter:
    """Writes one frame per document to ``stream``, flushed at once; repeats are dropped."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._written: set[str] = set()

    def __contains__(self, key: str) -> bool:
        return key in self._written

    def write(self, result: FetchResult) -> None:
        """Write ``result`` unless a result for its key was written already."""
        if result.key in self._written:
            return
        self._written.add(result.key)
        self._stream.write(result.to_frame())
        self._stream.flush()


class DocumentSpider(scrapy.Spider):
    """Fetches each document once (URL used verbatim) and reports every one of them."""

    name = "documents"

    def __init__(self, documents: Sequence[FetchRequest], writer: ResultWriter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.documents = documents
        self.writer = writer

    @property
    def render_mode(self) -> RenderMode:
        """Whether this crawl may use a browser."""
        return RenderMode(self.crawler.settings.get(MODE_SETTING, RenderMode.OFF))

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Yield one request per document; shared URLs are fetched once per document.

        A ``render`` document goes to the browser, or is reported at once when there is none.
        """
        for document in self.documents:
            meta: dict[str, Any] = {"document": document}
            if document.render:
                if self.render_mode is not RenderMode.AVAILABLE:
                    self._unrenderable(document, f"the document has render = true, but {self.render_mode.why_not()}")
                    continue
                meta.update(render_meta(document.wait_for))
            yield scrapy.Request(
                document.url,
                headers=document.headers,
                meta=meta,
                dont_filter=True,
                callback=self.parse,
                errback=self.failed,
            )

    def parse(self, response: Response, **kwargs: Any) -> None:
        """Report a response, whatever its status."""
        document: FetchRequest = response.meta["document"]
        location = response.headers.get("Location")
        outcome, error = describe_response(response.status, response.body, location and location.decode("latin-1"))
        rendered = "playwright" in response.flags
        if (
            not rendered
            and self.render_mode is RenderMode.UNAVAILABLE
            and needs_browser(response.status, response.body)
        ):
            outcome, error = (
                RenderUnavailable.kind,
                f"{error}: a browser might get the page, but {RenderMode.UNAVAILABLE.why_not()}",
            )
        headers = selected_headers(response.headers)
        content_type = headers.get("content-type")
        latency = response.meta.get("download_latency")
        self.writer.write(
            FetchResult(
                key=document.key,
                requested_url=document.url,
                final_url=response.url,
                status=response.status,
                content_type=content_type,
                headers=headers,
                body=response.body,
                outcome=outcome,
                error=error,
                elapsed_ms=None if latency is None else round(latency * 1000),
                rendered=rendered,
                skeleton=skeleton_hash(response.body, content_type) if outcome == Ok.kind else None,
            )
        )

    def failed(self, failure: Failure) -> None:
        """Report a request that got no response (network error, robots.txt, size limit)."""
        request = failure.request  # type: ignore[attr-defined]
        document: FetchRequest = request.meta["document"]
        outcome, error = classify_failure(failure)
        if request.meta.get("playwright") and launch_failed(failure.value):
            outcome, error = RenderUnavailable.kind, f"{error} ({RenderMode.UNAVAILABLE.why_not()})"
        self._report_failure(document, outcome, error, final_url=request.url)

    def _unrenderable(self, document: FetchRequest, error: str) -> None:
        self._report_failure(document, RenderUnavailable.kind, error)

    def closed(self, reason: str) -> None:
        """Report the documents that got neither a response nor a failure (internal error)."""
        for document in self.documents:
            if document.key not in self.writer:
                error = f"the crawl ended ({reason}) without a result for this document"
                self._report_failure(document, NotFetched.kind, error)

    def _report_failure(self, document: FetchRequest, outcome: str, error: str, final_url: str | None = None) -> None:
        """Report a document that got no response."""
        self.writer.write(
            FetchResult(
                key=document.key,
                requested_url=document.url,
                final_url=final_url or document.url,
                outcome=outcome,
                error=error,
            )
        )


def selected_headers(headers: Headers) -> dict[str, str]:
    """The :data:`SELECTED_HEADERS` present in ``headers``, repeated values joined by commas."""
    return {name: b", ".join(headers.getlist(name)).decode("latin-1") for name in SELECTED_HEADERS if name in headers}


def crawl(job: Job, stream: BinaryIO) -> None:
    """Run the job to completion, writing each document's result to ``stream``."""
    process = AsyncCrawlerProcess(scrapy_settings(job))
    # It logs a full traceback for every host whose robots.txt cannot be fetched; the
    # retry middleware has already logged the reason in one line.
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
    process.crawl(DocumentSpider, documents=job.documents, writer=ResultWriter(stream))
    process.start(install_signal_handlers=False)
