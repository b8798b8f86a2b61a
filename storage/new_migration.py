"""Developers: write a new Alembic migration for model changes.

    python -m storage.new_migration "add incident table"

It migrates a throw-away SQLite database to the current head, compares it with the models and
writes the difference to `storage/migrations/versions/`. Review the file before committing.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from storage.db import alembic_config, head_revision, migrate


def main(message: str) -> None:
    """Autogenerate a migration named `message` from the models' difference with head."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'head.db'}")
        migrate(engine)
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            rev_id = f"{int(head_revision()) + 1:04d}"
            command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit('usage: python -m storage.new_migration "what the migration does"')
    main(sys.argv[1])
