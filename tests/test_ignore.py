"""A team's ignore rules: sentences and patterns dropped from a diff before it is judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config
from monitor.judge.ignore import IgnoreRules, check_rule, drop_ignored
from monitor.judge.semdiff import semantic_diff

OLD = "# Privacy\nWe collect your name.\nDownload the app on the App Store today!\nOffice hours: 9 to 5."
NEW = "# Privacy\nWe collect your name and age.\nDownload the app on Google Play today!\nOffice hours: 8 to 4."


def test_sentences_and_patterns_are_dropped_when_every_side_matches() -> None:
    diff = semantic_diff(OLD, NEW)
    assert len(diff.units) == 3
    rules = IgnoreRules.of(["re:^download the app", "office  HOURS: 9 to 5.", "Office hours: 8 to 4."])
    kept, dropped = drop_ignored(diff, rules)
    assert dropped == 2
    assert [unit.new for unit in kept.units] == ["We collect your name and age."]


def test_a_rule_that_matches_one_side_only_keeps_the_change() -> None:
    rules = IgnoreRules.of(["Office hours: 9 to 5."])  # the new hours are news
    kept, dropped = drop_ignored(semantic_diff(OLD, NEW), rules)
    assert dropped == 0 and len(kept.units) == 3


def test_no_rules_keep_everything() -> None:
    diff = semantic_diff(OLD, NEW)
    assert drop_ignored(diff, IgnoreRules.of([])) == (diff, 0)


@pytest.mark.parametrize(("rule", "problem"), [("re:(unclosed", "not a regular expression"), ("   ", "empty")])
def test_bad_rules_say_why(rule: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_rule(rule)


def test_a_bad_rule_in_the_config_is_one_line_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[[vendors]]\nid = "acme"\nname = "Acme"\nignore = ["re:(unclosed"]\n'
        '[[vendors.documents]]\ntype = "privacy_policy"\nurl = "https://acme.test/p"\n'
    )
    with pytest.raises(ConfigError) as failure:
        load_config(path)
    assert "vendors[0].ignore[0]: not a regular expression: 're:(unclosed'" in str(failure.value)
    assert "\n" not in str(failure.value)
