"""change decisions: changes, incidents, version kind, snapshot decision

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("previous_version_id", sa.Integer(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("detected_at", storage.models.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("classification", sa.JSON(), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.ForeignKeyConstraint(
            ["previous_version_id"],
            ["version.id"],
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshot.id"],
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_detected_at"), ["detected_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_severity"), ["severity"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_version_id"), ["version_id"], unique=False)

    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("opened_at", storage.models.UTCDateTime(), nullable=False),
        sa.Column("resolved_at", storage.models.UTCDateTime(), nullable=True),
        sa.Column("first_snapshot_id", sa.Integer(), nullable=False),
        sa.Column("last_snapshot_id", sa.Integer(), nullable=False),
        sa.Column("fetches", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.ForeignKeyConstraint(
            ["first_snapshot_id"],
            ["snapshot.id"],
        ),
        sa.ForeignKeyConstraint(
            ["last_snapshot_id"],
            ["snapshot.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_resolved_at"), ["resolved_at"], unique=False)

    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))

    with op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="content"))
        batch_op.add_column(sa.Column("reverts_to_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_version_reverts_to_id", "version", ["reverts_to_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.drop_constraint("fk_version_reverts_to_id", type_="foreignkey")
        batch_op.drop_column("reverts_to_id")
        batch_op.drop_column("kind")

    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.drop_column("reason")
        batch_op.drop_column("decision")

    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_resolved_at"))
        batch_op.drop_index(batch_op.f("ix_incident_document_id"))

    op.drop_table("incident")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_version_id"))
        batch_op.drop_index(batch_op.f("ix_change_severity"))
        batch_op.drop_index(batch_op.f("ix_change_document_id"))
        batch_op.drop_index(batch_op.f("ix_change_detected_at"))

    op.drop_table("change")
