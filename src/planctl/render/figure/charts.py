"""From a plan to chart graphs: who hears first, through which tiers, by when.

A chart answers one question an office asks: "if the event starts here, at
this level, who calls whom, and by when has everyone heard?". So there is one
chart per origin (the area where the event starts, and the party there that
learns first) and per group of levels whose applicable rules give the same
picture. Tiers are hops from the party that learns first; the arrows drawn are
the ones that carry the news one tier further. Exchanges inside a tier or back
up the chain are real rules too, but they never make anyone hear earlier, and
drawing them is what turned the old figure into a tangle; the caption points
to the notification matrix that lists them all.

Rules are read straight from ``plan.rules`` (not through ``planctl.reach``),
with the same semantics: support requests carry no news, warning rules fire
only for warning levels, ``when.hazards`` / ``when.levels`` restrict a rule.
"""

from __future__ import annotations

import heapq
import re
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any, cast

from planctl import durations
from planctl.model import HAZARDS, Plan, message_type
from planctl.render import river
from planctl.render.style import level_name

_INFO_KINDS = ("report", "notify", "warning")

#: how the first (preferred) channel of a rule reads on an arrow
_CHANNEL_ZH = {
    "phone": "电话",
    "mobile": "电话",
    "satellite_phone": "卫星电话",
    "fax": "传真",
    "written": "书面",
    "system": "信息系统",
    "sms": "短信",
    "email": "电子邮件",
    "radio": "电台",
    "meeting": "会商",
}

_ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"


def rank_zh(rank: Any) -> str:
    """Level rank as printed in plans: 1 -> Ⅰ级 (never the raw level id)."""
    if isinstance(rank, int) and not isinstance(rank, bool) and 1 <= rank <= len(_ROMAN):
        return f"{_ROMAN[rank - 1]}级"
    return f"{rank}级"


def duration_zh(value: Any) -> str:
    """PT30M -> 30分钟; an unreadable duration prints as given rather than failing."""
    try:
        return durations.humanize(durations.minutes(str(value)), "zh")
    except (ValueError, TypeError):
        return str(value)


def _minutes(value: Any) -> float:
    try:
        return durations.minutes(str(value))
    except (ValueError, TypeError):
        return float("inf")


def arrow_label(rule: dict[str, Any]) -> str:
    """Arrow text such as 30分钟内电话、1小时内书面: deadline and preferred channel, then paper."""
    channels = rule.get("channels") or []
    first = _CHANNEL_ZH.get(channels[0], "") if channels else ""
    text = f"{duration_zh(rule.get('within'))}内{first}"
    if rule.get("written_within") and first != "书面":
        text += f"、{duration_zh(rule['written_within'])}内书面"
    return text


@dataclass(frozen=True)
class Origin:
    """Where an event starts: a label for people, and the party that learns first."""

    label: str  # area name as the plan gives it ("" without a geography)
    source: str
    affected: tuple[str, ...]


@dataclass
class ChartGraph:
    """One chart before layout. Node 0 is the party that learns first."""

    names: list[str]
    tier: list[int]
    minutes: list[float]  # fastest guaranteed time each node hears, from first knowledge
    edges: list[tuple[int, int, str]]  # (sender, receiver, arrow label), tier t -> t + 1
    start: list[str]  # lines of the start-event box
    unreached: list[str] = field(default_factory=list)  # affected but reached by no rule

    def signature(self) -> tuple[Any, ...]:
        return (
            tuple(self.names),
            tuple(self.tier),
            tuple(self.minutes),
            tuple(self.edges),
            tuple(self.start),
            tuple(self.unreached),
        )


@dataclass
class ChartSpec:
    """A chart graph with the words around it."""

    title: str
    caption: str
    graph: ChartGraph


def _party_ids(plan: Plan) -> list[str]:
    return [str(p["id"]) for p in plan.parties if isinstance(p, dict) and "id" in p]


