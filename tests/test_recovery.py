"""Alerts that recover: a fixed channel gets its failed alerts once, retry and dismiss, circuits per channel,
and the operators' messages kept out of the privacy team's channels. Real SMTP (aiosmtpd), a loopback
webhook for the operations channel, real CLI processes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.alerts.outbox import drain
from monitor.app.context import App, load_settings
from monitor.app.health import status as gather_status
from tests.support.demo_policies import VENDORS
from tests.support.demo_site import DemoSite
from tests.support.sinks import MailSink, WebhookSink, free_port
from tests.test_alerts import BASE, SELLS, Recorder, monitor_cli, write_config


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@pytest.fixture
def ops() -> Iterator[WebhookSink]:
    with WebhookSink() as sink:
        yield sink


def with_operations_channel(config: Path, hook: WebhookSink) -> Path:
    """Add an operator channel (`events = ["operations"]`) posting JSON to the loopback webhook."""
    table = f'[[alerts.channels]]\nname = "ops"\nurl = "json://127.0.0.1:{hook.port}/ops"\nevents = ["operations"]\n'
    config.write_text(config.read_text().replace("[[vendors]]", table + "[[vendors]]", 1))
    return config


def test_a_channel_down_then_fixed_gets_the_failed_material_alert_once_and_status_is_healthy_again(
    tmp_path: Path, mail: MailSink
) -> None:
    lumen = next(v for v in VENDORS if v.id == "lumen")
    wrong = mail.url.replace(f":{mail.port}?", f":{free_port()}?")  # the SMTP address is wrong
    with DemoSite([lumen]) as site:
        config = write_config(
            tmp_path, {"mail": wrong}, url=site.url("lumen"), vendor="lumen", name=lumen.name, max_attempts=1
        )
        assert monitor_cli(config, "crawl").returncode == 0
        site.show("lumen", 1)
        crawl = monitor_cli(config, "crawl")
        assert crawl.returncode == 0 and "1 failed" in crawl.stdout
        assert monitor_cli(config, "send-alerts").stdout == ""  # failed stays failed while nothing changes
        broken = monitor_cli(config, "status")
        assert broken.returncode == 1
        assert "1 alert could not be sent" in broken.stderr and "alerts retry --failed" in broken.stderr
        assert len(broken.stderr.strip().splitlines()) == 1

        mail.start()
        config.write_text(config.read_text().replace(wrong, mail.url))  # the operator fixes the address
        fixed = monitor_cli(config, "send-alerts")
        assert "1 sent" in fixed.stdout and "1 queued again after their channel's configuration changed" in fixed.stdout
        assert monitor_cli(config, "send-alerts").stdout == ""  # queued again once, not at every drain
        assert monitor_cli(config, "crawl").returncode == 0  # neither crawl nor send-alerts sends it twice
    (email,) = mail.messages
    assert email["Subject"].startswith("[policy-monitor] MATERIAL: Lumen Displays privacy policy")
    healthy = monitor_cli(config, "status")
    assert healthy.returncode == 0, healthy.stderr
    assert "healthy" in healthy.stdout
    listed = monitor_cli(config, "alerts", "--json")
    assert '"status": "sent"' in listed.stdout


def test_retry_sends_failed_alerts_once_and_dismiss_takes_them_out_of_health(tmp_path: Path, mail: MailSink) -> None:
    fetch = Recorder(load_settings(write_config(tmp_path, {"mail": mail.url}, max_attempts=1)))
    config = fetch.config.path
    assert config is not None
    fetch(BASE)
    fetch(SELLS)
    fetch(None, "http_error")  # an incident: a second alert
    assert drain(fetch.engine, fetch.config, fetch.now).failed == 2  # the mail server is not started
    first, second = (row.id for row in fetch.rows())
    assert "alerts could not be sent" in " ".join(gather_status(App(fetch.config, fetch.engine)).problems)

    usage = monitor_cli(config, "alerts", "retry")
    assert usage.returncode == 2 and "give an alert number, or --failed" in usage.stderr
    assert monitor_cli(config, "alerts", "retry", "999").returncode == 1
    mail.start()
    retried = monitor_cli(config, "alerts", "retry", str(first))
    assert retried.returncode == 0 and "1 alert queued again" in retried.stdout and "1 sent" in retried.stdout
    sent_twice = monitor_cli(config, "alerts", "retry", str(first))
    assert sent_twice.returncode == 1 and "is sent: only failed or dismissed alerts can be retried" in sent_twice.stderr

    dismissed = monitor_cli(config, "alerts", "dismiss", "--failed")
    assert dismissed.returncode == 0 and "1 alert dismissed." in dismissed.stdout
    problems = gather_status(App(fetch.config, fetch.engine)).problems
    assert not any("could not be sent" in problem for problem in problems)
    listed = monitor_cli(config, "alerts", "--status", "dismissed")
    assert f"#{second}" in listed.stdout and "dismissed" in listed.stdout  # still listed
    assert len(mail.messages) == 1
    typo = monitor_cli(config, "alerts", "--status", "dismised")
    assert typo.returncode == 2 and "did you mean 'dismissed'?" in typo.stderr


def test_a_failing_channel_is_paused_reported_once_probed_and_resumed(
    tmp_path: Path, mail: MailSink, ops: WebhookSink
) -> None:
    path = write_config(tmp_path, {"mail": mail.url}, max_attempts=10, backoff=1, pause_after=2, probe_every=600)
    fetch = Recorder(load_settings(with_operations_channel(path, ops)))
    fetch(BASE)
    fetch(SELLS)
    start = fetch.now
    assert drain(fetch.engine, fetch.config, start).retrying == 1
    paused = drain(fetch.engine, fetch.config, start + timedelta(seconds=1))  # the second failure in a row
    assert (paused.retrying, paused.sent) == (1, 1)  # the alert waits; the operators are told at once
    (report,) = ops.posts
    assert "OPERATIONS: alert channel mail - paused after 2 failed deliveries in a row" in str(report["json"])
    assert "monitor alerts retry --channel mail" in str(report["json"])
    state = gather_status(App(fetch.config, fetch.engine), now=start + timedelta(seconds=5))
    assert [c.name for c in state.paused_channels] == ["mail"]
    assert any("alert channel mail is paused" in problem for problem in state.problems)
    held = drain(fetch.engine, fetch.config, start + timedelta(seconds=60))  # due by its backoff, but paused
    assert (held.attempted, held.held) == (0, 1)
    assert drain(fetch.engine, fetch.config, start + timedelta(seconds=300)).held == 1
    assert len(ops.posts) == 1  # reported once

    mail.start()
    probe = drain(fetch.engine, fetch.config, start + timedelta(seconds=602))
    assert probe.sent == 2  # the probe (the alert) and the operators' "resumed"
    assert "resumed" in str(ops.posts[-1]["json"]) and len(ops.posts) == 2
    assert len(mail.messages) == 1 and "MATERIAL" in mail.messages[0]["Subject"]
    assert gather_status(App(fetch.config, fetch.engine), now=start + timedelta(seconds=603)).paused_channels == []


def test_render_unavailable_goes_to_the_operators_never_to_the_privacy_team(
    tmp_path: Path, mail: MailSink, ops: WebhookSink, caplog: pytest.LogCaptureFixture
) -> None:
    path = with_operations_channel(write_config(tmp_path, {"privacy-team": mail.url}), ops)
    fetch = Recorder(load_settings(path))
    mail.start()
    fetch(BASE)
    fetch(None, "render_unavailable")
    assert [(row.channel, row.kind) for row in fetch.rows()] == [("ops", "operations")]
    drain(fetch.engine, fetch.config, fetch.now)
    assert mail.messages == [] and len(ops.posts) == 1
    assert "OPERATIONS: Acme privacy policy cannot be read - render unavailable" in str(ops.posts[0]["json"])

    alone = tmp_path / "alone"
    alone.mkdir()
    without = Recorder(load_settings(write_config(alone, {"privacy-team": mail.url})))
    without(BASE)
    with caplog.at_level(logging.WARNING, logger="monitor.alerts.outbox"):
        without(None, "render_unavailable")
    assert without.rows() == []  # no operator channel: the log says it
    assert any("cannot be read" in record.getMessage() for record in caplog.records)
