"""The config file as the operator edits it: a commented starter, and vendors appended with tomlkit.

Appending keeps the file's comments, order and layout; the result is validated like any config before
it is written, so a vendor that would make the file invalid is never added.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import tomlkit
from tomlkit.items import AoT, Table

from monitor.config import ConfigError, parse_config

STARTER = """\
# policy-monitor configuration. Every key is optional; each is explained in the README (Configuration).
# Check it with `monitor vendors`; add a vendor with `monitor add URL`.

[storage]
# Any SQLAlchemy URL; a relative SQLite path is relative to this file.
url = "sqlite:///data/policy-monitor.db"
# Days the raw bodies of unchanged fetches are kept before `monitor gc` drops them (sources stay).
# keep_fetches_days = 90

[crawl]
# Who is fetching: keep a contact URL or e-mail address in it.
# user_agent = "policy-monitor/0.1 (+mailto:privacy@example.com)"
# How often each document is fetched: "30m", "12h", "1d", or a 5-field cron expression (UTC).
default_schedule = "12h"
# delay = 2.0          # seconds between two requests to one site
# obey_robots_txt = true

[alerts]
# The daily digest of REVIEW changes, UTC.
digest = "08:00"
# Where alerts go: Apprise URLs (README, Alerts). A channel with events = ["operations"] gets the
# operators' messages (rendering unavailable, a channel paused) instead of policy alerts.
#
# [[alerts.channels]]
# name = "privacy-team"
# url = "mailtos://alerts:APP-PASSWORD@smtp.example.com?from=policy-monitor@example.com&to=privacy@example.com"
# severities = ["MATERIAL"]
#
# [[alerts.channels]]
# name = "operators"
# url = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
# events = ["operations"]

# The vendors and their documents: `monitor add URL --id acme --name "Acme Corp"` appends one.
#
# [[vendors]]
# id = "acme"
# name = "Acme Corp"
# tags = ["saas"]
#   [[vendors.documents]]
#   type = "privacy_policy"
#   url = "https://acme.example/privacy"
"""


def starter_config() -> str:
    """The text of a commented starter config (valid as it is, with no vendor yet)."""
    return STARTER


def suggested_vendor_id(url: str) -> str:
    """A vendor id for a policy URL: its site's name (`https://www.quectel.com/privacy` gives `quectel`)."""
    host = (urlsplit(url).hostname or "vendor").removeprefix("www.")
    labels = host.split(".")
    name = labels[-2] if len(labels) >= 2 and not host.replace(".", "").isdigit() else host
    return re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_") or "vendor"


def add_vendor(path: Path, vendor_id: str, name: str, doc_type: str, url: str, tags: Sequence[str] = ()) -> None:
    """Append a vendor with one document to the config file at `path` (or the document to that vendor).

    Raises ConfigError (one line) when the vendor already has a document of that type, or when the
    file would not be a valid config afterwards; the file is then left as it was.
    """
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    watched = tomlkit.table()
    watched.update({"type": doc_type, "url": url})
    watched.indent(2)  # as `[[vendors.documents]]` blocks are usually written
    vendors = document.get("vendors")
    existing = next((v for v in vendors or () if v.get("id") == vendor_id), None)
    if existing is not None:
        types = [d.get("type") for d in existing.get("documents", ())]
        if doc_type in types:
            raise ConfigError(f"{path}: vendor {vendor_id!r} already has a document of type {doc_type!r}")
        existing.setdefault("documents", tomlkit.aot()).append(watched)
    else:
        vendor: Table = tomlkit.table()
        vendor.trivia.indent = "\n"  # a blank line before the new `[[vendors]]`
        vendor.update({"id": vendor_id, "name": name})
        if tags:
            vendor["tags"] = list(tags)
        documents: AoT = tomlkit.aot()
        documents.append(watched)
        vendor["documents"] = documents
        if vendors is None:
            document["vendors"] = tomlkit.aot()
        document["vendors"].append(vendor)
    text = tomlkit.dumps(document)
    parse_config(text, path)  # ConfigError before anything is written
    path.write_text(text, encoding="utf-8")
