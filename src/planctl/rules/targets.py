"""Protected targets and notice-before-arrival (保护目标与到达前通报).

Changzhi, January 2013: Handan's water works closed its intake on the
Yuecheng reservoir without being told by the upstream side. The survey's
central failure, in numbers: the downstream owner of an intake must hear of
a spill before the pollutant arrives, with time left to close. For each
place an event can start, the cumulative deadline of the fastest chain of
notification rules to the target's owner, plus the detection delay, plus a
margin, must be shorter than the shortest (high-flow) travel time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from planctl import durations, reach
from planctl.model import Plan
from planctl.rules.base import Context, Problem, rule

#: kinds that take water and must be closed when polluted water arrives
CLOSING_KINDS = ("intake", "water_plant", "irrigation")
#: kinds that supply drinking water and need a backup when closed
DRINKING_KINDS = ("intake", "water_plant")

_KIND_NAMES = {
    "intake": "饮用水取水口",
    "water_plant": "水厂",
    "reservoir": "水库",
    "irrigation": "灌区渠首",
    "backup_source": "备用水源",
    "other": "保护目标",
}

_BASE = (
    "duties.+: {id: D-03, phase: response, lead: yi, within: PT1H,"
    " action: 取水口苯胺浓度超过0.1 mg/L时关闭乙县城区水厂取水口并切换至地下水源井供水}\n"
    "targets: {items: [{id: T-1, name: 乙县城区水厂取水口, kind: intake, owner: yi, area: area-yi,"
    " closure: {threshold: 取水口苯胺超过0.1 mg/L, duty: D-03},"
    " backup: {note: 城区另有地下水源井}, travel: [{from: area-jia, high_flow: PT3H, low_flow: PT10H}]}]}\n"
)

LATE_NOTICE = rule(
    code="TGT001",
    name="notice-after-arrival",
    severity="error",
    layer="plan",
    title={
        "zh": "保护目标管理单位在污染团到达前来不及收到通报",
        "en": "Target owner is not told before the pollutant arrives",
    },
    message={
        "zh": "事件发生在“{area}”时，{target}的管理单位“{owner}”{notice}，加上发现延迟 {delay}、"
        "提前量 {margin}，共 {total}，不短于污染团高水位到达时间 {travel}（{levels}）",
        "en": "when an event starts in '{area}', '{owner}', who runs {target_en}, {notice_en}; with "
        "the detection delay of {delay_en} and the margin of {margin_en} that is {total_en}, not "
        "shorter than the high-flow travel time of {travel_en} ({levels_en})",
    },
    hint={
        "zh": "增加一条从事发区域最先获知方直达“{owner}”、获知即通报的规则，或缩短链条中最慢一环的时限；"
        "到达时间、发现延迟和提前量应为实测或模型估算值，不要为通过检查而改动。",
        "en": "Add a rule, fired on knowledge, straight from the area's first-informed party to "
        "'{owner}', or shorten the slowest step; travel times, detection delay and margin are "
        "measured or modelled values, not knobs to pass the check.",
    },
    why={
        "zh": "长治苯胺事件中，邯郸在正式通报前自行关闭岳城水库取水口——下游是否来得及关闭取水口，取决于通报"
        "是否先于污染团到达。本规则按最短（高水位）到达时间检查：事发区域最先获知方经通报规则链到达管理单位的"
        "累计时限，加发现延迟（targets.detection_delay，默认0）和提前量（targets.notice_margin 或配置"
        " notice_margin，默认1小时），必须短于到达时间。",
        "en": "Changzhi 2013: Handan closed its Yuecheng intake before the official notice. Whether "
        "downstream can close in time depends on the notice beating the pollutant. Against the "
        "shortest (high-flow) travel time, the cumulative deadline of the chain from the area's "
        "first-informed party to the owner, plus the detection delay (targets.detection_delay, "
        "default 0) and the margin (targets.notice_margin or the notice_margin setting, default "
        "1 h), must be shorter.",
    },
    citation="中华人民共和国水污染防治法 第六十九条（跨行政区域的，还应当通报相关地方人民政府）；"
    "到达前留出的提前量为 planctl policy",
    fail=_BASE + "targets.items.0.travel.0.high_flow: PT1H",
    passes=_BASE + "targets.items.0.travel.0.high_flow: PT4H",
)

NO_CLOSURE = rule(
    code="TGT002",
    name="intake-without-closure-duty",
    severity="error",
    layer="plan",
    title={
        "zh": "取水口没有由管理单位牵头的关闭措施",
        "en": "Intake without a closure duty led by its owner",
    },
    message={
        "zh": "{target}“{name}”{problem}",
        "en": "{target_en} '{name}' {problem_en}",
    },
    hint={
        "zh": "在 closure 中写明关闭阈值（threshold）和执行关闭的职责（duty），该职责由管理单位“{owner}”牵头。",
        "en": "State the closure threshold and the duty that closes it under closure; the duty is "
        "led by the owner '{owner}'.",
    },
    why={
        "zh": "通报送到了，取水口也不会自己关闭：每个取水口、水厂和灌区渠首都要有关闭阈值和一项由其管理单位"
        "牵头、写明时限的关闭职责，否则“收到通报后”由谁在多长时间内关闭仍然不清楚。",
        "en": "A notice does not close an intake by itself: each intake, water plant and irrigation "
        "head needs a closure threshold and a closure duty, with a deadline, led by its owner.",
    },
    citation="planctl policy（环应急〔2020〕5号“协同处置”：下游做好取水口保护）",
    fail=_BASE + "targets.items.0.closure.duty: D-01",
    passes=_BASE + "targets.items.0.closure.duty: D-03",
)

NO_BACKUP = rule(
    code="TGT003",
    name="intake-without-backup",
    severity="warning",
    layer="plan",
    title={
        "zh": "取水口没有备用水源或应急供水",
        "en": "Intake without backup source or emergency supply",
    },
    message={
        "zh": "{target}“{name}”关闭后没有备用水源或应急供水：{problem}",
        "en": "{target_en} '{name}' has no backup source or emergency supply once closed: "
        "{problem_en}",
    },
    hint={
        "zh": "在 backup.targets 中列出备用水源（kind: backup_source 的保护目标），或在 backup.resources "
        "中列出送水车、饮用水等应急供水资源。",
        "en": "List backup sources (targets of kind backup_source) in backup.targets, or emergency "
        "supply resources (water tankers, bottled water) in backup.resources.",
    },
    why={
        "zh": "关闭取水口是为了不让污染水进入管网，但居民用水不能中断；单一水源供水城市应当建设应急水源或者"
        "备用水源。长治苯胺事件中邯郸关闭岳城水库取水后切换到地下水源。",
        "en": "Closing an intake keeps polluted water out of the mains, but people still need "
        "water; single-source cities must build an emergency or backup source. In 2013 Handan "
        "switched to its groundwater works.",
    },
    citation="中华人民共和国水污染防治法 第七十条（单一水源供水城市应当建设应急水源或者备用水源）[待核]",
    fail=_BASE + "targets.items.0.backup: <delete>",
    passes=_BASE + "targets.items.0.backup.note: 乙县城区管网另有地下水源井保障",
)

NO_TRAVEL = rule(
    code="TGT004",
    name="travel-time-missing",
    severity="warning",
    layer="plan",
    title={"zh": "缺少污染团到达时间", "en": "Travel time missing"},
    message={
        "zh": "{target}“{name}”没有从上游区域“{area}”起算的到达时间，到达前通报无法检查",
        "en": "{target_en} '{name}' has no travel time from the upstream area '{area}', so the "
        "notice before arrival cannot be checked",
    },
    hint={
        "zh": "在 travel 中增加 {{from: {area_id}, high_flow: …, low_flow: …}}，用实测或水质模型估算的"
        "高水位（最短）和低水位（最长）到达时间。",
        "en": "Add {{from: {area_id}, high_flow: …, low_flow: …}} to travel, with measured or "
        "modelled high-flow (shortest) and low-flow (longest) travel times.",
    },
    why={
        "zh": "到达前通报只能按到达时间检查；上游每个可能的事发区域都要有到达时间，否则恰恰是最远、最容易"
        "被忽视的上游没有被检查。",
        "en": "The notice can only be checked against a travel time; every upstream area an event "
        "can start in needs one, or the farthest upstream goes unchecked.",
    },
    citation="planctl policy",
    fail=_BASE + "targets.items.0.travel: <delete>",
)

BAD_RANGE = rule(
    code="TGT005",
    name="travel-range-reversed",
    severity="error",
    layer="plan",
    title={"zh": "到达时间范围颠倒", "en": "Travel-time range reversed"},
    message={
        "zh": "“{name}”从“{area}”起算的高水位到达时间 {high} 长于低水位到达时间 {low}",
        "en": "'{name}': the high-flow travel time from '{area}' ({high_en}) is longer than the "
        "low-flow one ({low_en})",
    },
    hint={
        "zh": "high_flow 是丰水期、流速最大时的最短到达时间，low_flow 是枯水期的最长到达时间；请对调。",
        "en": "high_flow is the shortest time (fast, high water), low_flow the longest; swap them.",
    },
    why={
        "zh": "到达前通报按最短时间检查；两者颠倒会让检查用上较长的时间，放过来不及的通报。",
        "en": "The notice check uses the shortest time; swapped values let a late notice pass.",
    },
    citation="planctl policy",
    fail=_BASE + "targets.items.0.travel.0.low_flow: PT2H",
    passes=_BASE + "targets.items.0.travel.0.low_flow: PT30H",
)


def _mins(value: Any) -> float | None:
    try:
        return durations.minutes(value) if isinstance(value, str) else None
    except (TypeError, ValueError, KeyError):
        return None


def _kind(target: dict[str, Any]) -> dict[str, str]:
    zh = _KIND_NAMES.get(target.get("kind", ""), "保护目标")
    return {"zh": zh, "en": str(target.get("kind", "target")).replace("_", " ")}


def margin_minutes(plan: Plan, default: float) -> float:
    """The plan's notice margin, else the configured one."""
    own = _mins(plan.targets_section.get("notice_margin"))
    return default if own is None else own


