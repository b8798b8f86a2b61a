"""A cycle's writes in few transactions: results are recorded in batches, each committed at once.

Each result's rows, events and alerts are written in the batch's transaction, so they commit
together or not at all; a crash loses at most the batch not yet committed, whose documents the
crawl run's catch-up fetches again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import TracebackType

from sqlalchemy import Engine
from sqlmodel import Session

from monitor.app.record import Recorded
from storage.db import session_scope

#: A batch commits once it holds this many results ...
BATCH_SIZE = 100
#: ... or once it has been open this long (seconds), whichever comes first.
BATCH_SECONDS = 0.5


class Batch:
    """Runs each `write(session)` in the open batch's transaction; `committed(recorded)` follows each commit.

    A context manager: leaving it normally commits the last batch; leaving it on an error rolls it back.
    """

    def __init__(self, engine: Engine, committed: Callable[[Recorded], None]) -> None:
        self._engine = engine
        self._committed = committed
        self._scope: AbstractContextManager[Session] | None = None
        self._session: Session | None = None
        self._opened = 0.0
        self._recorded: list[Recorded] = []

    def write(self, write: Callable[[Session], Recorded]) -> None:
        """Record one result in the open batch (opening one if needed), committing it when full or old."""
        if self._session is None:
            self._scope = session_scope(self._engine)
            self._session = self._scope.__enter__()
            self._opened = time.monotonic()
        self._recorded.append(write(self._session))
        if len(self._recorded) >= BATCH_SIZE or time.monotonic() - self._opened >= BATCH_SECONDS:
            self.commit()

    def commit(self) -> None:
        """Commit the open batch, if any, then announce what it recorded."""
        self._close(None, None, None)
        recorded, self._recorded = self._recorded, []
        for item in recorded:
            self._committed(item)

    def _close(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        scope, self._scope, self._session = self._scope, None, None
        if scope is not None:
            scope.__exit__(kind, error, traceback)

    def __enter__(self) -> Batch:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self._recorded = []
            self._close(kind, error, traceback)
