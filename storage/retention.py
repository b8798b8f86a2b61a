"""Retention: dropping the raw bodies of old repeated fetches, and the blobs nothing needs any more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, update
from sqlmodel import Session, col, select

from storage.models import Blob, Snapshot

REPEATS = ("unchanged", "flip_flop")  # fetches that gave a text already stored as a version


@dataclass(frozen=True)
class Removed:
    """What a retention pass removed: bodies unlinked from fetches, blobs deleted and their stored bytes."""

    fetches: int
    blobs: int
    bytes: int


def drop_old_bodies(session: Session, before: datetime) -> Removed:
    """Unlink the bodies of repeated fetches made before `before`, then delete the blobs no row needs.

    Kept: each version's source (its first snapshot), failures (bot walls, errors), each document's
    latest fetch, and every blob a kept snapshot or a delta still needs (a delta's base).
    """
    latest = select(func.max(Snapshot.id)).group_by(col(Snapshot.document_id))
    sources = (
        select(func.min(Snapshot.id)).where(col(Snapshot.version_id).is_not(None)).group_by(col(Snapshot.version_id))
    )
    unlinked = session.connection().execute(
        update(Snapshot)
        .where(
            col(Snapshot.decision).in_(REPEATS),
            col(Snapshot.body_sha256).is_not(None),
            Snapshot.fetched_at < before,
            col(Snapshot.id).not_in(latest),
            col(Snapshot.id).not_in(sources),
        )
        .values(body_sha256=None)
    )
    unused = (
        ~exists().where(Snapshot.body_sha256 == Blob.sha256),
        col(Blob.sha256).not_in(select(Blob.base_sha256).where(col(Blob.base_sha256).is_not(None))),
    )
    count, size = session.exec(
        select(func.count(), func.coalesce(func.sum(func.length(Blob.data)), 0)).where(*unused)
    ).one()
    session.connection().execute(delete(Blob).where(*unused))
    return Removed(fetches=unlinked.rowcount, blobs=count, bytes=size)
