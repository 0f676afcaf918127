"""Aftermath (后期处置): someone who exists pays, shares add up, someone investigates.

Support across a border is not followed when nobody knows who pays. "The liable
party pays" is the law for pollution and fires, but the polluter may be unknown
or broke for months; then a government advances the money and recovers it later
(森林防火条例 第四十五条: 人民政府可先行垫付). A "shared" payer with no split, or
a split that does not add up, is a dispute written into the plan in advance.
"""

from __future__ import annotations

from collections.abc import Iterator

from planctl.rules.base import Context, Problem, rule

#: kinds of party that can advance public money (see data/parties.yaml for kinds)
_CAN_ADVANCE = frozenset({"government", "department", "agency", "basin_agency"})

NO_PAYER = rule(
    code="AFT001",
    name="payer-cannot-pay",
    severity="error",
    layer="plan",
    title={"zh": "费用没有实际可承担的付费方", "en": "Costs have no payer who can pay"},
    message={
        "zh": "补偿条款 {id}：{problem}",
        "en": "compensation terms {id}: {problem_en}",
    },
    hint={
        "zh": "由责任方承担的，写明 advance.by（先行垫付的人民政府或部门）和 advance.recovery（事后追偿方式）；"
        "付费方或垫付方应是承担职责的参与方，不能是观察方或知会方。",
        "en": "Where the liable party pays, set advance.by (the government or department that "
        "advances the costs) and advance.recovery; payers must be parties with duties, not "
        "observers or informed parties.",
    },
    why={
        "zh": "责任方（肇事者、排污单位）常常事后才查明，或无力支付；没有先行垫付方，支援方的费用无人支付，"
        "下次就不会再来。森林防火条例第四十五条（人民政府可先行垫付）；生产安全事故应急条例第二十六条。",
        "en": "The liable party is often found late or cannot pay; with no government advancing "
        "the money nobody pays the helpers, who will not come next time.",
    },
    citation="突发事件应对法 第十二条；森林防火条例 第三十八条、第四十五条；生产安全事故应急条例 第十九条、第二十六条",
    fail="mutual_aid.compensation.0.payer: liable",
    passes="mutual_aid.compensation.0.payer: liable\n"
    "mutual_aid.compensation.0.advance: {by: jia, recovery: 依法向排污单位追偿}",
)

BAD_SPLIT = rule(
    code="AFT002",
    name="split-does-not-add-up",
    severity="error",
    layer="plan",
    title={"zh": "费用分担比例合计不是100%", "en": "Cost split does not add up to 100%"},
    message={
        "zh": "补偿条款 {id} 的分担比例合计为 {total}%，应为 100%{dup}",
        "en": "the split of compensation terms {id} adds up to {total}%, not 100%{dup_en}",
    },
    hint={
        "zh": "调整 split 中各方的 percent，使合计为 100，每一方只列一次。",
        "en": "Adjust the percent of each party in split so they add up to 100, each party once.",
    },
    why={
        "zh": "合计不足100%时有一部分费用无人承担，超过时各方为多出的部分争执；比例须事先算清。",
        "en": "Under 100% leaves costs unpaid, over 100% starts a quarrel; the split is settled "
        "beforehand.",
    },
    citation="planctl policy",
    fail="mutual_aid.compensation.0.payer: shared\n"
    "mutual_aid.compensation.0.split: [{party: jia, percent: 60}, {party: yi, percent: 30}]",
    passes="mutual_aid.compensation.0.payer: shared\n"
    "mutual_aid.compensation.0.split: [{party: jia, percent: 60}, {party: yi, percent: 40}]",
)

SHARED_WITHOUT_SPLIT = rule(
    code="AFT003",
    name="shared-without-split",
    severity="warning",
    layer="plan",
    title={"zh": "费用分担未约定比例", "en": "Shared costs without a split"},
    message={
        "zh": "补偿条款 {id} 约定费用分担，但没有写明各方比例",
        "en": "compensation terms {id} share the costs but say nothing about the shares",
    },
    hint={
        "zh": "增加 split：[{{party: 参与方id, percent: 百分比}}, …]（合计为 100），"
        "或按费用项目 [{{party: requesting, costs: 燃油和运输费用}}, …]。",
        "en": "Add split: [{{party: id, percent: n}}, …] adding up to 100, or by cost items "
        "[{{party: requesting, costs: fuel and transport}}, …].",
    },
    why={
        "zh": "“费用分担”而不写比例，结算时才开始谈判，费用久拖不决正是调查中跨区域支援不落实的原因之一。",
        "en": "'Shared' without shares means negotiating at settlement time, which is why aid "
        "across regions goes unpaid.",
    },
    citation="planctl policy",
    fail="mutual_aid.compensation.0.payer: shared",
    passes="mutual_aid.compensation.0.payer: shared\n"
    "mutual_aid.compensation.0.split: [{party: jia, percent: 50}, {party: yi, percent: 50}]",
)

