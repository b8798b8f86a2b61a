"""Outages: SMTP down for an hour, Slack answering 500 then 429 with Retry-After, a name that does not
resolve, the database locked, read-only or on a full disk. Each time the daemon's jobs keep going, say
once what is wrong, and catch up when the fault ends. Simulated time where the wait would be long: the
outbox is drained with a clock the test moves, as the daemon drains it every five minutes."""

from __future__ import annotations

import contextlib
import logging
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from monitor.alerts.channels import retry_after
from monitor.alerts.outbox import drain
from monitor.app.context import load_settings
from monitor.config import save_config
from storage.db import open_database
from storage.models import Document, Snapshot, Version
from tests.faults.processes import environment, run_job, start_daemon, start_job, wait_for
from tests.support.configs import loopback_config
from tests.support.dbs import PG_ADMIN_URL, postgres_database
from tests.support.sinks import MailSink, WebhookSink
from tests.support.sites import LoopbackSite
from tests.test_alerts import SLACK_URL, Recorder, write_config
from tests.test_decisions import BASE, SELLS, page

DRAIN_EVERY = timedelta(minutes=5)  # the daemon's send-alerts interval


def warnings_from(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


def test_smtp_down_for_an_hour_holds_the_alert_says_so_once_and_delivers_it_once_when_back(
    tmp_path: Path, mail: MailSink, caplog: pytest.LogCaptureFixture
) -> None:
    fetch = Recorder(load_settings(write_config(tmp_path, {"mail": mail.url}, max_attempts=6, pause_after=5)))
    fetch(BASE)
    fetch(SELLS)  # a MATERIAL alert while the mail server is down (not started)
    start = fetch.now
    moments = [start + DRAIN_EVERY * n for n in range(13)]  # an hour of drains, every five minutes
    with caplog.at_level(logging.INFO):
        outage = [drain(fetch.engine, fetch.config, moment) for moment in moments]
        assert sum(d.failed for d in outage) == 0  # the alert is held, never given up
        (row,) = fetch.rows()
        assert row.status == "queued" and "cannot send through 127.0.0.1" in (row.last_error or "")
        said = warnings_from(caplog)
        assert len(said) == 1 and "alert channel mail: paused after 5 failed deliveries in a row" in said[0]
        caplog.clear()

        mail.start()  # the server is back
        back = moments[-1] + DRAIN_EVERY
        recovered = [drain(fetch.engine, fetch.config, back + DRAIN_EVERY * n) for n in range(4)]
    assert sum(d.sent for d in recovered) == 1
    (row,) = fetch.rows()
    assert row.status == "sent"
    (message,) = mail.messages
    assert "MATERIAL" in message["Subject"] and message["Message-ID"] == row.message_id
    said = warnings_from(caplog)
    assert len(said) == 1 and "resumed" in said[0]


def test_slack_answering_500_then_429_is_retried_no_sooner_than_its_retry_after(
    tmp_path: Path, slack: WebhookSink
) -> None:
    fetch = Recorder(load_settings(write_config(tmp_path, {"team": SLACK_URL}, max_attempts=6, backoff=60)))
    fetch(BASE)
    fetch(SELLS)
    start = fetch.now
    slack.status = 500
    assert drain(fetch.engine, fetch.config, start).retrying == 1
    (row,) = fetch.rows()
    assert row.next_attempt_at == start + timedelta(seconds=60)  # the backoff
    slack.status, slack.headers = 429, {"Retry-After": "900"}
    limited = start + timedelta(seconds=60)
    assert drain(fetch.engine, fetch.config, limited).retrying == 1
    (row,) = fetch.rows()
    assert row.next_attempt_at == limited + timedelta(seconds=900)  # Retry-After, not the 120 s backoff
    assert "error=429" in (row.last_error or "") and "wait 900 s: Retry-After" in (row.last_error or "")
    slack.status, slack.headers = 200, {}
    assert drain(fetch.engine, fetch.config, limited + timedelta(seconds=899)).attempted == 0
    assert len(slack.posts) == 2  # nothing posted before Retry-After
    assert drain(fetch.engine, fetch.config, limited + timedelta(seconds=900)).sent == 1
    assert len(slack.posts) == 3 and fetch.rows()[0].status == "sent"


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

    def answer(status: int, value: str) -> requests.Response:
        response = requests.Response()
        response.status_code, response.headers["Retry-After"] = status, value
        return response

    assert retry_after([answer(429, "120")], now) == 120
    assert retry_after([answer(503, "Thu, 03 Dec 2026 12:05:00 GMT")], now) == 300
    assert retry_after([answer(429, "soon")], now) is None
    assert retry_after([answer(500, "120")], now) is None  # only a 429 or a 503 asks to wait


# --- faults of the web and of the database, through the daemon's real job processes ------------------


def two_vendors(tmp_path: Path, first: str, second: str, **crawl: object) -> Path:
    """A config file with vendors `a` and `b` watching these URLs, its SQLite database beside it."""
    config = loopback_config(tmp_path / "data" / "monitor.db", {"a": first, "b": second}, schedule="2s", **crawl)
    return save_config(config, tmp_path / "config.toml")


def outcomes(engine: Engine) -> list[tuple[str, str, str | None]]:
    with Session(engine) as session:
        query = select(Document.vendor_id, Snapshot.outcome, Snapshot.reason).join(Document)
        return [tuple(row) for row in session.exec(query.order_by(col(Snapshot.id)))]


def test_a_name_that_does_not_resolve_is_a_dns_error_and_the_other_documents_are_fetched(
    tmp_path: Path, site: LoopbackSite
) -> None:
    site.set("/privacy", page(BASE))
    config = two_vendors(tmp_path, "http://nonexistent.invalid/privacy", site.url("/privacy"))
    started = time.monotonic()
    code, stderr = run_job(config, "check", timeout=60)
    assert code == 0, stderr
    assert time.monotonic() - started < 45
    engine = open_database(f"sqlite:///{tmp_path}/data/monitor.db")
    (vendor, outcome, reason), fetched = sorted(outcomes(engine))
    assert (vendor, outcome) == ("a", "dns_error") and "nonexistent.invalid" in (reason or "")
    assert fetched[:2] == ("b", "ok")


def versions(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(Version.seq).order_by(col(Version.id))))


