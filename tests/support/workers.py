"""Crawl workers for tests and benches: a procrastinate config over loopback hosts, and worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from monitor.config import DocumentConfig, QueueConfig, StorageConfig, save_config
from tests.support.configs import loopback_config


def worker_config(
    folder: Path, database_url: str, documents: Mapping[str, str | Sequence[DocumentConfig]], **settings: object
) -> Path:
    """Write a procrastinate-mode config over `database_url` (documents on schedule `1h`); its path.

    `settings` go to `loopback_config`, then `heartbeat` and `stalled_after` to the queue. A small
    politeness delay: Scrapy 2.19 lets a slot's requests run at once when the delay is 0.
    """
    queue = {key: settings.pop(key) for key in ("heartbeat", "stalled_after") if key in settings}
    settings = {"delay": 0.01, "obey_robots_txt": False, **settings}
    config = loopback_config(folder / "unused.db", documents, schedule="1h", **settings)  # type: ignore[arg-type]
    config = config.model_copy(
        update={"storage": StorageConfig(url=database_url), "queue": QueueConfig(backend="procrastinate", **queue)}
    )
    return save_config(config, folder / "config.toml")


def start_worker(config_file: Path, *args: str, stderr: int | None = None) -> subprocess.Popen[bytes]:
    """`monitor -c CONFIG worker ARGS` as a process (its output dropped, its log on `stderr`)."""
    env = {k: v for k, v in os.environ.items() if k != "POLICY_MONITOR_DATABASE_URL"}
    command = [sys.executable, "-m", "monitor", "-c", str(config_file), "worker", *args]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
