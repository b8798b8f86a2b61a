"""change reviews: people mark changes of the review queue reviewed, dismissed or escalated

Indexes keep the web view's dashboard fast: each document's latest change and the review queue
(MATERIAL and REVIEW changes, newest first) on `change`, each document's current version number and
policy date on `version` (read without the texts).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["change.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_change_id"), ["change_id"], unique=False)
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index("ix_change_document_kind", ["document_id", "kind"], unique=False)
        batch_op.create_index("ix_change_queue", ["severity", "kind", "detected_at"], unique=False)
    with op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.create_index("ix_version_current", ["document_id", "seq", "policy_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.drop_index("ix_version_current")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index("ix_change_queue")
        batch_op.drop_index("ix_change_document_kind")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_change_id"))
    op.drop_table("review")
