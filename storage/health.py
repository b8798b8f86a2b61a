"""Figures about the database itself: its size and the scheduler's stored jobs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url


def scheduled_jobs(engine: Engine, table: str) -> list[tuple[str, datetime | None]]:
    """The jobs in APScheduler's job-store `table` and their next run times (none if the table is absent)."""
    if not inspect(engine).has_table(table):
        return []
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT id, next_run_time FROM {table} ORDER BY id"))
        return [(row[0], datetime.fromtimestamp(row[1], UTC) if row[1] is not None else None) for row in rows]


def database_size(engine: Engine) -> int | None:
    """The database's size in bytes (SQLite file with its WAL, or PostgreSQL's own figure)."""
    url = make_url(str(engine.url))
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        files = [Path(url.database), Path(url.database + "-wal")]
        return sum(f.stat().st_size for f in files if f.exists())
    if url.get_backend_name() == "postgresql":
        with engine.connect() as connection:
            return connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    return None
