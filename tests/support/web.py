"""The web view served on a free loopback port in a thread, for tests, the screenshots and the bench."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from monitor.app.context import App
from monitor.web.server import create_app
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
