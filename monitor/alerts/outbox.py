"""The alert outbox: alerts are queued with the change that causes them and sent by `drain`.

`queue_change` and `queue_incident` run inside the transaction that records a fetch (the application
attaches them to its recording events), so an alert is committed together with its Change or Incident
or not at all: a crash can never lose one. `drain` claims each due row (a short lease, so two senders
never send the same row at once), sends it through its channel and then records the outcome; a crash
between sending and recording can only resend it, with the same Message-ID. Failures are retried with
exponential backoff, and after `alerts.max_attempts` the row is `failed` and stays listed by
`monitor alerts`. REVIEW changes wait as `review` rows until the channel's daily digest is due, then go
out together as one `digest` row.

What is sent: a MATERIAL change at once, a REVIEW change in the digest, NOISE never; a reversion
that held at once; an incident when it opens and when it resolves. Each channel's filters
(events, severities, vendors, tags) decide where.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from monitor.alerts.channels import Channel, open_channel
from monitor.alerts.messages import About, Message, change_message, digest_message, incident_message, sample_message
from monitor.config import AlertsConfig, Config
from storage.db import session_scope
from storage.documents import get_document, get_vendor
from storage.incidents import get_incident
from storage.models import Change, Document, Incident, Outbox, utcnow
from storage.outbox import REVIEW, add_alert, claim_alert, due_alert_ids, due_reviews, get_alert
from storage.versions import get_change, get_version

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # a claimed row is tried again after this if its sender died
DIGEST = "digest"


@dataclass(frozen=True)
class _Event:
    """Something to alert about: its event filter name, outbox kind, severity and when it happened."""

    event: str  # changes | incidents | reversions
    kind: str
    severity: str | None
    at: datetime
    change_id: int | None = None
    incident_id: int | None = None


def queue_change(session: Session, change: Change, config: Config) -> list[Outbox]:
    """Queue the alerts one Change calls for, in the caller's transaction."""
    if not config.alerts.channels:
        return []
    return _route_events(session, _change_events(change, config.alerts), change.document_id, config)


def queue_incident(session: Session, incident: Incident, config: Config) -> list[Outbox]:
    """Queue the alerts an incident that just opened (or just resolved) calls for, in the caller's transaction."""
    if not config.alerts.channels:
        return []
    opened = incident.resolved_at is None
    at = incident.opened_at if opened else incident.resolved_at
    assert at is not None
    kind = "incident_opened" if opened else "incident_resolved"
    event = _Event("incidents", kind, None, at, incident_id=incident.id)
    return _route_events(session, [event], incident.document_id, config)


def _route_events(session: Session, events: list[_Event], document_id: int, config: Config) -> list[Outbox]:
    document = get_document(session, document_id)
    assert document is not None
    return [row for event in events for row in _route(session, event, document, config)]


def _change_events(change: Change, alerts: AlertsConfig) -> list[_Event]:
    """MATERIAL now, REVIEW at the next digest, NOISE never (a technical change is NOISE unless flagged)."""
    if change.severity not in ("MATERIAL", "REVIEW"):
        return []
    if change.kind == "reversion":
        return [_Event("reversions", "reversion", change.severity, change.detected_at, change_id=change.id)]
    if change.severity == "REVIEW":
        due = next_digest(change.detected_at, alerts.digest)
        return [_Event("changes", REVIEW, change.severity, due, change_id=change.id)]
    return [_Event("changes", "change", change.severity, change.detected_at, change_id=change.id)]


def next_digest(moment: datetime, at: str) -> datetime:
    """The first digest time (``HH:MM`` UTC, daily) strictly after ``moment``."""
    hour, minute = (int(part) for part in at.split(":"))
    slot = datetime.combine(moment.date(), time(hour, minute), tzinfo=moment.tzinfo)
    return slot if slot > moment else slot + timedelta(days=1)


def _route(session: Session, event: _Event, document: Document, config: Config) -> list[Outbox]:
    vendor = config.vendor(document.vendor_id)
    tags = vendor.tags if vendor else []
    wanted = [c for c in config.alerts.channels if c.wants(event.event, event.severity, document.vendor_id, tags)]
    message = _event_message(session, event, config.alerts) if wanted and event.kind != REVIEW else None
    rows = []
    for wants in wanted:
        channel = open_channel(wants.name, wants.url)
        row = Outbox(
            channel=channel.name,
            kind=event.kind,
            change_id=event.change_id,
            incident_id=event.incident_id,
            next_attempt_at=event.at,
            message_id=channel.new_message_id(),
            payload=channel.payload(message) if message else None,
        )
        rows.append(add_alert(session, row))
    return rows


def _event_message(session: Session, event: _Event, alerts: AlertsConfig) -> Message:
    if event.change_id is not None:
        change = get_change(session, event.change_id)
        assert change is not None
        return _change_message(session, change, alerts)
    assert event.incident_id is not None
    incident = get_incident(session, event.incident_id)
    assert incident is not None
    document = get_document(session, incident.document_id)
    assert document is not None
    return incident_message(_about(session, document), incident, document.url)


