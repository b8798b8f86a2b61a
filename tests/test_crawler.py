"""The crawler package: outcome classification, result lines, and real child crawls on loopback."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from OpenSSL.SSL import Error as SSLError
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet.error import ConnectionDone, ConnectionRefusedError, DNSLookupError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.botwall import bot_wall_marker
from crawler.job import FetchRequest, JobError, parse_job
from crawler.outcomes import OUTCOMES, classify_failure, describe_response
from crawler.process import CrawlReport, run_crawl
from crawler.results import FetchResult
from crawler.spider import DocumentSpider, ResultWriter
from tests.support.sites import LoopbackSite, refused_url

POLICY_TEXT = "".join(
    f"<h2>Section {n}</h2><p>We process your personal data for purpose {n} on the basis of "
    "legitimate interest, keep it no longer than necessary and never sell it.</p>"
    for n in range(40)
)
POLICY_WITH_RECAPTCHA = (
    '<html><head><title>Privacy policy</title><script src="https://www.google.com/recaptcha/api.js">'
    f'</script></head><body><form><div class="g-recaptcha" data-sitekey="k"></div></form>{POLICY_TEXT}'
    "</body></html>"
)
POLICY_NAMING_VENDORS = (
    "<html><body><h1>Cookies</h1><table><tr><td>datadome</td><td>captcha-delivery.com</td>"
    f"<td>Bot protection by DataDome</td></tr></table>{POLICY_TEXT}"
    '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script></body></html>'
)
CLOUDFLARE_CHALLENGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title>"
    '<meta http-equiv="refresh" content="390"><script>window._cf_chl_opt={cvId:"3"};</script></head>'
    '<body><h2 id="challenge-running">Checking if the site connection is secure</h2>'
    "<noscript>Enable JavaScript and cookies to continue</noscript></body></html>"
)
# SiteGround's form ("0;/path") is one browsers follow but Scrapy does not; "0;url=/path" both do.
SITEGROUND_CAPTCHA = (
    '<html><head><meta http-equiv="refresh" content="0;url=/.well-known/sgcaptcha/?r=%2Fprivacy"></head></html>'
)
BOT_WALLS = {
    "cloudflare": CLOUDFLARE_CHALLENGE,
    "siteground": SITEGROUND_CAPTCHA,
    "siteground short refresh": SITEGROUND_CAPTCHA.replace("url=", ""),
    "old cloudflare": "<title>Attention</title><p>Checking your browser before accessing example.com.</p>",
    "incapsula": "<html><body>Request unsuccessful. Incapsula incident ID: 1234-5678</body></html>",
    "incapsula script": '<html><head><script src="/_Incapsula_Resource?SWJIYLWA=x"></script></head></html>',
    "datadome": '<html><body><iframe src="https://geo.captcha-delivery.com/captcha/?initialCid=x">'
    "</iframe></body></html>",
    "perimeterx": '<html><body><div id="px-captcha"></div><p>Press and hold</p></body></html>',
    "recaptcha": '<html><body><form><div class="g-recaptcha" data-sitekey="k"></div></form></body></html>',
    "hcaptcha": '<html><body><div class="h-captcha" data-sitekey="k"></div></body></html>',
}
WINDOWS_1252 = "<p>Politique de confidentialité – données « personnelles »</p>".encode("cp1252")
GB2312 = "<p>隐私政策：我们如何处理您的个人信息</p>".encode("gb2312")
BIG = b"x" * (20 * 1024 * 1024)


def crawl_settings(**overrides: Any) -> dict[str, Any]:
    """Job settings for fast loopback crawls."""
    return {
        "user_agent": "policy-monitor-test/1.0 (+http://test.invalid)",
        "timeout": 1.0,
        "delay": 0.0,
        "concurrency_per_domain": 8,
        "obey_robots_txt": True,
        "retries": 1,
        "max_bytes": 10 * 1024 * 1024,
        "autothrottle": False,
        "log_level": "WARNING",
        **overrides,
    }


def run(job: dict[str, Any], timeout: float = 30.0) -> tuple[dict[str, FetchResult], CrawlReport]:
    """Crawl ``job`` in a child process (no browser unless it says so); return its results by key, and the report."""
    job = {"render": {"enabled": False}, **job}
    results: dict[str, FetchResult] = {}

    def record(result: FetchResult) -> None:
        assert result.key not in results, f"{result.key} reported twice"
        results[result.key] = result

    report = run_crawl(job, timeout=timeout, on_result=record)
    return results, report


def failure_of(exc: BaseException, cause: BaseException | None = None) -> Failure:
    """A Failure as Scrapy hands errbacks, ``exc`` raised from ``cause``."""
    exc.__cause__ = cause
    return Failure(exc)


# --- outcome classification ---------------------------------------------------------


@pytest.mark.parametrize("page", BOT_WALLS.values(), ids=BOT_WALLS.keys())
def test_bot_walls_are_recognised(page: str) -> None:
    assert bot_wall_marker(page.encode())
    assert describe_response(200, page.encode())[0] == "bot_wall"


@pytest.mark.parametrize("page", [POLICY_WITH_RECAPTCHA, POLICY_NAMING_VENDORS, "", "<p>Short page</p>"])
def test_ordinary_pages_are_not_bot_walls(page: str) -> None:
    assert bot_wall_marker(page.encode()) is None
    assert describe_response(200, page.encode())[0] == "ok"


def test_error_statuses_are_http_errors_even_with_a_captcha() -> None:
    assert describe_response(404, b"not here")[0] == "http_error"
    assert describe_response(503, CLOUDFLARE_CHALLENGE.encode())[0] == "http_error"
    assert describe_response(301, b"")[0] == "ok"
    assert describe_response(302, b"", "file:///etc/passwd") == (
        "bad_redirect",
        "HTTP 302 redirect to 'file:///etc/passwd', not followed: only http(s) URLs are fetched",
    )


@pytest.mark.parametrize(
    ("failure", "kind", "words"),
    [
        (
            failure_of(DownloadTimeoutError("Getting http://h/ took longer than 1.0 seconds.")),
            "timeout",
            "took longer than 1.0 seconds",
        ),
        (
            failure_of(
                DownloadConnectionRefusedError("Connection was refused by other side: 111."),
                ConnectionRefusedError("111."),
            ),
            "connection_refused",
            "refused",
        ),
        (failure_of(CannotResolveHostError("x"), DNSLookupError("nowhere.invalid")), "dns_error", "x"),
        (
            failure_of(DownloadFailedError("[...]"), ResponseNeverReceived([Failure(ConnectionDone())])),
            "connection_lost",
            "ConnectionDone: Connection was closed cleanly.",
        ),
        (failure_of(ResponseDataLossError()), "connection_lost", "connection"),
        (
            failure_of(
                DownloadFailedError("[...]"),
                ResponseFailed([Failure(SSLError([("SSL routines", "", "wrong version number")]))]),
            ),
            "tls_error",
            "wrong version number",
        ),
        (failure_of(DownloadCancelledError("")), "too_large", "max_bytes"),
        (failure_of(IgnoreRequest("body exceeded DOWNLOAD_MAXSIZE (10 B)")), "too_large", "DOWNLOAD_MAXSIZE"),
        (failure_of(IgnoreRequest("Forbidden by robots.txt")), "robots_forbidden", "robots.txt"),
        (failure_of(IgnoreRequest("max redirections reached")), "too_many_redirects", "max redirections"),
        (failure_of(ValueError("Missing scheme in request url:\nfoo")), "error", "Missing scheme"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_failures_are_classified_with_a_one_line_message(failure: Failure, kind: str, words: str) -> None:
    got_kind, message = classify_failure(failure)
    assert (got_kind, "\n" in message) == (kind, False)
    assert words.lower() in message.lower()


def test_outcome_registry() -> None:
    assert {"ok", "http_error", "timeout", "connection_refused", "dns_error", "connection_lost"} < set(OUTCOMES)
    assert {"tls_error", "too_large", "robots_forbidden", "bot_wall", "error", "not_fetched"} < set(OUTCOMES)
    for kind, outcome in OUTCOMES.items():
        assert outcome.kind == kind
        assert outcome.__doc__ and "\n" not in outcome.__doc__.strip()
        assert outcome.inaccessible is (kind != "ok")
        for dotted in outcome.exceptions:  # every named exception class exists
            module, _, name = dotted.rpartition(".")
            assert isinstance(getattr(__import__(module, fromlist=[name]), name), type), dotted


# --- results and jobs -----------------------------------------------------------------


def test_fetch_result_round_trips_through_a_frame() -> None:
    result = FetchResult(
        key="42",
        requested_url="https://h/p?appChannel=SMART_BQ",
        final_url="https://h/q",
        outcome="ok",
        status=200,
        content_type="text/html; charset=gb2312",
        headers={"etag": '"x"'},
        body=GB2312,
        fetched_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        elapsed_ms=12,
    )
    stream = io.BytesIO(result.to_frame() + result.to_frame())
    assert stream.getvalue().index(b"\n") < 300  # a short header line, the raw body after it
    assert FetchResult.read_frame(stream) == result
    assert FetchResult.read_frame(stream) == result
    assert FetchResult.read_frame(stream) is None


@pytest.mark.parametrize("line", [b"\n", b"[]\n", b"42\n", b'{"key": "1"}\n', b"not json\n"])
def test_fetch_result_rejects_other_lines(line: bytes) -> None:
    with pytest.raises(ValueError):
        FetchResult.read_frame(io.BytesIO(line))


def test_fetch_result_rejects_a_body_cut_short() -> None:
    frame = FetchResult(key="1", requested_url="http://h/", final_url="http://h/", outcome="ok", body=b"ABC").to_frame()
    with pytest.raises(ValueError, match="2 of its 3 bytes"):
        FetchResult.read_frame(io.BytesIO(frame[:-1]))


def test_fetch_result_rejects_unknown_outcomes() -> None:
    with pytest.raises(ValueError):
        FetchResult(key="1", requested_url="http://h/", final_url="http://h/", outcome="fine")


def test_spider_reports_each_document_once_even_if_the_crawl_skipped_it() -> None:
    stream = io.BytesIO()
    documents = [FetchRequest(key="a", url="http://h/a"), FetchRequest(key="b", url="http://h/b")]
    spider = DocumentSpider(documents=documents, writer=ResultWriter(stream))
    for _ in range(2):
        spider.writer.write(FetchResult(key="a", requested_url="http://h/a", final_url="http://h/a", outcome="ok"))
    spider.closed("shutdown")
    stream.seek(0)
    results = list(iter(lambda: FetchResult.read_frame(stream), None))
    assert [(r.key, r.outcome) for r in results] == [("a", "ok"), ("b", "not_fetched")]
    assert "shutdown" in results[1].error


@pytest.mark.parametrize(
    "job",
    [
        [],
        {"settings": {}},
        {"settings": {"timeout": "30"}, "documents": []},
        {"settings": {"retries": True}, "documents": []},
        {"settings": {"colour": "red"}, "documents": []},
        {"settings": {"log_level": "LOUD"}, "documents": []},
        {"documents": [{"key": "1"}]},
        {"documents": [{"key": "1", "url": "ftp://h/"}]},
        {"documents": [{"key": "1", "url": "http://h/", "headers": {"A": 1}}]},
        {"documents": [{"key": "1", "url": "http://h/"}, {"key": "1", "url": "http://h/2"}]},
    ],
)
def test_malformed_jobs_are_rejected(job: Any) -> None:
    with pytest.raises(JobError):
        parse_job(job)


def test_malformed_job_makes_the_child_exit_2() -> None:
    for stdin in ("not json", '{"documents": [{"key": "1", "url": "nowhere"}]}'):
        child = subprocess.run(
            [sys.executable, "-m", "crawler"], input=stdin, capture_output=True, text=True, timeout=30
        )
        assert child.returncode == 2
        assert child.stdout == ""
        assert len(child.stderr.strip().splitlines()) == 1, child.stderr


# --- real crawls ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawled() -> Iterator[tuple[LoopbackSite, dict[str, FetchResult], CrawlReport, float]]:
    """One child crawl of a site with one page per situation worth reporting."""
    # HTTPS to an HTTP server fails the TLS handshake. It needs a site of its own, as Scrapy
    # keys robots.txt by host and port: a failed https robots.txt would allow all of `site`.
    with LoopbackSite() as site, LoopbackSite() as plain_http:
        site.set("/robots.txt", "User-agent: *\nDisallow: /private\n", content_type="text/plain")
        site.set("/policy", "<p>wrong page: the query string was dropped</p>")
        site.set(
            "/policy?appChannel=SMART_BQ&b=2",
            POLICY_WITH_RECAPTCHA,
            headers={"ETag": '"v1"', "X-Robots-Tag": "noindex", "X-Other": "1"},
        )
        site.set("/old", "", status=301, headers={"Location": "/new"})
        site.set("/new", "<p>moved here</p>")
        site.set("/gone", "<h1>This page is gone</h1>", status=404)
        site.set("/slow", "<p>too late</p>", delay=3)
        site.set("/big", BIG)
        site.set("/private/policy", "<p>secret</p>")
        site.set("/flaky", "<p>fine now</p>")
        site.set("/flaky", "<p>busy</p>", status=503, times=1)
        site.set("/challenge", CLOUDFLARE_CHALLENGE)
        site.set("/sg", SITEGROUND_CAPTCHA, status=202)
        site.set("/cp1252", WINDOWS_1252, content_type="text/html; charset=windows-1252")
        site.set("/gb2312", GB2312, content_type="text/html; charset=gb2312")
        site.set("/hang-up", "", hang_up=True)
        paths = {
            "ok": "/policy?appChannel=SMART_BQ&b=2",
            "same-url": "/policy?appChannel=SMART_BQ&b=2",
            "redirect": "/old",
            "404": "/gone",
            "slow": "/slow",
            "big": "/big",
            "robots": "/private/policy",
            "flaky": "/flaky",
            "challenge": "/challenge",
            "sg": "/sg",
            "cp1252": "/cp1252",
            "gb2312": "/gb2312",
            "hang-up": "/hang-up",
        }
        documents = [{"key": key, "url": site.url(path)} for key, path in paths.items()]
        documents[2]["headers"] = {"Accept-Language": "fr"}  # the redirect
        documents.append({"key": "refused", "url": refused_url()})
        documents.append({"key": "tls", "url": plain_http.url("/").replace("http:", "https:")})
        started = time.monotonic()
        results, report = run({"settings": crawl_settings(), "documents": documents})
        yield site, results, report, time.monotonic() - started


def test_every_document_is_reported_and_the_child_exits_0(crawled: Any) -> None:
    _, results, report, elapsed = crawled
    assert len(results) == 15
    assert (report.returncode, report.timed_out, report.missing_keys) == (0, False, [])
    assert elapsed < 20


def test_ok_page_keeps_the_query_string_body_and_headers(crawled: Any) -> None:
    site, results, _, _ = crawled
    ok = results["ok"]
    assert (ok.outcome, ok.status, ok.error) == ("ok", 200, None)
    assert ok.requested_url == ok.final_url == site.url("/policy?appChannel=SMART_BQ&b=2")
    assert ok.body == POLICY_WITH_RECAPTCHA.encode()
    assert ok.content_type == "text/html; charset=utf-8"
    assert ok.headers["etag"] == '"v1"'
    assert ok.headers["x-robots-tag"] == "noindex"
    assert "x-other" not in ok.headers
    assert isinstance(ok.elapsed_ms, int)
    assert ok.fetched_at.tzinfo is not None
    assert site.hits("/policy?appChannel=SMART_BQ&b=2") == 2  # two documents share the URL
    assert results["same-url"].body == ok.body
    assert site.last_headers("/policy")["user-agent"] == "policy-monitor-test/1.0 (+http://test.invalid)"


def test_redirect_gives_the_final_url(crawled: Any) -> None:
    site, results, _, _ = crawled
    moved = results["redirect"]
    assert (moved.outcome, moved.status, moved.final_url) == ("ok", 200, site.url("/new"))
    assert moved.requested_url == site.url("/old")
    assert site.last_headers("/new")["accept-language"] == "fr"  # the document's headers


def test_http_error_keeps_status_and_body(crawled: Any) -> None:
    gone = crawled[1]["404"]
    assert (gone.outcome, gone.status, gone.body) == ("http_error", 404, b"<h1>This page is gone</h1>")
    assert gone.error == "HTTP 404 Not Found"


@pytest.mark.parametrize(
    ("key", "outcome", "words"),
    [
        ("refused", "connection_refused", "refused"),
        ("slow", "timeout", "took longer than 1"),
        ("big", "too_large", "max size"),
        ("robots", "robots_forbidden", "robots.txt"),
        ("hang-up", "connection_lost", "closed"),
        ("tls", "tls_error", "ssl"),
    ],
)
def test_failures_are_reported(crawled: Any, key: str, outcome: str, words: str) -> None:
    result = crawled[1][key]
    assert (result.outcome, result.status, result.body) == (outcome, None, None)
    assert OUTCOMES[result.outcome].inaccessible
    assert words in result.error.lower() and "\n" not in result.error


def test_robots_txt_forbidden_page_is_not_requested(crawled: Any) -> None:
    assert crawled[0].hits("/private/policy") == 0


def test_transient_503_is_retried(crawled: Any) -> None:
    site, results, _, _ = crawled
    assert (results["flaky"].outcome, results["flaky"].body) == ("ok", b"<p>fine now</p>")
    assert site.hits("/flaky") == 2


def test_bot_walls_are_reported_without_following_their_refresh(crawled: Any) -> None:
    site, results, _, _ = crawled
    assert (results["challenge"].outcome, results["challenge"].status) == ("bot_wall", 200)
    assert (results["sg"].outcome, results["sg"].status) == ("bot_wall", 202)
    assert "sgcaptcha" in results["sg"].error
    assert site.hits("/.well-known/sgcaptcha/") == 0


@pytest.mark.parametrize(("key", "body"), [("cp1252", WINDOWS_1252), ("gb2312", GB2312)])
def test_bodies_come_back_byte_identical(crawled: Any, key: str, body: bytes) -> None:
    assert crawled[1][key].body == body


def test_hard_timeout_kills_the_child_and_keeps_what_arrived() -> None:
    with LoopbackSite() as site:
        site.set("/fast", "<p>quick</p>")
        site.set("/stuck", "<p>never</p>", delay=30)
        job = {
            "settings": crawl_settings(timeout=60.0, retries=0, obey_robots_txt=False),
            "documents": [
                {"key": "fast", "url": site.url("/fast")},
                {"key": "stuck", "url": site.url("/stuck")},
            ],
        }
        started = time.monotonic()
        results, report = run(job, timeout=3.0)
        elapsed = time.monotonic() - started
    assert 3.0 <= elapsed < 6.0
    assert report.timed_out and report.returncode != 0
    assert report.missing_keys == ["stuck"]
    assert results["fast"].outcome == "ok"
    assert results["stuck"].outcome == "not_fetched"
    assert "timeout" in results["stuck"].error


def test_stop_ends_the_child_and_leaves_unreported_documents_for_later() -> None:
    with LoopbackSite() as site:
        site.set("/fast", "<p>quick</p>")
        site.set("/stuck", "<p>never</p>", delay=30)
        job = {
            "settings": crawl_settings(timeout=60.0, retries=0, obey_robots_txt=False),
            "render": {"enabled": False},
            "documents": [{"key": "fast", "url": site.url("/fast")}, {"key": "stuck", "url": site.url("/stuck")}],
        }
        stop = threading.Event()
        results: dict[str, FetchResult] = {}

        def collect(result: FetchResult) -> None:
            results[result.key] = result
            stop.set()  # shut down as soon as the first document is in

        started = time.monotonic()
        report = run_crawl(job, timeout=60.0, on_result=collect, stop=stop)
    assert time.monotonic() - started < 10
    assert report.stopped and not report.timed_out
    assert report.missing_keys == ["stuck"]
    assert list(results) == ["fast"]


def test_a_crashing_child_loses_nothing_already_sent(tmp_path: Path) -> None:
    sent = FetchResult(key="a", requested_url="http://h/a", final_url="http://h/a", outcome="ok", body=b"A")
    fake_python = tmp_path / "python"
    fake_python.write_text(
        f"#!{sys.executable}\nimport sys\nsys.stdin.read()\n"
        f"print('some stray output', flush=True)\nsys.stdout.buffer.write({sent.to_frame()!r})\n"
        "print('boom', file=sys.stderr)\nsys.exit(1)\n"
    )
    fake_python.chmod(0o755)
    job = {"documents": [{"key": "a", "url": "http://h/a"}, {"key": "b", "url": "http://h/b"}]}
    results: list[FetchResult] = []
    report = run_crawl(job, timeout=10, on_result=results.append, python=str(fake_python))
    assert [r.key for r in results] == ["a", "b"]
    assert results[0] == sent
    assert (results[1].outcome, results[1].error) == (
        "not_fetched",
        "the crawler exited with code 1 without reporting it",
    )
    assert (report.returncode, report.timed_out, report.missing_keys) == (1, False, ["b"])
    assert report.stderr_tail == ["boom"]


def test_run_crawl_rejects_a_malformed_job_without_starting_a_child() -> None:
    with pytest.raises(JobError):
        run_crawl({"documents": "none"}, timeout=1, on_result=print, python="/nonexistent/python")
