"""The long-running daemon behind `monitor run`: a lean scheduler that runs each crawl cycle as a process.

APScheduler's BlockingScheduler keeps one job per distinct document schedule (`12h`, a cron
expression, or `crawl.default_schedule`) in a job store in the same database. Jobs are added only
when missing (re-adding would drop missed runs), changed when their trigger changes and removed
with their schedule; each has `coalesce`, `max_instances=1` and a misfire grace of hours.

Every cycle runs as `monitor crawl --schedule S` in its own process (which starts the Scrapy
child), so the daemon itself stays small and flat for months: it imports no extraction, storage
model or alerting code. At start it first runs `monitor crawl --catch-up` for runs a crash left
half-done. SIGTERM and SIGINT stop the running cycle (it records what it has) and the scheduler.

`monitor run` validates the config, migrates the database, then replaces itself with
`python -m monitor.daemon`.
"""

from __future__ import annotations

import argparse
import logging
import re
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from monitor.config import Config, ConfigError, load_config
from monitor.logs import configure_logging
from storage.engine import create_database_engine

log = logging.getLogger(__name__)

JOB_PREFIX = "crawl:"
JOBS_TABLE = "apscheduler_jobs"
MISFIRE_GRACE = timedelta(hours=6)
STOP_GRACE_S = 20  # how long a stopping cycle may take to record what it has
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def trigger_for(schedule: str) -> BaseTrigger:
    """The trigger of a schedule: an interval like `12h` / `30m` / `2s`, or a 5-field cron expression (UTC)."""
    interval = re.fullmatch(r"(\d+)([smhdw])", schedule.strip())
    if interval:
        return IntervalTrigger(**{_UNITS[interval.group(2)]: int(interval.group(1))}, timezone=UTC)
    return CronTrigger.from_crontab(schedule, timezone=UTC)


class Daemon:
    """Runs `monitor` subcommands as child processes and stops them when asked to."""

    def __init__(self, config_file: Path, config: Config, monitor_args: list[str]) -> None:
        self.config_file, self.config, self.monitor_args = config_file, config, monitor_args
        self.stop = threading.Event()

    def run_monitor(self, *args: str) -> int | None:
        """Run `monitor ARGS` to its end, or stop it (SIGTERM, then SIGKILL) when the daemon stops."""
        if self.stop.is_set():
            return None
        command = [sys.executable, "-m", "monitor", "-c", str(self.config_file), *self.monitor_args, *args]
        limit = self.config.crawl.cycle_timeout + STOP_GRACE_S * 3
        with subprocess.Popen(command, stdin=subprocess.DEVNULL) as child:
            deadline = datetime.now(UTC) + timedelta(seconds=limit)
            while child.poll() is None:
                if self.stop.wait(0.5) or datetime.now(UTC) > deadline:
                    child.terminate()
                    try:
                        child.wait(STOP_GRACE_S)
                    except subprocess.TimeoutExpired:
                        child.kill()
                    break
            code = child.wait()
        if code not in (0, None) and not self.stop.is_set():
            log.warning("a monitor command failed", extra={"command": " ".join(args), "exit_code": code})
        return code


_daemon: Daemon | None = None


def crawl_schedule(schedule: str) -> None:
    """Job: crawl every document whose schedule is `schedule`, in a `monitor crawl` process."""
    if _daemon is None:
        raise RuntimeError("crawl jobs run only inside the daemon")
    _daemon.run_monitor("crawl", "--schedule", schedule, "--trigger", "schedule", "--quiet")


def sync_jobs(scheduler: BaseScheduler, config: Config) -> None:
    """Make the stored jobs match the config's schedules, keeping existing jobs' next run times."""
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
                crawl_schedule,
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


def build_scheduler(engine: Engine, kind: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """A scheduler (blocking by default) whose crawl jobs live in `engine`'s database, run one at a time."""
    return kind(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE), "memory": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(1), "crawl": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=UTC,
    )


def run_daemon(config_file: Path, config: Config, monitor_args: list[str], alert_interval: float = 300) -> None:
    """Catch up interrupted runs, sync the jobs, then schedule crawls until SIGTERM/SIGINT."""
    global _daemon
    daemon = _daemon = Daemon(config_file, config, monitor_args)
    engine = create_database_engine(config.database_url)
    scheduler = build_scheduler(engine)

    def shut_down(signum: int, _frame: object) -> None:
        log.warning("stopping", extra={"signal": signal.Signals(signum).name})
        daemon.stop.set()
        if scheduler.running:
            scheduler.shutdown(wait=False)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, shut_down)
    log.warning("daemon started", extra={"schedules": len(config.schedules())})
    daemon.run_monitor("crawl", "--catch-up", "--trigger", "catch_up", "--quiet")
    if daemon.stop.is_set():
        return
    scheduler.add_job(sync_jobs, "date", args=[scheduler, config], id="sync-jobs", jobstore="memory")
    scheduler.add_job(
        daemon.run_monitor,
        "interval",
        args=["send-alerts"],
        seconds=alert_interval,
        id="send-alerts",
        jobstore="memory",
    )
    scheduler.start()  # blocks until shut_down
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """`python -m monitor.daemon --config FILE [-v] [--log-format json]`."""
    parser = argparse.ArgumentParser(prog="monitor run", description="The policy-monitor daemon.")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("-v", "--verbose", action="count", default=0)
    parser.add_argument("--log-format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    configure_logging(args.verbose, args.log_format)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    monitor_args = ["-v"] * args.verbose + ["--log-format", args.log_format]
    run_daemon(args.config, config, monitor_args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
