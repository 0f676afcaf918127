"""The vector charts (EMF): read back with a small reader of our own, record by record.

The DOCX embeds each chart as an Enhanced Metafile. These tests parse it as a
viewer would ([MS-EMF] record layouts): every record is well formed, the header
agrees with the records, every drawing stays inside the declared bounds, every
box, arrowhead and text of the layout is drawn, and every text prints at least
9 pt. No font file is needed: the charts are laid out from the advance table.
"""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from planctl.loader import load_file
from planctl.model import Plan
from planctl.render.figure import charts, emf, flow_charts, layout

from .conftest import chart_digest_in_fresh_process
from .plans import dense_tiers, mesh

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "sample-plans").glob("*.yaml"))
U = emf.UNITS_PER_MM
#: stock objects by kind, from [MS-EMF] 2.1.31 (not from emf.py: the reader checks the writer)
STOCK_KINDS = {
    **{0x80000000 + i: "brush" for i in range(6)},
    **{0x80000006 + i: "pen" for i in range(3)},
    **{
        h: "font"
        for h in (
            0x8000000A,
            0x8000000B,
            0x8000000C,
            0x8000000D,
            0x8000000E,
            0x80000010,
            0x80000011,
        )
    },
}


def _plan(path: Path) -> Plan:
    return Plan(load_file(path).data)


@dataclass
class Text:
    x: int
    y: int
    text: str
    dx: list[int]
    em: int  # font em height in 0.01 mm (from the selected font's lfHeight)
    face: str


@dataclass
class Picture:
    """What a reader sees in an EMF: header fields and the drawing, in 0.01 mm."""

    bounds: tuple[int, int, int, int]
    frame: tuple[int, int, int, int]
    device: tuple[int, int]
    millimetres: tuple[int, int]
    kinds: list[int] = field(default_factory=list)
    rects: list[tuple[int, int, int, int]] = field(default_factory=list)
    round_rects: list[tuple[int, int, int, int]] = field(default_factory=list)
    polygons: list[list[tuple[int, int]]] = field(default_factory=list)
    polylines: list[list[tuple[int, int]]] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)


