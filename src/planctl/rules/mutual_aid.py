"""Mutual aid and requisition: who pays is settled before anyone is sent.

The survey found plans not followed once support costs money. Art. 12 of the
Emergency Response Law requires requisitioned property to be returned and
compensated; between regions that only works if the terms are agreed ahead.
"""

from __future__ import annotations

from collections.abc import Iterator

from planctl.rules.base import Context, Problem, rule

NO_TERMS = rule(
    code="AID001",
    name="aid-without-compensation",
    severity="error",
    layer="plan",
    title={"zh": "支援或征用没有补偿条款", "en": "Aid or requisition without compensation terms"},
    message={
        "zh": "{what} {id} 没有适用的补偿条款（谁付费、计价依据、结算时限）",
        "en": "{what_en} {id} has no compensation terms (who pays, rate basis, settlement deadline)",
    },
    hint={
        "zh": "写明 terms，或设置 mutual_aid.default_terms，并确保条款的 applies_to 包含 {kind}。",
        "en": "Set `terms`, or mutual_aid.default_terms, whose applies_to includes {kind}.",
    },
    why={
        "zh": "跨区域支援往往因费用问题落实不了；征用财产须依法归还并给予补偿。由责任方承担的费用另有依据："
        "生产安全事故应急条例第十九条、第二十六条；森林防火条例第三十八条、第四十五条（谁引起火灾谁承担，"
        "政府可先行垫付）。",
        "en": "Cross-region aid stalls over money; requisitioned property must be returned and "
        "compensated by law. Costs borne by the liable party: production-safety regulation "
        "Art. 19 and 26; forest-fire regulation Art. 38 and 45 (whoever caused the fire pays, the "
        "government may advance).",
    },
    citation="突发事件应对法 第七十六条（地方人民政府之间的支援）、第十二条（征用补偿）",
    fail="mutual_aid.default_terms: <delete>\nmutual_aid.commitments: "
    "[{id: M-1, resource: R-carbon, to: [yi], within: PT4H}]",
    passes="mutual_aid.commitments: [{id: M-1, resource: R-carbon, to: [yi], within: PT4H}]",
)

UNCOMMITTED = rule(
    code="AID002",
    name="resource-used-across-parties-without-commitment",
    severity="warning",
    layer="plan",
    title={
        "zh": "跨方使用资源但无支援承诺",
        "en": "Resource used across parties without commitment",
    },
    message={
        "zh": "职责 {duty} 由“{lead}”牵头，却使用“{owner}”的资源 {resource}，但没有相应的支援承诺",
        "en": "duty {duty} is led by '{lead}' but uses {resource} owned by '{owner}', with no "
        "mutual-aid commitment",
    },
    hint={
        "zh": "在 mutual_aid.commitments 中增加 {resource} 支援“{lead}”的承诺（数量、到达时限、补偿条款）。",
        "en": "Add a commitment of {resource} to '{lead}' in mutual_aid.commitments.",
    },
    why={
        "zh": "资源调用需要事先明确、协调一致，才能在实战中调得动（FEMA CPG 101 可行性标准）。",
        "en": "Mutual aid must be identified in detail and coordinated in advance (FEMA CPG 101).",
    },
    fail="duties.0.lead: yi\nduties.0.support: [jia]",
)


#: who bears costs, by hazard: the liable party where a regulation says so
_LIABLE_BASIS = {
    "production_safety": "生产安全事故应急条例 第十九条、第二十六条（费用由事故责任单位承担）",
    "hazardous_chemicals": "生产安全事故应急条例 第十九条、第二十六条（费用由事故责任单位承担）",
    "forest_fire": "森林防火条例 第三十八条、第四十五条（由火灾肇事者承担，人民政府可先行垫付）",
}


def _aid_citation(ctx: Context, kind: str) -> str:
    """Aid between governments (Art. 76) or requisition (Art. 12), plus liable-party bases."""
    main = (
        "突发事件应对法 第七十六条（地方人民政府之间的支援）"
        if kind == "mutual_aid"
        else "突发事件应对法 第十二条（征用补偿）"
    )
    extra = [_LIABLE_BASIS[h] for h in ctx.plan.hazards if h in _LIABLE_BASIS]
    return "；".join(dict.fromkeys([main, *extra]))


@NO_TERMS.check
def check_terms(ctx: Context) -> Iterator[Problem]:
    aid = ctx.plan.mutual_aid
    default = aid.get("default_terms")
    terms = ctx.plan.compensation
    for section, kind, what in (
        ("commitments", "mutual_aid", {"zh": "支援承诺", "en": "commitment"}),
        ("requisitions", "requisition", {"zh": "征用", "en": "requisition"}),
    ):
        for i, item in enumerate(aid.get(section, [])):
            tid = item.get("terms") or default
            term = terms.get(tid) if tid else None
            if term is None and tid:
                continue  # an unresolved id is REF001's to report
            if term is None or kind not in term["applies_to"]:
                path = ("mutual_aid", section, i, "terms" if item.get("terms") else "id")
                yield Problem(
                    path,
                    {"what": what["zh"], "what_en": what["en"], "id": item["id"], "kind": kind},
                    citation=_aid_citation(ctx, kind),
                )


@UNCOMMITTED.check
def check_cross_party_use(ctx: Context) -> Iterator[Problem]:
    committed: set[tuple[str, str]] = set()
    for c in ctx.plan.mutual_aid.get("commitments", []):
        for to in c.get("to", []):
            committed.add((c["resource"], to))
    for i, duty in enumerate(ctx.plan.duties):
        lead = duty["lead"] if isinstance(duty["lead"], str) else None
        if lead is None:
            continue
        for j, rid in enumerate(duty.get("resources", [])):
            res = ctx.plan.resource.get(rid)
            if res is None or res["owner"] == lead or (rid, lead) in committed:
                continue
            yield Problem(
                ("duties", i, "resources", j),
                {
                    "duty": duty["id"],
                    "lead": ctx.plan.name(lead),
                    "owner": ctx.plan.name(res["owner"]),
                    "resource": rid,
                },
            )