@pytest.mark.slow
def test_a_locked_database_is_waited_for_and_past_the_busy_timeout_is_one_line_then_caught_up(
    tmp_path: Path, site: LoopbackSite
) -> None:
    site.set("/privacy", page(BASE))
    config = write_config(tmp_path, {}, url=site.url("/privacy"))
    assert run_job(config, "check")[0] == 0
    holder = sqlite3.connect(tmp_path / "alerts.db", isolation_level=None, timeout=30)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing
    fetched = site.hits("/privacy")
    waiting = start_job(config, "check")
    time.sleep(5)  # the job starts and waits on the lock meanwhile: it cannot open its run, so it fetches nothing
    assert waiting.poll() is None and site.hits("/privacy") == fetched
    holder.execute("COMMIT")
    _, stderr = waiting.communicate(timeout=60)
    assert waiting.returncode == 0 and stderr == "" and site.hits("/privacy") == fetched + 1

    site.set("/privacy", page(SELLS))
    holder.execute("BEGIN EXCLUSIVE")  # now held past the 30 s busy timeout
    started = time.monotonic()
    code, stderr = run_job(config, "check", timeout=120)
    waited = time.monotonic() - started
    holder.execute("ROLLBACK")
    holder.close()
    assert code == 2 and stderr == "error: the database cannot be used: database is locked\n"
    assert 25 < waited < 90
    assert run_job(config, "check") == (0, "")  # the lock is gone: the change is recorded
    assert versions(open_database(f"sqlite:///{tmp_path}/alerts.db")) == [1, 2]


