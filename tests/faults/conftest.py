"""The fault suite's figures: each test adds lines under a title; they are printed at the end of the run."""

from collections import defaultdict

import pytest

_FIGURES: defaultdict[str, list[str]] = defaultdict(list)


@pytest.fixture(scope="session")
def figures() -> defaultdict[str, list[str]]:
    """Lines of figures by title, printed in the terminal summary."""
    return _FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures the fault tests measured."""
    for title, lines in _FIGURES.items():
        terminalreporter.write_sep("-", title)
        for line in lines:
            terminalreporter.write_line(line)
