"""Rasterising a layout: 300 dpi greyscale PNG, black on white, byte-identical.

The DOCX embeds the vector EMF (emf.py); this PNG is the Markdown export's
image file, so Pillow and FreeType are loaded only when Markdown is written.

Lines are drawn first, then vertical lines again over a white halo so that a
vertical arrow passing a horizontal track shows a small gap (a bridge): a
crossing then never reads as a junction. Boxes and labels come last on white.
Nothing is antialiased by supersampling: at 300 dpi hinted FreeType text and
straight lines print cleanly, and it keeps a 34-party chart fast.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from planctl.render.figure.fonts import face_index
from planctl.render.figure.layout import PT_MM, Layout, box_text, label_text

DPI = 300
_PX = DPI / 25.4  # pixels per millimetre
_PNG_LEVEL = 1  # fixed zlib level (bytes must not depend on Pillow defaults); fast
_INK = 0
_LEVELS = [round(v / 17) for v in range(256)]
_PALETTE = [c for i in range(16) for c in (i * 17,) * 3]
_START_FILL = 232
_GROUP_FILL = 246


@lru_cache(maxsize=32)
def _font(path: str, index: int, pt: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, max(1, round(pt * PT_MM * _PX)), index=index)


@lru_cache(maxsize=4096)
def _glyphs(
    path: str, index: int, s: str, pt: float, anchor: str, halo: int = 0
) -> tuple[Image.Image, tuple[int, int]]:
    """A rendered string as a mask and its offset from the anchor point.

    With ``halo`` the mask is the strokes widened by that many pixels: painted
    white first, it parts a line running behind the text only around the
    glyphs. Charts of one plan repeat the same names and deadlines many times;
    FreeType renders each once.
    """
    font = _font(path, index, pt)
    x0, y0, x1, y1 = (int(v) for v in font.getbbox(s, anchor=anchor, stroke_width=halo))
    mask = Image.new("L", (max(1, x1 - x0), max(1, y1 - y0)), 0)
    ImageDraw.Draw(mask).text(
        (-x0, -y0), s, font=font, fill=255, anchor=anchor, stroke_width=halo, stroke_fill=255
    )
    return mask, (x0, y0)


def render(lay: Layout, font_path: str) -> bytes:
    """The layout as a 300 dpi PNG, text in the CJK font at ``font_path``."""
    index = face_index(font_path)
    w = max(1, round(lay.width * _PX))
    h = max(1, round(lay.height * _PX))
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)

    def p(x: float, y: float) -> tuple[int, int]:
        return (round(x * _PX), round(y * _PX))

    line_w = max(2, round(0.3 * _PX))
    halo = max(2, round(0.5 * _PX))
    # horizontals, then verticals with a white halo (bridges over crossed tracks)
    for a, b, _ in lay.segments:
        if a[1] == b[1]:
            d.line([p(*a), p(*b)], fill=_INK, width=line_w)
    for a, b, _ in lay.segments:
        if a[0] == b[0] and abs(b[1] - a[1]) > 2.4:
            d.line([p(a[0], a[1] + 1.1), p(b[0], b[1] - 1.1)], fill=255, width=line_w + 2 * halo)
    for a, b, _ in lay.segments:
        if a[0] == b[0]:
            d.line([p(*a), p(*b)], fill=_INK, width=line_w)
    for tx, ty in lay.arrows:
        d.polygon([p(tx, ty), p(tx - 0.85, ty - 2.0), p(tx + 0.85, ty - 2.0)], fill=_INK)

    if lay.axis is not None:
        ax, y0, y1 = lay.axis
        d.line([p(ax, y0), p(ax, y1 - 1.6)], fill=_INK, width=line_w)
        d.polygon([p(ax, y1), p(ax - 0.8, y1 - 1.8), p(ax + 0.8, y1 - 1.8)], fill=_INK)
        for ty in lay.ticks:
            d.line([p(ax - 1.0, ty), p(ax, ty)], fill=_INK, width=line_w)

    def stamp(xy: tuple[int, int], s: str, pt: float, anchor: str, halo: int = 0) -> None:
        if halo:
            mask, (dx, dy) = _glyphs(font_path, index, s, pt, anchor, halo)
            img.paste(255, (xy[0] + dx, xy[1] + dy), mask)
        mask, (dx, dy) = _glyphs(font_path, index, s, pt, anchor)
        img.paste(_INK, (xy[0] + dx, xy[1] + dy), mask)

    box_w = max(2, round(0.3 * _PX))
    for i, box in enumerate(lay.boxes):
        x0, y0, x1, y1 = box.rect
        if box.kind == "start":
            d.rounded_rectangle(
                (*p(x0, y0), *p(x1, y1)),
                radius=round((y1 - y0) / 2 * _PX),
                fill=_START_FILL,
                outline=_INK,
                width=box_w,
            )
        elif i in lay.dashed:
            _dashed_rect(d, p(x0, y0), p(x1, y1), box_w)
        else:
            fill = _GROUP_FILL if box.kind == "group" else 255
            d.rectangle((*p(x0, y0), *p(x1, y1)), fill=fill, outline=_INK, width=box_w)
        for x, ty, line, pt, anchor in box_text(box):
            stamp(p(x, ty), line, pt, anchor)
    # no white box: another arrow's stem that has to pass behind a label stays
    # visible between the glyphs, parted only by a thin white halo around them
    halo = max(2, round(0.45 * _PX))
    for x, ty, line, pt, anchor in label_text(lay):
        stamp(p(x, ty), line, pt, anchor, halo)
    for t in lay.texts:
        stamp(p(t.cx, t.cy), t.text, t.pt, t.anchor)
    # 16 grey levels are plenty for black-on-white with antialiased text, and a 4-bit
    # palette halves what zlib has to encode
    quant = img.point(_LEVELS).convert("P")
    quant.putpalette(_PALETTE)
    out = io.BytesIO()
    quant.save(out, format="PNG", optimize=False, compress_level=_PNG_LEVEL, bits=4, dpi=(DPI, DPI))
    return out.getvalue()


def _dashed_rect(d: ImageDraw.ImageDraw, a: tuple[int, int], b: tuple[int, int], w: int) -> None:
    dash, gap = round(1.6 * _PX), round(1.0 * _PX)
    (x0, y0), (x1, y1) = a, b
    for ya in (y0, y1):
        x = x0
        while x < x1:
            d.line([(x, ya), (min(x + dash, x1), ya)], fill=_INK, width=w)
            x += dash + gap
    for xa in (x0, x1):
        y = y0
        while y < y1:
            d.line([(xa, y), (xa, min(y + dash, y1))], fill=_INK, width=w)
            y += dash + gap