def read(data: bytes) -> Picture:
    """Walk the records; assert what [MS-EMF] requires of each one we write."""
    assert len(data) % 4 == 0
    kind, size = struct.unpack_from("<II", data, 0)
    assert kind == emf.EMR_HEADER
    bounds = struct.unpack_from("<iiii", data, 8)
    frame = struct.unpack_from("<iiii", data, 24)
    sig, version, n_bytes, n_records, n_handles, reserved = struct.unpack_from("<IIIIHH", data, 40)
    assert (sig, version, reserved) == (emf.ENHMETA_SIGNATURE, 0x10000, 0)
    assert n_bytes == len(data)
    n_desc, off_desc, n_pal = struct.unpack_from("<III", data, 60)
    assert n_pal == 0 and off_desc + 2 * n_desc <= size
    device = struct.unpack_from("<ii", data, 72)
    millimetres = struct.unpack_from("<ii", data, 80)
    micrometres = struct.unpack_from("<ii", data, 100)
    assert micrometres == (millimetres[0] * 1000, millimetres[1] * 1000)
    pic = Picture(bounds, frame, device, millimetres)
    objects: dict[int, tuple[str, Any]] = {}
    selected: dict[str, int] = {}
    off, count = 0, 0
    while off < len(data):
        kind, size = struct.unpack_from("<II", data, off)
        assert size >= 8 and size % 4 == 0 and off + size <= len(data), (kind, size)
        rec = data[off : off + size]
        pic.kinds.append(kind)
        count += 1
        if kind in (emf.EMR_EXTCREATEPEN, emf.EMR_CREATEPEN):
            (handle,) = struct.unpack_from("<I", rec, 8)
            assert 0 < handle < n_handles and handle not in objects
            if kind == emf.EMR_EXTCREATEPEN:
                assert size == 52
                width = struct.unpack_from("<I", rec, 32)[0]
            else:
                assert size == 28
                width = struct.unpack_from("<i", rec, 16)[0]
            objects[handle] = ("pen", width)
        elif kind == emf.EMR_CREATEBRUSHINDIRECT:
            assert size == 24
            handle, style, color = struct.unpack_from("<III", rec, 8)
            assert 0 < handle < n_handles and handle not in objects and style == 0
            objects[handle] = ("brush", color)
        elif kind == emf.EMR_EXTCREATEFONTINDIRECTW:
            assert size == 332
            handle, height = struct.unpack_from("<Ii", rec, 8)
            charset = rec[12 + 23]
            face = rec[12 + 28 : 12 + 92].decode("utf-16-le").split("\0")[0]
            assert 0 < handle < n_handles and handle not in objects
            assert height < 0 and charset == emf.GB2312_CHARSET and face == emf.FACE
            objects[handle] = ("font", (-height, face))
        elif kind == emf.EMR_SELECTOBJECT:
            (handle,) = struct.unpack_from("<I", rec, 8)
            if handle & 0x80000000:  # a stock object
                what = STOCK_KINDS[handle]
            else:
                what = objects[handle][0]  # a selected object was created before
            selected[what] = handle
        elif kind == emf.EMR_DELETEOBJECT:
            (handle,) = struct.unpack_from("<I", rec, 8)
            # GDI deletes no object while it is selected into the device context
            assert handle not in selected.values(), f"object {handle} deleted while selected"
            del objects[handle]
        elif kind in (emf.EMR_POLYLINE16, emf.EMR_POLYGON16):
            n = struct.unpack_from("<I", rec, 24)[0]
            assert size == 28 + 4 * n and n >= 2
            pts = [struct.unpack_from("<hh", rec, 28 + 4 * i) for i in range(n)]
            rb = struct.unpack_from("<iiii", rec, 8)
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            assert rb == (min(xs), min(ys), max(xs), max(ys))
            assert "pen" in selected
            (pic.polylines if kind == emf.EMR_POLYLINE16 else pic.polygons).append(pts)
            if kind == emf.EMR_POLYGON16:
                assert "brush" in selected
        elif kind in (emf.EMR_RECTANGLE, emf.EMR_ROUNDRECT):
            assert size == (24 if kind == emf.EMR_RECTANGLE else 32)
            box = struct.unpack_from("<iiii", rec, 8)
            assert box[0] < box[2] and box[1] < box[3] and "brush" in selected
            (pic.rects if kind == emf.EMR_RECTANGLE else pic.round_rects).append(box)
        elif kind == emf.EMR_EXTTEXTOUTW:
            x, y, n, off_s, _options = struct.unpack_from("<iiIII", rec, 36)
            (off_dx,) = struct.unpack_from("<I", rec, 72)
            assert off_s == 76 and off_dx >= off_s + 2 * n and off_dx + 4 * n <= size
            text = rec[off_s : off_s + 2 * n].decode("utf-16-le")
            dx = list(struct.unpack_from(f"<{n}i", rec, off_dx))
            em, face = objects[selected["font"]][1]
            pic.texts.append(Text(x, y, text, dx, em, face))
        elif kind == emf.EMR_EOF:
            assert off + size == len(data) and size == 20
        off += size
    assert count == n_records
    assert pic.kinds[-1] == emf.EMR_EOF
    assert not objects  # every object deleted before the end
    return pic


