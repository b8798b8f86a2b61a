"""`monitor demo` end to end: the real daemon on the bundled site, with e-mail and Slack captured."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
from pathlib import Path


def test_demo_runs_the_daemon_through_the_script_and_captures_the_alerts(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_MONITOR_")}
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "demo"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=240
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "day 7 done" in result.stdout and "monitor history lumen" in result.stdout
    mails = sorted((tmp_path / "demo-output" / "emails").glob("*.eml"))
    subjects = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["Subject"] for p in mails]
    assert len(subjects) == 4
    assert subjects[0].startswith("[policy-monitor] MATERIAL: Lumen Displays privacy policy")
    assert any("Nestwise" in s and "READABLE AGAIN" in s for s in subjects)
    posts = sorted((tmp_path / "demo-output" / "slack").glob("*.json"))
    assert len(posts) == 4
    assert "blocks" in json.dumps(json.loads(posts[0].read_text()))
