"""Alerts end to end: changes and incidents recorded for real, queued in the outbox, drained through Apprise
to a real SMTP server (aiosmtpd) and a loopback stand-in for Slack's webhook endpoint."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from apprise.plugins.slack import NotifySlack
from sqlmodel import Session, select

from crawler.results import FetchResult
from monitor.alerts.channels import mask_url, redact
from monitor.alerts.formats import to_slack, to_text
from monitor.alerts.messages import Message, Sentence
from monitor.alerts.outbox import drain, next_digest, send_test
from monitor.app.context import load_settings, open_app
from monitor.app.cycle import plan, run_cycle, sync_config
from monitor.app.record import Recorded, record_fetch
from monitor.config import Config, ConfigError
from storage.db import session_scope
from storage.models import Change, Outbox
from tests.support.demo_policies import VENDORS
from tests.support.demo_site import DemoSite
from tests.support.sinks import MailSink, WebhookSink
from tests.test_decisions import BASE, SELLS, edited, page

T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
SLACK_URL = "slack://T1234ABCD/B5678EFGH/Zq9secretWebhookToken42"
DOC_URL = "https://acme.test/privacy"
DIFF_URL = "https://monitor.example/diff/{vendor}/{document}/{old}/{new}"
REWORDED = edited(line3="We use your e-mail address to send you service messages and news about your account.")
PAYLOADS = edited(  # escaped in the page, so that the extracted policy text carries the markup as words
    line5=html.escape(
        "We share your data with advertising partners <script>alert(1)</script> "
        "and <img src=x onerror=alert(2)> to show you offers."
    )
)


def write_config(
    folder: Path,
    channels: dict[str, str],
    *,
    url: str = DOC_URL,
    vendor: str = "acme",
    name: str = "Acme",
    **alerts: object,
) -> Path:
    lines = ["[storage]", 'url = "sqlite:///alerts.db"', "[alerts]", f'diff_url = "{DIFF_URL}"']
    lines += [f"{key} = {value}" for key, value in {"max_attempts": 3, "backoff": 60, **alerts}.items()]
    for channel, channel_url in channels.items():
        lines += ["[[alerts.channels]]", f'name = "{channel}"', f'url = "{channel_url}"']
    lines += ["[[vendors]]", f'id = "{vendor}"', f'name = "{name}"', 'tags = ["saas"]', "[[vendors.documents]]"]
    lines += ['type = "privacy_policy"', f'url = "{url}"', 'language = "en"']
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


class Recorder:
    """Records one fetch an hour the way a crawl cycle does: the fetch and its alerts in one transaction."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.app = open_app(config)  # the outbox listens to what is recorded
        self.engine = self.app.engine
        self.document_id = sync_config(self.app)[("acme", "privacy_policy")]
        self.count = 0

    @property
    def now(self) -> datetime:
        """When the last fetch happened."""
        return T0 + timedelta(hours=self.count)

    def __call__(self, lines: list[str] | None, outcome: str = "ok") -> Recorded:
        self.count += 1
        document = self.config.vendors[0].documents[0]
        result = FetchResult(
            key="1",
            requested_url=document.url,
            final_url=document.url,
            outcome=outcome,
            status=200 if outcome == "ok" else 503,
            content_type="text/html; charset=utf-8",
            body=page(lines) if lines is not None else None,
            error=None if outcome == "ok" else "Service Unavailable",
            fetched_at=self.now,
        )
        with session_scope(self.engine) as session:
            return record_fetch(session, self.app.events, self.document_id, document, result, self.config.changes)

    def rows(self) -> list[Outbox]:
        with Session(self.engine) as session:
            return list(session.exec(select(Outbox).order_by(Outbox.id)))


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebhookSink]:
    with WebhookSink() as sink:
        monkeypatch.setattr(NotifySlack, "webhook_url", sink.base)
        yield sink


