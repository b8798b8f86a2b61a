"""Engines, sessions and schema migrations.

One engine per database URL per process (`open_database`), created on first use and migrated
to the newest Alembic revision before it is handed out. `open_database(url, create=False)` is for
readers: a SQLite file that does not exist yet is never created (they read an empty database).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from storage.engine import create_database_engine
from storage.locks import database_lock

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).with_name("migrations")


class StorageError(Exception):
    """The database cannot be opened or migrated; the message is one line."""


EMPTY = "sqlite://"  # what a reader reads when the database does not exist yet: empty, in memory


@functools.cache
def open_database(url: str, *, create: bool = True) -> Engine:
    """The process-wide engine for `url`, with the schema migrated to the newest revision.

    With `create=False`, a SQLite file that does not exist (nor its folder) is left so: the engine is
    that of an empty database in memory.
    """
    if not create and not database_exists(url):
        return connect(EMPTY)
    return connect(url)


def database_exists(url: str) -> bool:
    """Whether the database at `url` is there already (always true but for a SQLite file that is not)."""
    try:
        parsed = make_url(url)
    except Exception:
        return True  # `connect` says what is wrong with the URL
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return True
    return Path(parsed.database).exists()


def connect(url: str) -> Engine:
    """A new engine for `url`, with the schema migrated; prefer `open_database` outside throw-away uses."""
    try:
        engine = create_database_engine(url)
    except Exception as exc:  # not a URL, or a scheme SQLAlchemy has no dialect or driver for
        raise StorageError(f"cannot use the database URL {_masked(url)}: {_one_line(exc)}") from exc
    try:
        migrate(engine)
    except Exception as exc:
        engine.dispose()
        raise StorageError(f"cannot open database {_masked(url)}: {_one_line(exc)}") from exc
    return engine


def _masked(url: str) -> str:
    """The URL with its password masked (or a placeholder when it does not parse)."""
    try:
        return make_url(url).render_as_string()
    except Exception:
        return "(not a URL)"


def alembic_config() -> AlembicConfig:
    """An Alembic config pointing at this package's migrations (no alembic.ini needed)."""
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest migration's revision: revisions are the four-digit prefixes of the migration files."""
    return max(path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def schema_revision(engine: Engine) -> str | None:
    """The revision the database's schema is at (None for a database never migrated)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema of `engine`'s database to `revision`, one process at a time.

    A database already at the newest revision is left alone without loading Alembic (a fast start
    for the CLI's reading commands).
    """
    if revision == "head" and schema_revision(engine) == head_revision():
        return
    from alembic import command

    config = alembic_config()
    with database_lock(engine.url.render_as_string(hide_password=False), "migrate"), engine.begin() as connection:
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


def database_problem(exc: BaseException) -> str | None:
    """One line saying why the database refused, when `exc` is the database refusing (locked, read-only,
    a full disk, gone away, not openable); None for any other error."""
    if isinstance(exc, StorageError):
        return str(exc)
    if isinstance(exc, DBAPIError):
        return f"the database cannot be used: {_one_line(exc.orig or exc)}"
    return None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