def _name(plan: Plan, pid: str) -> str:
    p = plan.party.get(pid)
    if isinstance(p, dict):
        return str(p.get("short_name") or p.get("name") or pid)
    return pid


def origins(plan: Plan) -> list[Origin]:
    """Areas where events start (first party, or ``first_informed`` when given).

    Without a geography every party could start an event, which would give one
    chart per party; instead the parties nobody notifies (where news enters the
    plan) are the origins, or the first party that sends anything when every
    party is notified by someone (a full mesh), and the caption says so.
    """
    ids = _party_ids(plan)
    geo = plan.geography if isinstance(plan.geography, dict) else None
    if geo and isinstance(geo.get("areas"), list) and geo["areas"]:
        areas = [a for a in geo["areas"] if isinstance(a, dict)]
        by_id = {a.get("id"): a for a in areas}
        in_area = {p for a in areas for p in (a.get("parties") or [])}
        floating = [p for p in ids if p not in in_area]
        out = []
        for area in areas:
            members = [str(p) for p in (area.get("parties") or [])]
            if area.get("origin", True) is False or not members:
                continue
            first = area.get("first_informed")
            if isinstance(first, list):
                first = first[0] if first else None
            source = str(first) if first else members[0]
            if geo.get("kind") == "river_basin":
                seen: list[str] = [cast(str, area.get("id"))]
                queue = deque(area.get("downstream") or [])
                while queue:
                    aid = queue.popleft()
                    if aid in seen or aid not in by_id:
                        continue
                    seen.append(aid)
                    queue.extend(by_id[aid].get("downstream") or [])
                hit = [by_id[a] for a in seen if a in by_id]
            else:
                hit = areas
            affected: list[str] = []
            for a in hit:
                for pid in a.get("parties") or []:
                    if str(pid) != source and str(pid) not in affected:
                        affected.append(str(pid))
            affected += [p for p in floating if p != source and p not in affected]
            out.append(Origin(str(area.get("name") or ""), source, tuple(affected)))
        if out:
            return out
    senders: list[str] = []
    receivers: set[str] = set()
    for r in plan.rules:
        if isinstance(r, dict) and r.get("kind") in _INFO_KINDS:
            if str(r.get("from")) not in senders:
                senders.append(str(r.get("from")))
            receivers.update(str(t) for t in (r.get("to") or []))
    entry = [p for p in ids if p in senders and p not in receivers]
    if not entry:
        entry = [p for p in ids if p in senders][:1] or ids[:1]
    return [Origin("", s, tuple(p for p in ids if p != s)) for s in entry]


def applies(rule: Any, hazard: str | None, level: str | None, level_kind: str) -> bool:
    """Does a rule carry news of this event type and level (same semantics as reach)?"""
    if not isinstance(rule, dict) or rule.get("kind") not in _INFO_KINDS:
        return False
    if message_type(rule) not in ("warning", "information"):  # a stand-down ends the chart
        return False
    if rule["kind"] == "warning" and level_kind != "warning":
        return False
    when = rule["when"] if isinstance(rule.get("when"), dict) else {}
    if when.get("hazards") and hazard is not None and hazard not in when["hazards"]:
        return False
    return not (when.get("levels") and level is not None and level not in when["levels"])


