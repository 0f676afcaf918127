"""The rotating chair (轮值负责制) is computable and complete.

A rotation that starts after the plan takes effect, leaves a member out, or is
named as lead where no chair exists fails silently on paper: on the day, nobody
convenes. The chair for any date comes from planctl.rotation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from planctl import rotation
from planctl.model import Plan
from planctl.rules.base import Context, Problem, rule

ROTATION_GAP = rule(
    code="ROT001",
    name="rotation-does-not-cover",
    severity="error",
    layer="plan",
    title={"zh": "轮值安排未覆盖有效期", "en": "Rotation does not cover the plan's validity"},
    message={
        "zh": "轮值安排无法确定{when}的召集方：{reason}",
        "en": "the rotation gives no chair for {when_en}: {reason}",
    },
    hint={
        "zh": "把 rotation.start 设为不晚于施行日（省略则自施行日起算），cycle 写成至少一天的周期，"
        "如 P1Y，order 至少列一方。",
        "en": "Start the rotation no later than the effective date (omit start to use it), use a "
        "cycle of at least a day such as P1Y, and list at least one party in order.",
    },
    why={
        "zh": "轮值负责制下，召集会商、发布启动决定往往由当年轮值方负责；轮值表有空档，"
        "事发时就没有人召集。",
        "en": "Under a rotating chair the chair convenes consultations and announces decisions; a "
        "gap in the schedule means nobody convenes on the day.",
    },
    citation="planctl policy",
    fail="command.body.rotation: {cycle: P1Y, order: [jia, yi], start: 2027-01-01}",
    passes="command.body.rotation: {cycle: P1Y, order: [jia, yi], start: 2026-01-01}",
)

ROTATION_MEMBERS = rule(
    code="ROT002",
    name="rotation-order-incomplete",
    severity="error",
    layer="plan",
    title={"zh": "轮值顺序与成员不符", "en": "Rotation order does not match the members"},
    message={
        "zh": "轮值顺序{reason}",
        "en": "the rotation order {reason}",
    },
    hint={
        "zh": "rotation.order 中每个成员方（或代表其所在地区的一方）恰好出现一次，且都是联席机构成员。",
        "en": "List each member (or one party for its region) exactly once in rotation.order, "
        "and only members of the body.",
    },
    why={
        "zh": "漏掉的一方永远轮不到召集，重复的一方多轮一次，都会让轮值表与协议不符。",
        "en": "A member left out never chairs, one listed twice chairs twice: the schedule no "
        "longer matches the agreement.",
    },
    citation="planctl policy",
    fail="command.body.rotation: {cycle: P1Y, order: [jia], start: 2026-01-01}",
    passes="command.body.rotation: {cycle: P1Y, order: [jia, yi], start: 2026-01-01}",
)

CHAIR_UNRESOLVED = rule(
    code="ROT003",
    name="chair-unresolved",
    severity="error",
    layer="plan",
    title={"zh": "“轮值召集方”无从确定", "en": "'The chair' does not resolve"},
    message={
        "zh": "此处由轮值召集方承担（by: chair），但{reason}",
        "en": "this is given to the chair (by: chair), but {reason}",
    },
    hint={
        "zh": "在 command.body 中写明 chair（固定召集方）或 rotation（轮值安排），并覆盖本预案有效期。",
        "en": "Give command.body a chair or a rotation that covers the plan's validity.",
    },
    why={
        "zh": "交给“轮值召集方”的职责，只有在任何一天都能算出召集方时才有人承担。",
        "en": "A task given to 'the chair' is done only if the chair can be told on any day.",
    },
    citation="planctl policy",
    fail="command.body.chair: <delete>\ncommand.levels.0.lead: {by: chair}",
    passes="command.levels.0.lead: {by: chair}",
)

NO_CHAIR = rule(
    code="ROT004",
    name="no-chair",
    severity="warning",
    layer="plan",
    title={"zh": "联席机构没有召集方", "en": "Joint body without a chair"},
    message={
        "zh": "{body}既没有召集方（chair），也没有轮值安排（rotation）",
        "en": "{body} has neither a chair nor a rotation",
    },
    hint={
        "zh": "在 command.body 中写明 chair，或用 rotation 写明轮值顺序、周期和起始日。",
        "en": "Name a chair in command.body, or a rotation with order, cycle and start.",
    },
    why={
        "zh": "没有召集方的联席会议无人召集，联防联控机制停留在纸面。",
        "en": "A joint body that nobody convenes never meets: the mechanism stays on paper.",
    },
    citation="planctl policy",
    fail="command.body.chair: <delete>",
    passes="command.body.chair: jia",
)


def _reason_zh_en(plan: Plan) -> tuple[str, str] | None:
    """Why no chair can be computed at all, or None when the rotation is computable."""
    rot = rotation.rotation(plan)
    if rot is None:
        return None
    if not rotation.order(plan):
        return "轮值顺序为空", "the order is empty"
    if rotation.cycle(plan) is None:
        return "轮值周期短于一天或无法识别", "the cycle is shorter than a day or unreadable"
    if rotation.start(plan) is None:
        return (
            "没有起始日期（rotation.start），施行日也未写明",
            "it has no start date and the plan no effective date",
        )
    return None


@ROTATION_GAP.check
def check_coverage(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    if rotation.rotation(plan) is None:
        return
    broken = _reason_zh_en(plan)
    path = ("command", "body", "rotation")
    if broken:
        yield Problem(
            path,
            {
                "when": "任何一天",
                "when_en": "any day",
                "reason": {"zh": broken[0], "en": broken[1]},
            },
        )
        return
    first = rotation.start(plan)
    assert first is not None
    start_path = (*path, "start") if "start" in (rotation.rotation(plan) or {}) else path
    begin, end, today = plan.valid_from, plan.valid_until, ctx.options.today
    days = []
    if begin:
        days.append(("施行日", "the effective date", begin))
    if (begin is None or begin <= today) and (end is None or today <= end):
        days.append(("今天", "today", today))
    for zh, en, day in days:
        if day < first:
            yield Problem(
                start_path,
                {
                    "when": f"{zh}（{day.isoformat()}）",
                    "when_en": f"{en} ({day.isoformat()})",
                    "reason": {
                        "zh": f"轮值自 {first.isoformat()} 才开始",
                        "en": f"the rotation starts only on {first.isoformat()}",
                    },
                },
            )
            return


def _region(plan: Plan, pid: str) -> str | None:
    """The party's ``region``, or its parent's (湖南省株洲市 for a county under 株洲)."""
    seen: set[str] = set()
    cur: str | None = pid
    while cur and cur not in seen and cur in plan.party:
        seen.add(cur)
        region = plan.party[cur].get("region")
        if isinstance(region, str) and region:
            return region
        parent = plan.party[cur].get("parent")
        cur = parent if isinstance(parent, str) else None
    return None


#: the province or municipality a name starts with (湖南省交通运输厅 → 湖南省)
_PLACE = re.compile(r"^(.{2,8}?(?:省|自治区|特别行政区)|北京市|天津市|上海市|重庆市)")


def _place(plan: Plan, pid: str) -> str | None:
    m = _PLACE.match((plan.party.get(pid) or {}).get("name", ""))
    return m.group(1) if m else None


def _ancestors(plan: Plan, pid: str) -> set[str]:
    out: set[str] = set()
    cur = (plan.party.get(pid) or {}).get("parent")
    while isinstance(cur, str) and cur in plan.party and cur not in out:
        out.add(cur)
        cur = plan.party[cur].get("parent")
    return out


def _represents(plan: Plan, chair: str, member: str) -> bool:
    """Does a party in the order take the turn for ``member``?

    Itself or its superior (``parent``); a party of the same area or of the
    same province by name (湖南省交通运输厅 for 湖南省公安厅); or a party whose
    region contains the member's (湖南省 takes the turn for 湖南省株洲市).
    """
    if chair == member or chair in _ancestors(plan, member):
        return True
    place = _place(plan, chair)
    if place and place == _place(plan, member):
        return True
    if any(
        chair in a.get("parties", []) and member in a.get("parties", []) for a in plan.area.values()
    ):
        return True
    outer, inner = _region(plan, chair), _region(plan, member)
    return bool(outer and inner and inner.startswith(outer))


@ROTATION_MEMBERS.check
def check_members(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    rot = rotation.rotation(plan)
    if rot is None:
        return
    body = plan.command.get("body") or {}
    members = [m for m in body.get("members", []) if isinstance(m, str)]
    order = rot.get("order", [])
    path = ("command", "body", "rotation", "order")
    seen: set[str] = set()
    for j, pid in enumerate(order):
        if not isinstance(pid, str):
            continue
        if pid in seen:
            yield Problem(
                (*path, j),
                {
                    "reason": {
                        "zh": f"中“{plan.name(pid)}”出现不止一次",
                        "en": f"lists '{plan.name(pid)}' more than once",
                    },
                },
            )
        elif members and pid not in members and pid in plan.party:
            yield Problem(
                (*path, j),
                {
                    "reason": {
                        "zh": f"中的“{plan.name(pid)}”不是联席机构成员",
                        "en": f"names '{plan.name(pid)}', which is not a member of the body",
                    },
                },
            )
        seen.add(pid)
    missing = []
    for pid in members:
        if pid not in plan.party or plan.is_informed_only(pid):
            continue
        if plan.party_info[pid].kind in ("basin_agency", "agency"):
            continue  # a basin or vertical agency serves every region; it does not take a turn
        if not any(_represents(plan, chair, pid) for chair in seen if chair in plan.party):
            missing.append(plan.name(pid))
    if missing:
        yield Problem(
            path,
            {
                "reason": {
                    "zh": f"漏掉了成员方{'、'.join(missing)}（其所在地区也无一方轮值）",
                    "en": f"leaves out {', '.join(missing)} (nobody of its region takes a turn)",
                },
            },
        )


@CHAIR_UNRESOLVED.check
def check_chair_refs(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    body = plan.command.get("body") or {}
    has_rotation = rotation.rotation(plan) is not None
    for path, spec in plan.lead_slots():
        if not (isinstance(spec, dict) and spec.get("by") == "chair"):
            continue
        if not has_rotation and not body.get("chair"):
            reason = {
                "zh": "联席机构既没有召集方也没有轮值安排",
                "en": "the joint body has neither a chair nor a rotation",
            }
        elif has_rotation and _reason_zh_en(plan):
            broken = _reason_zh_en(plan)
            assert broken
            reason = {"zh": f"轮值安排{broken[0]}", "en": f"the rotation: {broken[1]}"}
        else:
            continue
        yield Problem(path, {"reason": reason})


@NO_CHAIR.check
def check_no_chair(ctx: Context) -> Iterator[Problem]:
    body = ctx.plan.command.get("body") or {}
    if body and not body.get("chair") and not body.get("rotation"):
        yield Problem(("command", "body"), {"body": body.get("name", "联席机构")}, at="key")
