"""Atom feeds: all changes, per vendor, per document, per severity; re-extractions left out.

The entries are :func:`monitor.feed.feed`'s (ids that name the document and version, so they are the
same across restarts; UTC times), each linked to its change page.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor import app as core
from monitor.app.reads import SEVERITIES, ChangeSummary
from monitor.feed import FEED_KINDS, feed
from monitor.web.render import diff_path

FEED_LIMIT = 50
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def _atom(request: Request, title: str, feed_id: str, **which: str | None) -> Response:
    base = request.app.state.app.config.web.base_url or str(request.base_url).rstrip("/")
    changes = core.recent_changes(request.app.state.app, FEED_LIMIT, kinds=FEED_KINDS, **which)

    def link_of(change: ChangeSummary) -> str:
        return base + diff_path(change.vendor_id, change.document_type, change.old_seq, change.new_seq)

    body = feed(changes, title, feed_id, self_link=base + request.url.path, link_of=link_of)
    return Response(body, media_type=ATOM_TYPE)


def all_changes(request: Request) -> Response:
    """Every change, newest first."""
    return _atom(request, "policy-monitor: all changes", "urn:policy-monitor:changes")


def vendor_changes(request: Request) -> Response:
    """The changes of one vendor's documents."""
    vendor = request.path_params["vendor"]
    return _atom(request, f"policy-monitor: {vendor}", f"urn:policy-monitor:changes:{vendor}", vendor=vendor)


def document_changes(request: Request) -> Response:
    """The changes of one document."""
    vendor, doc = request.path_params["vendor"], request.path_params["doc"]
    title, feed_id = f"policy-monitor: {vendor} {doc}", f"urn:policy-monitor:changes:{vendor}:{doc}"
    return _atom(request, title, feed_id, vendor=vendor, doc_type=doc)


def severity_changes(request: Request) -> Response:
    """The changes of one severity (MATERIAL, REVIEW or NOISE)."""
    severity = request.path_params["severity"].upper()
    if severity not in SEVERITIES:
        raise ValueError(f"a severity is one of {', '.join(SEVERITIES)}, not {severity!r}")
    title, feed_id = f"policy-monitor: {severity} changes", f"urn:policy-monitor:changes:severity:{severity}"
    return _atom(request, title, feed_id, severity=severity)


ROUTES = [
    Route("/feeds/changes.atom", all_changes),
    Route("/feeds/severity/{severity}.atom", severity_changes),
    Route("/feeds/vendors/{vendor}.atom", vendor_changes),
    Route("/feeds/vendors/{vendor}/{doc}.atom", document_changes),
]
