"""Text in the charts: breaking organ names into lines, and placing arrow labels.

A label belongs on its own arrow: each bus (one sender's arrows with one
deadline) has its own horizontal track, so a label sitting on that track can
never collide with another label; what it can hide is a vertical line of some
other arrow passing through the track, and placement minimises exactly that.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

# Break a long organ name after these characters when that keeps lines balanced:
# "河北省生态环境厅/应急中心" reads better than "河北省生态环/境厅应急中心".
_SPLIT_STRONG = "厅局委办府部院会司处所站队心团组"
_SPLIT_WEAK = "省市县区州盟旗镇乡"
_NO_START = "）)、，。；：”’%"  # never start a line with these


def wrap_name(name: str, max_chars: int) -> list[str]:
    """Balanced lines of at most about ``max_chars`` characters, split at word ends."""
    name = name.strip() or "—"
    if len(name) <= max_chars:
        return [name]
    n = math.ceil(len(name) / max_chars)
    lines: list[str] = []
    rest = name
    for k in range(n, 1, -1):
        target = len(rest) / k
        best, best_cost = None, float("inf")
        for cut in range(1, len(rest)):
            if cut > max_chars + 1 or len(rest) - cut > (k - 1) * (max_chars + 1):
                continue
            if rest[cut] in _NO_START or (rest[cut - 1].isascii() and rest[cut].isascii()):
                continue
            cost = 0.5 * abs(cut - target)
            if rest[cut - 1] in _SPLIT_STRONG:
                cost -= 1.6
            elif rest[cut - 1] in _SPLIT_WEAK:
                cost -= 0.8
            if cut > max_chars:
                cost += 2.5
            if cost < best_cost:
                best, best_cost = cut, cost
        if best is None:
            best = min(max_chars, len(rest) - 1)
        lines.append(rest[:best])
        rest = rest[best:]
    lines.append(rest)
    return lines


def wrap_list(names: list[str], width: float, measure: Callable[[str], float]) -> list[str]:
    """Names joined as 甲、乙、丙, filled into lines no wider than ``width``, never split."""
    lines: list[str] = []
    line = ""
    for i, name in enumerate(names):
        piece = name + ("、" if i < len(names) - 1 else "")
        if line and measure(line + piece) > width:
            lines.append(line)
            line = piece
        else:
            line += piece
        while measure(line) > width and len(line) > 1:  # a single name wider than the box
            cut = len(line) - 1
            while cut > 1 and measure(line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    return lines


Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Vertical:
    """A vertical line segment another label should not hide."""

    x: float
    y0: float
    y1: float
    owner: int  # bus index


def _hits(rect: Rect, v: Vertical) -> bool:
    return rect[0] < v.x < rect[2] and v.y0 < rect[3] and rect[1] < v.y1


def place_label(
    bus: int,
    size: tuple[float, float],
    track_y: float,
    stem_x: float,
    span: tuple[float, float],
    verticals: list[Vertical],
    bounds: tuple[float, float],
) -> Rect:
    """Where the label of one bus goes, on its own track, touching its own line.

    Candidates slide along the bus's horizontal span (the label then sits on
    its line, which runs into it from both sides) or sit just beside the stem.
    A label that hides another arrow's vertical line costs most; one that
    covers its own stem end or drops (the corners that show where the arrow
    turns) costs less; otherwise nearer the stem wins. ``bounds`` is the
    horizontal room (the time axis on the left is not room).
    """
    w, h = size
    lo_b, hi_b = bounds
    centers = [stem_x + 0.8 + w / 2, stem_x - 0.8 - w / 2]
    lo = max(span[0] - w / 2 + 1.5, lo_b + w / 2)
    hi = min(span[1] + w / 2 - 1.5, hi_b - w / 2)
    if hi >= lo:
        steps = max(1, int((hi - lo) / 0.75))
        centers += [lo + (hi - lo) * s / steps for s in range(steps + 1)]
    best: Rect | None = None
    best_score = float("inf")
    for cx in centers:
        cx = min(max(cx, lo_b + w / 2), hi_b - w / 2)
        rect = (cx - w / 2, track_y - h / 2, cx + w / 2, track_y + h / 2)
        score = 0.02 * abs(cx - stem_x)
        for v in verticals:
            if _hits(rect, v):
                score += 1.5 if v.owner == bus else 20.0
        if score < best_score:
            best, best_score = rect, score
    assert best is not None
    return best
