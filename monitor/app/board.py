"""The dashboard and the incidents: every watched document at a glance, in a few queries whatever their number.

The dashboard reads the latest fetch, the current version, the latest change and the open incident
of every document with one query each (no query per document), so that 1,000 documents stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlmodel import Session

from monitor.app.context import App, unknown_vendor
from monitor.app.reads import SEVERITIES, ChangeSummary
from monitor.app.reviews import QueueItem, queue_items, queue_size
from storage.documents import document_ids, get_vendor
from storage.fetches import latest_snapshots
from storage.incidents import open_incidents, vendor_incidents
from storage.models import Document, Incident
from storage.versions import current_versions, latest_changes

#: The changes people look at: technical ones (re-extractions) are left out.
CONTENT_KINDS = ("new_version", "reversion")


@dataclass(frozen=True)
class IncidentRow:
    """A period during which a document could not be read (open while `resolved_at` is None)."""

    id: int
    vendor_id: str
    document_type: str
    kind: str
    reason: str
    opened_at: datetime
    resolved_at: datetime | None
    fetches: int


@dataclass(frozen=True)
class BoardRow:
    """One watched document on the dashboard."""

    vendor_id: str
    vendor_name: str
    tags: tuple[str, ...]
    document_type: str
    url: str
    last_fetch: datetime | None
    outcome: str | None
    error: str | None
    current_seq: int | None
    policy_date: str | None
    latest: ChangeSummary | None  # the newest change that is not a re-extraction
    incident: IncidentRow | None  # the open one


@dataclass(frozen=True)
class Board:
    """The dashboard: the review queue first, then the documents (filtered by tag and latest severity)."""

    queue: tuple[QueueItem, ...]  # the newest of the queue
    queued: int  # how many changes the whole queue holds
    documents: tuple[BoardRow, ...]
    tags: tuple[str, ...]  # every tag of the config, to filter by
    tag: str | None
    severity: str | None


def dashboard(app: App, tag: str | None = None, severity: str | None = None, queue_limit: int = 50) -> Board:
    """The newest of the review queue and every document of the config (with `tag`, latest change of `severity`)."""
    if severity is not None and severity not in SEVERITIES:
        raise ValueError(f"a severity is one of {', '.join(SEVERITIES)}, not {severity!r}")
    with Session(app.engine) as session:
        stored = document_ids(session)
        snapshots = latest_snapshots(session)
        versions = current_versions(session)
        changes = latest_changes(session, CONTENT_KINDS)
        incidents = {i.document_id: _incident(i, document) for i, document in open_incidents(session)}
        rows = []
        for vendor in app.config.vendors:
            if tag is not None and tag not in vendor.tags:
                continue
            for doc in vendor.documents:
                key = stored.get((vendor.id, doc.type), -1)
                snapshot, version, change = snapshots.get(key), versions.get(key), changes.get(key)
                latest = _summary(change, vendor.id, doc.type) if change else None
                if severity is not None and (latest is None or latest.severity != severity):
                    continue
                rows.append(
                    BoardRow(
                        vendor.id,
                        vendor.name,
                        tuple(vendor.tags),
                        doc.type,
                        doc.url,
                        snapshot.fetched_at if snapshot else None,
                        snapshot.outcome if snapshot else None,
                        (snapshot.reason or snapshot.error) if snapshot else None,
                        version.seq if version else None,
                        version.policy_date if version else None,
                        latest,
                        incidents.get(key),
                    )
                )
        queue = queue_items(session, queue_limit)
        queued = queue_size(session)
    tags = sorted({t for vendor in app.config.vendors for t in vendor.tags})
    return Board(tuple(queue), queued, tuple(rows), tuple(tags), tag, severity)


def incidents(app: App, vendor_id: str | None = None) -> list[IncidentRow]:
    """The incidents of a vendor (all of them, newest first), or every open incident."""
    with Session(app.engine) as session:
        if vendor_id is None:
            return [_incident(incident, document) for incident, document in open_incidents(session)]
        if get_vendor(session, vendor_id) is None:
            raise unknown_vendor(app.config, vendor_id)
        return [_incident(incident, document) for incident, document in vendor_incidents(session, vendor_id)]


def _summary(row: Row[Any], vendor_id: str, document_type: str) -> ChangeSummary:
    """A row of `storage.versions.latest_changes` as a summary (unpacked: a thousand of them per page)."""
    change_id, _, _, _, detected_at, kind, severity, rules, headline, flagged, new_seq, old_seq = row
    return ChangeSummary(
        change_id, vendor_id, document_type, detected_at, kind, severity, tuple(rules), headline, bool(flagged),
        old_seq, new_seq,
    )  # fmt: skip


def _incident(incident: Incident, document: Document) -> IncidentRow:
    assert incident.id is not None
    return IncidentRow(
        incident.id,
        document.vendor_id,
        document.type,
        incident.kind,
        incident.reason,
        incident.opened_at,
        incident.resolved_at,
        incident.fetches,
    )
