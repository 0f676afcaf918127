"""Legal truth (issue #8): limits bind only whom the law binds, citations hold, loopholes close.

Each test here is one item of the issue's acceptance list, or one behaviour the
list depends on (party kinds, triggers, first-informed parties, working days).
"""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from planctl import profiles, reach
from planctl.check import validate
from planctl.examples import apply_patch, base_data, render
from planctl.loader import load_text
from planctl.model import Plan, infer_party

from .conftest import TODAY


def _findings(data: dict, **kw):
    return validate(load_text(render(data), "plan.yaml"), today=kw.pop("today", TODAY), **kw)


def _codes(data: dict, **kw) -> list[str]:
    return [f.code for f in _findings(data, **kw)]


def _patched(patch: str) -> dict:
    return apply_patch(base_data(), patch)


def _two_cities(hazard: str, a: tuple[str, str], b: tuple[str, str], kind: str, within: str):
    """The base plan with its two parties renamed and rule 0 made ``kind`` within ``within``."""
    data = base_data()
    data["metadata"]["hazards"] = [hazard]
    for party, (name, level) in zip(data["parties"], (a, b), strict=True):
        party["name"] = name
        party["short_name"] = name[:4]
        party["level"] = level
    data["parties"][0]["legal_profile"] = "henan"
    rule = data["notifications"]["rules"][0]
    rule["kind"] = kind
    rule["within"] = within
    return data


# -- scope: no false errors on lawful plans ---------------------------------------------


def test_anyang_to_handan_horizontal_30_min_passes_under_henan() -> None:
    data = _two_cities(
        "production_safety",
        ("安阳市人民政府", "city"),
        ("邯郸市人民政府", "city"),
        "notify",
        "PT30M",
    )
    assert "NOT003" not in _codes(data)
    # the same between the two cities' 应急管理局: still horizontal, still lawful
    data = _two_cities(
        "production_safety",
        ("安阳市应急管理局", "department"),
        ("邯郸市应急管理局", "department"),
        "notify",
        "PT30M",
    )
    assert "NOT003" not in _codes(data)


def test_henan_emergency_bureau_upward_report_of_major_accident_in_30_min_fails() -> None:
    data = _two_cities(
        "production_safety",
        ("安阳市应急管理局", "department"),
        ("河南省应急管理厅", "department"),
        "report",
        "PT30M",
    )
    found = [f for f in _findings(data) if f.code == "NOT003"]
    assert found, "Henan's 15 min must bind an 应急管理局 reporting upward"
    assert any("15 min" in f.text("en") and "[verify]" in f.text("en") for f in found)
    assert any("[待核]" in f.text("zh") for f in found)
    assert all("河南" in (f.citation or "") for f in found if "15" in f.text("en"))


def test_henan_limit_does_not_bind_public_health() -> None:
    data = _two_cities(
        "public_health",
        ("安阳市应急管理局", "department"),
        ("河南省应急管理厅", "department"),
        "report",
        "PT30M",
    )
    assert "NOT003" not in _codes(data)


def test_henan_event_clock_counts_the_chain_from_the_first_party_that_learns() -> None:
    """County bureau learns at the event; 10 min to the city, 10 min to the province: 20 > 15."""
    data = _two_cities(
        "production_safety",
        ("林州市应急管理局", "department"),
        ("安阳市应急管理局", "department"),
        "report",
        "PT10M",
    )
    data["parties"][0]["tier"] = "county"
    province = yaml.safe_load(
        """
        id: prov
        name: 河南省应急管理厅
        short_name: 省应急厅
        level: department
        roles: [informed]
        contacts:
          - {kind: duty_24h, channel: phone, value: 0371-65000000, unit: 省应急管理厅总值班室,
             owner: 省应急管理厅办公室, verified_on: "2026-10-08"}
        backup: [{kind: backup, channel: fax, value: 0371-65000001}]
        """
    )
    data["parties"].append(province)
    data["parties"][1]["legal_profile"] = "henan"
    data["geography"]["areas"][1]["parties"].append("prov")
    relay = {
        "id": "N-up",
        "kind": "report",
        "from": "yi",
        "to": ["prov"],
        "channels": ["phone", "fax"],
        "within": "PT10M",
        "written_within": "PT30M",
    }
    data["notifications"]["rules"].append(relay)
    data["notifications"]["rules"][0]["written_within"] = "PT10M"
    slow = [f for f in _findings(data) if f.code == "NOT003"]
    assert slow and "from the event" in slow[0].text("en"), [f.text("en") for f in slow]
    relay["within"] = "PT5M"
    data["notifications"]["rules"][0]["within"] = "PT5M"
    data["notifications"]["rules"][0]["written_within"] = "PT5M"
    relay["written_within"] = "PT20M"
    assert "NOT003" not in _codes(data)


