"""The first flow figure (one tangle of every rule), kept until the document uses flow_charts.

The figure is a picture, not a DOCX drawing, because Word and LibreOffice lay
out DrawingML shapes differently while a PNG looks the same everywhere and
prints the same in black and white. Everything here is pure Python on top of
Pillow so that no Graphviz binary has to be installed in a government office.

Layout is a small Sugiyama pipeline: rank by BFS and break cycles with the BFS
visit order, longest-path layering, dummy nodes on edges that skip layers (so a
long edge is routed through its own slot instead of across boxes), barycenter
ordering with adjacent swaps, and an isotonic (pool-adjacent-violators)
coordinate pass that pulls nodes towards their neighbours without letting them
overlap. All geometry is computed in units of the box font size and only scaled
to pixels at the end, which lets us choose the orientation and the font size
that fit the printed page best.

Output must be byte-identical for the same input (rendered DOCX files are), so
nothing iterates a ``set`` of strings (hash order changes per process), and the
PNG is written without metadata at a fixed compression level.
"""

from __future__ import annotations

import io
import itertools
import math
import os
from collections import deque

from PIL import Image, ImageDraw, ImageFont

from planctl.render.figure.fonts import find_cjk_font
from planctl.render.figure.fonts import load as _load

# --- page-driven constants ------------------------------------------------------------
# The figure goes into a landscape A4 annex (225 mm x 156 mm text area) at 95 % of the
# text width, below an annex heading and above a caption: about 214 mm x 130 mm.
_MAX_ASPECT = 0.6  # height / width that still fits that page
_FONT_MAX = 32  # px at width 2000: about 9 pt when printed 214 mm wide
_FONT_FLOOR = 22  # px: the height cap may not push box text below about 6.5 pt
_SS = 2  # supersampling factor for antialiased lines and curves
_PNG_LEVEL = 6  # fixed zlib level: output bytes must not depend on Pillow defaults
_TB_GAIN = 1.08  # top-to-bottom must give this much larger text to win over left-to-right

# --- geometry, in units of the box font size -------------------------------------------
_LINE = 1.32  # line pitch inside a box
_BOX_PAD_X = 0.9
_BOX_PAD_Y = 0.55
_LABEL_SCALE = 0.78  # edge-label font relative to box font
_LABEL_PAD_X = 0.28
_LABEL_PAD_Y = 0.12
_ARROW_LEN = 0.72
_ARROW_HALF = 0.27
_DUMMY = 1.0  # cross-axis size of a dummy slot (a long edge passing through a layer)
_MARGIN = 0.8
_WRAP_AT = 9  # labels longer than this many characters go on two lines

_INK = 0  # text
_LINE_INK = 45  # edges and arrowheads: dark grey, still solid on a laser printer
_BOX_FILL = 244  # very light grey so boxes read as boxes even where edges are dense

# Split a long organ name after these characters when that keeps the lines balanced:
# "河北省生态环境厅/应急中心" reads better than "河北省生态环/境厅应急中心".
_SPLIT_STRONG = "厅局委办府部院会司处所站队心团"
_SPLIT_WEAK = "省市县区州盟旗镇乡"


# --- graph preparation ---------------------------------------------------------------
def _prepare(
    nodes: list[tuple[str, str]], edges: list[tuple[str, str, str]]
) -> tuple[list[str], list[tuple[int, int, str]]]:
    """Node labels and merged edges on integer ids.

    Parallel rules between the same two parties become one arrow whose label lists
    each distinct deadline once; an arrow per rule would stack on top of itself.
    Parties that appear only in an edge are drawn under their id rather than
    dropped, so a figure never silently loses a recipient.
    """
    index: dict[str, int] = {}
    labels: list[str] = []

    def node(nid: str, label: str) -> int:
        if nid not in index:
            index[nid] = len(labels)
            labels.append(label)
        return index[nid]

    for nid, label in nodes:
        node(str(nid), str(label) if label else str(nid))
    merged: dict[tuple[int, int], list[str]] = {}
    for src, dst, label in edges:
        if str(src) == str(dst):
            continue
        key = (node(str(src), str(src)), node(str(dst), str(dst)))
        bucket = merged.setdefault(key, [])
        text = str(label or "").strip()
        if text and text not in bucket:
            bucket.append(text)
    return labels, [(u, v, " / ".join(ls)) for (u, v), ls in merged.items()]


