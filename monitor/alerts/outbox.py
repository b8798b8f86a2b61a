"""The alert outbox: alerts are queued with the change that causes them and sent by `drain`.

`queue_change` and `queue_incident` run inside the transaction that records a fetch (the application
attaches them to its recording events), so an alert is committed together with its Change or Incident
or not at all: a crash can never lose one. `drain` claims each due row (a short lease, so two senders
never send the same row at once), sends it through its channel and then records the outcome; a crash
between sending and recording can only resend it, with the same Message-ID. Failures are retried with
exponential backoff, never sooner than a service's `Retry-After` asks (Slack's 429), and after
`alerts.max_attempts` the row is `failed` and stays listed by `monitor alerts`. REVIEW changes wait as
`review` rows until the channel's daily digest is due, then go out together as one `digest` row.

Recovery: each row keeps the fingerprint of its channel's configuration (URL and filters); when that
configuration changes, the channel's failed rows are queued again, once. A channel that fails
`alerts.pause_after` times in a row is paused (its rows wait, untried), reported once to the operator
channels and the log, probed every `alerts.probe_every` seconds with one row, and resumed when a probe
gets through; a row whose probe fails waits for the next one and is never given up while its channel is
paused (an SMTP server down for hours loses no alert). `monitor alerts retry` and `dismiss` are the
operator's own recovery.

What is sent: a MATERIAL change at once, a REVIEW change in the digest, NOISE never; a reversion
that held at once; an incident when it opens and when it resolves. Each channel's filters
(events, severities, vendors, tags) decide where. Incidents only an operator can fix (rendering
unavailable, a crawler that never reported the page, a paused channel) go to the channels whose
`events` include `operations`, and to the log, never to a privacy team's channel as a policy alert.
Test messages never enter the outbox.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from crawler.outcomes import NotFetched, RenderUnavailable
from monitor.alerts.channels import Channel, open_channel
from monitor.alerts.messages import (
    About,
    Message,
    change_message,
    channel_paused_message,
    channel_resumed_message,
    digest_message,
    incident_message,
    operator_incident_message,
    sample_message,
)
from monitor.config import OPERATIONS, AlertsConfig, ChannelConfig, Config
from storage.db import session_scope
from storage.documents import get_document, get_vendor
from storage.incidents import get_incident
from storage.models import Change, ChannelState, Document, Incident, Outbox, utcnow
from storage.outbox import (
    REVIEW,
    add_alert,
    channel_states,
    claim_alert,
    due_alerts,
    due_reviews,
    failed_under_other_config,
    requeue,
    save_channel_state,
)
from storage.versions import get_change, get_version

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # a claimed row is tried again after this if its sender died
DIGEST = "digest"
#: Incidents about the installation, not the policy: only an operator can fix them (no browser to render
#: with; the crawler child crashed, was killed or overran the cycle's limit before reporting the page).
OPERATOR_INCIDENTS = frozenset({RenderUnavailable.kind, NotFetched.kind})


def fingerprint(channel: ChannelConfig) -> str:
    """A short digest of a channel's configuration (URL and filters): it changes when the channel is edited."""
    settled = json.dumps(channel.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(settled.encode()).hexdigest()[:16]


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
    audience = OPERATIONS if incident.kind in OPERATOR_INCIDENTS else "incidents"
    event = _Event(audience, kind, None, at, incident_id=incident.id)
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
    if event.event == OPERATIONS:
        message = _event_message(session, event, config.alerts)
        return queue_operations(session, message, config, at=event.at, incident_id=event.incident_id)
    vendor = config.vendor(document.vendor_id)
    tags = vendor.tags if vendor else []
    wanted = [c for c in config.alerts.channels if c.wants(event.event, event.severity, document.vendor_id, tags)]
    message = _event_message(session, event, config.alerts) if wanted and event.kind != REVIEW else None
    return [
        _queue(session, wants, message, event.kind, event.at, change_id=event.change_id, incident_id=event.incident_id)
        for wants in wanted
    ]


def queue_operations(
    session: Session,
    message: Message,
    config: Config,
    *,
    at: datetime,
    incident_id: int | None = None,
    skip: str | None = None,
) -> list[Outbox]:
    """Queue a message for the operators: to every channel whose events include `operations` (but `skip`).

    It is logged as a warning in any case, so that an installation without an operator channel still says it.
    """
    log.warning(
        f"{message.title}: {message.headline}", extra={k.lower().replace(" ", "_"): v for k, v in message.facts}
    )
    wanted = [c for c in config.alerts.channels if OPERATIONS in c.events and c.name != skip]
    return [_queue(session, wants, message, OPERATIONS, at, incident_id=incident_id) for wants in wanted]


def _queue(
    session: Session,
    wants: ChannelConfig,
    message: Message | None,
    kind: str,
    at: datetime,
    *,
    change_id: int | None = None,
    incident_id: int | None = None,
) -> Outbox:
    channel = open_channel(wants.name, wants.url)
    row = Outbox(
        channel=channel.name,
        kind=kind,
        change_id=change_id,
        incident_id=incident_id,
        next_attempt_at=at,
        message_id=channel.new_message_id(),
        payload=channel.payload(message) if message else None,
        fingerprint=fingerprint(wants),
    )
    return add_alert(session, row)


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
    describe_incident = operator_incident_message if event.event == OPERATIONS else incident_message
    return describe_incident(_about(session, document), incident, document.url)


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
    """What one drain did: rows sent, to retry, failed; rows queued again after a channel's configuration
    changed; rows left waiting because their channel is paused."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    requeued: int = 0
    held: int = 0

    @property
    def attempted(self) -> int:
        """Rows tried."""
        return self.sent + self.retrying + self.failed

    @property
    def noteworthy(self) -> bool:
        """Whether the drain did something worth a line: rows tried, queued again or held."""
        return bool(self.attempted or self.requeued or self.held)


@dataclass
class Circuits:
    """The channels' circuits during one drain: which may be tried, and what each delivery did to them."""

    engine: Engine
    config: Config
    now: datetime
    states: dict[str, ChannelState] = field(default_factory=dict)
    probed: set[str] = field(default_factory=set)
    reported: bool = False  # an operations message was queued: the drain sends it too

    @classmethod
    def load(cls, engine: Engine, config: Config, now: datetime) -> Circuits:
        """The stored circuits."""
        with Session(engine) as session:
            return cls(engine, config, now, channel_states(session))

    def allows(self, name: str) -> bool:
        """Whether a row of the channel may be tried now: it is not paused, or this is its probe."""
        state = self.states.get(name)
        if state is None or state.paused_at is None:
            return True
        if name in self.probed or (state.probe_at is not None and state.probe_at > self.now):
            return False
        self.probed.add(name)
        return True

    def paused(self, name: str) -> bool:
        """Whether the channel is paused (a row tried now is its probe)."""
        state = self.states.get(name)
        return state is not None and state.paused_at is not None

    def record(self, name: str, error: str | None) -> None:
        """Count a delivery's outcome; pause the channel after too many failures in a row, resume it on success."""
        state = self.states.setdefault(name, self._new_state(name))
        alerts = self.config.alerts
        report = None
        if error is None:
            if state.paused_at is not None:
                report = channel_resumed_message(name, state.paused_at)
            if state.failures == 0 and state.paused_at is None:
                return
            state.failures, state.paused_at, state.probe_at = 0, None, None
        else:
            state.failures += 1
            if state.paused_at is None and state.failures >= alerts.pause_after:
                state.paused_at = self.now
                report = channel_paused_message(name, state.failures, error, alerts.probe_every)
            if state.paused_at is not None:
                state.probe_at = self.now + timedelta(seconds=alerts.probe_every)
        with session_scope(self.engine) as session:
            save_channel_state(session, state)
            if report is not None:
                self.reported |= bool(queue_operations(session, report, self.config, at=self.now, skip=name))

    def resume(self, names: Sequence[str]) -> None:
        """Close the circuits of these channels (the operator asked for a retry)."""
        with session_scope(self.engine) as session:
            for name in names:
                state = self.states.setdefault(name, self._new_state(name))
                state.failures, state.paused_at, state.probe_at = 0, None, None
                save_channel_state(session, state)

    def _new_state(self, name: str) -> ChannelState:
        wants = self.config.alerts.channel(name)
        return ChannelState(name=name, fingerprint=fingerprint(wants) if wants else None)


def drain(engine: Engine, config: Config, now: datetime | None = None) -> Drained:
    """Send every due alert (digests first built when due); retry failures later with backoff.

    Failed rows of a channel whose configuration changed are queued again first; rows of a paused
    channel wait, but for one probe when it is due.
    """
    now = now or utcnow()
    channels = {c.name: open_channel(c.name, c.url) for c in config.alerts.channels}
    drained = Drained(requeued=requeue_changed_channels(engine, config, now))
    for wants in config.alerts.channels:
        _build_digest(engine, channels[wants.name], wants, config.alerts, now)
    circuits = Circuits.load(engine, config, now)
    _send_due(engine, channels, circuits, drained)
    if circuits.reported:  # a channel paused or resumed: tell the operators now
        circuits.reported = False
        _send_due(engine, channels, circuits, drained)
    return drained


def requeue_changed_channels(engine: Engine, config: Config, now: datetime) -> int:
    """Queue again, once, the failed rows of every channel whose configuration changed since they were tried;
    an edited channel's circuit starts again closed. How many rows were queued again."""
    count = 0
    with session_scope(engine) as session:
        states = channel_states(session)
        for wants in config.alerts.channels:
            current = fingerprint(wants)
            rows = failed_under_other_config(session, wants.name, current)
            if rows:
                requeue(session, rows, now, current)
                log.warning("channel configuration changed: its failed alerts are queued again",
                            extra={"channel": wants.name, "alerts": len(rows)})  # fmt: skip
                count += len(rows)
            state = states.get(wants.name)
            if state is not None and state.fingerprint != current:
                state.failures, state.paused_at, state.probe_at, state.fingerprint = 0, None, None, current
                save_channel_state(session, state)
    return count


def _send_due(engine: Engine, channels: dict[str, Channel], circuits: Circuits, drained: Drained) -> None:
    with Session(engine) as session:
        due = due_alerts(session, circuits.now)
    for row_id, name in due:
        if not circuits.allows(name):
            drained.held += 1
            continue
        status = deliver(engine, row_id, channels, circuits)
        if status == "sent":
            drained.sent += 1
        elif status == "failed":
            drained.failed += 1
        elif status == "queued":
            drained.retrying += 1


def deliver(engine: Engine, row_id: int, channels: dict[str, Channel], circuits: Circuits) -> str | None:
    """Claim one row, send it and record the outcome; its new status, or None if another sender has it."""
    alerts, now = circuits.config.alerts, circuits.now
    with session_scope(engine) as session:
        row = claim_alert(session, row_id, now, LEASE)
    if row is None:
        return None
    probe = circuits.paused(row.channel)
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
            asked = (channel.retry_after if channel is not None else None) or 0.0  # the service's Retry-After
            if probe:  # the channel is down, and the operators know: the alert waits for it, never given up
                row.next_attempt_at = now + timedelta(seconds=max(alerts.probe_every, asked))
            elif row.attempts >= alerts.max_attempts:
                row.status = "failed"
            else:
                wait = alerts.backoff * 2 ** (row.attempts - 1)
                row.next_attempt_at = now + timedelta(seconds=max(wait, asked))
            context = {"channel": row.channel, "outbox": row.id, "attempt": row.attempts, "error": error}
            if row.status == "failed":
                log.warning("alert failed after its last attempt", extra=context)
            else:
                log.info("alert not sent", extra=context)
        session.add(row)
    if channel is not None:
        circuits.record(row.channel, error)
    return row.status


def _build_digest(engine: Engine, channel: Channel, wants: ChannelConfig, alerts: AlertsConfig, now: datetime) -> None:
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
        digest = _queue(session, wants, digest_message(items), DIGEST, now)
        for review in reviews:
            review.status, review.digest_id = "digested", digest.id
            session.add(review)


def send_test(config: Config, names: Sequence[str], now: datetime | None = None) -> dict[str, str | None]:
    """Send a sample message through the named channels now, one attempt each, outside the outbox.

    What went wrong, by channel (None when sent); nothing is stored, so a failed test never counts
    against the installation's health.
    """
    now = now or utcnow()
    results = {}
    for wants in config.alerts.channels:
        if wants.name in names:
            channel = open_channel(wants.name, wants.url)
            payload = channel.payload(sample_message(channel.name, now))
            results[wants.name] = channel.send(payload, channel.new_message_id())
    return results


def describe(session: Session, row: Outbox) -> str:
    """What a row is about, in a few words: the document and the change's headline or the incident."""
    if row.kind == DIGEST:
        return "REVIEW digest"
    if row.kind == OPERATIONS and row.incident_id is None:
        payload = row.payload or {}
        return str(payload.get("subject") or payload.get("title") or "operations").removeprefix("[policy-monitor] ")
    change = get_change(session, row.change_id) if row.change_id else None
    incident = get_incident(session, row.incident_id) if row.incident_id else None
    owner = change.document_id if change else incident.document_id if incident else None
    document = get_document(session, owner) if owner is not None else None
    where = f"{document.vendor_id} {document.type}" if document else "?"
    if change:
        return f"{where}: {change.severity} {change.headline}"
    return f"{where}: {incident.kind if incident else 'incident'}"
