"""Crash points: `kill -9` of a recording job, of the crawler child and of `send-alerts` at chosen points.

Every point is reached from outside, without a fault hook in the code: a PostgreSQL table lock makes
the recording transaction wait between its version row and its outbox row, a slow page keeps the
crawler child busy, and a mail server stalls after RCPT TO or after keeping DATA. After the restart
no snapshot is lost or duplicated, the crawl run is caught up, and each alert reaches the sink once,
or twice with the same Message-ID when the crash came after delivery and before it was marked sent.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session, SQLModel, col, select

from monitor.alerts.outbox import LEASE, drain
from monitor.app.context import load_settings
from storage.db import open_database
from storage.models import Change, CrawlRun, Incident, Outbox, Snapshot, Version, utcnow
from tests.faults.processes import (
    StallingMailSink,
    children,
    command_line,
    run_job,
    start_daemon,
    start_job,
    wait_for,
)
from tests.support.dbs import postgres_database
from tests.support.sinks import MailSink
from tests.support.sites import LoopbackSite
from tests.test_alerts import Recorder, write_config
from tests.test_decisions import BASE, SELLS, page


def rows(engine: Engine, model: type[SQLModel]) -> list:
    """Every row of `model`'s table, by id."""
    with Session(engine) as session:
        return list(session.exec(select(model).order_by(col(model.id))))  # type: ignore[attr-defined]


def kill_tree(pid: int) -> list[int]:
    """SIGKILL `pid` and then the children it had (they were started by this test); their pids."""
    tree = [pid, *children(pid)]
    for member in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)
    return tree


@dataclass
class Watched:
    """A PostgreSQL database, a loopback site serving a policy, and a config watching it, alerting by e-mail."""

    url: str
    site: LoopbackSite
    config: Path
    engine: Engine


@pytest.fixture
def watched(tmp_path: Path, mail: MailSink) -> Iterator[Watched]:
    mail.start()
    with postgres_database() as url, LoopbackSite() as site:
        site.set("/privacy", page(BASE))
        config = write_config(tmp_path, {"mail": mail.url}, url=site.url("/privacy"))
        yield Watched(url, site, config, open_database(url))


@pytest.mark.postgres
@pytest.mark.slow
def test_kill_9_between_the_version_row_and_the_outbox_row_loses_both_and_the_catch_up_alerts_once(
    watched: Watched, mail: MailSink
) -> None:
    url, config, engine = watched.url, watched.config, watched.engine
    assert run_job(config, "check", database_url=url)[0] == 0  # the first version: no alert
    watched.site.set("/privacy", page(SELLS))  # a MATERIAL change
    blocker = create_engine(url).connect()
    try:
        blocker.execute(text("LOCK TABLE outbox IN EXCLUSIVE MODE"))  # inserts wait, reads go on
        job = start_job(config, "check", database_url=url)
        backend = _waiting_backend(engine, "INSERT INTO outbox")
        # The waiting transaction has written its version row already: one transaction holds both.
        with engine.connect() as watcher:
            held = watcher.execute(
                text("SELECT relation::regclass::text FROM pg_locks WHERE pid = :pid AND mode = 'RowExclusiveLock'"),
                {"pid": backend},
            ).scalars()
            assert {"version", "change", "snapshot"} <= set(held)
        kill_tree(job.pid)
        job.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()
    wait_for(lambda: not _backend_alive(engine, backend), 30, "the killed job's transaction to end")
    assert [v.seq for v in rows(engine, Version)] == [1]  # neither the version ...
    assert rows(engine, Change) == [] and rows(engine, Outbox) == []  # ... nor its change and alert
    killed = rows(engine, CrawlRun)[-1]
    assert killed.status == "running" and not [s for s in rows(engine, Snapshot) if s.crawl_run_id == killed.id]

    code, stderr = run_job(config, "check", "--catch-up", "--trigger", "catch_up", database_url=url)
    assert code == 0, stderr
    assert run_job(config, "check", database_url=url)[0] == 0  # a later cycle alerts nothing more
    runs = rows(engine, CrawlRun)
    assert [r.status for r in runs] == ["finished", "caught_up", "finished", "finished"]
    assert [v.seq for v in rows(engine, Version)] == [1, 2]
    assert len(rows(engine, Snapshot)) == 3  # one per fetch that finished: nothing lost, nothing twice
    (alert,) = rows(engine, Outbox)
    assert alert.status == "sent"
    (message,) = mail.messages
    assert "MATERIAL" in message["Subject"] and message["Message-ID"] == alert.message_id


