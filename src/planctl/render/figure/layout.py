"""Geometry of one chart, in millimetres at the printed size.

Top to bottom: the start event, the party that learns first, then one row per
tier. Between two rows every bus (one sender, one deadline, its receivers) gets
its own horizontal track: a stem down from the sender, the track, and a drop
with an arrowhead into each receiver. Rows are ordered by barycenter sweeps
that keep the ordering with the fewest crossings, then pulled towards their
neighbours without overlapping (pool-adjacent-violators). Tracks are ordered
by pairwise crossing cost. A time axis on the left gives each tier's
cumulative time.

A row too wide for the page first gets narrower boxes (names on more lines);
then parties that receive the same arrows and send none are grouped into one
box ("甲、乙、丙"), as offices write "各县人民政府". If that still does not fit,
``fit`` returns the reason instead of a layout: the chart is never silently
dropped or squeezed below the minimum type size.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from planctl import durations
from planctl.render.figure.charts import ChartGraph
from planctl.render.figure.labels import label_lines, wrap_list, wrap_name

PT_MM = 25.4 / 72  # one point in millimetres
MIN_GLYPH_PT = 9.0  # smallest printed glyph height the issue allows

_MARGIN = 2.0
_PAD_X = 1.8
_PAD_Y = 1.4
_LINE = 1.22  # line pitch in em
_GAP_X = 3.0  # between boxes of one row
_STEM = 2.4  # sender bottom to the first track
_DROP = 4.2  # last track to receiver top (holds the arrowhead)
_ARROW_LEN = 2.0
_ARROW_HALF = 0.85
_PORT = 2.2  # preferred spacing of several arrows on one box side
_AXIS_GAP = 3.0  # tick labels -> axis line -> first box
_START_GAP = 7.0
_AXIS_HEAD = "累计时限"


@dataclass(frozen=True)
class Metrics:
    """The chart face's measurements, so layout works in millimetres without a font file.

    The charts are vector: the viewer draws the text in its own 黑体/sans face
    and every glyph is placed by an explicit advance (EMF dx array, see emf.py),
    so the widths here are the widths printed, whichever face the viewer
    substitutes. CJK ideographs and full-width forms are one em; other
    characters take their advance from data/figure-font.json (Noto Sans CJK SC,
    the face the charts were tuned with, see scripts/figure_font_metrics.py).
    """

    min_pt: float  # smallest size whose ideograph ink height is at least 9 pt
    ink: float  # ink height of a full ideograph (国), in em
    centre: float  # its ink centre above the baseline, in em

    @staticmethod
    def standard() -> Metrics:
        data = _face()
        ink = data["ideograph_ink"] / data["units_per_em"]
        need = MIN_GLYPH_PT / max(ink, 0.5)
        centre = data["ideograph_centre"] / data["units_per_em"]
        return Metrics(math.ceil(max(10.5, need) * 2) / 2, ink, centre)

    def width(self, text: str, pt: float) -> float:
        return advance(text) * pt * PT_MM

    def ink_height(self, pt: float) -> float:
        """Printed height of a full CJK glyph at ``pt``, in points."""
        return self.ink * pt


@lru_cache(maxsize=1)
def _face() -> dict[str, Any]:
    from importlib import resources

    text = (resources.files("planctl") / "data" / "figure-font.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@lru_cache(maxsize=1)
def _table() -> dict[str, float]:
    data = _face()
    per_em = float(data["units_per_em"])
    return {ch: adv / per_em for ch, adv in data["advances"].items()}


#: Unicode categories that take no room on the line: nonspacing and enclosing marks
#: (a combining accent, a variation selector) and format characters (U+200B zero width
#: space, U+200C/U+200D joiners, U+FEFF, U+00AD soft hyphen, bidi controls)
ZERO_WIDTH_CATEGORIES = frozenset(("Mn", "Me", "Cf"))


def char_advance(ch: str) -> float:
    """Advance of one character in em: the table, else 0 for marks and format characters,
    else 1 em for wide forms, else 0.6 em.

    The table covers every punctuation, symbol and half-/full-width range a plan's
    names and deadlines use; the defaults serve ideographs (1 em) and rare scripts.
    A zero-width or combining character pasted into a name adds no width to a box
    (at 0.6 em it widened boxes and shifted every later glyph in the EMF's dx array).
    """
    adv = _table().get(ch)
    if adv is not None:
        return adv
    if unicodedata.category(ch) in ZERO_WIDTH_CATEGORIES:
        return 0.0
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.6


@lru_cache(maxsize=8192)
def advance(text: str) -> float:
    """Advance of a string in em (the sum of its characters': no kerning, as in the dx array)."""
    return sum(char_advance(ch) for ch in text)


Rect = tuple[float, float, float, float]


@dataclass
class Text:
    cx: float
    cy: float
    text: str
    pt: float
    anchor: str = "mm"  # Pillow anchor at (cx, cy)


@dataclass
class Box:
    rect: Rect
    lines: list[str]
    pt: float
    kind: str  # "party", "group", "start", "missing"
    members: list[int] = field(default_factory=list)  # graph nodes inside


@dataclass
class Layout:
    width: float
    height: float
    boxes: list[Box]
    node_box: list[int]  # graph node -> box index
    segments: list[tuple[tuple[float, float], tuple[float, float], int]]  # (p, q, bus) lines
    arrows: list[tuple[float, float]]  # tips, pointing down
    edge_arrow: dict[int, int]  # graph edge index -> arrow index
    labels: list[tuple[Rect, str, float]]  # arrow labels: rect, text, pt
    texts: list[Text]  # every other text (box lines, axis)
    axis: tuple[float, float, float] | None  # x, y0, y1 of the time axis line
    ticks: list[float]
    crossings: int
    dashed: list[int] = field(default_factory=list)  # boxes drawn with a dashed outline
    flush_right: list[bool] = field(default_factory=list)  # per label
    keys: list[tuple[str, str]] = field(default_factory=list)  # (key, label) on stems too close
    label_bus: list[int] = field(default_factory=list)  # per label: its bus (segment tag)


# --- crossings -------------------------------------------------------------------------
#: keys for arrows whose stems stand too close for their words
_KEYS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _label_wraps(text: str) -> list[list[str]]:
    """The label on its usual lines, then narrower: a new line after each "内"."""
    first = label_lines(text)
    finer: list[str] = []
    for line in first:
        i = line.find("内")
        finer += [line[: i + 1], line[i + 1 :]] if 0 < i < len(line) - 1 else [line]
    return [first, finer] if finer != first else [first]


def crossings(pairs: list[tuple[int, int]]) -> int:
    """Pairs of edges between two rows whose ends are in opposite order.

    ``pairs`` holds (position above, position below). Counted as inversions with
    a Fenwick tree, O(E log E); a full mesh puts thousands of edges in one gap.
    """
    pts = sorted(pairs)
    if len(pts) < 2:
        return 0
    size = max(b for _, b in pts) + 2
    tree = [0] * (size + 1)
    count = inserted = 0
    k = 0
    while k < len(pts):
        end = k
        while end < len(pts) and pts[end][0] == pts[k][0]:
            end += 1
        for _, b in pts[k:end]:  # earlier edges ending further right cross this one
            i, below = b + 1, 0
            while i > 0:
                below += tree[i]
                i -= i & -i
            count += inserted - below
        for _, b in pts[k:end]:
            i = b + 1
            while i <= size:
                tree[i] += 1
                i += i & -i
            inserted += 1
        k = end
    return count


def _order(rows: list[list[int]], edges: list[tuple[int, int]]) -> tuple[list[list[int]], int]:
    """Barycenter sweeps down and up; keep the ordering with the fewest crossings."""
    up: dict[int, list[int]] = {}
    down: dict[int, list[int]] = {}
    for a, b in edges:
        down.setdefault(a, []).append(b)
        up.setdefault(b, []).append(a)
    pos: dict[int, int] = {}

    def reindex() -> None:
        for row in rows:
            for i, v in enumerate(row):
                pos[v] = i

    def cost() -> int:
        return crossings([(pos[a], pos[b]) for a, b in edges]) if edges else 0

    reindex()
    best, best_cost = [list(r) for r in rows], cost()
    for sweep in range(8):
        if best_cost == 0:
            break
        downward = sweep % 2 == 0
        order = range(1, len(rows)) if downward else range(len(rows) - 2, -1, -1)
        nbrs = up if downward else down
        for r in order:
            rows[r].sort(
                key=lambda v, nb=nbrs: (  # type: ignore[misc]  # (mypy cannot type a default)
                    sum(pos[m] for m in nb[v]) / len(nb[v]) if nb.get(v) else pos[v],
                    pos[v],
                )
            )
            for i, v in enumerate(rows[r]):
                pos[v] = i
        c = cost()
        if c < best_cost:
            best, best_cost = [list(r) for r in rows], c
    return best, best_cost


def _pav(targets: list[float], offsets: list[float]) -> list[float]:
    """Positions closest to targets that keep order and minimum gaps (exact, one pass)."""
    blocks: list[list[float]] = []
    for t, s in zip(targets, offsets, strict=True):
        blocks.append([t - s, 1.0, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, c2 = blocks.pop()
            v1, w1, c1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    out: list[float] = []
    for v, _, c in blocks:
        out.extend([v] * int(c))
    return [y + s for y, s in zip(out, offsets, strict=True)]


# --- units: nodes or groups of nodes ----------------------------------------------------
@dataclass
class _Unit:
    members: list[int]
    tier: int
    lines: list[str]
    w: float
    h: float


def _units(
    g: ChartGraph, m: Metrics, pt: float, cap: int, grouped: set[tuple[int, ...]], avail: float
) -> list[_Unit]:
    """Boxes to place: single parties, and grouped parties sharing the room left in their row.

    Each row wraps its names only as much as it must to fit ``avail`` (a row of
    three keeps its names on one line when a row of ten needs them upright,
    one character a line), but never to more than ``cap`` characters a line.
    """
    line_h = pt * PT_MM * _LINE
    units: list[_Unit] = []
    done = {v for key in grouped for v in key}
    tiers = max(g.tier) + 1 if g.tier else 1
    groups_in = [0] * tiers
    for key in grouped:
        groups_in[g.tier[key[0]]] += 1
    members: list[list[int]] = [[] for _ in range(tiers)]
    for v in range(len(g.names)):
        if v not in done:
            members[g.tier[v]].append(v)
    used: dict[int, float] = {}
    for t in range(tiers):
        choice: list[tuple[int, list[str], float]] = []
        limit = cap if groups_in[t] else 8  # the cap only makes room for group boxes
        for chars in [c for c in (8, 6, 5, 4, 3, 2, 1) if c <= limit] or [limit]:
            choice = []
            for v in members[t]:
                name = g.names[v]
                # a name of up to four characters stays whole unless rows are very tight
                whole = (len(name) <= 3 and chars >= 2) or (len(name) <= 4 and chars >= 3)
                lines = [name] if whole else wrap_name(name, chars)
                choice.append((v, lines, max(m.width(s, pt) for s in lines) + 2 * _PAD_X))
            total = sum(w + _GAP_X for _, _, w in choice) + groups_in[t] * (28.0 + _GAP_X)
            if total - _GAP_X <= avail:
                break
        for v, lines, w in choice:
            units.append(_Unit([v], t, lines, w, len(lines) * line_h + 2 * _PAD_Y))
            used[t] = used.get(t, 0.0) + w + _GAP_X
    by_tier: dict[int, list[tuple[int, ...]]] = {}
    for key in sorted(grouped):
        by_tier.setdefault(g.tier[key[0]], []).append(key)
    for tier, keys in by_tier.items():
        room = avail - used.get(tier, 0.0) - _GAP_X * (len(keys) - 1)
        text = [sum(m.width(g.names[v], pt) for v in key) for key in keys]
        for key, size in zip(keys, text, strict=True):
            width = max(28.0, room * size / max(sum(text), 1e-6))
            names = [g.names[v] for v in key]
            lines = wrap_list(names, width - 2 * _PAD_X, lambda t: m.width(t, pt))
            w = max(m.width(s, pt) for s in lines) + 2 * _PAD_X
            h = len(lines) * line_h + 2 * _PAD_Y
            units.append(_Unit(list(key), tier, lines, w, h))
    units.sort(key=lambda u: min(u.members))
    return units


def _group_classes(g: ChartGraph, tier: int) -> list[tuple[int, ...]]:
    """Parties of one tier that send nothing onward and receive the same arrows."""
    senders = {a for a, _, _ in g.edges}
    incoming: dict[int, list[tuple[int, str]]] = {}
    for a, b, label in g.edges:
        incoming.setdefault(b, []).append((a, label))
    classes: dict[tuple[tuple[int, str], ...], list[int]] = {}
    for v in range(len(g.names)):
        if g.tier[v] == tier and v not in senders and v != 0:
            classes.setdefault(tuple(sorted(incoming.get(v, []))), []).append(v)
    out = [tuple(vs) for vs in classes.values() if len(vs) > 1]
    out.sort(key=lambda c: (-len(c), c))
    return out


# --- entry point ------------------------------------------------------------------------
def fit(g: ChartGraph, m: Metrics, max_w: float, max_h: float) -> Layout | str:
    """The layout with the largest type that fits, or the reason none does.

    Rows that cannot fit even with names on three-character lines first get
    their interchangeable parties grouped; rows that cannot be grouped may go
    down to upright one-character lines. Then, for each type size, the first
    line-length cap that fits wins (the shortest chart when groups are present,
    since narrower single boxes leave them more room).
    """
    sizes = sorted({p for p in (12.0, m.min_pt) if p >= m.min_pt}, reverse=True)
    tiers = max(g.tier) + 1 if g.tier else 1
    _, _, left = _axis(g, m)
    avail = max_w - left - _MARGIN
    last: Layout | None = None
    # compact: labels that do not fit beside their stem on their usual lines take a key
    # instead of narrower, taller lines (only when the chart does not fit otherwise)
    for compact in (False, True):
        for pt in sizes:
            grouped: set[tuple[int, ...]] = set()
            while True:
                over = [t for t, w in enumerate(_row_widths(g, m, pt, grouped, tiers)) if w > avail]
                classes = [c for t in over for c in _group_classes(g, t) if c not in grouped]
                if not classes:
                    break
                grouped.add(classes[0])
            chosen: Layout | None = None
            for cap in (8, 6, 5, 4, 3, 2, 1):
                lay = _build(g, m, pt, cap, grouped, max_w, compact)
                last = lay
                if lay.width <= max_w + 1e-6 and lay.height <= max_h + 1e-6:
                    # narrower names next to a group box only pay when the chart gets much shorter
                    if chosen is None or lay.height < 0.85 * chosen.height:
                        chosen = lay
                    if not grouped:
                        break  # without group boxes the longest lines make the shortest chart
            if chosen is not None:
                return chosen
    if last is not None and last.width > max_w + 1e-6:
        return (
            f"通报层级中同一层参与方过多，按不小于9磅的字号无法在{max_w:.0f}毫米宽的版面内排下，"
            "流程图未绘制"
        )
    return f"通报层级过多，按不小于9磅的字号无法在{max_h:.0f}毫米高的版面内排下，流程图未绘制"


def _row_widths(
    g: ChartGraph, m: Metrics, pt: float, grouped: set[tuple[int, ...]], tiers: int
) -> list[float]:
    """Width of each row with names on three-character lines and groups at their minimum."""
    done = {v for key in grouped for v in key}
    widths = [-_GAP_X] * tiers
    for v in range(len(g.names)):
        if v not in done:
            name = g.names[v]
            lines = [name] if len(name) <= 4 else wrap_name(name, 3)
            widths[g.tier[v]] += max(m.width(s, pt) for s in lines) + 2 * _PAD_X + _GAP_X
    for key in grouped:
        widths[g.tier[key[0]]] += 28.0 + _GAP_X
    return widths


def _axis(g: ChartGraph, m: Metrics) -> tuple[list[str], float, float]:
    """Tick texts of the time axis, its text width, and where the boxes may start."""
    lab_pt = m.min_pt
    tiers = max(g.tier) + 1 if g.tier else 1
    tier_min = [0.0] * tiers
    for v, t in enumerate(g.tier):
        if math.isfinite(g.minutes[v]):
            tier_min[t] = max(tier_min[t], g.minutes[v])
    ticks_text = ["获知"] + [
        f"{durations.humanize(tier_min[t], 'zh')}内" if tier_min[t] else "—"
        for t in range(1, tiers)
    ]
    axis_w = max(m.width(s, lab_pt) for s in [*ticks_text, _AXIS_HEAD]) if tiers > 1 else 0.0
    left = _MARGIN + (axis_w + 2 * _AXIS_GAP if tiers > 1 else 0.0)
    return ticks_text, axis_w, left


def _build(
    g: ChartGraph,
    m: Metrics,
    pt: float,
    chars: int,
    grouped: set[tuple[int, ...]],
    max_w: float,
    compact: bool = False,
) -> Layout:
    lab_pt = m.min_pt
    line_h = pt * PT_MM * _LINE
    tiers = max(g.tier) + 1 if g.tier else 1
    ticks_text, axis_w, left = _axis(g, m)
    axis_head = _AXIS_HEAD
    avail = max_w - left - _MARGIN

    units = _units(g, m, pt, chars, grouped, avail)
    unit_of = [0] * len(g.names)
    for i, u in enumerate(units):
        for v in u.members:
            unit_of[v] = i
    # unit edges with labels; bus = (sender unit, label)
    uedges: list[tuple[int, int, str]] = []
    seen: set[tuple[int, int, str]] = set()
    edge_unit: list[tuple[int, int, str]] = []
    for a, b, label in g.edges:
        key = (unit_of[a], unit_of[b], label)
        edge_unit.append(key)
        if key not in seen:
            seen.add(key)
            uedges.append(key)
    rows: list[list[int]] = [[] for _ in range(tiers)]
    for i, u in enumerate(units):
        rows[u.tier].append(i)
    rows, n_cross = _order(rows, [(a, b) for a, b, _ in uedges])

    # x: pack, then pull towards neighbours a few times (down, up)
    x = [0.0] * len(units)
    offsets: list[list[float]] = []
    for row in rows:
        acc, offs = 0.0, []
        for j, i in enumerate(row):
            if j:
                acc += (units[row[j - 1]].w + units[i].w) / 2 + _GAP_X
            offs.append(acc)
            x[i] = acc
        offsets.append(offs)
    parents: dict[int, list[int]] = {}
    children: dict[int, list[int]] = {}
    for a, b, _ in uedges:
        parents.setdefault(b, []).append(a)
        children.setdefault(a, []).append(b)
    for it in range(6):
        nb = parents if it % 2 == 0 else children
        seq = range(tiers) if it % 2 == 0 else range(tiers - 1, -1, -1)
        for r in seq:
            row = rows[r]
            if not row:
                continue
            targets = [sum(x[k] for k in nb[i]) / len(nb[i]) if nb.get(i) else x[i] for i in row]
            new = _pav(targets, offsets[r])
            for i, value in zip(row, new, strict=True):
                x[i] = value
    lo = min(x[i] - units[i].w / 2 for i in range(len(units)))
    hi = max(x[i] + units[i].w / 2 for i in range(len(units)))
    if hi - lo > avail + 1e-6:
        # pulling rows towards each other shifted them further apart than the page
        # allows: centre each packed row instead (every row fits on its own)
        for r, row in enumerate(rows):
            if not row:
                continue
            first, last_ = row[0], row[-1]
            span_r = offsets[r][-1] + units[last_].w / 2 + units[first].w / 2
            for i, off in zip(row, offsets[r], strict=True):
                x[i] = off + units[first].w / 2 - span_r / 2
        lo = min(x[i] - units[i].w / 2 for i in range(len(units)))
    for i in range(len(units)):
        x[i] += left - lo
    content_right = max(x[i] + units[i].w / 2 for i in range(len(units)))

    # buses per gap
    buses: list[tuple[int, str, list[int]]] = []  # (sender unit, label, receiver units)
    bus_index: dict[tuple[int, str], int] = {}
    for a, b, label in uedges:
        k = bus_index.setdefault((a, label), len(buses))
        if k == len(buses):
            buses.append((a, label, []))
        buses[k][2].append(b)
    gap_buses: list[list[int]] = [[] for _ in range(max(tiers - 1, 0))]
    for k, (a, _, _) in enumerate(buses):
        gap_buses[units[a].tier].append(k)

    # stems: several buses leave one box side by side, ordered by where they go
    stem_x = [0.0] * len(buses)
    by_sender: dict[int, list[int]] = {}
    for k, (a, _, _) in enumerate(buses):
        by_sender.setdefault(a, []).append(k)
    # stems of one sender stand at least a key's width apart where the box allows,
    # so a key (see below) never sits on a neighbouring stem
    key_gap = max(_PORT, m.width(_KEYS[0], lab_pt) + 0.8)
    for a, ks in by_sender.items():
        ks.sort(key=lambda k: (sum(x[b] for b in buses[k][2]) / len(buses[k][2]), k))
        sp = min(key_gap, 0.9 * units[a].w / max(len(ks) - 1, 1))
        for j, k in enumerate(ks):
            stem_x[k] = x[a] + (j - (len(ks) - 1) / 2) * sp
    # ports: several arrows into one box side by side, ordered by where they come from
    port: dict[tuple[int, int], float] = {}
    into: dict[int, list[int]] = {}
    for k, (_, _, rs) in enumerate(buses):
        for b in rs:
            into.setdefault(b, []).append(k)
    for b, ks in into.items():
        ks.sort(key=lambda k: (stem_x[k], k))
        sp = min(_PORT, 0.8 * units[b].w / max(len(ks), 1))
        stems_here = [stem_x[k2] for k2 in gap_buses[units[b].tier - 1]]
        for j, k in enumerate(ks):
            px = x[b] + (j - (len(ks) - 1) / 2) * sp
            # a drop must not run on the same vertical as another bus's stem
            for _ in range(4):
                clash = [s for s in stems_here if abs(s - px) < 0.8 and s != stem_x[k]]
                if not clash:
                    break
                px += 1.2 if px >= clash[0] else -1.2
            half = units[b].w / 2 - 0.6
            port[(k, b)] = min(max(px, x[b] - half), x[b] + half)

    # track order in each gap: pairwise crossing cost, adjacent swaps
    def span(k: int) -> tuple[float, float]:
        xs = [stem_x[k], *[port[(k, b)] for b in buses[k][2]]]
        return min(xs), max(xs)

    def above_cost(p: int, q: int) -> int:  # cost of bus p's track above bus q's
        sp_p, sp_q = span(p), span(q)
        c = 1 if sp_p[0] < stem_x[q] < sp_p[1] else 0
        c += sum(1 for b in buses[p][2] if sp_q[0] < port[(p, b)] < sp_q[1])
        return c

    tracks: list[list[int]] = []
    for ks in gap_buses:
        order = sorted(ks, key=lambda k: (stem_x[k], k))
        for _ in range(len(order)):
            changed = False
            for j in range(len(order) - 1):
                p, q = order[j], order[j + 1]
                if above_cost(q, p) < above_cost(p, q):
                    order[j], order[j + 1] = q, p
                    changed = True
            if not changed:
                break
        tracks.append(order)

    # arrow labels sit beside their own stem, in a zone under the senders where only
    # stems run (every track is below it). A label never covers another bus's stem: it
    # goes on the side and row where it fits, on narrower lines if need be; where stems
    # stand too close for any words, a key (①②…) sits on its own stem and the caption
    # says what it stands for.
    lab_line = lab_pt * PT_MM * 1.2
    clear = 0.3

    def size(lines: list[str]) -> tuple[float, float]:
        return max(m.width(s, lab_pt) for s in lines) + 0.8, len(lines) * lab_line + 0.5

    lab_text: dict[int, list[str]] = {}
    lab_size: dict[int, tuple[float, float]] = {}
    lab_x: dict[int, tuple[float, float]] = {}
    lab_row: dict[int, int] = {}
    keys: list[tuple[str, str]] = []
    zone_rows: list[list[float]] = []  # per gap: height of each label row
    for ks in gap_buses:
        stems = [(stem_x[k], k) for k in ks]
        rows_used: list[list[tuple[float, float]]] = []
        heights: list[float] = []
        for k in sorted(ks, key=lambda k: (stem_x[k], k)):
            heads = sum(port[(k, b)] for b in buses[k][2]) / len(buses[k][2])
            preferred = 0 if heads >= stem_x[k] - 0.01 else 1
            foreign = [sx_ for sx_, k2 in stems if k2 != k]
            best = None
            wraps = _label_wraps(buses[k][1])
            for wi, lines in enumerate(wraps[:1] if compact else wraps):
                w, h = size(lines)
                for side, (x0, x1) in enumerate(
                    ((stem_x[k] + 0.7, stem_x[k] + 0.7 + w), (stem_x[k] - 0.7 - w, stem_x[k] - 0.7))
                ):
                    if x0 < left - 1e-6 or x1 > max_w - _MARGIN + 1e-6:
                        continue
                    if any(x0 - clear < f < x1 + clear for f in foreign):
                        continue
                    for r in range(len(rows_used) + 1):
                        if r < len(rows_used) and any(
                            x0 < b + 0.6 and a - 0.6 < x1 for a, b in rows_used[r]
                        ):
                            continue
                        cost = 1.0 * r + 0.3 * (side != preferred) + 2.0 * wi
                        if best is None or cost < best[0]:
                            best = (cost, r, x0, x1, lines)
                        break
            if best is None:  # a key on its own stem, explained in the caption
                # stems with the same words share one key: the caption says each once
                mark = next((mk for mk, said in keys if said == buses[k][1]), "")
                if not mark:
                    mark = _KEYS[len(keys) % len(_KEYS)]
                    keys.append((mark, buses[k][1]))
                w = m.width(mark, lab_pt)  # the glyph alone: the stem runs through it
                x0, x1 = stem_x[k] - w / 2, stem_x[k] + w / 2
                r = next(
                    (
                        r
                        for r in range(len(rows_used))
                        if not any(x0 < b + 0.6 and a - 0.6 < x1 for a, b in rows_used[r])
                    ),
                    len(rows_used),
                )
                best = (0.0, r, x0, x1, [mark])
            _, r, x0, x1, lines = best
            if r == len(rows_used):
                rows_used.append([])
                heights.append(0.0)
            lab_text[k] = lines
            lab_size[k] = (x1 - x0, size(lines)[1])
            rows_used[r].append((x0, x1))
            heights[r] = max(heights[r], lab_size[k][1])
            lab_x[k] = (x0, x1)
            lab_row[k] = r
        zone_rows.append(heights)
    pitch = 1.8

    # y: start box, tier rows with their bands
    texts: list[Text] = []
    boxes: list[Box] = []
    y = _MARGIN
    start_lines = g.start or ["事件发生"]
    start_w = max(m.width(s, pt) for s in start_lines) + 2 * _PAD_X + 2.0
    start_h = len(start_lines) * line_h + 2 * _PAD_Y
    src = unit_of[0] if units else 0
    sx = x[src]
    start_rect = (sx - start_w / 2, y, sx + start_w / 2, y + start_h)
    if start_rect[0] < left:
        start_rect = (left, y, left + start_w, y + start_h)
    boxes.append(Box(start_rect, start_lines, pt, "start"))
    y += start_h + _START_GAP
    row_top = [0.0] * tiers
    row_h = [0.0] * tiers
    track_y: dict[int, float] = {}
    labels: list[tuple[Rect, str, float]] = []
    flush_right: list[bool] = []  # a label left of its stem ends at the stem
    label_bus: list[int] = []
    for t in range(tiers):
        row_top[t] = y
        row_h[t] = max((units[i].h for i in rows[t]), default=line_h)
        y += row_h[t]
        if t < tiers - 1:
            y += 1.0
            row_y = []
            for h in zone_rows[t]:
                row_y.append(y)
                y += h + 0.4
            for k in gap_buses[t]:
                x0, x1 = lab_x[k]
                y0 = row_y[lab_row[k]]
                labels.append(((x0, y0, x1, y0 + lab_size[k][1]), "\n".join(lab_text[k]), lab_pt))
                label_bus.append(k)
                flush_right.append(x1 <= stem_x[k])
            y += 0.8
            for k in tracks[t]:
                y += pitch / 2
                track_y[k] = y
                y += pitch / 2
            y += _DROP
    node_box = [0] * len(g.names)
    unit_box = [0] * len(units)
    for i, u in enumerate(units):
        rect = (x[i] - u.w / 2, row_top[u.tier], x[i] + u.w / 2, row_top[u.tier] + u.h)
        unit_box[i] = len(boxes)
        boxes.append(Box(rect, u.lines, pt, "group" if len(u.members) > 1 else "party", u.members))
        for v in u.members:
            node_box[v] = unit_box[i]

    segments: list[tuple[tuple[float, float], tuple[float, float], int]] = []
    arrows: list[tuple[float, float]] = []
    # the start arrow
    s_rect = boxes[0].rect
    src_rect = boxes[unit_box[src]].rect if units else s_rect
    ax = min(max(sx, s_rect[0] + 1), s_rect[2] - 1)
    segments.append(((ax, s_rect[3]), (ax, src_rect[1] - _ARROW_LEN), -1))
    arrows.append((ax, src_rect[1]))
    arrow_at: dict[tuple[int, int], int] = {}
    for k, (a, _, rs) in enumerate(buses):
        ty = track_y[k]
        top = boxes[unit_box[a]].rect[3]
        segments.append(((stem_x[k], top), (stem_x[k], ty), k))
        lo_x, hi_x = span(k)
        if hi_x - lo_x > 1e-6:
            segments.append(((lo_x, ty), (hi_x, ty), k))
        for b in rs:
            px = port[(k, b)]
            bottom = boxes[unit_box[b]].rect[1]
            segments.append(((px, ty), (px, bottom - _ARROW_LEN), k))
            arrow_at[(k, b)] = len(arrows)
            arrows.append((px, bottom))
    edge_arrow: dict[int, int] = {}
    for e, (ua, ub, label) in enumerate(edge_unit):
        edge_arrow[e] = arrow_at[(bus_index[(ua, label)], ub)]

    y_end = y
    width = max(content_right, start_rect[2], *(r[2] for r, _, _ in labels)) + _MARGIN
    dashed: list[int] = []
    if g.unreached:
        y_end += 5.0
        inner = max(width - left - _MARGIN, 60.0)
        lines = wrap_list(
            g.unreached, inner - 2 * _PAD_X - m.width("收不到通报：", pt), lambda s: m.width(s, pt)
        )
        lines = ["收不到通报：" + lines[0], *["　" * 6 + s for s in lines[1:]]]
        w = max(m.width(s, pt) for s in lines) + 2 * _PAD_X
        h = len(lines) * line_h + 2 * _PAD_Y
        dashed.append(len(boxes))
        boxes.append(Box((left, y_end, left + w, y_end + h), lines, pt, "missing"))
        y_end += h
        width = max(width, left + w + _MARGIN)
    height = y_end + _MARGIN

    axis = None
    ticks: list[float] = []
    if tiers > 1:
        axis_x = _MARGIN + axis_w + _AXIS_GAP
        ticks = [row_top[t] + row_h[t] / 2 for t in range(tiers)]
        axis = (axis_x, ticks[0], ticks[-1] + row_h[-1] / 2 + 2.0)
        for t, ty in enumerate(ticks):
            texts.append(Text(axis_x - _AXIS_GAP + 0.4, ty, ticks_text[t], lab_pt, "rm"))
        texts.append(
            Text(axis_x - _AXIS_GAP + 0.4, s_rect[1] + start_h / 2, axis_head, lab_pt, "rm")
        )
    return Layout(
        width=width,
        height=height,
        boxes=boxes,
        node_box=node_box,
        segments=segments,
        arrows=arrows,
        edge_arrow=edge_arrow,
        labels=labels,
        texts=texts,
        axis=axis,
        ticks=ticks,
        crossings=n_cross,
        dashed=dashed,
        flush_right=flush_right,
        keys=keys,
        label_bus=label_bus,
    )


# --- where the words sit (shared by the rasteriser and the EMF writer) ------------------
#: (x, y, text, pt, anchor) of one line of text, in mm; anchor as Pillow's ("mm", "lm", "rm")
Placed = tuple[float, float, str, float, str]


def box_text(box: Box) -> list[Placed]:
    """Each line of a box's words: centred, or flush left in a group or a missing party."""
    x0, y0, x1, y1 = box.rect
    pitch = box.pt * PT_MM * 1.22
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    n = len(box.lines)
    left = box.kind in ("group", "missing")
    return [
        (x0 + 1.8, ty, line, box.pt, "lm") if left else (cx, ty, line, box.pt, "mm")
        for j, line in enumerate(box.lines)
        for ty in [cy + (j - (n - 1) / 2) * pitch]
    ]


def label_text(lay: Layout) -> list[Placed]:
    """Each line of every arrow label, flush against the side its stem is on."""
    out: list[Placed] = []
    for i, (rect, label, pt) in enumerate(lay.labels):
        right = i < len(lay.flush_right) and lay.flush_right[i]
        x0, y0, x1, y1 = rect
        lines = label.split("\n")
        pitch = pt * PT_MM * 1.2
        for j, line in enumerate(lines):
            ty = (y0 + y1) / 2 + (j - (len(lines) - 1) / 2) * pitch
            out.append((x1 - 0.4, ty, line, pt, "rm") if right else (x0 + 0.4, ty, line, pt, "lm"))
    return out
