"""A duty's sentence as a 评审专家 reads it: when it starts, who leads, who else takes part.

A reviewer found the duty's trigger (触发条件) never printed, so "2小时内完成" counted
from nothing a reader could see, and "长治市、邯郸市、安阳市中不牵头的单位参与指挥", a
data query rather than 公文 wording. These tests hold the sentence rules for every
sample plan and clean fixture, and pin the wording on small cases.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from planctl.loader import load_file
from planctl.model import Plan
from planctl.render.blocks import Heading, Para
from planctl.render.chapters import Writer, others_text, trigger_clause
from planctl.render.content import Content, build
from planctl.render.style import strip_end

from .conftest import clean_plans
from .plans import river

NAMES = [p.stem for p in clean_plans()]
PATHS = {p.stem: p for p in clean_plans()}


@cache
def _content(name: str) -> tuple[dict[str, Any], Content]:
    data = load_file(PATHS[name]).data
    return data, build(data, draft=True)


def _prose(content: Content) -> list[str]:
    return [b.text for b in content.blocks if isinstance(b, Para | Heading)]


@pytest.mark.parametrize(
    ("action", "trigger", "expected"),
    [
        # an event: "…后" after a receipt or a completed act, "…时" for a state
        (
            "对省界两侧各5公里内的卫星林火热点完成地面核查",
            "收到卫星林火热点或视频监控报警",
            "收到卫星林火热点或视频监控报警后",
        ),
        ("在省界就近山口设立两县联合前线指挥所", "火场距省界5公里以内", "火场距省界5公里以内时"),
        ("组织视频会商", "红色森林火险预警发布", "红色森林火险预警发布后"),
        ("组织视频会商", "红色预警发布后", "红色预警发布后"),
        # the action already says it: in full, or opening with the same condition
        ("明火扑灭后组织清理余火并看守火场", "明火扑灭", ""),
        ("收到炎陵县支援请求后1小时内答复", "收到对侧县支援请求", ""),
        ("橙色及以上预警期间每3小时加密提供一次预报", "橙色或红色森林火险预警发布", ""),
        ("火场24小时内未得到控制时，书面请求应急管理部", "一级响应启动后火场24小时未得到控制", ""),
        # a shared word is not the condition said again (review)
        ("组织火灾扑救并报告", "发生森林火灾", "发生森林火灾时"),
        # the calendar: a date starts a period, a season stays as it is
        ("交换一次监控报警统计", "每月1日", "每月1日起"),
        ("排查沿河涉水企业", "每年第一季度", "每年第一季度"),
        ("设立联合防火检查站", "防火期", "防火期内"),
        # the action already names its time of year
        ("每年3月31日前排查风险企业", "每年第一季度", ""),
        ("每年汛前核定应急可拦蓄水量", "每年5月31日前", ""),
        ("防火期内每日16时前联合制作火险预报", "防火期每日", ""),
        # a schedule of several clauses is not a condition; nothing, or a draft's marker
        ("维护自动气象站", "全年运行，防火期内逐小时共享", ""),
        ("组织会商", "【待填：触发条件】", "【待填：触发条件】"),
        ("组织会商", "", ""),
        ("组织会商", None, ""),
        ("组织会商", 42, ""),
    ],
)
def test_trigger_clause(action: str, trigger: Any, expected: str) -> None:
    assert trigger_clause(action, trigger) == expected


def _sentence(prose: list[str], action: str) -> str | None:
    """The numbered item that prints this duty (found by a stretch of its action)."""
    key = re.sub(r"\s+", "", strip_end(action))
    key = key[len(key) // 3 :][:16]
    hits = [t for t in prose if re.match(r"\d+．", t) and key in re.sub(r"\s+", "", t)]
    return hits[0] if len(hits) == 1 else None


@pytest.mark.parametrize("name", NAMES)
def test_a_duty_opens_with_its_trigger_unless_the_action_says_it(name: str) -> None:
    data, content = _content(name)
    prose = _prose(content)
    checked = 0
    for d in Plan(data).duties:
        said = _sentence(prose, d["action"])
        if said is None:
            continue
        checked += 1
        body = said.split("．", 1)[1]
        when = trigger_clause(strip_end(d["action"]), d.get("trigger"))
        if when:
            assert body.startswith(when + "，由"), (d["id"], said)
        else:
            assert not body.startswith("由"), (d["id"], said)
        # no data-dump brackets, no doubled connective, one deadline
        trig = strip_end(str(d.get("trigger") or ""))
        if trig:
            assert f"（{trig}）" not in said and f"【{trig}】" not in said, said
        assert not re.search(r"(时|后|起)\1，", said), said
        assert said.count("内完成") <= 1, said
    assert checked


def test_the_samples_print_event_and_calendar_triggers() -> None:
    """Both kinds of trigger reach the page in a sample (the tests above must bite)."""
    _, fire = _content("xiang-gan-border-forest-fire")
    text = "".join(_prose(fire))
    assert "收到卫星林火热点或视频监控报警后，由" in text
    assert "收到湘应急厅支援请求后，由" in text
    assert "收到对侧县支援请求" not in text  # the action says "收到炎陵县支援请求后"
    _, water = _content("zhuozhang-water-pollution")
    text = "".join(_prose(water))
    assert "每年5月、11月，由" in text
    # "每季度首月，由……，每季度对……": how often is said once
    said = next(t for t in _prose(water) if "每季度首月，由" in t)
    assert said.count("每季度") == 1, said


@pytest.mark.parametrize("name", NAMES)
def test_parties_beside_a_role_lead_are_named_in_公文_words(name: str) -> None:
    _, content = _content(name)
    for text in _prose(content):
        assert "中不牵头的单位" not in text, text
        # "……中除牵头方外的各方、X" would list X among them
        assert not re.search(r"除牵头方外的各方、", text), text


def _writer(data: dict[str, Any]) -> Writer:
    return Writer(Plan(data), {})


def test_others_beside_an_origin_lead_with_three_that_may_lead() -> None:
    """The river sample's 二级响应: 长治市, 邯郸市 or 安阳市 leads, by where it starts."""
    data = river()
    lead = {"by": "origin"}
    plan = Plan(data)
    leads = plan.lead_parties(lead)
    assert {"cz-gov", "hd-gov", "ay-gov"} <= set(leads), leads
    w = _writer(data)
    w.name.introduced.update(p["id"] for p in plan.parties)  # short names, as after 总则
    assert others_text(w, lead, ["hd-gov", "ay-gov"]) == "邯郸市、安阳市中除牵头方外的各方"
    assert others_text(w, lead, ["hd-gov"]) == "邯郸市（不牵头时）"
    assert (
        others_text(w, lead, ["hd-gov", "ay-gov", "zwn"])
        == "邯郸市、安阳市中除牵头方外的各方以及漳卫南局"
    )
    # a fixed party alone, and a fixed lead, are plain lists
    assert others_text(w, lead, ["zwn", "hh-eco"]) == "漳卫南局、海河流域局"
    assert others_text(w, "cz-gov", ["cz-gov", "hd-gov", "ay-gov"]) == "邯郸市、安阳市"


