"""Outcome kinds of a fetch, and the classification of responses and failures into them.

Each kind is a small class registered in :data:`OUTCOMES` under its ``kind`` (see
:mod:`crawler.kinds`); its docstring says in one line what it means. Failures are matched on the dotted names of
exception classes, so this module imports neither Scrapy nor Twisted and the parent
process can use it cheaply.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, ClassVar

from crawler.botwall import bot_wall_marker
from crawler.kinds import Kind, Registry

if TYPE_CHECKING:
    from collections.abc import Iterator

    from twisted.python.failure import Failure

#: Every outcome kind, by name, in definition order.
OUTCOMES: Registry[type[Outcome]] = Registry("outcomes", "Fetch outcomes")

_MAX_MESSAGE = 300


class Outcome(Kind, registry=OUTCOMES):
    """Base class of outcome kinds; subclasses register themselves."""

    inaccessible: ClassVar[bool] = True
    #: Dotted names of the exception classes (or their bases) that mean this outcome.
    exceptions: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def matches(cls, exc: BaseException) -> bool:
        """Whether the exception ``exc`` means this outcome."""
        return any(_dotted_name(klass) in cls.exceptions for klass in type(exc).__mro__)


class Ok(Outcome):
    """The page was fetched and looks like real content."""

    kind = "ok"
    inaccessible = False


class HttpError(Outcome):
    """The server answered with an HTTP error status (400 or above), after retries."""

    kind = "http_error"


class BotWall(Outcome):
    """The server answered 2xx with a captcha or bot-challenge page instead of the content."""

    kind = "bot_wall"


class RenderUnavailable(Outcome):
    """The page needs a browser (render = true, or a 403/406/502 or bot wall) but rendering is off or not installed."""

    kind = "render_unavailable"


class TooLarge(Outcome):
    """The body was larger than max_bytes, so the download was cancelled."""

    kind = "too_large"
    exceptions = ("scrapy.exceptions.DownloadCancelledError",)

    @classmethod
    def matches(cls, exc: BaseException) -> bool:
        """Also match the IgnoreRequest raised when a compressed body inflates past the limit."""
        return super().matches(exc) or _is_ignored_because(exc, "DOWNLOAD_MAXSIZE")


class RobotsForbidden(Outcome):
    """robots.txt forbids fetching the URL, so no request was made."""

    kind = "robots_forbidden"

    @classmethod
    def matches(cls, exc: BaseException) -> bool:
        """Match the IgnoreRequest raised by Scrapy's RobotsTxtMiddleware."""
        return _is_ignored_because(exc, "robots.txt")


class TooManyRedirects(Outcome):
    """The server kept redirecting (a loop, or a chain longer than Scrapy's 20 redirects)."""

    kind = "too_many_redirects"

    @classmethod
    def matches(cls, exc: BaseException) -> bool:
        """Match the IgnoreRequest raised by Scrapy's RedirectMiddleware."""
        return _is_ignored_because(exc, "max redirections")


class BadRedirect(Outcome):
    """The server redirected to a URL that is not http(s) (file:, ftp:, ...), which is never followed."""

    kind = "bad_redirect"


class Timeout(Outcome):
    """The server did not answer within the download timeout, after retries."""

    kind = "timeout"
    exceptions = (
        "scrapy.exceptions.DownloadTimeoutError",
        "twisted.internet.error.TimeoutError",
        "twisted.internet.error.TCPTimedOutError",
        "builtins.TimeoutError",
    )


class ConnectionRefused(Outcome):
    """Nothing accepted the connection (closed port or host down)."""

    kind = "connection_refused"
    exceptions = (
        "scrapy.exceptions.DownloadConnectionRefusedError",
        "twisted.internet.error.ConnectionRefusedError",
        "builtins.ConnectionRefusedError",
    )


class DnsError(Outcome):
    """The host name could not be resolved."""

    kind = "dns_error"
    exceptions = (
        "scrapy.exceptions.CannotResolveHostError",
        "twisted.internet.error.DNSLookupError",
        "socket.gaierror",
    )


class TlsError(Outcome):
    """The TLS (HTTPS) handshake failed."""

    kind = "tls_error"
    exceptions = ("OpenSSL.SSL.Error", "ssl.SSLError")


class ConnectionLost(Outcome):
    """The connection was closed or reset before the whole response arrived."""

    kind = "connection_lost"
    exceptions = (
        "twisted.internet.error.ConnectionClosed",
        "twisted.web.http._DataLoss",
        "scrapy.exceptions.ResponseDataLossError",
        "builtins.ConnectionResetError",
    )


class Error(Outcome):
    """Any other failure (bad URL, unsupported scheme, too many redirects, internal error)."""

    kind = "error"


class NotFetched(Outcome):
    """The crawler ended without reporting the document (crash or hard timeout)."""

    kind = "not_fetched"


def describe_response(status: int, body: bytes, location: str | None = None) -> tuple[str, str | None]:
    """Outcome kind of a response and a one-line error message (None when it is ok).

    A redirect that reaches here with its ``location`` was not followed: Scrapy follows http(s) ones only.
    """
    if status >= 400:
        return HttpError.kind, f"HTTP {status} {_reason_phrase(status)}".rstrip()
    if 300 <= status < 400 and location:
        shown = location if len(location) <= 200 else location[:199] + "…"
        return BadRedirect.kind, f"HTTP {status} redirect to {shown!r}, not followed: only http(s) URLs are fetched"
    marker = bot_wall_marker(body) if 200 <= status < 300 else None
    if marker is not None:
        return BotWall.kind, f"HTTP {status} page looks like a bot wall (marker {marker!r})"
    return Ok.kind, None


def classify_failure(failure: Failure) -> tuple[str, str]:
    """Outcome kind of a failed download and a one-line message saying what happened.

    The exception and what it wraps (``__cause__``, ``__context__``, the ``reasons``
    of Twisted's ResponseFailed) are searched, outermost first, for one that means a
    specific kind; otherwise the kind is ``error``, described by the innermost one.
    """
    chain = list(_exception_chain(failure.value))
    for exc in chain:
        for outcome in OUTCOMES.values():
            if outcome.matches(exc):
                return outcome.kind, _message(exc, default=outcome.__doc__ or "")
    return Error.kind, _message(chain[-1], default=Error.__doc__ or "")


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [reason.value for reason in getattr(current, "reasons", None) or ()]
        pending.extend(e for e in (current.__cause__, current.__context__, *wrapped) if e is not None)


def _is_ignored_because(exc: BaseException, reason: str) -> bool:
    names = {_dotted_name(klass) for klass in type(exc).__mro__}
    return "scrapy.exceptions.IgnoreRequest" in names and reason in str(exc)


def _dotted_name(klass: type) -> str:
    return f"{klass.__module__}.{klass.__qualname__}"


def _message(exc: BaseException, *, default: str) -> str:
    name = type(exc).__name__
    if name == "Error":  # pyOpenSSL's: say which module's Error it is
        name = f"{type(exc).__module__.rsplit('.', 1)[-1]}.{name}"
    text = " ".join(str(exc).split()) or default
    message = f"{name}: {text}"
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 1] + "…"


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
