"""blob deltas: zstd bodies, deltas against a base blob; a version's last seen comes from its snapshots

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import zlib
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import zstandard
from alembic import op

import storage.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # in place (SQLite 3.35+): a batch copy of a table would trip the foreign keys that point at it
    op.add_column("blob", sa.Column("base_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.execute("ALTER TABLE version DROP COLUMN last_seen")


def downgrade() -> None:
    op.add_column("version", sa.Column("last_seen", storage.models.UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE version SET last_seen = COALESCE("
        "(SELECT MAX(snapshot.fetched_at) FROM snapshot WHERE snapshot.version_id = version.id), first_seen)"
    )
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot tighten it in place: it stays nullable there
        op.alter_column("version", "last_seen", existing_type=storage.models.UTCDateTime(), nullable=False)
    _back_to_zlib()
    op.execute("ALTER TABLE blob DROP COLUMN base_sha256")


def _back_to_zlib() -> None:
    """Rewrite every zstd blob as zlib, the only compression before this revision (deltas after their bases)."""
    connection = op.get_bind()
    query = "SELECT sha256, base_sha256 FROM blob WHERE compression != 'zlib' ORDER BY base_sha256 IS NOT NULL"
    data_of = sa.text("SELECT data FROM blob WHERE sha256 = :d")
    for digest, base in connection.execute(sa.text(query)).all():
        data = connection.execute(data_of, {"d": digest}).scalar_one()
        dictionary = None
        if base is not None:
            whole = connection.execute(data_of, {"d": base}).scalar_one()
            dictionary = zstandard.ZstdCompressionDict(zlib.decompress(whole), dict_type=zstandard.DICT_TYPE_RAWCONTENT)
        body = zstandard.ZstdDecompressor(dict_data=dictionary).decompress(data)
        connection.execute(
            sa.text("UPDATE blob SET compression = 'zlib', data = :data WHERE sha256 = :d"),
            {"data": zlib.compress(body, 6), "d": digest},
        )
