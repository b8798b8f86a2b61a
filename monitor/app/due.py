"""When documents are due: their schedule, from when they were last fetched, says fetch now.

The planner of the `procrastinate` queue (`monitor.app.queue`) defers jobs for the documents due
now; `monitor status` names the document due the longest, in both modes. Free of the crawling code,
so that `status` stays quick to start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.app.context import App
from monitor.app.schedule import trigger_for
from monitor.schedules import Interval, parse_schedule
from storage.db import session_scope
from storage.documents import all_documents
from storage.fetches import last_fetched

NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def due_at(schedule: str, last: datetime | None) -> datetime:
    """When a document on `schedule` last fetched at `last` (None: never) is due next."""
    if last is None:
        return NEVER
    parsed = parse_schedule(schedule)
    if isinstance(parsed, Interval):
        return last + timedelta(seconds=parsed.seconds)
    fire = trigger_for(schedule).get_next_fire_time(None, last + timedelta(seconds=1))
    return fire or datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class OldestDue:
    """The document that has been due the longest (`monitor status`)."""

    vendor_id: str
    document_type: str
    due_since: datetime | None  # None: never fetched


def due_times(app: App, schedules: Mapping[int, str | None]) -> dict[int, datetime]:
    """When each document (its id -> its configured schedule, None: the default) is next due."""
    with session_scope(app.engine) as session:
        last = last_fetched(session, list(schedules))
    default = app.config.crawl.default_schedule
    return {
        document_id: due_at(schedule or default, last.get(document_id)) for document_id, schedule in schedules.items()
    }


def oldest_due(app: App, now: datetime | None = None) -> OldestDue | None:
    """The configured document due the longest at `now`, read without writing (a never-fetched one first)."""
    now = now or datetime.now(UTC)
    with session_scope(app.engine) as session:
        ids = {(d.vendor_id, d.type): d.id for d in all_documents(session) if d.id is not None}
    configured = [(vendor.id, doc) for vendor in app.config.vendors for doc in vendor.documents]
    times = due_times(app, {ids[(v, doc.type)]: doc.schedule for v, doc in configured if (v, doc.type) in ids})
    due = [(times.get(ids.get((v, doc.type), -1), NEVER), v, doc.type) for v, doc in configured]
    since, vendor_id, doc_type = min(due, default=(now + timedelta(seconds=1), "", ""))
    if since > now:
        return None
    return OldestDue(vendor_id, doc_type, None if since == NEVER else since)
