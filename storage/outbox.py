"""The alert outbox: one row per alert and channel, claimed by senders with a short lease."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from storage.models import ChannelState, Outbox

REVIEW = "review"  # a REVIEW change waiting for its channel's digest


def add_alert(session: Session, row: Outbox) -> Outbox:
    """Queue a new outbox row (its id is set)."""
    session.add(row)
    session.flush()
    return row


def get_alert(session: Session, row_id: int) -> Outbox | None:
    """The outbox row with this id, or None."""
    return session.get(Outbox, row_id)


def due_alerts(session: Session, now: datetime) -> list[tuple[int, str]]:
    """The (id, channel) of the queued rows due by `now` (review rows wait for their digest), oldest due first."""
    query = (
        select(Outbox.id, Outbox.channel)
        .where(Outbox.status == "queued", Outbox.kind != REVIEW, Outbox.next_attempt_at <= now)
        .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
    )
    return [(row_id, channel) for row_id, channel in session.exec(query) if row_id is not None]


def find_alerts(
    session: Session, *, ids: Sequence[int] = (), statuses: Sequence[str] = (), channel: str | None = None
) -> list[Outbox]:
    """The rows with these ids (any when empty), of these statuses and this channel (any when None), oldest first."""
    query = select(Outbox)
    if ids:
        query = query.where(col(Outbox.id).in_(ids))
    if statuses:
        query = query.where(col(Outbox.status).in_(statuses))
    if channel is not None:
        query = query.where(Outbox.channel == channel)
    return list(session.exec(query.order_by(col(Outbox.id))))


def requeue(session: Session, rows: Sequence[Outbox], now: datetime, fingerprint: str | None = None) -> None:
    """Queue `rows` again with a fresh set of attempts, due at `now` (tried under `fingerprint` when given)."""
    for row in rows:
        row.status, row.attempts, row.next_attempt_at = "queued", 0, now
        if fingerprint is not None:
            row.fingerprint = fingerprint
        session.add(row)


def failed_under_other_config(session: Session, channel: str, fingerprint: str) -> list[Outbox]:
    """A channel's failed rows last tried with another configuration than `fingerprint` (or before one was kept)."""
    query = select(Outbox).where(
        Outbox.channel == channel,
        Outbox.status == "failed",
        or_(col(Outbox.fingerprint).is_(None), col(Outbox.fingerprint) != fingerprint),
    )
    return list(session.exec(query.order_by(col(Outbox.id))))


def claim_alert(session: Session, row_id: int, now: datetime, lease: timedelta) -> Outbox | None:
    """Count an attempt and lease the row until `now + lease`; None when it is not due (another sender took it)."""
    row = session.get(Outbox, row_id)
    if row is None or row.status != "queued" or row.next_attempt_at > now:
        return None
    claimed = session.connection().execute(
        update(Outbox)
        .where(col(Outbox.id) == row_id, col(Outbox.attempts) == row.attempts, col(Outbox.status) == "queued")
        .values(attempts=row.attempts + 1, next_attempt_at=now + lease)
    )
    if claimed.rowcount != 1:
        return None
    session.refresh(row)
    return row


def due_reviews(session: Session, channel: str, now: datetime) -> list[Outbox]:
    """A channel's review rows whose digest is due by `now`, oldest first."""
    query = (
        select(Outbox)
        .where(Outbox.channel == channel, Outbox.kind == REVIEW, Outbox.status == "queued")
        .where(Outbox.next_attempt_at <= now)
        .order_by(col(Outbox.id))
    )
    return list(session.exec(query))


def latest_alerts(session: Session, statuses: Sequence[str] = (), limit: int = 50) -> list[Outbox]:
    """The latest outbox rows (of the given statuses), newest first."""
    query = select(Outbox)
    if statuses:
        query = query.where(col(Outbox.status).in_(statuses))
    return list(session.exec(query.order_by(col(Outbox.id).desc()).limit(limit)))


def alert_counts(session: Session) -> dict[str, int]:
    """How many outbox rows have each status."""
    return dict(session.exec(select(Outbox.status, func.count()).group_by(col(Outbox.status))).all())


def channel_states(session: Session) -> dict[str, ChannelState]:
    """Every stored channel circuit, by channel name."""
    return {state.name: state for state in session.exec(select(ChannelState))}


def save_channel_state(session: Session, state: ChannelState) -> None:
    """Store a channel's circuit (inserted or updated)."""
    session.merge(state)


def alerts_for_change(session: Session, change_id: int) -> list[Outbox]:
    """The outbox rows a change caused (review rows included), oldest first."""
    return list(session.exec(select(Outbox).where(Outbox.change_id == change_id).order_by(col(Outbox.id))))
