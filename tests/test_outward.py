"""Issue #10 items 7-11: public information, aftermath, true stocks, prevention, links outward.

The rule examples and fixtures cover each rule once; these cover the edges a
plan written by someone else will hit: markers, keywords in place of ids,
parties that only observe, links out of the repository, and the document text.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from planctl.check import validate
from planctl.examples import apply_patch, base_data, render
from planctl.loader import load_text
from planctl.render.blocks import Heading, Para
from planctl.render.content import build

from .conftest import TODAY


def _findings(patch: str, path: str = "example.yaml", code: str | None = None):
    text = render(apply_patch(base_data(), patch))
    out = validate(load_text(text, path), today=TODAY)
    return [f for f in out if code is None or f.code == code]


def _codes(patch: str) -> list[str]:
    return [f.code for f in _findings(patch)]


def test_markers_are_unknown_not_missing() -> None:
    """A scaffold's 【待填】 first-release deadline or investigation lead is not a finding."""
    codes = _codes(
        "public_info.first_within: 【待填：首次发布时限；例：PT5H】\n"
        "aftermath.investigation.lead: 【待填：牵头方；例：jia】"
    )
    assert "PUB001" not in codes and "AFT004" not in codes and "REF001" not in codes


def test_first_release_deadline_is_required() -> None:
    [f] = _findings("public_info.first_within: <delete>", code="PUB001")
    assert "first_within" in f.text("en") and f.severity == "warning"
    assert "[待核]" in (f.citation or "")


def test_keywords_stand_in_for_parties_and_typos_do_not() -> None:
    assert "REF001" not in _codes(
        "mutual_aid.compensation.0.payer: liable\n"
        "mutual_aid.compensation.0.advance: {by: requesting}\n"
        "public_info.releaser: origin"
    )
    assert "REF001" in _codes("public_info.releaser: orgin")
    assert "REF001" in _codes("mutual_aid.compensation.0.advance: {by: bing}")


def test_an_observer_pays_nothing() -> None:
    patch = (
        "parties.+: {id: obs, name: 丙市生态环境局, short_name: 丙市局, level: department, "
        "roles: [observer], contacts: [{kind: duty_24h, channel: phone, value: 0310-1, "
        "unit: 值班室, owner: 办公室, verified_on: 2026-10-01}], "
        "backup: [{kind: backup, channel: fax, value: 0310-2}]}\n"
        "mutual_aid.compensation.0.payer: obs"
    )
    [f] = _findings(patch, code="AFT001")
    assert f.severity == "error" and "observer" in f.text("en")


def test_a_split_by_cost_items_has_no_sum_and_a_repeated_party_is_reported() -> None:
    by_items = (
        "mutual_aid.compensation.0.payer: shared\n"
        "mutual_aid.compensation.0.split: [{party: requesting, costs: 燃油和运输费用}, "
        "{party: providing, costs: 人员费用}]"
    )
    codes = _codes(by_items)
    assert "AFT002" not in codes and "AFT003" not in codes and "SCH001" not in codes
    twice = (
        "mutual_aid.compensation.0.payer: shared\n"
        "mutual_aid.compensation.0.split: [{party: jia, percent: 50}, {party: jia, percent: 50}]"
    )
    [f] = _findings(twice, code="AFT002")
    assert "twice" in f.text("en")


def test_whole_stock_commitment_and_unknown_quantities_pass() -> None:
    base = "mutual_aid.commitments: [{id: M-1, resource: R-carbon, to: [yi], within: PT4H}]"
    assert "RES001" not in _codes(base)  # no quantity: the stock, whatever it is
    assert "RES001" not in _codes(base + "\nresources.0.quantity: 【待填：数量；例：50】")


def test_staleness_follows_the_config(tmp_path: Path) -> None:
    from planctl.check import make_options  # noqa: F401  (the path a config takes)
    from planctl.config import Config

    text = render(apply_patch(base_data(), "resources.0.inventoried_on: 2026-03-01"))
    doc = load_text(text, "example.yaml")
    assert not [f for f in validate(doc, today=TODAY) if f.code == "RES003"]
    cfg = Config(inventory_max_age_months=6)
    assert [f for f in validate(doc, today=TODAY, config=cfg) if f.code == "RES003"]


