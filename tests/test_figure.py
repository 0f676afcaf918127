"""The notification-flow figure: PNG output, determinism, awkward graphs, no-font fallback."""

from __future__ import annotations

import hashlib
import io
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from planctl.render import figure
from planctl.render.figure import find_cjk_font, flow_png

FONT = find_cjk_font()
needs_font = pytest.mark.skipif(FONT is None, reason="no CJK font installed")

RIVER_NODES = [
    ("cz", "长治市人民政府"),
    ("sx", "山西省生态环境厅"),
    ("hd", "邯郸市人民政府"),
    ("ay", "安阳市人民政府"),
    ("hb", "河北省生态环境厅"),
    ("hn", "河南省生态环境厅"),
    ("zw", "漳卫南运河管理局"),
]
RIVER_EDGES = [
    ("cz", "sx", "30分钟"),
    ("cz", "hd", "30分钟"),
    ("cz", "ay", "30分钟"),
    ("sx", "hb", "1小时"),
    ("sx", "hn", "1小时"),
    ("hd", "hb", "30分钟"),
    ("ay", "hn", "15分钟"),
    ("hb", "sx", "1小时"),  # back edge: a cycle with sx -> hb
    ("cz", "zw", "30分钟"),
    ("hd", "zw", "1小时"),
]


def _image(png: bytes | None) -> Image.Image:
    assert png is not None
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(png))
    img.load()
    return img


def _sane(img: Image.Image, width: int = 2000) -> None:
    """At most the requested width (the white margin is trimmed), white paper, dark ink."""
    assert 100 <= img.size[0] <= width
    assert 60 <= img.size[1] <= 2 * width
    gray = img.convert("L")
    assert gray.getpixel((0, 0)) == 255
    lo, hi = gray.getextrema()
    assert lo < 60 and hi == 255
    histogram = gray.histogram()
    assert sum(histogram[200:]) > 0.6 * sum(histogram)  # mostly paper


@pytest.fixture(scope="module")
def river() -> bytes:
    if FONT is None:
        pytest.skip("no CJK font installed")
    png = flow_png(RIVER_NODES, RIVER_EDGES)
    assert png is not None
    return png


@needs_font
def test_river_basin_png(river: bytes) -> None:
    img = _image(river)
    _sane(img)
    # a landscape annex: the figure must not be taller than the page allows
    assert img.size[1] <= 0.6 * img.size[0] + 1
    assert "dpi" not in img.info and not any(k in img.info for k in ("tEXt", "date", "Software"))


@needs_font
def test_same_input_same_bytes(river: bytes) -> None:
    assert flow_png(RIVER_NODES, RIVER_EDGES) == river
    assert flow_png(list(RIVER_NODES), list(RIVER_EDGES), font_path=FONT) == river


@needs_font
def test_same_bytes_under_another_hash_seed(river: bytes) -> None:
    """Set iteration order changes with PYTHONHASHSEED; the figure must not."""
    code = (
        "import hashlib, sys; from planctl.render.figure import flow_png; "
        f"sys.stdout.write(hashlib.sha256(flow_png({RIVER_NODES!r}, {RIVER_EDGES!r})).hexdigest())"
    )
    src = str(Path(figure.__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": src}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout == hashlib.sha256(river).hexdigest()


@needs_font
def test_duplicate_edges_and_self_loops_merge() -> None:
    nodes = [("a", "长治市人民政府"), ("b", "邯郸市人民政府")]
    plain = flow_png(nodes, [("a", "b", "30分钟"), ("a", "b", "1小时")])
    noisy = flow_png(
        nodes,
        [("a", "b", "30分钟"), ("a", "a", "5分钟"), ("a", "b", "1小时"), ("a", "b", "30分钟")],
    )
    assert plain == noisy
    _sane(_image(plain))
    _, merged = figure._prepare(nodes, [("a", "b", "30分钟"), ("a", "b", "1小时")])
    assert merged == [(0, 1, "30分钟 / 1小时")]


@needs_font
def test_cycles_and_two_nodes() -> None:
    ring = [(f"r{i}", f"第{i}市人民政府") for i in range(5)]
    edges = [(f"r{i}", f"r{(i + 1) % 5}", "30分钟") for i in range(5)]
    _sane(_image(flow_png(ring, edges)))
    both_ways = [("a", "b", "30分钟"), ("b", "a", "1小时")]
    _sane(_image(flow_png([("a", "长治市人民政府"), ("b", "邯郸市人民政府")], both_ways)))


@needs_font
def test_thirty_nodes() -> None:
    rnd = random.Random(5)
    nodes = [(f"n{i}", f"第{i}号市应急管理局") for i in range(30)]
    edges = [(f"n{rnd.randrange(i)}", f"n{i}", "1小时") for i in range(1, 30)]
    edges += [(f"n{i}", f"n{(i * 11 + 3) % 30}", "30分钟") for i in range(0, 30, 3)]  # cycles
    img = _image(flow_png(nodes, edges))
    _sane(img)
    assert img.size[1] <= img.size[0]


@needs_font
def test_sixteen_character_labels_wrap() -> None:
    long = "河南省公安厅高速公路交通警察总队"
    assert len(long) == 16
    lines = figure._wrap(long)
    assert len(lines) == 2 and "".join(lines) == long and max(map(len, lines)) <= 10
    assert figure._wrap("河北省生态环境厅应急中心") == ["河北省生态环境厅", "应急中心"]
    nodes = [("a", long), ("b", "河北省生态环境厅应急管理中心办公"), ("c", "长治市人民政府")]
    edges = [("a", "b", "30分钟"), ("b", "c", "1小时"), ("c", "a", "15分钟")]
    _sane(_image(flow_png(nodes, edges, width=1200)), width=1200)


@needs_font
def test_unknown_party_in_edge_is_still_drawn() -> None:
    png = flow_png([("a", "长治市人民政府")], [("a", "ghost", "30分钟")])
    _sane(_image(png))


def test_no_font_means_no_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figure.legacy, "find_cjk_font", lambda: None)
    png = flow_png(RIVER_NODES, RIVER_EDGES, font_path="/nonexistent/no-such-font.ttc")
    assert png is None
    assert flow_png(RIVER_NODES, RIVER_EDGES) is None


def test_env_font_wins_and_missing_env_font_is_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pinned = tmp_path / "office.ttf"
    pinned.write_bytes(b"not really a font")
    monkeypatch.setenv("PLANCTL_CJK_FONT", str(pinned))
    assert find_cjk_font() == str(pinned)
    # an unreadable pinned font skips the figure instead of failing the render
    assert flow_png(RIVER_NODES, RIVER_EDGES) is None
    monkeypatch.setenv("PLANCTL_CJK_FONT", str(tmp_path / "gone.ttf"))
    assert find_cjk_font() == FONT
