"""Text in the charts: breaking organ names into lines, and placing arrow labels.

A label belongs on its own arrow. Each bus (one sender's arrows with one
deadline) is labelled once, right beside its stem just under the sender, in a
zone that only stems cross, so a label cannot hide a track or a drop; layout
keeps it clear of other stems too (narrower lines, or a key on its own stem).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

# Break a long organ name after these characters when that keeps lines balanced:
# "河北省生态环境厅/应急中心" reads better than "河北省生态环/境厅应急中心".
_SPLIT_STRONG = "厅局委办府部院会司处所站队心团组"
_SPLIT_WEAK = "省市县区州盟旗镇乡"
_NO_START = "）)、，。；：”’%"  # never start a line with these


def wrap_name(name: str, max_chars: int) -> list[str]:
    """Balanced lines of at most about ``max_chars`` characters, split at word ends."""
    return list(_wrap_name(name, max_chars))


@lru_cache(maxsize=4096)
def _wrap_name(name: str, max_chars: int) -> tuple[str, ...]:
    name = name.strip() or "—"
    if len(name) <= max_chars:
        return (name,)
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
    return tuple(lines)


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


def label_lines(text: str) -> list[str]:
    """30分钟内电话、1小时内书面 on two lines, split where the sentence pauses."""
    if "、" in text:
        head, tail = text.split("、", 1)
        return [head + "、", tail]
    return [text]
