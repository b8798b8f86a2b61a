"""Vendors and their watched documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel import Session, col, select

from storage.models import Document, Vendor


def sync_documents(
    session: Session, vendors: Mapping[str, str], documents: Sequence[Document]
) -> dict[tuple[str, str], Document]:
    """Make the stored vendors (id -> name) and documents match `documents`; the others become inactive.

    `documents` are unsaved rows carrying what the config says (vendor id, type, URL, language).
    Returns the active documents keyed by (vendor id, document type).
    """
    stored_vendors = {v.id: v for v in session.exec(select(Vendor))}
    for vendor_id, name in vendors.items():
        vendor = stored_vendors.get(vendor_id) or Vendor(id=vendor_id, name=name)
        vendor.name = name
        session.add(vendor)
    session.flush()  # vendors before the documents that refer to them
    stored = {(d.vendor_id, d.type): d for d in session.exec(select(Document))}
    active: dict[tuple[str, str], Document] = {}
    for wanted in documents:
        key = (wanted.vendor_id, wanted.type)
        doc = stored.get(key) or Document(vendor_id=wanted.vendor_id, type=wanted.type, url=wanted.url)
        doc.url, doc.language, doc.active = wanted.url, wanted.language, True
        session.add(doc)
        active[key] = doc
    for key, doc in stored.items():
        if key not in active and doc.active:
            doc.active = False
            session.add(doc)
    session.flush()
    return active


def get_vendor(session: Session, vendor_id: str) -> Vendor | None:
    """The vendor with this id, or None."""
    return session.get(Vendor, vendor_id)


def get_document(session: Session, document_id: int) -> Document | None:
    """The document with this id, or None."""
    return session.get(Document, document_id)


def all_documents(session: Session) -> list[Document]:
    """Every stored document, by vendor and type."""
    return list(session.exec(select(Document).order_by(col(Document.vendor_id), col(Document.type))))


def document_ids(session: Session) -> dict[tuple[str, str], int]:
    """Every stored document's id, by (vendor id, type) (one query, no rows built)."""
    query = select(Document.id, Document.vendor_id, Document.type)
    return {(vendor_id, doc_type): doc_id for doc_id, vendor_id, doc_type in session.exec(query) if doc_id is not None}


def vendor_documents(session: Session, vendor_id: str, doc_type: str | None = None) -> list[Document]:
    """A vendor's documents (all, or the one of `doc_type`), active ones first."""
    query = select(Document).where(Document.vendor_id == vendor_id)
    if doc_type is not None:
        query = query.where(Document.type == doc_type)
    return list(session.exec(query.order_by(col(Document.active).desc(), Document.type)))
