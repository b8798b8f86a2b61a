"""The ASGI application and its server: routes, errors as pages (or JSON), security headers on every response."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor import app as core
from monitor.app.context import App
from monitor.web import api, feeds, pages
from monitor.web.render import render

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
#: No script runs in our origin, ours or a vendor's: none is allowed at all.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


class ResponseHeaders:
    """Adds :data:`SECURITY_HEADERS` and `Server-Timing: app;dur=MS` (the time taken) to every HTTP response.

    Pages, feeds, API, static files and errors alike.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(SECURITY_HEADERS)
                headers.append("server-timing", f"app;dur={(time.perf_counter() - start) * 1000:.1f}")
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(app: App) -> Starlette:
    """The web view over `app` (its config and database)."""

    async def not_found(request: Request, exc: Exception) -> Response:
        return _error(request, 404, str(exc))

    async def bad_request(request: Request, exc: Exception) -> Response:
        return _error(request, 400, str(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(request, exc.status_code, str(exc.detail))

    web = Starlette(
        routes=[
            Route("/healthz", healthz),
            *pages.ROUTES,
            *feeds.ROUTES,
            Mount("/api/v1", routes=api.ROUTES),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(ResponseHeaders), Middleware(GZipMiddleware, minimum_size=1000)],
        exception_handlers={
            core.NotFound: not_found,
            ValueError: bad_request,
            HTTPException: http_error,
        },
    )
    web.state.app = app
    return web


def healthz(request: Request) -> Response:
    """`ok` while the server answers (the container's health check)."""
    return PlainTextResponse("ok")


def _error(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    return render("error.html", status=status, message=message, code=status)


def serve(app: App, host: str, port: int) -> None:
    """Serve the web view on host:port until interrupted (uvicorn, one process)."""
    import uvicorn

    log.warning("web view started", extra={"url": f"http://{host}:{port}/"})
    uvicorn.run(create_app(app), host=host, port=port, log_level="warning", access_log=False)
