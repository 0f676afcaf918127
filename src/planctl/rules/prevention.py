"""Prevention and warning carry weight; every party drills; staff are trained.

The survey's "重应急、轻预防": joint plans full of response duties and empty of
risk screening and warning linkage, although floods, snow, fire danger and
river pollution (through monitoring) are seen coming. Which hazards can be seen
coming is data (data/forecastable.yaml). A joint drill that one party skips
tests a plan without it; training (培训) is a duty of its own, apart from drills.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from planctl import durations
from planctl.loader import safe_load
from planctl.rules.base import Context, Problem, rule
from planctl.rules.maintenance import _cycle, _plan_start

#: drill kinds that exercise the plan; a communication test checks the phones only
EXERCISE_KINDS = frozenset({"tabletop", "functional", "full_scale"})


@cache
def forecastable() -> dict[str, dict[str, str]]:
    """Hazards seen coming, with how (data/forecastable.yaml)."""
    raw = (resources.files("planctl") / "data" / "forecastable.yaml").read_text("utf-8")
    hazards: dict[str, dict[str, str]] = safe_load(raw)["hazards"]
    return hazards


RESPONSE_ONLY = rule(
    code="PRE001",
    name="response-heavy-prevention-light",
    severity="warning",
    layer="plan",
    title={"zh": "重应急、轻预防", "en": "Response-heavy, prevention-light"},
    message={
        "zh": "{hazard}可以通过{how}提前发现，但本预案{missing}",
        "en": "{hazard_en} can be seen coming through {how_en}, but the plan {missing_en}",
    },
    hint={
        "zh": "{fix}",
        "en": "{fix_en}",
    },
    why={
        "zh": "调查发现联合预案普遍“重应急、轻预防”，缺少联合风险排查和预警联动。可预报、可监测的事件，"
        "预案应当写明预警分级和预防、预警阶段的联合措施。哪些事件可预报见 data/forecastable.yaml。",
        "en": "The survey found joint plans heavy on response and light on prevention. For hazards "
        "that can be forecast or monitored the plan states warning levels and joint prevention "
        "and warning duties.",
    },
    citation="突发事件应对法 第二十八条（预案规定预防与预警机制）、第六十三条（预警级别）",
    fail="duties.3.phase: response",
    passes="duties.3.phase: warning",
)

MISSED_DRILL = rule(
    code="PRE002",
    name="party-not-drilled",
    severity="warning",
    layer="plan",
    title={"zh": "参与方未参加联合演练", "en": "Party not in any joint drill"},
    message={
        "zh": "“{party}”{last}，按{basis}演练周期 {cycle} 应于 {due} 前参加一次联合演练",
        "en": "'{party}' {last_en}; with the {basis_en} drill cycle of {cycle} it should have "
        "taken part in a joint drill by {due}",
    },
    hint={
        "zh": "组织该方参加联合演练（桌面推演、功能演练或综合演练，通信测试不计），并在 maintenance.drills 的 participants 中记录。",
        "en": "Have it take part in a joint drill (tabletop, functional or full-scale; a "
        "communication test does not count) and list it under participants.",
    },
    why={
        "zh": "有一方缺席的联合演练检验不了这一方的环节（如演练中下游关闸科目因一方缺席未能检验）；每一方在每个"
        "演练周期内至少参加一次。",
        "en": "A joint drill one party skips does not test that party's part; each party takes "
        "part at least once a cycle.",
    },
    citation="突发事件应急预案管理办法（国办发〔2024〕5号）（演练） [待核]",
    fail="maintenance.drills: [{date: 2025-06-18, kind: tabletop, scenario: 甲县化工企业苯胺泄漏入河, "
    "participants: [jia, yi]}, {date: 2026-06-18, kind: full_scale, scenario: 甲县构筑拦截坝, "
    "participants: [jia]}]",
    passes="maintenance.drills: [{date: 2025-06-18, kind: tabletop, scenario: 甲县化工企业苯胺泄漏入河, "
    "participants: [jia, yi]}, {date: 2026-06-18, kind: full_scale, scenario: 甲县构筑拦截坝, "
    "participants: [jia, yi]}]",
)

NO_TRAINING = rule(
    code="PRE003",
    name="training-overdue",
    severity="warning",
    layer="plan",
    title={"zh": "联合培训逾期", "en": "Joint training overdue"},
    message={
        "zh": "{last}，按{basis}培训周期 {cycle} 应于 {due} 前组织一次培训",
        "en": "{last_en}; with the {basis_en} training cycle of {cycle} training was due by {due}",
    },
    hint={
        "zh": "组织值班、监测、处置人员的联合培训，记录在 maintenance.training（kind: training）；"
        "周期可用 maintenance.training_cycle 约定，默认见 planctl.yaml 的 training_cycle_months。",
        "en": "Train duty, monitoring and response staff together and record it under "
        "maintenance.training (kind: training); set maintenance.training_cycle, or "
        "training_cycle_months in planctl.yaml.",
    },
    why={
        "zh": "演练检验预案，培训让人会用预案；二者不能互相替代。应对法要求开展应急培训和宣传教育，"
        "周期在法律中没有统一数字，默认每12个月一次是 planctl 的做法。",
        "en": "Drills test the plan, training teaches people to run it. The law asks for training "
        "and public education; the 12-month default is planctl policy.",
    },
    citation="突发事件应对法 第三十八条、第三十九条、第四十二条（应急培训、宣传教育） [待核]；周期：planctl policy",
    fail="maintenance.training: [{date: 2025-05-20, kind: training, topic: 苯胺泄漏应急监测, "
    "participants: [jia, yi]}]",
    passes="maintenance.training: [{date: 2026-05-20, kind: training, topic: 苯胺泄漏应急监测, "
    "participants: [jia, yi]}]",
)


@RESPONSE_ONLY.check
def check_prevention(ctx: Context) -> Iterator[Problem]:
    data = forecastable()
    hazards = [h for h in ctx.plan.hazards if h in data]
    if not hazards:
        return
    from planctl.model import HAZARDS

    names = "、".join(HAZARDS.get(h, {}).get("event", h) for h in hazards)
    names_en = ", ".join(HAZARDS.get(h, {}).get("en", h) for h in hazards)
    how = "、".join(dict.fromkeys(data[h]["zh"] for h in hazards))
    how_en = ", ".join(dict.fromkeys(data[h]["en"] for h in hazards))
    common = {"hazard": names, "hazard_en": names_en, "how": how, "how_en": how_en}
    phases = {d.get("phase") for d in ctx.plan.duties}
    raw_levels = ctx.doc.data.get("levels") if isinstance(ctx.doc.data, dict) else None
    if not ctx.plan.warnings and not (isinstance(raw_levels, dict) and raw_levels.get("warnings")):
        yield Problem(
            ("levels",),
            {
                **common,
                "missing": "没有预警分级",
                "missing_en": "has no warning levels",
                "fix": "在 levels.warnings 中按红、橙、黄、蓝设置预警级别、发布条件和发布方。",
                "fix_en": "Add red/orange/yellow/blue warning levels under levels.warnings.",
            },
            at="key",
        )
    for phase, zh, en, fix, fix_en in (
        (
            "prevention",
            "没有预防阶段的联合职责（如联合风险排查、隐患通报）",
            "has no prevention-phase duty (joint risk screening, hazard notices)",
            "增加 phase: prevention 的职责，如每年汛前联合排查沿河风险企业并互通清单。",
            "Add a duty with phase: prevention, e.g. joint screening of risk sites each year.",
        ),
        (
            "warning",
            "没有预警阶段的联合职责（如预警信息互通、预置力量）",
            "has no warning-phase duty (sharing warnings, pre-positioning)",
            "增加 phase: warning 的职责，如发布预警后2小时内通报对方并前置应急物资。",
            "Add a duty with phase: warning, e.g. pass warnings on within 2 h and pre-position stock.",
        ),
    ):
        if phase not in phases:
            yield Problem(
                ("duties",),
                {**common, "missing": zh, "missing_en": en, "fix": fix, "fix_en": fix_en},
                at="key",
            )


def _exercises(ctx: Context) -> list[dict[str, Any]]:
    return [
        d
        for d in ctx.plan.maintenance.get("drills", [])
        if d.get("kind") in EXERCISE_KINDS and d.get("date")
    ]


@MISSED_DRILL.check
def check_participation(ctx: Context) -> Iterator[Problem]:
    cycle, basis, _legal = _cycle(ctx, "drill")
    if not cycle:
        return
    today = ctx.options.today
    drills = ctx.plan.maintenance.get("drills", [])
    latest = max((d["date"] for d in drills if d.get("date")), default=None)
    if latest and durations.add_to_date(date.fromisoformat(latest), cycle) < today:
        return  # the whole mechanism is overdue: MNT001 says so once
    start = _plan_start(ctx)
    last_by_party: dict[str, str] = {}
    for d in _exercises(ctx):
        for pid in d.get("participants", []):
            if d["date"] > last_by_party.get(pid, ""):
                last_by_party[pid] = d["date"]
    for i, party in enumerate(ctx.plan.parties):
        pid = party["id"]
        if ctx.plan.is_informed_only(pid):
            continue
        last = last_by_party.get(pid)
        since = last or start
        if not since:
            continue
        due = durations.add_to_date(date.fromisoformat(since), cycle)
        if due >= today:
            continue
        yield Problem(
            ("parties", i, "id"),
            {
                "party": ctx.plan.name(pid),
                "last": f"上次参加联合演练在 {last}" if last else "从未参加联合演练",
                "last_en": f"last took part in a joint drill on {last}"
                if last
                else "never took part in a joint drill",
                "basis": basis["zh"],
                "basis_en": basis["en"],
                "cycle": cycle,
                "due": due.isoformat(),
            },
        )


@NO_TRAINING.check
def check_training(ctx: Context) -> Iterator[Problem]:
    mnt = ctx.plan.maintenance
    own = mnt.get("training_cycle")
    cycle = own or f"P{ctx.options.training_cycle_months}M"
    basis = {"zh": "本预案", "en": "plan's"} if own else {"zh": "默认", "en": "default"}
    records = [
        (i, t["date"])
        for i, t in enumerate(mnt.get("training", []))
        if t.get("kind") == "training" and t.get("date")
    ]
    if records:
        i, last = max(records, key=lambda x: x[1])
        path: tuple[str | int, ...] = ("maintenance", "training", i, "date")
        since, last_zh, last_en = last, f"上次联合培训在 {last}", f"last joint training on {last}"
    else:
        since = _plan_start(ctx)
        if not since:
            return
        path = ("maintenance", "training_cycle") if own else ("maintenance",)
        last_zh, last_en = "没有联合培训记录", "no joint training is recorded"
    due = durations.add_to_date(date.fromisoformat(since), cycle)
    if due < ctx.options.today:
        yield Problem(
            path,
            {
                "last": last_zh,
                "last_en": last_en,
                "basis": basis["zh"],
                "basis_en": basis["en"],
                "cycle": cycle,
                "due": due.isoformat(),
            },
            at="key" if path == ("maintenance",) else "value",
        )
