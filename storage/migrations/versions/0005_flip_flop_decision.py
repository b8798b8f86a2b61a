"""flip_flop decision: a return to an earlier text that has not held yet was called `reversion`

The change kind `reversion` (a change back that held) keeps its name; the snapshot decision that
meant the opposite is renamed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE snapshot SET decision = 'flip_flop' WHERE decision = 'reversion'")


def downgrade() -> None:
    op.execute("UPDATE snapshot SET decision = 'reversion' WHERE decision = 'flip_flop'")
