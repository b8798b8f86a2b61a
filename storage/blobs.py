"""Raw bodies (blobs), stored once per SHA-256 of the uncompressed bytes.

A blob is `zstd` (whole), `zstd-delta` (zstd against a whole base blob used as its dictionary: a
repeated fetch of a page costs tens of bytes, not kilobytes) or `zlib` (whole, written before deltas).
A delta's base is always a whole blob, so reading any body takes at most two blobs.
"""

from __future__ import annotations

import hashlib
import zlib
from functools import cache

import zstandard
from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import Blob

LEVEL = 3  # fast; deltas are tiny at any level
WHOLE, DELTA = "zstd", "zstd-delta"


def store_blob(session: Session, body: bytes) -> str:
    """Store a raw body whole (once) and return its SHA-256; a body stored as a delta becomes whole."""
    digest = hashlib.sha256(body).hexdigest()
    blob = session.get(Blob, digest)
    if blob is None:
        _insert(session, sha256=digest, size=len(body), compression=WHOLE, data=_compressor().compress(body))
    elif blob.base_sha256 is not None:
        _make_whole(session, blob, body)
    return digest


def make_whole(session: Session, digest: str) -> None:
    """Store the blob `digest` whole if it is a delta (it becomes a version's source)."""
    blob = _row(session, digest)
    if blob.base_sha256 is not None:
        _make_whole(session, blob, _decoded(session, blob))


def store_delta(session: Session, body: bytes, base: str) -> str:
    """Store a raw body (once) as a delta against the blob `base` (or against its base) and return its SHA-256."""
    digest = hashlib.sha256(body).hexdigest()
    if session.get(Blob, digest) is None:
        whole = _row(session, base)
        if whole.base_sha256 is not None:  # never a delta of a delta
            whole = _row(session, whole.base_sha256)
        dictionary = _decoded(session, whole)
        if not dictionary:
            return store_blob(session, body)
        data = _compressor(dictionary).compress(body)
        _insert(session, sha256=digest, size=len(body), compression=DELTA, base_sha256=whole.sha256, data=data)
    return digest


def load_blob(session: Session, digest: str) -> bytes:
    """The raw body stored under `digest` (KeyError when there is none)."""
    return _decoded(session, _row(session, digest))


def _insert(session: Session, **row: object) -> None:
    """Add a blob row, unless another writer added the same body meanwhile (crawl workers record side by side)."""
    statement = _insert_statement(session.get_bind().dialect.name)
    if statement is None:
        session.add(Blob(**row))
        session.flush()
        return
    session.connection().execute(statement, {"base_sha256": None, **row})


@cache
def _insert_statement(dialect: str) -> Insert | None:
    """INSERT ... ON CONFLICT DO NOTHING for the dialects that have it, built once (not per body)."""
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    return None if insert is None else insert(Blob).on_conflict_do_nothing(index_elements=["sha256"])


def _make_whole(session: Session, blob: Blob, body: bytes) -> None:
    blob.compression, blob.base_sha256, blob.data = WHOLE, None, _compressor().compress(body)
    session.add(blob)


def _row(session: Session, digest: str) -> Blob:
    blob = session.get(Blob, digest)
    if blob is None:
        raise KeyError(digest)
    return blob


def _decoded(session: Session, blob: Blob) -> bytes:
    if blob.compression == "zlib":
        return zlib.decompress(blob.data)
    if blob.compression == WHOLE:
        return zstandard.ZstdDecompressor().decompress(blob.data)
    if blob.compression == DELTA and blob.base_sha256 is not None:
        return zstandard.ZstdDecompressor(dict_data=_dictionary(load_blob(session, blob.base_sha256))).decompress(
            blob.data
        )
    raise ValueError(f"blob {blob.sha256}: unknown compression {blob.compression!r}")


def _compressor(base: bytes | None = None) -> zstandard.ZstdCompressor:
    dictionary = _dictionary(base) if base is not None else None
    return zstandard.ZstdCompressor(level=LEVEL, dict_data=dictionary, write_dict_id=False)


def _dictionary(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
