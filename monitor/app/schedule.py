"""The crawl schedules as APScheduler jobs: triggers, the job store in the database, and keeping jobs in sync.

One job per distinct document schedule (`12h`, a cron expression, or `crawl.default_schedule`),
stored in the same database so that runs missed while the daemon was down still happen. Jobs are
added only when missing (re-adding would drop missed runs), changed when their trigger changes and
removed with their schedule; each has `coalesce`, `max_instances=1` and a misfire grace of hours.
A database that cannot be written (locked, read-only, a full disk) does not stop the scheduler: the next
run times are kept in memory until it can be written again (:class:`PatientJobStore`).
Kept free of the extraction and storage-model code, so that the daemon that imports it stays lean.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from monitor.config import Config
from monitor.schedules import WEEKDAYS, Interval, parse_schedule
from storage.engine import create_database_engine

log = logging.getLogger(__name__)

JOB_PREFIX = "crawl:"
JOBS_TABLE = "apscheduler_jobs"
MISFIRE_GRACE = timedelta(hours=6)


def trigger_for(schedule: str) -> BaseTrigger:
    """The trigger of a schedule: an interval like `12h` / `30m` / `2s`, or a 5-field cron expression (UTC).

    Cron weekdays keep their crontab meaning (0 and 7 are Sunday), which APScheduler's own numbers do not.
    """
    parsed = parse_schedule(schedule)
    if isinstance(parsed, Interval):
        return IntervalTrigger(seconds=parsed.seconds, timezone=UTC)
    weekdays = "*" if parsed.day_of_week == "*" else ",".join(WEEKDAYS[d] for d in sorted(parsed.weekdays))
    return CronTrigger(
        minute=parsed.minute, hour=parsed.hour, day=parsed.day, month=parsed.month, day_of_week=weekdays, timezone=UTC
    )


def longest_gap(config: Config, now: datetime) -> timedelta:
    """The longest time between two runs of any schedule in the config (at least an hour)."""
    gaps = [timedelta(hours=1)]
    for schedule in config.schedules():
        trigger = trigger_for(schedule)
        first = trigger.get_next_fire_time(None, now)
        second = trigger.get_next_fire_time(first, first + timedelta(microseconds=1)) if first else None
        if first and second:
            gaps.append(second - first)
    return max(gaps)


def sync_jobs(scheduler: BaseScheduler, config: Config, crawl: Callable[[str], None]) -> None:
    """Make the stored jobs (each calling `crawl(schedule)`) match the config's schedules, keeping next run times."""
    wanted = {JOB_PREFIX + schedule: schedule for schedule in config.schedules()}
    for job in scheduler.get_jobs(jobstore="default"):
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            scheduler.remove_job(job.id)
            log.info("removed a schedule no document uses", extra={"job": job.id})
    for job_id, schedule in wanted.items():
        trigger = trigger_for(schedule)
        job = scheduler.get_job(job_id, jobstore="default")
        if job is None:
            scheduler.add_job(
                crawl,
                trigger,
                args=[schedule],
                id=job_id,
                name=f"crawl the documents scheduled {schedule}",
                jobstore="default",
                executor="crawl",
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
                next_run_time=datetime.now(UTC),
            )
            log.info("added a crawl schedule", extra={"job": job_id})
        elif str(job.trigger) != str(trigger):
            scheduler.reschedule_job(job_id, jobstore="default", trigger=trigger)
            log.info("changed a crawl schedule", extra={"job": job_id})


class PatientJobStore(SQLAlchemyJobStore):
    """The job store in the database, riding out a database that cannot be read or written for a while.

    APScheduler's scheduler loop stops for good when its job store raises while it updates a job, and a
    job whose new next run time was not stored would be due again at once. Here a run time that cannot
    be stored is kept in memory (and stored with the next update that works), a read that fails gives
    no due jobs and a wake-up in a minute, and the trouble is logged once, when it starts and when it ends.
    """

    RETRY = timedelta(minutes=1)

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self._unsaved: dict[str, datetime] = {}  # job id -> next run time the database has not taken yet
        self._problem: str | None = None

    def update_job(self, job: Job) -> None:
        try:
            super().update_job(job)
        except SQLAlchemyError as exc:
            self._unsaved[job.id] = job.next_run_time
            self._trouble(exc)
        else:
            self._unsaved.pop(job.id, None)
            self._fine()

    def get_due_jobs(self, now: datetime) -> list[Job]:
        try:
            jobs = super().get_due_jobs(now)
        except SQLAlchemyError as exc:
            self._trouble(exc)
            return []
        for job in jobs:
            job.next_run_time = self._unsaved.get(job.id, job.next_run_time)
        return [job for job in jobs if job.next_run_time <= now]

    def get_next_run_time(self) -> datetime | None:
        try:
            if not self._unsaved:
                return super().get_next_run_time()
            times = [self._unsaved.get(job.id, job.next_run_time) for job in super().get_all_jobs()]
        except SQLAlchemyError as exc:
            self._trouble(exc)
            return datetime.now(UTC) + self.RETRY
        return min((t for t in times if t is not None), default=None)

    def _trouble(self, exc: SQLAlchemyError) -> None:
        problem = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        if problem != self._problem:
            log.warning("the database cannot be used: the crawl schedule is kept in memory until it can",
                        extra={"error": problem})  # fmt: skip
            self._problem = problem

    def _fine(self) -> None:
        if self._problem is not None:
            log.warning("the database can be written again", extra={"was": self._problem})
            self._problem = None


def open_scheduler(database_url: str, kind: type[BaseScheduler] = BlockingScheduler) -> tuple[BaseScheduler, Engine]:
    """A scheduler over the job store of the database at `database_url`, and the engine to dispose of at the end."""
    engine = create_database_engine(database_url)
    return build_scheduler(engine, kind), engine


def build_scheduler(engine: Engine, kind: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """A scheduler (blocking by default) whose crawl jobs live in `engine`'s database, run one at a time."""
    return kind(
        jobstores={"default": PatientJobStore(engine=engine, tablename=JOBS_TABLE), "memory": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(1), "crawl": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=UTC,
    )
