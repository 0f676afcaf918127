"""The fill-in marker ``【待填：说明】`` that scaffolds leave in a plan.

A scaffold (``planctl new``) must validate before anyone has filled it in, or
no rule would ever run on it: so the schema accepts a whole-value marker in
any field (dates, durations, numbers, enums, references), TXT002 reports it,
``render --final`` refuses it, and rules see a view of the data where marked
values are absent, i.e. unknown rather than wrong.
"""

from __future__ import annotations

import re
from typing import Any

#: a marker anywhere inside a text
MARK = re.compile(r"【待填[：:][^】\n]*】")
#: a value that is nothing but one marker
_WHOLE = re.compile(r"【待填[：:][^】\n]*】")


def is_placeholder(value: Any) -> bool:
    """True when the value is exactly one fill-in marker (surrounding blanks ignored)."""
    return isinstance(value, str) and _WHOLE.fullmatch(value.strip()) is not None


def has_placeholder(data: Any) -> bool:
    """True when any string in the data holds a marker."""
    if isinstance(data, dict):
        return any(has_placeholder(v) for v in data.values())
    if isinstance(data, list):
        return any(has_placeholder(v) for v in data)
    return isinstance(data, str) and "【待填" in data and MARK.search(data) is not None


def without_placeholders(data: Any) -> Any:
    """A copy of the data where values that are only a marker are absent.

    Mapping keys are dropped (so ``.get()`` says "unknown"); list items are
    dropped too. Indices of later items in that list shift, which only
    matters for where a finding on one of them points; items of the plan's
    top-level lists (parties, duties, ...) are mappings and never dropped.
    Untouched containers are returned as they are, so a plan without markers
    costs one walk and no copy.
    """
    if isinstance(data, dict):
        out: dict[Any, Any] | None = None
        for k, v in data.items():
            new = _MISSING if is_placeholder(v) else without_placeholders(v)
            if new is not v and out is None:
                out = {}
                for k2, v2 in data.items():
                    if k2 == k:
                        break
                    out[k2] = v2
            if out is not None and new is not _MISSING:
                out[k] = new
        return data if out is None else out
    if isinstance(data, list):
        items = [_MISSING if is_placeholder(v) else without_placeholders(v) for v in data]
        if all(a is b for a, b in zip(items, data, strict=True)):
            return data
        return [v for v in items if v is not _MISSING]
    return data


_MISSING = object()
