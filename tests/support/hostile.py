"""Hostile pages for the fault suite and bench/faults.py: bombs, deep markup, bad encodings, bad servers.

Each :class:`Hostile` serves itself on a :class:`~tests.support.sites.LoopbackSite` and says what a
cycle should record for it: the snapshot's outcome (a fetch outcome or a page check) and words of
its reason, or ``ok`` with words of the text that must come through.
"""

from __future__ import annotations

import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import brotli
import zstandard
from sqlmodel import Session, select

from monitor import app
from storage.models import Version
from tests.support.configs import loopback_config
from tests.support.memory import ChildPeaks, peak_rss_mb
from tests.support.sites import LoopbackSite

_MIB = 1024 * 1024
#: The crawl timeout of the hostile cycles, in seconds (the slowloris drips past it).
TIMEOUT = 2.0
#: Text long enough to pass the page checks, carried by the pages that should read as policies.
POLICY = " ".join(
    f"Section {n}. We process your personal data for purpose {n} and keep it no longer than necessary."
    for n in range(30)
)
FRENCH = "Nous traitons vos données personnelles « avec soin » et ne les vendons jamais à des tiers. " * 20
WITH_NULS = POLICY.replace(". ", ".\x00 ")
JAPANESE = "当社はお客様の個人情報を適切に取り扱い、第三者に販売することはありません。" * 30


@cache
def zeros(size: int, compress: Callable[[bytes], bytes]) -> bytes:
    """``size`` bytes of zeros compressed by ``compress`` 16 MiB at a time (members, for gzip)."""
    return compress(bytes(16 * _MIB)) * (size // (16 * _MIB))


@cache
def gzip_bomb() -> bytes:
    """4 GiB of zeros as gzip members, gzipped again: about 4 KB on the wire (``Content-Encoding: gzip, gzip``)."""
    return gzip.compress(zeros(4096 * _MIB, gzip.compress), 9)


@cache
def deflate_bomb() -> bytes:
    """1 GiB of zeros in one zlib stream, deflated again (``Content-Encoding: deflate, deflate``)."""
    inner = zlib.compressobj(1)
    stream = b"".join(inner.compress(bytes(16 * _MIB)) for _ in range(64)) + inner.flush()
    return zlib.compress(stream, 9)


@cache
def brotli_bomb() -> bytes:
    """1 GiB of zeros in one brotli stream: about 1.6 KB."""
    compressor = brotli.Compressor(quality=5)
    return b"".join(compressor.process(bytes(16 * _MIB)) for _ in range(64)) + compressor.finish()


@cache
def zstd_bomb() -> bytes:
    """1 GiB of zeros in zstd frames: about 40 KB."""
    return zeros(1024 * _MIB, zstandard.ZstdCompressor(level=3).compress)


def html(body: str) -> str:
    """A page with ``body`` in its ``<main>``."""
    return f"<!DOCTYPE html><html lang='en'><head><title>Privacy</title></head><body><main>{body}</main></body>"


# A 1x1 PNG, and a PDF whose cross-reference table and streams are garbage.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "000154a24f5d0000000049454e44ae426082"
)
BROKEN_PDF = (
    b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nstream\n\x00\xff garbage \xfe\nxref\n0 9\ntrailer <<"
)


@dataclass(frozen=True)
class Hostile:
    """One hostile page: how it is served and what its snapshot should say."""

    name: str
    serve: Callable[[LoopbackSite, str], None]
    outcome: str  # the snapshot's outcome: a fetch outcome kind or a page check kind
    words: str  # in the snapshot's reason (or, for ``ok``, in the recorded text)
    what: str  # the fault, for the README's table and the bench's


def _page(body: bytes | str, **kwargs: object) -> Callable[[LoopbackSite, str], None]:
    return lambda site, path: site.set(path, body, **kwargs)  # type: ignore[arg-type]


