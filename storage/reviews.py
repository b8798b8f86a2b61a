"""Reviews: people's handling of changes in the review queue (the `review` table)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from storage.models import Change, Document, Review


def add_review(session: Session, review: Review) -> Review:
    """Store a new review (its id is set)."""
    session.add(review)
    session.flush()
    return review


def latest_reviews(session: Session, change_ids: Sequence[int]) -> dict[int, Review]:
    """The newest review of each of these changes that has one, by change id."""
    if not change_ids:
        return {}
    newest = select(func.max(Review.id)).where(col(Review.change_id).in_(change_ids)).group_by(col(Review.change_id))
    return {review.change_id: review for review in session.exec(select(Review).where(col(Review.id).in_(newest)))}


def reviews_of(session: Session, change_id: int) -> list[Review]:
    """Every review of a change, oldest first."""
    return list(session.exec(select(Review).where(Review.change_id == change_id).order_by(col(Review.id))))


def unreviewed_changes(
    session: Session, severities: Sequence[str], kinds: Sequence[str], limit: int
) -> list[tuple[Change, Document]]:
    """Changes of these severities and kinds that nobody has handled yet (escalated ones stay), newest first.

    The newest are picked on the queue's index alone, then only their rows are read (without their
    diffs, classifications and notes, which load when read).
    """
    newest = (col(Change.detected_at).desc(), col(Change.id).desc())
    picked = select(Change.id).where(_unhandled(severities, kinds)).order_by(*newest).limit(limit)
    query = (
        select(Change, Document)
        .options(defer(Change.diff), defer(Change.classification), defer(Change.notes))  # type: ignore[arg-type]
        .where(Change.document_id == Document.id, col(Change.id).in_(picked))
        .order_by(*newest)
    )
    return [(change, document) for change, document in session.exec(query)]


def count_unreviewed(session: Session, severities: Sequence[str], kinds: Sequence[str]) -> int:
    """How many changes :func:`unreviewed_changes` would list without a limit."""
    return session.exec(select(func.count()).select_from(Change).where(_unhandled(severities, kinds))).one()


def _unhandled(severities: Sequence[str], kinds: Sequence[str]) -> ColumnElement[bool]:
    handled = select(Review.change_id).where(
        col(Review.id).in_(select(func.max(Review.id)).group_by(col(Review.change_id))), Review.status != "escalated"
    )
    return and_(col(Change.severity).in_(severities), col(Change.kind).in_(kinds), col(Change.id).not_in(handled))
