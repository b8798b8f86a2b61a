"""What the pages and the API read off a request: the application, and a moment (`?at=`)."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request

from monitor import app as core
from monitor.app.context import App


def application(request: Request) -> App:
    """The application the web view serves."""
    return request.app.state.app


def moment(request: Request) -> datetime:
    """`?at=` (an ISO date, its end, or a date-time; UTC) as a moment; ValueError (400) when it is not one."""
    at = request.query_params.get("at", "")
    try:
        return core.end_of_day(at)
    except ValueError:
        raise ValueError(f"at takes an ISO date such as 2024-05-01, not {at!r}") from None
