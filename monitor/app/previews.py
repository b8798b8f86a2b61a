"""Previewing a page before it is watched: what extraction gives from a saved file or a URL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crawler.job import FetchRequest
from crawler.process import run_crawl
from crawler.results import FetchResult
from monitor.app.cycle import fetch_job
from monitor.app.errors import NotFound
from monitor.config import Config
from monitor.text.pipeline import Extracted, extract_version


def preview(
    config: Config,
    source: str,
    *,
    select: str | None = None,
    remove: str | None = None,
    language: str | None = None,
) -> Extracted:
    """The text, language and dates of a saved page (HTML or text) or of an http(s) URL fetched once."""
    body, content_type, url, fetched_at = _read(config, source)
    return extract_version(
        body, content_type=content_type, url=url, select=select, remove=remove, language=language, fetched_at=fetched_at
    )


def _read(config: Config, source: str) -> tuple[bytes, str | None, str | None, datetime]:
    """The raw body of a file, or of a URL fetched once by the crawler with the configured politeness."""
    if not source.startswith(("http://", "https://")):
        path = Path(source)
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise NotFound(f"cannot read {source}: {exc.strerror or exc}") from None
        kind = "text/plain" if path.suffix.lower() in (".txt", ".md") else None
        return body, kind, None, datetime.now(UTC)
    settings = config.crawl
    results: list[FetchResult] = []
    try:
        request = FetchRequest(key="preview", url=source)
    except ValueError as exc:
        raise NotFound(f"{source}: not a URL that can be fetched ({exc.errors()[0]['msg']})") from None
    job = fetch_job(config, [request])
    run_crawl(job, timeout=settings.timeout * (settings.retries + 2) + 30, on_result=results.append)
    fetched = results[0]
    if fetched.outcome != "ok" or fetched.body is None:
        raise NotFound(f"{source}: {fetched.outcome}: {fetched.error or 'no body'}")
    return fetched.body, fetched.content_type, fetched.final_url, fetched.fetched_at
