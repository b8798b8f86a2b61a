"""`monitor demo`: the real daemon on a loopback site of fictional vendors, one "day" per crawl cycle.

Everything runs on 127.0.0.1: the vendors' site, an SMTP server and a Slack capture server. The
daemon (`monitor run`, schedule `2s`) crawls; after each cycle the site moves to the next day of the
script. A live view shows what policy-monitor decides; at the end it prints the history of the vendor
with the material change, where the captured e-mails (.eml) and Slack payloads (.json) are, and the
commands to explore the record further. No network is needed.

Everything stays in `./demo-output`: the config, the database, the daemon's log and the captures, so
that `monitor -c demo-output/config.toml history lumen` works afterwards. A folder of that name that
an earlier demo made is replaced; any other is left alone (:func:`is_demo_folder`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from crawler.job import RenderSettings
from monitor import app
from monitor.alerts.channels import SLACK_ENDPOINT_ENV
from monitor.app.context import App
from monitor.app.record import UNREADABLE
from monitor.cli import views
from monitor.config import (
    Config,
    save_config,
)
from tests.support.configs import loopback_config
from tests.support.demo_site import DemoSite
from tests.support.sinks import MailSink, WebhookSink

DAY_TIMEOUT_S = 60
SLACK_URL = "slack://T0DEMO0000/B0DEMO0000/DemoDemoDemoDemoDemoDemo0"
FOLDER = Path("demo-output")
MARKER = ".policy-monitor-demo"  # says the folder is the demo's own, to replace at the next run
#: What to run against the demo's record afterwards (the README lists the same commands).
NEXT_COMMANDS = (
    "history lumen",
    "diff lumen",
    "show nestwise --version 2",
    "alerts",
    "vendors --json",
)


@dataclass(frozen=True)
class Day:
    """One day of the script: what happens on the vendors' sites before that day's crawl."""

    story: str
    act: Callable[[DemoSite], None]


SCRIPT = [
    Day("first crawl of three vendors", lambda site: None),
    Day("nothing changed but nonces and cache-busters", lambda site: None),
    Day("Nestwise rewords a sentence (a REVIEW change, kept for the digest)", lambda site: site.show("nestwise", 1)),
    Day(
        "Nestwise flips back (a flip-flop: no alert); Corvid bumps only its date (NOISE)",
        lambda site: (site.show("nestwise", 0), site.show("corvid", 1)),
    ),
    Day("Lumen starts sharing with advertising partners (MATERIAL: alert now)", lambda site: site.show("lumen", 1)),
    Day("Nestwise's host answers with a captcha (incident: alert)", lambda site: site.captcha.add("nestwise")),
    Day(
        "the captcha is gone (incident resolved: alert); Nestwise's old text has held for 3 fetches: "
        "a real change back (alert)",
        lambda site: site.captcha.discard("nestwise"),
    ),
]


def is_demo_folder(folder: Path) -> bool:
    """Whether `folder` is absent or was made by an earlier demo (so the demo may replace it)."""
    return not folder.exists() or (folder / MARKER).is_file()


def demo_config(site: DemoSite, mail: MailSink) -> Config:
    """Every vendor every 2 seconds, with e-mail and Slack channels on loopback; the database beside the config.

    The browser is off, so that the demo tells the same story whether or not chromium is installed.
    """
    config = loopback_config(
        Path("demo.db"),
        {vendor.id: site.url(vendor.id) for vendor in site.vendors.values()},
        names={vendor.id: vendor.name for vendor in site.vendors.values()},
        language="en",
        channels={"email": mail.url, "slack": SLACK_URL},
        timeout=5,
        default_schedule="2s",
    )
    return config.model_copy(update={"render": RenderSettings(enabled=False)})


def crawled_since(application: App, moment: datetime) -> bool:
    """Whether a crawl run that started after `moment` has ended (so it saw the site as it is now)."""
    run = app.status(application).last_run
    return run is not None and run.started_at > moment and run.finished_at is not None


def board(application: App, day: int, mail: MailSink, slack: WebhookSink) -> Group:
    """The live view: the day's story, each vendor's latest decision, and what was sent."""
    table = Table(title="What policy-monitor decided on the latest crawl")
    for column in ("vendor", "outcome", "decision", "version", "detail"):
        table.add_column(column)
    for document in sorted(app.watched_documents(application), key=lambda d: d.vendor_id):
        if document.last_fetch is None:
            table.add_row(document.vendor_id, "-", "waiting", "-", "")
            continue
        decision = document.decision or "-"
        table.add_row(
            document.vendor_id,
            views.outcome_text(document.outcome),
            Text(decision.replace("_", " "), style=views.DECISION_STYLES.get(decision, "")),
            f"#{document.current_seq}" if document.current_seq and decision not in UNREADABLE else "-",
            document.error if decision in UNREADABLE else "",
        )
    story = Text(f"Day {day}/{len(SCRIPT)}: {SCRIPT[day - 1].story}", style="bold") if day else Text("starting...")
    sent = Text(f"captured so far: {len(mail.messages)} e-mails, {len(slack.posts)} Slack posts", style="cyan")
    return Group(story, table, sent)


def run_demo(console: Console, folder: Path = FOLDER) -> None:
    """Play the script through the real daemon in `folder` (replaced; see :func:`is_demo_folder`), then print
    what it recorded and sent and the commands to explore it."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("made by `monitor demo`: replaced by the next one\n", encoding="utf-8")
    with DemoSite() as site, MailSink(folder / "emails") as mail, WebhookSink(folder / "slack") as slack:
        mail.start()
        config_file = save_config(demo_config(site, mail), folder / "config.toml")  # the daemon reads a file
        application = app.open_app(app.load_settings(config_file))
        env = {**os.environ, SLACK_ENDPOINT_ENV: slack.base}
        env.pop("POLICY_MONITOR_DATABASE_URL", None)
        log_file = folder / "daemon.log"
        with log_file.open("w") as log:
            daemon = subprocess.Popen(
                [sys.executable, "-m", "monitor", "-c", str(config_file), "run"], stdout=log, stderr=log, env=env
            )
            try:
                _play(application, site, mail, slack, console, log_file)
            finally:
                daemon.send_signal(signal.SIGTERM)
                daemon.wait(timeout=30)
        _summary(application, console, folder, mail, slack)


