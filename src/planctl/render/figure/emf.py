"""Drawing a layout as an Enhanced Metafile (EMF): vector lines and real text, byte-identical.

Word, WPS Office and LibreOffice all draw EMF as vector, and LibreOffice's PDF
export keeps it vector (the labels stay text in the PDF: crisp at any zoom,
searchable, and no rasterising at render time). The records are the few the
chart needs, written after [MS-EMF]: a header, pens, brushes, one font per
size, polylines, polygons, rectangles and EMR_EXTTEXTOUTW.

Units: one logical unit is 0.01 mm (the header declares a reference device of
100 pixels a millimetre, and the mapping mode stays MM_TEXT), so layout
millimetres map to integers with no scaling and a 156 mm chart fits the 16-bit
point records.

Text: the font asked for is 黑体 (SimHei, GB2312_CHARSET); a viewer without it
substitutes its own sans face. Every glyph is placed by an explicit advance
array (dx) taken from the same numbers layout measured with, so where text
starts and ends does not depend on the face the viewer picks. Lines are drawn
as draw.py draws them: horizontals, then a white halo under each vertical (a
small gap where a vertical passes a horizontal, so a crossing never reads as a
junction), then the verticals; labels get a tight white ground under their
glyphs (layout keeps other arrows' stems clear of labels, so it hides nothing
but the label's own key stem, as the raster halo does).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable

from planctl.render.figure.layout import (
    PT_MM,
    Layout,
    Metrics,
    box_text,
    char_advance,
    label_text,
)

FACE = "黑体"  # SimHei; LOGFONT face names are at most 31 UTF-16 units
GB2312_CHARSET = 134
UNITS_PER_MM = 100  # logical units (0.01 mm)

# record types [MS-EMF 2.1.1]
EMR_HEADER = 1
EMR_POLYGON = 3
EMR_POLYLINE = 4
EMR_EOF = 14
EMR_SETMAPMODE = 17
EMR_SETBKMODE = 18
EMR_SETTEXTALIGN = 22
EMR_SETTEXTCOLOR = 24
EMR_SELECTOBJECT = 37
EMR_CREATEPEN = 38
EMR_CREATEBRUSHINDIRECT = 39
EMR_DELETEOBJECT = 40
EMR_RECTANGLE = 43
EMR_ROUNDRECT = 44
EMR_EXTCREATEFONTINDIRECTW = 82
EMR_EXTTEXTOUTW = 84
EMR_POLYGON16 = 86
EMR_POLYLINE16 = 87
EMR_EXTCREATEPEN = 95

ENHMETA_SIGNATURE = 0x464D4520
MM_TEXT = 1
TRANSPARENT = 1
TA_BASELINE = 24  # with TA_LEFT (0): the reference point is the left end of the baseline
GM_COMPATIBLE = 1
BS_SOLID = 0
PS_GEOMETRIC = 0x00010000
PS_ENDCAP_FLAT = 0x00000200
PS_JOIN_MITER = 0x00002000
NULL_PEN = 0x80000008
# stock objects [MS-EMF 2.1.31]: what a device context holds before anything is selected
WHITE_BRUSH = 0x80000000
BLACK_PEN = 0x80000007
SYSTEM_FONT = 0x8000000D
STOCK = {"pen": BLACK_PEN, "brush": WHITE_BRUSH, "font": SYSTEM_FONT}

BLACK = (0, 0, 0)
WHITE = (255, 255, 255)
START_FILL = (232, 232, 232)
GROUP_FILL = (246, 246, 246)

LINE_MM = 0.34  # as draw.py: 4 pixels at 300 dpi
HALO_MM = 0.5  # each side of a vertical, where it bridges a horizontal
LABEL_GROUND_MM = 0.3  # white around a label's glyphs


def _colorref(rgb: tuple[int, int, int]) -> int:
    r, g, b = rgb
    return r | (g << 8) | (b << 16)


def _u(mm: float) -> int:
    return round(mm * UNITS_PER_MM)


class EmfWriter:
    """Records in drawing order; ``finish`` prepends the header and appends EMR_EOF.

    Objects (pens, brushes, fonts) get handle-table indexes from 1 and are kept
    for the whole picture (a chart needs a handful); the header's ``nHandles``
    is their count plus the reserved index 0.
    """

    def __init__(self, width_mm: float, height_mm: float) -> None:
        self.w = max(1, _u(width_mm))
        self.h = max(1, _u(height_mm))
        self.records: list[bytes] = []
        self.objects: dict[tuple[object, ...], int] = {}
        self.kinds: dict[int, str] = {}  # handle -> "pen", "brush" or "font"
        self.selected: dict[str, int] = {}

    # --- records ------------------------------------------------------------------
    def _rec(self, kind: int, body: bytes) -> None:
        pad = (-len(body)) % 4
        self.records.append(struct.pack("<II", kind, 8 + len(body) + pad) + body + b"\0" * pad)

    def _object(self, key: tuple[object, ...], kind: int, body: bytes) -> int:
        handle = self.objects.get(key)
        if handle is None:
            handle = len(self.objects) + 1
            self.objects[key] = handle
            self.kinds[handle] = {"cpen": "pen"}.get(str(key[0]), str(key[0]))
            self._rec(kind, struct.pack("<I", handle) + body)
        return handle

    def select(self, handle: int) -> None:
        """Select an object into the device context (once: a repeat is no record)."""
        kind = self.kinds[handle]
        if self.selected.get(kind) != handle:
            self.selected[kind] = handle
            self._rec(EMR_SELECTOBJECT, struct.pack("<I", handle))

    def state(self) -> None:
        """Mapping mode, transparent text background, baseline alignment, black text."""
        self._rec(EMR_SETMAPMODE, struct.pack("<I", MM_TEXT))
        self._rec(EMR_SETBKMODE, struct.pack("<I", TRANSPARENT))
        self._rec(EMR_SETTEXTALIGN, struct.pack("<I", TA_BASELINE))
        self._rec(EMR_SETTEXTCOLOR, struct.pack("<I", _colorref(BLACK)))

    def pen(self, width_mm: float, rgb: tuple[int, int, int]) -> int:
        """A geometric pen with flat ends and mitred joins (EMR_EXTCREATEPEN, no bitmap)."""
        style = PS_GEOMETRIC | PS_ENDCAP_FLAT | PS_JOIN_MITER
        width = max(1, _u(width_mm))
        # offBmi, cbBmi, offBits, cbBits, then LogPenEx without style entries
        body = struct.pack("<IIII", 0, 0, 0, 0)
        body += struct.pack("<IIIIII", style, width, BS_SOLID, _colorref(rgb), 0, 0)
        return self._object(("pen", width, rgb), EMR_EXTCREATEPEN, body)

    def thin_pen(self, rgb: tuple[int, int, int]) -> int:
        """A cosmetic one-pixel pen (EMR_CREATEPEN): outlines filled shapes exactly."""
        body = struct.pack("<IiiI", 0, 0, 0, _colorref(rgb))
        return self._object(("cpen", rgb), EMR_CREATEPEN, body)

    def brush(self, rgb: tuple[int, int, int]) -> int:
        body = struct.pack("<III", BS_SOLID, _colorref(rgb), 0)
        return self._object(("brush", rgb), EMR_CREATEBRUSHINDIRECT, body)

    def font(self, em_mm: float) -> int:
        """黑体 at an em height (negative lfHeight: character height, not cell height)."""
        height = -max(1, _u(em_mm))
        face = FACE.encode("utf-16-le").ljust(64, b"\0")
        logfont = struct.pack(
            "<iiiiiBBBBBBBB", height, 0, 0, 0, 400, 0, 0, 0, GB2312_CHARSET, 0, 0, 0, 0
        )
        logfont += face
        # the LogFontPanose tail: full name, style, version … panose, all unset
        body = logfont + b"\0" * (320 - len(logfont))
        return self._object(("font", height), EMR_EXTCREATEFONTINDIRECTW, body)

    def _points(self, kind16: int, kind32: int, pts: list[tuple[int, int]]) -> None:
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        bounds = struct.pack("<iiii", min(xs), min(ys), max(xs), max(ys))
        if all(-32768 <= v <= 32767 for v in (*xs, *ys)):
            body = bounds + struct.pack("<I", len(pts))
            body += b"".join(struct.pack("<hh", x, y) for x, y in pts)
            self._rec(kind16, body)
        else:
            body = bounds + struct.pack("<I", len(pts))
            body += b"".join(struct.pack("<ii", x, y) for x, y in pts)
            self._rec(kind32, body)

    def polyline(self, pts_mm: Iterable[tuple[float, float]]) -> None:
        self._points(EMR_POLYLINE16, EMR_POLYLINE, [(_u(x), _u(y)) for x, y in pts_mm])

    def polygon(self, pts_mm: Iterable[tuple[float, float]]) -> None:
        self._points(EMR_POLYGON16, EMR_POLYGON, [(_u(x), _u(y)) for x, y in pts_mm])

    def rectangle(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self._rec(EMR_RECTANGLE, struct.pack("<iiii", _u(x0), _u(y0), _u(x1), _u(y1)))

    def text(self, x_mm: float, baseline_mm: float, s: str, em_mm: float) -> None:
        """``s`` from (x, baseline), each character advanced by the layout's own widths."""
        units = s.encode("utf-16-le")
        n = len(units) // 2
        dx: list[int] = []
        pos = 0.0
        prev = _u(x_mm)
        for ch in s:
            pos += char_advance(ch) * em_mm
            nxt = _u(x_mm + pos)
            dx.append(nxt - prev)
            if ord(ch) > 0xFFFF:  # a surrogate pair: the second unit does not advance
                dx.append(0)
            prev = nxt
        x, y = _u(x_mm), _u(baseline_mm)
        top, bottom = y - _u(em_mm), y + _u(0.25 * em_mm)
        bounds = struct.pack("<iiii", x, top, prev, bottom)
        off_string = 76
        off_dx = off_string + len(units) + (-len(units)) % 4
        body = bounds + struct.pack("<Iff", GM_COMPATIBLE, 1.0, 1.0)
        body += struct.pack("<iiIII", x, y, n, off_string, 0)
        body += struct.pack("<iiii", 0, 0, 0, 0)  # no clipping or opaquing rectangle
        body += struct.pack("<I", off_dx)
        body += units + b"\0" * ((-len(units)) % 4)
        body += struct.pack(f"<{len(dx)}i", *dx)
        self._rec(EMR_EXTTEXTOUTW, body)

    def finish(self) -> bytes:
        """Header + records + EMR_EOF (objects are deleted before the end, as GDI expects).

        GDI deletes no object that is selected into a device context (DeleteObject
        fails, and a strict player keeps or drops it as it likes), so the stock pen,
        brush and font the context started with are selected back first.
        """
        for kind, stock in STOCK.items():
            if kind in self.selected:
                self.selected[kind] = stock
                self._rec(EMR_SELECTOBJECT, struct.pack("<I", stock))
        for handle in sorted(self.objects.values()):
            self._rec(EMR_DELETEOBJECT, struct.pack("<I", handle))
        self._rec(EMR_EOF, struct.pack("<III", 0, 16, 20))
        desc = "planctl\0flow chart\0\0".encode("utf-16-le")
        desc += b"\0" * ((-len(desc)) % 4)
        header_size = 108
        n_bytes = header_size + len(desc) + sum(len(r) for r in self.records)
        ref_mm = (max(1, -(-self.w // UNITS_PER_MM)), max(1, -(-self.h // UNITS_PER_MM)))
        body = struct.pack("<iiii", 0, 0, self.w - 1, self.h - 1)  # bounds, device units
        body += struct.pack("<iiii", 0, 0, self.w - 1, self.h - 1)  # frame, 0.01 mm
        body += struct.pack("<IIII", ENHMETA_SIGNATURE, 0x10000, n_bytes, len(self.records) + 1)
        body += struct.pack("<HH", len(self.objects) + 1, 0)
        body += struct.pack("<III", len(desc) // 2, header_size, 0)  # description, palette
        # reference device: 100 pixels a millimetre, so a device unit is 0.01 mm
        body += struct.pack("<ii", ref_mm[0] * UNITS_PER_MM, ref_mm[1] * UNITS_PER_MM)
        body += struct.pack("<ii", ref_mm[0], ref_mm[1])
        body += struct.pack("<III", 0, 0, 0)  # no pixel format, not OpenGL
        body += struct.pack("<ii", ref_mm[0] * 1000, ref_mm[1] * 1000)  # micrometres
        header = struct.pack("<II", EMR_HEADER, header_size + len(desc)) + body + desc
        assert len(body) + 8 == header_size
        return header + b"".join(self.records)


def render(lay: Layout, m: Metrics) -> bytes:
    """The chart as EMF bytes, for exactly ``lay.width`` x ``lay.height`` millimetres."""
    e = EmfWriter(lay.width, lay.height)
    e.state()
    black = e.pen(LINE_MM, BLACK)
    halo = e.pen(LINE_MM + 2 * HALO_MM, WHITE)
    e.select(black)
    for a, b, _ in lay.segments:
        if a[1] == b[1]:
            e.polyline([a, b])
    e.select(halo)
    for a, b, _ in lay.segments:
        if a[0] == b[0] and abs(b[1] - a[1]) > 2.4:
            e.polyline([(a[0], a[1] + 1.1), (b[0], b[1] - 1.1)])
    e.select(black)
    for a, b, _ in lay.segments:
        if a[0] == b[0]:
            e.polyline([a, b])
    if lay.axis is not None:
        ax, y0, y1 = lay.axis
        e.polyline([(ax, y0), (ax, y1 - 1.6)])
        for ty in lay.ticks:
            e.polyline([(ax - 1.0, ty), (ax, ty)])

    e.select(e.thin_pen(BLACK))
    e.select(e.brush(BLACK))
    for tx, ty in lay.arrows:
        e.polygon([(tx, ty), (tx - 0.85, ty - 2.0), (tx + 0.85, ty - 2.0)])
    if lay.axis is not None:
        ax, _, y1 = lay.axis
        e.polygon([(ax, y1), (ax - 0.8, y1 - 1.8), (ax + 0.8, y1 - 1.8)])

    def line_at(x: float, cy: float, s: str, pt: float, anchor: str) -> None:
        em = pt * PT_MM
        w = sum(char_advance(ch) for ch in s) * em
        start = x - w / 2 if anchor[0] == "m" else x - w if anchor[0] == "r" else x
        e.text(start, cy + m.centre * em, s, em)

    e.select(black)
    for i, box in enumerate(lay.boxes):
        x0, y0, x1, y1 = box.rect
        if box.kind == "start":
            e.select(e.brush(START_FILL))
            e.polygon(stadium(x0, y0, x1, y1))
        elif i in lay.dashed:
            _dashed_rect(e, x0, y0, x1, y1)
        else:
            e.select(e.brush(GROUP_FILL if box.kind == "group" else WHITE))
            e.rectangle(x0, y0, x1, y1)
    for box in lay.boxes:
        e.select(e.font(box.pt * PT_MM))
        for x, ty, line, pt, anchor in box_text(box):
            line_at(x, ty, line, pt, anchor)

    # labels: a tight white ground under each line, then the words
    placed = label_text(lay)
    if placed:
        e.select(e.thin_pen(WHITE))
        e.select(e.brush(WHITE))
        for x, ty, line, pt, anchor in placed:
            em = pt * PT_MM
            w = sum(char_advance(ch) for ch in line) * em
            left = x - w if anchor[0] == "r" else x
            half = m.ink * em / 2 + LABEL_GROUND_MM
            e.rectangle(left - LABEL_GROUND_MM, ty - half, left + w + LABEL_GROUND_MM, ty + half)
    for x, ty, line, pt, anchor in placed:
        e.select(e.font(pt * PT_MM))
        line_at(x, ty, line, pt, anchor)
    for t in lay.texts:
        e.select(e.font(t.pt * PT_MM))
        line_at(t.cx, t.cy, t.text, t.pt, t.anchor)
    return e.finish()


def stadium(
    x0: float, y0: float, x1: float, y1: float, steps: int = 12
) -> list[tuple[float, float]]:
    """The start event's pill: a rectangle with semicircular ends, as a polygon.

    EMR_ROUNDRECT would say the same in one record, but LibreOffice reads its
    corner ellipse size as a radius (the pill came out an ellipse that cut into
    the words); a polygon is drawn alike everywhere.
    """
    r = (y1 - y0) / 2
    cy = (y0 + y1) / 2
    right = [
        (x1 - r + r * math.sin(math.pi * i / steps), cy - r * math.cos(math.pi * i / steps))
        for i in range(steps + 1)
    ]
    left = [(x0 + x1 - x, 2 * cy - y) for x, y in right]
    return right + left


def _dashed_rect(e: EmfWriter, x0: float, y0: float, x1: float, y1: float) -> None:
    """Dashes drawn as short lines (a user-styled pen is not drawn alike by every viewer)."""
    dash, gap = 1.6, 1.0
    for ya in (y0, y1):
        x = x0
        while x < x1:
            e.polyline([(x, ya), (min(x + dash, x1), ya)])
            x += dash + gap
    for xa in (x0, x1):
        y = y0
        while y < y1:
            e.polyline([(xa, y), (xa, min(y + dash, y1))])
            y += dash + gap
