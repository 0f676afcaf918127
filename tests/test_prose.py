"""What the document says, read from its blocks (no LibreOffice): each fact once, in one voice.

A reviewer reading the samples found members lists naming an observer, a plan filed
with a ministry that does not take county-level filings, the support-request answer
deadline and the plan's applicability each stated twice, nested brackets, and the
flow charts' legend printed under every chart. These tests hold the general rule
behind each finding for every sample plan and clean fixture (tests/fixtures/clean/).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from planctl.loader import load_file
from planctl.model import Plan, message_type
from planctl.render.api import document_figures
from planctl.render.blocks import Figure, Heading, Para, Table
from planctl.render.content import Content, build

from .conftest import clean_plans

NAMES = [p.stem for p in clean_plans()]
PATHS = {p.stem: p for p in clean_plans()}


@cache
def _content(name: str, figures: bool = False) -> tuple[dict[str, Any], Content]:
    data = load_file(PATHS[name]).data
    return data, build(data, draft=True, figure=document_figures(data) if figures else None)


def _prose(content: Content) -> list[str]:
    return [b.text for b in content.blocks if isinstance(b, Para | Heading)]


def _observers(data: dict[str, Any]) -> list[dict[str, Any]]:
    plan = Plan(data)
    return [
        p
        for p in plan.parties
        if "observer" in p.get("roles", []) and plan.is_informed_only(p["id"])
    ]


@pytest.mark.parametrize("name", NAMES)
def test_an_observer_is_never_listed_among_the_members(name: str) -> None:
    data, content = _content(name)
    observers = _observers(data)
    plan = Plan(data)
    body_members = plan.command["body"].get("members", [])
    for o in observers:
        names = {o["name"], o.get("short_name") or o["name"]}
        for text in _prose(content):
            for listed in re.findall(
                r"成员单位包括([^。]*?)(?:，[^，。]*作为观察单位参加)?。", text
            ):
                assert not any(n in listed for n in names), text
        if o["id"] in body_members:
            assert any(
                "成员单位包括" in t and re.search(r"[^，]*作为观察单位参加", t)
                for t in _prose(content)
            )
        for table in (b for b in content.blocks if isinstance(b, Table)):
            if "成员单位" in table.header:
                col = table.header.index("成员单位")
                for row in table.rows:
                    cell = row[col]
                    if any(n in cell for n in names):
                        assert "观察单位" in cell, cell


def test_the_river_sample_has_an_observer_in_its_joint_meeting() -> None:
    """The observer test above must have something to check."""
    data, _ = _content("taipu-river-water-pollution")
    observers = _observers(data)
    assert observers
    assert observers[0]["id"] in Plan(data).command["body"]["members"]


@pytest.mark.parametrize("name", NAMES)
def test_a_copy_is_sent_not_filed(name: str) -> None:
    data, content = _content(name)
    prose = _prose(content)
    for f in Plan(data).maintenance.get("filing", []):
        said = [t for t in prose if f["to"] in t and ("备案" in t or "抄送" in t)]
        assert said, f["to"]
        if f.get("kind") == "copy":
            assert all("抄送" in t and "备案" not in t for t in said), said


def test_a_county_level_plan_is_not_filed_with_a_ministry() -> None:
    """太浦河: three county-level governments file with their own higher level, not 应急管理部."""
    data, _ = _content("taipu-river-water-pollution")
    assert all(f["to"] != "应急管理部" for f in Plan(data).maintenance["filing"])


@pytest.mark.parametrize("name", NAMES)
def test_the_support_answer_deadline_is_stated_once(name: str) -> None:
    data, content = _content(name)
    aid = Plan(data).mutual_aid.get("request") or {}
    if not aid.get("answer_within"):
        pytest.skip("no support-request answer deadline")
    text = "".join(_prose(content))
    # the deadline itself ("2小时内答复"), not a pointer to it ("在规定时限内答复")
    stated = re.findall(r"被请求方[^。；，\d]{0,3}\d+[^。；，]{0,4}内[^。；，]{0,4}答复", text)
    stated += re.findall(r"答复时限为\d+", text)  # naming the deadline a procedure points at
    assert len(stated) == 1, stated


@pytest.mark.parametrize("name", NAMES)
def test_applicability_is_stated_once(name: str) -> None:
    _, content = _content(name)
    blocks = content.blocks
    start = next(
        i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text.endswith("适用范围")
    )
    end = next(i for i in range(start + 1, len(blocks)) if isinstance(blocks[i], Heading))
    section = [b.text for b in blocks[start + 1 : end] if isinstance(b, Para)]
    assert sum(bool(re.match(r"(本预案)?适用于", t)) for t in section) == 1, section


@pytest.mark.parametrize("name", NAMES)
def test_no_nested_brackets_in_generated_sentences(name: str) -> None:
    """（设在…（主）…） and 《…》（第2.0版）inside a bracket read as a tangle: none in prose."""
    _, content = _content(name)
    for text in _prose(content):
        depth = 0
        for ch in text:
            depth += ch == "（"
            assert depth < 2, text
            depth -= ch == "）" and depth > 0


@pytest.mark.parametrize("name", NAMES)
def test_the_flow_chart_legend_is_stated_once(name: str) -> None:
    """Charts share a page; what every chart shares is said once, in a 说明 after the last
    chart (before the first, four lines of it pushed a chart half a page high off the
    annex's first page), and a one-line introduction comes before the first."""
    _, content = _content(name, figures=True)
    figures = [b for b in content.blocks if isinstance(b, Figure) and b.emf]
    if not figures:
        pytest.skip("no flow chart drawn (no CJK font)")
    words = "箭头表示信息报告与通报方向"
    text = "".join(_prose(content)) + "".join(f.caption for f in figures)
    assert text.count(words) == 1
    if len(figures) > 1:
        assert all(words not in f.caption for f in figures)
        first = content.blocks.index(figures[0])
        last = content.blocks.index(figures[-1])
        after = content.blocks[last + 1]
        assert isinstance(after, Para) and after.text.startswith("说明：各图中"), after
        assert words in after.text
        intro = content.blocks[first - 1]
        assert isinstance(intro, Para) and words not in intro.text
        assert len(intro.text) <= 28, intro.text  # one line: the first chart shares its page
        # what differs stays with its chart: who learns first
        assert all("最先获知" in f.caption for f in figures), [f.caption for f in figures]


@pytest.mark.parametrize("name", NAMES)
def test_a_sender_of_warnings_only_learns_of_a_warning(name: str) -> None:
    data, content = _content(name)
    plan = Plan(data)
    prose = _prose(content)
    for sender in {r["from"] for r in plan.rules}:
        kinds = {
            message_type(r)
            for r in plan.rules
            if r["from"] == sender and r.get("message") != "stand_down"
        }
        short = plan.party[sender].get("short_name") or plan.party[sender]["name"]
        said = [t for t in prose if re.match(rf"\d+．{re.escape(short)}获知", t)]
        if kinds == {"warning"}:
            assert said and all("获知预警信息后" in t for t in said), said
        elif "warning" not in kinds and said:
            assert all("获知事件信息后" in t for t in said), said
        elif said:  # warnings sent by a notify rule (message: warning) count as warnings
            assert all("获知事件或预警信息后" in t for t in said), said


@pytest.mark.parametrize("name", NAMES)
def test_a_support_request_is_sent_when_support_is_needed(name: str) -> None:
    """ "获知事件信息后，30分钟内……提出支援请求" asks for support on every event."""
    _, content = _content(name)
    for text in _prose(content):
        if "获知" in text:
            for part in re.split(r"[；]", text):
                if "提出支援请求" in part or "请求支援" in part[-8:]:
                    assert "需要支援的，" in part, part


@pytest.mark.parametrize("name", NAMES)
def test_a_party_requisitions_in_its_own_area_as_本辖区(name: str) -> None:
    _, content = _content(name)
    for text in _prose(content):
        m = re.match(r"(.+?)可依法征用(.+)", text)
        if m:
            assert not m.group(2).startswith(m.group(1) + "辖区"), text


@pytest.mark.parametrize("name", NAMES)
def test_a_deputy_is_never_the_lead_it_assists(name: str) -> None:
    """Under "由事发地一方牵头", naming an origin lead bare as a deputy contradicts itself
    whenever the event starts on that party's side."""
    data, content = _content(name)
    plan = Plan(data)
    for lvl in plan.command.get("levels", []):
        lead = lvl["lead"]
        if not (isinstance(lead, dict) and lead.get("by") == "origin"):
            continue
        leads = {plan.resolve_lead(lead, k) for k in plan.origin_keys()} - {None}
        for d in lvl.get("deputies", []):
            if d not in leads:
                continue
            short = plan.party[d].get("short_name") or plan.party[d]["name"]
            for text in _prose(content):
                m = re.search(r"，([^，]*)参与指挥", text)
                if text.startswith("启动") and lvl["hq"] in text and m:
                    # "X、Y中除牵头方外的各方" and "X（不牵头时）" name them qualified
                    bare = re.sub(r"(?:[^、，]+、)*[^、，]+中除牵头方外的各方", "", m.group(1))
                    items = re.split(r"、|以及|^另一方和", bare)
                    assert short not in items, text


@pytest.mark.parametrize("name", NAMES)
def test_a_party_name_is_never_printed_twice_in_a_row(name: str) -> None:
    """ "南京市南京市消防救援支队……": a resource whose name already says whose it is
    is not prefixed with its owner again (the stock-count sentence did)."""
    data, content = _content(name)
    texts = _prose(content) + [
        cell for b in content.blocks if isinstance(b, Table) for row in b.rows for cell in row
    ]
    for p in Plan(data).parties:
        for n in {p["name"], p.get("short_name") or p["name"]}:
            doubled = [t for t in texts if n + n in t or f"{n}的{n}" in t]
            assert not doubled, doubled


@pytest.mark.parametrize("name", NAMES)
def test_every_party_column_of_the_responsibility_matrix_holds_a_role(name: str) -> None:
    """Informed parties hold no duty: a column of blanks for them, and past one column group
    a landscape page with nothing but the header row (宁马滁: two provincial 应急管理厅 and
    two highway operators are only told)."""
    _, content = _content(name)
    [matrix] = [b for b in content.blocks if isinstance(b, Table) and "职责任务" in b.header]
    for col in range(3, len(matrix.header)):
        if matrix.header[col] in ("牵头单位", "配合单位", "时限"):
            continue  # the office form past MAX_GROUPS groups
        assert any(row[col] for row in matrix.rows), matrix.header[col]


@pytest.mark.parametrize("name", NAMES)
def test_a_liaison_is_named_with_the_office_held(name: str) -> None:
    data, content = _content(name)
    liaisons = [li for li in Plan(data).command.get("liaisons", []) if li.get("person")]
    if not liaisons:
        pytest.skip("no liaison with a person")
    text = "".join(_prose(content))
    for li in liaisons:
        person = li["person"]
        assert (person.get("title", "") + person.get("name", "")) in text, person


def test_a_fallback_that_names_who_acts_is_not_led_twice() -> None:
    """The schema used to suggest "事发地一方先行启动……" as the action; with
    ``lead: {by: origin}`` the sentence read "由事发地一方事发地一方先行启动"."""
    import copy

    data = copy.deepcopy(_content("ning-ma-chu-hazmat-road")[0])
    fb = data["command"]["activation"][0]["fallback"]
    fb["action"] = "事发地一方先行启动本级响应并报共同上级人民政府"
    text = "".join(_prose(build(data, draft=True)))
    assert "逾期未能议定的，事发地一方先行启动本级响应" in text
    assert "事发地一方事发地一方" not in text


@pytest.mark.parametrize("name", NAMES)
def test_the_covered_area_is_named_with_one_kind_word(name: str) -> None:
    """ "本预案覆盖宁马滁危险化学品道路运输通道交通走廊": a name that says what it is
    gets no second kind word."""
    _, content = _content(name)
    for text in _prose(content):
        if text.startswith("本预案覆盖"):
            assert not re.search(
                r"(通道|走廊|流域|区域|地区)(交通走廊|流域|行政交界区域|区域)", text
            )


@pytest.mark.parametrize("name", NAMES)
def test_a_dispute_clause_says_when_it_applies(name: str) -> None:
    """ "……结算完毕；由联席会议协商解决" read as if every settlement went to the meeting."""
    _, content = _content(name)
    for text in _prose(content):
        for m in re.finditer(r"结算完毕；([^。]*)", text):
            assert re.match(r"[^，；]*的，", m.group(1)), m.group(0)


@pytest.mark.parametrize("name", NAMES)
def test_terms_shared_by_every_commitment_are_named_once(name: str) -> None:
    """Six commitments each ending "费用按本章补偿与结算第1项约定结算" state one rule six times."""
    data, content = _content(name)
    aid = Plan(data).mutual_aid
    commitments = aid.get("commitments", [])
    terms = {cm.get("terms") or aid.get("default_terms") for cm in commitments}
    if len(commitments) < 2 or len(terms) != 1:
        pytest.skip("commitments under different terms name their own")
    text = "".join(_prose(content))
    assert len(re.findall(r"按本章补偿与结算第\d+项约定结算", text)) == 1


def test_warnings_for_every_hazard_do_not_name_the_hazards_again() -> None:
    """ "各级危险化学品事故、道路交通突发事件及危险化学品、道路交通各级预警……": warnings that
    cover all the plan's hazards are "各级预警"; a subset is still named (G4: 道路交通各级预警)."""
    _, content = _content("ning-ma-chu-hazmat-road", figures=True)
    titles = [b.title for b in content.blocks if isinstance(b, Figure)]
    assert titles and all("及各级预警" in t for t in titles), titles
    _, g4 = _content("g4-snow-ice-highway", figures=True)
    assert any("及道路交通各级预警" in b.title for b in g4.blocks if isinstance(b, Figure))


@pytest.mark.parametrize("name", NAMES)
def test_a_row_with_several_leads_is_explained(name: str) -> None:
    """Duties led by the origin (or the chair) mark every party that may lead as 牵头."""
    _, content = _content(name)
    [matrix] = [b for b in content.blocks if isinstance(b, Table) and "职责任务" in b.header]
    several = any(sum(cell == "牵头" for cell in row) > 1 for row in matrix.rows)
    if not several:
        pytest.skip("no row with more than one 牵头")
    notes = [t for t in _prose(content) if t.startswith("说明：“牵头”")]
    assert notes and "多个单位标为“牵头”" in notes[0], notes
