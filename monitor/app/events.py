"""What recording emits: events carrying the rows, published inside the recording transaction.

Listeners are attached once, where the application is put together (:func:`monitor.app.context.open_app`):
the outbox queues alerts, and any future face (a web view, a queue worker) can listen too. A listener
runs in the transaction of the event, with its session, so what it writes commits with the rows or
not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session

from storage.models import Change, Incident, Snapshot, Version


@dataclass(frozen=True)
class VersionRecorded:
    """A document got a new current version (first, new, reverted or technical)."""

    version: Version
    snapshot: Snapshot | None


@dataclass(frozen=True)
class ChangeRecorded:
    """A Change between two versions was classified and stored."""

    change: Change


@dataclass(frozen=True)
class IncidentOpened:
    """A document could no longer be read."""

    incident: Incident


@dataclass(frozen=True)
class IncidentResolved:
    """A document that could not be read can be read again."""

    incident: Incident


Event = VersionRecorded | ChangeRecorded | IncidentOpened | IncidentResolved
E = TypeVar("E", VersionRecorded, ChangeRecorded, IncidentOpened, IncidentResolved)
Listener = Callable[[Session, E], None]


class Events:
    """Listeners by event type; :meth:`emit` calls them in the order they were attached."""

    def __init__(self) -> None:
        self._listeners: defaultdict[type, list[Callable[[Session, object], None]]] = defaultdict(list)

    def on(self, kind: type[E], listener: Listener[E]) -> None:
        """Call `listener(session, event)` for every event of type `kind`."""
        self._listeners[kind].append(listener)  # type: ignore[arg-type]

    def emit(self, session: Session, event: Event) -> None:
        """Publish `event` in the transaction of `session`."""
        for listener in self._listeners[type(event)]:
            listener(session, event)
