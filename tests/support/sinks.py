"""Loopback receivers for alerts: a real SMTP server (aiosmtpd) and an HTTP(S) server standing in for webhooks.

The demo shows what was sent through them, and the tests assert on it. With a `folder`, every
e-mail is also saved as a `.eml` file and every webhook post (Slack, Teams) as a `.json` file.
"""

from __future__ import annotations

import email
import email.policy
import ipaddress
import json
import socket
import ssl
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailSink:
    """An SMTP server on 127.0.0.1 that keeps every message it receives; it can be started late."""

    def __init__(self, folder: Path | None = None) -> None:
        self.port = free_port()
        self.folder = folder
        self.messages: list[EmailMessage] = []
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        """An Apprise URL for this server: plain SMTP, no login."""
        return f"mailto://127.0.0.1:{self.port}?from=Policy%20Monitor%3Cmonitor@alerts.test%3E&to=privacy@acme.test"

    def start(self) -> MailSink:
        """Start listening on `port`."""
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening (connections are refused again)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """aiosmtpd hook: keep the message."""
        content = envelope.original_content or b""
        self.messages.append(email.message_from_bytes(content, policy=email.policy.default))  # type: ignore[arg-type]
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{len(self.messages):03d}.eml").write_bytes(content)
        return "250 Message accepted for delivery"

    def __enter__(self) -> MailSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class WebhookSink:
    """An HTTP server on 127.0.0.1 that records the JSON bodies POSTed to it and answers `status`.

    With `tls`, it speaks HTTPS with a throw-away self-signed certificate (for services such as
    Teams Workflows, which Apprise only reaches over https; the channel URL then says `verify=no`).
    """

    def __init__(self, folder: Path | None = None, *, tls: bool = False) -> None:
        self.posts: list[dict[str, Any]] = []
        self.folder = folder
        self.status = 200
        self.headers: dict[str, str] = {}  # sent with every answer (a Retry-After, say)
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                sink.posts.append({"path": self.path, "json": json.loads(body)})
                if sink.folder is not None:
                    sink.folder.mkdir(parents=True, exist_ok=True)
                    (sink.folder / f"{len(sink.posts):03d}.json").write_bytes(body)
                answer = b"ok" if sink.status == 200 else b"internal_error"
                self.send_response(sink.status)
                self.send_header("Content-Length", str(len(answer)))
                for name, value in sink.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*_self_signed())
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return self._server.server_address[1]

    @property
    def base(self) -> str:
        """The webhook base URL to post to instead of hooks.slack.com."""
        return f"http://127.0.0.1:{self.port}/services"

    def __enter__(self) -> WebhookSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _self_signed() -> tuple[str, str]:
    """A certificate and key for 127.0.0.1 (cryptography, which Scrapy depends on), in a temporary folder."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="policy-monitor-tls-"))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_file), str(key_file)