def test_public_health_province_to_nation_in_2_h_fails_at_1_h() -> None:
    data = _two_cities(
        "public_health",
        ("河南省人民政府", "province"),
        ("国家卫生健康委员会", "department"),
        "report",
        "PT2H",
    )
    data["parties"][0].pop("legal_profile")
    found = [f for f in _findings(data) if f.code == "NOT003"]
    assert found and "1 h" in found[0].text("en")
    assert "第十九条" in (found[0].citation or "")
    # a county health bureau reporting in 2 h is within Art. 20
    data = _two_cities(
        "public_health",
        ("林州市卫生健康委员会", "department"),
        ("安阳市卫生健康委员会", "department"),
        "report",
        "PT2H",
    )
    assert "NOT003" not in _codes(data)


def test_ministry_order_17_binds_environment_departments_reporting_upward_only() -> None:
    notify = _patched(
        "parties.0.name: 甲县生态环境局\nnotifications.rules.0.within: PT3H\n"
        "notifications.limits: <delete>"
    )
    assert "NOT003" not in _codes(notify)  # horizontal: Art. 8 says only 及时
    report = _patched(
        "parties.0.name: 甲县生态环境局\nnotifications.rules.0.kind: report\n"
        "notifications.rules.0.within: PT3H"
    )
    found = [f for f in _findings(report) if f.code == "NOT003"]
    assert found and "第17号" in (found[0].citation or "")
    government = _patched("notifications.rules.0.kind: report\nnotifications.rules.0.within: PT3H")
    assert "NOT003" not in _codes(government)  # a county government is not bound by Art. 3


def test_chain_limit_from_profile_is_labelled_planctl_policy() -> None:
    data = _patched("notifications.limits: <delete>\nnotifications.rules.0.within: PT3H")
    found = [f for f in _findings(data) if f.code == "NOT002"]
    assert found
    assert "planctl policy" in (found[0].citation or "")
    assert "planctl 政策" in found[0].text("zh")


# -- citations ---------------------------------------------------------------------------


def test_every_profile_validates_against_its_schema() -> None:
    for pid in profiles.available():
        assert profiles.check_profile_data(profiles.load_raw(pid)) == [], pid
        profiles.get(pid)


def test_misspelt_profile_key_is_an_error_not_all_ranks() -> None:
    raw = profiles.load_raw("henan")
    raw["hop"][0]["rank"] = raw["hop"][0].pop("ranks")
    errors = profiles.check_profile_data(raw)
    assert errors and any("rank" in e for e in errors)
    with pytest.raises(profiles.InvalidProfile):
        profiles.parse(raw)


def test_unverified_numbers_are_marked_in_both_languages() -> None:
    lim = next(x for x in profiles.get("henan").hop if x.id == "henan-major-phone")
    assert lim.verify and lim.cited_in("zh").endswith("[待核]")
    assert lim.cited_in("en").endswith("[verify]")


def test_citations_corrected() -> None:
    from planctl.rules import registry

    assert "第六十四条" not in (registry.get("NOT001").citation or "")
    assert "第六十四条" not in (registry.get("NOT002").citation or "")
    assert "planctl policy" in (registry.get("NOT002").citation or "")
    assert "第六十四条" not in (registry.get("CON001").citation or "")
    assert "第七十六条" in (registry.get("AID001").citation or "")
    health = [x for x in profiles.get("national").hop if "public_health" in x.hazards]
    assert {x.minutes for x in health} == {60, 120}
    assert any("第二十条" in x.citation for x in health)
    assert not any("第十九条、第二十条" in x.citation for x in health)
    drill = profiles.get("national").cycles["drill"]
    assert not any("2013〕101号）第" in c.citation for c in drill)
    assert any("第八条" in c.citation and c.within == "P2Y" for c in drill)


