"""The Atom feed face: recent changes read through monitor.app only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

from tests.test_alerts import recorder
from tests.test_decisions import BASE, SELLS, edited

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_feed_lists_material_and_review_changes_newest_first(tmp_path: Path) -> None:
    fetch = recorder(tmp_path, {})
    fetch(BASE)
    fetch(edited(line3="We use your e-mail address to send you service messages and news about your account."))
    fetch(SELLS)
    result = subprocess.run(
        [sys.executable, "-m", "monitor.feed", "--config", str(tmp_path / "config.toml")],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    entries = ET.fromstring(result.stdout).findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert len(titles) == 2 and titles[0].startswith("[MATERIAL] acme privacy policy: ")
    assert titles[1].startswith("[REVIEW] acme privacy policy: ")
    assert "monitor diff acme 2 3 --doc privacy_policy" in (entries[0].findtext(f"{ATOM}summary") or "")
    link = entries[0].find(f"{ATOM}link[@rel='alternate']")
    assert link is not None and link.get("href") == "https://monitor.example/diff/acme/privacy_policy/2/3"  # diff_url
    material = subprocess.run(
        [sys.executable, "-m", "monitor.feed", "--config", str(tmp_path / "config.toml"), "--severity", "MATERIAL"],
        capture_output=True,
        timeout=60,
    )
    assert len(ET.fromstring(material.stdout).findall(f"{ATOM}entry")) == 1


def test_an_unknown_vendor_is_one_line_and_exit_1(tmp_path: Path) -> None:
    recorder(tmp_path, {})
    result = subprocess.run(
        [sys.executable, "-m", "monitor.feed", "--config", str(tmp_path / "config.toml"), "--vendor", "ghost"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "ghost" in result.stderr
