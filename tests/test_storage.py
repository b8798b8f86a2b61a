"""Storage on SQLite and on PostgreSQL: migrations, UTC datetimes, blobs, documents and versions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, inspect
from sqlmodel import Session, SQLModel, select

from storage.blobs import load_blob, store_blob
from storage.db import alembic_config, head_revision, open_database, schema_revision, session_scope
from storage.documents import sync_documents, vendor_documents
from storage.models import Blob, Document, Version
from storage.versions import current_version, list_versions, version_at, version_by_seq

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_database(database_url)
    yield engine
    engine.dispose()


VENDORS = {"acme": "Acme"}


def wanted_documents() -> list[Document]:
    return [
        Document(vendor_id="acme", type="privacy_policy", url="https://acme.test/privacy?brand=A", language="en"),
        Document(vendor_id="acme", type="terms", url="https://acme.test/terms"),
    ]


def add_version(session: Session, document_id: int, seq: int, text: str, first_seen: datetime) -> Version:
    version = Version(
        document_id=document_id,
        seq=seq,
        text=text,
        text_hash=f"{seq:064d}",
        size=len(text),
        first_seen=first_seen,
    )
    session.add(version)
    session.flush()
    return version


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []
    assert {"vendor", "document", "snapshot", "version", "blob", "crawlrun"} <= set(inspect(engine).get_table_names())


def test_the_head_revision_is_alembics_and_the_database_is_at_it(engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert schema_revision(engine) == head_revision()


def test_documents_sync_with_the_config(engine: Engine) -> None:
    with session_scope(engine) as session:
        docs = sync_documents(session, VENDORS, wanted_documents())
        assert docs[("acme", "privacy_policy")].url == "https://acme.test/privacy?brand=A"
    moved = [Document(vendor_id="acme", type="privacy_policy", url="https://acme.test/p2", language="en")]
    with session_scope(engine) as session:
        sync_documents(session, {"acme": "Acme Inc"}, moved)
    with Session(engine) as session:
        documents = {d.type: d for d in vendor_documents(session, "acme")}
        assert documents["privacy_policy"].url == "https://acme.test/p2"
        assert documents["privacy_policy"].active and not documents["terms"].active
        assert documents["privacy_policy"].id == docs[("acme", "privacy_policy")].id


def test_blobs_are_compressed_and_stored_once(engine: Engine) -> None:
    body = b"<html>" + "caf\xe9 ".encode("latin-1") * 5000 + b"</html>"
    with session_scope(engine) as session:
        first = store_blob(session, body)
        assert store_blob(session, body) == first
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Blob)).one() == 1
        blob = session.get(Blob, first)
        assert blob is not None and len(blob.data) < len(body) / 10
        assert load_blob(session, first) == body


def test_datetimes_come_back_aware_utc_and_naive_ones_are_refused(engine: Engine) -> None:
    paris = T0.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    with session_scope(engine) as session:
        doc_id = sync_documents(session, VENDORS, wanted_documents())[("acme", "privacy_policy")].id
        add_version(session, doc_id, 1, "a", paris)
    with Session(engine) as session:
        version = current_version(session, doc_id)
        assert version is not None
        assert version.first_seen == T0 and version.first_seen.tzinfo is not None
        assert version.first_seen.utcoffset() == timedelta(0)
    with pytest.raises(Exception, match="naive datetime"), session_scope(engine) as session:
        add_version(session, doc_id, 2, "b", datetime(2024, 1, 1))


def test_version_lookups(engine: Engine) -> None:
    with session_scope(engine) as session:
        doc_id = sync_documents(session, VENDORS, wanted_documents())[("acme", "privacy_policy")].id
        for seq in (1, 2, 3):
            add_version(session, doc_id, seq, f"text {seq}", T0 + timedelta(days=10 * seq))
    with Session(engine) as session:
        assert [v.seq for v in list_versions(session, doc_id)] == [1, 2, 3]
        assert current_version(session, doc_id).seq == 3
        assert version_by_seq(session, doc_id, 2).text == "text 2"
        assert version_by_seq(session, doc_id, 9) is None
        assert version_at(session, doc_id, T0 + timedelta(days=25)).seq == 2
        assert version_at(session, doc_id, T0) is None