def detection_minutes(plan: Plan) -> float:
    own = _mins(plan.targets_section.get("detection_delay"))
    return 0.0 if own is None else own


def notice_levels(plan: Plan) -> list[tuple[str, str]]:
    """Scenario levels the notice check runs over: every event grade (warnings when none)."""
    levels = plan.scenario_levels()
    grades = [x for x in levels if x[1] == "grade"]
    return grades or levels


def notice_times(
    plan: Plan, area: str, owner: str
) -> list[tuple[reach.Origin, str, str, float | None, reach.Tree | None]]:
    """(origin, hazard, level, minutes to the owner or None, tree) for every origin in ``area``."""
    net = reach.network(plan)
    out: list[tuple[reach.Origin, str, str, float | None, reach.Tree | None]] = []
    for origin in reach.origins(plan):
        if origin.area != area:
            continue
        for hazard in plan.hazards:
            for level, kind in notice_levels(plan):
                if origin.source == owner:
                    out.append((origin, hazard, level, 0.0, None))
                    continue
                tree = net.scenario_tree(hazard, level, kind, origin.source)
                out.append((origin, hazard, level, tree.dist.get(owner), tree))
    return out


def worst_notice(plan: Plan, area: str, owner: str) -> tuple[float | None, list[Any]]:
    """The latest notice to ``owner`` over origins and grades in ``area`` (None: never), and where."""
    worst: float | None = -1.0
    where: list[Any] = []
    for origin, hazard, level, mins, tree in notice_times(plan, area, owner):
        if mins is None:
            if worst is not None:
                worst, where = None, []
            where.append((origin, hazard, level, None))
        elif worst is not None and mins >= worst:
            if mins > worst:
                where = []
            worst = mins
            where.append((origin, hazard, level, tree))
    if worst is not None and worst < 0:
        return 0.0, []
    return worst, where


