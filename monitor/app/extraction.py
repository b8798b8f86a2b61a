"""Extraction beside recording: a cycle's bodies go through the text pipeline in a worker process.

Results are handed on in the order they were put, each once its text is extracted; meanwhile the
worker extracts the next bodies and the crawler child fetches more, so fetching, extracting and
recording overlap on the machine's cores. The pipeline stays pure: the worker gets a body and the
document's config, and returns an :class:`Extracted`.

A fetch whose :func:`body_key` is that of the fetch that gave the document's current text is not
extracted at all: the same markup skeleton under the same URL, content type and selectors gives
the same text.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from types import TracebackType
from typing import Generic, TypeVar

from crawler.results import FetchResult
from monitor.config import DocumentConfig
from monitor.text.pipeline import Extracted, extract_version

#: Fetches put but not yet handed on, at most; past that `put` waits (and so does the crawler child).
MAX_PENDING = 32

T = TypeVar("T")


def extract_for(
    document: DocumentConfig, body: bytes, *, content_type: str | None, url: str | None, fetched_at: datetime
) -> Extracted:
    """The text pipeline over one body, with the document's selectors and language from the config."""
    return extract_version(
        body,
        content_type=content_type,
        url=url,
        select=document.select_spec,
        remove=document.remove_spec,
        language=document.language,
        fetched_at=fetched_at,
    )


def readable(fetch: FetchResult) -> bool:
    """Whether a fetch has a body worth extracting (it got one, and the page was fetched fine)."""
    return fetch.outcome == "ok" and fetch.body is not None


def extract_fetch(document: DocumentConfig, fetch: FetchResult) -> Extracted:
    """The text of a readable fetch."""
    assert fetch.body is not None
    return extract_for(
        document,
        fetch.body,
        content_type=fetch.content_type,
        url=fetch.final_url or fetch.requested_url,
        fetched_at=fetch.fetched_at,
    )


def body_key(document: DocumentConfig, fetch: FetchResult) -> str | None:
    """What the text of a readable fetch depends on, hashed: its body's skeleton, where it came from,
    its content type and the document's selectors (None for a fetch without a skeleton)."""
    if fetch.skeleton is None or not readable(fetch):
        return None
    parts = [fetch.skeleton, fetch.final_url or fetch.requested_url, fetch.content_type]
    parts += [document.select_spec, document.remove_spec]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _start() -> None:
    """Nothing: a first task, so that a worker starts (and imports this module) at once."""


class Extractor(Generic[T]):
    """Extracts readable fetches in `workers` spawned processes (none: in this one) and calls
    `done(item, extracted)` for each fetch put, in order (`extracted` None for an unreadable one, or
    one put with `extract=False`).

    A context manager: leaving it normally waits for every extraction and hands it on; leaving it
    on an error drops what is still pending.
    """

    def __init__(self, done: Callable[[T, Extracted | None], None], *, workers: int, warm: bool = True) -> None:
        """`warm` starts the workers at once (they import the pipeline while the crawler child starts);
        otherwise they start with the first fetch to extract."""
        self._done = done
        self._pending: deque[tuple[T, Future[Extracted] | None]] = deque()
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        if workers and warm:
            self._started().submit(_start)

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Spawned, not forked: the caller may run threads, and the workers are then its own children.
            self._pool = ProcessPoolExecutor(self._workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def put(self, item: T, document: DocumentConfig, fetch: FetchResult, *, extract: bool = True) -> None:
        """Extract `fetch` (for `item`; not when `extract` is false), then hand on every leading fetch
        whose extraction is done."""
        wanted = extract and readable(fetch)
        if not self._workers:
            self._done(item, extract_fetch(document, fetch) if wanted else None)
            return
        future = self._started().submit(extract_fetch, document, fetch) if wanted else None
        self._pending.append((item, future))
        self._hand_on(everything=False)

    def flush(self) -> None:
        """Wait for every pending extraction and hand it on."""
        self._hand_on(everything=True)

    def _hand_on(self, *, everything: bool) -> None:
        while self._pending:
            item, future = self._pending[0]
            if not everything and len(self._pending) <= MAX_PENDING and future is not None and not future.done():
                return
            self._pending.popleft()
            self._done(item, None if future is None else future.result())

    def __enter__(self) -> Extractor[T]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self.flush()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