@pytest.mark.postgres
def test_a_read_only_database_is_one_line_and_the_next_job_catches_up(tmp_path: Path, site: LoopbackSite) -> None:
    site.set("/privacy", page(BASE))
    config = write_config(tmp_path, {}, url=site.url("/privacy"))
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with postgres_database() as url:
            assert run_job(config, "check", database_url=url)[0] == 0
            name = make_url(url).database

            def read_only(on: bool) -> None:
                with admin.connect() as connection:
                    setting = "SET default_transaction_read_only = on" if on else "RESET default_transaction_read_only"
                    connection.execute(text(f'ALTER DATABASE "{name}" {setting}'))

            read_only(True)
            site.set("/privacy", page(SELLS))
            code, stderr = run_job(config, "check", database_url=url)
            assert code == 2 and stderr.count("\n") == 1, stderr
            assert stderr.startswith("error: the database cannot be used: cannot execute INSERT in a read-only")
            command = [sys.executable, "-m", "monitor", "-c", str(config), "crawl", "--quiet"]
            crawl = subprocess.run(command, capture_output=True, text=True, env=environment(url), timeout=120)
            assert crawl.returncode == 2 and crawl.stderr.count("\n") == 1, crawl.stderr  # the CLI alike
            assert "cannot execute INSERT in a read-only transaction" in crawl.stderr
            read_only(False)
            assert run_job(config, "check", database_url=url) == (0, "")
            assert versions(open_database(url)) == [1, 2]
    finally:
        admin.dispose()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs at `tmp_path/disk`, unmounted afterwards (skipped where mounting is not allowed)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("no mount command: cannot make a small tmpfs")
    done = subprocess.run([mount, "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Write a file on `disk` until it is full; the file."""
    filler = disk / "filler"
    with filler.open("wb") as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
            out.flush()
    return filler


@pytest.mark.slow
def test_a_full_disk_keeps_the_daemon_running_says_so_once_and_it_catches_up_when_there_is_room(
    tmp_path: Path, site: LoopbackSite, small_disk: Path
) -> None:
    site.set("/privacy", page(BASE))
    database = small_disk / "monitor.db"
    config = save_config(loopback_config(database, {"a": site.url("/privacy")}, schedule="2s"), tmp_path / "c.toml")
    log = tmp_path / "daemon.log"
    daemon = start_daemon(config, log)
    try:
        engine = open_database(f"sqlite:///{database}")
        wait_for(lambda: versions(engine) == [1], 60, "the first version")
        site.set("/privacy", page(SELLS))
        filler = fill(small_disk)
        time.sleep(10)  # five scheduled cycles on a full disk
        assert daemon.poll() is None and versions(engine) == [1]
        said = log.read_text()
        assert said.count("a job failed") == 1 and "database or disk is full" in said
        filler.unlink()
        wait_for(lambda: versions(engine) == [1, 2], 60, "the change, once there is room")
        wait_for(lambda: "jobs work again" in log.read_text(), 30, "the daemon to say the jobs work again")
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
    said = log.read_text()
    assert daemon.returncode == 0 and "Traceback" not in said
    assert said.count("a job failed") == 1 and said.count("jobs work again") == 1


def test_a_read_only_file_system_under_the_sqlite_file_is_one_line_and_the_next_job_catches_up(
    tmp_path: Path, site: LoopbackSite, small_disk: Path
) -> None:
    site.set("/privacy", page(BASE))
    database = small_disk / "monitor.db"
    config = save_config(loopback_config(database, {"a": site.url("/privacy")}), tmp_path / "c.toml")
    assert run_job(config, "check") == (0, "")
    remount(small_disk, "ro")  # chmod does not stop root: the file system itself is read-only
    site.set("/privacy", page(SELLS))
    code, stderr = run_job(config, "check")
    assert code == 2 and stderr.count("\n") == 1 and "unable to open database file" in stderr, stderr
    remount(small_disk, "rw")
    assert run_job(config, "check") == (0, "")
    assert versions(open_database(f"sqlite:///{database}")) == [1, 2]


def remount(disk: Path, mode: str) -> None:
    """Mount `disk` again read-only (`ro`) or read-write (`rw`)."""
    subprocess.run(["mount", "-o", f"remount,{mode}", str(disk)], check=True, capture_output=True)