def build_graph(
    plan: Plan, origin: Origin, rules: list[dict[str, Any]], start: list[str]
) -> ChartGraph:
    """Tiers by hops from the party that learns first; times by the fastest chain.

    Between two parties only the fastest applicable rule counts (a warning and a
    notification from the same sender are one call in practice). Deadlines add
    up along a chain because each counts from when that sender learns.
    """
    best: dict[tuple[str, str], tuple[float, int, str]] = {}
    for i, r in enumerate(rules):
        sender = str(r.get("from"))
        mins = _minutes(r.get("within"))
        label = arrow_label(r)
        for t in r.get("to") or []:
            t = str(t)
            if t == sender:
                continue
            key = (sender, t)
            if key not in best or (mins, i) < best[key][:2]:
                best[key] = (mins, i, label)
    succ: dict[str, list[tuple[str, float, str]]] = {}
    for (a, b), (mins, _, label) in best.items():
        succ.setdefault(a, []).append((b, mins, label))
    # hops (BFS) decide the tier; every party appears once
    tier_of = {origin.source: 0}
    order = [origin.source]
    queue = deque([origin.source])
    while queue:
        u = queue.popleft()
        for v, _, _ in succ.get(u, []):
            if v not in tier_of:
                tier_of[v] = tier_of[u] + 1
                order.append(v)
                queue.append(v)
    # Dijkstra for the time by which each party must have heard
    dist = {origin.source: 0.0}
    heap = [(0.0, 0, origin.source)]
    counter = 1
    done: set[str] = set()
    while heap:
        d, _, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        for v, mins, _ in succ.get(u, []):
            if d + mins < dist.get(v, float("inf")):
                dist[v] = d + mins
                heapq.heappush(heap, (dist[v], counter, v))
                counter += 1
    plan_order = {pid: i for i, pid in enumerate(_party_ids(plan))}
    order.sort(key=lambda p: (tier_of[p], plan_order.get(p, len(plan_order)), p))
    index = {p: i for i, p in enumerate(order)}
    edges = []
    for u in order:
        for v, _, label in succ.get(u, []):
            if tier_of[v] == tier_of[u] + 1:
                edges.append((index[u], index[v], label))
    edges.sort(key=lambda e: (e[0], e[1]))
    unreached = [_name(plan, p) for p in origin.affected if p not in tier_of]
    return ChartGraph(
        names=[_name(plan, p) for p in order],
        tier=[tier_of[p] for p in order],
        minutes=[dist.get(p, float("inf")) for p in order],
        edges=edges,
        start=start,
        unreached=unreached,
    )


def _compress(names: list[str]) -> str:
    """Levels that share words, as offices list them: 红色预警、橙色预警 -> 红、橙色预警."""
    if len(names) < 2:
        return "".join(names)
    pre = 0
    while all(len(n) > pre and n[pre] == names[0][pre] for n in names):
        pre += 1
    suf = 0
    while all(len(n) - pre > suf and n[-1 - suf] == names[0][-1 - suf] for n in names):
        suf += 1
    middles = [n[pre : len(n) - suf] for n in names]
    if suf and all(middles):
        return names[0][:pre] + "、".join(middles) + names[0][len(names[0]) - suf :]
    return "、".join(names)


def _strip_note(text: str) -> str:
    """长治市（浊漳河上游） -> 长治市: the explanatory part would nest brackets in a title."""
    short = re.sub(r"[（(][^（）()]*[）)]$", "", text).strip()
    return short or text


