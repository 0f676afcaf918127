"""Every rule is declared completely and its documented examples really behave."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from planctl.check import validate
from planctl.examples import example_text
from planctl.loader import load_file, load_text
from planctl.rules import registry

from .conftest import FIXTURES, TODAY

RULES = list(registry)
EXPECTED = yaml.safe_load((FIXTURES / "broken" / "expected.yaml").read_text("utf-8"))
FIXTURE_CODES = {e.split("@")[0] for entries in EXPECTED.values() for e in entries}


def _codes(text: str | None) -> list[str]:
    assert text is not None
    return [f.code for f in validate(load_text(text, "example.yaml"), today=TODAY)]


def test_codes_are_stable_and_well_formed() -> None:
    assert len(RULES) >= 35
    for rule in RULES:
        assert re.fullmatch(r"[A-Z]{3,4}\d{3}", rule.code), rule.code
        assert rule.severity in ("error", "warning", "info")
        assert rule.title["zh"] and rule.title["en"]
        assert rule.message["zh"] and rule.message["en"]


@pytest.mark.parametrize("rule", [r for r in RULES if r.fail is not None], ids=lambda r: r.code)
def test_failing_example_fires(rule) -> None:
    assert rule.code in _codes(example_text(rule, "fail"))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_passing_example_is_quiet(rule) -> None:
    assert rule.code not in _codes(example_text(rule, "passes"))


def test_base_plan_is_clean() -> None:
    from planctl.examples import base_text

    assert _codes(base_text()) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_every_rule_is_exercised(rule) -> None:
    """A rule with no executable failing example must have a broken fixture."""
    tested_elsewhere = {
        "INT001": "test_internal_error_in_one_rule_becomes_a_finding",
        "YAML009": "test_load.py::test_oversized_file_is_refused_before_parsing",
        "PTH001": "test_hostile.py::test_symlink_out_of_the_repository_is_refused",
        "FIL001": "test_recognize.py::test_foreign_yaml_is_skipped_and_plans_are_checked",
    }
    if rule.code in tested_elsewhere:
        return
    assert rule.fail is not None or rule.repo_fail is not None or rule.code in FIXTURE_CODES, (
        rule.code
    )


@pytest.mark.parametrize("rule", [r for r in RULES if r.layer == "plan"], ids=lambda r: r.code)
def test_plan_rules_have_a_reason(rule) -> None:
    assert rule.hint, rule.code
    if rule.code not in ("INT001",):
        assert rule.why or rule.citation, rule.code


def test_legal_rules_cite_their_source() -> None:
    for code in ("NOT001", "CON001", "AID001", "CMD001", "LVL001", "DUTY001"):
        assert registry.get(code).citation


def test_vague_phrase_detection() -> None:
    from planctl.rules.duties import vague_phrase

    assert vague_phrase("积极配合做好应急处置工作") == (0, 4)
    assert vague_phrase("加强协调，确保信息畅通") is not None
    assert vague_phrase("在岳城水库入库口布设应急监测点位，每2小时监测一次苯胺浓度") is None
    assert vague_phrase("确保下游邯郸市第三水厂取水口上游5公里处苯胺浓度达标") is None
    assert vague_phrase("组织森林消防队伍扑救越界山火并清理余火、看守火场") is None


def test_unresolved_reference_suggests_the_closest_id() -> None:
    from planctl.examples import apply_patch, base_data, render

    text = render(apply_patch(base_data(), "duties.0.lead: jai"))
    [f] = [f for f in validate(load_text(text), today=TODAY) if f.code == "REF001"]
    assert "jia" in f.text("en") and "是否应为“jia”" in f.text("zh")


def test_suppression_with_reason_silences_only_that_code(base_text: str) -> None:
    text = base_text.replace(
        "    action: 在交界断面布设应急监测点位，每2小时采样一次并共享数据\n    lead: yi\n    support: [jia]\n    within: PT2H\n",
        "    action: 积极配合上游做好相关工作  # planctl: ignore DUTY003 -- 乙县职责另见专项方案\n    lead: yi\n    support: [jia]\n",
    )
    assert text != base_text
    assert _codes(text) == []


def test_rules_run_only_on_schema_valid_plans(base_text: str) -> None:
    text = base_text.replace("  hazards: [water_pollution]\n", "")
    assert _codes(text) == ["SCH001"]


def test_internal_error_in_one_rule_becomes_a_finding(monkeypatch, base_text: str) -> None:
    rule = registry.get("DUTY003")

    def boom(ctx):
        raise KeyError("lead")
        yield  # pragma: no cover

    monkeypatch.setattr(rule, "check_fn", boom)
    findings = validate(load_text(base_text), today=TODAY)
    assert [f.code for f in findings] == ["INT001"]
    assert "DUTY003" in findings[0].text("en")


def test_fixture_files_exist_for_every_expectation() -> None:
    for name in EXPECTED:
        assert (FIXTURES / "broken" / name).is_file(), name
    on_disk = {p.name for p in (FIXTURES / "broken").glob("*.yaml")} - {"expected.yaml"}
    assert on_disk == set(EXPECTED), on_disk ^ set(EXPECTED)


def test_rule_modules_one_per_family() -> None:
    import planctl.rules as pkg

    modules = {p.stem for p in Path(pkg.__file__).parent.glob("*.py")} - {"__init__", "base"}
    assert {"notification", "duties", "contacts", "references", "mutual_aid"} <= modules


def test_a_lead_by_origin_announces_the_stand_down_when_an_operator_learns_first() -> None:
    """宁马滁: a highway operator may learn first and reports to the city, whose government
    leads (``lead: {by: origin}``) and sends the stand-down. MSG001 took only a fixed lead
    as an announcer, so every party the city told was "never told of the stand-down"."""
    import copy

    from planctl.examples import render as dump

    path = FIXTURES / "clean" / "ning-ma-chu-hazmat-road.yaml"
    data = copy.deepcopy(load_file(path).data)
    data["geography"]["areas"][0]["first_informed"] = ["nj", "js-hw"]
    data["notifications"]["rules"].append(
        {
            "id": "O-js",
            "kind": "report",
            "when": {"hazards": ["hazardous_chemicals", "road_traffic"]},
            "from": "js-hw",
            "to": ["nj"],
            "channels": ["phone"],
            "within": "PT10M",
            "acknowledge": {"within": "PT5M", "channel": "phone"},
        }
    )
    findings = validate(load_text(dump(data), "op.yaml"), today=TODAY)
    grades = [f for f in findings if f.code == "MSG001" and "level I" in f.text("en")]
    assert grades == [], [f.text("en") for f in grades]
