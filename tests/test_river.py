"""Message types and stand-down, protected targets, joint monitoring (issue #10 items 4-6)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from planctl import reach
from planctl.check import validate
from planctl.config import Config, ConfigError
from planctl.config import load as load_config
from planctl.examples import base_data, render
from planctl.loader import load_file, load_text
from planctl.model import Plan, message_type

from .conftest import FIXTURES, SAMPLES, TODAY

ZHUOZHANG = SAMPLES / "zhuozhang-water-pollution.yaml"
RIVER_BASE = FIXTURES / "broken" / "notice-after-arrival.yaml"


def _codes(data: dict, **kwargs) -> list[str]:
    return [f.code for f in validate(load_text(render(data), "plan.yaml"), today=TODAY, **kwargs)]


def _river_base() -> dict:
    """The broken notice fixture with its travel time restored: a clean plan with targets."""
    data = load_file(RIVER_BASE).data
    data["targets"]["items"][0]["travel"][0]["high_flow"] = "PT4H"
    return data


def test_message_type_is_inferred_from_kind() -> None:
    assert message_type({"kind": "notify"}) == "information"
    assert message_type({"kind": "report"}) == "information"
    assert message_type({"kind": "warning"}) == "warning"
    assert message_type({"kind": "request"}) == "request"
    assert message_type({"kind": "notify", "message": "stand_down"}) == "stand_down"


def test_a_stand_down_does_not_count_as_the_event_notice() -> None:
    data = base_data()
    data["notifications"]["rules"][0]["message"] = "stand_down"  # jia -> yi only lifts alerts
    assert "NOT001" in _codes(data)


def test_stand_down_relayed_along_the_chain_counts() -> None:
    data = load_file(ZHUOZHANG).data
    assert _codes(data) == []
    rules = data["notifications"]["rules"]
    # Changzhi lifts the alert toward the two downstream cities; nobody else tells them
    relay = next(r for r in rules if r.get("message") == "stand_down" and r["from"] == "cz-gov")
    rules.remove(relay)
    findings = validate(load_text(render(data), "plan.yaml"), today=TODAY)
    missing = [f for f in findings if f.code == "MSG001"]
    assert missing, [f.code for f in findings]
    assert any("邯郸市" in f.text("zh") for f in missing)


def test_no_stand_down_at_all_is_one_warning_saying_how_to_write_it() -> None:
    data = base_data()
    data["notifications"]["rules"] = data["notifications"]["rules"][:2]
    findings = [
        f for f in validate(load_text(render(data), "p.yaml"), today=TODAY) if f.code == "MSG001"
    ]
    assert len(findings) == 1 and findings[0].severity == "warning"
    assert "message: stand_down" in findings[0].hint["zh"]


def test_stand_down_rules_are_cached_apart_from_information_rules() -> None:
    plan = Plan(base_data())
    net = reach.network(plan)
    info = net.firing("water_pollution", "I", "grade")
    down = net.stand_down_firing("water_pollution", "I", "grade")
    assert set(info) == {0, 1} and set(down) == {2, 3}
    assert net.tree(down, "jia").dist == {"jia": 0.0, "yi": 60.0}


def test_aniline_upstream_that_reports_late_is_caught_before_arrival() -> None:
    """Changzhi 2013: the city reports to its province in five days and tells nobody downstream."""
    path = FIXTURES / "aniline" / "zhuozhang-upstream-late.yaml"
    findings = validate(path, today=TODAY)
    late = [f for f in findings if f.code == "TGT001"]
    lines = path.read_text("utf-8").splitlines()
    intake = [f for f in late if "岳城水库坝前取水口" in f.text("zh")]
    assert intake, [f.code for f in findings]
    for f in intake:
        assert f.severity == "error" and "长治市" in f.text("zh")
        assert "area-cz" in lines[f.line - 1] and "high_flow" in lines[f.line - 1]


def test_detection_delay_and_margin_count_against_the_shortest_travel_time() -> None:
    data = _river_base()
    # 30 min notice + 30 min delay + 1 h margin < 4 h
    assert not [c for c in _codes(data) if c.startswith("TGT")]
    data["targets"]["detection_delay"] = "PT2H30M"  # 30 min + 2 h 30 min + 1 h = 4 h
    assert "TGT001" in _codes(data)
    data["targets"]["detection_delay"] = "PT2H"
    data["targets"]["items"][0]["travel"][0]["low_flow"] = "PT3H"  # reversed range
    assert "TGT005" in _codes(data)


def test_configured_margin_applies_unless_the_plan_sets_its_own(tmp_path: Path) -> None:
    data = _river_base()
    assert "TGT001" in _codes(data, config=Config(notice_margin="PT3H"))
    data["targets"]["notice_margin"] = "PT30M"
    assert "TGT001" not in _codes(data, config=Config(notice_margin="PT3H"))
    cfg = tmp_path / "planctl.yaml"
    cfg.write_text("notice_margin: two hours\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="notice_margin"):
        load_config(cfg)
    cfg.write_text("notice_margin: PT2H\n", encoding="utf-8")
    assert load_config(cfg).notice_margin == "PT2H"


def test_owner_never_told_is_a_late_notice() -> None:
    data = _river_base()
    data["notifications"]["rules"] = [
        r for r in data["notifications"]["rules"] if r["from"] != "jia"
    ]
    findings = validate(load_text(render(data), "p.yaml"), today=TODAY)
    assert any(f.code == "TGT001" and "收不到任何通报" in f.text("zh") for f in findings)


def test_closure_duty_and_backup() -> None:
    data = _river_base()
    target = data["targets"]["items"][0]
    target["closure"].pop("duty")
    target["backup"] = {"targets": ["T-yi-intake"]}  # itself: not a backup source
    codes = _codes(data)
    assert "TGT002" in codes and "TGT003" in codes
    irrigation = copy.deepcopy(data)
    irrigation["targets"]["items"][0]["kind"] = "irrigation"  # needs closing, not a backup
    codes = _codes(irrigation)
    assert "TGT002" in codes and "TGT003" not in codes


def test_every_upstream_area_needs_a_travel_time() -> None:
    data = _river_base()
    data["targets"]["items"][0]["travel"][0]["from"] = "area-yi"  # its own area only
    assert "TGT004" in _codes(data)


def test_monitoring_methods_declared_per_party() -> None:
    data = load_file(FIXTURES / "broken" / "samplers-with-different-methods.yaml").data
    assert "MON002" in _codes(data)
    data["monitoring"]["sections"][0]["comparison"] = "两县每季度用同一加标样比对一次"
    assert "MON002" not in _codes(data)
    same = load_file(FIXTURES / "broken" / "samplers-with-different-methods.yaml").data
    for entry in same["monitoring"]["sections"][0]["methods"]:
        entry["method"] = {"name": "水质 苯胺类化合物的测定 气相色谱-质谱法"}
    assert "MON002" not in _codes(same)


def test_border_section_needs_an_owner_and_every_level_in_use() -> None:
    data = _river_base()
    section = data["monitoring"]["sections"][0]
    section.pop("owner")
    findings = [f for f in validate(load_text(render(data), "p.yaml"), today=TODAY)]
    assert any(f.code == "MON001" and "负责单位" in f.text("zh") for f in findings)
    section["owner"] = "yi"
    section["border"] = False  # an inner section may sample at some levels only
    section["frequency"] = section["frequency"][:1]
    assert "MON001" not in _codes(data)


def test_document_states_stand_down_targets_and_monitoring() -> None:
    from planctl.render.blocks import Heading, Para, Table
    from planctl.render.content import build

    content = build(load_file(ZHUOZHANG).data, draft=True)
    headings = [b.text for b in content.blocks if isinstance(b, Heading)]
    assert any("解除与终止通知" in h for h in headings)
    assert any("保护目标通报" in h for h in headings)
    assert any("联合监测" in h for h in headings)
    tables = [b for b in content.blocks if isinstance(b, Table)]
    targets = next(t for t in tables if "到达前余量" in t.header)
    intake = [r for r in targets.rows if r[1].startswith("岳城水库坝前取水口")]
    assert len(intake) == 4 and all(r[8] not in ("不足", "—") for r in intake)
    monitoring = next(t for t in tables if "监测频次" in t.header)
    assert [r[1] for r in monitoring.rows][:2] == ["侯壁断面", "合漳断面"]
    paras = " ".join(b.text for b in content.blocks if isinstance(b, Para))
    assert "处理结果报告不代替解除或者终止通知" in paras
    base = build(base_data(), draft=True)
    assert not any(isinstance(b, Table) and "到达前余量" in b.header for b in base.blocks)


def test_monitoring_frequency_reads_every_hour_not_every_one_hour() -> None:
    from planctl.render.river import monitoring_table

    plan = Plan(load_file(SAMPLES / "zhuozhang-water-pollution.yaml").data)
    cells = [c for row in monitoring_table(plan).rows for c in row]
    text = "\n".join(cells)
    assert "每小时1次" in text, text  # the sample samples hourly at the intakes
    assert "每1小时" not in text and "每1天" not in text
