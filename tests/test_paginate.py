"""The spill estimate for landscape annex tables (render/paginate.py)."""

from __future__ import annotations

from planctl.render import paginate

ROOM = 442.0  # a landscape type area, 156 mm, in points
WIDTHS = [12.0, 100.0, 40.0]
#: a row's edge as set: paragraph spacing and cell margins above and below, and the border
EDGE = 2 * (paginate.PAD_PT + paginate.CELL_PAD_PT) + 0.5
HEADER = ["序号", "职责任务", "牵头单位"]
#: the repeated header row as set ("序号" wraps in a 12 mm column)
HEAD = paginate.row_lines(HEADER, WIDTHS) * 15 + EDGE


def _rows(n: int, chars: int) -> list[list[str]]:
    return [[str(i), "字" * chars, "牵头"] for i in range(1, n + 1)]


def test_rows_fill_pages_under_a_repeated_header() -> None:
    assert paginate.pages([100.0] * 5, 20.0, 250.0, 250.0) == [2, 2, 1]
    # a row taller than a page still takes a page of its own, never an empty one
    assert paginate.pages([500.0, 10.0], 20.0, 250.0, 250.0) == [1, 1]


def test_lines_follow_the_column_width() -> None:
    room = 100.0 - paginate.CELL_MARGINS_MM
    per_line = int(room // 4.233)
    assert paginate.row_lines(["1", "字" * per_line, ""], WIDTHS) == 1
    assert paginate.row_lines(["1", "字" * (per_line + 1), ""], WIDTHS) == 2
    assert paginate.row_lines(["1", "字" * (3 * per_line), ""], WIDTHS, skip=(1,)) == 1
    assert paginate.row_lines(["1", "甲\n乙\n丙", ""], WIDTHS) == 3


def _tighten(rows: list[list[str]], first: float = ROOM - 106) -> bool:
    return paginate.tighten(HEADER, rows, WIDTHS, first, ROOM)


def test_a_table_that_spills_a_row_is_set_tight_when_that_saves_the_page() -> None:
    # three-line rows: 3 × 15 pt and the edge each, 3 × 14 pt tight
    fits_tight = next(n for n in range(5, 40) if _tighten(_rows(n, 60)))
    normal = paginate.pages(
        [3 * 15 + EDGE] * fits_tight, HEAD, ROOM - 106, ROOM
    )  # as set, the last row stands alone
    assert normal[-1] <= paginate.SPILL_ROWS


def test_a_table_that_fits_or_spills_a_lot_is_left_as_it_is() -> None:
    assert not _tighten(_rows(3, 60))  # one page
    for n in range(2, 60):
        heights = [3 * 15 + EDGE] * n
        normal = paginate.pages(heights, HEAD, ROOM - 106, ROOM)
        if _tighten(_rows(n, 60)):  # only a table whose last page holds a row or two
            assert len(normal) > 1 and normal[-1] <= paginate.SPILL_ROWS, (n, normal)
        elif len(normal) > 1 and normal[-1] > paginate.SPILL_ROWS:
            assert sum(heights[-normal[-1] :]) > paginate.SPILL_SHARE * ROOM
