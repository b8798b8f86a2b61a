"""Commands about alerts: the outbox, sending, a test message, the channels."""

from __future__ import annotations

from typing import Annotated

import typer

from monitor.cli import views
from monitor.cli.base import cli, console, fail, open_application

PANEL = "Alerts"


@cli.command(rich_help_panel=PANEL)
def alerts(
    status: Annotated[
        list[str] | None, typer.Option("--status", "-s", help="Only these statuses: queued, sent, failed, digested.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many rows, newest first.")] = 50,
) -> None:
    """List the alert outbox: what is queued, sent or failed, where to, attempts and the last error."""
    from monitor import app
    from monitor.app.reads import ALERT_STATUSES

    unknown = set(status or ()) - set(ALERT_STATUSES)
    if unknown:
        fail(f"unknown status {sorted(unknown)[0]!r} (use {', '.join(ALERT_STATUSES)})")
    rows = app.outbox_rows(open_application(), status or (), limit)
    if not rows:
        console.print("The outbox is empty." if not status else "No alert has that status.")
        return
    console.print(views.outbox_table(rows))


@cli.command("send-alerts", rich_help_panel=PANEL)
def send_alerts() -> None:
    """Send the alerts that are due (the daemon does it every few minutes; `crawl` does it too)."""
    from monitor import app

    drained = app.send_due_alerts(open_application())
    if drained.attempted:
        console.print(views.drained_line(drained))


@cli.command("test-alert", rich_help_panel=PANEL)
def test_alert(
    channel: Annotated[str | None, typer.Argument(help="A channel name (default: every channel).")] = None,
) -> None:
    """Send a sample message through the configured channels; exit 1 if any fails."""
    from monitor import app

    results = app.send_test_alert(open_application(), [channel] if channel else [])
    for result in results:
        if result.sent:
            console.print(f"sent a test alert to {result.channel}", highlight=False)
    failed = [f"test alert not sent to {r.channel}: {r.error}" for r in results if not r.sent]
    if failed:
        fail("\n".join(failed))


@cli.command(rich_help_panel=PANEL)
def channels() -> None:
    """List the configured alert channels (secrets masked) and the channel kinds."""
    from monitor import app

    configured = app.configured_channels(open_application())
    if configured:
        console.print(views.channels_table(configured))
    else:
        console.print("No alert channel is configured (see README, Alerts).")
    console.print(views.kinds_table(app.kinds("channels")[0]))
