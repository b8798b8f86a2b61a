"""Two daemons on one database: the second refuses with one line, in both queue modes; the lock dies with its holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.app.context import open_app
from monitor.app.health import status
from monitor.app.singleton import daemon_running
from monitor.config import Config, QueueConfig, StorageConfig, save_config
from tests.support.configs import loopback_config
from tests.support.dbs import postgres_database
from tests.support.sites import LoopbackSite

REFUSAL = "error: another `monitor run` is already running on this database: stop it first"


@pytest.fixture(
    params=[
        "local-sqlite",
        pytest.param("local-postgresql", marks=pytest.mark.postgres),
        pytest.param("procrastinate", marks=pytest.mark.postgres),
    ]
)
def config(request: pytest.FixtureRequest, tmp_path: Path, site: LoopbackSite) -> Iterator[tuple[Path, Config]]:
    """A config file watching one page, in each mode: local on SQLite, local on PostgreSQL, procrastinate."""
    site.set("/policy", "<main>" + "<p>We keep your data for thirty days.</p>" * 10 + "</main>")
    base = loopback_config(tmp_path / "data" / "two.db", {"acme": site.url("/policy")}, schedule="1h")
    if request.param == "local-sqlite":
        yield save_config(base, tmp_path / "config.toml"), base
        return
    with postgres_database() as url:
        backend = "procrastinate" if request.param == "procrastinate" else "local"
        config = base.model_copy(update={"storage": StorageConfig(url=url), "queue": QueueConfig(backend=backend)})
        yield save_config(config, tmp_path / "config.toml"), config


def start(config_file: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "POLICY_MONITOR_DATABASE_URL"}
    command = [sys.executable, "-m", "monitor", "-c", str(config_file), "run"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_running(config: Config, daemon: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not daemon_running(config):
        assert daemon.poll() is None, daemon.communicate()[1]
        assert time.monotonic() < deadline, "the daemon did not take its lock"
        time.sleep(0.2)


def test_a_second_daemon_refuses_in_one_line_until_the_first_is_gone(config: tuple[Path, Config]) -> None:
    config_file, settings = config
    first = start(config_file)
    try:
        wait_running(settings, first)
        second = start(config_file)
        _, said = second.communicate(timeout=60)
        assert second.returncode == 2
        hint = " (more crawl capacity: `monitor worker`)" if settings.queue.backend == "procrastinate" else ""
        assert said.strip().splitlines() == [REFUSAL + hint]
        assert first.poll() is None  # the first one goes on
        load = status(open_app(settings)).workload
        assert load is not None and load.daemon_running and load.backend == settings.queue.backend
        first.send_signal(signal.SIGKILL)  # the lock goes with it, kill -9 included
        first.wait(10)
        third = start(config_file)
        try:
            wait_running(settings, third)  # runs: it holds the lock
        finally:
            third.kill()
            third.wait(10)
    finally:
        first.kill()
        first.wait(10)
