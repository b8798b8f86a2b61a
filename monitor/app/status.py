"""`monitor status`: is the daemon doing its job? Last and next runs, open incidents, database size.

Unhealthy (a non-zero exit, usable as a container healthcheck) when no crawl has run, the last
one is older than its schedule allows, it failed, or one has been running for too long.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, func, select

from monitor.config import Config
from monitor.daemon import JOBS_TABLE, trigger_for
from storage.models import CrawlRun, Document, Incident, Outbox


@dataclass
class Status:
    """What `monitor status` reports."""

    last_run: CrawlRun | None
    next_runs: list[tuple[str, datetime | None]]
    incidents: list[tuple[str, str, Incident]]  # vendor, document type, incident
    database_bytes: int | None
    alerts: dict[str, int] = field(default_factory=dict)  # outbox rows by status
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """Whether nothing needs attention."""
        return not self.problems


def longest_gap(config: Config, now: datetime) -> timedelta:
    """The longest time between two runs of any schedule in the config."""
    gaps = [timedelta(hours=1)]
    for schedule in config.schedules():
        trigger = trigger_for(schedule)
        first = trigger.get_next_fire_time(None, now)
        second = trigger.get_next_fire_time(first, first + timedelta(microseconds=1)) if first else None
        if first and second:
            gaps.append(second - first)
    return max(gaps)


def gather_status(config: Config, engine: Engine, now: datetime | None = None) -> Status:
    """Collect the daemon's state from the database and judge its health."""
    now = now or datetime.now(UTC)
    with Session(engine) as session:
        last_run = session.exec(select(CrawlRun).order_by(col(CrawlRun.id).desc()).limit(1)).first()
        incidents = [
            (document.vendor_id, document.type, incident)
            for incident, document in session.exec(
                select(Incident, Document)
                .where(Incident.document_id == Document.id, col(Incident.resolved_at).is_(None))
                .order_by(col(Incident.opened_at))
            )
        ]
        alerts = dict(session.exec(select(Outbox.status, func.count()).group_by(col(Outbox.status))).all())
    status = Status(last_run, next_runs(engine), incidents, database_size(engine), alerts)
    allowed = 2 * longest_gap(config, now) + timedelta(seconds=config.crawl.cycle_timeout)
    if last_run is None:
        status.problems.append("no crawl has run yet")
    elif last_run.status == "running" and now - last_run.started_at > timedelta(seconds=config.crawl.cycle_timeout * 2):
        status.problems.append(f"crawl run {last_run.id} has been running since {last_run.started_at:%Y-%m-%d %H:%M}")
    elif now - last_run.started_at > allowed:
        status.problems.append(f"no crawl since {last_run.started_at:%Y-%m-%d %H:%M} UTC: is the daemon running?")
    elif last_run.status == "failed":
        status.problems.append(f"the last crawl run ({last_run.id}) failed: {last_run.error}")
    if alerts.get("failed"):
        status.problems.append(f"{alerts['failed']} alerts could not be sent (see `monitor alerts --status failed`)")
    return status


def next_runs(engine: Engine) -> list[tuple[str, datetime | None]]:
    """The stored crawl jobs and their next run times, read straight from the job store's table."""
    if not inspect(engine).has_table(JOBS_TABLE):
        return []
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE} ORDER BY id"))
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
