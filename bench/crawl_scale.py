"""Crawl-cycle scale benchmark: 1,000 vendor pages on loopback, through the real crawler and recorder.

Each page is ~50 KB with a mega-menu, a cookie banner and a footer, and every response carries
a fresh nonce, so raw bytes never repeat. Pages are spread over 20 loopback addresses (20 "sites",
one request at a time each, as in production). Prints the wall time of a first, an unchanged and
a 10-changed cycle, pages per second, the parent's and the crawler child's peak RSS, and the
daemon's RSS after many short cycles.

Run: python bench/crawl_scale.py [--pages 1000] [--daemon-cycles 100]
Targets on the project machine: unchanged cycle <= 8 s, peak RSS <= 150 MB, idle daemon <= 60 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


def policy(page: int, edition: int) -> str:
    """~35 KB of synthetic policy text for one vendor (edition > 0 changes one paragraph)."""
    paragraphs = []
    for n in range(60):
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


def page_html(page: int, edition: int) -> bytes:
    """A full page: repeated mega-menu, the policy, a footer and a cookie banner, with a fresh nonce."""
    nonce = secrets.token_hex(8)
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>Vendor {page}</title>"
        f"<script nonce='{nonce}'>window.build='{nonce}'</script></head><body>"
        f"<header><nav><ul>{MENU}</ul></nav><nav class='mobile'><ul>{MENU}</ul></nav></header>"
        f"<main><h1>Vendor {page} Privacy Policy</h1><p>Last updated: March 3, 2025</p>{policy(page, edition)}</main>"
        f"<footer><ul>{MENU}</ul><p>© Vendor {page}</p></footer>"
        f"<div id='cookie-banner'>We use cookies. <button>Accept</button></div></body></html>"
    ).encode()


class Farm:
    """SITES loopback servers (127.0.0.1 ... 127.0.0.20) serving /vendor/N pages."""

    def __init__(self, pages: int) -> None:
        self.pages = pages
        self.editions = [0] * pages
        farm = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                try:
                    number = int(self.path.rsplit("/", 1)[-1])
                    body = page_html(number, farm.editions[number])
                    status = 200
                except (ValueError, IndexError):
                    body, status = b"not found", 404
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.servers = []
        for n in range(SITES):
            server = ThreadingHTTPServer((f"127.0.0.{n + 1}", 0), Handler)
            server.daemon_threads = True
            server.request_queue_size = 128
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)

    def url(self, page: int) -> str:
        host, port = self.servers[page % SITES].server_address[:2]
        return f"http://{host}:{port}/vendor/{page}"

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def config_for(farm: Farm, database: Path, schedule: str | None = None) -> Config:
    return Config(
        storage=StorageConfig(url=f"sqlite:///{database}"),
        crawl=CrawlConfig(delay=0, timeout=20, retries=0, autothrottle=False, obey_robots_txt=True, cycle_timeout=900),
        changes=ChangesConfig(),
        vendors=[
            VendorConfig(
                id=f"vendor-{n}",
                name=f"Vendor {n}",
                documents=[DocumentConfig(type="privacy_policy", url=farm.url(n), language="en", schedule=schedule)],
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


def cycle(config: Config, label: str) -> None:
    application = app.open_app(config)
    started = time.perf_counter()
    result = app.check_documents(application, trigger="bench")
    seconds = time.perf_counter() - started
    ok = sum(r.outcome == "ok" for r in result.recorded)
    planned = result.planned
    print(
        f"{label:<18} {seconds:6.2f} s  {len(planned) / seconds:6.1f} pages/s  ok {ok}/{len(planned)}"
        f"  new versions {result.new_versions}"
    )


def daemon_rss(farm: Farm, tmp: Path, cycles: int) -> None:
    """Run `monitor run` with a 1 s schedule over 10 pages and sample its RSS as cycles go by."""
    full = config_for(farm, tmp / "daemon.db", schedule="1s")
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--daemon-cycles", type=int, default=100)
    args = parser.parse_args()
    farm = Farm(args.pages)
    try:
        with tempfile.TemporaryDirectory(prefix="policy-monitor-bench-") as tmp:
            config = config_for(farm, Path(tmp) / "bench.db")
            print(f"{args.pages} pages of ~{len(page_html(0, 0)) // 1024} KB on {SITES} loopback sites")
            cycle(config, "first cycle")
            cycle(config, "unchanged cycle")
            for n in range(10):
                farm.editions[n * (args.pages // 10)] = 1
            cycle(config, "10-changed cycle")
            parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"peak RSS: parent {parent:.0f} MB, crawler child {child:.0f} MB")
            if args.daemon_cycles:
                daemon_rss(farm, Path(tmp), args.daemon_cycles)
    finally:
        farm.close()
    return 0


if __name__ == "__main__":
    os.environ.pop("POLICY_MONITOR_DATABASE_URL", None)
    sys.exit(main())
