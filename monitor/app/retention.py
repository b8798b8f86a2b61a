"""Retention (`monitor gc`): the raw bodies of repeated fetches older than `storage.keep_fetches_days` go.

Every version's source body stays, so re-extraction still works on every version; so do failures'
bodies (bot walls, error pages) and each document's latest fetch. Snapshot rows all stay, without
their body. One pass runs at a time with the crawl cycles of the same database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from monitor.app.context import App
from storage.locks import database_lock
from storage.retention import drop_old_bodies


@dataclass(frozen=True)
class Collected:
    """What a retention pass removed (or, with `dry_run`, would remove)."""

    keep_fetches_days: int
    before: datetime
    dry_run: bool
    fetches: int  # fetches whose raw body was dropped
    blobs: int
    bytes: int  # stored (compressed) bytes of the blobs deleted


def collect_garbage(app: App, *, dry_run: bool = False, now: datetime | None = None) -> Collected:
    """Drop the bodies of repeated fetches older than the retention window (`dry_run`: only count them)."""
    days = app.config.storage.keep_fetches_days
    before = (now or datetime.now(UTC)) - timedelta(days=days)
    with database_lock(app.config.database_url, "cycle"), Session(app.engine) as session:
        removed = drop_old_bodies(session, before)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    return Collected(days, before, dry_run, removed.fetches, removed.blobs, removed.bytes)
