"""Secrets stay secret: webhook tokens, SMTP passwords and URL tokens never show.

Three channels whose deliveries fail (Slack answering 500, an SMTP server and a JSON webhook that
refuse connections) go through real crawls, `send-alerts` and `test-alert` at debug level, in text
and JSON logs; then every reading command's output and the whole SQLite database are searched.
"""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.app import load_settings
from monitor.logs import JsonFormatter, TextFormatter, hide
from tests.support.sinks import WebhookSink, free_port
from tests.support.sites import LoopbackSite
from tests.test_alerts import SLACK_URL, write_config
from tests.test_decisions import BASE, SELLS, page

SLACK_TOKEN = SLACK_URL.rsplit("/", 1)[1]
SMTP_PASSWORD = "S3cretPassw0rd"
JSON_TOKEN = "Js0nT0kenS3cret"
SECRETS = (SLACK_TOKEN, SMTP_PASSWORD, JSON_TOKEN)


def monitor(config: Path, slack: WebhookSink, *args: str) -> str:
    """Run the CLI; its stdout and stderr together."""
    env = {**os.environ, "COLUMNS": "250", "NO_COLOR": "1", "POLICY_MONITOR_SLACK_ENDPOINT": slack.base}
    env.pop("POLICY_MONITOR_DATABASE_URL", None)
    command = [sys.executable, "-m", "monitor", "-c", str(config), *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    return done.stdout + done.stderr


@pytest.mark.slow
def test_no_secret_shows_in_logs_outputs_or_the_database(tmp_path: Path, site: LoopbackSite) -> None:
    site.set("/privacy", page(BASE))
    channels = {
        "team-slack": SLACK_URL,
        "mail": f"mailto://alerts:{SMTP_PASSWORD}@127.0.0.1:{free_port()}?from=alerts@acme.test&to=privacy@acme.test",
        "hook": f"json://alerts:{JSON_TOKEN}@127.0.0.1:{free_port()}/hook",
    }
    config = write_config(tmp_path, channels, url=site.url("/privacy"), max_attempts=2, backoff=1)
    said: list[str] = []
    with WebhookSink() as slack:
        slack.status = 500
        for log_format in ("text", "json"):
            logs = ("-vv", "--log-format", log_format)
            said.append(monitor(config, slack, *logs, "crawl"))
            site.set("/privacy", page(SELLS if log_format == "text" else BASE))
            said.append(monitor(config, slack, *logs, "crawl"))  # a MATERIAL change: its alerts fail
            said.append(monitor(config, slack, *logs, "send-alerts"))
            said.append(monitor(config, slack, *logs, "test-alert"))
        for command in ("channels", "alerts", "status"):
            said += [monitor(config, slack, command), monitor(config, slack, command, "--json")]
        assert len(slack.posts) >= 3  # the alerts were tried, and failed
    everything = "\n".join(said)
    assert "500" in everything and "refused" in everything.lower()  # the failures are told...
    assert '"level": "debug"' in everything and " debug " in everything  # ...in both log formats
    database = sqlite3.connect(tmp_path / "alerts.db")
    dump = "\n".join(database.iterdump())
    database.close()
    assert 'INSERT INTO "outbox"' in dump
    for secret in SECRETS:
        assert secret not in everything, secret
        assert secret not in dump, secret


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()], ids=["text", "json"])
def test_log_lines_and_their_tracebacks_mask_the_configured_secrets(formatter: logging.Formatter) -> None:
    hide(["Tr4cebackS3cret"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.faults.secrets")
    logger.addHandler(handler)
    try:
        raise ConnectionError("POST /services/T1/B2/Tr4cebackS3cret failed")
    except ConnectionError:
        logger.error("delivery to /services/T1/B2/Tr4cebackS3cret failed", exc_info=True)
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "Tr4cebackS3cret" not in written and "/services/T1/B2/**** failed" in written
    assert ("Traceback" in written) is isinstance(formatter, JsonFormatter)  # text lines stay one line


def test_the_web_token_and_the_database_password_are_masked_too(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(
        '[storage]\nurl = "postgresql+psycopg://pm:DbPassw0rdS3cret@127.0.0.1:5432/pm"\n'
        '[web]\ntoken = "W3bT0kenS3cretValue"\n',
        encoding="utf-8",
    )
    load_settings(config)
    record = logging.LogRecord("t", logging.ERROR, "", 0, "%s", ("DbPassw0rdS3cret W3bT0kenS3cretValue",), None)
    assert TextFormatter().format(record).endswith("**** ****")
