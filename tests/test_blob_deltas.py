"""Raw bodies stored by delta: round trips on SQLite and PostgreSQL, what an unchanged fetch writes,
re-extraction over delta bodies, migration 0009 over a database of zlib blobs, and `last seen` (taken
from the newest snapshot) the same on every read face."""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, event, text
from sqlmodel import Session, select

from monitor import app
from monitor.app.cycle import plan
from monitor.app.record import extract_for
from monitor.config import Config, StorageConfig, VendorConfig
from storage.blobs import load_blob, store_blob, store_delta
from storage.db import alembic_config, migrate, open_database, session_scope
from storage.documents import sync_documents
from storage.engine import create_database_engine
from storage.models import Blob, Document, Snapshot, Version
from storage.versions import last_seen
from tests.test_decisions import BASE, DOC, SELLS, T0, Fetcher, page, reextract_with


def fetcher(engine: Engine) -> Fetcher:
    with session_scope(engine) as session:
        wanted = Document(vendor_id="acme", type="privacy_policy", url=DOC.url, language="en")
        document = sync_documents(session, {"acme": "Acme"}, [wanted])[("acme", "privacy_policy")]
    assert document.id is not None
    return Fetcher(engine, document.id)


def blob(engine: Engine, digest: str) -> Blob:
    with Session(engine) as session:
        found = session.get(Blob, digest)
    assert found is not None
    return found


def test_a_delta_reads_back_exactly_and_never_chains(database_url: str) -> None:
    engine = open_database(database_url)
    base, again, third = page(BASE, nonce="a" * 16), page(BASE, nonce="b" * 16), page(BASE, nonce="c" * 16)
    with session_scope(engine) as session:
        whole = store_blob(session, base)
        delta = store_delta(session, again, whole)
        assert store_delta(session, again, whole) == delta  # stored once
        chained = store_delta(session, third, delta)  # asked against a delta: against its base
    with Session(engine) as session:
        assert [load_blob(session, d) for d in (whole, delta, chained)] == [base, again, third]
    assert (blob(engine, delta).compression, blob(engine, delta).base_sha256) == ("zstd-delta", whole)
    assert blob(engine, chained).base_sha256 == whole
    assert len(blob(engine, delta).data) < 100 < len(blob(engine, whole).data)
    with session_scope(engine) as session:
        assert store_blob(session, again) == delta  # a delta stored whole (it becomes a version's source)
    assert (blob(engine, delta).compression, blob(engine, delta).base_sha256) == ("zstd", None)
    with Session(engine) as session:
        assert load_blob(session, delta) == again
    engine.dispose()


def test_an_unchanged_fetch_writes_its_snapshot_and_delta_and_nothing_else(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path}/writes.db")
    fetch = fetcher(engine)
    fetch(page(BASE, nonce="first"))
    writes: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.split()[0] in ("INSERT", "UPDATE", "DELETE"):
            writes.append(" ".join(statement.split()[:3]))

    event.listen(engine, "before_cursor_execute", seen)
    assert fetch(page(BASE, nonce="second")).decision == "unchanged"
    event.remove(engine, "before_cursor_execute", seen)
    assert writes == ["INSERT INTO blob", "INSERT INTO snapshot"]
    first, second = fetch.rows(Snapshot)
    assert (second.decision, second.version_id, second.http_status) == ("unchanged", first.version_id, 200)
    assert blob(engine, second.body_sha256).base_sha256 == first.body_sha256


def test_every_version_re_extracts_exactly_from_bodies_stored_as_deltas(database_url: str) -> None:
    engine = open_database(database_url)
    fetch = fetcher(engine)
    sent = {}
    for n, lines in enumerate([BASE, BASE, BASE, SELLS, SELLS, BASE, SELLS]):
        body = page(lines, nonce=f"n{n}")
        fetch(body)
        sent[hashlib.sha256(body).hexdigest()] = body
    versions = {v.id: v for v in fetch.rows(Version)}
    snapshots = fetch.rows(Snapshot)
    assert [s.decision for s in snapshots] == [
        "first_version",
        "unchanged",
        "unchanged",
        "new_version",
        "unchanged",
        "flip_flop",
        "unchanged",
    ]
    kinds = {(s.decision, blob(engine, s.body_sha256).compression) for s in snapshots}
    assert kinds == {
        ("first_version", "zstd"),
        ("new_version", "zstd"),
        ("unchanged", "zstd-delta"),
        ("flip_flop", "zstd-delta"),
    }
    with Session(engine) as session:
        for snapshot in snapshots:
            body = load_blob(session, snapshot.body_sha256)
            assert body == sent[snapshot.body_sha256]
            extracted = extract_for(DOC, body, content_type="text/html", url=DOC.url, fetched_at=snapshot.fetched_at)
            assert extracted.text_hash == versions[snapshot.version_id].text_hash
    assert reextract_with(engine, fetch.document_id, DOC).result == "up_to_date"
    engine.dispose()