def _play(
    application: App, site: DemoSite, mail: MailSink, slack: WebhookSink, console: Console, log_file: Path
) -> None:
    with Live(board(application, 0, mail, slack), console=console, refresh_per_second=4) as live:
        for day, step in enumerate(SCRIPT, start=1):
            step.act(site)
            acted = datetime.now(UTC)
            deadline = time.monotonic() + DAY_TIMEOUT_S
            while not crawled_since(application, acted):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the daemon did not crawl in time; see {log_file}")
                live.update(board(application, day, mail, slack))
                time.sleep(0.25)
            time.sleep(0.5)  # let the cycle send its alerts
            live.update(board(application, day, mail, slack))
            console.print(f"[dim]day {day} done[/dim]", highlight=False)


def _summary(application: App, console: Console, folder: Path, mail: MailSink, slack: WebhookSink) -> None:
    (lumen,) = app.history(application, "lumen")
    views.emit(console, views.history_table("monitor history lumen", lumen.versions))
    console.print(
        f"{len(mail.messages)} e-mails saved in {folder / 'emails'} (.eml), "
        f"{len(slack.posts)} Slack payloads in {folder / 'slack'} (.json).",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    for message in mail.messages:
        console.print(f"  e-mail: {message['Subject']}", highlight=False, markup=False, soft_wrap=True)
    console.print(f"The demo's database, config and log stay in {folder}/. Try:", highlight=False, markup=False)
    for command in NEXT_COMMANDS:
        console.print(f"  monitor -c {folder / 'config.toml'} {command}", highlight=False, markup=False, soft_wrap=True)