def test_config_rejects_a_bad_staleness(tmp_path: Path) -> None:
    from planctl.config import ConfigError, load

    p = tmp_path / "planctl.yaml"
    p.write_text("inventory_max_age_months: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load(p)


def test_prevention_rule_only_for_forecastable_hazards() -> None:
    patch = "duties.2.phase: response\nduties.3.phase: response\nlevels.warnings: <delete>\n"
    patch += "levels.grades.0.response: L1\nnotifications.limits.1: <delete>"
    msgs = [f.text("en") for f in _findings(patch, code="PRE001")]
    assert len(msgs) == 3
    quiet = _codes(patch + "\nmetadata.hazards: [earthquake]")
    assert "PRE001" not in quiet


def test_observers_need_not_drill_and_communication_tests_do_not_count() -> None:
    drills = (
        "maintenance.drills: [{date: 2025-06-10, kind: tabletop, scenario: 苯胺泄漏, "
        "participants: [jia, yi]}, {date: 2026-06-18, kind: communication_test, "
        "scenario: 拨测, participants: [jia, yi]}, {date: 2026-07-01, kind: tabletop, "
        "scenario: 拦截坝, participants: [jia]}]"
    )
    [f] = _findings(drills, code="PRE002")
    assert "乙县" in f.text("zh")
    # the whole mechanism overdue: MNT001 speaks, PRE002 stays quiet
    overdue = "maintenance.drills: [{date: 2024-06-10, kind: tabletop, scenario: 苯胺泄漏, participants: [jia]}]"
    codes = _codes(overdue)
    assert "MNT001" in codes and "PRE002" not in codes


def test_training_uses_the_plans_cycle() -> None:
    rec = "maintenance.training: [{date: 2026-04-01, kind: training, topic: 监测, participants: [jia, yi]}]"
    assert "PRE003" not in _codes(rec)
    assert "PRE003" in _codes(rec + "\nmaintenance.training_cycle: P6M")
    # public education is not training
    edu = rec.replace("kind: training", "kind: education").replace("2026-04-01", "2025-01-01")
    assert "PRE003" not in _codes(edu)  # no training yet, the plan is younger than a cycle


def test_related_plan_path_inside_the_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "plans").mkdir()
    own = tmp_path / "plans" / "jia-own.yaml"
    own.write_text("planctl: 1\n", encoding="utf-8")
    plan = tmp_path / "plans" / "joint.yaml"
    ok = _findings("links.related_plans.0.path: jia-own.yaml", str(plan), "LNK002")
    assert ok == []
    assert _findings("links.related_plans.0.path: missing.yaml", str(plan), "LNK002")
    assert _findings("links.related_plans.0.path: /etc/hosts", str(plan), "LNK002")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text("planctl: 1\n", encoding="utf-8")
    try:
        link = tmp_path / "plans" / "link.yaml"
        os.symlink(outside, link)
        [f] = _findings("links.related_plans.0.path: link.yaml", str(plan), "LNK002")
        assert "outside" in f.text("en")
    finally:
        outside.unlink()


def test_level_map_joint_level_must_be_a_response_level() -> None:
    codes = _codes(
        "links.related_plans.0.level_map: [{joint: I, own: 甲县Ⅰ级}, {joint: L2, own: x}]"
    )
    assert "REF001" in codes


def _text(data: dict) -> str:
    blocks = build(data, draft=True).blocks
    return "\n".join(b.text for b in blocks if isinstance(b, (Heading, Para)))


def test_document_states_every_new_element() -> None:
    data = apply_patch(
        base_data(),
        "public_info.follow_up: P1D\n"
        "public_info.channels: [政府网站]\n"
        "public_info.consult: [yi]\n"
        "aftermath.relief: [{by: yi, measures: [受影响群众应急送水]}]\n"
        "aftermath.cost_recovery: 依法向责任企业追偿\n"
        "aftermath.disputes: {procedure: 两县人民政府协商解决, mediator: 共同的上一级人民政府}\n"
        "mutual_aid.compensation.0.payer: liable\n"
        "mutual_aid.compensation.0.advance: {by: jia, recovery: 依法向责任企业追偿}\n"
        "resources.0.held_as: agreement\n"
        "resources.0.supplier: 甲县某活性炭企业\n"
        "resources.0.inventoried_on: 2026-09-30\n"
        "resources.0.co_owners: [yi]\n"
        "notifications.rules.0.sender_rank: head\n"
        "maintenance.training: [{date: 2026-05-20, kind: training, topic: 苯胺应急监测, "
        "participants: [jia, yi]}]\n"
        "links.platforms: [{name: 清水河水质数据共享平台, parties: [jia, yi], data: [交界断面水质数据], "
        "update: PT4H}]",
    )
    text = _text(data)
    for phrase in (
        "信息发布",
        "事件信息由事发地统一对外发布，启动应急响应后5小时内首次发布",
        "调查评估",
        "善后与救助",
        "费用追偿",
        "纠纷调处",
        "由事件责任方承担费用，由甲县先行垫付",
        "协议储备",
        "共建共储",
        "2026年9月30日",
        "主要负责人",
        "培训与宣传教育",
        "清水河水质数据共享平台",
        "预案衔接",
        "《甲县突发环境事件应急预案》",
        "启动一级响应时，甲县启动甲县Ⅰ级应急响应",
    ):
        assert phrase in text, phrase
    for word in ("origin", "liable", "requesting", "RP-jia", "W-red"):
        assert word not in text, word


def test_split_is_stated_by_share_and_by_cost_item() -> None:
    pct = apply_patch(
        base_data(),
        "mutual_aid.compensation.0.payer: shared\n"
        "mutual_aid.compensation.0.split: [{party: jia, percent: 60}, {party: yi, percent: 40}]",
    )
    assert "费用按比例分担，甲县承担60%，乙县承担40%" in _text(pct)
    items = apply_patch(
        base_data(),
        "mutual_aid.compensation.0.payer: shared\n"
        "mutual_aid.compensation.0.split: [{party: requesting, costs: 燃油和运输费用}, "
        "{party: providing, costs: 人员费用}]",
    )
    assert "燃油和运输费用由请求方承担，人员费用由支援方承担" in _text(items)


def test_mediator_and_training_kind_are_not_doubled() -> None:
    """A mediator written "…协调" and a topic ending in 培训 read once, not 协调协调 / 培训培训."""
    data = apply_patch(
        base_data(),
        "aftermath.disputes: {procedure: 两县人民政府协商解决, mediator: 共同的上一级人民政府协调}\n"
        "maintenance.training: [{date: 2026-05-20, kind: training, topic: 苯胺应急监测联合培训, "
        "participants: [jia, yi]}]",
    )
    text = _text(data)
    assert "由共同的上一级人民政府协调。" in text
    assert "联合培训" in text and "培训培训" not in text and "协调协调" not in text
