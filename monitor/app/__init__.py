"""The application layer: the only API the faces (CLI, daemon, demo, benches, a web view) call.

Use cases change the record (`check_documents`, `reextract`, `replay`, `send_due_alerts`,
`send_test_alert`, `retry_alerts`, `dismiss_alerts`, `label_version`, `collect_garbage`) or the config file
(`add_vendor`, `starter_config`); read models return plain dataclasses (`watched_documents`,
`history`, `version_text`, `version_pair`, `version_diff`, `recent_changes`, `outbox_rows`,
`configured_channels`, `status`, `kinds`, `preview`, `explain`, `labels`, `dashboard`, `incidents`,
`review_queue`, `change_view`, `raw_source`; `review_change` marks a change of the review queue), which
`jsonable` / `dumps` turn into JSON. Open the application once with `open_app(load_settings(path))`
(`create=False` for a reader). Names are imported on first use, so that a face that needs only one of
them does not load the extraction, alerting or crawling code.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_API = {
    "App": "context",
    "NotFound": "errors",
    "StorageError": "context",
    "database_problem": "context",
    "load_settings": "context",
    "open_app": "context",
    "unknown_vendor": "context",
    "check_documents": "cycle",
    "CycleResult": "cycle",
    "reextract": "technical",
    "collect_garbage": "retention",
    "run_worker": "queue",
    "plan_now": "queue",
    "replay": "saved_pages",
    "replay_files": "saved_pages",
    "send_due_alerts": "alerting",
    "send_test_alert": "alerting",
    "retry_alerts": "alerting",
    "dismiss_alerts": "alerting",
    "configured_channels": "alerting",
    "jsonable": "json_shapes",
    "dumps": "json_shapes",
    "version_diff": "reads",
    "add_vendor": "config_file",
    "starter_config": "config_file",
    "suggested_vendor_id": "config_file",
    "preview": "previews",
    "watched_documents": "reads",
    "history": "reads",
    "version_text": "reads",
    "version_pair": "reads",
    "recent_changes": "reads",
    "outbox_rows": "reads",
    "end_of_day": "reads",
    "status": "health",
    "explain": "explanations",
    "label_version": "person_labels",
    "labels": "person_labels",
    "dashboard": "board",
    "incidents": "board",
    "review_queue": "reviews",
    "review_change": "reviews",
    "change_reviews": "reviews",
    "token_accepted": "reviews",
    "change_view": "changes",
    "recorded_change": "changes",
    "raw_source": "changes",
    "kinds": "registries",
    "family_names": "registries",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_API[name]}"), name)
    globals()[name] = value
    return value
