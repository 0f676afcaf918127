"""What the document says about stand-downs, protected targets and joint monitoring.

Issue #10 items 4-6: the end-of-alert message in the notification chapter and
under every flow chart, the protected-target annex (travel and notice times)
and the joint monitoring annex. One computation with the rules: the times
printed are the ones MSG001 and TGT001 check.
"""

from __future__ import annotations

from typing import Any

from planctl import durations, reach
from planctl.model import Plan, message_type
from planctl.render.style import join, say, vocab


def _minutes(value: Any) -> float | None:
    try:
        return durations.minutes(value)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def stand_down_lines(w: Any) -> None:
    """（x）解除与终止通知: who tells whom, how fast, after the warning is lifted or the response ends."""
    from planctl.render.chapters import duration

    plan, name = w.plan, w.name
    rules = [r for _, r in plan.stand_downs]
    if not rules:
        return
    channels = vocab("channels")
    by_sender: dict[str, list[dict[str, Any]]] = {}
    for r in rules:
        by_sender.setdefault(r["from"], []).append(r)
    w.h(2, "解除与终止通知")
    lines = []
    for sender, own in by_sender.items():
        parts = [
            say(
                "stand_down_rule",
                within=duration(r["within"]),
                channels=join([channels.get(c, c) for c in r["channels"]]),
                receivers=name.many(r["to"]),
            ).rstrip("。")
            for r in own
        ]
        lines.append(say("stand_down_sender", sender=name(sender), items="；".join(parts)))
    w.items(lines)
    w.p(say("stand_down_general"))


def stand_down_caption(
    plan: Plan, source: str, hazard: str | None, level: str | None, kind: str
) -> str:
    """One clause under a flow chart: the stand-down back along the chart's chain."""
    from planctl.rules.messages import announcers

    if not plan.stand_downs or hazard is None or level is None:
        return ""
    net = reach.network(plan)
    told = net.scenario_tree(hazard, level, kind, source).dist
    sig = net.stand_down_firing(hazard, level, kind)
    speakers = announcers(plan, source, level)
    best: dict[str, float] = {}
    if sig:
        for who in speakers:
            for party, mins in net.tree(sig, who).dist.items():
                best[party] = min(mins, best.get(party, mins))
    targets = [p for p in told if p not in speakers]
    if not targets:
        return ""
    missed = [p for p in targets if p not in best]
    if missed:
        return (
            "预警解除或响应终止后，" + join([plan.name(p) for p in missed]) + "收不到解除/终止通知"
        )
    latest = max(best[p] for p in targets)
    return (
        "预警解除或响应终止后，按解除/终止通知规则通知图中各方，"
        f"累计最迟{durations.humanize(latest, 'zh')}送达"
    )


def message_label(rule: dict[str, Any], short: dict[str, str]) -> str:
    """The 类型 cell of the notification annex: the kind, or the stand-down it carries."""
    if message_type(rule) == "stand_down":
        return vocab("message_types")["stand_down"]
    return short[rule["kind"]]
