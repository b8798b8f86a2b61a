"""Which documents are due: their schedule, from when they were last fetched, says fetch now.

The planner of the `procrastinate` queue defers one job per host for the documents due now, and the
job checks again, under its host's lock, which of them are still due (so a retried or doubled job
never fetches a document twice in one period); `monitor status` names the oldest due document in
both modes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from monitor.app.context import App
from monitor.app.cycle import PlannedDocument, plan
from monitor.app.schedule import trigger_for
from monitor.schedules import Interval, parse_schedule
from storage.db import session_scope
from storage.fetches import last_fetched

NEVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Due:
    """A document that is due, and since when."""

    document: PlannedDocument
    since: datetime

    @property
    def host(self) -> str:
        """The host (and port) its URL names: politeness is kept per host."""
        return urlsplit(self.document.config.url).netloc.lower()


def due_at(schedule: str, last: datetime | None) -> datetime:
    """When a document on `schedule` last fetched at `last` (None: never) is due next."""
    if last is None:
        return NEVER
    parsed = parse_schedule(schedule)
    if isinstance(parsed, Interval):
        return last + timedelta(seconds=parsed.seconds)
    fire = trigger_for(schedule).get_next_fire_time(None, last + timedelta(seconds=1))
    return fire or datetime.max.replace(tzinfo=UTC)


def due_documents(app: App, now: datetime | None = None, document_ids: Sequence[int] | None = None) -> list[Due]:
    """The documents (all, or those of `document_ids`) due at `now`, the longest due first."""
    now = now or datetime.now(UTC)
    planned = plan(app)
    if document_ids is not None:
        wanted = set(document_ids)
        planned = [p for p in planned if p.document_id in wanted]
    with session_scope(app.engine) as session:
        last = last_fetched(session, [p.document_id for p in planned])
    default = app.config.crawl.default_schedule
    due = [Due(p, due_at(p.config.schedule or default, last.get(p.document_id))) for p in planned]
    return sorted((d for d in due if d.since <= now), key=lambda d: (d.since, d.document.document_id))


def by_host(due: Sequence[Due]) -> dict[str, list[int]]:
    """The due documents' ids grouped by host."""
    hosts: dict[str, list[int]] = {}
    for item in due:
        hosts.setdefault(item.host, []).append(item.document.document_id)
    return hosts
