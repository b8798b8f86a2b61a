"""The daemon: job sync that keeps missed runs, catch-up after a kill, status, and the real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from monitor.app.context import App
from monitor.app.cycle import catch_up_plan, plan, run_cycle
from monitor.app.health import status as gather_status
from monitor.app.schedule import JOB_PREFIX, build_scheduler, sync_jobs, trigger_for
from monitor.config import Config, save_config
from monitor.daemon import crawl_schedule
from storage.db import open_database, session_scope
from storage.fetches import start_run
from storage.models import CrawlRun, Snapshot, Version
from tests.support.configs import loopback_config
from tests.support.demo_site import DemoSite
from tests.support.sites import LoopbackSite


def config_for(urls: dict[str, str], database: Path, schedule: str | None = None, **crawl: object) -> Config:
    return loopback_config(database, urls, schedule=schedule, **crawl)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield open_database(f"sqlite:///{tmp_path}/daemon.db")


def test_triggers() -> None:
    assert str(trigger_for("12h")) == "interval[12:00:00]"
    assert str(trigger_for("2s")) == "interval[0:00:02]"
    assert "cron" in str(trigger_for("0 6 * * 1"))


def test_jobs_are_added_once_changed_and_removed_without_losing_missed_runs(engine: Engine, tmp_path: Path) -> None:
    urls = {"a": "http://127.0.0.1:9/a", "b": "http://127.0.0.1:9/b"}
    config = config_for(urls, tmp_path / "daemon.db")
    scheduler = build_scheduler(engine, BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, config, crawl_schedule)
        (job,) = scheduler.get_jobs()
        assert job.id == JOB_PREFIX + "12h" and job.coalesce and job.max_instances == 1
        assert job.misfire_grace_time >= 3600
        missed = datetime.now(UTC) - timedelta(hours=3)  # a run the daemon missed while it was down
        scheduler.modify_job(job.id, next_run_time=missed)
        sync_jobs(scheduler, config, crawl_schedule)  # a restart with the same config keeps the missed run
        assert scheduler.get_job(job.id).next_run_time == missed
        hourly = config.model_copy(update={"crawl": config.crawl.model_copy(update={"default_schedule": "1h"})})
        sync_jobs(scheduler, hourly, crawl_schedule)
        assert [j.id for j in scheduler.get_jobs()] == [JOB_PREFIX + "1h"]
    finally:
        scheduler.shutdown(wait=False)


def test_a_killed_run_is_caught_up_once_without_refetching_what_it_recorded(engine: Engine, tmp_path: Path) -> None:
    with DemoSite() as site:
        config = config_for({v: site.url(v) for v in site.vendors}, tmp_path / "daemon.db")
        application = App(config, engine)
        planned = plan(application)
        run_cycle(application, planned[:1])  # one document recorded by a run ...
        with session_scope(engine) as session:
            killed = start_run(session, [p.document_id for p in planned], "schedule")  # ... then a run killed early
            first = session.exec(select(Snapshot)).one()
            first.crawl_run_id = killed.id
            session.add(first)
        missing = catch_up_plan(application)
        assert [p.document_id for p in missing] == [p.document_id for p in planned[1:]]
        assert catch_up_plan(application) == []
        run_cycle(application, missing, trigger="catch_up")
    with Session(engine) as session:
        per_document = [
            len(session.exec(select(Snapshot).where(Snapshot.document_id == p.document_id)).all()) for p in planned
        ]
        assert per_document == [1, 1, 1]
        runs = {run.id: run.status for run in session.exec(select(CrawlRun))}
        assert runs[killed.id] == "caught_up"


def test_status_is_unhealthy_without_recent_runs(engine: Engine, tmp_path: Path) -> None:
    config = config_for({"a": "http://127.0.0.1:9/a"}, tmp_path / "daemon.db")
    application = App(config, engine)
    (problem,) = gather_status(application).problems
    assert problem.startswith("no crawl has run yet: run `monitor") and "crawl`" in problem
    with session_scope(engine) as session:
        run = start_run(session, [], "schedule")
        run.status, run.finished_at = "finished", datetime.now(UTC)
    status = gather_status(application)
    assert status.healthy and status.database_bytes and status.database_bytes > 0
    later = datetime.now(UTC) + timedelta(days=3)
    assert "is the daemon (`monitor run`) running?" in gather_status(application, now=later).problems[0]


# --- the daemon as a real process -------------------------------------------------------------


def write_config(path: Path, urls: dict[str, str], schedule: str = "2s", timeout: float = 2) -> Path:
    """The config file a daemon process reads, with its database in `data/` beside it."""
    return save_config(config_for(urls, path.parent / "data" / "daemon.db", schedule, timeout=timeout), path)


def start_daemon(config: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "POLICY_MONITOR_DATABASE_URL"}
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "-c", str(config), "run"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def wait_for(condition, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the daemon"
        time.sleep(0.2)


def counts(database: Path) -> tuple[int, int]:
    with Session(open_database(f"sqlite:///{database}")) as session:
        return len(session.exec(select(Snapshot)).all()), len(session.exec(select(Version)).all())


def test_daemon_process_records_changes_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    with DemoSite() as site:
        config = write_config(tmp_path / "config.toml", {v: site.url(v) for v in site.vendors})
        database = tmp_path / "data" / "daemon.db"
        daemon = start_daemon(config)
        try:
            wait_for(lambda: database.exists() and counts(database)[1] == 3)
            site.show("lumen", 1)
            wait_for(lambda: counts(database)[1] == 4)
            snapshots = counts(database)[0]
            wait_for(lambda: counts(database)[0] >= snapshots + 3)  # it keeps crawling every 2 s
        finally:
            started = time.monotonic()
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=15)
        assert time.monotonic() - started < 10
        assert daemon.returncode == 0, daemon.stderr.read() if daemon.stderr else ""
        assert counts(database)[1] == 4


def test_kill_9_mid_crawl_then_restart_completes_the_run_without_duplicates(tmp_path: Path) -> None:
    with DemoSite() as site, LoopbackSite() as slow:
        slow.set(
            "/p", "<html><body>" + "<p>A slow but real policy page of a vendor.</p>" * 10 + "</body></html>", delay=4
        )
        urls = {v: site.url(v) for v in site.vendors} | {"slow": slow.url("/p")}
        config = write_config(tmp_path / "config.toml", urls, schedule="1h", timeout=10)
        database = tmp_path / "data" / "daemon.db"
        daemon = start_daemon(config)
        wait_for(lambda: database.exists() and counts(database)[0] >= 3)  # fast pages in, slow one pending
        daemon.kill()
        daemon.wait(timeout=10)
        engine = open_database(f"sqlite:///{database}")
        with Session(engine) as session:
            (killed,) = session.exec(select(CrawlRun)).all()
            assert killed.status == "running"
        restarted = start_daemon(config)
        try:
            wait_for(lambda: counts(database)[0] >= 4)
        finally:
            restarted.send_signal(signal.SIGTERM)
            restarted.wait(timeout=15)
    with Session(engine) as session:
        snapshots = session.exec(select(Snapshot)).all()
        per_document: dict[int, int] = {}
        for snapshot in snapshots:
            per_document[snapshot.document_id] = per_document.get(snapshot.document_id, 0) + 1
        assert sorted(per_document.values()) == [1, 1, 1, 1]  # nothing fetched twice
        runs = session.exec(select(CrawlRun).order_by(col(CrawlRun.id))).all()
        assert runs[0].status == "caught_up" and runs[1].trigger == "catch_up"
        assert [s.outcome for s in snapshots if s.crawl_run_id == runs[1].id] == ["ok"]


def test_a_vendor_that_never_answers_does_not_hold_up_the_others(tmp_path: Path) -> None:
    with DemoSite() as site, LoopbackSite() as stuck:
        stuck.set("/p", "<p>never</p>", delay=60)
        urls = {"stuck": stuck.url("/p")} | {v: site.url(v) for v in site.vendors}
        config = write_config(tmp_path / "config.toml", urls, schedule="1h", timeout=2)
        database = tmp_path / "data" / "daemon.db"
        started = time.monotonic()
        daemon = start_daemon(config)
        try:
            wait_for(lambda: database.exists() and counts(database)[0] == 4)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=15)
        assert time.monotonic() - started < 40  # the stuck page costs its 2 s timeout, not 60 s
    with Session(open_database(f"sqlite:///{database}")) as session:
        outcomes = sorted(s.outcome for s in session.exec(select(Snapshot)))
    assert outcomes == ["ok", "ok", "ok", "timeout"]


def test_malformed_config_is_refused_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[crawl]\ndelay = 'soon'\n")
    result = subprocess.run([sys.executable, "-m", "monitor", "-c", str(config), "run"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "crawl.delay" in result.stderr


@pytest.mark.parametrize(
    ("where", "schedule", "problem"),
    [
        ("default_schedule", "every day", "crawl.default_schedule: 'every day' is not an interval"),
        ("default_schedule", "0 25 * * *", "crawl.default_schedule: hour 25 is out of range 0-23 in '0 25 * * *'"),
        ("schedule", "*/0 * * * *", "vendors[0].documents[0].schedule: minute step in '*/0' must be at least 1"),
        ("schedule", "0 6 31 2 *", "vendors[0].documents[0].schedule: '0 6 31 2 *' never runs"),
        ("schedule", "0m", "vendors[0].documents[0].schedule: '0m': an interval must be longer than 0"),
    ],
)
def test_a_bad_schedule_is_one_line_and_exit_2_from_run_status_and_crawl(
    tmp_path: Path, where: str, schedule: str, problem: str
) -> None:
    config = write_config(tmp_path / "config.toml", {"a": "http://127.0.0.1:9/a"}, schedule="1h")
    text = config.read_text()
    if where == "default_schedule":
        text = text.replace("[crawl]", f'[crawl]\ndefault_schedule = "{schedule}"', 1)
    else:
        text = text.replace('schedule = "1h"', f'schedule = "{schedule}"')
    config.write_text(text)
    for command in ("run", "status", "crawl"):
        result = subprocess.run([sys.executable, "-m", "monitor", "-c", str(config), command],
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr.count("\n") == 1 and problem in result.stderr, (command, result.stderr)
    assert not (tmp_path / "data").exists()


def test_web_enabled_makes_the_daemon_serve_the_web_view_and_stop_it(tmp_path: Path) -> None:
    from monitor.config import WebConfig
    from tests.support.sinks import free_port

    port = free_port()
    with DemoSite() as site:
        config = config_for({"lumen": site.url("lumen")}, tmp_path / "data" / "daemon.db", "1h")
        path = save_config(config.model_copy(update={"web": WebConfig(enabled=True, port=port)}), tmp_path / "c.toml")
        daemon = start_daemon(path)
        try:

            def answers() -> bool:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                        return response.status == 200
                except OSError:
                    return False

            wait_for(answers)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                assert response.read() == b"ok"
            wait_for(lambda: "lumen" in urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode())
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)
        assert daemon.returncode == 0, daemon.stderr.read() if daemon.stderr else ""
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # the web view stopped with it
