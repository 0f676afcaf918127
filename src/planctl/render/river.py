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
from planctl.render.blocks import Table
from planctl.render.style import join, level_name, normalize, say, vocab


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


# --- protected targets and joint monitoring ------------------------------------------
ANNEX_TITLES = {"targets": "保护目标与污染团到达时间表", "monitoring": "联合监测断面表"}


def annex_keys(plan: Plan) -> list[str]:
    """The annexes this module adds, in order, for the sections the plan has."""
    keys = []
    if isinstance(plan.targets, list) and plan.targets:
        keys.append("targets")
    if isinstance(plan.monitoring_sections, list) and plan.monitoring_sections:
        keys.append("monitoring")
    return keys


def _human(mins: float | None) -> str:
    return "—" if mins is None else durations.humanize(mins, "zh")


def _area_names(plan: Plan) -> dict[str, str]:
    return {a["id"]: a.get("name", a["id"]) for a in (plan.geography or {}).get("areas", [])}


def _level_name(plan: Plan, level: str) -> str:
    """A response or warning name without its parenthesised gloss: 一级响应."""
    return level_name(plan, level)


def target_table(plan: Plan) -> Table:
    """保护目标与污染团到达时间表: one row per target and area an event can start in."""
    from planctl.rules.targets import detection_minutes, worst_notice

    areas = _area_names(plan)
    duties = {d["id"]: d for d in plan.duties}
    delay = detection_minutes(plan)
    kinds = vocab("target_kinds")
    rows = []
    for n, t in enumerate(plan.targets, 1):
        closure = t.get("closure") or {}
        duty = duties.get(closure.get("duty", ""))
        close = closure.get("threshold") or "—"
        if duty and duty.get("within"):
            close = f"{close}时，{_human(_minutes(duty['within']))}内关闭"
        head = [
            str(n),
            t["name"],
            kinds.get(t.get("kind"), ""),
            _short(plan, t.get("owner")),
            close,
        ]
        legs = t.get("travel") or []
        if not legs:
            rows.append([*head, "—", "—", "—", "—"])
            continue
        for leg in legs:
            high, low = _minutes(leg.get("high_flow")), _minutes(leg.get("low_flow"))
            span = _human(high) if low is None else f"{_human(high)}～{_human(low)}"
            notice, _ = (
                worst_notice(plan, leg["from"], t["owner"])
                if leg.get("from") in areas and t.get("owner") in plan.party
                else (None, [])
            )
            told = "收不到通报" if notice is None else _human(notice + delay)
            spare = "—" if notice is None or high is None else _spare(high - notice - delay)
            rows.append([*head, areas.get(leg.get("from"), "—"), span, told, spare])
    return Table(
        [
            "序号",
            "保护目标",
            "类型",
            "管理单位",
            "关闭阈值与时限",
            "事发区域",
            "到达时间（丰水期～枯水期）",
            "最迟获知",
            "到达前余量",
        ],
        rows,
        [12, 30, 16, 20, 40, 30, 34, 22, 22],
        merge=(0, 1, 2, 3, 4),
        nowrap=(7, 8),
    )


def _spare(mins: float) -> str:
    return _human(mins) if mins > 0 else "不足"


def _short(plan: Plan, pid: Any) -> str:
    p = plan.party.get(pid) if isinstance(pid, str) else None
    return (p.get("short_name") or p["name"]) if p else "—"


def monitoring_table(plan: Plan) -> Table:
    """联合监测断面表: place, border, owner, samplers, parameters, frequency by level."""
    rows = []
    for n, s in enumerate(plan.monitoring_sections, 1):
        loc = s.get("location") or {}
        place = [loc["place"]] if isinstance(loc.get("place"), str) else []
        if isinstance(loc.get("river_km"), (int, float)):
            place.append(f"河道里程{loc['river_km']:g}公里")
        if isinstance(loc.get("lon"), (int, float)) and isinstance(loc.get("lat"), (int, float)):
            place.append(f"东经{loc['lon']:g}°、北纬{loc['lat']:g}°")
        freq = [
            join([_level_name(plan, lv) for lv in f.get("levels", [])])
            + normalize(f"每{_human(_minutes(f.get('every')))}1次")  # 每小时1次, not 每1小时
            for f in s.get("frequency") or []
        ]
        rows.append(
            [
                str(n),
                s["name"],
                "；".join(place) or "—",
                "是" if s.get("border") is True else "否",
                _short(plan, s.get("owner")),
                join([_short(plan, x) for x in s.get("samplers") or []]) or "—",
                join(s.get("parameters") or []) or "—",
                "；".join(freq) or "—",
            ]
        )
    return Table(
        ["序号", "断面/点位", "位置", "交界断面", "负责单位", "参加单位", "监测项目", "监测频次"],
        rows,
        [10, 30, 48, 14, 22, 34, 32, 50],
    )


def tables(plan: Plan) -> dict[str, Table]:
    out = {}
    keys = annex_keys(plan)
    if "targets" in keys:
        out["targets"] = target_table(plan)
    if "monitoring" in keys:
        out["monitoring"] = monitoring_table(plan)
    return out


def target_lines(w: Any) -> None:
    """（x）保护目标通报: the notice-before-arrival promise, with the annex that proves it."""
    from planctl.rules.targets import CLOSING_KINDS

    plan = w.plan
    if not plan.targets:
        return
    w.h(2, "保护目标通报")
    closing = [t["name"] for t in plan.targets if t.get("kind") in CLOSING_KINDS]
    if closing:
        w.p(say("targets_notice", targets=join(closing)))
    w.p(say("targets_detail", annex=w.cite("targets")))


def monitoring_lines(w: Any) -> None:
    """（x）联合监测: common method and QA, mutual recognition, comparison, the annex."""
    mon = w.plan.monitoring
    if not w.plan.monitoring_sections:
        return
    w.h(2, "联合监测")
    method = mon.get("method") or {}
    if isinstance(method.get("name"), str):
        w.p(say("monitoring_method", method=method["name"]))
    if isinstance(method.get("qa"), str):
        w.p(say("monitoring_qa", qa=method["qa"]))
    if isinstance(mon.get("recognition"), str):
        w.p(say("monitoring_recognition", text=mon["recognition"]))
    if isinstance(mon.get("comparison"), str):
        w.p(say("monitoring_comparison", text=mon["comparison"]))
    w.p(say("monitoring_detail", annex=w.cite("monitoring")))