def test_a_technical_version_keeps_its_source_body_whole(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path}/technical.db")
    fetch = fetcher(engine)
    fetch(page(BASE, nonce="a"))
    fetch(page(BASE, nonce="b"))
    latest = fetch.rows(Snapshot)[-1]
    assert blob(engine, latest.body_sha256).compression == "zstd-delta"
    done = reextract_with(engine, fetch.document_id, DOC.model_copy(update={"remove": "p:first-child"}))
    assert done.result == "technical"
    assert blob(engine, latest.body_sha256).compression == "zstd"
    with Session(engine) as session:
        assert load_blob(session, latest.body_sha256) == page(BASE, nonce="b")


def test_migration_0009_upgrades_zlib_blobs_and_last_seen_and_goes_back(database_url: str) -> None:
    engine = create_database_engine(database_url)
    migrate(engine, "0008")
    body = page(BASE, nonce="old")
    digest = hashlib.sha256(body).hexdigest()
    rows = {"t0": T0.replace(tzinfo=None), "t1": (T0 + timedelta(hours=5)).replace(tzinfo=None), "yes": True}
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO vendor (id, name, created_at) VALUES ('acme', 'Acme', :t0)",
            "INSERT INTO document (vendor_id, type, url, active, created_at)"
            " VALUES ('acme', 'privacy_policy', 'https://acme.test/privacy', :yes, :t0)",
            "INSERT INTO version (document_id, seq, text, text_hash, size, lines_added, lines_removed, dates,"
            " first_seen, last_seen, created_at, kind)"
            " VALUES (1, 1, 't', 'h', 1, 0, 0, '{}', :t0, :t1, :t0, 'content')",
        ):
            connection.execute(text(statement), rows)
        connection.execute(
            text("INSERT INTO blob (sha256, size, compression, data) VALUES (:d, :n, 'zlib', :data)"),
            {"d": digest, "n": len(body), "data": zlib.compress(body)},
        )
        for at in ("t0", "t1"):
            connection.execute(
                text(
                    "INSERT INTO snapshot (document_id, fetched_at, requested_url, headers, body_sha256, outcome,"
                    f" rendered, version_id) VALUES (1, :{at}, 'u', '{{}}', :d, 'ok', false, 1)"
                ),
                {**rows, "d": digest},
            )
    migrate(engine)
    again = page(BASE, nonce="new")
    with session_scope(engine) as session:
        assert load_blob(session, digest) == body  # the old zlib row, read as it is
        delta = store_delta(session, again, digest)
        version = session.exec(select(Version)).one()
        assert last_seen(session, [version]) == {version.id: T0 + timedelta(hours=5)}
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    with engine.connect() as connection:
        back = dict(connection.execute(text("SELECT sha256, data FROM blob WHERE compression = 'zlib'")).all())
        assert connection.execute(text("SELECT last_seen FROM version")).scalar_one() is not None
    assert {zlib.decompress(data) for data in back.values()} == {body, again} and delta in back
    engine.dispose()


def test_every_read_face_shows_last_seen_as_the_newest_fetch_of_the_version(tmp_path: Path) -> None:
    config = Config(
        storage=StorageConfig(url=f"sqlite:///{tmp_path}/seen.db"),
        vendors=[VendorConfig(id="acme", name="Acme", documents=[DOC])],
    )
    application = app.open_app(config)
    (target,) = plan(application)
    fetch = Fetcher(application.engine, target.document_id)
    decisions = [fetch(page(lines, nonce=str(n))).decision for n, lines in enumerate([BASE, BASE, SELLS, BASE, SELLS])]
    assert decisions == ["first_version", "unchanged", "new_version", "flip_flop", "unchanged"]
    hour = [T0 + timedelta(hours=n) for n in range(6)]
    (document,) = app.history(application, "acme")
    assert [(v.first_seen, v.last_seen) for v in document.versions] == [(hour[1], hour[4]), (hour[3], hour[5])]
    assert app.version_text(application, "acme", seq=1).last_seen == hour[4]  # the flip-flop back counts
    diff = app.version_diff(application, "acme")
    assert (diff.old.last_seen, diff.new.last_seen) == (hour[4], hour[5])
    (watched,) = app.watched_documents(application)
    assert watched.last_fetch == diff.new.last_seen
    shown = json.loads(app.dumps(app.history(application, "acme")))[0]["versions"]
    assert [v["last_seen"] for v in shown] == ["2025-03-01T04:00:00Z", "2025-03-01T05:00:00Z"]
    assert json.loads(app.dumps(app.version_text(application, "acme")))["last_seen"] == "2025-03-01T05:00:00Z"
