"""Crawl workers on the real PostgreSQL (procrastinate): host batches, politeness across workers, kill -9."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import Session, col, select

from monitor.app.context import App, open_app
from monitor.app.health import status as gather_status
from monitor.app.queue import plan_now
from monitor.config import ConfigError, DocumentConfig, parse_config, save_config
from storage.models import CrawlRun, Incident, Outbox, Snapshot, Version
from tests.support.configs import loopback_config
from tests.support.dbs import postgres_database
from tests.support.sites import LoopbackSite
from tests.support.workers import start_worker, worker_config

HOSTS, PER_HOST, LATENCY = 30, 10, 0.1
MISSING = 3  # the last pages of each host answer 404: an incident each, and its alert row
POLICY = "<html><body><main><h1>Privacy policy</h1>{}</main></body></html>"


def policy(host: int, page: int) -> str:
    clauses = (f"<p>Clause {n} of policy {page} on site {host}: we keep your data for {n} days.</p>" for n in range(8))
    return POLICY.format(" ".join(clauses))


@pytest.fixture
def database_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


def wait_for(condition: Callable[[], bool], timeout: float, what: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what()}"
        time.sleep(0.2)


def scalar(engine: Engine, query: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(query)).scalar_one()


def crawling(worker: subprocess.Popen[bytes]) -> bool:
    """Whether the worker has a crawler child running (it is mid-job, its crawl run open)."""
    try:
        children = " ".join(path.read_text() for path in Path(f"/proc/{worker.pid}/task").glob("*/children"))
        return any(b"crawler" in Path(f"/proc/{child}/cmdline").read_bytes() for child in children.split())
    except FileNotFoundError:  # a child that just ended
        return False


def test_procrastinate_needs_postgresql(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"queue\.backend: 'procrastinate' needs a PostgreSQL storage\.url"):
        parse_config('[queue]\nbackend = "procrastinate"\n', tmp_path / "config.toml")


def test_a_worker_needs_the_procrastinate_queue(tmp_path: Path) -> None:
    config_file = save_config(loopback_config(tmp_path / "local.db", {"a": "http://127.0.0.1:9/"}), tmp_path / "c.toml")
    worker = start_worker(config_file, stderr=subprocess.PIPE)
    _, said = worker.communicate(timeout=60)
    assert worker.returncode == 2
    assert said.decode().strip().splitlines() == [
        'error: `monitor worker` needs queue.backend = "procrastinate" (the local queue crawls in `monitor run`)'
    ]


@pytest.mark.postgres
def test_three_workers_record_each_document_once_one_host_at_a_time_and_survive_kill_9(
    database_url: str, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        sites = [stack.enter_context(LoopbackSite()) for _ in range(HOSTS)]
        documents = {}
        for h, site in enumerate(sites):
            for page in range(PER_HOST):
                if page < PER_HOST - MISSING:
                    site.set(f"/p{page}", policy(h, page), delay=LATENCY)
                documents[f"s{h}-p{page}"] = [DocumentConfig(type="privacy_policy", url=site.url(f"/p{page}"))]
        config_file = worker_config(
            tmp_path, database_url, documents, channels={"ops": "json://127.0.0.1:9/"}, heartbeat=0.5, stalled_after=3
        )
        app: App = open_app(parse_config(config_file.read_text(), config_file))
        engine = app.engine

        workers = [start_worker(config_file) for _ in range(3)]
        for worker in workers:
            stack.callback(worker.kill)
        assert plan_now(app) == HOSTS  # one job per host
        assert plan_now(app) == 0  # each host has a job waiting already (queueing lock)

        recorded = lambda: scalar(engine, "SELECT count(DISTINCT document_id) FROM snapshot")  # noqa: E731
        jobs = "SELECT status || ' ' || count(*) FROM procrastinate_jobs WHERE queue_name = 'crawl' GROUP BY status"

        def state() -> str:
            with engine.connect() as connection:
                return f"{recorded()} recorded, jobs: {connection.execute(text(jobs)).scalars().all()}"

        started = time.monotonic()
        wait_for(lambda: recorded() >= 60 and crawling(workers[0]), 60, lambda: "a worker mid-job: " + state())
        workers[0].send_signal(signal.SIGKILL)  # its job is left `doing`, its crawl run `running`
        wait_for(lambda: recorded() == HOSTS * PER_HOST, 100, lambda: "every document recorded: " + state())
        print(f"300 documents in {time.monotonic() - started:.1f} s")
        idle = "SELECT count(*) FROM procrastinate_jobs WHERE queue_name = 'crawl' AND status IN ('todo', 'doing')"
        wait_for(lambda: scalar(engine, idle) == 0, 30, lambda: "the queue drained: " + state())
        assert plan_now(app) == 0  # nothing is due again within the period

        with Session(engine) as session:
            per_document = session.exec(select(func.count()).select_from(Snapshot).group_by(Snapshot.document_id))
            assert set(per_document.all()) == {1}  # every document recorded exactly once
            versions = session.exec(select(func.count()).select_from(Version).group_by(Version.document_id)).all()
            assert len(versions) == HOSTS * (PER_HOST - MISSING) and set(versions) == {1}
            incidents = session.exec(select(Incident)).all()
            assert len(incidents) == len({i.document_id for i in incidents}) == HOSTS * MISSING
            alerts = session.exec(select(Outbox.incident_id).where(Outbox.kind == "incident_opened")).all()
            assert sorted(alerts) == sorted(i.id for i in incidents)  # one alert row per incident
            runs = session.exec(select(CrawlRun.status, func.count()).group_by(CrawlRun.status)).all()
            assert "running" not in dict(runs)  # the killed worker's run was closed (caught up)
            assert dict(runs).get("caught_up") == 1
            assert not session.exec(select(CrawlRun).where(col(CrawlRun.trigger) != "worker")).all()
        assert [site.peak_concurrency for site in sites] == [1] * HOSTS  # never two requests to one host at once
        retried = "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'check_host' AND attempts > 1"
        assert scalar(engine, retried) >= 1  # the killed worker's job ran again on another
        assert scalar(engine, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'") == 0
        load = gather_status(app).workload
        assert load is not None and (load.backend, load.workers, load.daemon_running) == ("procrastinate", 2, False)
        assert load.jobs["succeeded"] >= HOSTS and "todo" not in load.jobs and load.oldest_due is None
        for worker in workers[1:]:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(30) == 0
