"""Drills, reviews and corrective actions, relative to ``--today``.

Plans that are never drilled are the "for show" plans the survey found. The
legal cycles come from the profile (data, with citations), per hazard: a
multi-hazard plan is held to the strictest cycle among its hazards, and only
cycles that bind the kind of party that signs a joint plan are enforced (an
enterprise's six-month cycle binds its own plan). The plan's own cycle may be
shorter, and the stricter one applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from planctl import durations, workdays
from planctl.profiles import VERIFY, Cycle, strictest_cycle
from planctl.rules.base import Context, Problem, rule

DRILL_OVERDUE = rule(
    code="MNT001",
    name="drill-overdue",
    severity="error",
    layer="plan",
    title={"zh": "联合演练逾期", "en": "Joint drill overdue"},
    message={
        "zh": "联合演练已逾期：上次 {last}，按{basis}周期 {cycle}{verify} 应于 {due} 前再次演练",
        "en": "joint drill overdue: last on {last}; the {basis_en} cycle of {cycle}{verify_en} made "
        "the next due by {due}",
    },
    hint={
        "zh": "组织一次联合演练并在 maintenance.drills 中记录日期、形式、参与方和发现的问题。",
        "en": "Hold a joint drill and record it under maintenance.drills.",
    },
    why={
        "zh": "不演练的预案在实战中往往无人熟悉、无法执行。演练周期按事件类型取法定配置中最严格的一项"
        "（如生产安全事故应急条例第八条：政府及部门至少每2年一次），本预案约定更短的以本预案为准。",
        "en": "A plan never drilled is a plan nobody can run. The cycle is the strictest the legal "
        "profile sets for the plan's hazards (production safety: every 2 years for governments "
        "and departments), or the plan's own when shorter.",
    },
    fail="maintenance.drills.0.date: 2023-05-10",
    passes="maintenance.drills.0.date: 2026-06-18",
)

REVIEW_OVERDUE = rule(
    code="MNT002",
    name="review-overdue",
    severity="error",
    layer="plan",
    title={"zh": "预案评估逾期", "en": "Plan review overdue"},
    message={
        "zh": "预案评估已逾期：应于 {due} 前完成评估（{basis}）",
        "en": "plan review overdue: it was due by {due} ({basis_en})",
    },
    hint={
        "zh": "组织评估，记录在 maintenance.reviews，并更新 metadata.review_due。",
        "en": "Review the plan, record it under maintenance.reviews and update metadata.review_due.",
    },
    why={
        "zh": "法律、机构、风险和资源都会变化；过期未评估的预案可能指向已不存在的机构和电话。",
        "en": "Laws, bodies, risks and resources change; an unreviewed plan points at people who left.",
    },
    fail="metadata.review_due: 2025-12-31",
    passes="metadata.review_due: 2029-03-02",
)

ACTION_OVERDUE = rule(
    code="MNT003",
    name="corrective-action-overdue",
    severity="warning",
    layer="plan",
    title={"zh": "演练整改事项逾期未完成", "en": "Drill corrective action overdue"},
    message={
        "zh": "演练整改事项“{action}”应于 {due} 前完成，尚未标记完成",
        "en": "corrective action '{action}' was due by {due} and is not marked done",
    },
    hint={
        "zh": "完成后设置 done: true，或调整期限并说明原因。",
        "en": "Set done: true once finished, or move the date with a reason.",
    },
    why={
        "zh": "演练发现的问题不整改，演练就只是走过场。",
        "en": "A drill whose findings are never fixed was only a show.",
    },
    fail="maintenance.drills.0.actions: [{action: 更新乙县值班电话, owner: yi, due: 2026-07-31}]",
    passes="maintenance.drills.0.actions: "
    "[{action: 更新乙县值班电话, owner: yi, due: 2026-07-31, done: true}]",
)


def legal_cycle(ctx: Context, kind: str) -> Cycle | None:
    """The strictest enforced legal cycle among the plan's hazards and signing parties."""
    signers = [
        info
        for pid, info in ctx.plan.party_info.items()
        if not ctx.plan.is_informed_only(pid) and not ctx.plan.outside_mainland(pid)
    ]
    return strictest_cycle(ctx.profile, kind, ctx.plan.hazards, signers)


