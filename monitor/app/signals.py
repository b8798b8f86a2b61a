"""Stopping a crawl cleanly: on SIGTERM/SIGINT, or when the daemon that started it has died."""

from __future__ import annotations

import os
import signal
import threading

PARENT_POLL_S = 0.5


def stop_on_signals(*, watch_parent: bool = False) -> threading.Event:
    """An event set by SIGTERM or SIGINT and, with `watch_parent`, when this process is orphaned.

    A cycle started by the daemon must not outlive it (a `kill -9` of the daemon would otherwise
    leave it recording beside the restarted daemon's catch-up).
    """
    stop = threading.Event()

    def handle(_signum: int, _frame: object) -> None:
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handle)
    if watch_parent:
        parent = os.getppid()

        def watch() -> None:
            while not stop.wait(PARENT_POLL_S):
                if os.getppid() != parent:
                    stop.set()

        threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    return stop
