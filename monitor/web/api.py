"""The read-only JSON API under `/api/v1/`: the read models in the shapes of the CLI's `--json`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor import app as core
from monitor.app.explanations import explain
from monitor.web.params import application as _app
from monitor.web.params import moment

API_LIMIT = 500


def _json(value: Any) -> Response:
    return Response(core.dumps(value), media_type="application/json")


def _limit(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("limit", 50)), API_LIMIT))
    except ValueError:
        raise ValueError(f"limit takes a number up to {API_LIMIT}") from None


def vendors(request: Request) -> Response:
    """Every watched document and its last fetch (`monitor vendors --json`)."""
    return _json(core.watched_documents(_app(request)))


def dashboard(request: Request) -> Response:
    """The dashboard: review queue and documents (`?tag=`, `?severity=`)."""
    q = request.query_params
    return _json(core.dashboard(_app(request), q.get("tag") or None, q.get("severity") or None))


def vendor_history(request: Request) -> Response:
    """A vendor's documents and their versions (`monitor history VENDOR --json`)."""
    return _json(core.history(_app(request), request.path_params["vendor"]))


def document_versions(request: Request) -> Response:
    """One document's versions (`monitor history VENDOR --doc DOC --json`)."""
    p = request.path_params
    return _json(core.history(_app(request), p["vendor"], p["doc"]))


def version(request: Request) -> Response:
    """One version's text (`monitor show VENDOR --doc DOC --version N --json`)."""
    p = request.path_params
    return _json(core.version_text(_app(request), p["vendor"], p["doc"], seq=p["seq"]))


def text_at(request: Request) -> Response:
    """The version current at `?at=` (`monitor show VENDOR --doc DOC --at DATE --json`)."""
    p = request.path_params
    return _json(core.version_text(_app(request), p["vendor"], p["doc"], at=moment(request)))


def changes(request: Request) -> Response:
    """The newest changes (`?vendor=`, `?severity=`, `?limit=`), as `monitor` lists them."""
    q = request.query_params
    found = core.recent_changes(_app(request), _limit(request), q.get("vendor") or None, q.getlist("severity"))
    return _json(found)


def change(request: Request) -> Response:
    """Why a change was judged so, rule by rule with its evidence (`monitor explain VENDOR OLD NEW --json`)."""
    p = request.path_params
    return _json(explain(_app(request), p["vendor"], p["old"], p["new"], p["doc"]))


def diff(request: Request) -> Response:
    """The changed lines between two versions (`monitor diff VENDOR OLD NEW --json`)."""
    p = request.path_params
    return _json(core.version_diff(_app(request), p["vendor"], p["old"], p["new"], p["doc"]))


def incidents(request: Request) -> Response:
    """Every open incident, or all of a vendor's (`?vendor=`)."""
    return _json(core.incidents(_app(request), request.query_params.get("vendor") or None))


def review_queue(request: Request) -> Response:
    """The review queue (`monitor review --json`)."""
    return _json(core.review_queue(_app(request)))


ROUTES = [
    Route("/vendors", vendors),
    Route("/dashboard", dashboard),
    Route("/vendors/{vendor}", vendor_history),
    Route("/vendors/{vendor}/{doc}/versions", document_versions),
    Route("/vendors/{vendor}/{doc}/versions/{seq:int}", version),
    Route("/vendors/{vendor}/{doc}/text", text_at),
    Route("/vendors/{vendor}/{doc}/changes/{old:int}/{new:int}", change),
    Route("/vendors/{vendor}/{doc}/diff/{old:int}/{new:int}", diff),
    Route("/changes", changes),
    Route("/incidents", incidents),
    Route("/review-queue", review_queue),
]