def _waiting_backend(engine: Engine, statement: str, timeout: float = 60) -> int:
    """The pid of the PostgreSQL backend waiting on a lock while running `statement`."""
    found: list[int] = []

    def waiting() -> bool:
        with engine.connect() as connection:  # a new transaction each time: pg_stat_activity is a snapshot
            found[:] = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE :q "
                    "AND datname = current_database()"
                ),
                {"q": statement + "%"},
            ).scalars()
        return bool(found)

    wait_for(waiting, timeout, f"a backend waiting on {statement!r}")
    return found[0]


def _backend_alive(engine: Engine, pid: int) -> bool:
    with engine.connect() as connection:
        query = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
        return bool(connection.execute(query, {"pid": pid}).scalar())


@pytest.mark.slow
def test_kill_9_of_the_crawler_child_records_every_document_and_the_next_cycle_fetches_it(
    tmp_path: Path, mail: MailSink
) -> None:
    mail.start()
    with LoopbackSite() as site:
        site.set("/fast", page(BASE))
        site.set("/slow", page(BASE), delay=30)
        config = tmp_path / "config.toml"
        write_config(tmp_path, {"mail": mail.url}, url=site.url("/fast"))
        config.write_text(
            config.read_text()
            + f'[[vendors]]\nid = "slow"\nname = "Slow"\n[[vendors.documents]]\ntype = "privacy_policy"\n'
            f'url = "{site.url("/slow")}"\n[crawl]\ntimeout = 60\ndelay = 0\nretries = 0\nautothrottle = false\n'
        )
        engine = open_database(f"sqlite:///{tmp_path}/alerts.db")
        job = start_job(config, "check")
        try:
            wait_for(lambda: site.hits("/slow") and len(rows(engine, Snapshot)) == 1, 60, "the fast page recorded")
            (crawler,) = [pid for pid in children(job.pid) if "crawler" in command_line(pid)]
            os.kill(crawler, signal.SIGKILL)
            _, stderr = job.communicate(timeout=30)
        finally:
            kill_tree(job.pid)
        assert job.returncode == 1 and "crawl run failed" in stderr
        (run,) = rows(engine, CrawlRun)
        assert run.status == "failed" and "the crawler exited with code -9" in (run.error or "")
        fast, slow = rows(engine, Snapshot)
        assert (fast.outcome, slow.outcome) == ("ok", "not_fetched")  # every planned document has its snapshot
        assert "exited with code -9 without reporting it" in (slow.error or "")

        site.set("/slow", page(BASE))
        code, stderr = run_job(config, "check")
        assert code == 0, stderr
        assert [s.outcome for s in rows(engine, Snapshot)[2:]] == ["ok", "ok"]
        assert [v.seq for v in rows(engine, Version)] == [1, 1]
        (incident,) = rows(engine, Incident)
        assert incident.kind == "not_fetched" and incident.resolved_at is not None
    # The crawler's own crash is the operator's business: the privacy team is not told about it.
    assert mail.messages == [] and rows(engine, Outbox) == []