def recorder(tmp_path: Path, channels: dict[str, str], **alerts: object) -> Recorder:
    return Recorder(load_settings(write_config(tmp_path, channels, **alerts)))


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of an alert e-mail."""
    text, markup = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and markup is not None
    return text.get_content(), markup.get_content()


def slack_text(post: dict) -> str:
    """Every text of a Slack post's blocks, joined."""
    (attachment,) = post["json"]["attachments"]
    texts = []
    for block in attachment["blocks"]:
        texts += [block["text"]["text"]] if "text" in block else []
        texts += [item["text"] for item in block.get("fields", []) + block.get("elements", [])]
    return "\n".join(texts)


def test_a_material_change_sends_one_email_and_one_slack_post_and_noise_sends_none(
    tmp_path: Path, mail: MailSink, slack: WebhookSink
) -> None:
    lumen = next(v for v in VENDORS if v.id == "lumen")
    mail.start()
    with DemoSite([lumen]) as site:
        channels = {"mail": mail.url, "team-slack": SLACK_URL}
        config = load_settings(write_config(tmp_path, channels, url=site.url("lumen"), vendor="lumen", name=lumen.name))
        application = open_app(config)
        engine = application.engine
        planned = plan(application)
        for day in ("first crawl", "nonces and cache-busters only", "advertising partners"):
            if day == "advertising partners":
                site.show("lumen", 1)
            run_cycle(application, planned)
            drain(engine, config)
            if day != "advertising partners":
                assert mail.messages == [] and slack.posts == []
    drain(engine, config, datetime.now(UTC) + timedelta(days=2))  # nothing else is due, ever
    (email,) = mail.messages
    (post,) = slack.posts
    with Session(engine) as session:
        (change,) = session.exec(select(Change)).all()
    assert change.severity == "MATERIAL"
    assert email["Subject"] == f"[policy-monitor] MATERIAL: Lumen Displays privacy policy - {change.headline}"
    text, markup = parts(email)
    assert ">We do not sell personal information.</del>" in markup
    assert ">We share device identifiers and usage statistics with advertising partners" in markup
    assert ">March</del><ins " in markup and ">May</ins>" in markup
    assert "[-We do not sell personal information.-]" in text and "{+We share device identifiers" in text
    for body in (text, markup):
        assert "2023-03-03 → 2024-05-20" in body
        assert "new sharing with third parties" in body and "a privacy promise was removed or weakened" in body
        assert "advertising partners" in body and "monitor diff lumen 1 2 --doc privacy_policy" in body
    assert "https://monitor.example/diff/lumen/privacy_policy/1/2" in markup
    assert post["path"] == "/services/T1234ABCD/B5678EFGH/Zq9secretWebhookToken42"
    said = slack_text(post)
    assert "MATERIAL · Lumen Displays privacy policy" in said
    assert "~We do not sell personal information.~" in said and "~March~ *May*" in said
    assert "*We share device identifiers" in said
    assert "2023-03-03 → 2024-05-20" in said and "new sharing with third parties: advertising partners" in said
    assert "`monitor diff lumen 1 2 --doc privacy_policy`" in said
    assert "<https://monitor.example/diff/lumen/privacy_policy/1/2|Open the full diff>" in said
    assert "icon_url" not in post["json"] and "image" not in str(post["json"])


def test_a_mail_server_down_for_two_attempts_gets_the_alert_once(tmp_path: Path, mail: MailSink) -> None:
    fetch = recorder(tmp_path, {"mail": mail.url}, max_attempts=5)
    fetch(BASE)
    fetch(SELLS)
    changed_at = fetch.now
    assert drain(fetch.engine, fetch.config, changed_at).retrying == 1
    assert drain(fetch.engine, fetch.config, changed_at + timedelta(seconds=59)).attempted == 0  # backoff: 60 s
    assert drain(fetch.engine, fetch.config, changed_at + timedelta(seconds=60)).retrying == 1
    assert drain(fetch.engine, fetch.config, changed_at + timedelta(seconds=150)).attempted == 0  # then 120 s
    mail.start()
    assert drain(fetch.engine, fetch.config, changed_at + timedelta(seconds=180)).sent == 1
    assert drain(fetch.engine, fetch.config, changed_at + timedelta(days=1)).attempted == 0
    (row,) = fetch.rows()
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    (email,) = mail.messages
    assert email["Message-ID"] == row.message_id and row.message_id.endswith("@alerts.test>")


