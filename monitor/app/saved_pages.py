"""Replaying saved raw pages through the whole pipeline, as if fetched at the times in their names.

Files are named like `2022-05-24T12-31-52Z.html` (Open Terms Archive's dataset convention); they
are processed in time order into a throw-away database, with no network. Deterministic.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.outcomes import describe_response
from crawler.results import FetchResult
from monitor.app.context import App
from monitor.app.cycle import plan
from monitor.app.record import UNREADABLE, Recorded, record_fetch
from monitor.config import ChangesConfig, Config, DocumentConfig, StorageConfig, VendorConfig
from storage.db import connect, session_scope

STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z")
REPLAY_URL = "https://replay.invalid/policy"


@dataclass(frozen=True)
class ReplayLine:
    """What one replayed file gave."""

    file: str
    fetched_at: str
    outcome: str
    decision: str
    severity: str | None
    rules: list[str]
    policy_date: str | None
    summary: str

    def to_json_dict(self) -> dict[str, Any]:
        """The line as a JSON-ready dict."""
        return asdict(self)


def fetch_time(path: Path) -> datetime:
    """The fetch time in a file name like `2022-05-24T12-31-52Z.html`."""
    match = STAMP.search(path.name)
    if match is None:
        raise ValueError(f"{path.name}: no timestamp like 2022-05-24T12-31-52Z in the name")
    day, hour, minute, second = match.groups()
    return datetime.fromisoformat(f"{day}T{hour}:{minute}:{second}").replace(tzinfo=UTC)


def replay_files(directory: Path) -> list[Path]:
    """The timestamped HTML files of a folder, in time order."""
    files = [p for p in directory.iterdir() if p.is_file() and STAMP.search(p.name) and p.suffix in (".html", ".htm")]
    return sorted(files, key=fetch_time)


def replay(
    files: Iterable[Path],
    document: DocumentConfig | None = None,
    settings: ChangesConfig | None = None,
) -> Iterator[ReplayLine]:
    """Run each file through fetch classification, extraction, decision and classification, in order."""
    document = document or DocumentConfig(type="privacy_policy", url=REPLAY_URL)
    settings = settings or ChangesConfig()
    with tempfile.TemporaryDirectory(prefix="policy-monitor-replay-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'replay.db'}"
        vendor = VendorConfig(id="replay", name="Replay", documents=[document])
        app = App(Config(storage=StorageConfig(url=url), changes=settings, vendors=[vendor]), connect(url))
        try:
            (target,) = plan(app)
            for path in files:
                result = _as_fetch(path, document.url)
                with session_scope(app.engine) as session:
                    recorded = record_fetch(session, app.events, target.document_id, document, result, settings)
                yield _line(path, result, recorded)
        finally:
            app.engine.dispose()


def _as_fetch(path: Path, url: str) -> FetchResult:
    body = path.read_bytes()
    outcome, error = describe_response(200, body)
    return FetchResult(
        key="replay",
        requested_url=url,
        final_url=url,
        outcome=outcome,
        status=200,
        content_type="text/html",
        body=body,
        error=error,
        fetched_at=fetch_time(path),
    )


def _line(path: Path, result: FetchResult, recorded: Recorded) -> ReplayLine:
    if recorded.decision in UNREADABLE:
        summary = f"{recorded.outcome}: {recorded.reason}"
    elif recorded.headline:
        summary = recorded.headline
    else:
        summary = {
            "first_version": "first version",
            "unchanged": "same text as the current version",
            "flip_flop": "back to an earlier text (flip-flop, not alerted)",
        }.get(recorded.decision, recorded.decision)
    return ReplayLine(
        file=path.name,
        fetched_at=result.fetched_at.isoformat().replace("+00:00", "Z"),
        outcome=recorded.outcome,
        decision=recorded.decision,
        severity=recorded.severity,
        rules=list(recorded.rules),
        policy_date=recorded.policy_date,
        summary=summary,
    )
