"""A fetch whose body has the skeleton (and URL, content type, selectors) of the fetch that gave the
current text is recorded unchanged without being extracted; anything else is extracted as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from monitor import app
from monitor.app import extraction, record
from monitor.config import Config, DocumentConfig, StorageConfig
from storage.models import Incident, Snapshot
from tests.support.configs import loopback_config
from tests.support.sites import LoopbackSite

COMMON = "".join(
    f"<p>Section {n}: we explain here how the Acme service handles the personal data of its users.</p>"
    for n in range(1, 9)
)
POLICY = f"<h1>Acme Privacy Policy</h1><p>We keep account data until you delete your account.</p>{COMMON}"
SELLS = f"<h1>Acme Privacy Policy</h1><p>We may sell account data to advertising partners.</p>{COMMON}"


def page(text: str, nonce: str) -> str:
    script = f"<script nonce='{nonce}'>var id='{nonce}'</script>"
    return f"<html><head>{script}</head><body><main>{text}</main></body></html>"


class Counted:
    """Counts the extractions of fetched bodies, wherever they run in this process."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = extraction.extract_fetch

        def counted(*args: object) -> object:
            self.calls += 1
            return real(*args)  # type: ignore[arg-type]

        for module in (extraction, record):
            monkeypatch.setattr(module, "extract_fetch", counted)

    def taken(self) -> int:
        calls, self.calls = self.calls, 0
        return calls


@pytest.fixture
def extractions(monkeypatch: pytest.MonkeyPatch) -> Counted:
    return Counted(monkeypatch)


def crawl(config: Config) -> str:
    """One cycle of the only document; its decision."""
    (recorded,) = app.check_documents(app.open_app(config)).recorded
    return recorded.decision


def snapshots(config: Config) -> list[Snapshot]:
    with Session(app.open_app(config).engine) as session:
        return list(session.exec(select(Snapshot).order_by(col(Snapshot.id))))


def test_a_fresh_nonce_is_not_extracted_and_a_new_text_is(
    tmp_path: Path, database_url: str, site: LoopbackSite, extractions: Counted
) -> None:
    config = loopback_config(tmp_path / "k.db", {"acme": site.url("/privacy")})
    config = config.model_copy(update={"storage": StorageConfig(url=database_url)})
    site.set("/privacy", page(POLICY, "n1"))
    assert (crawl(config), extractions.taken()) == ("first_version", 1)
    site.set("/privacy", page(POLICY, "n2"))
    assert (crawl(config), extractions.taken()) == ("unchanged", 0)
    site.set("/privacy", page(SELLS, "n3"))
    assert (crawl(config), extractions.taken()) == ("new_version", 1)
    first, again, changed = snapshots(config)
    assert first.body_key is not None and again.body_key == first.body_key != changed.body_key
    assert again.body_sha256 != first.body_sha256  # the fetch's own body is kept (as a delta)


def test_other_selectors_extract_the_same_body_again(tmp_path: Path, site: LoopbackSite, extractions: Counted) -> None:
    site.set("/privacy", page(POLICY, "n1"))
    config = loopback_config(tmp_path / "k.db", {"acme": site.url("/privacy")})
    crawl(config)
    narrower = DocumentConfig(type="privacy_policy", url=site.url("/privacy"), select="main p")
    other = loopback_config(tmp_path / "k.db", {"acme": [narrower]})
    extractions.taken()
    assert (crawl(other), extractions.taken()) == ("new_version", 1)


def test_back_after_an_outage_resolves_it_without_extraction(
    tmp_path: Path, site: LoopbackSite, extractions: Counted
) -> None:
    config = loopback_config(tmp_path / "k.db", {"acme": site.url("/privacy")})
    site.set("/privacy", page(POLICY, "n1"))
    crawl(config)
    site.set("/privacy", "down for maintenance", 503)
    assert crawl(config) == "inaccessible"
    site.set("/privacy", page(POLICY, "n2"))
    extractions.taken()
    assert (crawl(config), extractions.taken()) == ("unchanged", 0)
    with Session(app.open_app(config).engine) as session:
        (incident,) = session.exec(select(Incident))
        assert incident.resolved_at is not None


def test_a_page_back_to_an_earlier_text_is_extracted(tmp_path: Path, site: LoopbackSite, extractions: Counted) -> None:
    config = loopback_config(tmp_path / "k.db", {"acme": site.url("/privacy")})
    site.set("/privacy", page(POLICY, "n1"))
    crawl(config)
    site.set("/privacy", page(SELLS, "n2"))
    crawl(config)
    site.set("/privacy", page(POLICY, "n3"))  # the skeleton of version 1, but version 2 is current
    extractions.taken()
    assert (crawl(config), extractions.taken()) == ("flip_flop", 1)
