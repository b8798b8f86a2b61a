"""The job queue's tables (procrastinate's, on PostgreSQL): is the schema there, jobs by status, workers alive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, inspect, text

JOBS_TABLE = "procrastinate_jobs"


def queue_schema_exists(engine: Engine) -> bool:
    """Whether procrastinate's schema has been applied to the database."""
    return inspect(engine).has_table(JOBS_TABLE)


def job_counts(engine: Engine, queue: str | None = None) -> dict[str, int]:
    """How many jobs (of one queue, or all) are in each status: todo, doing, succeeded, failed, ..."""
    if not queue_schema_exists(engine):
        return {}
    query = text(
        "SELECT status::text, count(*) FROM procrastinate_jobs"
        " WHERE (CAST(:queue AS text) IS NULL OR queue_name = :queue) GROUP BY status"
    )
    with engine.connect() as connection:
        rows = connection.execute(query, {"queue": queue})
        return {status: count for status, count in rows}


def live_workers(engine: Engine, within: float, now: datetime | None = None) -> int:
    """How many workers sent a heartbeat in the last `within` seconds."""
    if not queue_schema_exists(engine):
        return 0
    since = (now or datetime.now(UTC)) - timedelta(seconds=within)
    with engine.connect() as connection:
        query = text("SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat >= :since")
        return connection.execute(query, {"since": since}).scalar_one()
