"""Load: 1,000 documents over 20 loopback hosts, 10% failing (hangs, 500s, captchas with 200), three cycles.

Runs bench/faults.py --load in a fresh process (its peak RSS is the run's own) and checks that every
document's outcome was recorded in every cycle, each failure as its kind; the figures are printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "faults.py"
PAGES = 1000
MAX_RSS_MB = 300


@pytest.mark.slow
def test_every_outcome_of_three_loaded_cycles_is_recorded(figures: defaultdict[str, list[str]]) -> None:
    run = subprocess.run(
        [sys.executable, str(BENCH), "--load", "--json", "--pages", str(PAGES)],
        capture_output=True,
        text=True,
        timeout=400,
        check=True,
    )
    *lines, last = run.stdout.splitlines()
    figures[f"load: {PAGES} documents, 20 hosts, 10% failing, 3 cycles (bench/faults.py --load)"] += lines
    result = json.loads(last)
    expected = result["expected"]
    assert sum(expected.values()) == PAGES
    assert {kind for kind, count in expected.items() if count} == {"ok", "timeout", "http_error", "bot_wall"}
    assert [cycle["outcomes"] for cycle in result["cycles"]] == [expected] * 3
    assert result["parent_rss"] <= MAX_RSS_MB and result["child_rss"] <= MAX_RSS_MB
