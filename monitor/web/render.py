"""The Jinja2 environment of the pages: autoescape always on, so policy text is only ever shown as text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.responses import HTMLResponse

TEMPLATES = Path(__file__).parent / "templates"


def diff_path(vendor_id: str, document_type: str, old: int | None, new: int) -> str:
    """The change page of versions `old` -> `new` (the path alerts link to: `monitor.config.WEB_DIFF_PATH`)."""
    return f"/vendors/{vendor_id}/{document_type}/diff/{old or max(new - 1, 1)}/{new}"


ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, trim_blocks=True
)
ENVIRONMENT.globals["diff_path"] = diff_path


def when(moment: datetime | None) -> Markup:
    """A UTC time to the minute, or a dash (a filter: the dashboard formats thousands; digits need no escaping)."""
    return Markup(moment.strftime("%Y-%m-%d %H:%M") if moment else "-")


def clip(text: str, size: int) -> str:
    """`text` cut to `size` characters with an ellipsis (a filter: cheaper than Jinja's `truncate`)."""
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


ENVIRONMENT.filters["when"] = when
ENVIRONMENT.filters["clip"] = clip


def render(template: str, code: int = 200, **context: Any) -> HTMLResponse:
    """The page `template` filled with `context`."""
    return HTMLResponse(ENVIRONMENT.get_template(template).render(**context), status_code=code)