def test_a_resend_after_a_crash_carries_the_same_message_id(tmp_path: Path, mail: MailSink) -> None:
    fetch = recorder(tmp_path, {"mail": mail.url})
    mail.start()
    fetch(BASE)
    fetch(SELLS)
    (row,) = fetch.rows()
    from monitor.alerts.channels import open_channel

    assert row.payload is not None
    assert open_channel("mail", mail.url).send(row.payload, row.message_id) is None  # sent, then "crashed"
    assert drain(fetch.engine, fetch.config, fetch.now).sent == 1
    first, again = mail.messages
    assert first["Message-ID"] == again["Message-ID"] == row.message_id
    assert (first["Subject"], parts(first)) == (again["Subject"], parts(again))


def monitor_cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "250", "NO_COLOR": "1"}
    env.pop("POLICY_MONITOR_DATABASE_URL", None)
    command = [sys.executable, "-m", "monitor", "-c", str(config), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_slack_answering_500_is_retried_then_failed_and_listed(tmp_path: Path, slack: WebhookSink) -> None:
    slack.status = 500
    fetch = recorder(tmp_path, {"team-slack": SLACK_URL}, max_attempts=3)
    fetch(BASE)
    fetch(SELLS)
    moments = [fetch.now + timedelta(seconds=s) for s in (0, 60, 180, 3600)]
    results = [drain(fetch.engine, fetch.config, moment) for moment in moments]
    assert [(r.retrying, r.failed) for r in results] == [(1, 0), (1, 0), (0, 1), (0, 0)]
    assert len(slack.posts) == 3
    (row,) = fetch.rows()
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error is not None and "500" in row.last_error
    listed = monitor_cli(fetch.config.path or Path(), "alerts")
    assert listed.returncode == 0, listed.stderr
    assert "failed" in listed.stdout and "team-slack" in listed.stdout and "500" in listed.stdout
    assert "Zq9secretWebhookToken42" not in listed.stdout + listed.stderr


def test_policy_text_with_html_and_javascript_is_escaped_in_the_email(tmp_path: Path, mail: MailSink) -> None:
    fetch = recorder(tmp_path, {"mail": mail.url})
    mail.start()
    fetch(BASE)
    fetch(PAYLOADS)
    drain(fetch.engine, fetch.config, fetch.now)
    (email,) = mail.messages
    text, markup = parts(email)
    assert "<script" not in markup.lower() and "<img" not in markup.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "&lt;img src=x onerror=alert(2)&gt;" in markup
    assert "<script>alert(1)</script>" in text  # the plain-text part shows the policy's words as they are


def test_an_incident_alerts_once_when_it_opens_and_once_when_it_resolves(tmp_path: Path, mail: MailSink) -> None:
    fetch = recorder(tmp_path, {"mail": mail.url})
    mail.start()
    fetch(BASE)
    assert [fetch(None, "http_error").incident for _ in range(3)] == ["opened", "continued", "continued"]
    drain(fetch.engine, fetch.config, fetch.now)
    assert fetch(BASE).incident == "resolved"
    drain(fetch.engine, fetch.config, fetch.now)
    opened, resolved = mail.messages
    assert opened["Subject"] == "[policy-monitor] CANNOT READ: Acme privacy policy - http error"
    text, _ = parts(opened)
    assert "http error: Service Unavailable" in text and "Since: 2025-03-03 12:00 UTC" in text
    assert "one more message when the page can be read again" in text
    assert resolved["Subject"] == "[policy-monitor] READABLE AGAIN: Acme privacy policy"
    assert "Failed fetches: 3" in parts(resolved)[0]
    assert [r.kind for r in fetch.rows()] == ["incident_opened", "incident_resolved"]


def test_a_suspect_text_is_reported_once_then_alerted_as_a_change_when_confirmed(
    tmp_path: Path, mail: MailSink
) -> None:
    fetch = recorder(tmp_path, {"mail": mail.url})
    mail.start()
    fetch(BASE)
    half = BASE[2:6]
    assert fetch(half).decision == "suspect"
    drain(fetch.engine, fetch.config, fetch.now)
    assert fetch(half).decision == "new_version"
    drain(fetch.engine, fetch.config, fetch.now)
    held, released, change = mail.messages
    assert held["Subject"] == "[policy-monitor] SUSPECT: Acme privacy policy - mostly gone"
    assert "If the next fetch gives the same text" in parts(held)[0]
    assert released["Subject"] == "[policy-monitor] NO LONGER SUSPECT: Acme privacy policy"
    assert "now the current version" in parts(released)[0]
    assert change["Subject"].startswith("[policy-monitor] MATERIAL: Acme privacy policy")
    assert "held as suspect from" in parts(change)[0]
    assert [r.kind for r in fetch.rows()] == ["incident_opened", "incident_resolved", "change"]


def test_review_changes_wait_for_the_daily_digest(tmp_path: Path, mail: MailSink) -> None:
    fetch = recorder(tmp_path, {"mail": mail.url}, digest='"08:00"')
    mail.start()
    fetch(BASE)
    assert fetch(REWORDED).severity == "REVIEW"
    fetch(edited(line9="We protect your data with encryption in transit and at rest, and with strict access rules."))
    drain(fetch.engine, fetch.config, fetch.now + timedelta(hours=12))
    assert mail.messages == []
    digest_at = next_digest(fetch.now, "08:00")
    assert digest_at == datetime(2025, 3, 4, 8, 0, tzinfo=UTC)
    assert drain(fetch.engine, fetch.config, digest_at).sent == 1
    (email,) = mail.messages
    assert email["Subject"] == "[policy-monitor] REVIEW digest: 2 changes to review"
    text, markup = parts(email)
    assert "1 sentence reworded" in text and "security statements changed" in markup
    assert sorted(r.status for r in fetch.rows()) == ["digested", "digested", "sent"]


def test_channels_get_only_what_their_filters_ask_for(tmp_path: Path, mail: MailSink) -> None:
    hook = 'url = "json://127.0.0.1:9/hook"'
    channels = [
        ('name = "material-only"', hook, 'severities = ["MATERIAL"]'),
        ('name = "other-vendor"', hook, 'tags = ["hardware"]'),
        ('name = "saas-incidents"', hook, 'tags = ["saas"]', 'events = ["incidents"]'),
    ]
    path = write_config(tmp_path, {})
    tables = "".join("[[alerts.channels]]\n" + "\n".join(keys) + "\n" for keys in channels)
    path.write_text(path.read_text().replace("[[vendors]]", tables + "[[vendors]]", 1))
    fetch = Recorder(load_settings(path))
    fetch(BASE)
    fetch(REWORDED)
    fetch(SELLS)
    fetch(None, "timeout")
    routed = [(r.channel, r.kind) for r in fetch.rows()]
    assert routed == [  # severities filter changes only; tags and events filter everything
        ("material-only", "change"),
        ("material-only", "incident_opened"),
        ("saas-incidents", "incident_opened"),
    ]


def test_test_alert_reports_each_channel(tmp_path: Path, mail: MailSink, slack: WebhookSink) -> None:
    mail.start()
    fetch = recorder(
        tmp_path, {"mail": mail.url, "team-slack": SLACK_URL, "down": "mailto://127.0.0.1:9?from=a@b.test"}
    )
    errors = send_test(fetch.config, ["mail", "team-slack", "down"])
    assert {name: error is None for name, error in errors.items()} == {"mail": True, "team-slack": True, "down": False}
    assert len(mail.messages) == 1 and len(slack.posts) == 1
    assert "Test alert for channel team-slack" in slack_text(slack.posts[0])
    result = monitor_cli(fetch.config.path or Path(), "test-alert", "down")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # one line
    assert "down" in result.stderr and "127.0.0.1:9" in result.stderr
    assert fetch.rows() == []  # a test message never enters the outbox, so it never counts against health


def test_channels_lists_masked_urls_and_the_kinds(tmp_path: Path) -> None:
    secret_mail = "mailtos://alerts:S3cretPassw0rd@smtp.acme.test?from=alerts@acme.test&to=privacy@acme.test"
    config = write_config(tmp_path, {"team-slack": SLACK_URL, "mail": secret_mail})
    result = monitor_cli(config, "channels")
    assert result.returncode == 0, result.stderr
    for kind in ("slack", "email", "apprise"):
        assert kind in result.stdout
    assert "Zq9secretWebhookToken42" not in result.stdout and "S3cretPassw0rd" not in result.stdout
    assert "smtp.acme.test" in result.stdout


def test_masking_hides_passwords_tokens_and_webhook_paths() -> None:
    assert "S3cret" not in mask_url("mailto://me:S3cretPw@smtp.acme.test?to=a@acme.test")
    assert "secretWebhook" not in mask_url(
        "https://hooks.slack.com/services/T1234ABCD/B5678EFGH/Zq9secretWebhookToken42"
    )
    assert mask_url("json://hooks.acme.test/very-secret-path") == "json://hooks.acme.test/****"
    said = redact("POST /services/T1234ABCD/B5678EFGH/Zq9secretWebhookToken42 failed", SLACK_URL)
    assert "Zq9secretWebhookToken42" not in said and "failed" in said


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        (
            'name = "a"\nurl = "slack://T1/not-a-token-S3cret"',
            "alerts.channels[0].url: Apprise cannot use this slack://",
        ),
        ('name = "a"\nurl = "nope://S3cret@x"', "alerts.channels[0].url: Apprise does not know the scheme 'nope'"),
        ('name = "a"\nurl = "json://h/x"\nvendors = ["ghost"]', "alerts.channels[0].vendors: unknown vendor 'ghost'"),
        ('name = "a"\nurl = "json://h/x"\nseverities = ["NOISE"]', "alerts.channels[0].severities[0]: "),
    ],
)
def test_bad_channels_are_one_line_errors_without_secrets(tmp_path: Path, channel: str, message: str) -> None:
    path = write_config(tmp_path, {})
    path.write_text(path.read_text().replace("[[vendors]]", f"[[alerts.channels]]\n{channel}\n[[vendors]]", 1))
    with pytest.raises(ConfigError) as failure:
        load_settings(path)
    assert message in str(failure.value) and "S3cret" not in str(failure.value)
    assert "\n" not in str(failure.value)


