"""The fault suite's figures (each test adds lines under a title; printed at the end of the run), and the
alert tests' mail server (not started) and Slack stand-in."""

from collections import defaultdict

import pytest

from tests.test_alerts import mail, slack  # noqa: F401 (fixtures, shared with tests/test_alerts.py)

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
