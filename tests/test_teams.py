"""The Teams channel kind: an Adaptive Card posted through Apprise's workflows:// to a loopback HTTPS server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from monitor.alerts.channels import CHANNELS, open_channel
from monitor.alerts.outbox import drain
from tests.support.sinks import WebhookSink
from tests.test_alerts import recorder
from tests.test_decisions import BASE, SELLS

# The loopback server's certificate is self-signed: the channel URL says verify=no.
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


@pytest.fixture
def teams() -> Iterator[WebhookSink]:
    with WebhookSink(tls=True) as sink:
        yield sink


def teams_url(sink: WebhookSink) -> str:
    return f"workflows://127.0.0.1:{sink.port}/wf0123/Sig0123456789secret/?verify=no"


def runs(card: dict) -> list[dict]:
    """Every text run of the card's rich text blocks."""
    body = card["attachments"][0]["content"]["body"]
    return [run for block in body if block["type"] == "RichTextBlock" for run in block["inlines"]]


def test_a_material_change_reaches_teams_as_one_adaptive_card(tmp_path: Path, teams: WebhookSink) -> None:
    fetch = recorder(tmp_path, {"teams": teams_url(teams)})
    fetch(BASE)
    fetch(SELLS)
    drained = drain(fetch.engine, fetch.config, fetch.now)
    assert (drained.sent, drained.failed) == (1, 0)
    (post,) = teams.posts
    where = urlsplit(post["path"])
    assert where.path == "/workflows/wf0123/triggers/manual/paths/invoke"
    assert parse_qs(where.query)["sig"] == ["Sig0123456789secret"]
    card = post["json"]
    assert card["type"] == "message"
    (attachment,) = card["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [run["text"] for run in runs(card)]
    assert "MATERIAL" in texts and "Acme privacy policy" in texts
    struck = [run["text"] for run in runs(card) if run.get("strikethrough")]
    added = [run["text"] for run in runs(card) if run.get("weight") == "bolder" and run.get("color") == "good"]
    assert any("do not" in text for text in struck) and any("may" in text for text in added)
    assert any("monitor diff acme 1 2 --doc privacy_policy" in text for text in texts)
    assert attachment["content"]["actions"][0]["url"].endswith("/acme/privacy_policy/1/2")


def test_teams_is_a_registered_kind_with_its_secret_masked(teams: WebhookSink) -> None:
    assert "teams" in CHANNELS  # loaded through the policy_monitor.channels entry point
    channel = open_channel("teams", teams_url(teams))
    assert channel.kind == "teams"
    assert "Sig0123456789secret" not in channel.masked_url


def test_a_failing_teams_endpoint_is_retried(tmp_path: Path, teams: WebhookSink) -> None:
    teams.status = 500
    fetch = recorder(tmp_path, {"teams": teams_url(teams)})
    fetch(BASE)
    fetch(SELLS)
    drained = drain(fetch.engine, fetch.config, fetch.now)
    assert (drained.sent, drained.retrying) == (0, 1)
    (row,) = fetch.rows()
    assert row.status == "queued" and row.attempts == 1 and "500" in (row.last_error or "")
    assert "Sig0123456789secret" not in (row.last_error or "")
