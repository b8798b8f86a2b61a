"""The crawl job handed to the child as JSON: its shape and its validation."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar
from urllib.parse import urlsplit

_T = TypeVar("_T")

# JSON types accepted for each field annotation (bool is never accepted as a number).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "float": (int, float),
    "int": (int,),
    "bool": (bool,),
    "dict[str, str]": (dict,),
}


class JobError(ValueError):
    """The job is malformed."""


@dataclass(frozen=True)
class CrawlSettings:
    """How to crawl; the job's ``settings`` object (missing keys take these defaults)."""

    user_agent: str = "policy-monitor/0.1"
    timeout: float = 30.0
    delay: float = 1.0
    concurrency_per_domain: int = 1
    obey_robots_txt: bool = True
    retries: int = 2
    max_bytes: int = 10 * 1024 * 1024
    autothrottle: bool = True
    log_level: str = "WARNING"
    #: Whether a browser may be used (for ``render`` documents and as the fallback; see crawler.render).
    render: bool = False
    #: The Chromium executable: a path, or a name looked up on PATH.
    chromium_path: str = "chromium"
    #: Browser tabs open at once.
    render_max_pages: int = 2

    def __post_init__(self) -> None:
        for name, valid in (
            ("timeout", self.timeout > 0),
            ("delay", self.delay >= 0),
            ("concurrency_per_domain", self.concurrency_per_domain >= 1),
            ("retries", self.retries >= 0),
            ("max_bytes", self.max_bytes >= 1),
            ("render_max_pages", self.render_max_pages >= 1),
            ("log_level", isinstance(logging.getLevelNamesMapping().get(self.log_level), int)),
        ):
            if not valid:
                raise JobError(f"settings.{name}: invalid value {getattr(self, name)!r}")


@dataclass(frozen=True)
class Document:
    """One page to fetch; ``key`` is the parent's opaque identifier for it.

    ``render`` asks for a browser (waiting for the CSS selector ``wait_for``, else for the network to
    go idle).
    """

    key: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    render: bool = False
    wait_for: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            raise JobError("document key must not be empty")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise JobError(f"document {self.key!r}: not an http(s) URL: {self.url!r}")
        if not all(isinstance(v, str) for v in self.headers.values()):
            raise JobError(f"document {self.key!r}: header values must be strings")


@dataclass(frozen=True)
class Job:
    """Settings plus the documents to fetch, with unique keys."""

    settings: CrawlSettings
    documents: tuple[Document, ...]


def parse_job(data: Any) -> Job:
    """Validate the decoded JSON of a job; raise JobError saying what is wrong."""
    if not isinstance(data, dict) or set(data) - {"settings", "documents"}:
        raise JobError("a job is an object with 'settings' and 'documents'")
    settings = _build(CrawlSettings, data.get("settings", {}), "settings")
    raw_documents = data.get("documents")
    if not isinstance(raw_documents, list):
        raise JobError("'documents' must be a list")
    documents = tuple(_build(Document, raw, "document") for raw in raw_documents)
    keys = [doc.key for doc in documents]
    if len(set(keys)) != len(keys):
        raise JobError("document keys must be unique")
    return Job(settings=settings, documents=documents)


def _build(cls: type[_T], raw: Any, what: str) -> _T:
    """Instantiate the dataclass ``cls`` from a JSON object, checking key names and types."""
    if not isinstance(raw, dict):
        raise JobError(f"each {what} must be an object")
    types = {f.name: f.type for f in fields(cls)}
    if unknown := set(raw) - set(types):
        raise JobError(f"{what}: unknown keys {sorted(unknown)}")
    for name, value in raw.items():
        if not _has_type(value, types[name]):
            raise JobError(f"{what}.{name}: expected {types[name]}, got {value!r}")
    try:
        return cls(**raw)
    except TypeError as exc:  # a required key is missing
        raise JobError(f"{what}: {exc}") from exc


def _has_type(value: Any, annotation: str) -> bool:
    if isinstance(value, bool) and annotation != "bool":
        return False
    return isinstance(value, _JSON_TYPES[annotation])
