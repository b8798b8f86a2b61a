"""One JSON form for everything the read models return: what every face's `--json` prints.

Dataclasses become objects with their fields in order, tuples and lists arrays, datetimes ISO 8601
strings in UTC to the second (`2026-12-02T14:45:00Z`). The shapes are documented in the README.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime
from typing import Any


def jsonable(value: Any) -> Any:
    """`value` as plain JSON values (dicts, lists, strings, numbers, booleans, None)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return value


def dumps(value: Any) -> str:
    """`value` as one line of JSON (UTF-8 kept as is)."""
    return json.dumps(jsonable(value), ensure_ascii=False)
