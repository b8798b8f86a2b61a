"""Rendering benchmark: 30 JavaScript pages on loopback, rendered by the real crawler child.

Prints the wall time, rendered pages per second, and the peak memory of the browser processes
(chromium and Playwright's node driver: PSS sum, and RSS sum which double-counts shared pages),
sampled from /proc every 50 ms. Skips (exit 0) when rendering is unavailable.

Run: python bench/render.py [--pages 30]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.process import run_crawl
from crawler.results import FetchResult
from tests.support.sites import LoopbackSite

PAGE = """<html><body><main id="policy">Loading…</main><script>
setTimeout(() => {{ document.getElementById("policy").innerHTML = "{text}<p id=done>end</p>"; }}, 100);
</script></body></html>"""
TEXT = "<h2>Section {n}</h2><p>We keep your data for {n} days and never sell it.</p>"


def browser_memory() -> tuple[int, int]:
    """(PSS, RSS) sums in KiB over the running chromium and Playwright driver processes."""
    pss = rss = 0
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit():
                continue
            cmdline = (entry / "cmdline").read_bytes()
            if b"chromium" not in cmdline and b"playwright" not in cmdline:
                continue
            for line in (entry / "smaps_rollup").read_text().splitlines():
                if line.startswith(("Pss:", "Rss:")):
                    kib = int(line.split()[1])
                    pss, rss = (pss + kib, rss) if line.startswith("Pss:") else (pss, rss + kib)
        except OSError:
            continue
    return pss, rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    args = parser.parse_args()
    if shutil.which("chromium") is None or importlib.util.find_spec("scrapy_playwright") is None:
        print("render bench: skipped, rendering unavailable (pip install '.[render]' and apt-get install chromium)")
        return 0
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[:] = [max(a, b) for a, b in zip(peak, browser_memory(), strict=True)]

    with LoopbackSite() as site:
        body = PAGE.format(text="".join(TEXT.format(n=n) for n in range(40)))
        documents = []
        for n in range(args.pages):
            site.set(f"/p{n}", body)
            documents.append({"key": str(n), "url": site.url(f"/p{n}"), "render": True, "wait_for": "#done"})
        settings = {"user_agent": "bench (+http://x)", "delay": 0.0, "concurrency_per_domain": 8, "autothrottle": False}
        results: list[FetchResult] = []
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        run_crawl(
            {"settings": settings, "render": {"enabled": True}, "documents": documents},
            timeout=300,
            on_result=results.append,
        )
        elapsed = time.monotonic() - started
        done.set()
        sampler.join()
    rendered = sum(r.rendered and r.outcome == "ok" for r in results)
    print(f"rendered {rendered}/{args.pages} documents in {elapsed:.1f} s (child start and browser launch included)")
    print(f"  {rendered / elapsed:.1f} rendered pages/s")
    print(f"  peak browser memory: PSS {peak[0] / 1024:.0f} MiB, RSS sum {peak[1] / 1024:.0f} MiB")
    return 0 if rendered == args.pages else 1


if __name__ == "__main__":
    sys.exit(main())