def _redirect(location: Callable[[LoopbackSite, str], str]) -> Callable[[LoopbackSite, str], None]:
    return lambda site, path: site.set(path, "", status=302, headers={"Location": location(site, path)})


def _bomb(make: Callable[[], bytes], encoding: str) -> Callable[[LoopbackSite, str], None]:
    return lambda site, path: site.set(path, make(), headers={"Content-Encoding": encoding})


HOSTILE = [
    Hostile("gzip bomb", _bomb(gzip_bomb, "gzip, gzip"), "too_large", "decompress", "4 KB inflating to 4 GiB"),
    Hostile("deflate bomb", _bomb(deflate_bomb, "deflate, deflate"), "too_large", "decompress", "inflates to 1 GiB"),
    Hostile("brotli bomb", _bomb(brotli_bomb, "br"), "too_large", "decompress", "1.6 KB inflating to 1 GiB"),
    Hostile("zstd bomb", _bomb(zstd_bomb, "zstd"), "too_large", "decompress", "inflates to 1 GiB"),
    Hostile(
        "100,000 nested divs",
        _page(html("<div>" * 100_000 + f"<p>{POLICY}</p>" + "</div>" * 100_000)),
        "unreadable",
        "nested past the parser's limit",
        "markup 100,000 levels deep",
    ),
    Hostile(
        "a million tiny elements",
        _page(html(f"<p>{POLICY}</p>" + "<i>x</i>" * 1_000_000)),
        "unreadable",
        "too many to read",
        "8 MB of <i> elements",
    ),
    Hostile(
        "NUL bytes",
        _page(html(f"<p>{WITH_NULS}</p>\x00")),
        "ok",
        "Section 29",
        "NUL bytes in the text",
    ),
    Hostile(
        "Latin-1, no charset",
        _page(html(f"<p>{FRENCH}</p>").encode("latin-1"), content_type="text/html"),
        "ok",
        "données personnelles « avec soin »",
        "no charset in the header or the page",
    ),
    Hostile(
        "Latin-1 labelled UTF-8",
        _page(html(f"<p>{FRENCH}</p>").encode("latin-1"), content_type="text/html; charset=utf-8"),
        "ok",
        "données personnelles « avec soin »",
        "a wrong charset in the header",
    ),
    Hostile(
        "Shift-JIS, no charset",
        _page(html(f"<p>{JAPANESE}</p>").encode("shift_jis"), content_type="text/html"),
        "ok",
        "個人情報",
        "no charset in the header or the page",
    ),
    Hostile(
        "Shift-JIS labelled UTF-8",
        _page(html(f"<p>{JAPANESE}</p>").encode("shift_jis"), content_type="text/html; charset=utf-8"),
        "ok",
        "個人情報",
        "a wrong charset in the header",
    ),
    Hostile("redirect loop", _redirect(lambda site, path: path), "too_many_redirects", "redirect", "302 to itself"),
    Hostile(
        "redirect to file://",
        _redirect(lambda site, path: "file:///etc/passwd"),
        "bad_redirect",
        "file:///etc/passwd",
        "302 to a local file",
    ),
    Hostile(
        "redirect to ftp://",
        _redirect(lambda site, path: f"ftp://127.0.0.1:{site.port}/policy"),
        "bad_redirect",
        "ftp://",
        "302 to another scheme",
    ),
    Hostile(
        "slowloris",
        _page(html(f"<p>{POLICY}</p>")[:40], drip=1.0),
        "timeout",
        "took longer than",
        f"one byte a second past the {TIMEOUT:g} s timeout",
    ),
    Hostile(
        "closed mid-body",
        _page(html(f"<p>{POLICY}</p>"), cut_after=500),
        "connection_lost",
        "connection",
        "500 bytes of 3 KB, then closed",
    ),
    Hostile(
        "JSON as the policy",
        _page('{"policy": "' + POLICY + '"}', content_type="application/json"),
        "not_a_page",
        "application/json",
        "an API answer instead of the page",
    ),
    Hostile("image as the policy", _page(PNG, content_type="image/png"), "not_a_page", "image/png", "a PNG"),
    Hostile(
        "malformed PDF",
        _page(BROKEN_PDF, content_type="application/pdf"),
        "unreadable",
        "cannot be read",
        "a damaged PDF",
    ),
]


