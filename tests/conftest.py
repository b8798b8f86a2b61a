"""Shared fixtures."""

from collections.abc import Iterator

import pytest

from tests.support.sites import LoopbackSite


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    """A started loopback web site, stopped after the test."""
    with LoopbackSite() as running:
        yield running
