"""The long-running daemon behind `monitor run`: a lean scheduler that runs each job as a process.

APScheduler's BlockingScheduler keeps one job per distinct document schedule in the database
(:mod:`monitor.app.schedule`). Every job runs as `python -m monitor.app.jobs ... check --schedule S`
in its own process (which starts the Scrapy child), so the daemon itself stays small and flat for
months: it imports no extraction, storage model or alerting code. At start it first runs the
catch-up job for runs a crash left half-done; `gc` (the retention window) runs once a day.
With `[web] enabled = true` it also starts the web view, `monitor serve`, as a child process (started
again if it dies; never forked from a scheduler thread). SIGTERM and SIGINT stop the running job (it
records what it has), the web view and the scheduler. A job that fails is reported once, with its
one-line `error: ...`, and again only when the problem changes; when the same kind of job works
again, that is said once too (a database full for a day is two lines, not one per cycle).

`monitor run` validates the config, migrates the database, then replaces itself with
`python -m monitor.daemon`. One daemon runs per database (`monitor.app.singleton`): a second one
exits at once with one line. With `queue.backend = "procrastinate"` the daemon crawls nothing itself:
it works the `planner` queue (planning host batches, sending alerts, `gc`) and `monitor worker`s crawl.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

from monitor.app.schedule import open_scheduler, sync_jobs
from monitor.app.singleton import AlreadyRunning, daemon_lock
from monitor.config import Config, ConfigError, load_config
from monitor.logs import configure_logging

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

STOP_GRACE_S = 20  # how long a stopping job may take to record what it has
WEB_CHECK_S = 30  # how often the daemon checks that its web view still runs


class Daemon:
    """Runs the application's jobs as child processes and stops them when asked to."""

    def __init__(self, config_file: Path, config: Config, log_args: list[str]) -> None:
        self.config_file, self.config, self.log_args = config_file, config, log_args
        self.stop = threading.Event()
        self.failing: dict[str, str] = {}  # job kind (check, send-alerts, gc) -> the problem reported for it

    def run_job(self, *args: str) -> int | None:
        """Run `python -m monitor.app.jobs ... ARGS` to its end, or stop it (SIGTERM, then SIGKILL) on stop."""
        if self.stop.is_set():
            return None
        command = [sys.executable, "-m", "monitor.app.jobs", "--config", str(self.config_file), *self.log_args, *args]
        limit = self.config.crawl.cycle_timeout + STOP_GRACE_S * 3
        said: list[str] = []
        with subprocess.Popen(command, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as child:
            assert child.stderr is not None
            relay = threading.Thread(target=_relay, args=(child.stderr, said), daemon=True)
            relay.start()
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
            relay.join(STOP_GRACE_S)
        if not self.stop.is_set():
            self.report(args, code, said[-1] if said else None)
        return code

    def report(self, args: tuple[str, ...], code: int | None, error: str | None) -> None:
        """Log a job's failure once per problem and kind of job, and once when that kind works again."""
        kind, before = args[0], self.failing.get(args[0])
        if code == 0:
            if before is not None:
                log.warning("jobs work again", extra={"job": kind, "after": before})
                del self.failing[kind]
            return
        problem = error or f"exit code {code}"
        if problem != before:
            log.warning("a job failed", extra={"job": " ".join(args), "exit_code": code, "error": problem})
            self.failing[kind] = problem


def _relay(stream: IO[str], said: list[str]) -> None:
    """Pass a job's log lines on to the daemon's stderr, keeping back its `error: ...` lines (in `said`)."""
    for line in stream:
        if line.startswith("error: "):
            said.append(line.removeprefix("error: ").strip())
        else:
            sys.stderr.write(line)
            sys.stderr.flush()


class WebChild:
    """The web view (`monitor serve`) as a child process of the daemon, started again when it dies."""

    def __init__(self, config_file: Path, log_args: list[str]) -> None:
        self.command = [sys.executable, "-m", "monitor", "--config", str(config_file), *log_args, "serve"]
        self.process: subprocess.Popen[bytes] | None = None

    def ensure_running(self) -> None:
        """Start the web view, or start it again when it has exited."""
        if self.process is not None and self.process.poll() is None:
            return
        if self.process is not None:
            log.warning("the web view exited, starting it again", extra={"exit_code": self.process.returncode})
        self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL)

    def stop(self) -> None:
        """Stop the web view (SIGTERM, then SIGKILL)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_daemon: Daemon | None = None


def crawl_schedule(schedule: str) -> None:
    """Job: check every document whose schedule is `schedule`, in its own process."""
    if _daemon is None:
        raise RuntimeError("crawl jobs run only inside the daemon")
    _daemon.run_job("check", "--schedule", schedule, "--trigger", "schedule")


def run_daemon(config_file: Path, config: Config, log_args: list[str], alert_interval: float = 300) -> int:
    """Catch up interrupted runs, sync the jobs, then schedule crawls until SIGTERM/SIGINT; the exit code.

    A schedule the jobs cannot be synced with stops the daemon with exit code 2 instead of leaving it idle.
    """
    global _daemon
    daemon = _daemon = Daemon(config_file, config, log_args)
    scheduler, engine = open_scheduler(config.database_url)

    def shut_down(signum: int, _frame: object) -> None:
        log.warning("stopping", extra={"signal": signal.Signals(signum).name})
        daemon.stop.set()
        if scheduler.running:
            scheduler.shutdown(wait=False)

    exit_code = 0

    def sync() -> None:
        nonlocal exit_code
        try:
            sync_jobs(scheduler, config, crawl_schedule)
        except Exception as exc:
            log.error("cannot schedule the crawls, stopping", extra={"error": str(exc).splitlines()[0]})
            exit_code = 2
            shut_down(signal.SIGTERM, None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, shut_down)
    log.warning("daemon started", extra={"schedules": len(config.schedules())})
    web = WebChild(config_file, log_args) if config.web.enabled else None
    try:
        if web is not None:
            web.ensure_running()  # from the main thread, before the scheduler's threads exist
        return _schedule(daemon, scheduler, engine, sync, web, alert_interval, lambda: exit_code)
    finally:
        if web is not None:
            web.stop()


def _schedule(
    daemon: Daemon,
    scheduler: BaseScheduler,
    engine: Engine,
    sync: Callable[[], None],
    web: WebChild | None,
    alert_interval: float,
    exit_code: Callable[[], int],
) -> int:
    """Catch up, then run the scheduler until it is shut down; the exit code."""
    daemon.run_job("check", "--catch-up", "--trigger", "catch_up")
    if daemon.stop.is_set():
        return exit_code()
    scheduler.add_job(sync, "date", id="sync-jobs", jobstore="memory")
    scheduler.add_job(
        daemon.run_job, "interval", args=["send-alerts"], seconds=alert_interval, id="send-alerts", jobstore="memory"
    )
    scheduler.add_job(daemon.run_job, "interval", args=["gc"], days=1, id="gc", jobstore="memory")
    if web is not None:
        scheduler.add_job(web.ensure_running, "interval", seconds=WEB_CHECK_S, id="web", jobstore="memory")
    scheduler.start()  # blocks until shut_down
    engine.dispose()
    return exit_code()


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
    try:
        with daemon_lock(config):
            if config.queue.backend == "procrastinate":
                return run_planner(config)
            return run_daemon(args.config, config, ["-v"] * args.verbose + ["--log-format", args.log_format])
    except AlreadyRunning as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def run_planner(config: Config) -> int:
    """The daemon of the procrastinate mode: a worker of the planner queue, until SIGTERM/SIGINT."""
    from monitor.app.context import open_app
    from monitor.app.queue import PLANNER_QUEUES, run_worker

    log.warning("planner started", extra={"queues": ",".join(PLANNER_QUEUES)})
    run_worker(open_app(config), queues=PLANNER_QUEUES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