def _cycle(ctx: Context, kind: str) -> tuple[str | None, dict[str, str], Cycle | None]:
    """The stricter of the plan's cycle and the legal one, and where it comes from."""
    own = ctx.plan.maintenance.get(f"{kind}_cycle")
    legal = legal_cycle(ctx, kind)
    if legal and (not own or legal.minutes < durations.minutes(own)):
        return legal.within, {"zh": "法定", "en": "legal"}, legal
    return own, {"zh": "本预案", "en": "plan's"}, None


def _plan_start(ctx: Context) -> str | None:
    meta = ctx.plan.metadata
    eff = meta.get("effective")
    return eff if eff and eff != "on issue" else meta.get("issued")


@DRILL_OVERDUE.check
def check_drills(ctx: Context) -> Iterator[Problem]:
    cycle, basis, legal = _cycle(ctx, "drill")
    if not cycle:
        return
    drills = ctx.plan.maintenance.get("drills", [])
    if drills:
        i, last = max(enumerate(d["date"] for d in drills), key=lambda x: x[1])
        path: tuple[str | int, ...] = ("maintenance", "drills", i, "date")
    else:
        last = _plan_start(ctx)
        path = ("maintenance", "drill_cycle")
        if not last:
            return
    due = durations.add_to_date(date.fromisoformat(last), cycle)
    if due < ctx.options.today:
        yield Problem(
            path,
            {
                "last": last,
                "basis": basis["zh"],
                "basis_en": basis["en"],
                "cycle": cycle,
                "verify": f" {VERIFY['zh']}" if legal and legal.verify else "",
                "verify_en": f" {VERIFY['en']}" if legal and legal.verify else "",
                "due": due.isoformat(),
            },
            citation=legal.cited if legal else None,
        )


@REVIEW_OVERDUE.check
def check_review(ctx: Context) -> Iterator[Problem]:
    meta = ctx.plan.metadata
    today = ctx.options.today
    if meta.get("review_due"):
        due = date.fromisoformat(meta["review_due"])
        if due < today:
            yield Problem(
                ("metadata", "review_due"),
                {
                    "due": due.isoformat(),
                    "basis": "metadata.review_due",
                    "basis_en": "metadata.review_due",
                },
            )
            return
    cycle, basis, legal = _cycle(ctx, "review")
    reviews = ctx.plan.maintenance.get("reviews", [])
    last = max((r["date"] for r in reviews), default=None) or _plan_start(ctx)
    if not cycle or not last:
        return
    due = durations.add_to_date(date.fromisoformat(last), cycle)
    if due < today:
        yield Problem(
            ("maintenance", "review_cycle"),
            {
                "due": due.isoformat(),
                "basis": f"{basis['zh']}评估周期 {cycle}"
                + (f" {VERIFY['zh']}" if legal and legal.verify else ""),
                "basis_en": f"{basis['en']} review cycle {cycle}"
                + (f" {VERIFY['en']}" if legal and legal.verify else ""),
            },
            citation=legal.cited if legal else None,
        )


@ACTION_OVERDUE.check
def check_actions(ctx: Context) -> Iterator[Problem]:
    for i, drill in enumerate(ctx.plan.maintenance.get("drills", [])):
        for j, action in enumerate(drill.get("actions", [])):
            if not action.get("done") and date.fromisoformat(action["due"]) < ctx.options.today:
                yield Problem(
                    ("maintenance", "drills", i, "actions", j, "due"),
                    {"action": action["action"], "due": action["due"]},
                )