def _about(session: Session, document: Document) -> About:
    vendor = get_vendor(session, document.vendor_id)
    return About(document.vendor_id, vendor.name if vendor else document.vendor_id, document.type)


def _change_message(session: Session, change: Change, alerts: AlertsConfig) -> Message:
    assert change.previous_version_id is not None
    document = get_document(session, change.document_id)
    old = get_version(session, change.previous_version_id)
    new = get_version(session, change.version_id)
    assert document is not None and old is not None and new is not None
    return change_message(_about(session, document), change, old, new, alerts.diff_url)


# --- sending -------------------------------------------------------------------------------------------


@dataclass
class Drained:
    """What one drain did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        """Rows tried."""
        return self.sent + self.retrying + self.failed


def drain(engine: Engine, config: Config, now: datetime | None = None) -> Drained:
    """Send every due alert (digests first built when due); retry failures later with backoff."""
    now = now or utcnow()
    channels = {c.name: open_channel(c.name, c.url) for c in config.alerts.channels}
    for channel in channels.values():
        _build_digest(engine, channel, config.alerts, now)
    with Session(engine) as session:
        due = due_alert_ids(session, now)
    drained = Drained()
    for row_id in due:
        status = deliver(engine, row_id, channels, config.alerts, now)
        if status == "sent":
            drained.sent += 1
        elif status == "failed":
            drained.failed += 1
        elif status == "queued":
            drained.retrying += 1
    return drained


def deliver(
    engine: Engine, row_id: int, channels: dict[str, Channel], alerts: AlertsConfig, now: datetime
) -> str | None:
    """Claim one row, send it and record the outcome; its new status, or None if another sender has it."""
    with session_scope(engine) as session:
        row = claim_alert(session, row_id, now, LEASE)
    if row is None:
        return None
    channel = channels.get(row.channel)
    if channel is None:
        error: str | None = f"no channel named {row.channel!r} in the config any more"
    elif row.payload is None:
        error = "nothing to send (the row has no rendered message)"
    else:
        error = channel.send(row.payload, row.message_id)
    with session_scope(engine) as session:
        row = session.merge(row)
        if error is None:
            row.status, row.sent_at, row.last_error = "sent", now, None
        else:
            row.last_error = error
            if row.attempts >= alerts.max_attempts or row.kind == "test":
                row.status = "failed"
            else:
                row.next_attempt_at = now + timedelta(seconds=alerts.backoff * 2 ** (row.attempts - 1))
            context = {"channel": row.channel, "outbox": row.id, "attempt": row.attempts, "error": error}
            if row.status == "failed" and row.kind != "test":  # a test alert's failure is the caller's to report
                log.warning("alert failed after its last attempt", extra=context)
            else:
                log.info("alert not sent", extra=context)
        session.add(row)
    return row.status


def _build_digest(engine: Engine, channel: Channel, alerts: AlertsConfig, now: datetime) -> None:
    """Turn the channel's due REVIEW rows into one queued digest row (one transaction)."""
    with session_scope(engine) as session:
        reviews = due_reviews(session, channel.name, now)
        if not reviews:
            return
        items = []
        for review in reviews:
            assert review.change_id is not None
            change = get_change(session, review.change_id)
            assert change is not None
            items.append(_change_message(session, change, alerts))
        digest = add_alert(
            session,
            Outbox(
                channel=channel.name,
                kind=DIGEST,
                next_attempt_at=now,
                message_id=channel.new_message_id(),
                payload=channel.payload(digest_message(items)),
            ),
        )
        for review in reviews:
            review.status, review.digest_id = "digested", digest.id
            session.add(review)


def send_test(engine: Engine, config: Config, names: Sequence[str], now: datetime | None = None) -> dict[str, Outbox]:
    """Send a sample message through the named channels now (one attempt each); the rows, by channel."""
    now = now or utcnow()
    channels = {c.name: open_channel(c.name, c.url) for c in config.alerts.channels if c.name in names}
    ids = {}
    with session_scope(engine) as session:
        for channel in channels.values():
            row = Outbox(
                channel=channel.name,
                kind="test",
                next_attempt_at=now,
                message_id=channel.new_message_id(),
                payload=channel.payload(sample_message(channel.name, now)),
            )
            ids[channel.name] = add_alert(session, row).id
    results = {}
    for name, row_id in ids.items():
        assert row_id is not None
        deliver(engine, row_id, channels, config.alerts, now)
        with Session(engine) as session:
            row = get_alert(session, row_id)
            assert row is not None
            results[name] = row
    return results


def describe(session: Session, row: Outbox) -> str:
    """What a row is about, in a few words: the document and the change's headline or the incident."""
    if row.kind in ("test", DIGEST):
        return "sample message" if row.kind == "test" else "REVIEW digest"
    change = get_change(session, row.change_id) if row.change_id else None
    incident = get_incident(session, row.incident_id) if row.incident_id else None
    owner = change.document_id if change else incident.document_id if incident else None
    document = get_document(session, owner) if owner is not None else None
    where = f"{document.vendor_id} {document.type}" if document else "?"
    if change:
        return f"{where}: {change.severity} {change.headline}"
    return f"{where}: {incident.kind if incident else 'incident'}"
