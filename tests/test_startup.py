"""The commands that only read or print start light: no crawler, alerting, PDF, extraction or migration stack loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor import app
from monitor.config import save_config
from tests.support.configs import loopback_config
from tests.support.demo_site import DemoSite

#: Top-level packages a light command must not import.
HEAVY = ("scrapy", "twisted", "apprise", "pdfminer", "lxml", "dateparser", "diff_match_patch", "alembic")
#: Runs the `monitor` command given as arguments, then prints the heavy packages it imported as JSON on stderr.
PROBE = f"""
import json, sys
from monitor.cli import main
try:
    main()
finally:
    print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config over a database that the demo site's three vendors were crawled into."""
    folder = tmp_path_factory.mktemp("startup")
    with DemoSite() as site:
        config = loopback_config(folder / "t.db", {v: site.url(v) for v in site.vendors})
        assert app.check_documents(app.open_app(config)).new_versions == 3
    return save_config(config, folder / "config.toml")


@pytest.mark.parametrize("command", [["--help"], ["vendors"], ["history", "lumen"]])
def test_light_commands_import_no_heavy_module(config_file: Path, command: list[str]) -> None:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("POLICY_MONITOR_DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-c", PROBE, "-c", str(config_file), *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip()  # the command did its work ...
    assert json.loads(run.stderr.strip().splitlines()[-1]) == []  # ... without loading any of them


def test_the_probe_sees_a_heavy_import(config_file: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", "import lxml.etree\n" + PROBE, "-c", str(config_file), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(run.stderr.strip().splitlines()[-1]) == ["lxml"]
