"""Incidents: the periods during which a document could not be read."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import Document, Incident


def add_incident(session: Session, incident: Incident) -> Incident:
    """Store a new incident (its id is set)."""
    session.add(incident)
    session.flush()
    return incident


def get_incident(session: Session, incident_id: int) -> Incident | None:
    """The incident with this id, or None."""
    return session.get(Incident, incident_id)


def open_incident(session: Session, document_id: int) -> Incident | None:
    """The document's unresolved incident, if any."""
    query = select(Incident).where(Incident.document_id == document_id, col(Incident.resolved_at).is_(None))
    return session.exec(query).first()


def open_incidents(session: Session) -> list[tuple[Incident, Document]]:
    """Every unresolved incident with its document, oldest first."""
    query = (
        select(Incident, Document)
        .where(Incident.document_id == Document.id, col(Incident.resolved_at).is_(None))
        .order_by(col(Incident.opened_at))
    )
    return [(incident, document) for incident, document in session.exec(query)]


def vendor_incidents(session: Session, vendor_id: str) -> list[tuple[Incident, Document]]:
    """Every incident of a vendor's documents with its document, newest first."""
    query = (
        select(Incident, Document)
        .where(Incident.document_id == Document.id, Document.vendor_id == vendor_id)
        .order_by(col(Incident.opened_at).desc())
    )
    return [(incident, document) for incident, document in session.exec(query)]
