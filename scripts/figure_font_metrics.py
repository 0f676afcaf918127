"""Write src/planctl/data/figure-font.json: the advances the flow charts are laid out with.

The charts are vector (EMF in the DOCX): the viewer draws the text with its
own 黑体/sans face, and every glyph is placed by an explicit advance array, so
layout needs numbers, not a font file. CJK ideographs and full-width forms are
one em; this table holds every character of the ranges below (ASCII, Latin,
punctuation, number forms, circled numbers, CJK symbols, full- and half-width
forms), in thousandths of an em, plus the ink height of a full
ideograph (the printed label size is checked against it). Taken from Noto Sans
CJK SC Regular (Source Han Sans: the free 黑体 LibreOffice substitutes for
SimHei on Linux). Run it only to change the reference face:

    python scripts/figure_font_metrics.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

from PIL import ImageFont

RANGES = [
    (0x20, 0x7F),  # ASCII
    (0xA0, 0x180),  # Latin-1, Latin Extended-A
    (0x2000, 0x2070),  # general punctuation
    (0x2150, 0x2190),  # number forms (Ⅰ Ⅱ …)
    (0x2190, 0x2200),  # arrows
    (0x2460, 0x2500),  # enclosed alphanumerics (① …)
    (0x3000, 0x3040),  # CJK symbols and punctuation
    (0xFF00, 0xFFF0),  # half-width and full-width forms
]


def main(path: str, index: int | None = None) -> None:
    from planctl.render.figure.fonts import face_index

    idx = face_index(path) if index is None else index
    font = ImageFont.truetype(path, 1000, index=idx, layout_engine=ImageFont.Layout.BASIC)
    advances: dict[str, int] = {}
    for lo, hi in RANGES:
        for cp in range(lo, hi):
            ch = chr(cp)
            if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cn"):
                continue  # controls and unassigned: never drawn
            advances[ch] = round(font.getlength(ch))
    top, bottom = font.getbbox("国", anchor="ls")[1::2]
    data = {
        "face": font.getname()[0],
        "source": Path(path).name,
        "units_per_em": 1000,
        "ideograph_ink": bottom - top,  # ink height of 国, thousandths of an em
        "ideograph_centre": -(top + bottom) // 2,  # its ink centre above the baseline
        "advances": advances,
    }
    out = Path(__file__).resolve().parents[1] / "src/planctl/data/figure-font.json"
    out.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", "utf-8")
    print(f"{out}: {len(advances)} advances from {data['face']}")


if __name__ == "__main__":
    main(sys.argv[1])
