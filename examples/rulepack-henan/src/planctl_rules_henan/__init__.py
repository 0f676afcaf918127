"""An example planctl rule pack: one rule and one legal profile in the HN- namespace."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import yaml

from planctl import durations
from planctl.rules.base import Context, Problem, rule

#: legal profiles this pack adds (planctl reads every *.yaml here)
PROFILES = Path(__file__).parent / "profiles"

_POLICY = yaml.safe_load(
    (resources.files(__package__) / "policy.yaml").read_text(encoding="utf-8")
)["drill_cycle"]

DRILL_CYCLE = rule(
    code="HN-MNT101",
    name="hn-joint-drill-yearly",
    severity="warning",
    layer="plan",
    title={
        "zh": "联合演练周期长于省级要求",
        "en": "Joint drill cycle longer than the provincial policy",
    },
    message={
        "zh": "联合演练周期 {cycle} 长于省级要求的 {limit}",
        "en": "the joint drill cycle {cycle} is longer than the provincial {limit}",
    },
    hint={
        "zh": "将 maintenance.drill_cycle 改为 {limit} 或更短。",
        "en": "Set maintenance.drill_cycle to {limit} or shorter.",
    },
    why={
        "zh": "示例：省级政策要求跨区域联合应急预案每年至少组织一次联合演练。",
        "en": "Example: a provincial policy asks for a joint drill every year.",
    },
    citation=_POLICY["citation"],
    fail="maintenance.drill_cycle: P2Y",
    passes="maintenance.drill_cycle: P1Y",
)


@DRILL_CYCLE.check
def check_drill_cycle(ctx: Context) -> Iterator[Problem]:
    cycle = ctx.plan.maintenance.get("drill_cycle")
    if isinstance(cycle, str) and durations.minutes(cycle) > durations.minutes(_POLICY["within"]):
        yield Problem(("maintenance", "drill_cycle"), {"cycle": cycle, "limit": _POLICY["within"]})
