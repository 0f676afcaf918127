"""Lead by origin, the rotating chair and their rules, on the example base plan."""

from __future__ import annotations

from datetime import date

from planctl import reach, rotation
from planctl.check import validate
from planctl.examples import apply_patch, base_data, base_text
from planctl.loader import load_text
from planctl.model import Plan

TODAY = date(2026, 11, 28)


def _plan(patch: str = "") -> Plan:
    return Plan(apply_patch(base_data(), patch) if patch else base_data())


def _codes(patch: str, today: date = TODAY) -> list[str]:
    import yaml

    data = apply_patch(base_data(), patch)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return [f.code for f in validate(load_text(text), today=today)]


ROT = "command.body.rotation: {cycle: P1Y, order: [jia, yi], start: 2026-01-01}"


# -- rotation library -------------------------------------------------------------
def test_chair_for_any_date() -> None:
    plan = _plan(ROT)
    assert rotation.chair_on(plan, date(2026, 1, 1)) == "jia"
    assert rotation.chair_on(plan, date(2026, 12, 31)) == "jia"
    assert rotation.chair_on(plan, date(2027, 1, 1)) == "yi"
    assert rotation.chair_on(plan, date(2030, 6, 1)) == "jia"
    assert rotation.chair_on(plan, date(2025, 12, 31)) is None


def test_fixed_chair_when_nothing_rotates() -> None:
    assert rotation.chair_on(_plan(), date(2030, 1, 1)) == "jia"


def test_schedule_runs_over_the_validity_from_the_plans_dates() -> None:
    terms = rotation.schedule(_plan(ROT))
    assert [(t.start.year, t.chair) for t in terms] == [
        (2026, "jia"),
        (2027, "yi"),
        (2028, "jia"),
        (2029, "yi"),
    ]
    assert terms[-1].end == date(2029, 12, 31)  # valid_until 2029-03-02 falls in it


def test_month_end_start_does_not_drift() -> None:
    plan = _plan("command.body.rotation: {cycle: P1M, order: [jia, yi], start: 2026-01-31}")
    starts = [t.start for t in rotation.terms(plan, date(2026, 5, 1))]
    assert starts[:4] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


def test_start_defaults_to_effective_date() -> None:
    plan = _plan("command.body.rotation: {cycle: P1Y, order: [yi, jia]}")
    assert rotation.start(plan) == date(2026, 3, 2)
    assert rotation.chair_on(plan, date(2027, 3, 1)) == "yi"
    assert rotation.chair_on(plan, date(2027, 3, 2)) == "jia"


def test_hostile_cycles_do_not_hang_or_crash() -> None:
    daily = _plan("command.body.rotation: {cycle: P1D, order: [jia, yi], start: 2026-01-01}")
    assert len(rotation.schedule(daily)) == rotation.MAX_TERMS
    huge = _plan("command.body.rotation: {cycle: P999999Y, order: [jia, yi], start: 2026-01-01}")
    assert rotation.chair_on(huge, date(9000, 1, 1)) == "jia"
    hourly = _plan("command.body.rotation: {cycle: PT1H, order: [jia, yi], start: 2026-01-01}")
    assert rotation.schedule(hourly) == []
    assert "ROT001" in _codes("command.body.rotation: {cycle: PT1H, order: [jia, yi]}")


# -- rotation rules -------------------------------------------------------------
def test_rotation_rules_quiet_on_a_good_rotation() -> None:
    assert not {c for c in _codes(ROT) if c.startswith("ROT")}


def test_rotation_starting_late_or_in_the_future() -> None:
    late = "command.body.rotation: {cycle: P1Y, order: [jia, yi], start: 2026-06-01}"
    assert "ROT001" in _codes(late)  # after the effective date 2026-03-02


