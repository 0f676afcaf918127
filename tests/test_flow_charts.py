"""Flow charts per level and origin: layout invariants, sizes, determinism, large plans."""

from __future__ import annotations

import copy
import hashlib
import io
import itertools
import random
import re
from pathlib import Path

import pytest
from PIL import Image

from planctl.loader import load_file
from planctl.model import Plan
from planctl.render.figure import FlowChart, charts, find_cjk_font, flow_charts, layout
from planctl.render.figure.labels import wrap_name

from .conftest import chart_digest_in_fresh_process
from .plans import dense_tiers, mesh

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "sample-plans").glob("*.yaml"))
FONT = find_cjk_font()
needs_font = pytest.mark.skipif(FONT is None, reason="no CJK font installed")


def _plan(path: Path) -> Plan:
    return Plan(load_file(path).data)


# --- crossings -----------------------------------------------------------------------
def _brute(pairs: list[tuple[int, int]]) -> int:
    return sum(1 for (a, b), (c, d) in itertools.combinations(pairs, 2) if (a - c) * (b - d) < 0)


def test_crossing_count_matches_brute_force() -> None:
    rnd = random.Random(11)
    for _ in range(400):
        top, bottom = rnd.randint(1, 7), rnd.randint(1, 7)
        pairs = list(
            {(rnd.randrange(top), rnd.randrange(bottom)) for _ in range(rnd.randint(0, 20))}
        )
        assert layout.crossings(pairs) == _brute(pairs), pairs


def test_ordering_never_worse_than_given_order() -> None:
    rnd = random.Random(3)
    for _ in range(100):
        rows = [[0], list(range(1, 6)), list(range(6, 12))]
        edges = [(0, v) for v in rows[1]]
        edges += list({(rnd.choice(rows[1]), rnd.choice(rows[2])) for _ in range(12)})
        pos = {v: i for row in rows for i, v in enumerate(row)}
        before = layout.crossings([(pos[a], pos[b]) for a, b in edges])
        ordered, after = layout._order([list(r) for r in rows], edges)
        pos = {v: i for row in ordered for i, v in enumerate(row)}
        assert after == layout.crossings([(pos[a], pos[b]) for a, b in edges]) <= before
        assert sorted(itertools.chain(*ordered)) == list(range(12))


# --- layout invariants ------------------------------------------------------------------
def _overlap(a: tuple[float, ...], b: tuple[float, ...], slack: float = 0.0) -> bool:
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


