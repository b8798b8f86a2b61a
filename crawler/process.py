"""Parent side: run one crawl in a child process and stream its results back."""

from __future__ import annotations

import io
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from crawler.job import Job, parse_job
from crawler.outcomes import NotFetched
from crawler.results import FetchResult

logger = logging.getLogger("crawler")

#: Seconds between SIGTERM and SIGKILL when the child overruns its timeout.
KILL_GRACE = 3.0
#: Seconds without a new result after which ``on_idle`` is called.
IDLE_SECONDS = 0.5
#: Results read ahead of ``on_result`` at most (then the child waits on its pipe).
READ_AHEAD = 64
#: How many of the child's last stderr lines a report keeps.
STDERR_TAIL_LINES = 20
#: The environment variable that tells the child its parent's pid (it ends when that parent is gone).
PARENT_ENV = "POLICY_MONITOR_CRAWLER_PARENT"


@dataclass
class CrawlReport:
    """How a crawl's child process ended."""

    returncode: int | None
    timed_out: bool
    #: Keys of the documents the child did not report (each got a not_fetched result, unless stopped).
    missing_keys: list[str]
    #: The last lines the child wrote on stderr (its log), for the parent's log.
    stderr_tail: list[str]
    #: Whether ``stop`` ended the crawl early.
    stopped: bool = False


def run_crawl(
    job: Job | dict[str, Any],
    *,
    timeout: float,
    on_result: Callable[[FetchResult], None],
    on_idle: Callable[[], None] | None = None,
    python: str = sys.executable,
    stop: threading.Event | None = None,
) -> CrawlReport:
    """Crawl ``job`` in a ``python -m crawler`` child, killed after ``timeout`` seconds.

    ``on_result`` is called in the calling thread once per document: as each result
    frame arrives, then with a ``not_fetched`` result for every document the child
    did not report (crash or timeout). ``on_idle``, in the same thread, whenever no result
    came for :data:`IDLE_SECONDS` while the child runs (a caller batching its writes commits
    then). Setting ``stop`` ends the child early (a daemon
    shutting down); the documents it did not report are then left out, for a later
    catch-up, and listed in ``missing_keys``. Raises :class:`crawler.job.JobError` for a
    malformed job before starting anything, and OSError if ``python`` cannot be run.
    """
    job = parse_job(job)
    pending = {doc.key: doc.url for doc in job.documents}
    stderr_tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    with subprocess.Popen(
        [python, "-m", "crawler"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, PARENT_ENV: str(os.getpid())},
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        stderr = io.TextIOWrapper(child.stderr, encoding="utf-8", errors="replace")
        stderr_reader = threading.Thread(target=_drain_stderr, args=(stderr, stderr_tail), daemon=True)
        stderr_reader.start()
        arrived: queue.Queue[FetchResult | None] = queue.Queue(READ_AHEAD)
        threading.Thread(target=_read_results, args=(child.stdout, arrived), daemon=True).start()
        watchdog = _Watchdog(child, timeout, stop)
        try:
            _send(child, job.model_dump_json().encode())
            for result in _arrivals(arrived, on_idle):
                if pending.pop(result.key, None) is None:
                    logger.info("skipped a crawler result for an unknown or already reported key %r", result.key)
                    continue
                on_result(result)
            child.wait()
        except BaseException:
            child.kill()  # on_result raised, or KeyboardInterrupt: do not leave it running
            raise
        finally:
            watchdog.cancel()
    stderr_reader.join(timeout=KILL_GRACE)
    reason = (
        f"the crawler was stopped after its {timeout:g} s timeout"
        if watchdog.fired
        else f"the crawler exited with code {child.returncode} without reporting it"
    )
    for key, url in pending.items() if not watchdog.stopped else ():
        on_result(FetchResult(key=key, requested_url=url, final_url=url, outcome=NotFetched.kind, error=reason))
    logger.info(
        "crawler child exited with code %s, %d document(s) not reported%s",
        child.returncode,
        len(pending),
        ", timed out" if watchdog.fired else "",
    )
    return CrawlReport(
        returncode=child.returncode,
        timed_out=watchdog.fired,
        stopped=watchdog.stopped,
        missing_keys=list(pending),
        stderr_tail=list(stderr_tail),
    )


class _Watchdog:
    """Terminates, then kills, a child still running after ``timeout`` seconds or once ``stop`` is set."""

    POLL = 0.2  # seconds between looks at ``stop``

    def __init__(self, child: subprocess.Popen[bytes], timeout: float, stop: threading.Event | None) -> None:
        self.fired = False  # the timeout ended the child
        self.stopped = False  # ``stop`` ended the child
        self._child = child
        self._done = threading.Event()
        self._stop = stop
        self._deadline = time.monotonic() + timeout
        threading.Thread(target=self._watch, daemon=True).start()

    def cancel(self) -> None:
        """Stop watching (the child has ended)."""
        self._done.set()

    def _watch(self) -> None:
        while not self._done.wait(max(0.0, min(self.POLL, self._deadline - time.monotonic()))):
            if self._stop is not None and self._stop.is_set():
                self.stopped = True
                logger.info("crawl stopped on request, terminating the crawler child (pid %d)", self._child.pid)
                break
            if time.monotonic() >= self._deadline:
                self.fired = True
                logger.info("crawl timeout reached, terminating the crawler child (pid %d)", self._child.pid)
                break
        else:
            return
        self._child.terminate()
        try:
            self._child.wait(KILL_GRACE)
        except subprocess.TimeoutExpired:
            logger.info("crawler child (pid %d) still running, killing it", self._child.pid)
            self._child.kill()


def _send(child: subprocess.Popen[bytes], job: bytes) -> None:
    """Write the job to the child's stdin and close it (a child that died early is fine)."""
    assert child.stdin is not None
    try:
        with child.stdin:
            child.stdin.write(job)
    except BrokenPipeError:
        logger.info("the crawler child exited before reading the whole job")


def _results(stream: BinaryIO) -> Iterator[FetchResult]:
    """Read result frames to the end of ``stream``, logging and skipping lines that are not results."""
    while True:
        try:
            result = FetchResult.read_frame(stream)
        except ValueError as exc:
            logger.info("skipped crawler output that is not a result: %s", exc)
            continue
        if result is None:
            return
        yield result


def _read_results(stream: BinaryIO, arrived: queue.Queue[FetchResult | None]) -> None:
    """Queue every result of ``stream``, then None (in a thread of its own, reading ahead)."""
    for result in _results(stream):
        arrived.put(result)
    arrived.put(None)


def _arrivals(arrived: queue.Queue[FetchResult | None], on_idle: Callable[[], None] | None) -> Iterator[FetchResult]:
    """The queued results until the None after the last, calling ``on_idle`` whenever none comes for a while."""
    while True:
        try:
            result = arrived.get(timeout=IDLE_SECONDS)
        except queue.Empty:
            if on_idle is not None:
                on_idle()
            continue
        if result is None:
            return
        yield result


def _drain_stderr(stream: Iterable[str], tail: deque[str]) -> None:
    """Keep the last lines of the child's stderr, logging each at debug level."""
    for line in stream:
        line = line.rstrip("\n")
        tail.append(line)
        logger.debug("crawler child: %s", line)
