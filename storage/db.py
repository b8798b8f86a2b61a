"""Engines, sessions and schema migrations.

One engine per database URL per process (`open_database`), created on first use and migrated
to the newest Alembic revision before it is handed out.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from storage.engine import create_database_engine
from storage.locks import database_lock

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK_KEY = 0x706D6D67  # "pmmg": the advisory lock migrations take on PostgreSQL


class StorageError(Exception):
    """The database cannot be opened or migrated; the message is one line."""


@functools.cache
def open_database(url: str) -> Engine:
    """The process-wide engine for `url`, with the schema migrated to the newest revision."""
    return connect(url)


def connect(url: str) -> Engine:
    """A new engine for `url`, with the schema migrated; prefer `open_database` outside throw-away uses."""
    engine = create_database_engine(url)
    try:
        migrate(engine)
    except Exception as exc:
        engine.dispose()
        where = make_url(url).render_as_string()  # the password stays masked
        raise StorageError(f"cannot open database {where}: {_one_line(exc)}") from exc
    return engine


def alembic_config() -> AlembicConfig:
    """An Alembic config pointing at this package's migrations (no alembic.ini needed)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema of `engine`'s database to `revision`, one process at a time."""
    config = alembic_config()
    with database_lock(engine.url.render_as_string(hide_password=False), "migrate"), engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # processes on other hosts share no lock file
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
