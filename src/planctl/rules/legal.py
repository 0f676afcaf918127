"""Legal basis that still holds: no superseded or repealed document cited.

A plan that names the 2013 plan measures or the 2006 national master plan as
its basis was written against rules that no longer apply; a reviewer will
send it back. The table of superseded documents is data
(``data/superseded.yaml``), each entry with its replacement and citation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from planctl.loader import safe_load
from planctl.profiles import VERIFY
from planctl.rules.base import Context, Problem, rule

SUPERSEDED = rule(
    code="LAW001",
    name="superseded-legal-basis",
    severity="warning",
    layer="plan",
    title={"zh": "编制依据已被废止或替代", "en": "Legal basis superseded"},
    message={
        "zh": "编制依据“{cited}”已被替代，现行文件为：{replacement}{verify}",
        "en": "the legal basis '{cited}' has been superseded by: {replacement}{verify_en}",
    },
    hint={
        "zh": "改为引用现行文件，并核对所引条款在新文本中的序号。",
        "en": "Cite the document in force and check the article numbers in its text.",
    },
    why={
        "zh": "依据已废止文件编制的预案，其程序和时限可能已与现行规定不符，评审时会被退回。",
        "en": "A plan built on a repealed text may follow procedures and deadlines that no longer "
        "apply; reviewers send it back.",
    },
    fail="metadata.legal_basis.+: {title: 突发事件应急预案管理办法, number: 国办发〔2013〕101号}",
    passes="metadata.legal_basis.+: {title: 突发事件应急预案管理办法, number: 国办发〔2024〕5号}",
)

_NOISE = re.compile(r"[\s〔〕\[\]（）()【】]")


def _norm(text: str) -> str:
    return _NOISE.sub("", text)


@cache
def _table() -> list[dict[str, Any]]:
    raw = safe_load((resources.files("planctl") / "data" / "superseded.yaml").read_text("utf-8"))
    out = []
    for entry in raw["documents"]:
        before = entry.get("dated_before")
        out.append(
            {
                **entry,
                "numbers_n": [_norm(n) for n in entry.get("numbers", [])],
                "titles_n": [_norm(t) for t in entry.get("titles", [])],
                "before": before
                if isinstance(before, date)
                else (date.fromisoformat(before) if before else None),
            }
        )
    return out


def superseded_by(citation: dict[str, Any]) -> dict[str, Any] | None:
    """The table entry a legal-basis citation matches, if it is superseded."""
    title = _norm(str(citation.get("title", "")))
    number = _norm(str(citation.get("number", "")))
    cited_on: date | None = None
    try:
        cited_on = date.fromisoformat(str(citation["date"])) if citation.get("date") else None
    except ValueError:
        cited_on = None
    for entry in _table():
        by_number = any(n and (n == number or n in title) for n in entry["numbers_n"])
        if by_number:
            return entry
        by_title = any(t and t == title for t in entry["titles_n"])
        if not by_title:
            continue
        if entry["before"] is None:
            return entry
        # a title shared with the document in force: only an earlier date or a
        # different number tells the old one apart
        if cited_on is not None and cited_on < entry["before"]:
            return entry
    return None


@SUPERSEDED.check
def check_superseded(ctx: Context) -> Iterator[Problem]:
    for i, cit in enumerate(ctx.plan.metadata.get("legal_basis", [])):
        if not isinstance(cit, dict):
            continue
        entry = superseded_by(cit)
        if entry is None:
            continue
        cited = cit.get("title", "") + (f"（{cit['number']}）" if cit.get("number") else "")
        yield Problem(
            ("metadata", "legal_basis", i, "title"),
            {
                "cited": cited,
                "replacement": entry["replaced_by"],
                "verify": f" {VERIFY['zh']}" if entry.get("verify") else "",
                "verify_en": f" {VERIFY['en']}" if entry.get("verify") else "",
            },
            citation=entry["citation"] + (f" {VERIFY['zh']}" if entry.get("verify") else ""),
        )