def _bfs_order(n: int, pairs: list[tuple[int, int]]) -> list[int]:
    """Visit rank of each node in a BFS from the parties nobody notifies.

    Those are where information enters the plan, so they belong on the left. If
    every party is notified by someone (a ring), start at the first party listed.
    Parts the BFS cannot reach are started from their first-listed node.
    """
    succ: list[list[int]] = [[] for _ in range(n)]
    indeg = [0] * n
    for u, v in pairs:
        succ[u].append(v)
        indeg[v] += 1
    rank = [-1] * n
    counter = 0
    queue: deque[int] = deque()
    roots = [i for i in range(n) if indeg[i] == 0 and succ[i]] or [0]
    roots += [i for i in range(n) if indeg[i] == 0 and i not in roots]
    for r in roots:
        rank[r], counter = counter, counter + 1
        queue.append(r)
    while True:
        while queue:
            u = queue.popleft()
            for v in succ[u]:
                if rank[v] < 0:
                    rank[v], counter = counter, counter + 1
                    queue.append(v)
        rest = [i for i in range(n) if rank[i] < 0]
        if not rest:
            return rank
        rank[rest[0]], counter = counter, counter + 1
        queue.append(rest[0])


def _layering(n: int, dag: list[tuple[int, int]], rank: list[int]) -> list[int]:
    """Longest-path layers; sources then move right next to their first target.

    Longest path (rather than plain BFS depth) guarantees that every edge points
    to a later layer, so only reversed edges ever run backwards.
    """
    preds: list[list[int]] = [[] for _ in range(n)]
    succs: list[list[int]] = [[] for _ in range(n)]
    for u, v in dag:
        preds[v].append(u)
        succs[u].append(v)
    layer = [0] * n
    for v in sorted(range(n), key=rank.__getitem__):
        layer[v] = max((layer[u] + 1 for u in preds[v]), default=0)
    for v in sorted(range(n), key=rank.__getitem__, reverse=True):
        if not preds[v] and succs[v]:
            layer[v] = min(layer[w] for w in succs[v]) - 1
    used = sorted(dict.fromkeys(layer))
    compact = {value: i for i, value in enumerate(used)}
    return [compact[value] for value in layer]


# --- ordering inside layers ------------------------------------------------------------
def _crossings(segs: list[tuple[int, int]], pos: list[int]) -> int:
    """Pairs of segments in one gap whose ends are in opposite order.

    Counted as inversions with a Fenwick tree, O(S log S): dense plans put
    hundreds of segments in one gap and the quadratic count made rendering hang.
    """
    pts = sorted((pos[u], pos[v]) for u, v in segs)
    if len(pts) < 2:
        return 0
    size = max(v for _, v in pts) + 2
    tree = [0] * (size + 1)

    def add(i: int) -> None:
        i += 1
        while i <= size:
            tree[i] += 1
            i += i & -i

    def prefix(i: int) -> int:  # how many inserted values are <= i
        i += 1
        total = 0
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    count = inserted = 0
    k = 0
    while k < len(pts):
        group_end = k
        while group_end < len(pts) and pts[group_end][0] == pts[k][0]:
            group_end += 1
        for _, qv in pts[k:group_end]:  # earlier groups with a larger far end cross
            count += inserted - prefix(qv)
        for _, qv in pts[k:group_end]:
            add(qv)
            inserted += 1
        k = group_end
    return count


