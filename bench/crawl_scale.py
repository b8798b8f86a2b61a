"""Crawl-cycle scale benchmark: 1,000 vendor pages on loopback, through the real crawler and recorder.

Each page is ~50 KB with a mega-menu, a cookie banner and a footer, and every response carries
a fresh nonce, so raw bytes never repeat. Two cases: `one-host` puts every page on one loopback
host fetched 8 at a time, without delay or robots.txt; `twenty-hosts` spreads them over 20
loopback addresses, one request at a time each with robots.txt, as in production. The pages are
served by a separate asyncio process from pre-rendered bodies (only the nonce is spliced in), so
the server is neither the bottleneck nor counted in the figures.

Per cycle (first, unchanged, 10-changed) it prints the wall time, the CPU seconds of this process
(the parent) and of its reaped children (the crawler child), and the database's growth; then the
peak RSS of the parent and of its largest child, `monitor --help` against a bare `import typer`,
`monitor history` on the 1,000-document database, whether each target is met, and the daemon's RSS
after many short cycles.

Run: python bench/crawl_scale.py [--case one-host|twenty-hosts|both] [--pages 1000] [--daemon-cycles 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor import app
from monitor.config import (
    ChangesConfig,
    Config,
    CrawlConfig,
    DocumentConfig,
    StorageConfig,
    VendorConfig,
    save_config,
)

SITES = 20
NONCE = "@@NONCE@@"
WORDS = [
    "data",
    "account",
    "device",
    "service",
    "partner",
    "request",
    "consent",
    "purpose",
    "period",
    "right",
    "access",
]
#: Targets of issue 13, for the one-host case on the project's 2-core machine.
TARGETS = {"first": 8.0, "unchanged": 4.5, "changed": 5.0, "cpu": 6.0, "rss": 150.0, "help": 3.0, "history": 0.5}


def policy(page: int, edition: int) -> str:
    """~45 KB of synthetic policy text for one vendor (edition > 0 changes one paragraph)."""
    paragraphs = []
    for n in range(75):
        words = " ".join(WORDS[(page + n + i) % len(WORDS)] for i in range(80))
        paragraphs.append(f"<h2>Section {n + 1}</h2><p>We process {words}.</p>" if n % 6 == 0 else f"<p>{words}.</p>")
    if edition:
        paragraphs[7] = f"<p>We now share device identifiers with advertising partners (edition {edition}).</p>"
    return "".join(paragraphs)


MENU = "".join(
    f"<li><a href='/{section}/{item}'>{section.title()} {item}</a></li>"
    for section in ("products", "solutions", "support", "company")
    for item in range(12)
)


def page_template(page: int, edition: int) -> str:
    """A full page: repeated mega-menu, the policy, a footer and a cookie banner, with a nonce to fill in."""
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>Vendor {page}</title>"
        f"<script nonce='{NONCE}'>window.build='{NONCE}'</script></head><body>"
        f"<header><nav><ul>{MENU}</ul></nav><nav class='mobile'><ul>{MENU}</ul></nav></header>"
        f"<main><h1>Vendor {page} Privacy Policy</h1><p>Last updated: March 3, 2025</p>{policy(page, edition)}</main>"
        f"<footer><ul>{MENU}</ul><p>© Vendor {page}</p></footer>"
        f"<div id='cookie-banner'>We use cookies. <button>Accept</button></div></body></html>"
    )


class Pages:
    """Pre-rendered responses split around the nonce; an edition change re-renders one page."""

    def __init__(self, count: int) -> None:
        self.parts = [self.render(n, 0) for n in range(count)]
        self.counter = 0

    @staticmethod
    def render(page: int, edition: int) -> list[bytes]:
        return [part.encode() for part in page_template(page, edition).split(NONCE)]

    def response(self, page: int) -> bytes:
        self.counter += 1
        nonce = f"{self.counter:016x}".encode()
        body = nonce.join(self.parts[page])
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
        return head.encode() + body


NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found"
SERVER_ERROR = b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\noops!"
CAPTCHA_PAGE = (
    b"<html><head><title>Just a moment...</title><script>window._cf_chl_opt={cvId:'3'}</script></head></html>"
)
CAPTCHA = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (
    len(CAPTCHA_PAGE),
    CAPTCHA_PAGE,
)


def serve(pages: int, hosts: int) -> None:
    """The page server (a child process): prints `host port` per host, serves until stdin closes.

    `GET /edition/N/E` switches page N to edition E (the bench's control channel); `/error/...`
    answers 500, `/captcha/...` a bot wall with 200, and `/hang/...` nothing until the client hangs up.
    """
    catalogue = Pages(pages)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                path = head.split(b" ", 2)[1].decode()
                parts = path.strip("/").split("/")
                if parts[0] == "edition":
                    catalogue.parts[int(parts[1])] = Pages.render(int(parts[1]), int(parts[2]))
                    writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                elif parts[0] == "vendor" and parts[-1].isdigit() and int(parts[-1]) < pages:
                    writer.write(catalogue.response(int(parts[-1])))
                elif parts[0] == "hang":
                    await reader.read()  # no answer: wait for the client to give up
                    return
                elif parts[0] in ("error", "captcha"):
                    writer.write(SERVER_ERROR if parts[0] == "error" else CAPTCHA)
                else:
                    writer.write(NOT_FOUND)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        servers = [await asyncio.start_server(handle, f"127.0.0.{n + 1}", 0, backlog=256) for n in range(hosts)]
        for server in servers:
            print(*server.sockets[0].getsockname()[:2], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    asyncio.run(main())


class Farm:
    """The page server process and the URL of each page."""

    def __init__(self, pages: int, hosts: int) -> None:
        self.pages = pages
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(pages), str(hosts)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.hosts = [self.process.stdout.readline().split() for _ in range(hosts)]

    def url(self, page: int, kind: str = "vendor") -> str:
        """The URL of a page; `kind` "error", "captcha" or "hang" makes it fail that way (see `serve`)."""
        host, port = self.hosts[page % len(self.hosts)]
        return f"http://{host}:{port}/{kind}/{page}"

    def set_edition(self, page: int, edition: int) -> None:
        host, port = self.hosts[0]
        urllib.request.urlopen(f"http://{host}:{port}/edition/{page}/{edition}").close()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


def config_for(
    farm: Farm, database: Path, case: str, schedule: str | None = None, *, urls: list[str] | None = None, **crawl: Any
) -> Config:
    """The config of a case: one vendor per page (at `urls`, else the farm's), `crawl` overriding the crawl settings."""
    one_host = case == "one-host"
    settings = CrawlConfig(
        delay=0,
        timeout=20,
        retries=0,
        autothrottle=False,
        concurrency_per_domain=8 if one_host else 1,
        obey_robots_txt=not one_host,
        cycle_timeout=900,
    ).model_copy(update=crawl)
    return Config(
        storage=StorageConfig(url=f"sqlite:///{database}"),
        crawl=settings,
        changes=ChangesConfig(),
        vendors=[
            VendorConfig(
                id=f"vendor-{n}",
                name=f"Vendor {n}",
                documents=[
                    DocumentConfig(
                        type="privacy_policy", url=urls[n] if urls else farm.url(n), language="en", schedule=schedule
                    )
                ],
            )
            for n in range(farm.pages)
        ],
    )


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def database_bytes(database: Path) -> int:
    """The database's size on disk, its write-ahead log included."""
    return sum(p.stat().st_size for p in (database, Path(f"{database}-wal")) if p.exists())


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Cycle:
    wall: float
    parent_cpu: float
    child_cpu: float
    outcomes: Counter[str]  # of the recorded fetches (failed page checks are outcomes too)

    @property
    def cpu(self) -> float:
        return self.parent_cpu + self.child_cpu


def cycle(config: Config, database: Path, label: str) -> Cycle:
    size = database_bytes(database)
    parent, child = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    application = app.open_app(config)
    result = app.check_documents(application, trigger="bench")
    application.engine.dispose()
    measured = Cycle(
        time.perf_counter() - started,
        cpu_seconds(resource.RUSAGE_SELF) - parent,
        cpu_seconds(resource.RUSAGE_CHILDREN) - child,
        Counter(r.outcome for r in result.recorded),
    )
    ok = measured.outcomes["ok"]
    print(
        f"{label:<17} {measured.wall:6.2f} s wall {len(result.planned) / measured.wall:6.0f} pages/s"
        f"  CPU {measured.parent_cpu:5.2f} s parent + {measured.child_cpu:5.2f} s children = {measured.cpu:5.2f} s"
        f"  ok {ok}/{len(result.planned)}  new versions {result.new_versions:4d}"
        f"  database +{database_bytes(database) - size:,} bytes",
        flush=True,
    )
    return measured


def median_seconds(command: list[str], runs: int = 7) -> float:
    """Median wall time of a command, its output discarded."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def verdict(value: float, target: float) -> str:
    return f"(target <= {target:g}: {'met' if value <= target else 'MISSED'})"


def daemon_rss(farm: Farm, tmp: Path, case: str, cycles: int) -> None:
    """Run `monitor run` with a 1 s schedule over 10 pages and sample its RSS as cycles go by."""
    full = config_for(farm, tmp / "daemon.db", case, schedule="1s")
    small = full.model_copy(update={"vendors": full.vendors[:10]})
    config_file = save_config(small, tmp / "daemon.toml")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "monitor", "-c", str(config_file), "run"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    application = app.open_app(small)
    samples: list[tuple[int, float]] = []
    try:
        time.sleep(2)
        samples.append((0, rss_mb(daemon.pid)))
        deadline = time.monotonic() + cycles * 4 + 60
        done = 0
        while done < cycles and time.monotonic() < deadline:
            time.sleep(1)
            last = app.status(application).last_run
            done = last.id if last else 0
            if not samples or done >= samples[-1][0] + max(1, cycles // 5):
                samples.append((done, rss_mb(daemon.pid)))
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
    print("daemon RSS (MB) by cycles done: " + ", ".join(f"{n}: {mb:.0f}" for n, mb in samples))


def run_case(case: str, pages: int, daemon_cycles: int) -> None:
    """Three cycles of one case in a fresh process (so peak RSS and CPU are the case's own)."""
    hosts = 1 if case == "one-host" else SITES
    farm = Farm(pages, hosts)
    try:
        with tempfile.TemporaryDirectory(prefix="policy-monitor-bench-") as tmp:
            database = Path(tmp) / "bench.db"
            config = config_for(farm, database, case)
            concurrency = config.crawl.concurrency_per_domain
            size = len(page_template(0, 0)) // 1024
            print(f"== {case}: {pages} pages of ~{size} KB on {hosts} loopback host(s), {concurrency} in flight each")
            first = cycle(config, database, "first cycle")
            unchanged = cycle(config, database, "unchanged cycle")
            for n in range(10):
                farm.set_edition(n * (pages // 10), 1)
            changed = cycle(config, database, "10-changed cycle")
            parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"peak RSS: parent {parent:.0f} MB, largest child {child:.0f} MB")
            config_file = save_config(config, Path(tmp) / "bench.toml")
            monitor = [sys.executable, "-m", "monitor", "-c", str(config_file)]
            history = median_seconds([*monitor, "history", "vendor-0"])
            print(f"monitor history vendor-0 on {pages} documents: {history:.3f} s (median)")
            if case == "one-host":
                print("targets:")
                print(f"  first cycle {first.wall:.2f} s {verdict(first.wall, TARGETS['first'])}")
                print(f"  unchanged cycle {unchanged.wall:.2f} s {verdict(unchanged.wall, TARGETS['unchanged'])}")
                print(f"  unchanged cycle CPU {unchanged.cpu:.2f} s {verdict(unchanged.cpu, TARGETS['cpu'])}")
                print(f"  10-changed cycle {changed.wall:.2f} s {verdict(changed.wall, TARGETS['changed'])}")
                peak = max(parent, child)
                print(f"  peak RSS of every process {peak:.0f} MB {verdict(peak, TARGETS['rss'])}")
                print(f"  monitor history {history:.3f} s {verdict(history, TARGETS['history'])}")
            if daemon_cycles:
                daemon_rss(farm, Path(tmp), case, daemon_cycles)
    finally:
        farm.close()


def cli_start() -> None:
    """`monitor --help` against a bare `import typer`: medians of several runs."""
    typer = median_seconds([sys.executable, "-c", "import typer"])
    help_ = median_seconds([sys.executable, "-m", "monitor", "--help"])
    ratio = help_ / typer
    print(f"monitor --help {help_:.3f} s, import typer {typer:.3f} s: {ratio:.1f}x {verdict(ratio, TARGETS['help'])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["one-host", "twenty-hosts", "both"], default="both")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--daemon-cycles", type=int, default=100)
    parser.add_argument("--serve", nargs=2, type=int, metavar=("PAGES", "HOSTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return 0
    cases = ["one-host", "twenty-hosts"] if args.case == "both" else [args.case]
    for case in cases:  # each case in a process of its own: its CPU and peak RSS are its own
        command = [sys.executable, __file__, "--case", case, "--pages", str(args.pages)]
        daemon = ["--daemon-cycles", str(args.daemon_cycles if case == cases[-1] else 0)]
        if len(cases) > 1:
            subprocess.run([*command, *daemon], check=True)
        else:
            run_case(case, args.pages, args.daemon_cycles)
    if len(cases) == 1:
        cli_start()
    return 0


if __name__ == "__main__":
    os.environ.pop("POLICY_MONITOR_DATABASE_URL", None)
    sys.exit(main())
