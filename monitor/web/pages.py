"""The HTML pages: dashboard, vendor, change (any two versions), text at a date, raw snapshot, review form."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from monitor import app as core
from monitor.app.reviews import STATUSES
from monitor.web.params import application as _app
from monitor.web.params import moment
from monitor.web.render import diff_path, render

if TYPE_CHECKING:
    from monitor.app.reads import VersionText

TIMELINE_LIMIT = 100  # versions shown per document on the vendor page (the API has them all)
FORM_LIMIT = 16_384  # bytes of a review form


def dashboard(request: Request) -> Response:
    """The review queue, then every document (`?tag=`, `?severity=` filter them)."""
    tag = request.query_params.get("tag") or None
    severity = request.query_params.get("severity") or None
    board = core.dashboard(_app(request), tag, severity)
    spans = Counter(row.vendor_id for row in board.documents)  # a vendor's name once, over its documents
    return render("dashboard.html", board=board, spans=spans, severities=("MATERIAL", "REVIEW", "NOISE"))


def review_queue(request: Request) -> Response:
    """The whole review queue."""
    return render("review_queue.html", queue=core.review_queue(_app(request)))


def vendor(request: Request) -> Response:
    """A vendor's timeline: its documents' versions and changes, policy dates, incidents."""
    app, vendor_id = _app(request), request.path_params["vendor"]
    documents = core.history(app, vendor_id)
    configured = app.config.vendor(vendor_id)
    return render(
        "vendor.html",
        vendor_id=vendor_id,
        name=configured.name if configured else vendor_id,
        tags=configured.tags if configured else [],
        documents=documents,
        incidents=core.incidents(app, vendor_id),
        limit=TIMELINE_LIMIT,
    )


def change(request: Request) -> Response:
    """Two versions compared: the recorded change between them, or a comparison made now."""
    p = request.path_params
    view = core.change_view(_app(request), p["vendor"], p["old"], p["new"], p["doc"])
    return render("change.html", view=view, statuses=STATUSES)


def change_by_id(request: Request) -> Response:
    """A recorded change's page by its id (the short link of the dashboard and the queue)."""
    view = core.recorded_change(_app(request), request.path_params["change"])
    return render("change.html", view=view, statuses=STATUSES)


def compare(request: Request) -> Response:
    """The compare form's target: redirects to the change page of `?a=` and `?b=`."""
    p, q = request.path_params, request.query_params
    try:
        a, b = int(q["a"]), int(q["b"])
    except (KeyError, ValueError):
        raise ValueError("compare takes two version numbers, ?a=OLD&b=NEW") from None
    return RedirectResponse(diff_path(p["vendor"], p["doc"], min(a, b), max(a, b)), status_code=303)


def text_at(request: Request) -> Response:
    """The text as it stood at `?at=` (an ISO date or date-time, UTC)."""
    p = request.path_params
    text = core.version_text(_app(request), p["vendor"], p["doc"], at=moment(request))
    return _text_page(text, f"as it stood on {request.query_params['at']}: version {text.seq}")


def version(request: Request) -> Response:
    """One version's text."""
    p = request.path_params
    text = core.version_text(_app(request), p["vendor"], p["doc"], seq=p["seq"])
    return _text_page(text, f"version {text.seq}")


def raw(request: Request) -> Response:
    """The raw body of the fetch that first gave a version, shown as escaped text (never run)."""
    p = request.path_params
    source = core.raw_source(_app(request), p["vendor"], p["seq"], p["doc"])
    fetched = f"{source.fetched_at:%Y-%m-%d %H:%M} UTC"
    return render(
        "text.html",
        vendor_id=source.vendor_id,
        heading=f"{source.document_type} version {source.seq}: raw snapshot",
        details=f"fetched {fetched} from {source.url} ({source.content_type or 'no content type'}), shown as text",
        text=source.body,
    )


async def review(request: Request) -> Response:
    """Mark a change reviewed, dismissed or escalated: needs the token (401 without it, 403 with writes off)."""
    body = await request.body()
    if len(body) > FORM_LIMIT:
        return render("error.html", status=413, message="form too large", code=413)
    form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", errors="replace")).items()}
    app = _app(request)
    token = form.get("token") or _bearer(request)
    if not app.config.web.write_token:
        message = "write actions are disabled: set [web] token (or $POLICY_MONITOR_WEB_TOKEN)"
        return render("error.html", status=403, message=message, code=403)
    if not core.token_accepted(app, token):
        return render("error.html", status=401, message="a valid token is needed to mark a change", code=401)
    change_id = request.path_params["change"]
    await run_in_threadpool(
        core.review_change, app, change_id, form.get("status", ""), form.get("author", ""), form.get("note"), "web"
    )
    return RedirectResponse("/", status_code=303)


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value if scheme.lower() == "bearer" else None


def _text_page(text: VersionText, what: str) -> Response:
    first = f"first seen {text.first_seen:%Y-%m-%d %H:%M}, last seen {text.last_seen:%Y-%m-%d %H:%M} UTC"
    dated = f", policy date {text.policy_date}" if text.policy_date else ""
    return render(
        "text.html",
        vendor_id=text.vendor_id,
        heading=f"{text.document_type} {what}",
        details=first + dated,
        text=text.text,
    )


ROUTES = [
    Route("/", dashboard),
    Route("/queue", review_queue),
    Route("/vendors/{vendor}", vendor),
    Route("/vendors/{vendor}/{doc}/diff", compare),
    Route("/vendors/{vendor}/{doc}/diff/{old:int}/{new:int}", change),
    Route("/vendors/{vendor}/{doc}/text", text_at),
    Route("/vendors/{vendor}/{doc}/versions/{seq:int}", version),
    Route("/vendors/{vendor}/{doc}/versions/{seq:int}/raw", raw),
    Route("/changes/{change:int}", change_by_id),
    Route("/changes/{change:int}/review", review, methods=["POST"]),
]
