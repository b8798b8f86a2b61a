"""A large cycle extracts in a worker process and records in batched transactions: same records, fewer commits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, select

from crawler.results import FetchResult
from monitor import app
from monitor.app.batch import Batch
from monitor.app.cycle import WORKER_MIN_DOCUMENTS, sync_config
from monitor.app.record import Recorded, record_fetch
from monitor.text.pipeline import extract_version
from storage.models import Document, Snapshot, Version
from tests.support.configs import loopback_config
from tests.support.sites import LoopbackSite


def page(n: int) -> str:
    words = " ".join(["personal", "data", "vendor", str(n)] * 40)
    return (
        f"<html lang='en'><body><nav><a href='/a'>Home</a><a href='/b'>Blog</a></nav>"
        f"<main><h1>Privacy policy {n}</h1><p>Last updated: May {n % 28 + 1}, 2024</p><p>{words}.</p>"
        f"<p>We keep {words} for {n} days.</p></main><footer>© Vendor {n}</footer></body></html>"
    )


def test_a_cycle_large_enough_for_the_worker_records_what_the_pipeline_gives(
    tmp_path: Path, site: LoopbackSite
) -> None:
    count = WORKER_MIN_DOCUMENTS + 5
    for n in range(count):
        site.set(f"/p{n}", page(n))
    site.set("/gone", "missing", status=404)
    urls = {f"v{n}": site.url(f"/p{n}") for n in range(count)} | {"gone": site.url("/gone")}
    application = app.open_app(loopback_config(tmp_path / "t.db", urls, concurrency_per_domain=4))
    recorded: list[Recorded] = []
    result = app.check_documents(application, on_recorded=recorded.append)
    assert result.status == "finished" and result.recorded == recorded
    assert sorted(r.decision for r in recorded) == ["first_version"] * count + ["inaccessible"]
    with Session(application.engine) as session:
        for document in session.exec(select(Document).where(Document.vendor_id != "gone")):
            (version,) = session.exec(select(Version).where(Version.document_id == document.id))
            n = int(document.vendor_id.removeprefix("v"))
            expected = extract_version(page(n).encode(), content_type="text/html", url=document.url)
            assert (version.text, version.text_hash) == (expected.text, expected.text_hash)
            assert version.policy_date == f"2024-05-{n % 28 + 1:02d}"


def test_an_error_in_a_batch_loses_that_batch_only(tmp_path: Path) -> None:
    application = app.open_app(loopback_config(tmp_path / "t.db", {"a": "http://h/a", "b": "http://h/b"}))
    ids = list(sync_config(application).values())
    documents = application.config.vendors[0].documents[0]

    def unreachable(document_id: int) -> Callable[[Session], Recorded]:
        fetch = FetchResult(key="k", requested_url="http://h/a", final_url="http://h/a", outcome="connection_refused")
        return lambda session: record_fetch(
            session, application.events, document_id, documents, fetch, application.config.changes
        )

    committed: list[Recorded] = []
    with pytest.raises(RuntimeError), Batch(application.engine, committed.append) as batch:
        batch.write(unreachable(ids[0]))
        batch.commit()
        batch.write(unreachable(ids[1]))
        raise RuntimeError("the process dies before the second batch commits")
    assert [r.document_id for r in committed] == [ids[0]]
    with Session(application.engine) as session:
        assert [s.document_id for s in session.exec(select(Snapshot))] == [ids[0]]
