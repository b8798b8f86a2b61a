"""Sending alerts: the due ones, and a test message through chosen channels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from monitor.app.context import App
from monitor.app.errors import NotFound

if TYPE_CHECKING:
    from monitor.alerts.outbox import Drained


@dataclass(frozen=True)
class TestResult:
    """How a test alert went for one channel."""

    channel: str
    sent: bool
    error: str | None


def send_due_alerts(app: App) -> Drained:
    """Send every alert that is due (digests are built when due); failures are retried later with backoff."""
    from monitor.alerts.outbox import drain

    return drain(app.engine, app.config)


def send_test_alert(app: App, names: Sequence[str] = ()) -> list[TestResult]:
    """Send a sample message through the named channels (all by default), one attempt each."""
    from monitor.alerts.outbox import send_test

    configured = [c.name for c in app.config.alerts.channels]
    if not configured:
        raise NotFound("no alert channels configured: add [[alerts.channels]] to the config (see README, Alerts)")
    unknown = [name for name in names if name not in configured]
    if unknown:
        raise NotFound(f"unknown channel {unknown[0]!r} (known: {', '.join(configured)})")
    rows = send_test(app.engine, app.config, list(names) or configured)
    return [TestResult(name, row.status == "sent", row.last_error) for name, row in rows.items()]


@dataclass(frozen=True)
class ChannelInfo:
    """A configured channel: its name, kind, URL with its secrets masked, and what it wants."""

    name: str
    kind: str
    masked_url: str
    events: tuple[str, ...]
    severities: tuple[str, ...]
    vendors: tuple[str, ...]
    tags: tuple[str, ...]


def configured_channels(app: App) -> list[ChannelInfo]:
    """The channels of the config, each with the kind its URL's Apprise service gives."""
    from monitor.alerts.channels import open_channel

    out = []
    for wanted in app.config.alerts.channels:
        channel = open_channel(wanted.name, wanted.url)
        out.append(
            ChannelInfo(
                wanted.name,
                channel.kind,
                channel.masked_url,
                tuple(wanted.events),
                tuple(wanted.severities),
                tuple(wanted.vendors),
                tuple(wanted.tags),
            )
        )
    return out
