"""`status`: is the daemon doing its job? Last and next runs, open incidents, alerts, database size, workload.

Unhealthy (a non-zero exit, usable as a container healthcheck) when no crawl has run, the last
one is older than its schedule allows, it failed, or one has been running for too long; when
alerts failed (dismissed ones do not count) or an alert channel is paused; with the procrastinate
queue, when jobs wait and no worker is alive. Each problem says what to run about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from monitor.app.context import App, command_hint
from monitor.app.due import OldestDue, oldest_due
from monitor.app.schedule import JOBS_TABLE, longest_gap
from monitor.app.singleton import daemon_running
from monitor.config import Config
from storage.fetches import last_run, unfinished_runs
from storage.health import database_size, scheduled_jobs
from storage.incidents import open_incidents
from storage.jobqueue import job_counts, live_workers
from storage.outbox import alert_counts, channel_states


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


@dataclass(frozen=True)
class ScheduledRun:
    """A crawl schedule the daemon keeps, and when it runs next."""

    job: str
    next_run_at: datetime | None


@dataclass(frozen=True)
class PausedChannel:
    """An alert channel paused after failing too often in a row, and when it is probed next."""

    name: str
    failures: int
    paused_at: datetime
    probe_at: datetime | None


@dataclass(frozen=True)
class Workload:
    """Who crawls and what waits: the queue backend, the daemon, live workers, jobs by status, the oldest due."""

    backend: str  # local | procrastinate
    daemon_running: bool  # a `monitor run` holds the database's daemon lock
    workers: int  # procrastinate: workers with a recent heartbeat; local: 1 while the daemon runs
    jobs: dict[str, int]  # procrastinate: crawl jobs by status (todo, doing, failed, ...); local: unfinished runs
    oldest_due: OldestDue | None  # the document due the longest, if any is due


@dataclass
class Status:
    """What `monitor status` reports."""

    last_run: RunSummary | None
    next_runs: list[ScheduledRun]
    incidents: list[IncidentSummary]
    database_bytes: int | None
    alerts: dict[str, int] = field(default_factory=dict)  # outbox rows by status
    paused_channels: list[PausedChannel] = field(default_factory=list)
    workload: Workload | None = None
    problems: list[str] = field(default_factory=list)
    healthy: bool = True  # no problem


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
        paused = [
            PausedChannel(state.name, state.failures, state.paused_at, state.probe_at)
            for state in channel_states(session).values()
            if state.paused_at is not None and config.alerts.channel(state.name) is not None
        ]
        unfinished = len(unfinished_runs(session))
    jobs = [ScheduledRun(job, at) for job, at in scheduled_jobs(app.engine, JOBS_TABLE)]
    report = Status(summary, jobs, incidents, database_size(app.engine), alerts, paused, workload(app, now, unfinished))
    report.problems = _problems(report, config, now)
    report.healthy = not report.problems
    return report


def workload(app: App, now: datetime, unfinished_runs: int) -> Workload:
    """The workload part of the status, in either queue mode."""
    config = app.config
    running = daemon_running(config)
    if config.queue.backend == "local":
        jobs = {"running": unfinished_runs} if unfinished_runs else {}
        return Workload("local", running, int(running), jobs, oldest_due(app, now))
    from monitor.app.queue import CRAWL_QUEUE

    workers = live_workers(app.engine, config.queue.stalled_after, now)
    return Workload("procrastinate", running, workers, job_counts(app.engine, CRAWL_QUEUE), oldest_due(app, now))


def _problems(report: Status, config: Config, now: datetime) -> list[str]:
    """What needs attention, each with what to run about it."""
    problems = []
    run = report.last_run
    allowed = 2 * longest_gap(config, now) + timedelta(seconds=config.crawl.cycle_timeout)
    crawl, daemon = command_hint(config, "crawl"), command_hint(config, "run")
    if run is None:
        problems.append(f"no crawl has run yet: run {crawl}, or start the daemon: {daemon}")
    elif run.status == "running" and now - run.started_at > timedelta(seconds=config.crawl.cycle_timeout * 2):
        problems.append(f"crawl run {run.id} has been running since {run.started_at:%Y-%m-%d %H:%M} UTC")
    elif now - run.started_at > allowed:
        problems.append(f"no crawl since {run.started_at:%Y-%m-%d %H:%M} UTC: is the daemon ({daemon}) running?")
    elif run.status == "failed":
        problems.append(f"the last crawl run ({run.id}) failed: {run.error}")
    load = report.workload
    if load is not None and load.backend == "procrastinate":
        if not load.workers and load.jobs.get("todo"):
            problems.append(
                f"{load.jobs['todo']} crawl jobs wait and no worker is alive: start {command_hint(config, 'worker')}"
            )
        if not load.daemon_running:
            problems.append(f"the planner is not running: start {daemon}")
    for channel in report.paused_channels:
        problems.append(
            f"alert channel {channel.name} is paused after {channel.failures} failures in a row: fix it, then run "
            + command_hint(config, f"alerts retry --channel {channel.name}")
        )
    if failed := report.alerts.get("failed"):
        why, retry, dismiss = (
            command_hint(config, f"alerts {a}") for a in ("--status failed", "retry --failed", "dismiss --failed")
        )
        problems.append(
            f"{failed} alert{'s' if failed > 1 else ''} could not be sent ({why} says why): "
            f"fix the channel, then run {retry}, or {dismiss}"
        )
    return problems