def test_rotation_duplicate_and_outsider() -> None:
    dup = "command.body.rotation: {cycle: P1Y, order: [jia, yi, jia], start: 2026-01-01}"
    assert _codes(dup) == ["SCH004"]  # refs are unique: the schema already says so
    patch = (
        "command.body.members: [jia]\n"
        "command.body.rotation: {cycle: P1Y, order: [jia, yi], start: 2026-01-01}"
    )
    assert "ROT002" in _codes(patch)


def test_a_region_takes_its_turn_through_one_party() -> None:
    # a county department is represented by its province's party in the order
    patch = (
        "parties.0.region: 某省甲县\nparties.1.region: 某省乙县\n"
        "parties.+: {id: prov, name: 某省应急管理厅, level: department, region: 某省, "
        "roles: [observer], contacts: [{kind: office, channel: phone, value: 0351-1}]}\n"
        "command.body.rotation: {cycle: P1Y, order: [jia, yi], start: 2026-01-01}"
    )
    assert "ROT002" not in _codes(patch)


def test_chair_given_work_resolves_through_the_rotation() -> None:
    patch = ROT + "\ncommand.body.chair: <delete>\ncommand.levels.1.lead: {by: chair}"
    codes = _codes(patch)
    assert "ROT003" not in codes and "ROT004" not in codes
    plan = _plan(patch)
    assert plan.resolve_lead({"by": "chair"}, day=date(2027, 5, 1)) == "yi"


# -- lead by origin -------------------------------------------------------------
def test_lead_by_origin_resolves_per_area() -> None:
    plan = _plan()
    spec = {"by": "origin"}
    assert plan.resolve_lead(spec, "area-jia") == "jia"
    assert plan.resolve_lead(spec, "area-yi") == "yi"
    named = {"by": "origin", "areas": {"area-yi": "jia"}}
    assert plan.resolve_lead(named, "area-yi") == "jia"
    assert plan.lead_parties(named) == ["jia"]


def test_area_with_two_parties_needs_a_named_lead() -> None:
    patch = "geography.areas.0.parties: [jia, yi]\ncommand.levels.0.lead: {by: origin}"
    assert "CMD004" in _codes(patch)
    fixed = patch.replace("{by: origin}", "{by: origin, areas: {area-jia: jia}}")
    assert "CMD004" not in _codes(fixed)


def test_the_lead_for_an_origin_must_hear_of_it() -> None:
    # upstream jia leads for an event downstream, but nothing tells jia of it
    patch = (
        "command.levels.0.lead: {by: origin, areas: {area-yi: jia}}\n"
        "notifications.rules.1: <delete>"
    )
    plan = _plan(patch)
    down = [o for o in reach.origins(plan) if o.area == "area-yi"]
    assert down and all("jia" in o.affected for o in down)
    assert "NOT001" in _codes(patch)
    assert "NOT001" not in _codes("command.levels.0.lead: {by: origin, areas: {area-yi: jia}}")


def test_base_plan_and_lead_patches_stay_schema_valid() -> None:
    assert validate(load_text(base_text()), today=TODAY) == []
    for spec in ("{by: origin}", "{by: chair}", "{by: origin, areas: {area-jia: yi}}"):
        codes = _codes(f"duties.0.lead: {spec}\ncommand.groups.0.lead: {spec}")
        assert not [c for c in codes if c.startswith("SCH")], (spec, codes)


# -- activation by request and consultation -------------------------------------
ACT = (
    "command.activation: [{levels: [L1], requested_by: [jia, yi], request_to: {by: chair}, "
    "deciders: [jia, yi], agree: all, consult_within: PT1H, "
    "fallback: {lead: {by: origin}, action: 先行启动二级响应并报共同上级人民政府}, announce: {by: chair}}]"
)


def test_a_complete_activation_is_clean() -> None:
    assert _codes(ACT) == []


def test_any_n_cannot_exceed_the_deciders() -> None:
    assert "ACT001" in _codes(ACT.replace("agree: all", "agree: 3"))
    assert "ACT001" not in _codes(ACT.replace("agree: all", "agree: 1"))


