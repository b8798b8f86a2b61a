"""One daemon per database: `monitor run` holds the `daemon` lock for its life, a second one refuses.

The lock is shared by every machine on a PostgreSQL database (an advisory lock) and by every process
on a SQLite file; it goes with the process that held it, `kill -9` included.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from monitor.config import Config
from storage.locks import LockBusy, database_lock


class AlreadyRunning(Exception):
    """Another daemon runs on the same database; the message is one line."""


@contextmanager
def daemon_lock(config: Config) -> Iterator[None]:
    """Hold the database's daemon lock, or raise AlreadyRunning at once."""
    try:
        with database_lock(config.database_url, "daemon", wait=False):
            yield
    except LockBusy:
        raise AlreadyRunning(
            "another `monitor run` is already running on this database: stop it first"
            + (" (more crawl capacity: `monitor worker`)" if config.queue.backend == "procrastinate" else "")
        ) from None
