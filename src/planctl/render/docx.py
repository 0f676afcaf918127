"""Content blocks → a GB/T 9704 DOCX, through the office-replaceable reference.docx.

Styles (fonts, sizes, line pitch) come from templates/reference.docx; this
module only places content and sets what a style cannot carry: page
geometry per section, landscape annexes, repeated header rows, rows that do
not split, page-number fields, the draft mark, and document properties.
Output is byte-identical for the same plan and planctl version.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

from planctl import __version__
from planctl.render.content import (
    Annex,
    Content,
    Figure,
    Heading,
    Para,
    Signatures,
    Table,
    TitlePage,
    Toc,
)
from planctl.render.matrix import balanced_chunks
from planctl.render.templates import reference_docx

DRAFT_MARK = "征求意见稿"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
GENERATOR_MARK = "planctl"


# --- low-level OOXML helpers -------------------------------------------------
def _field_begin(paragraph: Any, instruction: str) -> None:
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run._r.append(begin)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    run = paragraph.add_run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run._r.append(sep)


def _field_end(paragraph: Any) -> None:
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """Insert a complex field (PAGE, TOC …) that Word and LibreOffice compute."""
    _field_begin(paragraph, instruction)
    paragraph.add_run(placeholder)
    _field_end(paragraph)


def _row_flags(row: Any, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    tr_pr.append(cant)
    if header:
        th = OxmlElement("w:tblHeader")
        tr_pr.append(th)


def _set_cell_width(cell: Any, width: int) -> None:
    cell.width = Emu(width)


def _no_borders(table: Any) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _fixed_layout(table: Any) -> None:
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)


def _settings(doc: Any) -> None:
    """Ask Word to update fields (TOC, PAGE) on open; odd/even footers."""
    settings = doc.settings.element
    for tag in ("w:updateFields", "w:evenAndOddHeaders"):
        if settings.find(qn(tag)) is None:
            el = OxmlElement(tag)
            if tag == "w:updateFields":
                el.set(qn("w:val"), "true")
            settings.append(el)
    doc.settings.odd_and_even_pages_header_footer = True


# --- the writer --------------------------------------------------------------
class DocxWriter:
    def __init__(self, content: Content, reference: Path | None = None) -> None:
        self.c = content
        self.doc = Document(str(reference or reference_docx()))
        body = self.doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        self.portrait = self._geometry(self.doc.sections[0])
        # python-docx resolves a style name on every assignment by scanning all styles;
        # with thousands of table cells that dominated render time, so resolve once
        self._style_ids = {st.name: st.style_id for st in self.doc.styles}

    def _style(self, paragraph: Any, name: str | None) -> Any:
        if name is not None:
            paragraph._p.style = self._style_ids[name]
        return paragraph

    def _add(self, text: str = "", style: str | None = None) -> Any:
        para = self.doc.add_paragraph(text)
        return self._style(para, style)

    @staticmethod
    def _geometry(section: Any) -> dict[str, int]:
        return {
            "width": section.page_width,
            "height": section.page_height,
            "top": section.top_margin,
            "bottom": section.bottom_margin,
            "left": section.left_margin,
            "right": section.right_margin,
        }

    def _text_width(self) -> int:
        s = self.doc.sections[-1]
        return s.page_width - s.left_margin - s.right_margin

    # sections and page furniture
    def _new_section(self, landscape: bool) -> None:
        s = self.doc.add_section(WD_SECTION.NEW_PAGE)
        g = self.portrait
        if landscape:
            s.orientation = WD_ORIENT.LANDSCAPE
            s.page_width, s.page_height = g["height"], g["width"]
            s.top_margin, s.bottom_margin = Mm(28), Mm(26)
            s.left_margin, s.right_margin = g["top"], g["bottom"]
        else:
            s.orientation = WD_ORIENT.PORTRAIT
            s.page_width, s.page_height = g["width"], g["height"]
            s.top_margin, s.bottom_margin = g["top"], g["bottom"]
            s.left_margin, s.right_margin = g["left"], g["right"]
        # a copied sectPr keeps "different first page": annex sections must not, or their
        # single page would lose its page number
        s.different_first_page_header_footer = False
        s.footer_distance = Mm(23) if not landscape else Mm(12)
        s.header_distance = Mm(15) if not landscape else Mm(10)

    def _page_furniture(self) -> None:
        s = self.doc.sections[0]
        s.different_first_page_header_footer = True
        stamp = f"{self.c.plan_id} v{self.c.version} · SHA-256 {self.c.digest[:16]}"
        for footer, align in (
            (s.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            para = footer.paragraphs[0]
            para.style = self.doc.styles["Footer"]
            para.alignment = align
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                para.paragraph_format.right_indent = Pt(14)
            else:
                para.paragraph_format.left_indent = Pt(14)
            para.add_run("— ")
            _field(para, "PAGE", "1")
            para.add_run(" —")
            small = footer.add_paragraph(stamp, style=self.doc.styles["Plan Note"])
            small.alignment = align
            for run in small.runs:
                run.font.size = Pt(8)
        for header in (s.header, s.even_page_header, s.first_page_header):
            para = header.paragraphs[0]
            para.style = self.doc.styles["Header"]
            if self.c.draft:
                para.add_run(DRAFT_MARK)

    # blocks
    def write(self) -> bytes:
        self._page_furniture()
        landscape = False
        for block in self.c.blocks:
            if isinstance(block, TitlePage):
                self._title_page(block)
            elif isinstance(block, Toc):
                self._toc()
            elif isinstance(block, Heading):
                self._add(block.text, f"Heading {min(block.level, 4)}")
            elif isinstance(block, Para):
                self._add(block.text, block.style)
            elif isinstance(block, Annex):
                if block.landscape or landscape:
                    self._new_section(block.landscape)
                    landscape = block.landscape
                else:
                    self._page_break()
                self._add(f"附件{block.number}", "Annex Label")
                self._add(block.title, "Annex Title")
            elif isinstance(block, Table):
                self._table(block)
            elif isinstance(block, Figure):
                self._figure(block)
            elif isinstance(block, Signatures):
                self._signatures(block)
        self._properties()
        _settings(self.doc)
        buf = io.BytesIO()
        self.doc.save(buf)
        return normalize_zip(buf.getvalue())

    def _page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _title_page(self, t: TitlePage) -> None:
        for _ in range(3):
            self.doc.add_paragraph()
        self._add(t.title, "Title")
        self.doc.add_paragraph()
        if t.draft:
            self._add(f"（{DRAFT_MARK}）", "Plan Subtitle")
        self._add(f"第 {t.version} 版", "Plan Subtitle")
        for _ in range(4):
            self.doc.add_paragraph()
        for name in t.parties:
            self._add(name, "Plan Subtitle")
        self.doc.add_paragraph()
        if t.date:
            self._add(t.date, "Plan Subtitle")
        self._page_break()

    def _toc(self) -> None:
        """A TOC field whose cached result already lists the chapters.

        Word refreshes it (with page numbers) on open because updateFields is
        set; viewers that never update fields still show the chapter list.
        """
        self._add("目　　录", "Annex Title")
        entries = [b for b in self.c.blocks if isinstance(b, (Heading, Annex))]
        first = self._add("", "TOC 1")
        _field_begin(first, 'TOC \\o "1-2" \\h \\z \\u')
        para = first
        for k, b in enumerate(entries):
            if isinstance(b, Heading) and b.level > 1:
                continue
            text = b.text if isinstance(b, Heading) else f"附件{b.number}　{b.title}"
            if k:
                para = self._add("", "TOC 1")
            para.add_run(text)
        _field_end(para)
        self._page_break()

    def _table(self, t: Table) -> None:
        keys = t.key_columns
        party_columns = list(range(keys, len(t.header)))
        groups = balanced_chunks(party_columns, t.max_parties or len(party_columns) or 1)
        for gi, cols in enumerate(groups):
            idx = list(range(keys)) + cols
            if len(groups) > 1:
                cap = f"（{gi + 1}/{len(groups)}：{'、'.join(t.header[i] for i in cols)}）"
                self._add(cap, "Table Caption")
            self._one_table(
                [t.header[i] for i in idx],
                [[r[i] for i in idx] for r in t.rows],
                [t.widths[i] for i in idx],
            )
            if gi < len(groups) - 1:
                self._page_break()

    def _one_table(self, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
        """Emit the table as one WordprocessingML fragment.

        Building thousands of cells through python-docx's object API cost most
        of the render time; the XML is simple and fixed, so we write it
        directly (text escaped by ``xml.sax.saxutils.escape``) and parse once.
        """
        from xml.sax.saxutils import escape

        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        total = self._text_width()
        scale = total / sum(widths)
        twips = [int(w * scale / 635) for w in widths]  # EMU → twentieths of a point
        sid = self._style_ids
        grid = "".join(f'<w:gridCol w:w="{t}"/>' for t in twips)
        parts = [
            f"<w:tbl {nsdecls('w')}><w:tblPr>"
            f'<w:tblStyle w:val="{sid["Table Grid"]}"/><w:tblW w:w="{sum(twips)}" w:type="dxa"/>'
            '<w:jc w:val="center"/><w:tblLayout w:type="fixed"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>"
        ]
        for r, values in enumerate([header, *rows]):
            head = "<w:tblHeader/>" if r == 0 else ""
            parts.append(f"<w:tr><w:trPr><w:cantSplit/>{head}</w:trPr>")
            for width, value in zip(twips, values, strict=True):
                style = (
                    "Table Header"
                    if r == 0
                    else ("Table Center" if len(value) <= 4 else "Table Text")
                )
                bold = "<w:rPr><w:b/></w:rPr>" if r > 0 and value == "牵头" else ""
                text = escape(value)
                parts.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
                    f'<w:p><w:pPr><w:pStyle w:val="{sid[style]}"/></w:pPr>'
                    f'<w:r>{bold}<w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:tc>'
                )
            parts.append("</w:tr>")
        parts.append("</w:tbl>")
        tbl = parse_xml("".join(parts))
        body = self.doc.element.body
        body.insert(len(body) - 1, tbl)  # before the final sectPr
        # Word requires a paragraph between a table and a following section break
        self._add("", "Plan Note")

    def _figure(self, f: Figure) -> None:
        """Fit the figure under the annex title on the same page, keeping its aspect."""
        import struct

        px_w, px_h = struct.unpack(">II", f.png[16:24])  # PNG IHDR
        s = self.doc.sections[-1]
        width = int(self._text_width() * 0.95)
        room = s.page_height - s.top_margin - s.bottom_margin - Mm(45)  # label, title, caption
        height = int(width * px_h / px_w)
        if height > room:
            width, height = int(room * px_w / px_h), int(room)
        para = self._add("", "Table Center")
        para.add_run().add_picture(io.BytesIO(f.png), width=Emu(width), height=Emu(height))
        self._add(f.caption, "Plan Note").alignment = WD_ALIGN_PARAGRAPH.CENTER

    def _signatures(self, s: Signatures) -> None:
        self.doc.add_paragraph(
            "本预案经各参与方协商一致，由各方负责人签署并加盖印章后生效。", style="Plan Note"
        )
        cols = 2
        parties = s.parties
        nrows = -(-len(parties) // cols)
        table = self.doc.add_table(rows=nrows, cols=cols)
        _no_borders(table)
        _fixed_layout(table)
        width = self._text_width() // cols
        for i, party in enumerate(parties):
            row = table.rows[i // cols]
            if i % cols == 0:
                _row_flags(row, header=False)
            cell = row.cells[i % cols]
            _set_cell_width(cell, width)
            sig = party.get("signatory", {})
            # blank lines under the organ name leave room for a 42 mm seal pressing on it
            lines = [
                (sig.get("organ") or party["name"], True),
                ("", False),
                ("（盖章）", False),
                ("", False),
                ("", False),
                (f"{sig.get('title', '')}：{sig.get('name', '') or '＿＿＿＿＿＿'}", False),
                ("签字：＿＿＿＿＿＿＿＿", False),
                ("日期：　　年　月　日", False),
                ("", False),
            ]
            first = cell.paragraphs[0]
            for k, (text, bold) in enumerate(lines):
                para = first if k == 0 else cell.add_paragraph()
                self._style(para, "Signature Text")
                run = para.add_run(text)
                run.bold = bold

    def _properties(self) -> None:
        core = self.doc.core_properties
        core.title = self.c.title
        core.subject = "跨区域联合应急预案"
        core.author = GENERATOR_MARK
        core.last_modified_by = GENERATOR_MARK
        core.identifier = self.c.plan_id
        core.version = self.c.version
        core.keywords = f"sha256:{self.c.digest}"
        core.category = DRAFT_MARK if self.c.draft else "正式稿"
        core.comments = (
            f"Generated by planctl {__version__} from plan {self.c.plan_id} "
            f"v{self.c.version}; sha256:{self.c.digest}"
        )
        core.revision = 1
        fixed = datetime(2000, 1, 1)
        core.created = fixed
        core.modified = fixed
        core.last_printed = fixed


def normalize_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed timestamps so equal input gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o600 << 16
            new.create_system = 0
            dst.writestr(
                new, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6
            )
    return out.getvalue()


def render_docx(content: Content, reference: Path | None = None) -> bytes:
    return DocxWriter(content, reference).write()


__all__ = ["normalize_zip", "render_docx"]
