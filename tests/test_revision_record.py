"""修订记录: the plan's revisions as the office table at the end of 附则, and the entry
`diff --draft-revision` drafts fits it."""

from __future__ import annotations

import copy
from datetime import date

from planctl.diff import compare, draft_revision
from planctl.examples import base_data
from planctl.loader import load_file
from planctl.render.blocks import Attachments, Heading, Para, Table
from planctl.render.content import build

from .conftest import SAMPLES

HEADER = ["序号", "版本号", "修订日期", "修订原因", "主要修订内容"]


def _record(data: dict) -> tuple[list, Table | None]:
    blocks = build(data, draft=True).blocks
    start = next(
        i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text.endswith("附则")
    )
    end = next(i for i, b in enumerate(blocks) if isinstance(b, Attachments))
    closing = blocks[start:end]
    tables = [b for b in closing if isinstance(b, Table)]
    assert len(tables) <= 1
    return closing, tables[0] if tables else None


def test_revisions_are_a_table_at_the_end_of_the_closing_chapter() -> None:
    data = load_file(SAMPLES / "zhuozhang-water-pollution.yaml").data
    closing, table = _record(data)
    assert table is not None and table.header == HEADER
    assert table.rows[0] == [
        "1",
        "1.0",
        "2021年6月18日",
        "上位预案变化",
        "依据环应急〔2020〕5号首次编制三省联合预案",
    ]
    assert [r[:4] for r in table.rows[1:]] == [
        ["2", "2.0", "2026年4月15日", "法律法规规章标准变化"]
    ]
    assert table.rows[1][4].startswith("增加上游直报下游和供水企业的通报规则")
    texts = [b.text for b in closing if isinstance(b, Para)]
    # announced in the numbered provisions, the effect clause stays the last of them,
    # and the caption sits right above the table
    assert any("修订情况见下表" in t for t in texts)
    assert "施行" in [t for t in texts if t[:1].isdigit()][-1]
    assert closing[-2] == Para("修订记录", "Table Caption") and closing[-1] is table
    # the revisions are no longer sentences in 预案管理
    everything = [b.text for b in build(data, draft=True).blocks if isinstance(b, Para)]
    assert not any(t.startswith("2.0版（") for t in everything)


def test_rows_are_in_date_order_and_a_first_edition_has_no_record() -> None:
    data = base_data()
    data["maintenance"]["revisions"] = [
        {"version": "1.1", "date": "2026-09-01", "summary": "调整通报时限。"},
        {"version": "1.0", "date": "2025-03-01", "summary": "首次编制", "trigger": "other"},
    ]
    _, table = _record(data)
    assert table is not None
    assert [(r[0], r[1], r[3]) for r in table.rows] == [("1", "1.0", "其他"), ("2", "1.1", "—")]
    assert table.rows[1][4] == "调整通报时限"  # no full stop in a table cell
    data["maintenance"].pop("revisions")
    closing, table = _record(data)
    assert table is None
    assert not any("修订" in b.text for b in closing if isinstance(b, Para))


def test_the_drafted_entry_is_a_row_of_the_record() -> None:
    old = base_data()
    new = copy.deepcopy(old)
    new["notifications"]["rules"][0]["within"] = "PT15M"
    new["duties"][0]["lead"] = "yi"
    entry = draft_revision(compare(old, new), old, new, date(2026, 11, 28))
    new["maintenance"]["revisions"] = [*new["maintenance"].get("revisions", []), entry]
    _, table = _record(new)
    assert table is not None
    row = table.rows[-1]
    assert row[1:4] == [entry["version"], "2026年11月28日", "指挥机构及职责调整"]
    assert row[4] == entry["summary"] and "D-01" not in row[4] and "N-jia-yi" not in row[4]