def _check_layout(g: charts.ChartGraph, lay: layout.Layout, m: layout.Metrics) -> None:
    boxes = [b.rect for b in lay.boxes]
    for i, j in itertools.combinations(range(len(boxes)), 2):
        assert not _overlap(boxes[i], boxes[j]), (lay.boxes[i].lines, lay.boxes[j].lines)
    # every party reached is in exactly one box
    seen = sorted(v for b in lay.boxes for v in b.members)
    assert seen == list(range(len(g.names)))
    # an arrow for every edge, its tip on the top side of the receiver's box
    assert set(lay.edge_arrow) == set(range(len(g.edges)))
    for e, (_, b, _) in enumerate(g.edges):
        tx, ty = lay.arrows[lay.edge_arrow[e]]
        x0, y0, x1, _ = lay.boxes[lay.node_box[b]].rect
        assert abs(ty - y0) < 1e-6 and x0 < tx < x1
    # labels clear of boxes and of each other, inside the canvas
    for i, (rect, _, _) in enumerate(lay.labels):
        assert 0 <= rect[0] and rect[2] <= lay.width + 1e-6 and 0 <= rect[1]
        assert rect[3] <= lay.height + 1e-6
        for b in boxes:
            assert not _overlap(rect, b), rect
        for other, _, _ in lay.labels[i + 1 :]:
            assert not _overlap(rect, other)
    # the smallest printed glyph is at least 9 pt
    sizes = [pt for _, _, pt in lay.labels] + [t.pt for t in lay.texts]
    sizes += [b.pt for b in lay.boxes]
    assert m.ink_height(min(sizes)) >= layout.MIN_GLYPH_PT


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_layouts(path: Path) -> None:
    m = layout.Metrics.standard()
    plan = _plan(path)
    specs = charts.specs(plan)
    assert specs
    for spec in specs:
        lay = layout.fit(spec.graph, m, 156, 200)
        assert isinstance(lay, layout.Layout), (spec.title, lay)
        assert lay.width <= 156 and lay.height <= 200
        _check_layout(spec.graph, lay, m)


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_charts_png_and_words(path: Path) -> None:
    plan = _plan(path)
    out = flow_charts(plan)
    assert out and all(isinstance(c, FlowChart) for c in out)
    ids = {str(p["id"]) for p in plan.parties} | {str(r["id"]) for r in plan.rules}
    levels = {str(x["id"]) for x in [*plan.grades, *plan.warnings, *plan.responses]}
    for i, c in enumerate(out):
        assert c.emf and not c.reason, c.title
        if i == 0 and FONT:  # the Markdown's PNG: the same layout at 300 dpi
            img = Image.open(io.BytesIO(c.raster()))
            assert img.info["dpi"][0] == pytest.approx(300, abs=0.5)
            assert img.size[0] == round(c.width_mm / 25.4 * 300)
        assert c.width_mm <= 156 and c.height_mm <= 200
        words = c.title + c.caption
        for i in ids:
            assert i not in words, (i, words)
        for lv in levels:
            assert not re.search(rf"(?<![A-Za-z0-9-]){re.escape(lv)}(?![A-Za-z0-9-])", words)
        assert c.title.endswith(("流程", "）")) and c.caption.endswith("。")
        assert "（" not in c.title.split("（", 1)[-1]  # no nested brackets