def _levels_phrase(plan: Plan, group: list[tuple[str | None, str | None, str]]) -> tuple[str, str]:
    """("特别重大、重大突发水污染事件", "一级响应") for the (hazard, level, kind) of one chart."""
    grades = {str(g.get("id")): g for g in plan.grades if isinstance(g, dict)}
    warns = {str(w.get("id")): w for w in plan.warnings if isinstance(w, dict)}
    resp = {str(r.get("id")): r for r in plan.responses if isinstance(r, dict)}
    parts = []
    reached: list[dict[str, Any]] = []
    for kind, table in (("grade", grades), ("warning", warns)):
        per_hazard: dict[str | None, list[str]] = {}
        for h, lv, k in group:
            if k == kind and lv in table:
                per_hazard.setdefault(h, []).append(lv)
        if not per_hazard:
            continue
        # hazards with the same levels share one phrase: "较大、一般雨雪冰冻灾害、道路交通突发事件"
        by_levels: dict[tuple[str, ...], list[str | None]] = {}
        for h, hazard_levels in per_hazard.items():
            by_levels.setdefault(tuple(hazard_levels), []).append(h)
        for lvs, hs in by_levels.items():
            if len(lvs) == len(table) and len(table) > 1:
                levels = "各级"
            else:
                levels = _compress(
                    [str(table[lv].get("name") or rank_zh(table[lv].get("rank"))) for lv in lvs]
                )
            if kind == "grade":
                events = "、".join(HAZARDS.get(h or "", {}).get("event", "突发事件") for h in hs)
                parts.append(levels + events)
            else:
                # the hazards are named only when these warnings cover some of the plan's
                # hazards: "危险化学品事故、道路交通突发事件及危险化学品、道路交通各级预警" said them twice
                named = len(plan.hazards) > 1 and set(hs) != set(plan.hazards)
                prefix = (
                    "、".join(HAZARDS.get(h or "", {}).get("zh", "") for h in hs) if named else ""
                )
                parts.append(prefix + (levels + "预警" if levels == "各级" else levels))
            for lv in lvs:
                r = resp.get(str(table[lv].get("response")))
                if r is not None and r not in reached:
                    reached.append(r)
    if not parts:
        parts.append("突发事件")
    # responses are named as the body names them (一级响应, from the plan's own names),
    # never by a numbering of the chart's own (Ⅰ级响应)
    reached.sort(key=lambda r: _rank_key(r.get("rank")))
    response = "、".join(level_name(plan, str(r.get("id"))) for r in reached)
    return "及".join(parts), response


def _limit(plan: Plan, levels: list[str | None]) -> str:
    """The plan's own end-to-end limit for these levels, when they all share one."""
    found: list[str] = []
    for lv in levels:
        hit = [
            lim.get("within")
            for lim in plan.limits
            if isinstance(lim, dict) and lv in (lim.get("levels") or [])
        ]
        if not hit:
            return ""
        found.append(str(hit[0]))
    return duration_zh(found[0]) if found and len(set(found)) == 1 else ""


def specs(plan: Plan) -> list[ChartSpec]:
    """Every chart of a plan, most severe levels first, then by origin.

    Scenarios (hazard, level) that give the same picture for an origin share
    one chart, whose title names all of them.
    """
    hazards: list[str | None] = [h for h in plan.hazards if isinstance(h, str)] or [None]
    levels: list[tuple[str | None, str]] = []
    for g in sorted(
        (g for g in plan.grades if isinstance(g, dict)), key=lambda g: _rank_key(g.get("rank"))
    ):
        levels.append((str(g.get("id")), "grade"))
    for w in sorted(
        (w for w in plan.warnings if isinstance(w, dict)), key=lambda w: _rank_key(w.get("rank"))
    ):
        levels.append((str(w.get("id")), "warning"))
    if not levels:
        levels = [(None, "grade")]
    scenarios = [(h, lv, kind) for lv, kind in levels for h in hazards]
    all_origins = origins(plan)
    out: list[tuple[tuple[int, int], ChartSpec]] = []
    for oi, origin in enumerate(all_origins):
        groups: dict[tuple[Any, ...], list[tuple[str | None, str | None, str]]] = {}
        graphs: dict[tuple[Any, ...], ChartGraph] = {}
        first_seen: dict[tuple[Any, ...], int] = {}
        for si, (hazard, level, kind) in enumerate(scenarios):
            rules = [r for r in plan.rules if applies(r, hazard, level, kind)]
            if kind == "warning":
                what = "发布或获知预警"
            else:
                events = {HAZARDS.get(h or "", {}).get("event", "突发事件") for h in hazards}
                what = "发生" + (events.pop() if len(events) == 1 else "突发事件")
            start = [s for s in (origin.label, what) if s]
            graph = build_graph(plan, origin, rules, start)
            key = graph.signature()
            groups.setdefault(key, []).append((hazard, level, kind))
            graphs.setdefault(key, graph)
            first_seen.setdefault(key, si)
        # near-identical pictures share one chart: the same parties, tiers and arrows,
        # differing only in the start event or in some arrows' deadlines (the most
        # severe levels' deadlines are drawn; the caption gives the others)
        shapes: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
        for key in groups:
            shapes.setdefault(_shape(graphs[key]), []).append(key)
        for keys in shapes.values():
            keys.sort(key=lambda k: first_seen[k])
            group = [x for k in keys for x in groups[k]]
            drawn = _merged(graphs[keys[0]], [graphs[k] for k in keys])
            spec = _spec(plan, origin, group, drawn, len(all_origins))
            notes = _differences(plan, graphs[keys[0]], [(groups[k], graphs[k]) for k in keys[1:]])
            level_ids = list(dict.fromkeys(lv for _, lv, _ in group))
            if len(keys) > 1 and not _limit(plan, level_ids):
                # the merged levels have different end-to-end limits: name each
                each = []
                for k in keys:
                    lim = _limit(plan, list(dict.fromkeys(lv for _, lv, _ in groups[k])))
                    if lim:
                        each.append(f"{_levels_phrase(plan, groups[k])[0]}{lim}内")
                if each:
                    notes.insert(0, f"本预案要求{'，'.join(each)}通报到全部受影响方")
            if notes:
                spec.caption = spec.caption[:-1] + "；" + "；".join(notes) + "。"
            out.append(((first_seen[keys[0]], oi), spec))
    out.sort(key=lambda x: x[0])
    return [s for _, s in out]


