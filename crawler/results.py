"""The result of fetching one document, as streamed from the child as a JSON line."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from crawler.outcomes import OUTCOMES

#: Response headers kept in :attr:`FetchResult.headers` (lowercase names).
SELECTED_HEADERS = (
    "content-type",
    "content-language",
    "etag",
    "last-modified",
    "cache-control",
    "content-length",
    "date",
    "server",
    "location",
    "x-robots-tag",
)


@dataclass(frozen=True, kw_only=True)
class FetchResult:
    """What happened when one document of the job was fetched.

    ``body`` holds the raw bytes exactly as received (error pages included), never
    decoded; ``final_url`` is the URL of the last request made, after redirects and
    meta refreshes (the requested URL when no request was made); ``rendered`` says whether
    the body came from the browser.
    """

    key: str
    requested_url: str
    final_url: str
    outcome: str
    status: int | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error: str | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    elapsed_ms: int | None = None
    rendered: bool = False

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome kind {self.outcome!r}")
        if self.fetched_at.utcoffset() is None:
            raise ValueError("fetched_at must be timezone-aware")

    def to_json(self) -> str:
        """Serialise to one line of JSON (body in base64, fetched_at in ISO 8601)."""
        data = asdict(self)
        data["body"] = None if self.body is None else base64.b64encode(self.body).decode("ascii")
        data["fetched_at"] = self.fetched_at.isoformat()
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> FetchResult:
        """Parse a line written by :meth:`to_json`; raise ValueError if it is not one."""
        try:
            data = json.loads(line)
            body = data.pop("body")
            fetched_at = datetime.fromisoformat(data.pop("fetched_at"))
            return cls(
                **data,
                body=None if body is None else base64.b64decode(body, validate=True),
                fetched_at=fetched_at,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a fetch result: {exc!r}") from exc