def test_title_of_the_2020_basin_guidance_is_right_in_the_samples() -> None:
    from .conftest import ROOT

    text = (ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml").read_text("utf-8")
    assert "生态环境部 水利部关于建立跨省流域上下游突发水污染事件联防联控机制的指导意见" in text
    assert "关于推进跨省流域" not in text


def test_not001_citation_follows_the_hazard() -> None:
    data = _patched("notifications.rules.0.to: [jia]\nnotifications.rules.0.from: yi")
    found = next(f for f in _findings(data) if f.code == "NOT001")
    assert "水污染防治法 第六十九条" in (found.citation or "")
    data["metadata"]["hazards"] = ["public_health"]
    found = next(f for f in _findings(data) if f.code == "NOT001")
    assert "突发公共卫生事件应急条例 第二十三条" in (found.citation or "")


def test_multi_hazard_not001_names_the_hazard_in_chinese() -> None:
    data = _patched(
        "notifications.rules.0.to: [jia]\nnotifications.rules.0.from: yi\n"
        "metadata.hazards: [water_pollution, hazardous_chemicals]"
    )
    found = next(f for f in _findings(data) if f.code == "NOT001")
    assert "突发水污染：" in found.text("zh") and "危险化学品：" in found.text("zh")


def test_superseded_document_is_flagged_with_its_replacement() -> None:
    data = _patched(
        "metadata.legal_basis.+: {title: 国家突发公共事件总体应急预案, date: 2006-01-08}"
    )
    found = [f for f in _findings(data) if f.code == "LAW001"]
    assert found and "国家突发事件总体应急预案（2025年）" in found[0].text("zh")
    old_law = _patched("metadata.legal_basis.0.date: 2007-08-30")
    assert "LAW001" in _codes(old_law)
    new_law = _patched("metadata.legal_basis.0.date: 2024-06-28")
    assert "LAW001" not in _codes(new_law)
    measures_2024 = _patched(
        "metadata.legal_basis.+: {title: 突发事件应急预案管理办法, number: 国办发〔2024〕5号}"
    )
    assert "LAW001" not in _codes(measures_2024)


# -- drills and filing -------------------------------------------------------------------


def test_production_safety_plan_with_a_drill_past_two_years_fails() -> None:
    patch = "maintenance.drill_cycle: P3Y\nmaintenance.drills.0.date: 2024-06-01"
    assert "MNT001" not in _codes(_patched(patch))  # water pollution: 3 years
    safety = _patched(patch + "\nmetadata.hazards: [production_safety]")
    found = [f for f in _findings(safety) if f.code == "MNT001"]
    assert found and "生产安全事故应急条例 第八条" in (found[0].citation or "")
    # multi-hazard: the strictest cycle among the hazards
    both = _patched(patch + "\nmetadata.hazards: [water_pollution, production_safety]")
    assert "MNT001" in _codes(both)


def test_three_year_old_drill_fails_a_production_safety_plan() -> None:
    data = _patched(
        "maintenance.drill_cycle: P3Y\nmaintenance.drills.0.date: 2023-11-01\n"
        "metadata.hazards: [production_safety]"
    )
    assert "MNT001" in _codes(data)


def test_enterprise_six_month_cycle_is_information_not_enforced() -> None:
    data = _patched(
        "maintenance.drill_cycle: P3Y\nmaintenance.drills.0.date: 2026-01-10\n"
        "metadata.hazards: [hazardous_chemicals]\nparties.1.name: 乙县化工有限公司\n"
        "parties.1.level: enterprise"
    )
    assert "MNT001" not in _codes(data)
    unit = next(c for c in profiles.get("national").cycles["drill"] if c.within == "P6M")
    assert not unit.enforced


def test_working_days_skip_the_spring_festival_and_count_make_up_days() -> None:
    from planctl.workdays import add_working_days

    # 2025-01-24 (Fri): 26 Jan (Sun) is a working day; 28 Jan - 4 Feb are off
    d = add_working_days(date(2025, 1, 24), 3)
    assert d.due == date(2025, 2, 5) and d.exact
    assert not add_working_days(date(2027, 3, 1), 20).exact
    assert not add_working_days(date(2031, 3, 1), 20).exact


def test_filing_on_time_and_copied_passes() -> None:
    data = _patched(
        "maintenance.filing: [{to: 某市生态环境局, date: 2026-03-30}, "
        "{to: 某市应急管理局, date: 2026-03-30, kind: copy}]"
    )
    codes = _codes(data)
    assert "MNT004" not in codes and "MNT005" not in codes
    late = _patched("maintenance.filing: [{to: 某市应急管理局, date: 2026-03-31}]")
    assert "MNT004" in _codes(late)


# -- loopholes ---------------------------------------------------------------------------


def test_downstream_notify_with_delaying_condition_fails() -> None:
    data = _patched("notifications.rules.0.when: {condition: 污染物已流出本行政区域}")
    findings = _findings(data)
    late = [f for f in findings if f.code == "NOT008"]
    assert late and late[0].severity == "error"
    assert "NOT001" in {f.code for f in findings}  # and the rule no longer counts


@pytest.mark.parametrize(
    "trigger",
    [
        "{type: threshold, section: 甲乙交界断面, parameter: 苯胺, value: 0.1, unit: mg/L}",
        "{type: request}",
        "{type: level, level: II}",
    ],
)
def test_structured_late_triggers_toward_downstream_are_errors(trigger: str) -> None:
    data = _patched(f"notifications.rules.0.when: {{trigger: {trigger}}}")
    late = [f for f in _findings(data) if f.code == "NOT008"]
    assert late and late[0].severity == "error"


def test_follow_up_after_a_knowledge_rule_is_not_flagged() -> None:
    data = _patched(
        "notifications.rules.+: {id: N-more, kind: notify, from: jia, to: [yi], "
        "channels: [phone], within: PT30M, acknowledge: {within: PT15M}, "
        "when: {trigger: {type: threshold, section: 甲乙交界断面}}}"
    )
    assert "NOT008" not in _codes(data)


def test_late_trigger_outside_a_basin_is_a_warning() -> None:
    data = _patched(
        "geography.kind: border\ngeography.areas.0.downstream: <delete>\n"
        "notifications.rules.0.when: {trigger: {type: request}}"
    )
    late = [f for f in _findings(data) if f.code == "NOT008"]
    assert late and late[0].severity == "warning"


def test_scope_text_is_not_a_trigger() -> None:
    data = _patched("notifications.rules.0.when: {scope: 联防区内发现火情}")
    codes = _codes(data)
    assert "NOT008" not in codes and "NOT001" not in codes


def test_level_trigger_counts_once_the_level_is_reached() -> None:
    data = _patched("notifications.rules.0.when: {trigger: {type: level, level: II}}")
    plan = Plan(load_text(render(data)).data)
    assert "yi" in reach.fastest_chains(plan, "water_pollution", "I", "grade", "jia")
    assert "yi" not in reach.fastest_chains(plan, "water_pollution", "III", "grade", "jia")


def test_every_party_of_an_area_may_learn_first_by_default() -> None:
    data = base_data()
    data["geography"]["areas"][0]["parties"] = ["jia", "yi"]
    data["geography"]["areas"][1]["parties"] = ["yi"]
    plan = Plan(data)
    sources = [(o.area, o.source) for o in reach.origins(plan)]
    assert ("area-jia", "jia") in sources and ("area-jia", "yi") in sources
    data["geography"]["areas"][0]["first_informed"] = ["jia"]
    plan = Plan(data)
    assert [(o.area, o.source) for o in reach.origins(plan) if o.area == "area-jia"] == [
        ("area-jia", "jia")
    ]


def test_second_first_informed_party_that_tells_nobody_is_reported() -> None:
    data = base_data()
    extra = dict(
        data["parties"][0], id="jia-eco", name="甲县生态环境局", short_name="甲县生态环境局"
    )
    data["parties"].append(extra)
    data["duties"][0]["support"] = ["yi", "jia-eco"]
    data["geography"]["areas"][0]["parties"] = ["jia", "jia-eco"]
    findings = _findings(data)
    unreached = [f for f in findings if f.code == "NOT001"]
    assert unreached and "first_informed" in (unreached[0].hint_text("en") or "")
    data["geography"]["areas"][0]["first_informed"] = ["jia"]
    data["notifications"]["rules"][0]["to"] = ["yi", "jia-eco"]
    assert "NOT001" not in _codes(data)


def test_vague_duty_with_a_deadline_fails() -> None:
    data = _patched("duties.1.action: 积极配合做好处置工作\nduties.1.within: PT2H")
    assert "DUTY003" in _codes(data)


def test_wait_free_phrase_passes_txt002_and_scaffold_placeholder_is_reported() -> None:
    ok = _patched(
        "duties.0.action: 发现污染后不待定级，立即在交界断面上游500米处设置拦截坝，投加活性炭吸附苯胺"
    )
    assert "TXT002" not in _codes(ok)
    todo = _patched("parties.0.signatory.name: 【待填：县长姓名】")
    assert "TXT002" in _codes(todo)


def test_observer_needs_no_duty_and_no_signature() -> None:
    observer = yaml.safe_load(
        """
        id: hk
        name: 香港特别行政区政府保安局
        short_name: 香港保安局
        level: other
        roles: [observer]
        contacts:
          - {kind: duty_24h, channel: phone, value: "+852-0000-0000", unit: 保安局紧急事故监察中心,
             owner: 保安局, verified_on: "2026-10-08"}
        backup: [{kind: backup, channel: fax, value: "+852-0000-0001"}]
        """
    )
    data = base_data()
    data["parties"].append(observer)
    data["notifications"]["rules"][0]["to"] = ["yi", "hk"]
    data["notifications"]["rules"][2]["to"] = ["yi", "hk"]  # told of the stand-down too
    assert _codes(data) == []
    plan = Plan(data)
    assert [p["id"] for p in plan.signing_parties()] == ["jia", "yi"]
    assert plan.is_informed_only("hk")
    # without the role, the same party must sign and hold a duty
    del data["parties"][-1]["roles"]
    assert {"SCH001", "DUTY002"} & set(_codes(data))


def test_observer_gets_no_signature_block_in_the_document(tmp_path) -> None:
    from planctl.render.api import render_file
    from planctl.rules import Options

    data = base_data()
    informed = dict(data["parties"][1], id="obs", name="丙省应急管理厅", short_name="丙省")
    informed["roles"] = ["informed"]
    del informed["signatory"]
    data["parties"].append(informed)
    data["notifications"]["rules"][0]["to"] = ["yi", "obs"]
    plan = tmp_path / "plan.yaml"
    plan.write_text(render(data), encoding="utf-8")
    out = render_file(
        plan, tmp_path / "out", fmt="md", options=Options(today=date.fromisoformat(TODAY))
    )
    text = next((tmp_path / "out").glob("*.md")).read_text("utf-8")
    seals = [line for line in text.splitlines() if "盖章" in line]
    assert out is not None and seals, text[-800:]
    assert not any("丙省应急管理厅" in line for line in seals)
    assert any("甲县人民政府" in line for line in seals)


# -- party kinds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "level", "expected"),
    [
        ("河南省应急管理厅", "department", ("department", "emergency_management", "province")),
        ("安阳市应急管理局", "department", ("department", "emergency_management", "city")),
        ("安阳市人民政府", "city", ("government", None, "city")),
        ("生态环境部", "national", ("department", "ecology_environment", "national")),
        ("海河水利委员会漳卫南运河管理局", "agency", ("basin_agency", "water_resources", None)),
        ("邯郸市自来水有限公司", "enterprise", ("enterprise", None, None)),
        ("北京市卫生健康委员会", "department", ("department", "health", "province")),
    ],
)
def test_party_kind_inference(name: str, level: str, expected: tuple) -> None:
    got = infer_party(name, level, None, None, None)
    assert got[0] == expected[0] and got[2] == expected[2]
    if expected[1] is not None:
        assert got[1] == expected[1]


