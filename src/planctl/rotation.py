"""The rotating chair (轮值负责制): who convenes the joint body on any given day.

A rotation is an order of parties, a cycle (P1Y, P6M…) and a start date (the
plan's first day in force when omitted). Term *k* runs from ``start + k × cycle``
to the day before the next term, and its chair is ``order[k mod len(order)]``.
Terms are computed from the plan's own dates, never from the clock, so the
rendered schedule is the same on every machine and every day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from planctl import durations
from planctl.model import Plan

#: a schedule longer than this is not printed or searched (a P1D rotation over decades)
MAX_TERMS = 400


@dataclass(frozen=True)
class Term:
    """One turn of the rotation: ``start``..``end`` inclusive, convened by ``chair``."""

    index: int
    start: date
    end: date
    chair: str


def rotation(plan: Plan) -> dict[str, Any] | None:
    rot = (plan.command.get("body") or {}).get("rotation")
    return rot if isinstance(rot, dict) else None


def start(plan: Plan) -> date | None:
    """First day of the first term: ``rotation.start``, else the plan's first day in force."""
    rot = rotation(plan) or {}
    value = rot.get("start")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return plan.valid_from


def cycle(plan: Plan) -> durations.Duration | None:
    """The rotation's cycle, or None when it is missing, unparsable or shorter than a day."""
    rot = rotation(plan) or {}
    try:
        d = durations.parse(rot.get("cycle", ""))
    except ValueError:
        return None
    if not (d.years or d.months or d.weeks or d.days):
        return None
    return d


def order(plan: Plan) -> list[str]:
    rot = rotation(plan) or {}
    return [p for p in rot.get("order", []) if isinstance(p, str)]


def _nth_start(first: date, d: durations.Duration, k: int) -> date:
    """``first + k × cycle``, counted from ``first`` so month ends do not drift.

    Past the calendar's end the answer is ``date.max`` (the term never ends).
    """
    month_index = first.month - 1 + (d.years * 12 + d.months) * k
    year = first.year + month_index // 12
    if year > date.max.year:
        return date.max
    month = month_index % 12 + 1
    day = min(first.day, calendar.monthrange(year, month)[1])
    try:
        return date(year, month, day) + timedelta(days=(d.weeks * 7 + d.days) * k)
    except OverflowError:
        return date.max


def terms(plan: Plan, until: date, limit: int = MAX_TERMS) -> list[Term]:
    """Every term from the rotation's start up to the one that contains ``until``."""
    first, d, who = start(plan), cycle(plan), order(plan)
    if first is None or d is None or not who or until < first:
        return []
    out: list[Term] = []
    k = 0
    begin = first
    while begin <= until and k < limit:
        nxt = _nth_start(first, d, k + 1)
        if nxt <= begin:  # cycle too large for the calendar: one term to the end of time
            nxt = date.max
        end = nxt - timedelta(days=1) if nxt != date.max else date.max
        out.append(Term(k, begin, end, who[k % len(who)]))
        if nxt == date.max:
            break
        k += 1
        begin = nxt
    return out


def term_on(plan: Plan, day: date) -> Term | None:
    """The term that contains ``day``; None before the rotation starts or past the limit."""
    found = terms(plan, day)
    return found[-1] if found and found[-1].end >= day else None


def chair_on(plan: Plan, day: date | None) -> str | None:
    """Who convenes the joint body on ``day``: the rotation's chair, else the fixed chair."""
    body = plan.command.get("body") or {}
    if rotation(plan) is None:
        chair = body.get("chair")
        return chair if isinstance(chair, str) else None
    if day is None:
        return None
    term = term_on(plan, day)
    return term.chair if term else None


def schedule(plan: Plan) -> list[Term]:
    """The terms over the plan's validity (start → valid_until), for the document's table.

    Without a known end, one full round of the order is shown.
    """
    first, d, who = start(plan), cycle(plan), order(plan)
    if first is None or d is None or not who:
        return []
    end = plan.valid_until
    if end is None or end < first:
        end = _nth_start(first, d, len(who)) - timedelta(days=1)
    return terms(plan, end)
