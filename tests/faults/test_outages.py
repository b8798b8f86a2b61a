"""Outages: SMTP down for an hour, Slack answering 500 then 429 with Retry-After, a name that does not
resolve, the database locked, read-only or on a full disk. Each time the daemon's jobs keep going, say
once what is wrong, and catch up when the fault ends. Simulated time where the wait would be long: the
outbox is drained with a clock the test moves, as the daemon drains it every five minutes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from apprise.plugins.slack import NotifySlack

from monitor.alerts.channels import retry_after
from monitor.alerts.outbox import drain
from monitor.app.context import load_settings
from tests.support.sinks import MailSink, WebhookSink
from tests.test_alerts import SLACK_URL, Recorder, write_config
from tests.test_decisions import BASE, SELLS

DRAIN_EVERY = timedelta(minutes=5)  # the daemon's send-alerts interval


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebhookSink]:
    with WebhookSink() as sink:
        monkeypatch.setattr(NotifySlack, "webhook_url", sink.base)
        yield sink


def warnings_from(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


def test_smtp_down_for_an_hour_holds_the_alert_says_so_once_and_delivers_it_once_when_back(
    tmp_path: Path, mail: MailSink, caplog: pytest.LogCaptureFixture
) -> None:
    fetch = Recorder(load_settings(write_config(tmp_path, {"mail": mail.url}, max_attempts=6, pause_after=5)))
    fetch(BASE)
    fetch(SELLS)  # a MATERIAL alert while the mail server is down (not started)
    start = fetch.now
    moments = [start + DRAIN_EVERY * n for n in range(13)]  # an hour of drains, every five minutes
    with caplog.at_level(logging.INFO):
        outage = [drain(fetch.engine, fetch.config, moment) for moment in moments]
        assert sum(d.failed for d in outage) == 0  # the alert is held, never given up
        (row,) = fetch.rows()
        assert row.status == "queued" and "cannot send through 127.0.0.1" in (row.last_error or "")
        said = warnings_from(caplog)
        assert len(said) == 1 and "alert channel mail: paused after 5 failed deliveries in a row" in said[0]
        caplog.clear()

        mail.start()  # the server is back
        back = moments[-1] + DRAIN_EVERY
        recovered = [drain(fetch.engine, fetch.config, back + DRAIN_EVERY * n) for n in range(4)]
    assert sum(d.sent for d in recovered) == 1
    (row,) = fetch.rows()
    assert row.status == "sent"
    (message,) = mail.messages
    assert "MATERIAL" in message["Subject"] and message["Message-ID"] == row.message_id
    said = warnings_from(caplog)
    assert len(said) == 1 and "resumed" in said[0]


def test_slack_answering_500_then_429_is_retried_no_sooner_than_its_retry_after(
    tmp_path: Path, slack: WebhookSink
) -> None:
    fetch = Recorder(load_settings(write_config(tmp_path, {"team": SLACK_URL}, max_attempts=6, backoff=60)))
    fetch(BASE)
    fetch(SELLS)
    start = fetch.now
    slack.status = 500
    assert drain(fetch.engine, fetch.config, start).retrying == 1
    (row,) = fetch.rows()
    assert row.next_attempt_at == start + timedelta(seconds=60)  # the backoff
    slack.status, slack.headers = 429, {"Retry-After": "900"}
    limited = start + timedelta(seconds=60)
    assert drain(fetch.engine, fetch.config, limited).retrying == 1
    (row,) = fetch.rows()
    assert row.next_attempt_at == limited + timedelta(seconds=900)  # Retry-After, not the 120 s backoff
    assert "error=429" in (row.last_error or "") and "wait 900 s: Retry-After" in (row.last_error or "")
    slack.status, slack.headers = 200, {}
    assert drain(fetch.engine, fetch.config, limited + timedelta(seconds=899)).attempted == 0
    assert len(slack.posts) == 2  # nothing posted before Retry-After
    assert drain(fetch.engine, fetch.config, limited + timedelta(seconds=900)).sent == 1
    assert len(slack.posts) == 3 and fetch.rows()[0].status == "sent"


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

    def answer(status: int, value: str) -> requests.Response:
        response = requests.Response()
        response.status_code, response.headers["Retry-After"] = status, value
        return response

    assert retry_after([answer(429, "120")], now) == 120
    assert retry_after([answer(503, "Thu, 03 Dec 2026 12:05:00 GMT")], now) == 300
    assert retry_after([answer(429, "soon")], now) is None
    assert retry_after([answer(500, "120")], now) is None  # only a 429 or a 503 asks to wait
