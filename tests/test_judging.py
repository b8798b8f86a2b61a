"""`monitor explain` and people's verdicts (`monitor label`, `monitor labels`), end to end through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.test_alerts import recorder
from tests.test_decisions import BASE, SELLS, edited


def monitor(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "POLICY_MONITOR_USER": "alice"}
    return subprocess.run(
        [sys.executable, "-m", "monitor", "-c", str(config), *args], capture_output=True, text=True, env=env, timeout=60
    )


def recorded(tmp_path: Path) -> Path:
    fetch = recorder(tmp_path, {"hook": "json://127.0.0.1:9/hook"})
    fetch(BASE)
    fetch(SELLS)
    fetch(edited(line5="We may sell personal information to advertising partners.", line1="Last updated: May 2, 2025"))
    return tmp_path / "config.toml"


def test_explain_shows_each_rule_with_its_evidence_and_where_the_alert_went(tmp_path: Path) -> None:
    config = recorded(tmp_path)
    result = monitor(config, "explain", "acme", "1", "2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "version 1 -> 2 MATERIAL (new_version" in out
    assert "M4" in out and "a privacy promise was removed or weakened" in out
    assert "- We do not sell personal information to anyone." in out
    assert "+ We may sell personal information to advertising partners." in out
    assert "Alerts: hook (change, queued)" in out
    assert "cosmetic (NOISE) evidence wins" in out
    latest = monitor(config, "explain", "acme")
    assert "version 2 -> 3" in latest.stdout and "N3" in latest.stdout  # only the date changed
    across = monitor(config, "explain", "acme", "1", "3")
    assert "compared now" in across.stdout and "M4" in across.stdout and "Alerts: none" in across.stdout


def test_a_verdict_is_kept_next_to_the_machines_and_exported(tmp_path: Path) -> None:
    config = recorded(tmp_path)
    said = monitor(config, "label", "acme", "2", "review", "--note", "only a wording change for us")
    assert said.returncode == 0, said.stderr
    assert "REVIEW by alice (machine: MATERIAL)" in said.stdout
    monitor(config, "label", "acme", "2", "MATERIAL", "--by", "bob")  # the newest verdict counts
    exported = json.loads(monitor(config, "labels", "--json").stdout)
    assert [
        {k: row[k] for k in ("vendor_id", "version", "previous", "verdict", "machine", "author")} for row in exported
    ] == [
        {
            "vendor_id": "acme",
            "version": 2,
            "previous": 1,
            "verdict": "MATERIAL",
            "machine": "MATERIAL",
            "author": "bob",
        }
    ]
    assert "Person's verdict: MATERIAL by bob" in monitor(config, "explain", "acme", "1", "2").stdout
    assert "person: MATERIAL (bob)" in monitor(config, "history", "acme").stdout
    assert monitor(config, "label", "acme", "2", "maybe").returncode == 2
    assert monitor(config, "label", "acme", "9", "NOISE").returncode == 1
    assert monitor(config, "label", "ghost", "1", "NOISE").returncode == 1
