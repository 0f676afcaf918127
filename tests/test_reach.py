"""Notification chains: cumulative deadlines and who counts as affected."""

from __future__ import annotations

from planctl.examples import apply_patch, base_data
from planctl.model import Plan
from planctl.reach import fastest_chains, origins


def _plan(patch: str = "") -> Plan:
    return Plan(apply_patch(base_data(), patch) if patch else base_data())


THREE = """
parties.+: {id: bing, name: 丙县人民政府, level: county, signatory: {organ: 丙县人民政府, title: 县长}, contacts: []}
geography.areas.1.downstream: [area-bing]
geography.areas.+: {id: area-bing, name: 丙县, parties: [bing]}
notifications.rules.1.to: [jia, bing]
notifications.rules.1.within: PT20M
"""


def test_river_basin_affects_only_downstream() -> None:
    plan = _plan(THREE)
    by_area = {o.area: o for o in origins(plan)}
    assert by_area["area-jia"].affected == ("yi", "bing")
    assert by_area["area-yi"].affected == ("bing",)
    assert by_area["area-bing"].affected == ()


def test_border_plan_affects_everyone() -> None:
    plan = _plan(THREE + "geography.kind: border\n")
    by_area = {o.area: o for o in origins(plan)}
    assert set(by_area["area-bing"].affected) == {"jia", "yi"}


def test_chain_deadlines_add_up_through_relays() -> None:
    plan = _plan(THREE)
    chains = fastest_chains(plan, "water_pollution", "I", "grade", "jia")
    assert chains["yi"].minutes == 30
    assert chains["bing"].minutes == 50
    assert chains["bing"].parties == ["jia", "yi", "bing"]


def test_direct_rule_beats_a_slower_relay() -> None:
    plan = _plan(THREE + "notifications.rules.0.to: [yi, bing]\n")
    chains = fastest_chains(plan, "water_pollution", "I", "grade", "jia")
    assert chains["bing"].minutes == 30 and len(chains["bing"].hops) == 1


def test_rules_filtered_by_level_and_hazard() -> None:
    plan = _plan("notifications.rules.0.when: {levels: [I, II]}\n")
    assert "yi" in fastest_chains(plan, "water_pollution", "I", "grade", "jia")
    assert "yi" not in fastest_chains(plan, "water_pollution", "IV", "grade", "jia")
    plan = _plan("notifications.rules.0.when: {hazards: [forest_fire]}\n")
    assert fastest_chains(plan, "water_pollution", "I", "grade", "jia") == {}


def test_support_requests_do_not_carry_notification() -> None:
    plan = _plan("notifications.rules.0.kind: request\n")
    assert fastest_chains(plan, "water_pollution", "I", "grade", "jia") == {}


def test_parties_outside_areas_must_always_hear() -> None:
    patch = (
        "parties.+: {id: basin, name: 海河水利委员会漳卫南运河管理局, level: agency, "
        "signatory: {organ: 漳卫南运河管理局, title: 局长}, contacts: []}\n"
    )
    plan = _plan(patch)
    by_area = {o.area: o for o in origins(plan)}
    assert "basin" in by_area["area-yi"].affected


def test_without_geography_every_party_is_an_origin() -> None:
    plan = _plan("geography: <delete>\n")
    assert [(o.source, o.affected) for o in origins(plan)] == [("jia", ("yi",)), ("yi", ("jia",))]
