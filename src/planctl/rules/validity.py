"""The plan's term: from ``effective`` (or ``issued``) to ``valid_until``.

``metadata.valid_until`` defaults to ``review_due`` (see :attr:`Plan.valid_until`).
An expired review date is already MNT002, so these rules only speak about a
validity the plan states itself: one that ends before it begins, or one that
has ended.
"""

from __future__ import annotations

from collections.abc import Iterator

from planctl.rules.base import Context, Problem, rule

VALIDITY_ENDS_BEFORE_START = rule(
    code="MNT006",
    name="validity-ends-before-start",
    severity="error",
    layer="plan",
    title={"zh": "有效期截止日早于施行日", "en": "Validity ends before the plan takes effect"},
    message={
        "zh": "有效期截止日 {until} 早于施行日 {start}",
        "en": "valid_until {until} is before the plan takes effect on {start}",
    },
    hint={
        "zh": "核对 metadata.valid_until 与 metadata.effective（或 issued）；有效期应从施行日起算。",
        "en": "Check metadata.valid_until against metadata.effective (or issued).",
    },
    why={
        "zh": "有效期倒置的预案没有一天有效，轮值表和跨预案检查也无从计算。",
        "en": "A plan whose term ends before it starts is never in force, and its rotation "
        "schedule cannot be computed.",
    },
    citation="planctl policy",
    fail="metadata.valid_until: 2026-01-31",
    passes="metadata.valid_until: 2029-03-01",
)

VALIDITY_EXPIRED = rule(
    code="MNT007",
    name="validity-expired",
    severity="error",
    layer="plan",
    title={"zh": "预案有效期已届满", "en": "Plan validity has ended"},
    message={
        "zh": "预案有效期已于 {until} 届满（metadata.valid_until）",
        "en": "the plan's validity ended on {until} (metadata.valid_until)",
    },
    hint={
        "zh": "修订并重新印发预案，或经评估后延长 metadata.valid_until。",
        "en": "Revise and reissue the plan, or extend metadata.valid_until after a review.",
    },
    why={
        "zh": "有效期届满的联合预案不再约束各方，事发时各方可能各自按本级预案行事。",
        "en": "An expired joint plan no longer binds the parties; each falls back on its own plan.",
    },
    citation="planctl policy",
    fail="metadata.valid_until: 2026-06-30",
    passes="metadata.valid_until: 2029-03-01",
)


@VALIDITY_ENDS_BEFORE_START.check
def check_order(ctx: Context) -> Iterator[Problem]:
    start, until = ctx.plan.valid_from, ctx.plan.valid_until
    if ctx.plan.metadata.get("valid_until") and start and until and until < start:
        yield Problem(
            ("metadata", "valid_until"), {"until": until.isoformat(), "start": start.isoformat()}
        )


@VALIDITY_EXPIRED.check
def check_expired(ctx: Context) -> Iterator[Problem]:
    until = ctx.plan.valid_until
    start = ctx.plan.valid_from
    if not ctx.plan.metadata.get("valid_until") or not until:
        return
    if start and until < start:
        return  # MNT006 says it better
    if until < ctx.options.today:
        yield Problem(("metadata", "valid_until"), {"until": until.isoformat()})