def _check(pic: Picture, lay: layout.Layout, m: layout.Metrics) -> None:
    """Every box, arrowhead and text of the layout is in the picture, inside its bounds."""
    w, h = round(lay.width * U), round(lay.height * U)
    assert pic.bounds == pic.frame == (0, 0, w - 1, h - 1)
    assert pic.device[0] == pic.millimetres[0] * U  # one device unit is 0.01 mm
    pts = [p for shape in (*pic.polylines, *pic.polygons) for p in shape]
    pts += [(r[i], r[i + 1]) for r in (*pic.rects, *pic.round_rects) for i in (0, 2)]
    for t in pic.texts:
        pts += [(t.x, t.y - t.em), (t.x + sum(t.dx), t.y + t.em // 4)]
    for x, y in pts:
        assert 0 <= x <= w and 0 <= y <= h, (x, y, w, h)

    def u(r: tuple[float, ...]) -> tuple[int, ...]:
        return tuple(round(v * U) for v in r)

    for i, box in enumerate(lay.boxes):
        if box.kind == "start":  # the pill, a polygon spanning the box
            spans = [
                (
                    min(x for x, _ in p),
                    min(y for _, y in p),
                    max(x for x, _ in p),
                    max(y for _, y in p),
                )
                for p in pic.polygons
            ]
            assert u(box.rect) in spans
        elif i in lay.dashed:  # dashes along the top edge, starting at the corner
            x0, y0, _, _ = u(box.rect)
            assert any(line[0] == (x0, y0) for line in pic.polylines)
        else:
            assert u(box.rect) in pic.rects, box.lines
    tips = {poly[0] for poly in pic.polygons}
    for tx, ty in lay.arrows:
        assert (round(tx * U), round(ty * U)) in tips
    drawn = [t.text for t in pic.texts]
    wanted = [s for b in lay.boxes for s in b.lines]
    wanted += [s for _, label, _ in lay.labels for s in label.split("\n")]
    wanted += [t.text for t in lay.texts]
    assert sorted(drawn) == sorted(wanted)
    for t in pic.texts:
        # printed ideograph height (em x ink of the chart face) is at least 9 pt
        assert t.em / U / layout.PT_MM * m.ink >= layout.MIN_GLYPH_PT, t.text
        # the advances are the layout's own widths (no drift along a line; lfHeight is
        # the em rounded to 0.01 mm, hence the slack of half a unit per em of text)
        ems = layout.advance(t.text)
        assert abs(sum(t.dx) - ems * t.em) <= 1 + ems / 2, t.text


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_charts_read_back(path: Path) -> None:
    m = layout.Metrics.standard()
    for spec in charts.specs(_plan(path)):
        lay = layout.fit(spec.graph, m, 156, 150)
        assert isinstance(lay, layout.Layout), lay
        _check(read(emf.render(lay, m)), lay, m)


@pytest.mark.parametrize("seed", range(4))
def test_dense_and_large_charts_read_back(seed: int) -> None:
    m = layout.Metrics.standard()
    plans = [dense_tiers(seed), mesh(34, seed % 2 == 0)]
    drawn = 0
    for plan in plans:
        for spec in charts.specs(plan):
            lay = layout.fit(spec.graph, m, 156, 150)
            if isinstance(lay, str):
                continue
            drawn += 1
            _check(read(emf.render(lay, m)), lay, m)
    assert drawn


def test_flow_charts_embed_emf_at_their_printed_size() -> None:
    plan = _plan(ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml")
    out = flow_charts(plan, max_width_mm=156, max_height_mm=150)
    assert out and all(c.emf and not c.reason for c in out)
    for c in out:
        pic = read(c.emf)
        assert pic.frame[2] + 1 == round(c.width_mm * U)
        assert pic.frame[3] + 1 == round(c.height_mm * U)
        assert c.width_mm <= 156 and c.height_mm <= 150
        assert any("累计时限" == t.text for t in pic.texts)


def test_same_bytes_twice_and_under_another_hash_seed() -> None:
    path = ROOT / "sample-plans" / "xiang-gan-border-forest-fire.yaml"
    first = [c.emf for c in flow_charts(_plan(path))]
    assert all(first)
    assert first == [c.emf for c in flow_charts(_plan(path))]
    assert (
        chart_digest_in_fresh_process(path, "c.emf") == hashlib.sha256(b"".join(first)).hexdigest()
    )


def test_text_advances_do_not_drift_and_handle_surrogates() -> None:
    w = emf.EmfWriter(50, 20)
    w.state()
    w.select(w.font(4.0))
    w.text(1.0, 10.0, "1小时内书面𠀀a", 4.0)
    pic = read(w.finish())
    (t,) = pic.texts
    assert t.text == "1小时内书面𠀀a"
    assert len(t.dx) == len(t.text.encode("utf-16-le")) // 2  # one advance per UTF-16 unit
    assert t.dx[-2] == 0  # the low surrogate does not advance
    total = layout.advance("1小时内书面𠀀a") * 4.0 * U
    assert abs(sum(t.dx) - total) <= 1


def test_coordinates_beyond_16_bits_use_32_bit_records() -> None:
    w = emf.EmfWriter(400, 400)
    w.select(w.pen(0.3, emf.BLACK))
    w.polyline([(0, 0), (380, 390)])
    data = w.finish()
    kinds = []
    off = 0
    while off < len(data):
        kind, size = struct.unpack_from("<II", data, off)
        kinds.append(kind)
        off += size
    assert emf.EMR_POLYLINE in kinds and emf.EMR_POLYLINE16 not in kinds


def test_the_docx_render_path_loads_neither_pillow_nor_freetype(tmp_path: Path) -> None:
    """Charts cost no rasterising: `planctl render` (DOCX) never imports PIL."""
    code = (
        "import sys; from planctl.render.api import render_file; "
        f"render_file({str(SAMPLES[-1])!r}, {str(tmp_path)!r}); "
        "sys.stdout.write(str(sorted(m for m in sys.modules if m.split('.')[0] == 'PIL')))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout == "[]"
    docx = next(tmp_path.glob("*.docx"))
    import zipfile

    with zipfile.ZipFile(docx) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        types = z.read("[Content_Types].xml").decode()
    assert media and all(n.endswith(".emf") for n in media)
    assert '<Default Extension="emf" ContentType="image/x-emf"/>' in types


def test_no_object_is_deleted_while_selected() -> None:
    """The last pen, brush and font were deleted while selected (DeleteObject fails in
    GDI); the stock ones the context began with are selected back first."""
    w = emf.EmfWriter(50, 20)
    w.state()
    w.select(w.pen(0.3, emf.BLACK))
    w.select(w.brush(emf.WHITE))
    w.select(w.font(4.0))
    w.rectangle(1, 1, 10, 10)
    w.text(1.0, 10.0, "甲", 4.0)
    pic = read(w.finish())  # read() asserts no deletion of a selected object
    kinds = pic.kinds
    first_delete = kinds.index(emf.EMR_DELETEOBJECT)
    assert kinds[first_delete - 3 : first_delete] == [emf.EMR_SELECTOBJECT] * 3
    assert kinds[first_delete:-1] == [emf.EMR_DELETEOBJECT] * 3


@pytest.mark.parametrize(
    "mark",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u0301", "\u20dd", "\ufe0f"],
    ids=["ZWSP", "ZWNJ", "ZWJ", "WJ", "BOM", "SHY", "acute", "enclosing-circle", "VS16"],
)
def test_zero_width_and_combining_characters_take_no_room(mark: str) -> None:
    """Format characters and combining marks (Cf, Mn, Me) pasted into a name advanced
    0.6 em each: wider boxes, and every later glyph shifted in the EMF's dx array."""
    assert layout.char_advance(mark) == 0
    assert layout.advance(f"太浦{mark}河e{mark}") == layout.advance("太浦河e")
    w = emf.EmfWriter(50, 20)
    w.state()
    w.select(w.font(4.0))
    w.text(1.0, 10.0, f"ab{mark}c", 4.0)
    w.text(1.0, 15.0, "abc", 4.0)
    marked, plain = read(w.finish()).texts
    assert marked.dx[2] == 0
    assert marked.dx[:2] + marked.dx[3:] == plain.dx
