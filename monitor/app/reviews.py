"""The review queue: the MATERIAL and REVIEW changes nobody has handled yet, and people's handling of them.

A change is marked `reviewed`, `dismissed` or `escalated` with a note, by someone, at a time (the
`review` table keeps every mark; the newest counts). Reviewed and dismissed changes leave the queue;
escalated ones stay in it, marked. The web view's write actions need the configured token
(:func:`token_accepted`), compared in constant time.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from monitor.app.context import App
from monitor.app.errors import NotFound
from monitor.app.reads import ChangeSummary, change_summaries
from storage.db import session_scope
from storage.models import Review
from storage.reviews import add_review, count_unreviewed, latest_reviews, reviews_of, unreviewed_changes
from storage.versions import change_and_document

STATUSES = ("reviewed", "dismissed", "escalated")
QUEUED_SEVERITIES = ("MATERIAL", "REVIEW")
QUEUED_KINDS = ("new_version", "reversion")
QUEUE_LIMIT = 200


@dataclass(frozen=True)
class ReviewRow:
    """One person's handling of a change: its status, note, who and when (and through which face)."""

    change_id: int
    status: str
    note: str | None
    author: str
    via: str
    at: datetime


@dataclass(frozen=True)
class QueueItem:
    """A change waiting in the review queue, with its last mark when it was escalated."""

    change: ChangeSummary
    review: ReviewRow | None


def review_queue(app: App, limit: int = QUEUE_LIMIT) -> list[QueueItem]:
    """The unhandled (or escalated) MATERIAL and REVIEW changes, newest first."""
    with Session(app.engine) as session:
        return queue_items(session, limit)


def queue_items(session: Session, limit: int = QUEUE_LIMIT) -> list[QueueItem]:
    """For read models: the review queue, read in `session` (three queries)."""
    summaries = change_summaries(session, unreviewed_changes(session, QUEUED_SEVERITIES, QUEUED_KINDS, limit))
    marks = latest_reviews(session, [s.id for s in summaries])
    return [QueueItem(s, _row(marks[s.id]) if s.id in marks else None) for s in summaries]


def queue_size(session: Session) -> int:
    """For read models: how many changes the review queue holds."""
    return count_unreviewed(session, QUEUED_SEVERITIES, QUEUED_KINDS)


def change_reviews(app: App, change_id: int) -> list[ReviewRow]:
    """Every mark of a change, oldest first."""
    with Session(app.engine) as session:
        return [_row(review) for review in reviews_of(session, change_id)]


def review_change(
    app: App, change_id: int, status: str, author: str, note: str | None = None, via: str = "cli"
) -> ReviewRow:
    """Mark change `change_id` reviewed, dismissed or escalated, by `author`, with a note."""
    status = status.lower()
    if status not in STATUSES:
        raise ValueError(f"a review is one of {', '.join(STATUSES)}, not {status!r}")
    if not author.strip():
        raise ValueError("a review needs the name of who makes it")
    with session_scope(app.engine) as session:
        if change_and_document(session, change_id) is None:
            raise NotFound(f"no change {change_id}")
        review = Review(change_id=change_id, status=status, note=note or None, author=author.strip(), via=via)
        return _row(add_review(session, review))


def token_accepted(app: App, given: str | None) -> bool:
    """Whether `given` is the web view's write token; always False when none is configured."""
    expected = app.config.web.write_token
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def _row(review: Review) -> ReviewRow:
    return ReviewRow(review.change_id, review.status, review.note, review.author, review.via, review.created_at)
