"""Hostile pages: each one in a real cycle with ordinary documents, in a fresh process (for its peak RSS).

The cycle finishes, the hostile page's snapshot says what happened with a registered kind and a
clear reason, the ordinary documents are fetched, and neither the process running the cycle nor the
crawler child grows past 300 MB. The figures are printed at the end of the run.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from crawler.outcomes import OUTCOMES
from monitor.judge.inaccessible import CHECKS
from tests.support.hostile import BYSTANDERS, HEADER, HOSTILE, Hostile, row, run_hostile

MAX_RSS_MB = 300


@pytest.mark.slow
@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_a_hostile_page_is_recorded_with_its_reason_in_bounded_memory(
    hostile: Hostile, figures: defaultdict[str, list[str]]
) -> None:
    run = run_hostile(HOSTILE.index(hostile))
    lines = figures[
        "hostile pages: one cycle each, beside 2 ordinary documents (peak RSS: the cycle's process, its child)"
    ]
    lines.extend([HEADER] if not lines else [])
    lines.append(row(run))
    assert run.outcome in OUTCOMES or run.outcome in CHECKS
    assert (run.outcome, run.found) == (hostile.outcome, True), run
    assert run.bystanders == ["ok"] * BYSTANDERS
    assert run.parent_rss <= MAX_RSS_MB and run.child_rss <= MAX_RSS_MB, run
