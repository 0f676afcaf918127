"""The flow charts on awkward plans: cycles, both-way pairs, self-loops, duplicates, unknown
parties, thirty parties; EMF and PNG sanity; font selection (live code: render/figure, flow_charts)."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from planctl.model import Plan
from planctl.render.figure import FlowChart, find_cjk_font, flow_charts

from .plans import river
from .test_emf import read

FONT = find_cjk_font()
needs_font = pytest.mark.skipif(FONT is None, reason="no CJK font installed")


def _with_rules(rules: list[dict[str, Any]], parties: list[tuple[str, str]] | None = None) -> Plan:
    """The river sample with its notification rules replaced (and parties added)."""
    data = river()
    data.pop("geography", None)
    for pid, name in parties or []:
        data["parties"].append({"id": pid, "name": name, "short_name": name[:3]})
    data["notifications"]["rules"] = rules
    return Plan(data)


def _rule(i: int, src: str, to: list[str], within: str = "PT30M") -> dict[str, Any]:
    return {
        "id": f"R-{i:02d}",
        "kind": "notify",
        "from": src,
        "to": to,
        "channels": ["phone"],
        "within": within,
    }


def _sane(chart: FlowChart) -> None:
    """The EMF reads back; the PNG is drawn at its size at 300 dpi, white paper, dark ink."""
    read(chart.emf)
    if FONT is None:
        assert chart.raster() == b""
        return
    png = chart.raster()
    assert png.startswith(b"\x89PNG\r\n\x1a\n"), chart.reason
    img = Image.open(io.BytesIO(png))
    img.load()
    assert img.size[0] == round(chart.width_mm / 25.4 * 300)
    assert img.size[1] == round(chart.height_mm / 25.4 * 300)
    gray = img.convert("L")
    assert gray.getpixel((0, 0)) == 255
    lo, hi = gray.getextrema()
    assert lo < 60 and hi == 255
    histogram = gray.histogram()
    assert sum(histogram[200:]) > 0.6 * sum(histogram)


def _drawn(plan: Plan) -> list[FlowChart]:
    out = flow_charts(plan, max_width_mm=156, max_height_mm=150)
    assert out
    for c in out:
        assert c.emf or "未绘制" in c.reason, c.reason
        if c.emf:
            _sane(c)
    return out


def test_cycles_both_ways_self_loops_and_duplicates_are_drawn() -> None:
    ring = ["cz-gov", "hd-gov", "ay-gov", "sx-eco", "hb-eco"]
    rules = [_rule(i, a, [ring[(i + 1) % 5]]) for i, a in enumerate(ring)]  # a cycle
    rules.append(_rule(10, "hd-gov", ["cz-gov"], "PT1H"))  # both ways
    rules.append(_rule(11, "cz-gov", ["cz-gov", "hd-gov"], "PT5M"))  # self-loop
    rules.append(_rule(12, "cz-gov", ["hd-gov"]))  # duplicate
    out = _drawn(_with_rules(rules))
    assert all(c.emf for c in out)


def test_unknown_party_in_a_rule_does_not_break_the_chart() -> None:
    out = _drawn(
        _with_rules([_rule(1, "cz-gov", ["ghost", "hd-gov"]), _rule(2, "ghost", ["ay-gov"])])
    )
    assert any(c.emf for c in out)


def test_thirty_parties_random_tree_with_cycles() -> None:
    rnd = random.Random(5)
    extra = [(f"n{i}", f"第{i}号市应急管理局") for i in range(30)]
    ids = [pid for pid, _ in extra]
    rules = [_rule(i, ids[rnd.randrange(min(i, 5))], [ids[i]], "PT1H") for i in range(1, 30)]
    rules += [_rule(100 + i, ids[i], [ids[(i * 11 + 3) % 30]]) for i in range(0, 30, 3)]
    rules.append(_rule(99, "cz-gov", [ids[0]]))
    _drawn(_with_rules(rules, extra))  # drawn, or each chart says why not


def test_env_font_wins_and_missing_env_font_is_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pinned = tmp_path / "office.ttf"
    pinned.write_bytes(b"not really a font")
    monkeypatch.setenv("PLANCTL_CJK_FONT", str(pinned))
    assert find_cjk_font() == str(pinned)
    # an unreadable pinned font: the vector charts need none; the PNG is left out
    out = flow_charts(_with_rules([_rule(1, "cz-gov", ["hd-gov"])]))
    assert out and all(c.emf and not c.reason and c.raster() == b"" for c in out)
    monkeypatch.setenv("PLANCTL_CJK_FONT", str(tmp_path / "gone.ttf"))
    assert find_cjk_font() == FONT
