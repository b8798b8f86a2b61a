"""The result of fetching one document, as streamed from the child: a JSON header line, then the raw body."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

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
    the body came from the browser; ``skeleton`` is the body's :func:`~crawler.skeleton.skeleton_hash`
    for a page fetched fine.
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
    skeleton: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome kind {self.outcome!r}")
        if self.fetched_at.utcoffset() is None:
            raise ValueError("fetched_at must be timezone-aware")

    def to_frame(self) -> bytes:
        """Serialise to one frame: a line of JSON (the body's length in place of the body, fetched_at in
        ISO 8601), then the body's raw bytes; no base64, so neither side encodes a large body."""
        data = asdict(self)
        data["body"] = None if self.body is None else len(self.body)
        data["fetched_at"] = self.fetched_at.isoformat()
        header = json.dumps(data, separators=(",", ":")).encode()
        return b"%b\n%b" % (header, self.body or b"")

    @classmethod
    def read_frame(cls, stream: BinaryIO) -> FetchResult | None:
        """Read a frame written by :meth:`to_frame`; None at the end of the stream.

        Raises ValueError for a line that is not a frame's header, or a body cut short.
        """
        line = stream.readline()
        if not line:
            return None
        try:
            data = json.loads(line)
            length = data.pop("body")
            fetched_at = datetime.fromisoformat(data.pop("fetched_at"))
            body = None if length is None else stream.read(length)
            if body is not None and len(body) != length:
                raise ValueError(f"the body ends after {len(body)} of its {length} bytes")
            return cls(**data, body=body, fetched_at=fetched_at)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a fetch result: {exc!r}") from exc
