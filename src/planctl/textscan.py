"""Scanning a plan's text: every string with its path, the joined text, placeholders
and characters a document cannot carry.

Shared by the TXT rules and the renderer. Kept out of ``planctl.rules`` so that a
render served from the result cache loads no rule at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

#: characters XML 1.0 does not allow (tab, LF and CR are fine)
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: unfinished text, matched as whole tokens so ordinary words pass: case-sensitive ASCII
#: words not inside a longer word ("xxx" in a URL, "todo" in prose, "TODOS" pass); Chinese
#: markers only where they end a phrase and are not negated, so "不待定级" ("without
#: waiting for the grade") and "待定事项清单" pass while "联系人：待定" does not; the
#: scaffold syntax 【待填：说明】 always.
_BOUNDARY = r"(?=$|[\s,.;:!?()\[\]{}<>/|，。、；：！？（）【】《》“”‘’「」…—-])"
PLACEHOLDER = re.compile(
    r"【待填(?:[:：][^】]*)?】"
    r"|(?<![A-Za-z0-9_])(?:TODO|TBD|FIXME|XXX)(?![A-Za-z0-9_])"
    r"|ＸＸＸ|××"
    rf"|(?<![不无毋])(?:待定|待补充|待填写|待确认|待填){_BOUNDARY}"
    r"|_{4,}|＿{4,}|\?{3,}|？{2,}"
)


#: a literal that every match of PLACEHOLDER contains (a test checks the regex's branches)
_PLACEHOLDER_LITERALS = (
    "待填", "待定", "待补充", "待确认", "TODO", "TBD", "FIXME", "XXX", "ＸＸＸ", "××",
    "____", "＿＿＿＿", "???", "？？",
)  # fmt: skip


def may_hold_placeholder(text: str) -> bool:
    """False when no PLACEHOLDER match can be in ``text`` (a few substring tests, no regex)."""
    return any(literal in text for literal in _PLACEHOLDER_LITERALS)


def strings(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every string in ``data`` with its path, in document order (an explicit stack:
    nested generators cost a frame per level for each of a plan's ~10,000 strings)."""
    stack: list[tuple[tuple[Any, ...], Any]] = [(path, data)]
    pop, push = stack.pop, stack.append
    while stack:
        where, value = pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            for k, v in reversed(list(value.items())):
                push(((*where, k), v))
        elif isinstance(value, list):
            for i in range(len(value) - 1, -1, -1):
                push(((*where, i), value[i]))


def all_text(data: Any) -> str:
    """Every string value of ``data`` joined by line breaks, in no particular order.

    A sieve, not a source of findings: a pattern that matches no string alone, and
    does not match a line break, finds nothing here either, so a clean plan is
    cleared by one scan of one text instead of a path walk and a search per string
    (~10,000 of them). Only when the sieve holds a match are the strings walked.
    """
    out: list[str] = []
    stack = [data]
    pop, extend, add = stack.pop, stack.extend, out.append
    while stack:
        value = pop()
        if isinstance(value, str):
            add(value)
        elif isinstance(value, dict):
            extend(value.values())
        elif isinstance(value, list):
            extend(value)
    return "\n".join(out)


def sanitize(data: Any) -> Any:
    """A copy of the data with XML-forbidden and invisible characters replaced by U+FFFD."""
    from planctl.loader import map_leaves

    return map_leaves(
        data,
        lambda v: (
            INVISIBLE.sub("\ufffd", XML_FORBIDDEN.sub("\ufffd", v)) if isinstance(v, str) else v
        ),
    )


#: bidirectional overrides/isolates/marks and zero-width characters: they reorder or hide
#: text (a phone number with U+202E displays reversed) and have no place in a Chinese plan
INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u180e]")


def invisible_characters(data: Any) -> list[tuple[tuple[Any, ...], int, str]]:
    """Every string position holding a bidi control or invisible character (final refuses)."""
    out = []
    for path, text in strings(data):
        m = INVISIBLE.search(text)
        if m:
            out.append((path, m.start(), f"U+{ord(m.group()):04X}"))
    return out
