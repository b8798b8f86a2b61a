"""Storage growth: database bytes per unchanged cycle, through the real recorder, without the crawler.

1,000 synthetic policy pages of ~52 KB (mega-menu, cookie banner, footer) with a fresh nonce in every
response, so raw bytes never repeat, are recorded once (first versions), then again for a few
unchanged cycles. The SQLite file is measured after a WAL checkpoint. Finally every document is
re-extracted from its stored bodies (deltas included) and must be up to date, and the bodies of
the last cycle must read back byte for byte.

Run: python bench/storage_growth.py [--pages 1000] [--cycles 3]
Target (issue 13): growth per unchanged cycle <= 1 MB.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from crawler.results import FetchResult
from monitor import app
from monitor.app.cycle import PlannedDocument, plan
from monitor.app.record import record_fetch
from monitor.app.technical import reextract
from monitor.config import Config, DocumentConfig, StorageConfig, VendorConfig
from storage.blobs import load_blob
from storage.db import session_scope
from storage.fetches import latest_snapshot

TARGET_MB = 1.0
T0 = datetime(2026, 1, 1, tzinfo=UTC)
WORDS = ["data", "account", "device", "service", "partner", "request", "consent", "purpose", "period", "right"]
MENU = "".join(
    f"<li><a href='/{section}/{item}'>{section.title()} {item}</a></li>"
    for section in ("products", "solutions", "support", "company")
    for item in range(12)
)


def page_html(page: int) -> bytes:
    """~52 KB: a mega-menu three times, ~35 KB of policy, a cookie banner, and a fresh nonce."""
    nonce = secrets.token_hex(8)
    paragraphs = "".join(
        f"<p>{' '.join(WORDS[(page + n + i) % len(WORDS)] for i in range(80))}.</p>" for n in range(60)
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>Vendor {page}</title>"
        f"<script nonce='{nonce}'>window.build='{nonce}'</script></head><body>"
        f"<header><nav><ul>{MENU}</ul></nav><nav class='mobile'><ul>{MENU}</ul></nav></header>"
        f"<main><h1>Vendor {page} Privacy Policy</h1><p>Last updated: March 3, 2025</p>{paragraphs}</main>"
        f"<footer><ul>{MENU}</ul><p>© Vendor {page}</p></footer>"
        f"<div id='cookie-banner'>We use cookies. <button>Accept</button></div></body></html>"
    ).encode()


def fetched(target: PlannedDocument, body: bytes, at: datetime) -> FetchResult:
    """What the crawler child reports for a loopback page (the headers it keeps included)."""
    headers = {
        "content-type": "text/html; charset=utf-8",
        "content-length": str(len(body)),
        "date": at.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "server": "BaseHTTP/0.6 Python/3.11.7",
    }
    return FetchResult(
        key=str(target.document_id),
        requested_url=target.config.url,
        final_url=target.config.url,
        outcome="ok",
        status=200,
        content_type=headers["content-type"],
        headers=headers,
        body=body,
        fetched_at=at,
        elapsed_ms=12,
    )


def database_bytes(engine: Engine, path: Path) -> int:
    """The SQLite file's size, with the WAL checkpointed into it."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def run_cycle(application: app.App, targets: list[PlannedDocument], at: datetime) -> dict[int, bytes]:
    """Record one fetch of every page, one transaction each (as a crawl cycle does); the bodies by document."""
    bodies = {}
    for number, target in enumerate(targets):
        body = bodies[target.document_id] = page_html(number)
        with session_scope(application.engine) as session:
            record_fetch(
                session,
                application.events,
                target.document_id,
                target.config,
                fetched(target, body, at),
                application.config.changes,
            )
    return bodies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=3, help="unchanged cycles after the first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="storage-growth-") as tmp:
        path = Path(tmp) / "growth.db"
        vendors = [
            VendorConfig(
                id=f"vendor-{n}",
                name=f"Vendor {n}",
                documents=[DocumentConfig(type="privacy_policy", url=f"http://127.0.0.1/vendor/{n}", language="en")],
            )
            for n in range(args.pages)
        ]
        application = app.open_app(Config(storage=StorageConfig(url=f"sqlite:///{path}"), vendors=vendors))
        targets = plan(application)
        started = time.perf_counter()
        run_cycle(application, targets, T0)
        size = database_bytes(application.engine, path)
        print(f"first cycle: {size / 1e6:6.2f} MB  {time.perf_counter() - started:5.1f} s ({args.pages} pages)")
        growth = []
        for n in range(1, args.cycles + 1):
            started = time.perf_counter()
            bodies = run_cycle(application, targets, T0 + timedelta(hours=12 * n))
            seconds = time.perf_counter() - started
            grown = database_bytes(application.engine, path) - size
            size += grown
            growth.append(grown)
            print(f"unchanged cycle {n}: +{grown / 1e6:6.3f} MB ({grown / args.pages:5.0f} B/page)  {seconds:5.1f} s")
        with Session(application.engine) as session:
            exact = all(
                load_blob(session, snapshot.body_sha256) == bodies[target.document_id]
                for target in targets
                if (snapshot := latest_snapshot(session, target.document_id)) and snapshot.body_sha256
            )
        stale = [r for r in reextract(application) if r.result != "up_to_date"]
        application.engine.dispose()
    per_cycle = sum(growth) / len(growth) / 1e6 * 1000 / args.pages if growth else 0.0
    met = per_cycle <= TARGET_MB and exact and not stale
    print(f"growth per unchanged cycle of 1,000 pages: {per_cycle:.3f} MB (target <= {TARGET_MB:g} MB)")
    print(f"bodies read back exact: {exact}; re-extraction up to date: {not stale}; target met: {met}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