def test_a_named_body_may_decide_alone() -> None:
    patch = ACT.replace("deciders: [jia, yi], agree: all, ", "decided_by: jia, ")
    assert _codes(patch) == []


def test_request_path_counts_chained_rules() -> None:
    # yi → jia takes 30 minutes: a 20-minute request deadline cannot be met
    patch = ACT.replace("consult_within: PT1H", "consult_within: PT1H, request_within: PT20M")
    assert "ACT004" in _codes(patch)
    gone = ACT + "\nnotifications.rules.1: <delete>"
    assert "ACT004" in _codes(gone)


def test_activation_is_rendered_as_prose() -> None:
    from planctl.render.chapters import Writer, response

    w = Writer(_plan(ACT + "\n" + ROT), {})
    response(w)
    text = "".join(getattr(b, "text", "") for b in w.blocks)
    assert "启动程序" in text
    assert "可向轮值召集方提出联动需求" in text
    assert "经各方一致同意后启动，会商或决定应在提出需求后1小时内完成" in text
    assert "逾期未能议定的，由事发地一方先行启动二级响应并报共同上级人民政府。" in text
    assert "启动决定由轮值召集方发布并通知各方。" in text


def test_command_chapter_states_origin_leads_and_the_schedule() -> None:
    from planctl.render.blocks import Table
    from planctl.render.chapters import Writer, command

    patch = ROT + "\ncommand.levels.0.lead: {by: origin, areas: {area-yi: jia}}"
    w = Writer(_plan(patch), {})
    command(w)
    text = "".join(getattr(b, "text", "") for b in w.blocks)
    assert "由事发地一方牵头" in text
    assert "事发在甲县的，由甲县" in text and "事发在乙县的，由甲县" in text
    assert "2026年由甲县" in text and "担任轮值召集方" in text
    tables = [b for b in w.blocks if isinstance(b, Table)]
    assert tables and tables[0].rows == [
        ["2026年", "甲县"],
        ["2027年", "乙县"],
        ["2028年", "甲县"],
        ["2029年", "乙县"],
    ]


# -- parties of other kinds -------------------------------------------------------
HOP = (
    "parties.0.name: 甲县生态环境局\nnotifications.rules.0.kind: report\n"
    "notifications.rules.0.within: PT3H\nnotifications.limits.0.within: PT4H"
)


def test_mainland_hop_limit_binds_a_mainland_sender_only() -> None:
    assert "NOT003" in _codes(HOP)
    outside = _codes(HOP + "\nparties.0.jurisdiction: sar")
    assert "NOT003" not in outside and "PTY003" not in outside
    assert "NOT003" not in _codes(HOP + "\nparties.0.legal_profile: none")


def test_plan_limit_still_binds_a_party_outside_mainland() -> None:
    slow = "parties.1.jurisdiction: foreign\nnotifications.rules.0.within: PT2H"
    assert "NOT002" in _codes(slow)  # the plan's own 1-hour limit applies
    assert "PTY003" in _codes("parties.1.jurisdiction: foreign\nnotifications.limits: <delete>")


def test_observer_needs_no_duty_or_signature_and_leads_no_response() -> None:
    observer = (
        "parties.+: {id: basin, name: 海河水利委员会, level: agency, roles: [observer], "
        "contacts: [{kind: office, channel: phone, value: 022-24103000}]}\n"
        "notifications.rules.0.to: [yi, basin]\n"
        "notifications.rules.2.to: [yi, basin]"  # told of the stand-down as well
    )
    codes = _codes(observer)
    # it is told, so it needs a 24-hour line (CON001/003), but no duty, no signatory
    assert set(codes) <= {"CON001", "CON003"}, codes
    plan = _plan(observer)
    assert plan.party_info["basin"].kind == "basin_agency"
    assert plan.is_informed_only("basin") and plan.signing_parties()[-1]["id"] == "yi"
    # an observer may coordinate a technical duty, not lead a response level
    assert "PTY001" not in _codes(observer + "\nduties.1.lead: basin")
    informed = observer.replace("roles: [observer]", "roles: [informed]")
    assert "PTY001" in _codes(informed + "\nduties.1.lead: basin")
    assert "PTY001" in _codes(
        observer + "\ncommand.levels.0.lead: {by: origin, areas: {area-jia: basin}}"
    )


