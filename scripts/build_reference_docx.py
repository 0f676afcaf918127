"""Build templates/reference.docx: the styles every rendered plan uses.

An office replaces templates/reference.docx with its own (letterhead, fonts,
margins) without touching code; this script only produces the default, a
GB/T 9704-2012 layout. Run it after changing a style here:

    python scripts/build_reference_docx.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

OUT = Path(__file__).resolve().parents[1] / "templates" / "reference.docx"

# Font classes GB/T 9704 names, as the fonts a government PC has.
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"

LINE = Pt(28.95)  # 225 mm type area / 22 lines
TABLE_LINE = Pt(15)  # table text is 小四 (12 pt)


def set_fonts(style, east_asian: str, size: float, bold: bool = False, latin: str = LATIN) -> None:
    font = style.font
    font.name = latin
    font.size = Pt(size)
    font.bold = bold
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), latin)
    rfonts.set(qn("w:eastAsia"), east_asian)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)


def paragraph_style(doc, name: str, base: str | None = "Normal"):
    styles = doc.styles
    if name in [s.name for s in styles]:
        return styles[name]
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        style.base_style = styles[base]
    return style


def main() -> None:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(23)

    normal = doc.styles["Normal"]
    set_fonts(normal, FANGSONG, 16)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Pt(32)  # two characters
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.widow_control = True

    title = doc.styles["Title"]
    title.base_style = normal
    set_fonts(title, XIAOBIAOSONG, 22)
    tpf = title.paragraph_format
    tpf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tpf.first_line_indent = Pt(0)
    tpf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    tpf.line_spacing = Pt(36)
    tpf.space_after = Pt(0)
    # the Title style of the default template carries a border and colour; drop them
    ppr = title.element.get_or_add_pPr()
    for tag in ("w:pBdr",):
        el = ppr.find(qn(tag))
        if el is not None:
            ppr.remove(el)
    title.font.color.rgb = None

    for level, (face, bold) in enumerate(
        [(HEITI, False), (KAITI, False), (FANGSONG, True), (FANGSONG, False)], start=1
    ):
        h = doc.styles[f"Heading {level}"]
        h.base_style = normal
        set_fonts(h, face, 16, bold=bold)
        h.font.color.rgb = None
        h.font.italic = False
        hpf = h.paragraph_format
        hpf.first_line_indent = Pt(32)
        hpf.space_before = hpf.space_after = Pt(0)
        hpf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        hpf.line_spacing = LINE
        hpf.keep_with_next = True
        hpf.alignment = WD_ALIGN_PARAGRAPH.LEFT

    subtitle = paragraph_style(doc, "Plan Subtitle")
    set_fonts(subtitle, KAITI, 16)
    subtitle.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.paragraph_format.first_line_indent = Pt(0)

    annex_label = paragraph_style(doc, "Annex Label")
    set_fonts(annex_label, HEITI, 16)
    annex_label.paragraph_format.first_line_indent = Pt(0)
    annex_label.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    annex_title = paragraph_style(doc, "Annex Title", "Title")
    set_fonts(annex_title, XIAOBIAOSONG, 22)
    annex_title.paragraph_format.space_before = LINE
    annex_title.paragraph_format.space_after = LINE

    for name, face, bold, align in (
        ("Table Text", FANGSONG, False, WD_ALIGN_PARAGRAPH.LEFT),
        ("Table Center", FANGSONG, False, WD_ALIGN_PARAGRAPH.CENTER),
        ("Table Header", HEITI, False, WD_ALIGN_PARAGRAPH.CENTER),
    ):
        st = paragraph_style(doc, name)
        set_fonts(st, face, 12, bold=bold)
        spf = st.paragraph_format
        spf.first_line_indent = Pt(0)
        # an exact 15 pt pitch for 12 pt type: "single" takes the CJK face's own line
        # height (17–18 pt with the free faces), and those 3 pt a line decide whether
        # an annex table's last rows spill onto a page of their own
        spf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        spf.line_spacing = TABLE_LINE
        spf.alignment = align
        spf.space_before = spf.space_after = Pt(1)

    caption = paragraph_style(doc, "Table Caption")
    set_fonts(caption, HEITI, 14)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = Pt(0)
    caption.paragraph_format.keep_with_next = True

    note = paragraph_style(doc, "Plan Note")
    set_fonts(note, FANGSONG, 12)
    note.paragraph_format.first_line_indent = Pt(0)
    note.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE

    sign = paragraph_style(doc, "Signature Text")
    set_fonts(sign, FANGSONG, 16)
    sign.paragraph_format.first_line_indent = Pt(0)
    sign.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    sign.paragraph_format.line_spacing = LINE

    footer = doc.styles["Footer"]
    set_fonts(footer, SONGTI, 14, latin=SONGTI)
    footer.paragraph_format.first_line_indent = Pt(0)
    header = doc.styles["Header"]
    set_fonts(header, HEITI, 12)
    header.paragraph_format.first_line_indent = Pt(0)
    header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    for level in (1, 2):
        toc = (
            paragraph_style(doc, f"TOC {level}")
            if f"TOC {level}" not in [s.name for s in doc.styles]
            else doc.styles[f"TOC {level}"]
        )
        set_fonts(toc, FANGSONG, 16)
        toc.paragraph_format.first_line_indent = Pt(0)
        toc.paragraph_format.left_indent = Pt(32 * (level - 1))

    core = doc.core_properties
    core.author = "planctl"
    core.last_modified_by = "planctl"
    core.title = "planctl reference styles (GB/T 9704-2012)"
    # leave an empty body: the renderer adds content after clearing it
    for p in list(doc.paragraphs):
        p._element.getparent().remove(p._element)
    slim(doc)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(OUT)
    print(f"wrote {OUT}")


#: the table styles a rendered plan uses: the default and the grid of every table
KEPT_TABLE_STYLES = {"TableNormal", "TableGrid"}


def slim(doc) -> None:
    """Drop what python-docx's default template carries and no plan uses.

    Its 98 unused table styles were 312 KB of the 354 KB styles part, and
    stylesWithEffects.xml (Word 2010's compatibility copy of the styles, which
    Word 2013 and later neither need nor write) another 438 KB. Every render
    parsed, wrote and compressed both (~12 ms of a ~200 ms render). The
    thumbnail is a picture of python-docx's own sample page, not of a plan.
    Word offers its built-in table styles whether or not a document defines them.
    """
    styles = doc.styles.element
    for style in styles.findall(qn("w:style")):
        if (
            style.get(qn("w:type")) == "table"
            and style.get(qn("w:styleId")) not in KEPT_TABLE_STYLES
        ):
            styles.remove(style)
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)
    package_rels = doc.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            package_rels.pop(rid)


if __name__ == "__main__":
    main()
