"""Fault-suite figures: hostile pages one cycle each, and a load run with failing hosts.

`--hostile` (the default) runs each page of tests/support/hostile.py in a cycle of its own with two
ordinary documents, each in a fresh process, and prints what was recorded with the cycle's wall
time, CPU seconds and the peak RSS of the process running it and of its largest child.

`--load` crawls 1,000 documents over 20 loopback hosts (bench/crawl_scale.py's page server, one
request at a time per host, robots.txt obeyed) of which 10% fail: a third hang past the 2 s
timeout, a third answer 500, a third a captcha with 200. Three cycles; per cycle the wall time, CPU
seconds and the outcomes recorded; then the peak RSS of the parent and of its largest child (the
crawler child or the extraction worker), from /proc (tests/support/memory.py).
`--json` ends with one JSON line of the figures (tests/faults/test_load.py reads it).

Run: python bench/faults.py [--hostile] [--load [--pages 1000] [--json]]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]  # tests.support, when run as a script

from crawl_scale import SITES, Farm, config_for, cycle  # noqa: E402

from tests.support.hostile import HEADER, HOSTILE, row, run_hostile  # noqa: E402
from tests.support.memory import ChildPeaks, peak_rss_mb  # noqa: E402

#: The load run's failing documents by kind of failure, and the outcome each must be recorded as.
FAILURES = {"hang": "timeout", "error": "http_error", "captcha": "bot_wall"}
LOAD_TIMEOUT = 2.0
CYCLES = 3


def failure_of(page: int) -> str | None:
    """How page `page` fails, if it does: 10% of the pages, spread evenly over the hosts and kinds."""
    row, host = divmod(page, SITES)  # the farm puts page n on host n % SITES
    if row % 10 != 3:
        return None
    kinds = list(FAILURES)
    return kinds[(host + row // 10) % len(kinds)]  # each host's failures take turns


def expected_outcomes(pages: int) -> Counter[str]:
    """The outcomes a cycle over `pages` documents must record."""
    failing = Counter(failure_of(page) for page in range(pages))
    return Counter({"ok": failing.pop(None, 0)}) + Counter({FAILURES[kind]: n for kind, n in failing.items()})


def load(pages: int) -> dict[str, object]:
    """Run the load cycles in this process; print and return the figures."""
    farm = Farm(pages, SITES)
    try:
        with tempfile.TemporaryDirectory(prefix="policy-monitor-load-") as tmp:
            database = Path(tmp) / "load.db"
            urls = [farm.url(page, failure_of(page) or "vendor") for page in range(pages)]
            config = config_for(farm, database, "twenty-hosts", urls=urls, timeout=LOAD_TIMEOUT)
            config = config.model_copy(update={"render": config.render.model_copy(update={"enabled": False})})
            print(f"== load: {pages} documents on {SITES} loopback hosts, 10% failing (hang, 500, captcha)")
            with ChildPeaks(exclude={farm.process.pid}) as children:  # the page server is not ours
                cycles = [cycle(config, database, f"cycle {n + 1}") for n in range(CYCLES)]
    finally:
        farm.close()
    parent, child = peak_rss_mb(), children.largest
    for n, measured in enumerate(cycles):
        print(f"cycle {n + 1} outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(measured.outcomes.items())))
    print(f"peak RSS: parent {parent:.0f} MB, largest child {child:.0f} MB")
    return {
        "expected": expected_outcomes(pages),
        "cycles": [{"wall": c.wall, "cpu": c.cpu, "outcomes": c.outcomes} for c in cycles],
        "parent_rss": parent,
        "child_rss": child,
    }


def hostile() -> None:
    """Each hostile page in a cycle of its own, in a fresh process; one line of figures each."""
    print(HEADER)
    for index in range(len(HOSTILE)):
        print(row(run_hostile(index)), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hostile", action="store_true", help="the hostile pages (the default)")
    parser.add_argument("--load", action="store_true", help="the load run")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="end the load run with a JSON line of its figures")
    args = parser.parse_args()
    if args.hostile or not args.load:
        hostile()
    if args.load:
        figures = load(args.pages)
        if args.json:
            print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    os.environ.pop("POLICY_MONITOR_DATABASE_URL", None)
    sys.exit(main())
