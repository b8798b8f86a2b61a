"""Cross-process locks keyed by a database URL (file locks in the temp folder)."""

from __future__ import annotations

import fcntl
import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def lock_path(database_url: str, purpose: str) -> Path:
    """The lock file for one purpose on one database, named after the URL's hash."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"policy-monitor-{digest}.{purpose}.lock"


@contextmanager
def database_lock(database_url: str, purpose: str) -> Iterator[None]:
    """Hold an exclusive lock for `purpose` on the database, waiting for its current holder."""
    with open(lock_path(database_url, purpose), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
