"""Will a table's last rows spill onto a page of their own? An estimate, and the remedy.

A landscape annex table whose last row or two land alone on a page leaves a
reviewer a page that is four fifths blank. Rows never split (``cantSplit``) and
table text has an exact line pitch (reference.docx: 15 pt for 小四), so a row's
printed height follows from how many lines its fullest cell wraps to: planctl
estimates that from the column widths and the text (the same width measure that
sizes the columns), lays the rows out page by page, and when only a short
remainder spills, prints that table at a tighter pitch (14 pt, no paragraph spacing;
the type stays 小四, the cell margins stay) if the estimate says the remainder then fits.

It is an estimate: a layout engine breaks lines with its own rules and fonts, so
a table near the edge may still spill, or be tightened when it would have fitted.
Both are harmless; the estimate only ever tightens a table it expects to spill.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

#: points per millimetre
PT_MM = 72 / 25.4
#: table text pitch and cell spacing (reference.docx "Table Text"), and the tight variant
LINE_PT, PAD_PT = 15.0, 1.0
TIGHT_LINE_PT, TIGHT_PAD_PT = 14.0, 0.0
#: top and bottom cell margin of every table, tight ones too (docx.py writes it in each
#: table's properties, so Word and LibreOffice both apply it whatever reference.docx says):
#: at an exact 14-15 pt pitch 小四 glyphs otherwise touch the row borders
CELL_PAD_TWIPS = 30
CELL_PAD_PT = CELL_PAD_TWIPS / 20
#: left + right cell margins (108 twips each) in mm
CELL_MARGINS_MM = 2 * 108 / 56.6929
#: a remainder of at most this many rows on the last page is a spill worth avoiding
SPILL_ROWS = 2
#: or at most this share of a page
SPILL_SHARE = 0.25


_NARROW = re.compile("[\x00-\u1fff]+")


def text_mm(text: str) -> float:
    """Printed width of 小四 text as set: 12 pt per CJK character, about half for
    Latin and digits, a quarter em where the script changes. (annexes.text_mm errs
    wide on purpose, to size columns; this one aims at the middle, to count lines.)"""
    # counted by runs of narrow characters, not character by character: every cell of
    # every annex table is measured (~2,000 calls a plan)
    runs = _NARROW.findall(text)
    narrow = sum(map(len, runs))
    wide = len(text) - narrow
    gaps = 0
    if runs and wide:  # each narrow run meets wide text on both sides, but at an end
        gaps = 2 * len(runs) - (text[0] < "\u2000") - (text[-1] < "\u2000")
    return 4.233 * wide + 2.15 * narrow + 1.06 * gaps


def row_lines(values: Sequence[str], widths_mm: Sequence[float], skip: Sequence[int] = ()) -> int:
    """Lines of the row's fullest cell (cells in ``skip``, merged down a column, left out)."""
    most = 1
    for i, (value, width) in enumerate(zip(values, widths_mm, strict=True)):
        if i in skip:
            continue
        room = max(width - CELL_MARGINS_MM, 4.0)
        lines = sum(max(1, math.ceil(text_mm(part) / room)) for part in (value or "").split("\n"))
        most = max(most, lines)
    return most


def pages(heights: Sequence[float], header: float, first_room: float, room: float) -> list[int]:
    """Rows on each page: a row that does not fit starts the next page under the repeated header."""
    out = [0]
    left = first_room - header
    for h in heights:
        if h > left and out[-1]:
            out.append(0)
            left = room - header
        out[-1] += 1
        left -= h
    return out


def spills(per_page: list[int], heights: Sequence[float], room: float) -> bool:
    if len(per_page) < 2:
        return False
    last = sum(heights[-per_page[-1] :])
    return per_page[-1] <= SPILL_ROWS or last <= SPILL_SHARE * room


def tighten(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float],
    first_room_pt: float,
    room_pt: float,
    merged: Sequence[int] = (),
) -> bool:
    """Whether to print this table at the tight pitch: it spills as set, and fits tighter."""
    lines = [row_lines(r, widths_mm, merged) for r in rows]
    head = row_lines(header, widths_mm)

    def layout(line: float, pad: float) -> tuple[list[int], list[float]]:
        edge = 2 * (pad + CELL_PAD_PT) + 0.5  # spacing, cell margins and the border
        heights = [n * line + edge for n in lines]
        return pages(heights, head * line + edge, first_room_pt, room_pt), heights

    normal, heights = layout(LINE_PT, PAD_PT)
    if not spills(normal, heights, room_pt):
        return False
    tight, tight_heights = layout(TIGHT_LINE_PT, TIGHT_PAD_PT)
    # never trade one spill for another: tight must save the page and not spill itself
    return len(tight) < len(normal) and not spills(tight, tight_heights, room_pt)
