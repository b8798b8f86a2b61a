"""SQLModel tables: vendors, their documents, raw snapshots, extracted versions and crawl runs.

Every datetime is timezone-aware UTC (`UTCDateTime` stores naive UTC and gives back aware values,
so SQLite and PostgreSQL behave the same).  The schema is created and upgraded by Alembic
(`storage/migrations`); change it only together with a new migration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime column that only accepts aware values and always returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Vendor(SQLModel, table=True):
    """A company whose documents are watched; `id` is the slug from the config."""

    id: str = Field(primary_key=True, max_length=64)
    name: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Document(SQLModel, table=True):
    """One watched document of a vendor (privacy_policy, terms, ...)."""

    __table_args__ = (UniqueConstraint("vendor_id", "type"),)

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: str = Field(sa_column=Column(String(64), ForeignKey("vendor.id"), nullable=False, index=True))
    type: str = Field(max_length=64)
    url: str = Field(sa_type=Text)
    language: str | None = Field(default=None, max_length=16)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Blob(SQLModel, table=True):
    """A raw response body, stored once per SHA-256 of the uncompressed bytes (see `storage.blobs`).

    `compression` is `zstd`, `zlib` (older rows) or `zstd-delta`: compressed against the whole blob
    `base_sha256`, which `storage.retention` never removes while a delta needs it.
    """

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    compression: str = Field(default="zstd", max_length=16)
    base_sha256: str | None = Field(default=None, max_length=64)
    data: bytes = Field(sa_type=LargeBinary)


class CrawlRun(SQLModel, table=True):
    """One crawl cycle: which documents it set out to fetch, when it started and ended, how it ended."""

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default="running", max_length=16)
    trigger: str = Field(default="cli", max_length=16)
    planned: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None, sa_type=Text)


class Version(SQLModel, table=True):
    """A distinct extracted text of a document, with when it was first seen.

    When it was last seen is that of its newest snapshot (`storage.versions.last_seen`): an
    unchanged fetch writes its snapshot and nothing else.
    """

    __table_args__ = (
        UniqueConstraint("document_id", "seq"),
        Index("ix_version_current", "document_id", "seq", "policy_date"),  # the dashboard, without the texts
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=Column(Integer, ForeignKey("document.id"), nullable=False, index=True))
    seq: int
    text: str = Field(sa_type=Text)
    text_hash: str = Field(max_length=64, index=True)
    size: int
    lines_added: int = 0
    lines_removed: int = 0
    language: str | None = Field(default=None, max_length=16)
    dates: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    policy_date: str | None = Field(default=None, max_length=10)
    first_seen: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    kind: str = Field(default="content", max_length=16)  # content | technical
    reverts_to_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("version.id"), nullable=True))


class Snapshot(SQLModel, table=True):
    """One fetch of a document, whatever its outcome; `version_id` is the version its text gave."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=Column(Integer, ForeignKey("document.id"), nullable=False, index=True))
    crawl_run_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("crawlrun.id"), nullable=True, index=True)
    )
    fetched_at: datetime = Field(sa_type=UTCDateTime, index=True)
    requested_url: str = Field(sa_type=Text)
    final_url: str | None = Field(default=None, sa_type=Text)
    http_status: int | None = None
    content_type: str | None = Field(default=None, max_length=255)
    headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    body_sha256: str | None = Field(
        default=None, sa_column=Column(String(64), ForeignKey("blob.sha256"), nullable=True, index=True)
    )
    outcome: str = Field(max_length=32, index=True)
    error: str | None = Field(default=None, sa_type=Text)
    elapsed_ms: int | None = None
    rendered: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # fetched by the browser
    version_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("version.id"), nullable=True, index=True)
    )
    decision: str | None = Field(default=None, max_length=24)
    reason: str | None = Field(default=None, sa_type=Text)
    # The body's skeleton hash with what extraction depends on (monitor.app.extraction.body_key).
    body_key: str | None = Field(default=None, max_length=64)