def test_no_ids_in_the_drawn_boxes() -> None:
    plan = _plan(ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml")
    ids = {str(p["id"]) for p in plan.parties}
    for spec in charts.specs(plan):
        text = "".join(spec.graph.names) + "".join(e[2] for e in spec.graph.edges)
        assert not any(i in text for i in ids)


@needs_font
def test_same_png_bytes_twice_and_under_another_hash_seed() -> None:
    """The Markdown's PNG figures (test_emf checks the EMF the same way)."""
    path = ROOT / "sample-plans" / "xiang-gan-border-forest-fire.yaml"
    first = [c.raster() for c in flow_charts(_plan(path))]
    assert all(first) and first == [c.raster() for c in flow_charts(_plan(path))]
    assert (
        chart_digest_in_fresh_process(path, "c.raster()")
        == hashlib.sha256(b"".join(first)).hexdigest()
    )


@pytest.mark.parametrize("geography", [True, False])
def test_thirty_four_party_full_mesh_gets_readable_charts(geography: bool) -> None:
    m = layout.Metrics.standard()
    plan = mesh(34, geography)
    specs = charts.specs(plan)
    assert specs
    for spec in specs:
        lay = layout.fit(spec.graph, m, 156, 200)
        assert isinstance(lay, layout.Layout), lay
        _check_layout(spec.graph, lay, m)
        assert any(b.kind == "group" for b in lay.boxes)  # 33 boxes in a row would not fit
    out = flow_charts(plan)
    assert len(out) == len(specs) and all(c.emf for c in out)


def test_too_small_a_page_says_why_instead_of_dropping() -> None:
    plan = mesh(34, True)
    out = flow_charts(plan, max_width_mm=40, max_height_mm=30)
    assert len(out) == len(charts.specs(plan))
    assert all(not c.emf and "未绘制" in c.reason for c in out)


def test_no_font_still_draws_the_vector_charts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The DOCX's charts need no font file; only the Markdown's PNG is left out."""
    import planctl.render.figure.fonts as fonts

    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    out = flow_charts(_plan(SAMPLES[0]), font_path="/nonexistent/font.ttc")
    assert out and all(c.emf and not c.reason and c.raster() == b"" for c in out)


def test_unreached_party_is_shown_not_hidden() -> None:
    data = copy.deepcopy(
        load_file(ROOT / "sample-plans" / "xiang-gan-border-forest-fire.yaml").data
    )
    data["parties"].append({"id": "lonely", "name": "萍乡市人民政府", "short_name": "萍乡市"})
    plan = Plan(data)
    specs = charts.specs(plan)
    assert all("萍乡市" in s.graph.unreached for s in specs)
    assert all("收不到通报" in s.caption for s in specs)
    lay = layout.fit(specs[0].graph, layout.Metrics.standard(), 156, 200)
    assert isinstance(lay, layout.Layout)
    assert any(b.kind == "missing" and "萍乡市" in "".join(b.lines) for b in lay.boxes)


def test_tiers_and_times_follow_the_rules() -> None:
    plan = _plan(ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml")
    first = charts.specs(plan)[0]
    g = first.graph
    # 特别重大、重大 and 较大、一般 differ only in 安阳市's deadlines: one chart, the caption
    # giving the lesser levels' deadline
    assert first.title == "各级突发水污染事件信息报告与通报流程（事发地：长治市）"
    assert (
        "较大、一般突发水污染事件时，安阳市向豫生态环境厅、豫水利厅、邯郸供水公司的时限为30分钟内电话、1小时内书面"
        in first.caption
    )
    assert g.names[0] == "长治市" and g.tier[0] == 0
    tier = dict(zip(g.names, g.tier, strict=True))
    minutes = dict(zip(g.names, g.minutes, strict=True))
    assert tier["邯郸市"] == tier["晋生态环境厅"] == 1 and tier["冀生态环境厅"] == 2
    assert minutes["安阳市"] == 30 and minutes["豫生态环境厅"] == 45  # 安阳 reports within 15 min
    assert all(g.tier[b] == g.tier[a] + 1 for a, b, _ in g.edges)
    assert (
        "特别重大、重大突发水污染事件1小时内，较大、一般突发水污染事件2小时内通报到全部受影响方"
        in first.caption
        and "对应一级响应、二级响应、三级响应" in first.caption
    )


def test_arrow_label_and_level_words() -> None:
    rule = {"channels": ["phone", "fax"], "within": "PT30M", "written_within": "PT2H"}
    assert charts.arrow_label(rule) == "30分钟内电话、2小时内书面"
    assert charts.arrow_label({"channels": ["written"], "within": "PT1H"}) == "1小时内书面"
    assert charts._compress(["红色预警", "橙色预警"]) == "红、橙色预警"
    assert charts._compress(["特别重大", "重大"]) == "特别重大、重大"
    assert charts.rank_zh(1) == "Ⅰ级" and charts.rank_zh(12) == "12级"


def test_names_wrap_at_word_ends() -> None:
    assert wrap_name("长治市", 4) == ["长治市"]
    assert wrap_name("河北省生态环境厅应急中心", 8) == ["河北省生态环境厅", "应急中心"]
    long = "河南省公安厅高速公路交通警察总队"
    lines = wrap_name(long, 6)
    assert "".join(lines) == long and max(map(len, lines)) <= 7


def test_mutated_plans_always_fit_or_say_why() -> None:
    """Rules pointed at random parties (and an unknown one): no exception, and a chart."""
    m = layout.Metrics.standard()
    base = load_file(ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml").data
    ids = [p["id"] for p in base["parties"]] + ["ghost"]
    rnd = random.Random(7)
    drawn = 0
    for _ in range(25):
        data = copy.deepcopy(base)
        for r in data["notifications"]["rules"]:
            if rnd.random() < 0.3:
                r["from"] = rnd.choice(ids)
            if rnd.random() < 0.3:
                r["to"] = rnd.sample(ids, rnd.randint(1, 6))
            if rnd.random() < 0.1:
                r["within"] = rnd.choice(["P3D", "PT1M", "PT0M"])
        if rnd.random() < 0.3:
            data.pop("geography")
        for spec in charts.specs(Plan(data)):
            lay = layout.fit(spec.graph, m, 156, 200)
            if isinstance(lay, str):
                assert "未绘制" in lay
                continue
            drawn += 1
            _check_layout(spec.graph, lay, m)
    assert drawn > 100


@needs_font
def test_drawn_png_glyphs_are_at_least_nine_points_high() -> None:
    """The Markdown's PNG, measured on the rendered ink: 国 at every size a chart uses.

    (The EMF's text heights are checked in test_emf from its font records.)
    """
    from planctl.render.figure import draw
    from planctl.render.figure.fonts import face_index

    assert FONT is not None

    m = layout.Metrics.standard()
    spec = charts.specs(_plan(ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml"))[0]
    lay = layout.fit(spec.graph, m, 156, 200)
    assert isinstance(lay, layout.Layout)
    sizes = {pt for _, _, pt in lay.labels} | {t.pt for t in lay.texts} | {b.pt for b in lay.boxes}
    for pt in sizes:
        mask, _ = draw._glyphs(FONT, face_index(FONT), "国", pt, "mm")
        box = mask.getbbox()
        assert box is not None
        assert (box[3] - box[1]) / draw.DPI * 72 >= 9.0, pt


def test_near_identical_charts_are_merged() -> None:
    """Charts of one origin that show the same parties, tiers and arrows are one chart
    (the river sample: 16 scenarios x origins, 5 charts); what differs is in the caption."""
    for path in SAMPLES:
        specs = charts.specs(_plan(path))
        shapes = [
            (
                s.graph.names[0],
                tuple(s.graph.names),
                tuple(s.graph.tier),
                tuple((a, b) for a, b, _ in s.graph.edges),
            )
            for s in specs
        ]
        assert len(set(shapes)) == len(shapes), path.stem
        titles = [s.title for s in specs]
        assert len(set(titles)) == len(titles), titles
    river = charts.specs(_plan(ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml"))
    assert len(river) == 5
    merged = [s for s in river if "或发布、获知预警" in s.graph.start[-1]]
    assert merged and all("预警" in s.title and "事件" in s.title for s in merged)


def _label_hits(lay: layout.Layout) -> list[tuple[str, tuple[float, ...]]]:
    """Labels that overlap another label or any segment of another arrow."""
    hits = []
    for i, (rect, text, _) in enumerate(lay.labels):
        x0, y0, x1, y1 = rect
        for (ax, ay), (bx, by), bus in lay.segments:
            if bus == lay.label_bus[i]:
                continue  # its own stem may run beside it (or, for a key, through it)
            if min(ax, bx) < x1 and x0 < max(ax, bx) and min(ay, by) < y1 and y0 < max(ay, by):
                hits.append((text, (ax, ay, bx, by)))
        for other, _t2, _ in lay.labels[i + 1 :]:
            if _overlap(rect, other):
                hits.append((text, other))
    return hits


@pytest.mark.parametrize("seed", range(12))
def test_labels_clear_foreign_lines_in_dense_tiers(seed: int) -> None:
    """Several senders each with several deadlines: no label covers another arrow's line
    or another label; where words do not fit between stems a key (①…) sits on the
    label's own stem and the caption says what it stands for."""
    m = layout.Metrics.standard()
    plan = dense_tiers(seed)
    drawn = 0
    for spec in charts.specs(plan):
        lay = layout.fit(spec.graph, m, 156, 150)
        if isinstance(lay, str):
            assert "未绘制" in lay
            continue
        drawn += 1
        _check_layout(spec.graph, lay, m)
        assert not _label_hits(lay), _label_hits(lay)[:3]
        assert len(lay.label_bus) == len(lay.labels)
    out = flow_charts(plan, max_height_mm=150)
    for c in out:
        keys = re.findall(r"[①-⑳]", c.caption)
        assert len(keys) == len(set(keys))
    assert drawn or all(not c.emf for c in out)


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_labels_clear_foreign_lines(path: Path) -> None:
    m = layout.Metrics.standard()
    for spec in charts.specs(_plan(path)):
        lay = layout.fit(spec.graph, m, 156, 150)
        assert isinstance(lay, layout.Layout), lay
        assert not _label_hits(lay), (spec.title, _label_hits(lay)[:3])
