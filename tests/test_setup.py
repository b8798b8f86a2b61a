"""`monitor init` and `monitor add`: a starter config, then a vendor appended from its page, comments kept."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.config import load_config
from tests.support.sites import LoopbackSite
from tests.test_cli import monitor

POLICY = "".join(
    f"<p>{sentence}</p>"
    for sentence in (
        "Last updated: May 20, 2024.",
        "We collect your e-mail address and the settings of your account to run the service.",
        "We never sell your personal information, and we share it only with the processors we name here.",
        "You may ask us to delete your account and its data at any time by writing to privacy@acme.test.",
    )
)
PAGE = f"<html><body><nav>Home | Blog</nav><main><h1>Acme Privacy Policy</h1>{POLICY}</main></body></html>"


def test_init_then_add_appends_a_vendor_whose_first_crawl_records_the_previewed_text(
    tmp_path: Path, site: LoopbackSite
) -> None:
    config = tmp_path / "config.toml"
    made = monitor(config, "init")
    assert made.returncode == 0, made.stderr
    assert load_config(config).vendors == []
    assert monitor(config, "init").returncode == 2  # never over an existing file
    config.write_text(config.read_text().replace("# delay = 2.0 ", "delay = 0 ") + "# a comment of my own\n")

    site.set("/privacy", PAGE)
    url = site.url("/privacy")
    dry = monitor(config, "add", url, "--id", "acme", "--dry-run")
    assert dry.returncode == 0 and "Nothing written" in dry.stdout
    assert load_config(config).vendors == []
    added = monitor(config, "add", url, "--id", "acme", "--name", "Acme Corp", "--tag", "saas")
    assert added.returncode == 0, added.stderr
    previewed = added.stdout.split("\nAdded acme", 1)[0].strip()
    assert previewed.startswith("# Acme Privacy Policy") and "Home | Blog" not in previewed
    assert "updated 2024-05-20" in added.stderr  # the date it found
    text = config.read_text()
    assert "# a comment of my own" in text and "# How often each document is fetched" in text  # layout kept
    (vendor,) = load_config(config).vendors
    assert (vendor.id, vendor.name, vendor.tags, vendor.documents[0].url) == ("acme", "Acme Corp", ["saas"], url)

    assert monitor(config, "crawl", "acme").returncode == 0
    shown = monitor(config, "show", "acme", "--json")
    assert json.loads(shown.stdout)["text"].strip() == previewed

    twice = monitor(config, "add", url, "--id", "acme")
    assert twice.returncode == 2 and "already has a document of type 'privacy_policy'" in twice.stderr
    terms = monitor(config, "add", url, "--id", "acme", "--type", "terms")
    assert terms.returncode == 0, terms.stderr
    assert [d.type for d in load_config(config).vendors[0].documents] == ["privacy_policy", "terms"]
    unreachable = monitor(config, "add", site.url("/nothing-here"), "--id", "ghost")
    assert unreachable.returncode == 1 and "http_error" in unreachable.stderr
    assert [v.id for v in load_config(config).vendors] == ["acme"]
