"""The crawl schedules as APScheduler jobs: triggers, the job store in the database, and keeping jobs in sync.

One job per distinct document schedule (`12h`, a cron expression, or `crawl.default_schedule`),
stored in the same database so that runs missed while the daemon was down still happen. Jobs are
added only when missing (re-adding would drop missed runs), changed when their trigger changes and
removed with their schedule; each has `coalesce`, `max_instances=1` and a misfire grace of hours.
Kept free of the extraction and storage-model code, so that the daemon that imports it stays lean.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

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


def open_scheduler(database_url: str, kind: type[BaseScheduler] = BlockingScheduler) -> tuple[BaseScheduler, Engine]:
    """A scheduler over the job store of the database at `database_url`, and the engine to dispose of at the end."""
    engine = create_database_engine(database_url)
    return build_scheduler(engine, kind), engine


def build_scheduler(engine: Engine, kind: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """A scheduler (blocking by default) whose crawl jobs live in `engine`'s database, run one at a time."""
    return kind(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE), "memory": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(1), "crawl": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=UTC,
    )
