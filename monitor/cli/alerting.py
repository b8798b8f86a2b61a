"""Commands about alerts: the outbox (and recovering its failures), sending, a test message, the channels."""

from __future__ import annotations

from typing import Annotated

import typer

from monitor.cli import views
from monitor.cli.base import (
    JsonOption,
    cli,
    console,
    fail,
    open_application,
    open_reader,
    present,
    print_json,
    settings,
    show,
)

PANEL = "Alerts"

alerts_cli = typer.Typer(help="List the alert outbox; `retry` and `dismiss` recover what failed.", add_completion=False)
cli.add_typer(alerts_cli, name="alerts", rich_help_panel=PANEL)

AlertId = Annotated[int | None, typer.Argument(help="The alert's number (see `monitor alerts`).", show_default=False)]
FailedOption = Annotated[bool, typer.Option("--failed", help="Every failed alert.")]
ChannelOption = Annotated[str | None, typer.Option("--channel", help="Only the alerts of this channel.")]


@alerts_cli.callback(invoke_without_command=True)
def alerts(
    context: typer.Context,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", "-s", help="Only these statuses: queued, sent, failed, dismissed, digested."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many rows, newest first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List the alert outbox: what is queued, sent or failed, where to, attempts and the last error."""
    if context.invoked_subcommand is not None:
        return
    from monitor import app
    from monitor.app.reads import ALERT_STATUSES
    from monitor.config import did_you_mean

    for wanted in status or ():
        if wanted not in ALERT_STATUSES:
            fail(
                f"unknown status {wanted!r}{did_you_mean(wanted, ALERT_STATUSES)} (use {', '.join(ALERT_STATUSES)})", 2
            )
    rows = app.outbox_rows(open_reader(), status or (), limit)
    if not rows and not as_json:
        console.print("The outbox is empty." if not status else "No alert has that status.")
        return
    present(rows, views.outbox_table, as_json)


@alerts_cli.command()
def retry(alert_id: AlertId = None, failed: FailedOption = False, channel: ChannelOption = None) -> None:
    """Queue a failed or dismissed alert (or every failed one) again and send it now; its channel is resumed."""
    from monitor import app

    _one_choice(alert_id, failed, channel)
    retried = app.retry_alerts(open_application(create=False), alert_id, channel=channel)
    if not retried.queued:
        console.print("No failed alert to retry.")
        return
    console.print(f"{retried.queued} alert{'s' if retried.queued > 1 else ''} queued again.", highlight=False)
    console.print(views.drained_line(retried.drained), highlight=False)


@alerts_cli.command()
def dismiss(alert_id: AlertId = None, failed: FailedOption = False, channel: ChannelOption = None) -> None:
    """Let a failed (or queued) alert go, or every failed one: it stays listed but no longer counts against health."""
    from monitor import app

    _one_choice(alert_id, failed, channel)
    count = app.dismiss_alerts(open_application(create=False), alert_id, channel=channel)
    console.print(f"{count} alert{'s' if count != 1 else ''} dismissed.", highlight=False)


def _one_choice(alert_id: int | None, failed: bool, channel: str | None) -> None:
    """An alert number, or --failed and/or --channel: not both, not neither."""
    if (alert_id is not None) == (failed or channel is not None):
        fail("give an alert number, or --failed (and/or --channel NAME), not both", 2)


@cli.command("send-alerts", rich_help_panel=PANEL)
def send_alerts() -> None:
    """Send the alerts that are due (the daemon does it every few minutes; `crawl` does it too)."""
    from monitor import app

    drained = app.send_due_alerts(open_application())
    if drained.noteworthy:
        console.print(views.drained_line(drained), highlight=False)


@cli.command("test-alert", rich_help_panel=PANEL)
def test_alert(
    channel: Annotated[str | None, typer.Argument(help="A channel name (default: every channel).")] = None,
) -> None:
    """Send a sample message through the configured channels (never queued, never counted); exit 1 if any fails."""
    from monitor import app

    results = app.send_test_alert(settings(), [channel] if channel else [])
    for result in results:
        if result.sent:
            console.print(f"sent a test alert to {result.channel}", highlight=False)
    failed = [f"test alert not sent to {r.channel}: {r.error}" for r in results if not r.sent]
    if failed:
        fail("; ".join(failed))


@cli.command(rich_help_panel=PANEL)
def channels(as_json: JsonOption = False) -> None:
    """List the configured alert channels (secrets masked, paused ones marked) and the channel kinds."""
    from monitor import app

    configured = app.configured_channels(open_reader())
    (kinds,) = app.kinds("channels")
    if as_json:
        print_json({"channels": configured, "kinds": kinds})
        return
    if configured:
        show(views.channels_table(configured))
    else:
        console.print("No alert channel is configured (see README, Alerts).")
    show(views.kinds_table(kinds))