NO_INVESTIGATION = rule(
    code="AFT004",
    name="no-investigation-lead",
    severity="info",
    layer="plan",
    title={"zh": "未明确调查评估牵头方", "en": "No lead for investigation and evaluation"},
    message={
        "zh": "后期处置没有写明调查评估由谁牵头（aftermath.investigation）",
        "en": "the aftermath does not say who leads the investigation and evaluation "
        "(aftermath.investigation)",
    },
    hint={
        "zh": "增加 aftermath.investigation：lead（牵头方）、with（参加方）、within（完成时限）、report_to（报送机关）。",
        "en": "Add aftermath.investigation with lead, with, within and report_to.",
    },
    why={
        "zh": "跨区域事件的原因、通报时效和损失须由各方共同调查评估，总结教训并报告；不事先约定牵头方，"
        "事后各方各查各的，结论互不认可。",
        "en": "Cause, timeliness and losses of a cross-region event are investigated jointly; "
        "without a named lead each side investigates alone and rejects the other's findings.",
    },
    citation="突发事件应对法 第八十七条、第九十二条 [待核]",
    fail="aftermath: <delete>",
    passes="aftermath.investigation: {lead: jia, with: [yi], within: P30D}",
)


def _party_problem(ctx: Context, pid: str, role: str, role_en: str) -> tuple[str, str] | None:
    """Why a named party cannot carry costs, or None when it can."""
    if pid not in ctx.plan.party:
        return None  # unresolved: REF001
    name = ctx.plan.name(pid)
    if ctx.plan.is_informed_only(pid):
        return (
            f"{role}“{name}”是观察方或知会方，不承担职责，不能付费",
            f"the {role_en} '{name}' is an observer or informed party and pays nothing",
        )
    if role == "垫付方" and ctx.plan.party_info[pid].kind not in _CAN_ADVANCE:
        return (
            f"垫付方“{name}”不是人民政府或其部门，不能以财政资金先行垫付",
            f"the advancing party '{name}' is not a government or department",
        )
    return None


@NO_PAYER.check
def check_payer(ctx: Context) -> Iterator[Problem]:
    for i, terms in enumerate(ctx.plan.mutual_aid.get("compensation", [])):
        tid = terms.get("id", "")
        payer = terms.get("payer")
        advance = terms.get("advance") or {}
        base = ("mutual_aid", "compensation", i)
        liable = payer == "liable" or any(
            s.get("party") == "liable" for s in terms.get("split", [])
        )
        if liable and not advance.get("by"):
            yield Problem(
                (*base, "payer"),
                {
                    "id": tid,
                    "problem": "费用由责任方承担，但没有写明由谁先行垫付；责任方未查明或无力支付时，支援费用无人承担",
                    "problem_en": "the liable party pays, but nobody advances the costs for when "
                    "it is unknown or cannot pay",
                },
                severity="warning",
            )
        if isinstance(payer, str) and payer in ctx.plan.party:
            found = _party_problem(ctx, payer, "付费方", "payer")
            if found:
                yield Problem(
                    (*base, "payer"), {"id": tid, "problem": found[0], "problem_en": found[1]}
                )
        by = advance.get("by")
        if isinstance(by, str):
            found = _party_problem(ctx, by, "垫付方", "advancing party")
            if found:
                yield Problem(
                    (*base, "advance", "by"),
                    {"id": tid, "problem": found[0], "problem_en": found[1]},
                )
        for j, share in enumerate(terms.get("split", [])):
            pid = share.get("party")
            found = _party_problem(ctx, pid, "分担方", "sharing party") if pid else None
            if found:
                yield Problem(
                    (*base, "split", j, "party"),
                    {"id": tid, "problem": found[0], "problem_en": found[1]},
                )


@BAD_SPLIT.check
def check_split(ctx: Context) -> Iterator[Problem]:
    for i, terms in enumerate(ctx.plan.mutual_aid.get("compensation", [])):
        split = terms.get("split")
        if not split:
            continue
        shares = [s.get("percent") for s in split]
        if any(not isinstance(x, (int, float)) for x in shares):
            continue  # split by cost items, or a 【待填】 share: no sum to check
        parties = [s.get("party") for s in split]
        repeated = sorted({p for p in parties if p and parties.count(p) > 1})
        total = sum(shares)
        if abs(total - 100) > 0.01 or repeated:
            names = "、".join(ctx.plan.name(p) for p in repeated)
            yield Problem(
                ("mutual_aid", "compensation", i, "split"),
                {
                    "id": terms.get("id", ""),
                    "total": f"{total:g}",
                    "dup": f"，且“{names}”重复列出" if repeated else "",
                    "dup_en": f", and {', '.join(repeated)} listed twice" if repeated else "",
                },
                at="key",
            )


@SHARED_WITHOUT_SPLIT.check
def check_shared(ctx: Context) -> Iterator[Problem]:
    for i, terms in enumerate(ctx.plan.mutual_aid.get("compensation", [])):
        if terms.get("payer") == "shared" and not terms.get("split"):
            yield Problem(("mutual_aid", "compensation", i, "payer"), {"id": terms.get("id", "")})


@NO_INVESTIGATION.check
def check_investigation(ctx: Context) -> Iterator[Problem]:
    if ctx.plan.aftermath.get("investigation"):
        return
    raw = ctx.doc.data.get("aftermath") if isinstance(ctx.doc.data, dict) else None
    if isinstance(raw, dict) and "investigation" in raw:
        return  # written as 【待填】: unknown, not missing
    path = ("aftermath",) if "aftermath" in ctx.plan.data else ("planctl",)
    yield Problem(path, {}, at="key")
