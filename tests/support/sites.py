"""A scriptable web site on 127.0.0.1 for tests: pages, statuses, delays, hang-ups, drips, cut bodies."""

from __future__ import annotations

import socket
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_QUIET_ERRORS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


@dataclass
class _Page:
    body: bytes
    status: int
    headers: dict[str, str]
    delay: float
    content_type: str
    hang_up: bool
    times: int | None  # None: served until replaced
    block_agents: tuple[str, ...]  # user-agent substrings answered 403 (a bot filter)
    drip: float  # seconds between the body's bytes (0: all at once)
    cut_after: int | None  # bytes of the body sent before the connection is closed


class LoopbackSite:
    """An HTTP server on 127.0.0.1 (random free port) serving the pages you ``set``.

    Use it as a context manager. Pages are looked up by path plus query string, then
    by path alone; anything else is a 404, so there is no robots.txt unless you set
    one. Each request runs in its own thread, so a delayed page does not hold up the
    others.
    """

    def __init__(self) -> None:
        self._pages: dict[str, list[_Page]] = {}
        self._hits: Counter[str] = Counter()
        self._headers: dict[str, dict[str, str]] = {}
        self._in_flight = 0
        self._peak = 0
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackSite:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()  # cut delays short
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        """The TCP port the site listens on."""
        return self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        """Absolute http URL of ``path`` (which may carry a query string) on this site."""
        return f"http://127.0.0.1:{self.port}{path}"

    def set(
        self,
        path: str,
        body: bytes | str,
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        content_type: str = "text/html; charset=utf-8",
        *,
        times: int | None = None,
        hang_up: bool = False,
        block_agents: tuple[str, ...] = (),
        drip: float = 0.0,
        cut_after: int | None = None,
    ) -> None:
        """Serve ``body`` (str is encoded as UTF-8) at ``path``, after ``delay`` seconds.

        ``headers`` are sent after Content-Type and Content-Length. Without ``times``
        the page replaces whatever ``path`` served; with ``times=n`` it is served
        first, n times, before what was there (``set(p, "busy", 503, times=1)`` after
        ``set(p, "ok")`` gives one 503 then 200s). ``hang_up`` closes the connection
        without answering. A request whose User-Agent contains one of ``block_agents``
        gets a 403 instead, like a bot filter. ``drip`` sends the body one byte every
        ``drip`` seconds (a slowloris server); ``cut_after=n`` announces the whole body's
        length but closes the connection after its first n bytes.
        """
        page = _Page(
            body=body.encode() if isinstance(body, str) else body,
            status=status,
            headers=dict(headers or {}),
            delay=delay,
            content_type=content_type,
            hang_up=hang_up,
            times=times,
            block_agents=block_agents,
            drip=drip,
            cut_after=cut_after,
        )
        with self._lock:
            if times is None:
                self._pages[path] = [page]
            else:
                self._pages.setdefault(path, []).insert(0, page)

    def remove(self, path: str) -> None:
        """Stop serving ``path`` (it becomes a 404)."""
        with self._lock:
            self._pages.pop(path, None)

    def hits(self, path: str) -> int:
        """Requests received for ``path``: exactly that query string if it has one, else any."""
        with self._lock:
            return self._hits[path]

    @property
    def peak_concurrency(self) -> int:
        """The most requests the site was answering at once."""
        with self._lock:
            return self._peak

    def _started(self, change: int) -> None:
        """Count a request in (`change` 1) or out (-1)."""
        with self._lock:
            self._in_flight += change
            self._peak = max(self._peak, self._in_flight)

    def last_headers(self, path: str) -> dict[str, str] | None:
        """Headers (lowercase names) of the last request for ``path``, matched as in ``hits``."""
        with self._lock:
            return self._headers.get(path)

    def _take(self, target: str, headers: dict[str, str]) -> _Page | None:
        """Record a request for ``target`` (path and query) and pick the page to serve."""
        path = target.split("?", 1)[0]
        with self._lock:
            for name in {target, path}:
                self._hits[name] += 1
                self._headers[name] = headers
            pages = self._pages.get(target) or self._pages.get(path)
            if not pages:
                return None
            page = pages[0]
            if page.times is not None:
                page.times -= 1
                if page.times <= 0:
                    pages.pop(0)
            return page


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections when a crawler opens many at once,
    # and a dropped SYN is retried only after a second: long enough for a timeout.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that went away (timeouts, size limits, killed crawlers)."""
        if not isinstance(sys.exc_info()[1], _QUIET_ERRORS):
            super().handle_error(request, client_address)


def _handler_for(site: LoopbackSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site._started(1)
            try:
                self._get()
            finally:
                site._started(-1)

        def _get(self) -> None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            page = site._take(self.path, headers)
            if page is None:
                self._answer(404, b"<h1>Not found</h1>", "text/html; charset=utf-8", {})
                return
            if page.delay:
                site._closing.wait(page.delay)
            if any(agent in headers.get("user-agent", "") for agent in page.block_agents):
                self._answer(403, b"<h1>Access denied</h1>", "text/html; charset=utf-8", {})
                return
            if page.hang_up:
                self._hang_up()
                return
            self._answer(page.status, page.body, page.content_type, page.headers, page.drip, page.cut_after)

        def _answer(
            self,
            status: int,
            body: bytes,
            content_type: str,
            headers: dict[str, str],
            drip: float = 0.0,
            cut_after: int | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            sent = body if cut_after is None else body[:cut_after]
            if not drip:
                self.wfile.write(sent)
            for n in range(len(sent) if drip else 0):
                if site._closing.wait(drip):
                    break
                self.wfile.write(sent[n : n + 1])
            if cut_after is not None:
                self._hang_up()

        def _hang_up(self) -> None:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

        def log_message(self, format: str, *args: Any) -> None:
            """Do not log requests."""

    return Handler


def refused_url() -> str:
    """An http URL on 127.0.0.1 whose port nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
