"""What the read commands print: `--json` in the shapes the README documents, and tables that keep every
date whole at 80 columns, on a terminal and through a pipe. Real CLI processes over a crawled record."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.demo_site import DemoSite
from tests.support.sinks import MailSink

ROOT = Path(__file__).resolve().parents[1]
READ_COMMANDS = {
    "vendors": [],
    "history": ["lumen"],
    "show": ["lumen"],
    "diff": ["lumen"],
    "alerts": [],
    "status": [],
    "outcomes": [],
    "channels": [],
    "kinds": [],
    "gc": ["--dry-run"],
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
OPEN_MAPPINGS = {"alerts", "details", "jobs"}  # objects whose keys are data (statuses, a registry's extra columns)


def run(config: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("POLICY_MONITOR_", "TTY_"))}
    environment.update({"COLUMNS": "80", **env})
    command = [sys.executable, "-m", "monitor", "-c", str(config), *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=180)


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A record with versions, a MATERIAL change, an open incident and sent alerts."""
    folder = tmp_path_factory.mktemp("record")
    with DemoSite() as site, MailSink() as mail:
        mail.start()
        lines = ["[storage]", 'url = "sqlite:///data/record.db"', "[crawl]", "delay = 0", "timeout = 5"]
        lines += ["retries = 0", "autothrottle = false", "[[alerts.channels]]", 'name = "email"', f'url = "{mail.url}"']
        for vendor in ("lumen", "nestwise"):
            lines += ["[[vendors]]", f'id = "{vendor}"', f'name = "{vendor.title()}"', "[[vendors.documents]]"]
            lines += ['type = "privacy_policy"', f'url = "{site.url(vendor)}"', 'language = "en"']
        config = folder / "config.toml"
        config.write_text("\n".join(lines) + "\n")
        assert run(config, "crawl").returncode == 0
        site.show("lumen", 1)
        site.captcha.add("nestwise")
        assert run(config, "crawl").returncode == 0
    yield config


def documented_shapes() -> dict[str, Any]:
    """The README's example of each command's `--json`, by command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### JSON output") :]
    shapes, start = {}, 0
    for block in re.finditer(r"```json\n(.*?)\n```", section, re.S):
        for command in re.findall(r"`monitor ([a-z]+)[^`]*--json`", section[start : block.start()]):
            shapes[command] = json.loads(block.group(1))
        start = block.end()
    return shapes


def same_shape(documented: Any, real: Any, where: str) -> None:
    """The same keys at every level where both sides have an object (a null or empty list matches anything)."""
    if documented is None or real is None:
        return
    if isinstance(documented, dict):
        assert isinstance(real, dict), where
        assert list(real) == list(documented), where
        for key in documented:
            if key in OPEN_MAPPINGS:
                assert isinstance(real[key], dict), f"{where}.{key}"
            else:
                same_shape(documented[key], real[key], f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(real, list), where
        if documented and real:
            for item in real:
                same_shape(documented[0], item, f"{where}[]")


def test_every_read_command_has_json_in_the_documented_shape(record: Path) -> None:
    shapes = documented_shapes()
    assert set(READ_COMMANDS) <= set(shapes)
    for command, args in READ_COMMANDS.items():
        result = run(record, command, *args, "--json")
        assert result.returncode in (0, 1), (command, result.stderr)  # status: 1 while an incident is open
        (line,) = result.stdout.splitlines()
        same_shape(shapes[command], json.loads(line), command)
    status = json.loads(run(record, "status", "--json").stdout)
    assert status["incidents"][0]["kind"] == "bot_wall" and status["alerts"]["sent"] >= 2
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", status["last_run"]["started_at"])
    history = json.loads(run(record, "history", "lumen", "--json").stdout)
    assert history[0]["versions"][1]["change"]["severity"] == "MATERIAL"


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "pipe"])
def test_tables_keep_every_date_whole_at_80_columns(record: Path, terminal: bool) -> None:
    env = {"TTY_COMPATIBLE": "1"} if terminal else {}
    for command, args in (("vendors", []), ("history", ["lumen"]), ("alerts", []), ("status", [])):
        data = json.dumps(json.loads(run(record, command, *args, "--json").stdout))
        shown = ANSI.sub("", run(record, command, *args, **env).stdout)
        moments = {f"{day} {minute}" for day, minute in re.findall(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)", data)}
        moments -= {f"{day} {minute}" for day, minute in re.findall(r'"next_attempt_at": "(\S+)T(\d\d:\d\d)', data)}
        assert moments, command
        for moment in moments:
            assert moment in shown, (command, moment, shown)
        assert "..." not in shown and "…" not in shown, (command, shown)
        if terminal:
            assert max(len(line) for line in shown.splitlines()) <= 80, (command, shown)
        else:
            assert not set("─│┃━") & set(shown), (command, shown)  # plain lines through a pipe
            assert "\x1b[" not in shown


def test_brackets_in_reasons_and_errors_are_shown_not_read_as_markup() -> None:
    from datetime import UTC, datetime

    from rich.console import Console

    from monitor.app.health import IncidentSummary, Status
    from monitor.cli.views import status_view

    hint = "rendering is unavailable (to enable it: pip install 'policy-monitor[render]' and apt-get install chromium)"
    incident = IncidentSummary("lumen", "privacy_policy", "render_unavailable", hint, datetime.now(UTC), 1)
    console = Console(width=80, force_terminal=True, record=True)
    console.print(status_view(Status(None, [], [incident], None)))
    assert "'policy-monitor[render]'" in console.export_text()
