"""`monitor demo` end to end: the real daemon on the bundled site, with e-mail and Slack captured, and a
record that stays in ./demo-output to explore with the commands the demo prints (and the README lists)."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def monitor(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_MONITOR_")}
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=240
    )


def test_demo_runs_the_daemon_through_the_script_and_leaves_a_record_to_explore(tmp_path: Path) -> None:
    result = monitor(tmp_path, "demo")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "day 7 done" in result.stdout and "monitor history lumen" in result.stdout
    output = tmp_path / "demo-output"
    mails = sorted((output / "emails").glob("*.eml"))
    subjects = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["Subject"] for p in mails]
    assert len(subjects) == 4
    assert subjects[0].startswith("[policy-monitor] MATERIAL: Lumen Displays privacy policy")
    assert any("Nestwise" in s and "READABLE AGAIN" in s for s in subjects)
    posts = sorted((output / "slack").glob("*.json"))
    assert len(posts) == 4
    assert "blocks" in json.dumps(json.loads(posts[0].read_text()))
    assert {"config.toml", "demo.db", "daemon.log"} <= {p.name for p in output.iterdir()}

    printed = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("monitor -c ")]
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    assert len(printed) >= 4
    for command in printed:
        assert command in readme, f"the README does not list {command!r}"
        ran = monitor(tmp_path, *shlex.split(command)[1:])
        assert ran.returncode == 0, (command, ran.stderr)
        assert ran.stdout.strip(), command
    history = monitor(tmp_path, "-c", "demo-output/config.toml", "history", "lumen")
    assert "MATERIAL" in history.stdout and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", history.stdout)
    listed = json.loads(monitor(tmp_path, "-c", "demo-output/config.toml", "alerts", "--json").stdout)
    assert {row["status"] for row in listed} <= {"sent", "queued"} and len(listed) >= 8  # queued: for the digest
    assert {row["kind"] for row in listed if row["status"] == "queued"} == {"review"}

    (output / ".policy-monitor-demo").unlink()  # the next demo would replace its own folder, not another
    refused = monitor(tmp_path, "demo")
    assert refused.returncode == 2 and "demo-output/ exists and was not made by the demo" in refused.stderr
    assert (output / "demo.db").exists()
