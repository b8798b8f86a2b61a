"""The crawl job handed to the child as JSON, and the one schema of the crawl settings.

:class:`FetchSettings` and :class:`RenderSettings` are the ``[crawl]`` and ``[render]`` tables of
the config file as well (``monitor.config`` embeds them), so the parent and the child share one set
of keys, checks and defaults. URLs are checked here, once, by :data:`HttpUrl`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_USER_AGENT = "policy-monitor/0.1 (+https://github.com/policy-monitor/policy-monitor)"


class JobError(ValueError):
    """The job is malformed."""


def check_http_url(url: str) -> str:
    """``url`` itself when it is an absolute http(s) URL without whitespace, else ValueError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if any(c.isspace() for c in url):
        raise ValueError(f"URL contains whitespace: {url!r}")
    return url


HttpUrl = Annotated[str, AfterValidator(check_http_url)]


class Schema(BaseModel):
    """Strict, frozen and closed: unknown keys and loose types (``"30"`` for 30) are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class FetchSettings(Schema):
    """How pages are fetched: politeness, timeouts and limits (the config's ``[crawl]`` table)."""

    user_agent: str = DEFAULT_USER_AGENT
    timeout: Annotated[float, Field(gt=0)] = 30.0
    delay: Annotated[float, Field(ge=0)] = 2.0
    concurrency_per_domain: Annotated[int, Field(ge=1, le=8)] = 1
    obey_robots_txt: bool = True
    autothrottle: bool = True
    retries: Annotated[int, Field(ge=0, le=10)] = 2
    max_bytes: Annotated[int, Field(gt=0)] = 10 * 1024 * 1024
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"

    @field_validator("user_agent")
    @classmethod
    def _contact(cls, value: str) -> str:
        if "http" not in value and "@" not in value:
            raise ValueError("the user agent should carry a contact URL or e-mail address")
        return value


class RenderSettings(Schema):
    """Fetching pages with headless Chromium (the optional ``render`` extra; the config's ``[render]``)."""

    enabled: bool = True
    chromium_path: Annotated[str, Field(min_length=1)] = "chromium"
    max_pages: Annotated[int, Field(ge=1, le=8)] = 2


class FetchRequest(Schema):
    """One page to fetch; ``key`` is the parent's opaque identifier for it.

    ``render`` asks for a browser (waiting for the CSS selector ``wait_for``, else for the network to
    go idle).
    """

    key: Annotated[str, Field(min_length=1)]
    url: HttpUrl
    headers: dict[str, str] = Field(default_factory=dict)
    render: bool = False
    wait_for: str = ""


class Job(Schema):
    """Settings plus the pages to fetch, with unique keys."""

    settings: FetchSettings = Field(default_factory=FetchSettings)
    render: RenderSettings = Field(default_factory=RenderSettings)
    documents: list[FetchRequest]

    @field_validator("documents")
    @classmethod
    def _unique_keys(cls, documents: list[FetchRequest]) -> list[FetchRequest]:
        keys = [doc.key for doc in documents]
        if len(set(keys)) != len(keys):
            raise ValueError("document keys must be unique")
        return documents


def parse_job(data: Any) -> Job:
    """Validate a job (a :class:`Job`, its JSON text, or the decoded JSON); raise JobError saying what is wrong."""
    if isinstance(data, Job):
        return data
    try:
        return Job.model_validate_json(data) if isinstance(data, str | bytes) else Job.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "job"
        raise JobError(f"{where}: {first['msg'].removeprefix('Value error, ')}") from None
