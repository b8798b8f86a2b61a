"""`monitor gc`: the bodies of old unchanged fetches go; sources, failures and latest fetches stay, and
every version still re-extracts exactly. On real SQLite files and the real PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from monitor import app
from monitor.app.record import extract_for
from monitor.app.retention import collect_garbage
from monitor.config import Config, ConfigError, StorageConfig, load_config
from storage.blobs import load_blob
from storage.models import Blob, Snapshot, Version
from tests.test_blob_deltas import fetcher
from tests.test_decisions import BASE, DOC, SELLS, T0, Fetcher, page, reextract_with

CAPTCHA = b"<html><head><meta http-equiv=refresh content='0;/.well-known/sgcaptcha/'></head></html>"


@pytest.fixture
def application(database_url: str) -> Iterator[app.App]:
    opened = app.open_app(Config(storage=StorageConfig(url=database_url, keep_fetches_days=30)))
    yield opened
    opened.engine.dispose()


def history(fetch: Fetcher) -> None:
    """Hourly fetches from T0: v1, three repeats, a bot wall, a repeat, v2, two repeats."""
    for n, (body, outcome) in enumerate(
        [(page(BASE), "ok")] * 4 + [(CAPTCHA, "bot_wall"), (page(BASE), "ok")] + [(page(SELLS), "ok")] * 3
    ):
        fetch(body.replace(b"</html>", f"<!-- nonce {n} --></html>".encode()), outcome)


def bodies(application: app.App) -> dict[str, bool]:
    """Which snapshots still have a body, by decision and position (`unchanged@2`)."""
    with Session(application.engine) as session:
        snapshots = list(session.exec(select(Snapshot).order_by(Snapshot.id)))
    return {f"{s.decision}@{n}": s.body_sha256 is not None for n, s in enumerate(snapshots)}


def blob_count(application: app.App) -> int:
    with Session(application.engine) as session:
        return session.exec(select(func.count()).select_from(Blob)).one()


def test_gc_keeps_sources_failures_and_the_latest_fetch(application: app.App) -> None:
    fetch = fetcher(application.engine)
    history(fetch)
    before = bodies(application)
    assert all(before.values()) and blob_count(application) == 9
    later = T0 + timedelta(days=31)
    dry = collect_garbage(application, dry_run=True, now=later)
    assert (dry.fetches, dry.blobs, dry.dry_run) == (5, 5, True) and dry.bytes > 0
    assert bodies(application) == before and blob_count(application) == 9  # a dry run changes nothing
    done = collect_garbage(application, now=later)
    assert (done.fetches, done.blobs, done.bytes) == (dry.fetches, dry.blobs, dry.bytes)
    assert done.before == T0 + timedelta(days=1)
    assert bodies(application) == {
        "first_version@0": True,
        "unchanged@1": False,
        "unchanged@2": False,
        "unchanged@3": False,
        "inaccessible@4": True,
        "unchanged@5": False,
        "new_version@6": True,
        "unchanged@7": False,
        "unchanged@8": True,  # the latest fetch
    }
    assert blob_count(application) == 4
    assert collect_garbage(application, now=later).fetches == 0  # nothing left to do


def test_gc_spares_fetches_inside_the_window(application: app.App) -> None:
    history(fetcher(application.engine))
    inside = T0 + timedelta(days=30, hours=3, minutes=30)  # the window starts between fetches 3 and 4
    assert collect_garbage(application, now=inside).fetches == 2
    assert [kept for name, kept in bodies(application).items() if name.startswith("unchanged")] == [
        False,
        False,
        True,
        True,
        True,
        True,
    ]


def test_every_version_re_extracts_exactly_after_gc(application: app.App) -> None:
    fetch = fetcher(application.engine)
    history(fetch)
    collect_garbage(application, now=T0 + timedelta(days=365))
    with Session(application.engine) as session:
        versions = list(session.exec(select(Version)))
        for version in versions:
            source = session.exec(
                select(Snapshot).where(Snapshot.version_id == version.id).order_by(Snapshot.id).limit(1)
            ).one()
            body = load_blob(session, source.body_sha256)
            extracted = extract_for(DOC, body, content_type="text/html", url=DOC.url, fetched_at=source.fetched_at)
            assert extracted.text_hash == version.text_hash
    assert len(versions) == 2
    assert reextract_with(application.engine, fetch.document_id, DOC).result == "up_to_date"


def test_the_window_is_validated(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[storage]\nkeep_fetches_days = 0\n")
    with pytest.raises(ConfigError, match="keep_fetches_days"):
        load_config(config)
    config.write_text("[storage]\nkeep_fetches_days = 7\n")
    assert load_config(config).storage.keep_fetches_days == 7


def test_gc_json_says_what_it_removed(application: app.App) -> None:
    history(fetcher(application.engine))
    shown = json.loads(app.dumps(collect_garbage(application, dry_run=True, now=T0 + timedelta(days=30, hours=12))))
    assert list(shown) == ["keep_fetches_days", "before", "dry_run", "fetches", "blobs", "bytes"]
    assert shown["before"] == "2025-03-01T12:00:00Z" and shown["fetches"] == 5


def test_the_daemons_gc_job_applies_the_window(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\nurl = "sqlite:///{tmp_path}/job.db"\nkeep_fetches_days = 1\n')
    application = app.open_app(load_config(path))
    history(fetcher(application.engine))
    job = [sys.executable, "-m", "monitor.app.jobs", "--config", str(path), "gc"]
    assert subprocess.run(job, capture_output=True, timeout=120).returncode == 0
    assert list(bodies(application).values()).count(False) == 5
