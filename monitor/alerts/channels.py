"""Alert channels: Apprise URLs, the registered kinds that send to them, and masking of their secrets.

A channel's kind follows from the Apprise service its URL names: Slack gets Block Kit, e-mail gets
an HTML message with a plain-text part and a stable Message-ID, Microsoft Teams an Adaptive Card
(:mod:`monitor.alerts.teams`), and anything else Apprise supports gets plain text (the explicit
:data:`FALLBACK`). Each kind is a small class registered in :data:`CHANNELS` (its docstring says what
it sends); third-party kinds come from the ``policy_monitor.channels`` entry-point group. Apprise
writes raw URLs into its log lines, so its logger does not propagate: what it says
about a delivery reaches us through the notify result, with the URL's secrets masked.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import apprise
import requests.sessions
from apprise.exception import AppriseException
from apprise.plugins.email import NotifyEmail
from apprise.plugins.email.smtp import SMTP_EXCEPTIONS, AppriseSMTPController
from apprise.plugins.slack import NotifySlack

from crawler.kinds import Kind, Registry
from monitor.alerts.formats import CHAT_SENTENCES, to_html, to_slack, to_text
from monitor.alerts.messages import Message

logging.getLogger("apprise").propagate = False

MASK = "****"
#: Post Slack webhooks to this base URL instead of hooks.slack.com: for Slack-compatible servers and for
#: the demo's loopback capture server, which must receive what the daemon's cycle processes send.
SLACK_ENDPOINT_ENV = "POLICY_MONITOR_SLACK_ENDPOINT"
_PIECES = re.compile(r"[/:@?&=#,;+ ]+")


def _plugin(url: str) -> Any:
    """The Apprise service object for ``url``, or None when Apprise does not accept it."""
    return apprise.Apprise.instantiate(url)


def url_problem(url: str) -> str | None:
    """Why Apprise refuses ``url`` (one line that never repeats the URL), or None when it accepts it."""
    if _plugin(url) is not None:
        return None
    scheme = urlsplit(url).scheme if "://" in url else ""
    if not scheme:
        return "not an Apprise URL (such as slack://..., mailto://... or https://hooks.slack.com/...)"
    if scheme.lower() not in _schemes():
        return f"Apprise does not know the scheme {scheme!r}"
    return f"Apprise cannot use this {scheme}:// URL: a part is missing or malformed (see appriseit.com)"


def _schemes() -> set[str]:
    services = apprise.Apprise().details()["schemas"]
    return {
        scheme for service in services for key in ("protocols", "secure_protocols") for scheme in service[key] or ()
    }


def mask_url(url: str) -> str:
    """The URL with passwords, tokens and webhook paths replaced by ``****`` (Apprise's privacy form)."""
    plugin = _plugin(url)
    if plugin is None:
        return "(a URL Apprise does not accept)"
    private = urlsplit(plugin.url(privacy=True))
    segments = [_masked_segment(s) for s in private.path.split("/") if s]
    return f"{private.scheme}://{private.netloc}" + "".join(f"/{s}" for s in segments)


def _masked_segment(segment: str) -> str:
    """Keep what Apprise already shortened (``a...x``), channels, users and e-mail addresses."""
    plain = unquote(segment)
    return plain if "..." in plain or plain.startswith(("#", "@")) or "@" in plain else MASK


def secrets_of(url: str) -> set[str]:
    """The pieces of ``url`` that :func:`mask_url` hides (passwords, tokens, webhook paths), quoted and not."""
    shown = mask_url(url)
    secrets = {piece for piece in _PIECES.split(url) if len(piece) >= 4 and piece not in shown}
    return secrets | {unquote(piece) for piece in secrets}


def redact(text: str, url: str) -> str:
    """``text`` with every piece of ``url`` that :func:`mask_url` hides replaced by ``****``."""
    for secret in sorted(secrets_of(url), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


CHANNELS: Registry[type[Channel]] = Registry("channels", "Alert channel kinds (chosen by the URL's Apprise service)")


@contextmanager
def http_answers() -> Iterator[list[requests.Response]]:
    """The HTTP responses `requests` receives inside the block, in order.

    Apprise only says whether a post worked; a service's `Retry-After` (a 429, a 503) must still be
    honoured, so its sessions get a response hook while the block runs (requests has no global hook;
    a process sends one alert at a time).
    """
    answers: list[requests.Response] = []
    default_hooks = requests.sessions.default_hooks

    def hooks() -> dict[str, list[Any]]:
        return {"response": [lambda response, *_, **__: answers.append(response)]}

    requests.sessions.default_hooks = hooks
    try:
        yield answers
    finally:
        requests.sessions.default_hooks = default_hooks


def retry_after(answers: list[requests.Response], now: datetime | None = None) -> float | None:
    """The seconds the last 429 or 503 answer asked to wait before the next attempt (its `Retry-After`:
    seconds or an HTTP date), or None."""
    last = next((a for a in reversed(answers) if a.status_code in (429, 503)), None)
    value = last.headers.get("Retry-After", "").strip() if last is not None else ""
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class Channel(Kind, registry=CHANNELS):
    """A configured channel: its name, its Apprise URL and service, and how it formats and sends.

    After a failed `send`, `retry_after` holds the seconds the service asked to wait (`Retry-After`), if any.
    """

    def __init__(self, name: str, url: str, plugin: Any) -> None:
        self.name, self.url, self.plugin = name, url, plugin
        self.retry_after: float | None = None

    @classmethod
    def accepts(cls, plugin: Any) -> bool:
        """Whether this kind handles the Apprise service ``plugin``."""
        raise NotImplementedError

    def payload(self, message: Message) -> dict[str, Any]:
        """The message as this kind sends it (stored in the outbox, so retries send the same thing)."""
        raise NotImplementedError

    def send(self, payload: dict[str, Any], message_id: str) -> str | None:
        """Deliver a payload: None when done, else what went wrong (one line, secrets masked)."""
        raise NotImplementedError

    def new_message_id(self) -> str:
        """A fresh Message-ID for an alert (kept with it, so a resent alert carries the same one)."""
        return f"<{uuid.uuid4().hex}@policy-monitor.invalid>"

    @property
    def masked_url(self) -> str:
        """The URL safe to show."""
        return mask_url(self.url)

    def _notify(self, plugin: Any, title: str, body: str, body_format: str) -> str | None:
        notifier = apprise.Apprise()
        notifier.add(plugin)
        with http_answers() as answers:
            result = notifier.notify(title=title, body=body, body_format=body_format)
        self.retry_after = None
        if bool(result):
            return None
        said = [entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR")]
        error = said[-1] if said else f"{self.kind} delivery failed"
        self.retry_after = retry_after(answers)
        if self.retry_after is not None:
            error += f" (the service asks to wait {self.retry_after:g} s: Retry-After)"
        return self._error(error)

    def _notify_with_template(self, content: dict[str, Any], title: str, body: str) -> str | None:
        """Post `content` as the JSON template of an Apprise service that takes one (Slack, Workflows)."""
        with tempfile.TemporaryDirectory(prefix="policy-monitor-") as folder:
            template = Path(folder) / "template.json"
            template.write_text(json.dumps(content), encoding="utf-8")
            plugin = _plugin({**type(self.plugin).parse_url(self.plugin.url()), "template": str(template)})
            self.prepare(plugin)
            return self._notify(plugin, title, body, apprise.NotifyFormat.TEXT)

    def prepare(self, plugin: Any) -> None:
        """Adjust the Apprise service object just before a template is posted through it (nothing by default)."""

    def _error(self, text: str) -> str:
        return redact(" ".join(text.split()), self.url)


class SlackChannel(Channel):
    """Slack (slack://... or a hooks.slack.com webhook): Block Kit with the changed sentences, sized for chat."""

    kind = "slack"

    @classmethod
    def accepts(cls, plugin: Any) -> bool:
        return isinstance(plugin, NotifySlack)

    def payload(self, message: Message) -> dict[str, Any]:
        return {"title": message.subject, "attachment": to_slack(message)}

    def send(self, payload: dict[str, Any], message_id: str) -> str | None:
        # Apprise posts custom Block Kit from a template file: the attachment is that file.
        return self._notify_with_template(payload["attachment"], payload["title"], payload["attachment"]["fallback"])

    def prepare(self, plugin: Any) -> None:
        if endpoint := os.environ.get(SLACK_ENDPOINT_ENV):
            plugin.webhook_url = endpoint


class EmailChannel(Channel):
    """E-mail (mailto://, mailtos://): HTML with <del>/<ins> word highlights, plain text, a stable Message-ID.

    Apprise reads the URL (server, security mode, login, sender, recipients) and holds the SMTP
    session; the message itself is built here, so its plain-text part and Message-ID are ours.
    """

    kind = "email"

    @classmethod
    def accepts(cls, plugin: Any) -> bool:
        return type(plugin) is NotifyEmail

    def payload(self, message: Message) -> dict[str, Any]:
        return {"subject": message.subject, "text": to_text(message), "html": to_html(message)}

    def new_message_id(self) -> str:
        domain = self.plugin.from_addr[1].rpartition("@")[2] or "policy-monitor.invalid"
        return f"<{uuid.uuid4().hex}@{domain}>"

    def mime(self, payload: dict[str, Any], message_id: str, recipient: str) -> EmailMessage:
        """The message for one recipient: multipart/alternative, the plain-text part first."""
        mail = EmailMessage()
        mail["Subject"] = payload["subject"]
        mail["From"] = formataddr(self.plugin.from_addr)
        mail["To"] = recipient
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = message_id
        mail["X-Application"] = "policy-monitor"
        mail.set_content(payload["text"], cte="quoted-printable")  # short lines, whatever the text
        mail.add_alternative(payload["html"], subtype="html", cte="quoted-printable")
        return mail

    def wire(self, payload: dict[str, Any], message_id: str, recipient: str) -> bytes:
        """The message as sent over SMTP (CRLF line ends)."""
        return self.mime(payload, message_id, recipient).as_bytes(policy=SMTP)

    def send(self, payload: dict[str, Any], message_id: str) -> str | None:
        email = self.plugin
        recipients = [address for _, address in email.targets]
        try:
            with AppriseSMTPController(
                host=email.smtp_host,
                port=email.port,
                secure_mode=email.secure_mode,
                user=email.user,
                password=email.password,
                verify_certificate=email.verify_certificate,
                socket_connect_timeout=email.socket_connect_timeout,
            ) as smtp:
                refused = [
                    to
                    for to in recipients
                    if not smtp.sendmail(email.from_addr[1], [to], self.wire(payload, message_id, to))
                ]
        except (*SMTP_EXCEPTIONS, AppriseException) as exc:
            return self._error(f"cannot send through {email.smtp_host}:{email.port}: {exc}")
        return self._error(f"the server did not accept the message for {', '.join(refused)}") if refused else None


class AppriseChannel(Channel):
    """Any other service Apprise supports (Discord, ntfy, Telegram, ...): the message as plain text (the fallback)."""

    kind = "apprise"

    @classmethod
    def accepts(cls, plugin: Any) -> bool:
        return True

    def payload(self, message: Message) -> dict[str, Any]:
        return {"title": message.subject, "body": to_text(message, limit=CHAT_SENTENCES)}

    def send(self, payload: dict[str, Any], message_id: str) -> str | None:
        return self._notify(self.plugin, payload["title"], payload["body"], apprise.NotifyFormat.TEXT)


#: The kind of a channel whose service no other kind accepts.
FALLBACK = AppriseChannel


def open_channel(name: str, url: str) -> Channel:
    """The channel of the registered kind that accepts the URL's Apprise service, else of :data:`FALLBACK`."""
    plugin = _plugin(url)
    if plugin is None:
        raise ValueError(f"channel {name!r}: {url_problem(url)}")
    kind = next((cls for cls in CHANNELS.values() if cls is not FALLBACK and cls.accepts(plugin)), FALLBACK)
    return kind(name, url, plugin)
