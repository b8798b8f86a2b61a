"""Sending alerts: the due ones, a test message through chosen channels, and the operator's recovery.

`retry_alerts` queues failed (or dismissed) alerts again, closes their channels' circuits and sends
them; `dismiss_alerts` lets failed ones go: they stay listed but no longer count against health.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from monitor.app.context import App
from monitor.app.errors import NotFound
from monitor.config import Config, did_you_mean
from storage.db import session_scope
from storage.models import Outbox, utcnow
from storage.outbox import channel_states, find_alerts, get_alert, requeue

if TYPE_CHECKING:
    from monitor.alerts.outbox import Drained

RETRYABLE = ("failed", "dismissed")
DISMISSABLE = ("failed", "queued")


@dataclass(frozen=True)
class TestResult:
    """How a test alert went for one channel."""

    channel: str
    sent: bool
    error: str | None


@dataclass(frozen=True)
class Retried:
    """What `retry_alerts` did: how many alerts it queued again, and the drain that followed."""

    queued: int
    drained: Drained


def send_due_alerts(app: App) -> Drained:
    """Send every alert that is due (digests are built when due); failures are retried later with backoff."""
    from monitor.alerts.outbox import drain

    return drain(app.engine, app.config)


def send_test_alert(config: Config, names: Sequence[str] = ()) -> list[TestResult]:
    """Send a sample message through the named channels (all by default), one attempt each, outside the outbox.

    It needs no database: nothing is stored, so a failed test never counts against health.
    """
    from monitor.alerts.outbox import send_test

    configured = [c.name for c in config.alerts.channels]
    if not configured:
        raise NotFound("no alert channels configured: add [[alerts.channels]] to the config (see README, Alerts)")
    for name in names:
        _channel(config, name)
    errors = send_test(config, list(names) or configured)
    return [TestResult(name, error is None, error) for name, error in errors.items()]


def retry_alerts(app: App, alert_id: int | None = None, *, channel: str | None = None) -> Retried:
    """Queue alert `alert_id` (or every failed alert, of `channel` when given) again and send it now.

    The channels concerned are resumed if they were paused. Raises NotFound for an unknown alert or
    channel, or an alert that is neither failed nor dismissed.
    """
    from monitor.alerts.outbox import Circuits, drain

    if channel is not None:
        _channel(app.config, channel)
    now = utcnow()
    with session_scope(app.engine) as session:
        rows = _chosen(session, alert_id, channel, ("failed",), "retried")
        requeue(session, rows, now)
        names = sorted({row.channel for row in rows})
    Circuits.load(app.engine, app.config, now).resume(names)
    return Retried(len(rows), drain(app.engine, app.config, now))


def dismiss_alerts(app: App, alert_id: int | None = None, *, channel: str | None = None) -> int:
    """Dismiss alert `alert_id` (or every failed alert, of `channel` when given): listed still, no longer tried
    nor counted against health. How many were dismissed."""
    if channel is not None:
        _channel(app.config, channel)
    with session_scope(app.engine) as session:
        rows = _chosen(session, alert_id, channel, ("failed",), "dismissed")
        for row in rows:
            row.status = "dismissed"
            session.add(row)
    return len(rows)


def _chosen(
    session: Session, alert_id: int | None, channel: str | None, statuses: Sequence[str], verb: str
) -> list[Outbox]:
    """The rows an operator command is about: one by id (which must have a status it may act on), or all."""
    if alert_id is None:
        return find_alerts(session, statuses=statuses, channel=channel)
    row = get_alert(session, alert_id)
    if row is None:
        raise NotFound(f"no alert #{alert_id} (see `monitor alerts`)")
    allowed = RETRYABLE if verb == "retried" else DISMISSABLE
    if row.status not in allowed:
        raise NotFound(f"alert #{alert_id} is {row.status}: only {' or '.join(allowed)} alerts can be {verb}")
    return [row]


def _channel(config: Config, name: str) -> None:
    """Check that `name` is a configured channel (NotFound, with the closest name, if not)."""
    configured = [c.name for c in config.alerts.channels]
    if name not in configured:
        known = ", ".join(configured) or "none configured"
        raise NotFound(f"unknown channel {name!r}{did_you_mean(name, configured)} (known: {known})")


@dataclass(frozen=True)
class ChannelInfo:
    """A configured channel: its name, kind, URL with its secrets masked, what it wants, and its circuit."""

    name: str
    kind: str
    masked_url: str
    events: tuple[str, ...]
    severities: tuple[str, ...]
    vendors: tuple[str, ...]
    tags: tuple[str, ...]
    paused_since: datetime | None = None


def configured_channels(app: App) -> list[ChannelInfo]:
    """The channels of the config, each with the kind its URL's Apprise service gives and whether it is paused."""
    from monitor.alerts.channels import open_channel

    with Session(app.engine) as session:
        states = channel_states(session)
    out = []
    for wanted in app.config.alerts.channels:
        channel = open_channel(wanted.name, wanted.url)
        state = states.get(wanted.name)
        out.append(
            ChannelInfo(
                wanted.name,
                channel.kind,
                channel.masked_url,
                tuple(wanted.events),
                tuple(wanted.severities),
                tuple(wanted.vendors),
                tuple(wanted.tags),
                state.paused_at if state else None,
            )
        )
    return out
