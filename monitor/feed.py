"""A read-only face: the recent changes as an Atom feed, for a feed reader or an intranet page.

`python -m monitor.feed --config FILE [--vendor ID] [--severity MATERIAL] [--limit N] > changes.atom`
writes the newest changes (MATERIAL and REVIEW by default) with their rule ids, headline and the
command that shows the diff; the web view (`monitor serve`) serves the same entries, linked to its
change pages. Re-extractions (technical versions) are left out; flip-flops never become changes.
Entry ids name the document and version, so they stay the same across restarts; times are UTC.
It reads through `monitor.app` only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from monitor import app
from monitor.app.json_shapes import jsonable
from monitor.app.reads import ChangeSummary
from monitor.config import ConfigError

ATOM = "http://www.w3.org/2005/Atom"
FEED_KINDS = ("new_version", "reversion")  # technical versions (re-extractions) are left out
EPOCH = "1970-01-01T00:00:00Z"


def change_entry(change: ChangeSummary, link: str | None = None) -> ET.Element:
    """One Atom entry for a change, linked to `link` (its change page) when given."""
    entry = ET.Element("entry")
    key = f"{change.vendor_id}:{change.document_type}:{change.new_seq}"
    ET.SubElement(entry, "id").text = f"urn:policy-monitor:change:{key}"
    title = f"[{change.severity}] {change.vendor_id} {change.document_type.replace('_', ' ')}: {change.headline}"
    ET.SubElement(entry, "title").text = title
    ET.SubElement(entry, "updated").text = jsonable(change.detected_at)
    ET.SubElement(entry, "published").text = jsonable(change.detected_at)
    ET.SubElement(entry, "category", term=change.severity)
    if link:
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=link)
    diff = f"monitor diff {change.vendor_id} {change.old_seq or ''} {change.new_seq} --doc {change.document_type}"
    rules = ", ".join(change.rules) or "none"
    summary = f"{change.severity} {change.kind}: {change.headline}; rules: {rules}; see `{' '.join(diff.split())}`"
    ET.SubElement(entry, "summary").text = summary
    return entry


def feed(
    changes: Sequence[ChangeSummary],
    title: str = "policy-monitor: recent changes",
    feed_id: str = "urn:policy-monitor:changes",
    *,
    self_link: str | None = None,
    link_of: Callable[[ChangeSummary], str] | None = None,
) -> bytes:
    """An Atom document of `changes` (newest first); `link_of` gives an entry's change page."""
    root = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(root, "id").text = feed_id
    ET.SubElement(root, "title").text = title
    latest = max((c.detected_at for c in changes), default=None)
    ET.SubElement(root, "updated").text = jsonable(latest) if latest else EPOCH
    ET.SubElement(ET.SubElement(root, "author"), "name").text = "policy-monitor"
    if self_link:
        ET.SubElement(root, "link", rel="self", type="application/atom+xml", href=self_link)
    root.extend(change_entry(change, link_of(change) if link_of else None) for change in changes)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def main(argv: list[str] | None = None) -> int:
    """Print the feed; exit 2 for a bad config or database, 1 for an unknown vendor."""
    parser = argparse.ArgumentParser(prog="python -m monitor.feed", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("config.toml"))
    parser.add_argument("--vendor")
    parser.add_argument("--severity", action="append", choices=("MATERIAL", "REVIEW", "NOISE"))
    parser.add_argument("--limit", type=int, default=50)
    args = parser.parse_args(argv)
    try:
        application = app.open_app(app.load_settings(args.config), create=False)
        severities = args.severity or ("MATERIAL", "REVIEW")
        changes = app.recent_changes(application, args.limit, args.vendor, severities, kinds=FEED_KINDS)
    except app.NotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (ConfigError, app.StorageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    diff_url = application.config.alerts.diff_url  # the alerts' link (the web view's change page by default)

    def link_of(change: ChangeSummary) -> str:
        assert diff_url is not None
        old = change.old_seq or max(change.new_seq - 1, 1)
        return diff_url.format(vendor=change.vendor_id, document=change.document_type, old=old, new=change.new_seq)

    sys.stdout.buffer.write(feed(changes, link_of=link_of if diff_url else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
