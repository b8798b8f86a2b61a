"""Line hunks, line counts and word diffs."""

from __future__ import annotations

from monitor.judge.textdiff import DELETE, EQUAL, INSERT, line_counts, line_hunks, word_diff

OLD = "# Title\nWe collect your e-mail address.\nWe share data with hosting providers.\nContact us."
NEW = "# Title\nWe collect your e-mail address and phone number.\nContact us.\nWe keep logs for 30 days."


def test_line_hunks_name_equal_changed_and_added_runs() -> None:
    hunks = line_hunks(OLD, NEW)
    assert [h.kind for h in hunks] == ["equal", "changed", "equal", "added"]
    assert hunks[1].old == ["We collect your e-mail address.", "We share data with hosting providers."]
    assert hunks[1].new == ["We collect your e-mail address and phone number."]
    assert hunks[3].new == ["We keep logs for 30 days."]


def test_line_counts() -> None:
    assert line_counts(OLD, NEW) == (2, 2)
    assert line_counts(OLD, OLD) == (0, 0)
    assert line_counts("", "a\nb") == (2, 0)


def test_word_diff_never_splits_a_word() -> None:
    diffs = word_diff("Last updated: March 3, 2023", "Last updated: May 20, 2024")
    assert (DELETE, "March 3") in diffs and (INSERT, "May 20") in diffs
    assert (DELETE, "2023") in diffs and (INSERT, "2024") in diffs
    assert word_diff("Ma March", "Ma May") == [(EQUAL, "Ma "), (DELETE, "March"), (INSERT, "May")]
    assert "".join(t for op, t in diffs if op != INSERT) == "Last updated: March 3, 2023"
    assert "".join(t for op, t in diffs if op != DELETE) == "Last updated: May 20, 2024"


def test_word_diff_of_equal_texts_is_one_equality() -> None:
    assert word_diff("same words", "same words") == [(EQUAL, "same words")]
