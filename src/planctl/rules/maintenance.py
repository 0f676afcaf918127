"""Drills, reviews and corrective actions, relative to ``--today``.

Plans that are never drilled are the "for show" plans the survey found. The
legal cycles come from the profile (data, with citations); the plan's own
cycle may be shorter, and the stricter one applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from planctl import durations
from planctl.rules.base import Context, Problem, rule

DRILL_OVERDUE = rule(
    code="MNT001",
    name="drill-overdue",
    severity="error",
    layer="plan",
    title={"zh": "联合演练逾期", "en": "Joint drill overdue"},
    message={
        "zh": "联合演练已逾期：上次 {last}，按{basis}周期 {cycle} 应于 {due} 前再次演练",
        "en": "joint drill overdue: last on {last}; the {basis_en} cycle of {cycle} made the next "
        "due by {due}",
    },
    hint={
        "zh": "组织一次联合演练并在 maintenance.drills 中记录日期、形式、参与方和发现的问题。",
        "en": "Hold a joint drill and record it under maintenance.drills.",
    },
    why={
        "zh": "不演练的预案在实战中往往无人熟悉、无法执行。",
        "en": "A plan never drilled is a plan nobody can run.",
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


def _cycle(ctx: Context, kind: str) -> tuple[str, dict[str, str], str | None]:
    """The stricter of the plan's cycle and the legal one, and where it comes from."""
    own = ctx.plan.maintenance.get(f"{kind}_cycle")
    legal = ctx.profile.cycles.get(kind)
    if legal and (not own or durations.minutes(legal.within) < durations.minutes(own)):
        return legal.within, {"zh": "法定", "en": "legal"}, legal.cited
    return own, {"zh": "本预案", "en": "plan's"}, None


def _plan_start(ctx: Context) -> str | None:
    meta = ctx.plan.metadata
    eff = meta.get("effective")
    return eff if eff and eff != "on issue" else meta.get("issued")


@DRILL_OVERDUE.check
def check_drills(ctx: Context) -> Iterator[Problem]:
    cycle, basis, citation = _cycle(ctx, "drill")
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
                "due": due.isoformat(),
            },
            citation=citation,
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
    cycle, basis, citation = _cycle(ctx, "review")
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
                "basis": f"{basis['zh']}评估周期 {cycle}",
                "basis_en": f"{basis['en']} review cycle {cycle}",
            },
            citation=citation,
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
