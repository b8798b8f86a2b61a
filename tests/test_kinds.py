"""The registries of kinds: one idiom, every kind listed by `monitor kinds`, third-party kinds from entry points."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from crawler.kinds import Kind, Registry
from crawler.outcomes import OUTCOMES
from monitor.alerts.channels import CHANNELS, FALLBACK
from monitor.judge.inaccessible import CHECKS
from monitor.judge.materiality import RULES

PLUGIN = '''
from monitor.judge.inaccessible import Check


class MaintenancePage(Check):
    """A short page saying the site is down for maintenance."""

    kind = "maintenance_page"

    @classmethod
    def reason(cls, page):
        return "the site is down for maintenance" if "maintenance" in page.text.lower()[:200] else None
'''


def monitor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})},
        timeout=60,
    )


def test_every_family_uses_the_one_idiom() -> None:
    for registry in (OUTCOMES, CHECKS, RULES, CHANNELS):
        assert isinstance(registry, Registry) and len(registry) > 0
        for kind, cls in registry.items():
            assert issubclass(cls, Kind) and cls.kind == kind and cls.description()
    assert len(RULES) == 27
    assert FALLBACK.kind in CHANNELS


def test_a_registry_refuses_two_kinds_of_one_name() -> None:
    registry: Registry = Registry("examples", "Examples")

    class Example(Kind, registry=registry):
        """Base."""

    class One(Example):
        """One."""

        kind = "one"

    assert list(registry) == ["one"]
    try:

        class Again(Example):
            """Again."""

            kind = "one"

    except ValueError as exc:
        assert "two kinds named 'one'" in str(exc)
    else:
        raise AssertionError("a second kind named 'one' was accepted")


def test_monitor_kinds_lists_every_registry_and_the_27_rules() -> None:
    result = monitor("kinds")
    assert result.returncode == 0, result.stderr
    for title in ("Fetch outcomes", "Page checks", "Materiality rules", "Alert channel kinds"):
        assert title in result.stdout
    for kind in ("bot_wall", "mostly_gone", "M1", "M14", "R6", "N7", "slack", "email", "teams", "apprise"):
        assert re.search(rf"^{kind} ", result.stdout, re.MULTILINE)  # plain lines without a terminal
    rules = monitor("kinds", "rules")
    assert sum(bool(re.match(r"[MRN]\d+ ", line)) for line in rules.stdout.splitlines()) >= 27
    assert monitor("kinds", "nonsense").returncode == 2


def test_a_third_party_kind_is_loaded_from_its_entry_point(tmp_path: Path) -> None:
    (tmp_path / "pm_maintenance.py").write_text(PLUGIN)
    info = tmp_path / "pm_maintenance-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pm-maintenance\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[policy_monitor.checks]\nmaintenance = pm_maintenance\n")
    result = monitor("kinds", "checks", env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "maintenance_page" in result.stdout and "down for maintenance" in result.stdout
    assert "maintenance_page" not in monitor("kinds", "checks").stdout
