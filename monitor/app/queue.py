"""Crawl work on several machines: procrastinate jobs on PostgreSQL (`queue.backend = "procrastinate"`).

One job per host batch (`check_host`: the documents of one host due now), deferred with
`lock=<host>` (one job per host at a time, across every worker: politeness holds across the
cluster) and `queueing_lock=<host>` (at most one waiting job per host). The job calls
:func:`monitor.app.cycle.check_documents` with its document ids, the one code path of both modes;
it first keeps those still due (`monitor.app.due`), so that a retried job, or one planned while the
host's previous job ran, never fetches a document twice in one period. A job that fails is not
retried: its documents stay due, and the next `plan` defers them again.

Periodic tasks, deduplicated by the database (every process defers them, one job each runs):
`plan` every minute (closes the runs of dead workers, defers a job per host with due documents),
`send_alerts` every minute and `gc` once a day, on the `planner` queue that `monitor run` works;
`retry_stalled_jobs` on the `maintenance` queue that every process works: the jobs of a worker
whose heartbeat stopped for `queue.stalled_after` seconds are run again (at-least-once delivery).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from monitor.app.alerting import send_due_alerts
from monitor.app.context import App
from monitor.app.cycle import PlannedDocument, catch_up_plan, check_documents, plan
from monitor.app.due import due_times
from monitor.app.retention import collect_garbage
from storage.jobqueue import queue_schema_exists
from storage.locks import database_lock

if TYPE_CHECKING:
    import procrastinate

log = logging.getLogger(__name__)

CRAWL_QUEUE, PLANNER_QUEUE, MAINTENANCE_QUEUE = "crawl", "planner", "maintenance"
WORKER_QUEUES = (CRAWL_QUEUE, MAINTENANCE_QUEUE)  # `monitor worker`
PLANNER_QUEUES = (PLANNER_QUEUE, MAINTENANCE_QUEUE)  # `monitor run` in procrastinate mode
CHECK_HOST = "check_host"


@dataclass(frozen=True)
class Due:
    """A document that is due, and since when."""

    document: PlannedDocument
    since: datetime

    @property
    def host(self) -> str:
        """The host (and port) its URL names: politeness is kept per host."""
        return urlsplit(self.document.config.url).netloc.lower()


def due_documents(app: App, now: datetime | None = None, document_ids: Sequence[int] | None = None) -> list[Due]:
    """The documents (all, or those of `document_ids`) due at `now`, the longest due first."""
    now = now or datetime.now(UTC)
    planned = plan(app)
    if document_ids is not None:
        wanted = set(document_ids)
        planned = [p for p in planned if p.document_id in wanted]
    times = due_times(app, {p.document_id: p.config.schedule for p in planned})
    due = [Due(p, times[p.document_id]) for p in planned]
    return sorted((d for d in due if d.since <= now), key=lambda d: (d.since, d.document.document_id))


def by_host(due: Sequence[Due]) -> dict[str, list[int]]:
    """The due documents' ids grouped by host."""
    hosts: dict[str, list[int]] = {}
    for item in due:
        hosts.setdefault(item.host, []).append(item.document.document_id)
    return hosts


def check_host(app: App, host: str, document_ids: Sequence[int]) -> int:
    """The work of one job: fetch and record those of the host's documents that are still due; how many.

    The host's advisory lock backs procrastinate's job lock: a job taken for stalled while its worker
    still runs (a heartbeat lost under load) waits here, then finds nothing due.
    """
    with database_lock(app.config.database_url, f"host:{host}"):
        due = [d.document.document_id for d in due_documents(app, document_ids=document_ids)]
        if due:
            check_documents(app, document_ids=due, trigger="worker")
    log.info("checked a host", extra={"host": host, "planned": len(document_ids), "fetched": len(due)})
    return len(due)


