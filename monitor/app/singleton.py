"""One daemon per database: `monitor run` holds the `daemon` lock for its life, a second one refuses.

The lock is shared by every machine on a PostgreSQL database (an advisory lock) and by every process
on a SQLite file; it goes with the process that held it, `kill -9` included.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from monitor.config import Config
from storage.locks import LockBusy, database_lock, is_locked

ATTEMPTS, PAUSE_S = 3, 0.3  # `monitor status` takes the free lock for an instant: a start never fails on that


class AlreadyRunning(Exception):
    """Another daemon runs on the same database; the message is one line."""


@contextmanager
def daemon_lock(config: Config) -> Iterator[None]:
    """Hold the database's daemon lock, or raise AlreadyRunning (within a second)."""
    with ExitStack() as held:
        for attempt in range(ATTEMPTS):
            try:
                held.enter_context(database_lock(config.database_url, "daemon", wait=False))
                break
            except LockBusy:
                time.sleep(PAUSE_S if attempt + 1 < ATTEMPTS else 0)
        else:
            raise AlreadyRunning(
                "another `monitor run` is already running on this database: stop it first"
                + (" (more crawl capacity: `monitor worker`)" if config.queue.backend == "procrastinate" else "")
            )
        yield


def daemon_running(config: Config) -> bool:
    """Whether a `monitor run` holds the database's daemon lock."""
    return is_locked(config.database_url, "daemon")