def test_others_beside_an_origin_lead_with_two_that_may_lead() -> None:
    """The fire sample: 湘应急厅 or 赣应急厅 leads, by the side the fire starts on."""
    data = load_file(PATHS["xiang-gan-border-forest-fire"]).data
    w = _writer(data)
    w.name.introduced.update(p["id"] for p in Plan(data).parties)
    lead = {"by": "origin", "areas": {"area-hn": "hn-ema", "area-jx": "jx-ema"}}
    assert Plan(data).lead_parties(lead) == ["hn-ema", "jx-ema"]
    assert others_text(w, lead, ["hn-ema", "jx-ema"]) == "另一方"
    assert others_text(w, lead, ["jx-ema"]) == "另一方"  # written from one side
    assert others_text(w, lead, ["jx-ema", "hn-met"]) == "另一方和湘气象局"


def test_others_when_every_party_may_lead() -> None:
    """Three cities, each leading on its own ground, all the plan's parties: "其余各方"."""
    data = load_file(PATHS["ning-ma-chu-hazmat-road"]).data
    plan = Plan(data)
    leads = plan.lead_parties({"by": "origin"})
    authors = [p["id"] for p in plan.parties if not plan.is_informed_only(p["id"])]
    assert set(authors) <= set(leads) and len(leads) >= 3
    w = _writer(data)
    assert others_text(w, {"by": "origin"}, leads) == "其余各方"


# --- what a reviewer read on the pages of the fire sample -------------------------------
def _all_text(content: Content) -> list[str]:
    from planctl.render.blocks import Table

    cells = [c for b in content.blocks if isinstance(b, Table) for r in b.rows for c in r]
    return _prose(content) + cells


def test_warnings_sharing_words_name_them_once() -> None:
    """ "森林火险红色、森林火险橙色、森林火险黄色、森林火险蓝色预警" → "森林火险红色、橙色、黄色、蓝色预警"."""
    _, content = _content("xiang-gan-border-forest-fire")
    text = "".join(_prose(content))
    assert "森林火险红色、橙色、黄色、蓝色预警" in text
    assert "森林火险红色、森林火险橙色" not in text


@pytest.mark.parametrize("name", NAMES)
def test_a_rule_for_every_level_does_not_list_them(name: str) -> None:
    """A rule that applies to every event grade says so by saying nothing, not by
    "（特别重大、重大、较大、一般事件）" after each of its clauses."""
    data, content = _content(name)
    plan = Plan(data)
    every = "、".join(g["name"] for g in plan.grades) + "事件"
    for text in _all_text(content):
        assert f"（{every}）" not in text, text
    # "每1小时续报" reads "每小时续报", in the body and in 附件1, 附件2
    from planctl.render.blocks import Table

    ours = [
        b
        for b in content.blocks
        if isinstance(b, Table) and ("职责任务" in b.header or "续报/终报" in b.header)
    ]
    for text in _prose(content) + [c for t in ours for r in t.rows for c in r]:
        assert "每1小时" not in text and "每1天" not in text, text