def test_an_alert_is_committed_with_its_change_or_not_at_all(tmp_path: Path) -> None:
    fetch = recorder(tmp_path, {"hook": "json://127.0.0.1:9/hook"})
    fetch(BASE)
    with pytest.raises(RuntimeError), session_scope(fetch.engine) as session:
        document = fetch.config.vendors[0].documents[0]
        result = FetchResult(
            key="1", requested_url=DOC_URL, final_url=DOC_URL, outcome="ok", status=200, body=page(SELLS)
        )
        record_fetch(session, fetch.app.events, fetch.document_id, document, result, fetch.config.changes)
        assert len(session.exec(select(Outbox)).all()) == 1
        raise RuntimeError("the process dies before the commit")
    with Session(fetch.engine) as session:
        assert session.exec(select(Change)).all() == [] and fetch.rows() == []


def test_chat_messages_keep_to_a_budget_and_say_how_many_more() -> None:
    long = " ".join(f"word{i}" for i in range(200))
    sentences = tuple(
        Sentence("modified", "Sharing", ((0, long), (-1, f"old{i}"), (1, f"new{i}"), (0, long))) for i in range(7)
    )
    message = Message("change", "[policy-monitor] MATERIAL: x", "Acme privacy policy", "headline", "MATERIAL",
                      sentences=sentences)  # fmt: skip
    attachment = to_slack(message)
    said = json.dumps(attachment, ensure_ascii=False)
    assert len(said) < 6000 and len(attachment["blocks"]) <= 50
    assert "and 4 more changes" in said and "~old2~ *new2*" in said and "old3" not in said
    assert "… word192" in said and "word100" not in said  # unchanged words clipped around the change
    assert to_text(message).count("{+new") == 7  # e-mail shows every sentence up to its larger cap