def _area_names(plan: Plan) -> dict[str, str]:
    return {a["id"]: a.get("name", a["id"]) for a in (plan.geography or {}).get("areas", [])}


def _humanize(mins: float) -> dict[str, str]:
    return {lang: durations.humanize(mins, lang) for lang in ("zh", "en")}


def _chain_text(plan: Plan, tree: reach.Tree | None, owner: str) -> str:
    if tree is None:
        return ""
    chain = tree.chain(owner)
    if chain is None:
        return ""
    parts = [plan.name(chain.hops[0].sender)]
    for hop in chain.hops:
        parts.append(f"—{plan.rules[hop.rule_index]['id']}→ {plan.name(hop.receiver)}")
    return " ".join(parts)


@LATE_NOTICE.check
def check_notice_before_arrival(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    if not plan.geography:
        return
    names = _area_names(plan)
    delay = detection_minutes(plan)
    margin = margin_minutes(plan, ctx.options.notice_margin_minutes)
    level_names = {x["id"]: x["name"] for x in [*plan.grades, *plan.warnings]}
    for i, target in enumerate(plan.targets):
        owner = target.get("owner")
        if owner not in plan.party:
            continue  # REF001
        for j, leg in enumerate(target.get("travel") or []):
            travel = _mins(leg.get("high_flow"))
            area = leg.get("from")
            if travel is None or area not in names:
                continue
            notice, where = worst_notice(plan, area, owner)
            if notice is not None and notice + delay + margin < travel:
                continue
            levels = list(dict.fromkeys(lv for _, _, lv, _ in where))
            tree = next((t for _, _, _, t in where if t is not None), None)
            if notice is None:
                said = {"zh": "收不到任何通报", "en": "is never told"}
                total = {"zh": "无从计算", "en": "beyond any time"}
            else:
                chain = _chain_text(plan, tree, owner)
                said = {
                    "zh": f"最迟 {durations.humanize(notice, 'zh')} 后收到通报"
                    + (f"（{chain}）" if chain else ""),
                    "en": f"hears after {durations.humanize(notice, 'en')} at the latest"
                    + (f" ({chain})" if chain else ""),
                }
                total = _humanize(notice + delay + margin)
            yield Problem(
                ("targets", "items", i, "travel", j, "high_flow"),
                {
                    "area": names[area],
                    "target": f"“{target['name']}”",
                    "target_en": f"'{target['name']}'",
                    "owner": plan.name(owner),
                    "notice": said["zh"],
                    "notice_en": said["en"],
                    "delay": durations.humanize(delay, "zh"),
                    "delay_en": durations.humanize(delay, "en"),
                    "margin": durations.humanize(margin, "zh"),
                    "margin_en": durations.humanize(margin, "en"),
                    "total": total["zh"],
                    "total_en": total["en"],
                    "travel": durations.humanize(travel, "zh"),
                    "travel_en": durations.humanize(travel, "en"),
                    "levels": "、".join(level_names.get(lv, lv) for lv in levels) or "各级",
                    "levels_en": "level " + ", ".join(levels) if levels else "every level",
                },
            )


def _lead_ids(duty: dict[str, Any]) -> list[str]:
    lead = duty.get("lead")
    if isinstance(lead, str):
        return [lead]
    return [x for x in lead if isinstance(x, str)] if isinstance(lead, list) else []


@NO_CLOSURE.check
def check_closure(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    duties = {d["id"]: d for d in plan.duties}
    for i, target in enumerate(plan.targets):
        if target.get("kind") not in CLOSING_KINDS:
            continue
        owner = target.get("owner")
        closure = target.get("closure") or {}
        base = {
            "target": _kind(target)["zh"],
            "target_en": _kind(target)["en"],
            "name": target["name"],
            "owner": plan.name(owner) if isinstance(owner, str) else "",
        }
        duty_id = closure.get("duty")
        if not isinstance(duty_id, str):
            path: tuple[str | int, ...] = ("targets", "items", i)
            path = (*path, "closure") if "closure" in target else (*path, "id")
            yield Problem(
                path,
                base
                | {
                    "problem": "没有写明执行关闭的职责（closure.duty）",
                    "problem_en": "names no duty that closes it (closure.duty)",
                },
                at="key" if "closure" in target else "value",
            )
            continue
        duty = duties.get(duty_id)
        if duty is None:
            continue  # REF001
        leads = _lead_ids(duty)
        if isinstance(owner, str) and leads and owner not in leads:
            yield Problem(
                ("targets", "items", i, "closure", "duty"),
                base
                | {
                    "problem": f"的关闭职责 {duty_id} 由“{'、'.join(plan.name(x) for x in leads)}”牵头，"
                    f"不是管理单位“{plan.name(owner)}”",
                    "problem_en": f"is closed by duty {duty_id}, led by "
                    f"'{', '.join(plan.name(x) for x in leads)}', not by its owner "
                    f"'{plan.name(owner)}'",
                },
            )
        if not isinstance(closure.get("threshold"), str):
            yield Problem(
                ("targets", "items", i, "closure"),
                base
                | {
                    "problem": "没有写明关闭阈值（closure.threshold）",
                    "problem_en": "has no closure threshold (closure.threshold)",
                },
                at="key",
            )


@NO_BACKUP.check
def check_backup(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    kinds = {t["id"]: t.get("kind") for t in plan.targets}
    for i, target in enumerate(plan.targets):
        if target.get("kind") not in DRINKING_KINDS:
            continue
        backup = target.get("backup") or {}
        sources = [x for x in backup.get("targets") or [] if isinstance(x, str)]
        supplies = [x for x in backup.get("resources") or [] if x in plan.resource]
        if supplies or any(kinds.get(x) == "backup_source" for x in sources):
            continue
        if any(x in kinds for x in sources) or isinstance(backup.get("note"), str):
            if isinstance(backup.get("note"), str) and not sources:
                continue  # stated in words: a backup outside the plan's own targets
            problem = {
                "problem": "backup.targets 列出的目标不是备用水源（kind: backup_source）",
                "problem_en": "backup.targets names no backup source (kind: backup_source)",
            }
            path: tuple[str | int, ...] = ("targets", "items", i, "backup", "targets")
        else:
            problem = {
                "problem": "未写明备用水源或应急供水（backup）",
                "problem_en": "none is named (backup)",
            }
            path = ("targets", "items", i, "backup" if "backup" in target else "id")
        yield Problem(
            path,
            {
                "target": _kind(target)["zh"],
                "target_en": _kind(target)["en"],
                "name": target["name"],
            }
            | problem,
            at="key" if path[-1] == "backup" else "value",
        )


@NO_TRAVEL.check
def check_travel_present(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    below = reach.downstream_areas(plan)
    names = _area_names(plan)
    for i, target in enumerate(plan.targets):
        if target.get("kind") == "backup_source":
            continue
        area = target.get("area")
        if area not in names:
            continue
        upstream = [a for a in names if area in below.get(a, ())]
        given = {leg.get("from") for leg in target.get("travel") or []}
        for a in upstream:
            if a in given:
                continue
            yield Problem(
                ("targets", "items", i, "travel" if "travel" in target else "area"),
                {
                    "target": _kind(target)["zh"],
                    "target_en": _kind(target)["en"],
                    "name": target["name"],
                    "area": names[a],
                    "area_id": a,
                },
                at="key" if "travel" in target else "value",
            )


@BAD_RANGE.check
def check_travel_range(ctx: Context) -> Iterator[Problem]:
    names = _area_names(ctx.plan)
    for i, target in enumerate(ctx.plan.targets):
        for j, leg in enumerate(target.get("travel") or []):
            high, low = _mins(leg.get("high_flow")), _mins(leg.get("low_flow"))
            if high is None or low is None or high <= low:
                continue
            yield Problem(
                ("targets", "items", i, "travel", j, "high_flow"),
                {
                    "name": target["name"],
                    "area": names.get(leg.get("from"), leg.get("from")),
                    "high": durations.humanize(high, "zh"),
                    "high_en": durations.humanize(high, "en"),
                    "low": durations.humanize(low, "zh"),
                    "low_en": durations.humanize(low, "en"),
                },
            )
