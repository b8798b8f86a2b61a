"""Config validation: good files load, bad ones give one line naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config, save_config
from monitor.schedules import Interval, parse_schedule

ROOT = Path(__file__).resolve().parents[1]

GOOD = """
[crawl]
timeout = 5
delay = 0

[[vendors]]
id = "acme"
name = "Acme Corp"
  [[vendors.documents]]
  type = "privacy_policy"
  url = "https://acme.test/privacy?appChannel=BRAND_A&x=1"
  select = ["main", {startAfter = "h1", endBefore = "footer"}]
  remove = ".ads"
  language = "en"
  schedule = "6h"
  headers = {Accept-Language = "en"}

[[vendors]]
id = "globex"
name = "Globex"
  [[vendors.documents]]
  type = "terms"
  url = "http://globex.test/terms"
"""


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(content, encoding="utf-8")
    return path


def test_good_config_loads_with_the_url_untouched(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    doc = config.vendors[0].documents[0]
    assert doc.url == "https://acme.test/privacy?appChannel=BRAND_A&x=1"
    assert doc.select_spec == ["main", {"startAfter": "h1", "endBefore": "footer"}]
    assert doc.remove_spec == ".ads"
    assert config.crawl.timeout == 5
    assert config.vendor("globex") is not None and config.vendor("nope") is None


def test_relative_sqlite_path_is_relative_to_the_config_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("POLICY_MONITOR_DATABASE_URL", raising=False)
    config = load_config(write(tmp_path, GOOD))
    assert config.database_url == f"sqlite:///{tmp_path.resolve()}/data/policy-monitor.db"
    monkeypatch.setenv("POLICY_MONITOR_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert config.database_url == "postgresql+psycopg://u@h/db"


def test_shipped_config_is_valid() -> None:
    config = load_config(ROOT / "config.toml")
    urls = {v.id: v.documents[0].url for v in config.vendors}
    assert urls["bestqi"] == "https://app-us.ergo-bq.com/en/privacy?appChannel=SMART_BQ"
    assert set(urls) == {"qstech", "qualvision", "bestqi", "quectel"}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("timeout = 5", "timout = 5", "crawl.timout: unknown key"),
        ('  language = "en"', '  languge = "en"', "vendors[0].documents[0].languge: unknown key"),
        ("http://globex.test/terms", "ftp://globex.test/terms", "vendors[1].documents[0].url: not an http(s) URL"),
        ("http://globex.test/terms", "globex.test/terms", "vendors[1].documents[0].url: not an http(s) URL"),
        ('id = "globex"', 'id = "acme"', "vendors[1].id: duplicate vendor id 'acme'"),
        ("[crawl]", "[crawl", "invalid TOML"),
        ('{startAfter = "h1", endBefore = "footer"}', '{endBefore = "footer"}', "select[1]: a range needs exactly one"),
        ('{startAfter = "h1",', '{startAftr = "h1",', "select[1].startAftr: unknown key"),
        ('remove = ".ads"', "remove = 3", "remove: must be a CSS selector, a range"),
        ('id = "globex"', 'id = "Globex Inc"', "vendors[1].id: 'Globex Inc' must be lower-case"),
        ('schedule = "6h"', 'schedule = "often"', "schedule: 'often' is not an interval like '30m'"),
        ('schedule = "6h"', 'schedule = "0 25 * * *"', "schedule: hour 25 is out of range 0-23 in '0 25 * * *'"),
        ('  language = "en"', '  langauge = "en"', "langauge: unknown key (did you mean 'language'?)"),
        ('name = "Globex"', 'nmae = "Globex"', "vendors[1].nmae: unknown key (did you mean 'name'?)"),
        ('language = "en"', 'language = "EN"', "language: 'EN' must be a language code such as 'en'"),
        ('name = "Globex"', "", "vendors[1].name: required key is missing"),
        ("timeout = 5", "timeout = -1", "crawl.timeout: Input should be greater than 0"),
        ('remove = ".ads"', 'remove = "div[["', "remove: invalid CSS selector 'div[['"),
        ('endBefore = "footer"', 'endBefore = "p:::x"', "select[1].endBefore: invalid CSS selector"),
    ],
)
def test_bad_config_gives_one_line_naming_file_and_key(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert expected in message


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ("every day", "'every day' is not an interval like '30m', '12h' or '1d', or a 5-field cron expression"),
        ("0 25 * * *", "hour 25 is out of range 0-23 in '0 25 * * *'"),
        ("61 * * * *", "minute 61 is out of range 0-59"),
        ("0 6 * 13 *", "month 13 is out of range 1-12"),
        ("0 6 * * 8", "day of week 8 is out of range 0-7"),
        ("0 6 * * fun", "day of week 'fun' is not a number or a name"),
        ("*/0 * * * *", "minute step in '*/0' must be at least 1"),
        ("0 9-5 * * *", "hour range '9-5' runs backwards"),
        ("0 6 30 2 *", "'0 6 30 2 *' never runs"),
        ("0 6 * *", "is not an interval"),
        ("0s", "an interval must be longer than 0"),
        ("12x", "'12x' is not an interval"),
    ],
)
def test_every_schedule_is_checked_with_the_value_in_the_message(tmp_path: Path, schedule: str, problem: str) -> None:
    for content in (
        f'[crawl]\ndefault_schedule = "{schedule}"\n',
        GOOD.replace('schedule = "6h"', f'schedule = "{schedule}"'),
    ):
        with pytest.raises(ConfigError) as info:
            load_config(write(tmp_path, content))
        assert problem in str(info.value) and "\n" not in str(info.value)


def test_cron_weekdays_keep_their_crontab_meaning() -> None:
    from datetime import UTC, datetime

    from monitor.app.schedule import trigger_for

    monday = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
    for schedule, weekday in (("0 6 * * 0", 6), ("0 6 * * 7", 6), ("0 6 * * 1", 0), ("0 6 * * sat", 5)):
        fire = trigger_for(schedule).get_next_fire_time(None, monday)
        assert fire is not None and fire.weekday() == weekday and fire.hour == 6
    assert parse_schedule("30m") == Interval(1800)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "absent.toml")


def test_a_saved_config_loads_back_equal(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    again = load_config(save_config(config, tmp_path / "saved.toml"))
    assert again.model_dump(exclude={"path"}) == config.model_dump(exclude={"path"})
    assert again.vendors[0].documents[0].url == "https://acme.test/privacy?appChannel=BRAND_A&x=1"
