"""The `monitor` command end to end: real CLI processes, a real crawler child, loopback sites, SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from storage.db import open_database
from storage.models import Document, Snapshot, Version
from tests.support.demo_policies import VENDORS
from tests.support.demo_site import CAPTCHA_PAGE, DemoSite, render_page
from tests.support.sites import LoopbackSite, refused_url

FAST = {"delay": 0, "timeout": 2, "retries": 0, "autothrottle": "false", "cycle_timeout": 60}


def write_config(tmp_path: Path, urls: dict[str, str], **crawl: object) -> Path:
    lines = ["[storage]", 'url = "sqlite:///data/test.db"', "[crawl]"]
    lines += [f"{key} = {value}" for key, value in {**FAST, **crawl}.items()]
    for vendor_id, url in urls.items():
        lines += [
            "[[vendors]]",
            f'id = "{vendor_id}"',
            f'name = "{vendor_id.title()} Inc"',
            "[[vendors.documents]]",
            'type = "privacy_policy"',
            f'url = "{url}"',
            'language = "en"',
        ]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def monitor(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "250", "NO_COLOR": "1"}
    env.pop("POLICY_MONITOR_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "monitor", "-c", str(config), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )


def versions_by_vendor(config: Path) -> dict[str, int]:
    engine = open_database(f"sqlite:///{config.parent / 'data' / 'test.db'}")
    with Session(engine) as session:
        counts: dict[str, int] = {}
        for doc in session.exec(select(Document)):
            counts[doc.vendor_id] = len(list(session.exec(select(Version).where(Version.document_id == doc.id))))
        return counts


def test_crawl_history_show_diff_on_three_vendor_pages(tmp_path: Path) -> None:
    with DemoSite() as site:
        config = write_config(tmp_path, {v: site.url(v) for v in site.vendors})
        first = monitor(config, "crawl")
        assert first.returncode == 0, first.stderr
        assert "3 documents fetched, 3 new versions" in first.stdout
        assert versions_by_vendor(config) == {"lumen": 1, "corvid": 1, "nestwise": 1}

        history = monitor(config, "history", "lumen")
        assert history.returncode == 0, history.stderr
        assert "lumen privacy_policy" in history.stdout and "2023-03-03" in history.stdout

        again = monitor(config, "crawl")  # every page has a new nonce, the policies are the same
        assert again.returncode == 0 and "0 new versions" in again.stdout
        assert versions_by_vendor(config) == {"lumen": 1, "corvid": 1, "nestwise": 1}

        site.show("lumen", 1)
        changed = monitor(config, "crawl")
        assert "1 new versions" in changed.stdout
        assert versions_by_vendor(config) == {"lumen": 2, "corvid": 1, "nestwise": 1}

    diff = monitor(config, "diff", "lumen")
    assert diff.returncode == 0, diff.stderr
    assert "{+" in diff.stdout and "advertising partners" in diff.stdout
    assert "[-" in diff.stdout and "not sell" in diff.stdout

    old = monitor(config, "show", "lumen", "--version", "1")
    assert "We do not sell personal information." in old.stdout
    assert "Contact Support" not in old.stdout  # the mega-menu is not policy text
    latest = monitor(config, "show", "lumen")
    assert "advertising partners" in latest.stdout
    dated = monitor(config, "show", "lumen", "--at", "2000-01-01")
    assert dated.returncode == 1 and "no version yet" in dated.stderr

    table = monitor(config, "vendors")
    assert table.returncode == 0
    lumen_row = next(line for line in table.stdout.splitlines() if "lumen" in line)
    assert " ok " in lumen_row and " 2 " in lumen_row


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["history", "nobody"], "unknown vendor 'nobody'"),
        (["show", "lumen", "--version", "7"], "has no version 7"),
        (["diff", "lumen", "1", "5"], "has no version 5"),
        (["crawl", "nobody"], "unknown vendor 'nobody'"),
    ],
)
def test_unknown_vendor_or_version_exits_1(tmp_path: Path, args: list[str], message: str) -> None:
    with DemoSite() as site:
        config = write_config(tmp_path, {"lumen": site.url("lumen")})
        assert monitor(config, "crawl").returncode == 0
    result = monitor(config, *args)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_failures_are_recorded_and_do_not_affect_other_vendors(tmp_path: Path) -> None:
    with LoopbackSite() as site:
        policy = "<p>We keep little data about you, only what the service needs to work.</p>" * 5
        site.set("/good", f"<html><body><h1>Privacy</h1>{policy}</body></html>")
        site.set("/missing", "<html><body>Gone</body></html>", status=404)
        site.set("/slow", "<html><body><p>Too late.</p></body></html>", delay=6)
        site.set("/huge", b"<html><body>" + b"<p>x</p>" * (20 * 1024 * 1024 // 8) + b"</body></html>")
        urls = {
            "good": site.url("/good"),
            "missing": site.url("/missing"),
            "slow": site.url("/slow"),
            "huge": site.url("/huge"),
            "refused": refused_url(),
        }
        config = write_config(tmp_path, urls, timeout=1)
        result = monitor(config, "crawl")
    assert result.returncode == 0, result.stderr
    engine = open_database(f"sqlite:///{tmp_path / 'data' / 'test.db'}")
    with Session(engine) as session:
        outcome = {
            doc.vendor_id: session.exec(select(Snapshot).where(Snapshot.document_id == doc.id)).one()
            for doc in session.exec(select(Document))
        }
    assert {vendor: snap.outcome for vendor, snap in outcome.items()} == {
        "good": "ok",
        "missing": "http_error",
        "slow": "timeout",
        "huge": "too_large",
        "refused": "connection_refused",
    }
    assert outcome["missing"].http_status == 404
    assert outcome["good"].version_id is not None
    assert all(snap.version_id is None for vendor, snap in outcome.items() if vendor != "good")
    assert all(snap.error for vendor, snap in outcome.items() if vendor != "good")
    assert versions_by_vendor(config)["good"] == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[crawl]\nspeed = 3\n", "crawl.speed: unknown key"),
        (
            '[[vendors]]\nid = "a"\nname = "A"\n[[vendors.documents]]\ntype = "terms"\nurl = "nope"\n',
            "not an http(s) URL",
        ),
        (
            '[[vendors]]\nid = "a"\nname = "A"\n[[vendors.documents]]\ntype = "t"\nurl = "http://a.test"\n' * 2,
            "duplicate vendor id 'a'",
        ),
        ("[crawl\n", "invalid TOML"),
    ],
)
def test_bad_config_is_one_line_and_exit_2_and_writes_nothing(tmp_path: Path, content: str, expected: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(content)
    result = monitor(config, "crawl")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and expected in result.stderr and str(config) in result.stderr
    assert not (tmp_path / "data").exists()


def test_replay_prints_one_line_per_file_in_time_order(tmp_path: Path) -> None:
    lumen = VENDORS[0]
    pages = {
        "2024-01-02T00-00-00Z.html": render_page(lumen, lumen.versions[0], "n2"),
        "2024-01-01T00-00-00Z.html": render_page(lumen, lumen.versions[0], "n1"),
        "2024-01-03T00-00-00Z.html": render_page(lumen, lumen.versions[1], "n3"),
        "2024-01-04T00-00-00Z.html": CAPTCHA_PAGE.encode(),
        "2024-01-05T00-00-00Z.html": render_page(lumen, lumen.versions[0], "n4"),
    }
    for name, body in pages.items():
        (tmp_path / name).write_bytes(body)
    result = monitor(tmp_path / "absent.toml", "replay", str(tmp_path), "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"][:10] for line in lines] == [
        "2024-01-01",
        "2024-01-02",
        "2024-01-03",
        "2024-01-04",
        "2024-01-05",
    ]
    assert [line["decision"] for line in lines] == [
        "first_version",
        "unchanged",
        "new_version",
        "inaccessible",
        "flip_flop",
    ]
    assert lines[2]["severity"] == "MATERIAL" and lines[2]["policy_date"] == "2024-05-20"
    assert lines[3]["outcome"] == "bot_wall"
    text = monitor(tmp_path / "absent.toml", "replay", str(tmp_path))
    assert text.stdout.count("\n") == 5 and "MATERIAL" in text.stdout
    assert monitor(tmp_path / "absent.toml", "replay", str(tmp_path / "nope")).returncode == 1


def test_errors_are_one_line_with_the_promised_exit_codes_and_readers_create_nothing(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"lumen": "http://127.0.0.1:9/p"})
    cases = [
        (["show", "lumen", "--at", "soon"], 2, "--at takes an ISO date"),
        (["show", "lumen", "-n", "x"], 2, "Invalid value for '--version'"),
        (["show", "lumen", "--at", "2024-01-01", "-n", "1"], 2, "give --at or --version, not both"),
        (["histry", "lumen"], 2, "Did you mean 'history'?"),
        (["alerts", "--jsn"], 2, "--json"),
        (["history"], 2, "Missing argument"),
        (["history", "lumn"], 1, "unknown vendor 'lumn' (did you mean 'lumen'?)"),
        (["history", "lumen"], 1, f"nothing recorded for vendor 'lumen' yet (run `monitor -c {config} crawl lumen`)"),
        (["alerts", "retry", "3"], 1, "no alert #3"),
        (["test-alert"], 1, "no alert channels configured"),
        (["status"], 1, "no crawl has run yet"),
    ]
    for args, code, message in cases:
        result = monitor(config, *args)
        assert result.returncode == code, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, (args, result.stderr)
    for args in (["vendors"], ["alerts"], ["channels"], ["status", "--json"], ["vendors", "--json"]):
        assert monitor(config, *args).returncode in (0, 1)
    assert not (tmp_path / "data").exists()  # no read-only command created the database or its folder


def test_global_options_may_follow_the_command(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"lumen": "http://127.0.0.1:9/p"})
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_MONITOR_")}
    command = [sys.executable, "-m", "monitor", "vendors", "--json", "-c", str(config), "-v"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path.parent, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["vendor_id"] == "lumen"


@pytest.mark.parametrize("url", ["nosuchdb://host/x", "not a url", "postgresql+nodriver://u:S3cret@h/db"])
def test_an_unusable_database_url_is_one_line_and_exit_2(tmp_path: Path, url: str) -> None:
    config = write_config(tmp_path, {"lumen": "http://127.0.0.1:9/p"})
    config.write_text(config.read_text().replace('url = "sqlite:///data/test.db"', f'url = "{url}"'))
    for args in (["crawl"], ["vendors"], ["status"]):
        result = monitor(config, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and "cannot use the database URL" in result.stderr
        assert "S3cret" not in result.stderr
