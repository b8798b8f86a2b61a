"""`status`: is the daemon doing its job? Last and next runs, open incidents, alerts, database size.

Unhealthy (a non-zero exit, usable as a container healthcheck) when no crawl has run, the last
one is older than its schedule allows, it failed, or one has been running for too long.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from monitor.app.context import App
from monitor.app.schedule import JOBS_TABLE, longest_gap
from storage.fetches import last_run
from storage.health import database_size, scheduled_jobs
from storage.incidents import open_incidents
from storage.outbox import alert_counts


@dataclass(frozen=True)
class RunSummary:
    """A crawl run: its number, trigger, times, status and error."""

    id: int
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    error: str | None


@dataclass(frozen=True)
class IncidentSummary:
    """An open incident: which document, what kind, since when, why."""

    vendor_id: str
    document_type: str
    kind: str
    reason: str
    opened_at: datetime
    fetches: int


@dataclass
class Status:
    """What `monitor status` reports."""

    last_run: RunSummary | None
    next_runs: list[tuple[str, datetime | None]]
    incidents: list[IncidentSummary]
    database_bytes: int | None
    alerts: dict[str, int] = field(default_factory=dict)  # outbox rows by status
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """Whether nothing needs attention."""
        return not self.problems


def status(app: App, now: datetime | None = None) -> Status:
    """Collect the daemon's state from the database and judge its health."""
    config, now = app.config, now or datetime.now(UTC)
    with Session(app.engine) as session:
        run = last_run(session)
        summary = (
            RunSummary(run.id, run.trigger, run.started_at, run.finished_at, run.status, run.error) if run else None
        )
        incidents = [
            IncidentSummary(doc.vendor_id, doc.type, i.kind, i.reason, i.opened_at, i.fetches)
            for i, doc in open_incidents(session)
        ]
        alerts = alert_counts(session)
    report = Status(summary, scheduled_jobs(app.engine, JOBS_TABLE), incidents, database_size(app.engine), alerts)
    allowed = 2 * longest_gap(config, now) + timedelta(seconds=config.crawl.cycle_timeout)
    if summary is None:
        report.problems.append("no crawl has run yet")
    elif summary.status == "running" and now - summary.started_at > timedelta(seconds=config.crawl.cycle_timeout * 2):
        report.problems.append(f"crawl run {summary.id} has been running since {summary.started_at:%Y-%m-%d %H:%M}")
    elif now - summary.started_at > allowed:
        report.problems.append(f"no crawl since {summary.started_at:%Y-%m-%d %H:%M} UTC: is the daemon running?")
    elif summary.status == "failed":
        report.problems.append(f"the last crawl run ({summary.id}) failed: {summary.error}")
    if alerts.get("failed"):
        report.problems.append(f"{alerts['failed']} alerts could not be sent (see `monitor alerts --status failed`)")
    return report
