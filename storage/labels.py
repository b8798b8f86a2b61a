"""People's verdicts on versions (the `label` table)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import Document, Label


def add_label(session: Session, label: Label) -> Label:
    """Store a new label (its id is set)."""
    session.add(label)
    session.flush()
    return label


def labels_of(session: Session, document_id: int) -> dict[int, Label]:
    """The newest label of each labelled version of a document, by version id."""
    query = select(Label).where(Label.document_id == document_id).order_by(col(Label.id))
    return {label.version_id: label for label in session.exec(query)}


def all_labels(session: Session, vendor_id: str | None = None) -> list[tuple[Label, Document]]:
    """The newest label of every labelled version (of one vendor), with its document, oldest first."""
    query = select(Label, Document).where(Label.document_id == Document.id)
    if vendor_id is not None:
        query = query.where(Document.vendor_id == vendor_id)
    newest: dict[int, tuple[Label, Document]] = {}
    for label, document in session.exec(query.order_by(col(Label.id))):
        newest[label.version_id] = (label, document)
    return list(newest.values())
