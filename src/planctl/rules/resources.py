"""Resources that are true: counted recently, not promised twice over, ready in time.

The survey found regions that do not know their own teams, equipment and
stocks; a drill in the water sample found 78 t of carbon where the ledger said
100 t. A plan's numbers are only as good as the last count, and a commitment
can neither exceed what is there nor arrive before the resource can even leave.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from planctl import durations
from planctl.rules.base import Context, Problem, rule
from planctl.rules.contacts import _sub_months

OVER_COMMITTED = rule(
    code="RES001",
    name="commitment-exceeds-stock",
    severity="error",
    layer="plan",
    title={"zh": "承诺数量超过储备", "en": "Commitment exceeds the stock"},
    message={
        "zh": "支援承诺 {id} 承诺提供{resource} {committed}{unit}，超过该资源的储备数量 {stock}{unit}",
        "en": "commitment {id} promises {committed} {unit} of {resource}, more than the "
        "{stock} {unit} held",
    },
    hint={
        "zh": "核对 resources 中的 quantity（实际储备）和承诺数量；储备不足时增加储备、改为协议储备，或降低承诺。",
        "en": "Check the resource's quantity (the stock) against the commitment; add stock, an "
        "agreement reserve, or promise less.",
    },
    why={
        "zh": "承诺超过实有储备，请求方按承诺部署，实战中却调不来（FEMA CPG 101 可行性标准：任务须以实际可用的资源完成）。",
        "en": "A party that plans on a promise larger than the stock finds out during the event "
        "(FEMA CPG 101 feasibility: tasks done with the resources actually available).",
    },
    citation="planctl policy",
    fail="mutual_aid.commitments: [{id: M-1, resource: R-carbon, to: [yi], quantity: 80, within: PT4H}]",
    passes="mutual_aid.commitments: [{id: M-1, resource: R-carbon, to: [yi], quantity: 30, within: PT4H}]",
)

ARRIVES_BEFORE_READY = rule(
    code="RES002",
    name="arrival-before-readiness",
    severity="error",
    layer="plan",
    title={"zh": "承诺到达时限短于资源响应时间", "en": "Arrival deadline shorter than readiness"},
    message={
        "zh": "支援承诺 {id} 要求{resource}在 {within} 内到达，但该资源接到指令后 {readiness} 才能出发",
        "en": "commitment {id} has {resource} arrive within {within}, but it needs {readiness} "
        "from order to departure",
    },
    hint={
        "zh": "把承诺的 within 改为不短于资源 readiness 加上路程的时间，或缩短资源的 readiness（如前置储备）。",
        "en": "Make the commitment's within at least the resource's readiness plus travel, or "
        "shorten the readiness (pre-position it).",
    },
    why={
        "zh": "资源不可能在出发之前到达；这样的承诺在纸面上成立，实战中必然违约。",
        "en": "Nothing arrives before it leaves; such a promise holds on paper and fails in an event.",
    },
    citation="planctl policy",
    fail="mutual_aid.commitments: [{id: M-1, resource: R-carbon, to: [yi], within: PT1H}]",
    passes="mutual_aid.commitments: [{id: M-1, resource: R-carbon, to: [yi], within: PT4H}]",
)

STALE_INVENTORY = rule(
    code="RES003",
    name="stale-inventory",
    severity="warning",
    layer="plan",
    title={"zh": "资源盘点过期", "en": "Resource inventory stale"},
    message={
        "zh": "资源“{resource}”最近一次盘点在 {date}，已超过 {months} 个月",
        "en": "resource '{resource}' was last counted on {date}, more than {months} months ago",
    },
    hint={
        "zh": "清点核实实有数量，更新 quantity 和 inventoried_on；期限可在 planctl.yaml 的 inventory_max_age_months 中调整。",
        "en": "Count it, then update quantity and inventoried_on; the age is "
        "inventory_max_age_months in planctl.yaml.",
    },
    why={
        "zh": "台账数量会与实存脱节（演练中曾发现台账100吨、实存78吨）；像值班电话一样，储备也要定期核实。",
        "en": "Ledgers drift from the shelf (a drill found 78 t where the ledger said 100 t); "
        "stocks need checking like phone numbers.",
    },
    citation="planctl policy",
    fail="resources.0.inventoried_on: 2025-03-01",
    passes="resources.0.inventoried_on: 2026-09-30",
)


def number(value: float) -> str:
    return f"{value:g}"


def _quantity(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@OVER_COMMITTED.check
def check_over_commitment(ctx: Context) -> Iterator[Problem]:
    for i, cm in enumerate(ctx.plan.commitments):
        res = ctx.plan.resource.get(cm.get("resource", ""))
        if res is None:
            continue  # an unresolved id is REF001's
        stock, committed = _quantity(res.get("quantity")), _quantity(cm.get("quantity"))
        if stock is None or committed is None or committed <= stock:
            continue
        yield Problem(
            ("mutual_aid", "commitments", i, "quantity"),
            {
                "id": cm.get("id", ""),
                "resource": res.get("name", res["id"]),
                "committed": number(committed),
                "stock": number(stock),
                "unit": res.get("unit", ""),
            },
        )


@ARRIVES_BEFORE_READY.check
def check_arrival(ctx: Context) -> Iterator[Problem]:
    for i, cm in enumerate(ctx.plan.commitments):
        res = ctx.plan.resource.get(cm.get("resource", ""))
        if res is None or not res.get("readiness") or not cm.get("within"):
            continue
        if durations.minutes(cm["within"]) < durations.minutes(res["readiness"]):
            yield Problem(
                ("mutual_aid", "commitments", i, "within"),
                {
                    "id": cm.get("id", ""),
                    "resource": res.get("name", res["id"]),
                    "within": cm["within"],
                    "readiness": res["readiness"],
                },
            )


@STALE_INVENTORY.check
def check_inventory(ctx: Context) -> Iterator[Problem]:
    months = ctx.options.inventory_max_age_months
    cutoff = _sub_months(ctx.options.today, months)
    for i, res in enumerate(ctx.plan.resources):
        counted = res.get("inventoried_on")
        if counted and date.fromisoformat(counted) < cutoff:
            yield Problem(
                ("resources", i, "inventoried_on"),
                {"resource": res.get("name", res["id"]), "date": counted, "months": months},
            )