@pytest.mark.parametrize("name", NAMES)
def test_the_scope_sentence_has_a_subject(name: str) -> None:
    _, content = _content(name)
    blocks = content.blocks
    at = next(
        i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text.endswith("适用范围")
    )
    assert blocks[at + 1].text.startswith("本预案")  # type: ignore[union-attr]


def test_a_resource_is_not_tagged_with_the_owner_the_sentence_names() -> None:
    _, content = _content("xiang-gan-border-forest-fire")
    text = _prose(content)
    assert "炎陵县：风力灭火机150台。" in text
    assert not any("风力灭火机（炎陵县）" in t for t in text)
    assert any("湖南森林消防直升机（吊桶）" in t for t in text)  # not an owner: kept
    # the tag stays in the annex table, where it tells the rows apart
    tables = [c for t in _all_text(content) for c in [t] if "风力灭火机（炎陵县）" in c]
    assert tables
    # items whose own name holds a 顿号 are set apart by a semicolon
    assert "吉安市：瓶装饮用水20吨；柴油、汽油（供扑火机具和车辆）30吨。" in text


@pytest.mark.parametrize("name", NAMES)
def test_a_standing_task_is_put_in_place_not_finished(name: str) -> None:
    data, content = _content(name)
    prose = _prose(content)
    for d in Plan(data).duties:
        said = _sentence(prose, d["action"])
        if said is None or not re.search(r"内(完成|落实)。$", said):
            continue
        standing = re.search(r"期间|每日|每天|每小时|逐日|逐小时|持续|轮巡", strip_end(d["action"]))
        assert said.endswith("内落实。") == bool(standing), (d["id"], said)


def test_others_beside_an_origin_lead_with_four_that_may_lead() -> None:
    """Many that may lead: each of the river's four areas led by its own department."""
    data = river()
    lead = {
        "by": "origin",
        "areas": {"area-cz": "sx-eco", "area-hd": "hb-eco", "area-ay": "ha-eco", "area-yc": "zwn"},
    }
    plan = Plan(data)
    assert plan.lead_parties(lead) == ["sx-eco", "hb-eco", "ha-eco", "zwn"]
    w = _writer(data)
    w.name.introduced.update(p["id"] for p in plan.parties)
    four = ["sx-eco", "hb-eco", "ha-eco", "zwn"]
    # other parties hold duties too: "其余各方" would reach them, so the four are named
    assert (
        others_text(w, lead, four)
        == "晋生态环境厅、冀生态环境厅、豫生态环境厅、漳卫南局中除牵头方外的各方"
    )
    assert (
        others_text(w, lead, ["hb-eco", "ha-eco", "zwn", "hh-eco"])
        == "冀生态环境厅、豫生态环境厅、漳卫南局中除牵头方外的各方以及海河流域局"
    )


@pytest.mark.parametrize("name", NAMES)
def test_the_responsibility_annex_opens_a_task_with_its_condition_once(name: str) -> None:
    """附件1 reads a duty as the body does ("收到…后，……"), and its 时限 cell does not
    repeat a trigger the task cell already opens with."""
    from planctl.render.blocks import Table

    data, content = _content(name)
    duties = Plan(data).duties
    for table in (b for b in content.blocks if isinstance(b, Table) and "职责任务" in b.header):
        task = table.header.index("职责任务")
        limit = table.header.index("时限") if "时限" in table.header else None
        for d in duties:
            when = trigger_clause(strip_end(d["action"]), d.get("trigger"))
            if not when:
                continue
            rows = [r for r in table.rows if r[task].startswith(when + "，")]
            assert rows, (d["id"], when)
            if limit is not None:
                assert all(strip_end(d["trigger"]) != r[limit] for r in rows), rows


def test_a_regional_tag_that_says_more_than_the_owner_stays() -> None:
    from types import SimpleNamespace

    from planctl.render.chapters import resource_label

    plan = SimpleNamespace(party={"hn": {"name": "湖南省应急管理厅", "region": "湖南"}})
    label = resource_label({"name": "救灾帐篷（湖南省储备库）", "owner": "hn"}, plan)  # type: ignore[arg-type]
    assert label == "救灾帐篷（湖南省储备库）"
    assert resource_label({"name": "救灾帐篷（湖南）", "owner": "hn"}, plan) == "救灾帐篷"  # type: ignore[arg-type]


def test_a_signing_name_breaks_only_before_a_closing_second_name() -> None:
    from planctl.render.docx import signature_lines

    assert signature_lines("湖南省应急管理厅（湖南省森林防灭火指挥部办公室）") == [
        "湖南省应急管理厅",
        "（湖南省森林防灭火指挥部办公室）",
    ]
    assert signature_lines("中国石油化工股份有限公司（集团）湖南石油分公司") == [
        "中国石油化工股份有限公司（集团）湖南石油分公司"
    ]
    assert signature_lines("炎陵县人民政府") == ["炎陵县人民政府"]
