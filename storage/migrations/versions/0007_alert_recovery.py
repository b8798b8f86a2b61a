"""alert recovery: a circuit per channel, the channel fingerprint each alert was tried with

Failed test alerts are dismissed: test messages no longer go through the outbox, and an old failed one
must not keep `monitor status` unhealthy.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channelstate",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("paused_at", storage.models.UTCDateTime(), nullable=True),
        sa.Column("probe_at", storage.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))
    op.execute("UPDATE outbox SET status = 'dismissed' WHERE kind = 'test' AND status = 'failed'")


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'failed' WHERE status = 'dismissed'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("fingerprint")
    op.drop_table("channelstate")
