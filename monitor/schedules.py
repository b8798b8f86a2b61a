"""Crawl schedules, checked as the config loads: an interval (`30m`, `12h`, `1d`) or a 5-field cron expression.

Pure and small, so that the config schema can check every schedule before anything runs, with the
offending value in its one-line error. :func:`monitor.app.schedule.trigger_for` turns a parsed
schedule into an APScheduler trigger.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron numbering: 0 (and 7) is Sunday
_FIELDS = (("minute", 0, 59, ()), ("hour", 0, 23, ()), ("day of month", 1, 31, ()), ("month", 1, 12, MONTHS))
_WEEKDAY_FIELD = ("day of week", 0, 7, WEEKDAYS)
_INTERVAL = re.compile(r"(\d+)\s*([smhdw])")
_ITEM = re.compile(r"(?P<range>\*|(?P<first>\w+)(?:-(?P<last>\w+))?)(?:/(?P<step>\d+))?")
FORMS = "an interval like '30m', '12h' or '1d', or a 5-field cron expression like '0 6 * * *' (UTC)"


@dataclass(frozen=True)
class Interval:
    """Every `seconds` seconds."""

    seconds: int


@dataclass(frozen=True)
class Cron:
    """A cron expression's fields as written (lower-case), and the weekdays it allows (0 is Sunday)."""

    minute: str
    hour: str
    day: str
    month: str
    day_of_week: str
    weekdays: frozenset[int]


def parse_schedule(text: str) -> Interval | Cron:
    """The schedule `text` stands for; ValueError names the part that is wrong and quotes `text`."""
    value = text.strip().lower()
    interval = _INTERVAL.fullmatch(value)
    if interval:
        seconds = int(interval.group(1)) * UNIT_SECONDS[interval.group(2)]
        if seconds == 0:
            raise ValueError(f"{text!r}: an interval must be longer than 0")
        return Interval(seconds)
    fields = value.split()
    if len(fields) != 5:
        raise ValueError(f"{text!r} is not {FORMS}")
    allowed = [_values(field, spec, text) for field, spec in zip(fields, (*_FIELDS, _WEEKDAY_FIELD), strict=True)]
    days, months, weekdays = allowed[2], allowed[3], frozenset(d % 7 for d in allowed[4])
    if fields[4] == "*" and all(day > monthrange(2024, month)[1] for day in days for month in months):
        raise ValueError(f"{text!r} never runs: no month it names has that day")
    return Cron(*fields, weekdays=weekdays)


def _values(field: str, spec: tuple[str, int, int, tuple[str, ...]], text: str) -> set[int]:
    """The numbers a cron field allows (names such as `jan` or `mon` included)."""
    name, low, high, names = spec
    out: set[int] = set()
    for item in field.split(","):
        match = _ITEM.fullmatch(item)
        if match is None:
            raise ValueError(f"{name} field {field!r} is not a cron field in {text!r}")
        step = int(match["step"] or 1)
        if match["range"] == "*":
            first, last = low, high
        else:
            first = _number(match["first"], names, low, name, text)
            last = _number(match["last"], names, low, name, text) if match["last"] else first
            if match["step"] and match["last"] is None:
                last = high  # `5/15`: from 5 to the end, every 15
        for number in (first, last):
            if not low <= number <= high:
                raise ValueError(f"{name} {number} is out of range {low}-{high} in {text!r}")
        if first > last:
            raise ValueError(f"{name} range {item!r} runs backwards in {text!r}")
        if step == 0:
            raise ValueError(f"{name} step in {item!r} must be at least 1 in {text!r}")
        out |= set(range(first, last + 1, step))
    return out


def _number(token: str, names: tuple[str, ...], low: int, field: str, text: str) -> int:
    if token.isdigit():
        return int(token)
    if token in names:
        return names.index(token) + low
    raise ValueError(f"{field} {token!r} is not a number{' or a name' if names else ''} in {text!r}")
