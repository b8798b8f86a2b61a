"""Shared fixtures."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.dbs import postgres_database
from tests.support.sites import LoopbackSite


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL: a SQLite file in the test's folder, then a fresh PostgreSQL database (the test runs on both)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/test.db"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    """A started loopback web site, stopped after the test."""
    with LoopbackSite() as running:
        yield running
