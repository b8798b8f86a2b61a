"""Regenerate the sample alerts under docs/ from a real change: the demo's Lumen policy, crawled twice.

    python bench/render_samples.py            # docs/sample-email.html, .eml, sample-slack.json
    python bench/render_samples.py --png      # and docs/sample-email.png (needs Debian's `chromium`)

The demo site runs on loopback and the database is a throw-away file; the alerts are queued by the real
crawl cycle and rendered exactly as they would be sent (nothing is sent).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor import app
from monitor.alerts.channels import EmailChannel, open_channel
from storage.models import Outbox
from storage.outbox import latest_alerts
from tests.support.configs import loopback_config
from tests.support.demo_policies import VENDORS
from tests.support.demo_site import DemoSite

DOCS = Path(__file__).resolve().parents[1] / "docs"
EMAIL_URL = "mailto://alerts:app-password@smtp.example.com?from=policy-monitor@example.com&to=privacy-team@example.com"
SLACK_URL = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


def queued_payloads() -> dict[str, Outbox]:
    """Crawl the demo's Lumen policy before and after its change; the queued alert rows, by channel."""
    lumen = [vendor for vendor in VENDORS if vendor.id == "lumen"]
    with tempfile.TemporaryDirectory(prefix="policy-monitor-samples-") as tmp, DemoSite(lumen) as site:
        config = loopback_config(
            Path(tmp) / "samples.db",
            {"lumen": site.url("lumen")},
            names={"lumen": lumen[0].name},
            language="en",
            channels={"email": EMAIL_URL, "slack": SLACK_URL},
            timeout=5,
        )
        diff_url = "https://monitor.example.com/diff/{vendor}/{document}/{old}/{new}"
        config = config.model_copy(update={"alerts": config.alerts.model_copy(update={"diff_url": diff_url})})
        application = app.open_app(config)
        app.check_documents(application, trigger="demo")
        site.show("lumen", 1)
        app.check_documents(application, trigger="demo")
        with Session(application.engine) as session:
            rows = {row.channel: row for row in latest_alerts(session) if row.kind == "change"}
        application.engine.dispose()
    if set(rows) != {"email", "slack"}:
        raise SystemExit(f"expected one change alert per channel, got {sorted(rows)}")
    return rows


def main(png: bool) -> None:
    """Write the samples (and the PNG when asked)."""
    rows = queued_payloads()
    email, slack = rows["email"], rows["slack"]
    assert email.payload is not None and slack.payload is not None
    channel = open_channel("email", EMAIL_URL)
    assert isinstance(channel, EmailChannel)
    DOCS.mkdir(exist_ok=True)
    (DOCS / "sample-email.html").write_text(email.payload["html"], encoding="utf-8")
    message = channel.mime(email.payload, email.message_id, "privacy-team@example.com")
    (DOCS / "sample-email.eml").write_bytes(message.as_bytes())
    post = {"attachments": [slack.payload["attachment"]]}  # what Apprise posts to the webhook
    (DOCS / "sample-slack.json").write_text(json.dumps(post, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {DOCS}/sample-email.html, sample-email.eml, sample-slack.json")
    if png:
        screenshot(DOCS / "sample-email.html", DOCS / "sample-email.png")


def screenshot(page: Path, target: Path, size: str = "820,770") -> None:
    """A PNG of ``page`` taken by headless Chromium (offline: the e-mail has no remote content)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium not found: apt-get install -y chromium")
    command = [chromium, *CHROMIUM_FLAGS, f"--screenshot={target}", f"--window-size={size}", page.as_uri()]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    print(f"wrote {target}")


if __name__ == "__main__":
    main(png="--png" in sys.argv[1:])
