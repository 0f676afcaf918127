"""ISO 8601 durations as plans use them (PT30M, PT2H, P5D, P3Y).

Deadlines along a notification chain are added up, so they need one unit:
minutes. Calendar units (years, months) are only meaningful from a start
date, so cycles like P3Y go through :func:`add_to_date` instead.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

#: at most six ASCII digits per unit: P999999D is 2,700 years, and a 400-digit
#: duration overflowed date arithmetic; ``\d`` would also accept Arabic-Indic digits
MAX_DIGITS = 6
_N = f"[0-9]{{1,{MAX_DIGITS}}}"
_RE = re.compile(
    rf"^P(?!$)(?:(?P<y>{_N})Y)?(?:(?P<mo>{_N})M)?(?:(?P<w>{_N})W)?(?:(?P<d>{_N})D)?"
    rf"(?:T(?=[0-9])(?:(?P<h>{_N})H)?(?:(?P<mi>{_N})M)?(?:(?P<s>{_N})S)?)?$"
)


@dataclass(frozen=True)
class Duration:
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    @property
    def has_calendar_units(self) -> bool:
        return bool(self.years or self.months)

    def total_minutes(self) -> float:
        """Length in minutes; a year counts 365 days and a month 30 (only for ordering)."""
        days = self.years * 365 + self.months * 30 + self.weeks * 7 + self.days
        return days * 1440 + self.hours * 60 + self.minutes + self.seconds / 60


def parse(text: str) -> Duration:
    """Parse an ISO 8601 duration; raises ``ValueError`` on anything else."""
    if not isinstance(text, str):
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    return _parse(text)


@lru_cache(maxsize=4096)
def _parse(text: str) -> Duration:
    # memoised: a plan says PT30M, PT2H and P1D hundreds of times, and the rules and the
    # renderer asked for ~2,000 parses per plan (Duration is frozen, so sharing is safe)
    m = _RE.match(text)
    if not m:
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    g = {k: int(v) if v else 0 for k, v in m.groupdict().items()}
    return Duration(g["y"], g["mo"], g["w"], g["d"], g["h"], g["mi"], g["s"])


def minutes(text: str) -> float:
    return parse(text).total_minutes()


def add_to_date(start: date, text: str) -> date:
    """``start`` plus a duration, calendar-aware (2024-02-29 + P1Y = 2025-02-28)."""
    d = parse(text)
    month_index = start.month - 1 + d.months + 12 * d.years
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    if year > date.max.year:  # a due date past 9999 is simply "never due"
        return date.max
    day = min(start.day, calendar.monthrange(year, month)[1])
    extra = timedelta(weeks=d.weeks, days=d.days, hours=d.hours, minutes=d.minutes)
    try:
        return date(year, month, day) + timedelta(days=extra.days)
    except OverflowError:
        return date.max


def humanize(mins: float, lang: str = "zh") -> str:
    """120 -> "2小时" / "2 h"; readable deadlines in findings and documents."""
    mins = round(mins)
    days, rem = divmod(mins, 1440)
    hours, m = divmod(rem, 60)
    if lang == "zh":
        parts = [
            f"{days}天" if days else "",
            f"{hours}小时" if hours else "",
            f"{m}分钟" if m else "",
        ]
        return "".join(parts) or "0分钟"
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{m} min" if m else ""]
    return " ".join(p for p in parts if p) or "0 min"