def test_enterprise_may_take_part_but_not_decide() -> None:
    patch = (
        "parties.1.name: 乙县清水河水务有限公司\nparties.1.level: enterprise\n"
        "parties.1.signatory: {organ: 乙县清水河水务有限公司, title: 董事长}\n" + ACT
    )
    plan = _plan(patch)
    assert plan.party_info["yi"].kind == "enterprise"
    assert "ACT002" in _codes(patch)


def test_draft_placeholders_in_the_new_fields_render() -> None:
    from planctl.render.chapters import Writer, command, response

    patch = (
        "command.levels.0.lead: {by: 【待填：牵头方式】}\n"
        "command.body.rotation: {cycle: 【待填：周期】, order: [jia, yi], start: 【待填：起始日】}\n"
        "command.activation: [{deciders: [jia, yi], agree: 【待填】, consult_within: 【待填：时限】, "
        "announce: {by: chair}}]"
    )
    w = Writer(_plan(patch), {})
    command(w)
    response(w)
    text = "".join(getattr(b, "text", "") for b in w.blocks)
    assert "由【待填：牵头方式】牵头" in text
    assert "会商或决定应在提出需求后【待填：时限】内完成" in text


def test_without_geography_each_signing_party_is_an_origin() -> None:
    patch = (
        "geography: <delete>\ncommand.levels.0.lead: {by: origin}\n"
        "parties.+: {id: basin, name: 海河水利委员会, level: agency, roles: [observer], "
        "contacts: [{kind: office, channel: phone, value: 022-24103000}]}"
    )
    plan = _plan(patch)
    assert plan.origin_keys() == ["jia", "yi"]
    assert plan.resolve_lead({"by": "origin"}, "yi") == "yi"
    assert "CMD004" not in _codes(patch)


def test_request_rule_states_its_answer_deadline() -> None:
    from planctl.render.chapters import Writer, notification

    patch = (
        "notifications.rules.+: {id: N-req, kind: request, from: yi, to: [jia], "
        "channels: [phone], within: PT30M, answer_within: PT1H, acknowledge: {within: PT15M}}"
    )
    w = Writer(_plan(patch), {})
    notification(w)
    text = "".join(getattr(b, "text", "") for b in w.blocks)
    assert "，被请求方应在1小时内答复" in text


def test_a_department_takes_its_turn_through_its_province_or_superior() -> None:
    import yaml

    data = apply_patch(base_data(), "geography: <delete>")
    data["parties"][0]["name"] = "湖南省应急管理厅"
    data["parties"][1]["name"] = "江西省应急管理厅"
    extra = [
        {"id": "jia-police", "name": "湖南省公安厅", "level": "department"},
        {"id": "yi-city", "name": "吉安市人民政府", "level": "city", "parent": "yi"},
        {"id": "other", "name": "株洲市人民政府", "level": "city"},
    ]
    for p in extra:
        p.update(
            signatory={"organ": p["name"], "title": "负责人"},
            contacts=data["parties"][0]["contacts"],
        )
        data["parties"].append(p)
    body = data["command"]["body"]
    body["members"] = ["jia", "yi", "jia-police", "yi-city", "other"]
    body["rotation"] = {"cycle": "P1Y", "order": ["jia", "yi"], "start": "2026-01-01"}
    plan = Plan(data)
    from planctl.rules.rotation import _represents

    assert _represents(plan, "jia", "jia-police") and _represents(plan, "yi", "yi-city")
    assert not any(_represents(plan, c, "other") for c in ("jia", "yi"))
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    findings = [f for f in validate(load_text(text), today=TODAY) if f.code == "ROT002"]
    assert len(findings) == 1 and "株洲市" in findings[0].text("zh")
