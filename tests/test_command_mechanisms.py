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