def _order(
    layers: list[list[int]], up: list[list[int]], down: list[list[int]], gsegs: list
) -> list[list[int]]:
    """Barycenter sweeps, then adjacent swaps; keeps the best ordering seen."""
    total = sum(len(layer) for layer in layers)
    pos = [0] * total

    def reindex() -> None:
        for layer in layers:
            for i, v in enumerate(layer):
                pos[v] = i

    def cost() -> int:
        return sum(_crossings(gsegs[i], pos) for i in range(len(layers) - 1))

    reindex()
    best, best_cost = [list(x) for x in layers], cost()
    for sweep in range(8):
        if best_cost == 0:
            break
        downward = sweep % 2 == 0
        idx = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        nbrs = up if downward else down
        for i in idx:

            def bary(v: int, nb: list[list[int]] = nbrs) -> tuple[float, int]:
                ns = nb[v]
                return (sum(pos[m] for m in ns) / len(ns) if ns else pos[v], pos[v])

            layers[i].sort(key=bary)
            for j, v in enumerate(layers[i]):
                pos[v] = j
        c = cost()
        if c < best_cost:
            best, best_cost = [list(x) for x in layers], c
    layers[:] = [list(x) for x in best]
    reindex()
    improved = best_cost > 0
    rounds = 0
    budget = 20_000  # adjacent-swap trials; bounds the time on very dense plans
    while improved and rounds < 6 and budget > 0:
        improved, rounds = False, rounds + 1
        for i, layer in enumerate(layers):
            for j in range(len(layer) - 1):
                budget -= 1
                if budget <= 0:
                    break
                before = _local(i, layers, gsegs, pos)
                layer[j], layer[j + 1] = layer[j + 1], layer[j]
                pos[layer[j]], pos[layer[j + 1]] = j, j + 1
                if _local(i, layers, gsegs, pos) < before:
                    improved = True
                else:
                    layer[j], layer[j + 1] = layer[j + 1], layer[j]
                    pos[layer[j]], pos[layer[j + 1]] = j, j + 1
    return layers


def _local(i: int, layers: list[list[int]], gsegs: list, pos: list[int]) -> int:
    """Crossings in the two gaps next to layer i (what a swap in layer i can change)."""
    c = 0
    if i > 0:
        c += _crossings(gsegs[i - 1], pos)
    if i < len(layers) - 1:
        c += _crossings(gsegs[i], pos)
    return c


