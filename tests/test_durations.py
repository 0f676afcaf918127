from datetime import date

import pytest

from planctl import durations


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("PT30M", 30), ("PT2H", 120), ("PT1H30M", 90), ("P1D", 1440), ("P1W", 10080), ("PT45S", 0.75)],
)
def test_minutes(text: str, minutes: float) -> None:
    assert durations.minutes(text) == minutes


@pytest.mark.parametrize("bad", ["", "P", "PT", "30M", "PT2h", "2小时", "P1.5D"])
def test_rejects_non_iso(bad: str) -> None:
    with pytest.raises(ValueError):
        durations.parse(bad)


def test_calendar_addition() -> None:
    assert durations.add_to_date(date(2024, 2, 29), "P1Y") == date(2025, 2, 28)
    assert durations.add_to_date(date(2023, 6, 18), "P3Y") == date(2026, 6, 18)
    assert durations.add_to_date(date(2026, 1, 31), "P1M") == date(2026, 2, 28)
    assert durations.add_to_date(date(2026, 1, 1), "P10D") == date(2026, 1, 11)


def test_humanize() -> None:
    assert durations.humanize(150, "zh") == "2小时30分钟"
    assert durations.humanize(1500, "en") == "1 d 1 h"
