"""Fixtures of the fault suite: the alert tests' mail server (not started) and Slack stand-in."""

from tests.test_alerts import mail, slack  # noqa: F401 (fixtures, shared with tests/test_alerts.py)