#: Ordinary documents fetched in the same cycle as each hostile page.
BYSTANDERS = 2


@dataclass(frozen=True)
class HostileRun:
    """What one cycle with a hostile page recorded, and what it cost."""

    name: str
    outcome: str
    reason: str | None
    text: str | None  # the start of the recorded version's text (an ``ok`` page)
    found: bool  # the expected words are in the reason (or in the text)
    bystanders: list[str]  # the outcomes of the ordinary documents of the cycle
    wall: float  # seconds, the cycle
    cpu: float  # seconds, this process and its children
    parent_rss: float  # MB, peak of the process running the cycle (and serving the pages)
    child_rss: float  # MB, peak of its largest child (the crawler child), from /proc


def cycle_with(index: int) -> HostileRun:
    """Run one cycle over hostile page ``index`` and the bystanders, in this process."""
    hostile = HOSTILE[index]
    with LoopbackSite() as site, tempfile.TemporaryDirectory(prefix="policy-monitor-hostile-") as tmp:
        hostile.serve(site, "/hostile")
        urls = {"hostile": site.url("/hostile")}
        for n in range(BYSTANDERS):
            site.set(f"/ordinary{n}", html(f"<p>{POLICY} Edition {n}.</p>"))
            urls[f"ordinary{n}"] = site.url(f"/ordinary{n}")
        application = app.open_app(
            loopback_config(Path(tmp) / "hostile.db", urls, timeout=TIMEOUT, obey_robots_txt=False)
        )
        started, cpu = time.perf_counter(), _cpu_seconds()
        with ChildPeaks() as children:
            result = app.check_documents(application, trigger="bench")
        wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        vendors = {planned.document_id: planned.vendor_id for planned in result.planned}
        by_vendor = {vendors[recorded.document_id]: recorded for recorded in result.recorded}
        recorded = by_vendor.pop("hostile")
        with Session(application.engine) as session:
            version = session.exec(select(Version).where(Version.document_id == recorded.document_id)).first()
            text = version.text if version else None
        application.engine.dispose()
    said = (text if hostile.outcome == "ok" else recorded.reason) or ""
    return HostileRun(
        name=hostile.name,
        outcome=recorded.outcome,
        reason=recorded.reason,
        text=text[:200] if text else None,
        found=hostile.words in said,
        bystanders=[r.outcome for r in by_vendor.values()],
        wall=wall,
        cpu=cpu,
        parent_rss=peak_rss_mb(),
        child_rss=children.largest,
    )


def run_hostile(index: int, timeout: float = 120.0) -> HostileRun:
    """:func:`cycle_with` in a fresh process, so that its peak RSS and CPU are the cycle's own."""
    child = subprocess.run(
        [sys.executable, "-m", "tests.support.hostile", str(index)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return HostileRun(**json.loads(child.stdout.splitlines()[-1]))


#: The header of :func:`row`'s lines.
HEADER = f"{'hostile page':<26} {'outcome':<18} {'wall s':>6} {'CPU s':>6} {'parent MB':>9} {'child MB':>8}  reason"


def row(run: HostileRun) -> str:
    """The figures of one hostile run, in one line under :data:`HEADER`."""
    return (
        f"{run.name:<26} {run.outcome:<18} {run.wall:6.2f} {run.cpu:6.2f} {run.parent_rss:9.0f} {run.child_rss:8.0f}"
        f"  {(run.reason or '')[:90]}"
    )


def _cpu_seconds() -> float:
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


if __name__ == "__main__":
    print(json.dumps(asdict(cycle_with(int(sys.argv[1])))))