FILING_LATE = rule(
    code="MNT004",
    name="filing-late",
    severity="warning",
    layer="plan",
    title={"zh": "预案备案超过时限", "en": "Plan filed late"},
    message={
        "zh": "向“{to}”备案的日期 {date} 晚于印发（{issued}）后 {days} 个工作日的期限 {due}{approx}",
        "en": "filing with '{to}' on {date} is after the deadline of {days} working days from "
        "issue ({issued}), {due}{approx_en}",
    },
    hint={
        "zh": "核对备案日期；如确属逾期，在备案说明中写明原因。工作日按节假日安排（data/holidays.yaml）计算。",
        "en": "Check the filing date; if it was late, say why. Working days follow the holiday "
        "calendar in data/holidays.yaml.",
    },
    why={
        "zh": "预案印发后须在规定时限内报送备案，上级部门才能掌握并衔接各地预案。",
        "en": "Filing on time lets the higher level know and dovetail the plans it oversees.",
    },
    citation="突发事件应急预案管理办法（国办发〔2024〕5号）第二十六条",
    fail="maintenance.filing: [{to: 某市应急管理局, date: 2026-05-20}]",
    passes="maintenance.filing: [{to: 某市应急管理局, date: 2026-03-20}]",
)

NOT_COPIED = rule(
    code="MNT005",
    name="joint-plan-not-copied-to-emergency-management",
    severity="warning",
    layer="plan",
    title={
        "zh": "联合预案未抄送应急管理部门",
        "en": "Joint plan not copied to emergency management",
    },
    message={
        "zh": "备案记录中没有抄送共同上一级人民政府{copy_to}部门的记录",
        "en": "the filings do not include a copy to the common higher-level {copy_to} "
        "(emergency management) department",
    },
    hint={
        "zh": "在 maintenance.filing 中增加一条 kind: copy、to 为共同上一级应急管理部门全称的记录。",
        "en": "Add a maintenance.filing entry with kind: copy to the common higher-level emergency "
        "management department.",
    },
    why={
        "zh": "联合应急预案涉及多个行政区域，须抄送共同上一级应急管理部门，以便其掌握和协调。",
        "en": "A joint plan spans regions; the common higher level must hold a copy to coordinate.",
    },
    citation="突发事件应急预案管理办法（国办发〔2024〕5号）第二十六条",
    fail="maintenance.filing: [{to: 某市生态环境局, date: 2026-03-20}]",
    passes="maintenance.filing: [{to: 某市生态环境局, date: 2026-03-20}, "
    "{to: 某市应急管理局, date: 2026-03-20, kind: copy}]",
)


@FILING_LATE.check
def check_filing_dates(ctx: Context) -> Iterator[Problem]:
    filing = ctx.profile.filing
    issued = ctx.plan.metadata.get("issued")
    entries = ctx.plan.maintenance.get("filing", [])
    if filing is None or not issued or not entries:
        return
    deadline = workdays.add_working_days(date.fromisoformat(issued), filing.within_working_days)
    approx = {"zh": "", "en": ""}
    if not deadline.exact:
        approx = {
            "zh": "（节假日安排不全，工作日为估算）",
            "en": " (approximate: holiday calendar incomplete)",
        }
    for i, entry in enumerate(entries):
        if entry.get("kind") == "copy":
            continue
        if date.fromisoformat(entry["date"]) > deadline.due:
            yield Problem(
                ("maintenance", "filing", i, "date"),
                {
                    "to": entry["to"],
                    "date": entry["date"],
                    "issued": issued,
                    "days": filing.within_working_days,
                    "due": deadline.due.isoformat(),
                    "approx": approx["zh"],
                    "approx_en": approx["en"],
                },
                citation=filing.cited,
            )


@NOT_COPIED.check
def check_filing_copy(ctx: Context) -> Iterator[Problem]:
    filing = ctx.profile.filing
    entries = ctx.plan.maintenance.get("filing", [])
    if filing is None or not filing.copy_to or not entries:
        return
    if any(filing.copy_to in e["to"] for e in entries):
        return
    yield Problem(
        ("maintenance", "filing"),
        {"copy_to": filing.copy_to},
        at="key",
        citation=filing.cited,
    )
