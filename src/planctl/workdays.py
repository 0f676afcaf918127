"""Working days in China: weekends, public holidays and make-up working days.

Filing deadlines are counted in working days (工作日), and a calendar that
ignores 调休 is wrong by up to a week around the Spring Festival. The
calendar is data (``data/holidays.yaml``); a count that touches a year the
calendar lacks, or a year it lists only approximately, says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

from planctl.loader import safe_load


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date]
    workdays: frozenset[date]
    exact_years: frozenset[int]

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


@cache
def calendar() -> Calendar:
    raw = safe_load((resources.files("planctl") / "data" / "holidays.yaml").read_text("utf-8"))
    holidays: set[date] = set()
    workdays: set[date] = set()
    exact: set[int] = set()
    for year, entry in raw["years"].items():
        holidays.update(_dates(entry.get("holidays")))
        workdays.update(_dates(entry.get("workdays")))
        if not entry.get("approximate"):
            exact.add(int(year))
    return Calendar(frozenset(holidays), frozenset(workdays), frozenset(exact))


def _dates(items: list[object] | None) -> list[date]:
    return [d if isinstance(d, date) else date.fromisoformat(str(d)) for d in items or []]


@dataclass(frozen=True)
class Deadline:
    due: date
    #: False when the count crossed a year the calendar lacks or lists only approximately
    exact: bool


def add_working_days(start: date, days: int) -> Deadline:
    """The ``days``-th working day after ``start`` (the start day itself not counted)."""
    cal = calendar()
    day = start
    left = days
    exact = start.year in cal.exact_years
    while left > 0:
        try:
            day += timedelta(days=1)
        except OverflowError:
            return Deadline(date.max, False)
        if day.year not in cal.exact_years:
            exact = False
        if cal.is_working_day(day):
            left -= 1
    return Deadline(day, exact)