class Change(SQLModel, table=True):
    """A change of a document's current version, with its semantic diff and classification.

    `kind` is `new_version`, `reversion` (back to an earlier text, after it held) or `technical`
    (re-extraction after a code or config change; never alerted unless `flagged` for review).
    """

    __table_args__ = (
        Index("ix_change_document_kind", "document_id", "kind"),  # each document's latest change (dashboard)
        Index("ix_change_queue", "severity", "kind", "detected_at"),  # the review queue, newest first
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=Column(Integer, ForeignKey("document.id"), nullable=False, index=True))
    version_id: int = Field(sa_column=Column(Integer, ForeignKey("version.id"), nullable=False, index=True))
    previous_version_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("version.id"), nullable=True)
    )
    snapshot_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("snapshot.id"), nullable=True))
    detected_at: datetime = Field(sa_type=UTCDateTime, index=True)
    kind: str = Field(max_length=16)
    severity: str = Field(max_length=16, index=True)
    rules: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    headline: str = Field(default="", sa_type=Text)
    notes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    classification: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    diff: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    flagged: bool = False


class Incident(SQLModel, table=True):
    """A period during which a document could not be read (error, bot wall, not the policy any more).

    At most one is open per document; it closes on the next good fetch.
    """

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=Column(Integer, ForeignKey("document.id"), nullable=False, index=True))
    kind: str = Field(max_length=32)
    reason: str = Field(sa_type=Text)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    first_snapshot_id: int = Field(sa_column=Column(Integer, ForeignKey("snapshot.id"), nullable=False))
    last_snapshot_id: int = Field(sa_column=Column(Integer, ForeignKey("snapshot.id"), nullable=False))
    fetches: int = 1


class Outbox(SQLModel, table=True):
    """One alert for one channel, written in the transaction of the event that causes it.

    `kind` is `change`, `reversion`, `incident_opened`, `incident_resolved`, `review` (a REVIEW change
    waiting for its channel's digest), `digest` or `operations` (a message for the operators). `status` is
    `queued`, `sent`, `failed` (after the last attempt), `dismissed` (a failure the operator let go) or
    `digested` (a review row sent inside the digest `digest_id`). `payload` is the message as rendered for
    the channel when queued, so a retry sends exactly the same message, with the same `message_id`.
    `fingerprint` is that of the channel's configuration the row was last tried with: a failed row is
    queued again, once, when the channel's configuration changes.
    """

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=24)
    change_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("change.id"), nullable=True))
    incident_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("incident.id"), nullable=True))
    digest_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("outbox.id"), nullable=True))
    status: str = Field(default="queued", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime, index=True)
    last_error: str | None = Field(default=None, sa_type=Text)
    message_id: str = Field(max_length=255)
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    fingerprint: str | None = Field(default=None, max_length=64)


class ChannelState(SQLModel, table=True):
    """An alert channel's circuit: failures in a row, since when it is paused and when it is probed next.

    `fingerprint` is that of the channel's configuration the failures were counted under: an edited
    channel starts again closed.
    """

    name: str = Field(primary_key=True, max_length=64)
    fingerprint: str | None = Field(default=None, max_length=64)
    failures: int = 0
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    probe_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Label(SQLModel, table=True):
    """A person's verdict on a version (the change that made it), next to the machine's severity.

    Several labels may exist for one version (people disagree, or change their minds): the newest
    one counts.
    """

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=Column(Integer, ForeignKey("document.id"), nullable=False, index=True))
    version_id: int = Field(sa_column=Column(Integer, ForeignKey("version.id"), nullable=False, index=True))
    change_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("change.id"), nullable=True))
    verdict: str = Field(max_length=16)  # MATERIAL | REVIEW | NOISE
    machine: str | None = Field(default=None, max_length=16)  # the change's severity when labelled
    author: str = Field(max_length=128)
    note: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Review(SQLModel, table=True):
    """A person's handling of a change in the review queue: reviewed, dismissed or escalated, with a note.

    A change may be handled several times (escalated, then reviewed): the newest row counts.
    """

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(sa_column=Column(Integer, ForeignKey("change.id"), nullable=False, index=True))
    status: str = Field(max_length=16)  # reviewed | dismissed | escalated
    note: str | None = Field(default=None, sa_type=Text)
    author: str = Field(max_length=128)
    via: str = Field(default="cli", max_length=16)  # cli | web
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
