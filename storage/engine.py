"""Creating SQLAlchemy engines, with SQLite set up for a daemon and its helpers writing at once.

Kept free of SQLModel and Alembic so that the lean daemon process can use it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def create_database_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout, and its folder is created.

    A SQLite database (and any folder made for it) is created readable by its owner only: 0600 for
    the file (SQLite gives its -wal and -shm files the same mode), 0700 for new folders. The
    policies are public, but the alert outbox and the channels' state are not.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
        _create_private(Path(parsed.database))
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _create_private(database: Path) -> None:
    """Create the database file (empty, mode 0600) and its missing folders (0700), unless it exists."""
    missing = [folder for folder in (database.parent, *database.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    try:
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError:
        return  # a folder not writable, say: SQLite says so when it opens the file, as without this


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
