"""`monitor demo`: crawl the bundled loopback site through a script of days, then show the record.

Everything runs on 127.0.0.1 with a throw-away SQLite database: no network is needed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.rule import Rule
from sqlmodel import Session

from monitor import views
from monitor.config import Config, CrawlConfig, DocumentConfig, StorageConfig, VendorConfig
from monitor.cycle import plan, run_cycle
from monitor.demo.site import DemoSite
from storage.db import open_database
from storage.queries import changes_by_version, list_versions, vendor_documents


@dataclass(frozen=True)
class Day:
    """One step of the demo script: what happens on the vendors' sites before that day's crawl."""

    story: str
    act: Callable[[DemoSite], None]


SCRIPT = [
    Day("Day 1: first crawl of three vendors", lambda site: None),
    Day("Day 2: only nonces and cache-busters changed on every page", lambda site: None),
    Day(
        "Day 3: Lumen starts sharing with advertising partners; Nestwise keeps reports longer",
        lambda site: (site.show("lumen", 1), site.show("nestwise", 1)),
    ),
    Day("Day 4: Corvid bumps its date", lambda site: site.show("corvid", 1)),
    Day("Day 5: Corvid's host puts up a captcha", lambda site: site.captcha.add("corvid")),
]


def demo_config(site: DemoSite, database: Path) -> Config:
    """A config watching every vendor of the demo site, fast and polite to loopback."""
    return Config(
        storage=StorageConfig(url=f"sqlite:///{database}"),
        crawl=CrawlConfig(delay=0, timeout=5, retries=0, autothrottle=False, cycle_timeout=120),
        vendors=[
            VendorConfig(
                id=vendor.id,
                name=vendor.name,
                documents=[DocumentConfig(type="privacy_policy", url=site.url(vendor.id), language="en")],
            )
            for vendor in site.vendors.values()
        ],
    )


def run_demo(console: Console) -> None:
    """Play the demo script and print what policy-monitor recorded."""
    with tempfile.TemporaryDirectory(prefix="policy-monitor-demo-") as tmp, DemoSite() as site:
        config = demo_config(site, Path(tmp) / "demo.db")
        engine = open_database(config.database_url)
        planned = plan(config, engine)
        names = {p.document_id: (p.vendor_id, p.config.type) for p in planned}
        for day in SCRIPT:
            console.print(Rule(day.story))
            day.act(site)
            result = run_cycle(config, engine, planned, trigger="demo")
            rows = sorted(((*names[r.document_id], r) for r in result.recorded), key=lambda row: row[:2])
            console.print(views.cycle_table(rows))
        console.print(Rule("monitor history lumen"))
        with Session(engine) as session:
            document = vendor_documents(session, "lumen")[0]
            assert document.id is not None
            versions = list_versions(session, document.id)
            changes = changes_by_version(session, document.id)
        console.print(views.history_table("lumen privacy_policy", versions, changes))
        console.print(Rule("monitor diff lumen"))
        console.print(views.diff_view(versions[-2].text, versions[-1].text, markers=not console.is_terminal))