# --- coordinates -----------------------------------------------------------------------
def _pav(targets: list[float], weights: list[float], offsets: list[float]) -> list[float]:
    """Positions closest (weighted L2) to targets that keep order and minimum gaps.

    With y = x - offset the gap constraints become "y is non-decreasing", which
    pool-adjacent-violators solves exactly in one pass.
    """
    blocks: list[list[float]] = []
    for t, w, s in zip(targets, weights, offsets, strict=True):
        blocks.append([t - s, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, c2 = blocks.pop()
            v1, w1, c1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    out: list[float] = []
    for v, _, c in blocks:
        out.extend([v] * int(c))
    return [y + s for y, s in zip(out, offsets, strict=True)]


def _coordinates(
    layers: list[list[int]],
    up: list[list[int]],
    down: list[list[int]],
    size: list[float],
    real: int,
    gap_real: float,
    gap_dummy: float,
) -> list[float]:
    """Cross-axis centres: packed first, then pulled towards neighbours a few times."""
    x = [0.0] * len(size)
    offsets: list[list[float]] = []
    for layer in layers:
        acc, offs = 0.0, []
        for j, v in enumerate(layer):
            if j:
                w = layer[j - 1]
                g = gap_real if v < real and w < real else gap_dummy
                acc += (size[v] + size[w]) / 2 + g
            offs.append(acc)
            x[v] = acc
        offsets.append(offs)
    n = len(layers)
    passes: list[tuple[range, list[list[list[int]]]]] = []
    for k in range(10):
        if k % 2 == 0:
            passes.append((range(1, n), [up]))
        else:
            passes.append((range(n - 2, -1, -1), [down]))
    passes.append((range(n), [up, down]))
    for idx, sources in passes:
        for i in idx:
            layer = layers[i]
            targets, weights = [], []
            for v in layer:
                ns = [m for nb in sources for m in nb[v]]
                if ns:
                    targets.append(sum(x[m] for m in ns) / len(ns))
                    weights.append((4.0 if v >= real else 1.0) * len(ns))
                else:
                    targets.append(x[v])
                    weights.append(0.05)
            for v, value in zip(layer, _pav(targets, weights, offsets[i]), strict=True):
                x[v] = value
    low = min(x[v] - size[v] / 2 for layer in layers for v in layer)
    return [value - low for value in x]


# --- text ----------------------------------------------------------------------------
def _wrap(label: str) -> list[str]:
    """One line, or two balanced lines split where an organ name naturally breaks."""
    label = " ".join(label.split())
    if len(label) <= _WRAP_AT:
        return [label]
    if " " in label:
        mid = len(label) / 2
        cut = min((i for i, ch in enumerate(label) if ch == " "), key=lambda i: abs(i - mid))
        return [label[:cut], label[cut + 1 :]]
    best, best_score = len(label) // 2, float("inf")
    for cut in range(2, len(label) - 1):
        score = max(cut, len(label) - cut)
        ch = label[cut - 1]
        score -= 3 if ch in _SPLIT_STRONG else 2 if ch in _SPLIT_WEAK else 0
        if score < best_score:
            best, best_score = cut, score
    return [label[:best], label[best:]]


def _gap(horizontal: bool, widths: list[float], lab_h: float, cross_ext: float) -> float:
    """Distance between two layers, grown with the deadline labels that must fit there.

    Left-to-right, labels sit side by side along the gap, so a busy gap needs room
    for two staggered labels; top-to-bottom, labels line up across the gap and the
    gap needs as many label rows as the total label width requires.
    """
    widths = [w for w in widths if w]
    if not widths:
        return 3.4
    if horizontal:
        widest = max(widths)
        return max(4.2, (1.7 if len(widths) > 2 else 1.0) * widest + 2.6)
    rows = math.ceil(sum(w + 0.6 for w in widths) / max(cross_ext * 0.6, 1.0))
    return max(4.0, 2.2 + rows * (lab_h + 0.4))


def _place_labels(
    segments: list[list[list[tuple[float, float]]]],
    paths: list[list[tuple[float, float]]],
    sizes: list[tuple[float, float]],
    obstacles: list[tuple[float, float, float, float]],
    extent: tuple[float, float],
    order: list[int],
) -> dict[int, tuple[float, float, float, float]]:
    """Greedy label positions: on the edge's own line, near its middle, clear of
    boxes, arrowheads and earlier labels, covering as little of other edges as
    possible. A label that must sit off its line goes right beside it.

    Other edges' points are bucketed on a unit grid so that scoring a candidate is
    cheap enough for 30 parties and a few hundred candidates per edge.
    """
    grid: dict[tuple[int, int], list[tuple[int, float, float]]] = {}
    for k, path in enumerate(paths):
        for x, y in path:
            grid.setdefault((int(x), int(y)), []).append((k, x, y))
    ts = (0.5, 0.42, 0.58, 0.34, 0.66, 0.27, 0.73, 0.2, 0.8)
    placed: dict[int, tuple[float, float, float, float]] = {}
    halos: list[tuple[float, float, float, float]] = []
    for i in order:
        lw, lh = sizes[i]
        if not lw:
            continue
        dy, dx = lh / 2 + 0.12, lw / 2 + 0.15
        nudges = ((0.0, 0.0, 0.0), (0.0, -dy, 1.2), (0.0, dy, 1.2), (-dx, 0.0, 1.6), (dx, 0.0, 1.6))
        best, best_score = None, float("inf")
        for s, seg in enumerate(segments[i]):
            for t in ts if len(seg) > 2 else (0.5,):
                pos = t * (len(seg) - 1)
                j = min(int(pos), len(seg) - 2)
                frac = pos - j
                mx = seg[j][0] + (seg[j + 1][0] - seg[j][0]) * frac
                my = seg[j][1] + (seg[j + 1][1] - seg[j][1]) * frac
                for ox, oy, extra in nudges:
                    cx, cy = mx + ox, my + oy
                    rect = (cx - lw / 2, cy - lh / 2, cx + lw / 2, cy + lh / 2)
                    score = 3.0 * abs(t - 0.5) + 0.4 * s + extra
                    if rect[0] < 0 or rect[1] < 0 or rect[2] > extent[0] or rect[3] > extent[1]:
                        score += 1000
                    x0, y0, x1, y1 = rect
                    for ob in obstacles:
                        if ob[0] < x1 and x0 < ob[2] and ob[1] < y1 and y0 < ob[3]:
                            score += 1000 + 200 * _overlap(rect, ob)
                    for other in halos:
                        if other[0] < x1 and x0 < other[2] and other[1] < y1 and y0 < other[3]:
                            score += 400 + 200 * _overlap(rect, other)
                    if score >= best_score:
                        continue
                    hidden = 0
                    for gx in range(int(rect[0]) - 1, int(rect[2]) + 1):
                        for gy in range(int(rect[1]) - 1, int(rect[3]) + 1):
                            for k, x, y in grid.get((gx, gy), ()):
                                if k != i and rect[0] < x < rect[2] and rect[1] < y < rect[3]:
                                    hidden += 1
                    score += 1.5 * hidden
                    if score < best_score:
                        best, best_score = rect, score
        if best is not None:
            placed[i] = best
            # a wide margin sideways: two labels end to end would read as one
            halos.append((best[0] - 0.6, best[1] - 0.12, best[2] + 0.6, best[3] + 0.12))
    return placed


# --- drawing helpers -------------------------------------------------------------------
def _bezier(p0: tuple[float, float], p1: tuple[float, float], steps: int) -> list:
    """Points of a cubic from p0 to p1 with tangents along the main axis at both ends.

    Coordinates are (main, cross). Main-axis tangents make chains through dummy
    slots smooth and make every edge meet a box square-on, where the arrowhead is.
    """
    (m0, c0), (m1, c1) = p0, p1
    k = (m1 - m0) * 0.5
    pts = []
    for s in range(steps + 1):
        t = s / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        pts.append((a * m0 + b * (m0 + k) + c * (m1 - k) + d * m1, (a + b) * c0 + (c + d) * c1))
    return pts


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


# --- public entry point ----------------------------------------------------------------
def flow_png(
    nodes: list[tuple[str, str]],
    edges: list[tuple[str, str, str]],
    *,
    font_path: str | None = None,
    width: int = 2000,
) -> bytes | None:
    """PNG bytes of the notification flow (信息通报流程图), or None without a CJK font.

    ``nodes`` are (party id, short name); ``edges`` are (from id, to id, deadline
    text). A missing or unreadable font yields None rather than an exception so
    that the caller can still produce the document, just without the figure:
    boxes of tofu would be worse than no figure at all.
    """
    path = font_path if font_path and os.path.isfile(font_path) else find_cjk_font()
    if path is None:
        return None
    try:
        ref = _load(path, 100)
    except OSError:
        return None
    labels, merged = _prepare(nodes, edges)
    if not labels:
        return None
    return _render(labels, merged, path, ref, max(200, int(width)))


def _render(
    labels: list[str],
    merged: list[tuple[int, int, str]],
    path: str,
    ref: ImageFont.FreeTypeFont,
    width: int,
) -> bytes:
    n = len(labels)
    rank = _bfs_order(n, [(u, v) for u, v, _ in merged])
    # layout edges: (earlier, later, label, reversed)
    ledges = [(u, v, t, False) if rank[u] < rank[v] else (v, u, t, True) for u, v, t in merged]
    layer = _layering(n, [(a, b) for a, b, _, _ in ledges], rank)
    nlayers = max(layer) + 1

    layers: list[list[int]] = [[] for _ in range(nlayers)]
    for v in sorted(range(n), key=rank.__getitem__):
        layers[layer[v]].append(v)
    chains: list[list[int]] = []
    node_layer = list(layer)
    for a, b, _, _ in ledges:
        chain = [a]
        for lay in range(layer[a] + 1, layer[b]):
            d = len(node_layer)
            node_layer.append(lay)
            layers[lay].append(d)
            chain.append(d)
        chain.append(b)
        chains.append(chain)
    total = len(node_layer)
    up: list[list[int]] = [[] for _ in range(total)]
    down: list[list[int]] = [[] for _ in range(total)]
    gsegs: list[list[tuple[int, int]]] = [[] for _ in range(max(nlayers - 1, 0))]
    for chain in chains:
        for p, q in itertools.pairwise(chain):
            down[p].append(q)
            up[q].append(p)
            gsegs[node_layer[p]].append((p, q))
    layers = _order(layers, up, down, gsegs)
    crossing: list[list[int]] = [[] for _ in range(max(nlayers - 1, 0))]
    for i, (a, b, _, _) in enumerate(ledges):
        for g in range(layer[a], layer[b]):
            crossing[g].append(i)

    lines = [_wrap(label) for label in labels]
    text_w = max(ref.getlength(line) / 100 for ls in lines for line in ls)
    nlines = max(len(ls) for ls in lines)
    box_w = text_w + 2 * _BOX_PAD_X
    box_h = nlines * _LINE + 2 * _BOX_PAD_Y
    lab_w = [
        (ref.getlength(t) / 100 * _LABEL_SCALE + 2 * _LABEL_PAD_X) if t else 0.0
        for _, _, t, _ in ledges
    ]
    lab_h = _LABEL_SCALE * 1.2 + 2 * _LABEL_PAD_Y

    plans = []
    for horizontal in (True, False):
        m_size, c_size = (box_w, box_h) if horizontal else (box_h, box_w)
        size = [c_size] * n + [_DUMMY] * (total - n)
        gap_real, gap_dummy = (1.4, 0.6) if horizontal else (1.4, 0.7)
        cross = _coordinates(layers, up, down, size, n, gap_real, gap_dummy)
        cross_ext = max(cross[v] + size[v] / 2 for v in range(total))
        gaps = [
            _gap(horizontal, [lab_w[i] for i in crossing[g]], lab_h, cross_ext)
            for g in range(nlayers - 1)
        ]
        starts = [0.0]
        for gap in gaps:
            starts.append(starts[-1] + m_size + gap)
        main_ext = starts[-1] + m_size
        w_u, h_u = (main_ext, cross_ext) if horizontal else (cross_ext, main_ext)
        w_u, h_u = w_u + 2 * _MARGIN, h_u + 2 * _MARGIN
        fit_w = width / w_u
        fit_h = width * _MAX_ASPECT / h_u
        f = min(fit_w, _FONT_MAX * width / 2000, max(fit_h, _FONT_FLOOR * width / 2000))
        plans.append((f, horizontal, m_size, c_size, size, cross, starts, w_u, h_u))
    # Left-to-right reads as a flow; go top-to-bottom only when it gives clearly larger text.
    plan = plans[1] if plans[1][0] > plans[0][0] * _TB_GAIN else plans[0]
    f_float, horizontal, m_size, c_size, size, cross, starts, w_u, h_u = plan
    fs = max(6, int(f_float))

    def xy(m: float, c: float) -> tuple[float, float]:
        return (m, c) if horizontal else (c, m)

    # ports: spread several edges along the box side, in the order of their far ends
    port_out: dict[int, float] = {}
    port_in: dict[int, float] = {}
    spread_max = 1.0 if horizontal else 1.5
    for v in range(n):
        outs = sorted(
            (i for i, ch in enumerate(chains) if ch[0] == v), key=lambda i: (cross[chains[i][1]], i)
        )
        ins = sorted(
            (i for i, ch in enumerate(chains) if ch[-1] == v),
            key=lambda i: (cross[chains[i][-2]], i),
        )
        for group, target in ((outs, port_out), (ins, port_in)):
            k = len(group)
            sp = min(spread_max, 0.8 * c_size / max(k, 1))
            for j, i in enumerate(group):
                target[i] = cross[v] + (j - (k - 1) / 2) * sp

    boxes = []
    for v in range(n):
        m0 = starts[node_layer[v]]
        x0, y0 = xy(m0, cross[v] - c_size / 2)
        x1, y1 = xy(m0 + m_size, cross[v] + c_size / 2)
        boxes.append((x0 + _MARGIN, y0 + _MARGIN, x1 + _MARGIN, y1 + _MARGIN))

    # edge paths in (main, cross); arrows sit where the original rule points
    paths: list[list[tuple[float, float]]] = []
    segments: list[list[tuple[int, list[tuple[float, float]]]]] = []
    arrows: list[tuple[tuple[float, float], float]] = []  # (tip (main, cross), main dir)
    for i, chain in enumerate(chains):
        rev = ledges[i][3]
        start = (starts[node_layer[chain[0]]] + m_size, port_out[i])
        end = (starts[node_layer[chain[-1]]], port_in[i])
        if rev:
            arrows.append((start, -1.0))
            start = (start[0] + _ARROW_LEN, start[1])
        else:
            arrows.append((end, 1.0))
            end = (end[0] - _ARROW_LEN, end[1])
        pts = [start]
        for d in chain[1:-1]:
            pts += [(starts[node_layer[d]], cross[d]), (starts[node_layer[d]] + m_size, cross[d])]
        pts.append(end)
        full: list[tuple[float, float]] = []
        segs: list[tuple[int, list[tuple[float, float]]]] = []
        for s in range(len(pts) - 1):
            if s % 2 == 0:
                seg = _bezier(pts[s], pts[s + 1], 24)
            else:
                seg = [pts[s], pts[s + 1]]
            segs.append((s, seg))
            full.extend(seg if not full else seg[1:])
        paths.append(full)
        segments.append(segs)

    def to_xy(p: tuple[float, float]) -> tuple[float, float]:
        x, y = xy(*p)
        return x + _MARGIN, y + _MARGIN

    xy_paths = [[to_xy(p) for p in path_] for path_ in paths]

    # edge labels: greedy placement on the edge, away from boxes and earlier labels
    obstacles = [(x0 - 0.25, y0 - 0.25, x1 + 0.25, y1 + 0.25) for x0, y0, x1, y1 in boxes]
    for (tip_m, tip_c), direction in arrows:
        x0, y0 = to_xy((tip_m, tip_c - _ARROW_HALF))
        x1, y1 = to_xy((tip_m - direction * _ARROW_LEN, tip_c + _ARROW_HALF))
        obstacles.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    placed = _place_labels(
        [[[to_xy(p) for p in seg] for _, seg in segs] for segs in segments],
        xy_paths,
        [(w, lab_h) for w in lab_w],
        obstacles,
        (w_u, h_u),
        sorted(range(len(chains)), key=lambda i: (len(chains[i]), i)),
    )

    # --- raster ---
    height = math.ceil(h_u * fs)
    off_x = (width - w_u * fs) / 2
    big = Image.new("L", (width * _SS, height * _SS), 255)
    draw = ImageDraw.Draw(big)
    k = fs * _SS

    def px(p: tuple[float, float]) -> tuple[float, float]:
        return ((off_x / fs + p[0]) * k, p[1] * k)

    line_w = max(2, round(0.075 * k))
    for path_ in xy_paths:
        draw.line([px(p) for p in path_], fill=_LINE_INK, width=line_w, joint="curve")
    box_w_px = max(2, round(0.08 * k))
    for box in boxes:
        x0, y0 = px((box[0], box[1]))
        x1, y1 = px((box[2], box[3]))
        draw.rounded_rectangle(
            (x0, y0, x1, y1), radius=0.35 * k, fill=_BOX_FILL, outline=_INK, width=box_w_px
        )
    for (tip_m, tip_c), direction in arrows:
        base = tip_m - direction * _ARROW_LEN
        tri = [
            to_xy((tip_m, tip_c)),
            to_xy((base, tip_c - _ARROW_HALF)),
            to_xy((base, tip_c + _ARROW_HALF)),
        ]
        draw.polygon([px(p) for p in tri], fill=_LINE_INK)
    # a box reduction is exactly what supersampling needs, and ~10x cheaper than Lanczos
    img = big.reduce(_SS)

    # text at final resolution: FreeType hinting keeps it crisper than downsampling
    draw = ImageDraw.Draw(img)
    box_font = _load(path, fs)
    lab_font = _load(path, round(fs * _LABEL_SCALE))

    def fpx(x: float, y: float) -> tuple[float, float]:
        return (off_x + x * fs, y * fs)

    for i, rect in sorted(placed.items()):
        x0, y0 = fpx(rect[0], rect[1])
        x1, y1 = fpx(rect[2], rect[3])
        draw.rectangle((round(x0), round(y0), round(x1), round(y1)), fill=255)
        draw.text(
            fpx((rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2),
            ledges[i][2],
            font=lab_font,
            fill=_INK,
            anchor="mm",
        )
    for v, box in enumerate(boxes):
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        ls = lines[v]
        for j, text in enumerate(ls):
            draw.text(
                fpx(cx, cy + (j - (len(ls) - 1) / 2) * _LINE),
                text,
                font=box_font,
                fill=_INK,
                anchor="mm",
            )
    # trim the white margin a narrow top-to-bottom layout leaves on a fixed-width canvas,
    # so the document can scale the drawing itself, not empty paper
    bbox = Image.eval(img, lambda v: 255 - v).getbbox()
    if bbox is not None:
        pad = 24
        img = img.crop(
            (
                max(0, bbox[0] - pad),
                max(0, bbox[1] - pad),
                min(img.width, bbox[2] + pad),
                min(img.height, bbox[3] + pad),
            )
        )
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False, compress_level=_PNG_LEVEL)
    return out.getvalue()
