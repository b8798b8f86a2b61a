"""Logging set-up: one line per event, quiet by default, JSON lines on request, secrets never written."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from typing import Literal

LogFormat = Literal["text", "json"]
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
_hidden: tuple[str, ...] = ()  # longest first


def hide(secrets: Iterable[str]) -> None:
    """Write ``****`` instead of these strings in every log line from now on (channel passwords, tokens).

    Libraries log what they are given (urllib3 the webhook path it posts to, at debug level), so the
    formatters mask the configured secrets whoever wrote the line (the JSON lines' tracebacks included).
    """
    global _hidden
    _hidden = tuple(sorted({*_hidden, *(secret for secret in secrets if secret)}, key=len, reverse=True))


def _masked(line: str) -> str:
    for secret in _hidden:
        line = line.replace(secret, "****")
    return line


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD}


class TextFormatter(logging.Formatter):
    """`time level logger: message key=value ...`."""

    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        line = f"{self.formatTime(record)} {record.levelname.lower()} {record.name}: {record.getMessage()}"
        return _masked(f"{line} {extra}".rstrip())


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the event's extra fields at the top level."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": self.formatTime(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return _masked(json.dumps(payload, default=str))


def configure_logging(verbosity: int = 0, fmt: LogFormat = "text") -> None:
    """Send logs to stderr: warnings only by default, info with -v, debug with -vv."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
