"""What the monitor writes is its owner's only: the SQLite database and its folder, and the container's user."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from monitor import app
from tests.support.configs import loopback_config
from tests.support.sites import LoopbackSite

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_and_its_new_folders_are_readable_by_the_owner_only(tmp_path: Path, site: LoopbackSite) -> None:
    site.set("/privacy", "<main><p>We keep your data safe.</p></main>")
    database = tmp_path / "data" / "state" / "monitor.db"
    tmp_path.chmod(0o755)
    previous = os.umask(0o022)  # the usual umask: what is not asked for would be world-readable
    try:
        application = app.open_app(loopback_config(database, {"acme": site.url("/privacy")}))
        app.check_documents(application)
    finally:
        os.umask(previous)
    assert mode(tmp_path) == 0o755  # a folder that was there is left as it was
    assert (mode(tmp_path / "data"), mode(database.parent)) == (0o700, 0o700)
    written = [database, *database.parent.glob("monitor.db-*")]
    assert {path.name for path in written} >= {"monitor.db", "monitor.db-wal", "monitor.db-shm"}
    assert {path.name: mode(path) for path in written} == dict.fromkeys((path.name for path in written), 0o600)


def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    database = tmp_path / "shared.db"
    database.touch(mode=0o640)
    database.chmod(0o640)
    app.open_app(loopback_config(database, {}))
    assert mode(database) == 0o640


def test_the_container_runs_as_a_user_with_a_private_data_volume() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0", "0:0")
    created = re.search(rf"useradd\b[^&\n]*--uid (\d+) {re.escape(users[-1])}\b", dockerfile)
    assert created is not None and int(created.group(1)) != 0
    assert f"mkdir -m 700 /data && chown {users[-1]} /data" in dockerfile
    assert 'VOLUME ["/data"]' in dockerfile