@pytest.mark.slow
@pytest.mark.parametrize("point", ["rcpt", "data"])
def test_kill_9_of_send_alerts_during_smtp_delivers_once_or_resends_with_the_same_message_id(
    tmp_path: Path, point: str
) -> None:
    with StallingMailSink(point) as sink:
        sink.start()
        fetch = Recorder(load_settings(write_config(tmp_path, {"mail": sink.url})))
        fetch(BASE)
        fetch(SELLS)  # one MATERIAL alert, queued
        config = fetch.config.path
        assert config is not None
        sink.stalling.set()
        sender = start_job(config, "send-alerts")
        try:
            wait_for(sink.stalled.is_set, 60, f"the sender to reach SMTP {point.upper()}")
            kill_tree(sender.pid)
            sender.wait(timeout=10)
        finally:
            sink.stalling.clear()
        (row,) = fetch.rows()
        assert (row.status, row.attempts, row.sent_at) == ("queued", 1, None)  # claimed, never marked sent
        assert row.next_attempt_at > utcnow() + LEASE - timedelta(minutes=1)  # leased: no sender takes it now

        assert run_job(config, "send-alerts")[0] == 0
        assert len(sink.messages) == (1 if point == "data" else 0)  # within the lease, nothing is resent
        after_lease = drain(fetch.engine, fetch.config, utcnow() + LEASE + timedelta(seconds=1))
        assert after_lease.sent == 1
        assert drain(fetch.engine, fetch.config, utcnow() + 2 * LEASE).attempted == 0
    (row,) = fetch.rows()
    assert row.status == "sent" and row.attempts == 2
    ids = [message["Message-ID"] for message in sink.messages]
    # After DATA the crash comes after delivery: the resend is recognisable by its Message-ID.
    assert ids == [row.message_id] * (2 if point == "data" else 1)


@pytest.mark.postgres
@pytest.mark.slow
def test_kill_9_of_the_daemon_while_its_job_records_leaves_one_version_and_one_alert_after_the_restart(
    tmp_path: Path, watched: Watched, mail: MailSink
) -> None:
    url, config, engine, site = watched.url, watched.config, watched.engine, watched.site
    config.write_text(config.read_text() + '[crawl]\ndefault_schedule = "2s"\ndelay = 0\n')
    first = start_daemon(config, tmp_path / "first.log", database_url=url)
    second = None
    blocker = create_engine(url).connect()
    try:
        wait_for(lambda: [v.seq for v in rows(engine, Version)] == [1], 90, "the first version")
        blocker.execute(text("LOCK TABLE outbox IN EXCLUSIVE MODE"))
        site.set("/privacy", page(SELLS))
        _waiting_backend(engine, "INSERT INTO outbox")  # the daemon's job is recording the change
        (job,) = [pid for pid in children(first.pid) if "monitor.app.jobs" in command_line(pid)]
        first.kill()  # the daemon alone: its job is orphaned in the middle of its transaction
        first.wait(timeout=10)
        second = start_daemon(config, tmp_path / "second.log", database_url=url)
        time.sleep(2)  # the new daemon's catch-up waits for the orphan's cycle to end
        blocker.rollback()
        wait_for(lambda: not command_line(job), 60, "the orphaned job to stop")
        wait_for(lambda: len(mail.messages) == 1, 60, "the alert")
        recorded = len(rows(engine, Snapshot))
        wait_for(lambda: len(rows(engine, Snapshot)) >= recorded + 2, 60, "two more cycles")
    finally:
        blocker.close()
        first.kill()
        if second is not None:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
    assert [v.seq for v in rows(engine, Version)] == [1, 2]
    (alert,) = rows(engine, Outbox)
    assert alert.status == "sent" and mail.messages[0]["Message-ID"] == alert.message_id
    runs = rows(engine, CrawlRun)
    assert "running" not in [r.status for r in runs[:-1]]
    assert runs[1].status == "caught_up"  # the orphan's run: stopped, then taken over by the catch-up
    per_run: dict[int | None, int] = {}
    for snapshot in rows(engine, Snapshot):
        per_run[snapshot.crawl_run_id] = per_run.get(snapshot.crawl_run_id, 0) + 1
    assert set(per_run.values()) == {1}  # one document, one snapshot per run: nothing recorded twice
    assert len(mail.messages) == 1