def test_stated_kind_wins_over_inference() -> None:
    assert infer_party("某某中心", "other", "enterprise", None, None)[0] == "enterprise"


def test_existing_plans_stay_valid(sample_paths=None) -> None:
    from .conftest import ROOT

    findings = validate(ROOT / "sample-plans", today=TODAY)
    assert [f"{f.code} {f.file}:{f.line}" for f in findings] == []


def test_profiles_and_explain_show_binding_scope() -> None:
    from typer.testing import CliRunner

    from planctl.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["profiles", "--lang", "en"]).output
    assert "horizontal notification" in out or "upward report" in out
    assert "clock: the event" in out and "planctl policy (not law)" in out
    assert "[verify]" in out
    zh = runner.invoke(app, ["profiles", "--lang", "zh"]).output
    assert "[待核]" in zh and "向上报告" in zh and "起算" in zh
    explain = runner.invoke(app, ["explain", "NOT003", "--lang", "en"]).output
    assert "binds:" in explain and "08:00" in explain


def test_party_outside_mainland_law_is_held_to_the_plan_only() -> None:
    data = _two_cities(
        "public_health",
        ("香港特别行政区政府卫生署", "other"),
        ("国家卫生健康委员会", "department"),
        "report",
        "PT3H",
    )
    assert "NOT003" in _codes(data)  # under Henan/national, Art. 20 binds every upward report
    data["parties"][0]["legal_profile"] = "none"
    assert "NOT003" not in _codes(data)
    assert profiles.get("none").hop == () and profiles.get("none").chain == ()