def _shape(g: ChartGraph) -> tuple[Any, ...]:
    """What a reader sees of a chart apart from its start words and arrow deadlines."""
    return (
        tuple(g.names),
        tuple(g.tier),
        tuple((a, b) for a, b, _ in g.edges),
        tuple(g.unreached),
    )


def _merged(first: ChartGraph, graphs: list[ChartGraph]) -> ChartGraph:
    """``first`` with a start box naming every start event of ``graphs``."""
    whats = list(dict.fromkeys(g.start[-1] for g in graphs if g.start))
    if len(whats) < 2:
        return first
    events = [w for w in whats if "预警" not in w]
    what = "或".join(events) + ("或发布、获知预警" if len(events) < len(whats) else "")
    return replace(first, start=[*first.start[:-1], what])


def _differences(
    plan: Plan,
    drawn: ChartGraph,
    others: list[tuple[list[tuple[str | None, str | None, str]], ChartGraph]],
) -> list[str]:
    """Caption clauses for the arrows whose deadline differs from the drawn one."""
    notes = []
    for group, g in others:
        changed: dict[tuple[int, str], list[int]] = {}
        for (a, b, label), (_, _, mine) in zip(g.edges, drawn.edges, strict=True):
            if label != mine:
                changed.setdefault((a, label), []).append(b)
        if not changed:
            continue
        phrase, _ = _levels_phrase(plan, group)
        parts = [
            f"{g.names[a]}向{'、'.join(g.names[b] for b in bs)}的时限为{label}"
            for (a, label), bs in changed.items()
        ]
        notes.append(f"{phrase}时，{'，'.join(parts)}")
    return notes


def _rank_key(rank: Any) -> tuple[int, int]:
    return (0, rank) if isinstance(rank, int) and not isinstance(rank, bool) else (1, 0)