def plan_batches(app: App) -> dict[str, list[int]]:
    """Close the runs of dead processes, then the due documents' ids by host (each host is one job)."""
    catch_up_plan(app)  # their documents are still due: planned below
    return by_host(due_documents(app))


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL as a libpq connection URI (no `+driver`)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def stalled_cron(stalled_after: float) -> str:
    """A 6-field cron (seconds last) looking for stalled jobs about twice per `stalled_after`."""
    step = max(1, min(59, int(stalled_after // 2)))
    return f"* * * * * */{step}"


def job_queue(app: App) -> procrastinate.App:
    """The procrastinate application over `app`'s PostgreSQL database, with the policy-monitor tasks."""
    import procrastinate
    from procrastinate import exceptions, jobs

    queue = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=libpq_url(app.config.database_url)))
    stalled_after = app.config.queue.stalled_after

    @queue.task(name=CHECK_HOST, queue=CRAWL_QUEUE)
    def check_host_task(host: str, document_ids: list[int]) -> None:
        check_host(app, host, document_ids)

    @queue.periodic(cron="* * * * *", periodic_id="plan")
    @queue.task(name="plan", queue=PLANNER_QUEUE, queueing_lock="plan")
    async def plan(timestamp: int) -> None:
        await defer_batches(check_host_task, await asyncio.to_thread(plan_batches, app))

    @queue.periodic(cron="* * * * *", periodic_id="send_alerts")
    @queue.task(name="send_alerts", queue=PLANNER_QUEUE, queueing_lock="send_alerts")
    def send_alerts(timestamp: int) -> None:
        if app.config.alerts.channels:
            send_due_alerts(app)

    @queue.periodic(cron="17 3 * * *", periodic_id="gc")
    @queue.task(name="gc", queue=PLANNER_QUEUE, queueing_lock="gc")
    def gc(timestamp: int) -> None:
        collect_garbage(app)

    @queue.periodic(cron=stalled_cron(stalled_after), periodic_id="retry_stalled_jobs")
    @queue.task(name="retry_stalled_jobs", queue=MAINTENANCE_QUEUE, queueing_lock="retry_stalled_jobs")
    async def retry_stalled_jobs(timestamp: int) -> None:
        manager = queue.job_manager
        for job in await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
            try:
                await manager.retry_job(job)
                done = "retried"
            except (exceptions.UniqueViolation, exceptions.AlreadyEnqueued):  # the host has a waiting job already
                await manager.finish_job(job, status=jobs.Status.ABORTED, delete_job=False)
                done = "dropped (a job of the same host waits)"
            log.warning(f"a stalled job was {done}", extra={"job": job.id, "task": job.task_name, "lock": job.lock})

    return queue


async def defer_batches(task: Any, batches: dict[str, list[int]]) -> int:
    """Defer one `check_host` job per host, locked by host; a host with a job waiting already is skipped."""
    from procrastinate import exceptions

    deferred = 0
    for host, document_ids in batches.items():
        try:
            await task.configure(lock=host, queueing_lock=host).defer_async(host=host, document_ids=document_ids)
            deferred += 1
        except exceptions.AlreadyEnqueued:
            continue
    if batches:
        log.info("planned", extra={"hosts": len(batches), "deferred": deferred})
    return deferred


def apply_queue_schema(app: App, queue: procrastinate.App) -> None:
    """Create procrastinate's tables once, under the migration lock (every worker starting at once is fine)."""
    with database_lock(app.config.database_url, "migrate"):
        if not queue_schema_exists(app.engine):
            with queue.open():
                queue.schema_manager.apply_schema()


def run_worker(app: App, *, queues: Sequence[str] = WORKER_QUEUES, concurrency: int = 1) -> None:
    """Work the jobs of `queues` until SIGTERM/SIGINT (each job runs to its end first)."""
    queue = job_queue(app)
    apply_queue_schema(app, queue)
    settings = app.config.queue
    queue.run_worker(
        queues=list(queues),
        concurrency=concurrency,
        name=f"{socket.gethostname()}-{os.getpid()}",
        update_heartbeat_interval=settings.heartbeat,
        stalled_worker_timeout=settings.stalled_after,
    )


def plan_now(app: App) -> int:
    """Defer the due host batches at once (what the `plan` task does every minute); how many jobs."""
    queue = job_queue(app)
    apply_queue_schema(app, queue)

    async def defer() -> int:
        async with queue.open_async():
            return await defer_batches(queue.tasks[CHECK_HOST], plan_batches(app))

    return asyncio.run(defer())
