"""Locks keyed by a database URL, held across processes and, on PostgreSQL, across machines.

On PostgreSQL a lock is a session-level advisory lock (`pg_advisory_lock`) on a connection of its
own, so every process on every host that shares the database shares the lock, and it goes with the
process that held it (a `kill -9` closes its connection). On SQLite, a database file on one machine,
it is an `flock` on a file in the temp folder named after the URL. A lock is exclusive, or `shared`
with the other shared holders of the same purpose (crawl workers share `cycle`; `gc` takes it alone).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


class LockBusy(Exception):
    """The lock is held by another process (raised only when not waiting for it)."""


def lock_path(database_url: str, purpose: str) -> Path:
    """The lock file for one purpose on one (SQLite) database, named after the URL's hash."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"policy-monitor-{digest}.{purpose}.lock"


def advisory_key(purpose: str) -> int:
    """The signed 64-bit PostgreSQL advisory lock key of a purpose."""
    return int.from_bytes(hashlib.sha256(f"policy-monitor:{purpose}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def database_lock(
    database_url: str, purpose: str, *, shared: bool = False, wait: bool = True, temporary: bool = False
) -> Iterator[None]:
    """Hold the lock for `purpose` on the database, waiting for its holders (or raising LockBusy: `wait=False`).

    `temporary` removes a SQLite lock file when released (a lock per crawl run).
    """
    if make_url(database_url).get_backend_name() == "postgresql":
        with _advisory_lock(_lock_engine(database_url), advisory_key(purpose), shared=shared, wait=wait):
            yield
        return
    path = lock_path(database_url, purpose)
    with open(path, "a+") as handle:
        mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle, mode)
        except BlockingIOError:
            raise LockBusy(purpose) from None
        try:
            yield
        finally:
            if temporary:
                with suppress(FileNotFoundError):
                    path.unlink()
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_locked(database_url: str, purpose: str) -> bool:
    """Whether another process holds the lock for `purpose` (it is taken and let go at once when free)."""
    try:
        with database_lock(database_url, purpose, wait=False):
            return False
    except LockBusy:
        return True


@functools.cache
def _lock_engine(database_url: str) -> Engine:
    """An engine whose connections are opened per lock and closed with it (no pool keeps a lock alive)."""
    return create_engine(database_url, poolclass=NullPool)


@contextmanager
def _advisory_lock(engine: Engine, key: int, *, shared: bool, wait: bool) -> Iterator[None]:
    kind = "_shared" if shared else ""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if wait:
            connection.execute(text(f"SELECT pg_advisory_lock{kind}(:key)"), {"key": key})
        elif not connection.execute(text(f"SELECT pg_try_advisory_lock{kind}(:key)"), {"key": key}).scalar_one():
            raise LockBusy(key)
        try:
            yield
        finally:
            with suppress(Exception):  # a lost connection has released the lock already
                connection.execute(text(f"SELECT pg_advisory_unlock{kind}(:key)"), {"key": key})