def _spec(
    plan: Plan,
    origin: Origin,
    group: list[tuple[str | None, str | None, str]],
    g: ChartGraph,
    n_origins: int,
) -> ChartSpec:
    phrase, response = _levels_phrase(plan, group)
    if origin.label:
        where = f"（事发地：{_strip_note(origin.label)}）"
    elif n_origins > 1:
        where = f"（{g.names[0]}最先获知）"
    else:
        where = ""
    title = f"{phrase}信息报告与通报流程{where}"
    example = g.edges[0][2] if g.edges else "30分钟内电话、1小时内书面"
    # One clause a fact: the document states the clauses every chart shares once,
    # in the annex's introduction, and keeps under each chart only what differs
    # (render/content.py), so each clause must read on its own.
    bits = [
        f"本图以{g.names[0]}最先获知为起点",
        "箭头表示信息报告与通报方向",
        f"箭头上的时限自发送方获知时起算（如“{example}”）",
        "左侧为各层级按时限最迟获知的累计时间",
    ]
    limit = _limit(plan, list(dict.fromkeys(lv for _, lv, _ in group)))
    if limit:
        bits.append(f"本预案要求{limit}内通报到全部受影响方")
    if response:
        bits.append(f"对应{response}")
    hazard, level, kind = group[0]
    stand_down = river.stand_down_caption(plan, origin.source, hazard, level, kind)
    if stand_down:
        bits.append(stand_down)
    if g.unreached:
        bits.append("虚线框内为按现行规则收不到通报的受影响方")
    if not origin.label and n_origins == 1 and len(_party_ids(plan)) > 1:
        bits.append("其他参与方最先获知时按同样规则通报")
    bits.append("同层级之间的相互通报及续报、终报见信息报告与通报矩阵")
    return ChartSpec(title, "；".join(bits) + "。", g)


@dataclass(frozen=True)
class FlowChart:
    """One printed chart.

    ``emf`` is the chart as a vector picture (Enhanced Metafile) of exactly
    ``width_mm`` x ``height_mm``: place it at that size (no scaling) and every
    label prints at least 9 pt. ``raster()`` draws the same layout as a 300 dpi
    PNG (the Markdown export's image file; Pillow is loaded only then). When a
    chart cannot be drawn (too large for the page even with parties grouped),
    ``emf`` is empty and ``reason`` says why in Chinese, so that the document
    can say so and point to the notification matrix instead.
    """

    title: str
    caption: str
    emf: bytes
    width_mm: float
    height_mm: float
    reason: str = ""
    layout: Any = field(default=None, compare=False, repr=False)
    font_path: str | None = field(default=None, compare=False, repr=False)

    def raster(self) -> bytes:
        """The chart as a 300 dpi PNG; empty when it was not drawn or no CJK font is installed."""
        if self.layout is None:
            return b""
        import os

        from planctl.render.figure.fonts import find_cjk_font

        path = self.font_path if self.font_path and os.path.isfile(self.font_path) else None
        path = path or find_cjk_font()
        if path is None:
            return b""
        from planctl.render.figure import draw

        try:
            return draw.render(self.layout, path)
        except OSError:  # a font file that FreeType cannot read
            return b""


def flow_charts(
    plan: Plan,
    *,
    max_width_mm: float = 156,
    max_height_mm: float = 200,
    font_path: str | None = None,
) -> list[FlowChart]:
    """Every flow chart of a plan, laid out to fit ``max_width_mm`` x ``max_height_mm``.

    Layout measures text with the chart face's advance table (no font file is
    read), and the EMF places every glyph by those advances; ``font_path`` only
    serves ``FlowChart.raster`` (else the installed CJK font is searched then).
    """
    from planctl.render.figure import emf, layout

    metrics = layout.Metrics.standard()
    charts = []
    for spec in specs(plan):
        placed = layout.fit(spec.graph, metrics, max_width_mm, max_height_mm)
        if isinstance(placed, str):
            charts.append(FlowChart(spec.title, spec.caption, b"", 0.0, 0.0, placed))
            continue
        picture = emf.render(placed, metrics)
        caption = spec.caption
        if placed.keys:  # arrows whose stems stand too close for words carry a key
            legend = "，".join(f"{key}为{label}" for key, label in placed.keys)
            caption = f"{caption[:-1]}；图中{legend}。"
        charts.append(
            FlowChart(
                spec.title,
                caption,
                picture,
                placed.width,
                placed.height,
                layout=placed,
                font_path=font_path,
            )
        )
    return charts
