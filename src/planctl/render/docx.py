"""Content blocks → a GB/T 9704 DOCX, through the office-replaceable reference.docx.

Styles (fonts, sizes, line pitch) come from templates/reference.docx; this
module places content and sets what a style cannot carry: sections (cover and
目录 unnumbered, the body from "— 1 —", landscape annexes), repeated header
rows, merged cells, page-number footers, the draft mark, the TOC, and
document properties. Whatever reference.docx an office supplies, the package
is made to say zh-CN, name Chinese theme fonts, and give the _GB2312 fonts
fallbacks (:func:`enforce_chinese`).

The body is written as WordprocessingML text and parsed once, into a package
planctl reads and writes itself (render/package.py): python-docx's import and
object model cost more than the rest of the DOCX, and its ``add_paragraph``
rescanned the body for every paragraph. Output is byte-identical for the same
plan and planctl version, and byte-identical to what python-docx wrote.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from lxml import etree

from planctl import __version__
from planctl.render import paginate
from planctl.render.blocks import (
    Annex,
    Attachments,
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
from planctl.render.package import (
    CORE_TEMPLATE,
    CT_CORE,
    CT_FOOTER,
    CT_HEADER,
    CT_SETTINGS,
    DEFAULT_SETTINGS,
    HDR_FTR_NAMESPACES,
    RT_CORE,
    RT_FOOTER,
    RT_HEADER,
    RT_SETTINGS,
    RT_STYLES,
    Package,
    PackageError,
    Part,
    parse,
    unzip_parts,
    zip_parts,
)
from planctl.render.package import (
    w as _w,
)
from planctl.render.style import title_lines
from planctl.render.templates import reference_docx

DRAFT_MARK = "征求意见稿"


def escape(data: str) -> str:
    """&, < and > as XML entities: xml.sax.saxutils.escape, whose import pulls in
    urllib.request, http.client and ssl (~10 ms a process) for these three replaces."""
    return data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


GENERATOR_MARK = "planctl"
TWIPS_PER_MM = 56.6929
#: GB/T 9704: 28 characters a line in the 156 mm type area. 3号 (16 pt) glyphs are
#: 28 × 16 pt = 158 mm wide, so each character is drawn 0.25 pt closer (w:spacing −5)
CHAR_SPACING_TWIPS = -5
LINE_CHARS = 28
#: portrait footer distance: the page number's line from the sheet's bottom edge
FOOTER_MM = 23
#: signature blocks a row, and rows a page (each block leaves room for a 42 mm seal)
SIGN_COLS, SIGN_ROWS = 3, 3
#: fallbacks for the font names GB/T 9704 documents use, when a PC lacks them
FONT_FALLBACKS = {
    "仿宋_GB2312": ("仿宋", "02010609030101010101", "modern", "86"),
    "楷体_GB2312": ("楷体", "02010609030101010101", "modern", "86"),
    "方正小标宋简体": ("宋体", "02010600030101010101", "auto", "86"),
    "黑体": ("SimHei", "02010609060101010101", "modern", "86"),
    "仿宋": ("FangSong", "02010609060101010101", "modern", "86"),
    "楷体": ("KaiTi", "02010609060101010101", "modern", "86"),
    "宋体": ("SimSun", "02010600030101010101", "auto", "86"),
}

_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_UNITS = {"mm": 36000, "cm": 360000, "in": 914400, "pt": 12700, "pc": 152400, "pi": 152400}


def _emu(el: Any, attr: str) -> int:
    """A page size or margin of the reference document, in EMU; every section states them.

    Twips ("11906") or, as OOXML also allows, a universal measure ("210mm").
    """
    value = el.get(_w(attr)) if el is not None else None
    if value is None:
        raise PackageError("the reference document's first section has no page size or margins")
    try:
        if "i" in value or "m" in value or "p" in value:
            return round(float(value[:-2]) * _UNITS[value[-2:]])
        return int(value) * 635
    except (ValueError, KeyError):
        raise PackageError(
            f"the reference document's page geometry is not a length: {value!r}"
        ) from None


def _t(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(text)}</w:t>'


def _fld(instruction: str, cached: str = "", dirty: bool = False) -> str:
    d = ' w:dirty="true"' if dirty else ""
    return (
        f'<w:r><w:fldChar w:fldCharType="begin"{d}/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r>{_t(cached)}</w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


#: The TOC field. A refresh (Word, LibreOffice) lists the chapters (outline level 1),
#: each annex label "附件N" (outline level 1) and, under it, the annex title (by its
#: style), so no chapter or annex drops out of the 目录 when an office updates fields.
TOC_INSTRUCTION = r'TOC \o "1-1" \t "Annex Title,2" \u \z'
#: the 目录's own heading looks like an annex title but must not list itself
CONTENTS_TITLE = "Contents Title"


class DocxWriter:
    def __init__(
        self,
        content: Content,
        reference: Path | None = None,
        toc_pages: dict[str, int] | None = None,
    ) -> None:
        self.c = content
        self.toc_pages = toc_pages
        self.package = Package.read(Path(reference or reference_docx()))
        self.doc_part = self.package.main_document()
        self.styles = _Styles(self._styles_part().element)
        body = self.doc_part.element.find(_w("body"))
        if body is None:
            raise PackageError("the reference document has no body")
        self._body = body
        for child in list(body):
            if child.tag != _w("sectPr"):
                body.remove(child)
        sects = body.findall(_w("sectPr"))
        if not sects:
            raise PackageError("the reference document has no section properties")
        self.styles.ensure_contents_title()
        self.styles.ensure_header_footer()
        self._style_ids = self.styles.ids_by_name()
        self.final = sects[0]
        size, mar = self.final.find(_w("pgSz")), self.final.find(_w("pgMar"))
        self.g = {
            "width": _emu(size, "w"),
            "height": _emu(size, "h"),
            "top": _emu(mar, "top"),
            "bottom": _emu(mar, "bottom"),
            "left": _emu(mar, "left"),
            "right": _emu(mar, "right"),
        }
        self.parts: list[str] = []
        self.landscape = False
        self._pending_break = False  # next annex label starts a page
        self._figures_in_annex = 0
        self._para_style_ids: dict[str, str | None] = {}
        self._used_pt = 0.0  # estimated height already used on an annex table's first page

    def _styles_part(self) -> Part:
        name = self.doc_part.related(RT_STYLES)
        if name is None:
            raise PackageError("the reference document has no styles part")
        return self.package.parts[name]

    def add_media(self, data: bytes, ext: str, content_type: str) -> str:
        """Add an image part (PNG, EMF, …) to the document; returns its relationship id.

        The same bytes twice are one part. Use the id as a:blip's r:embed.
        """
        return self.package.add_media(self.doc_part, data, ext, content_type)

    # --- XML building blocks -----------------------------------------------------
    def sid(self, name: str) -> str:
        # a style without an id (a broken reference) prints as "None", as it always did
        return str(self._style_ids.get(name, self._style_ids.get("Normal", "Normal")))

    def para(
        self,
        text: str = "",
        style: str | None = None,
        ppr: str = "",
        rpr: str = "",
        runs: str | None = None,
    ) -> str:
        st = f'<w:pStyle w:val="{self.sid(style)}"/>' if style else ""
        if self._pending_break:
            # CT_PPr order: keepNext, keepLines, then pageBreakBefore
            keep = re.match(r"(?:<w:keepNext/>|<w:keepLines/>)*", ppr).group(0)  # type: ignore[union-attr]
            ppr = keep + "<w:pageBreakBefore/>" + ppr[len(keep) :]
            self._pending_break = False
        body = (
            runs
            if runs is not None
            else (f"<w:r>{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}{_t(text)}</w:r>" if text else "")
        )
        return f"<w:p><w:pPr>{st}{ppr}</w:pPr>{body}</w:p>"

    def add(self, *args: Any, **kwargs: Any) -> None:
        self.parts.append(self.para(*args, **kwargs))

    def text_width(self) -> int:
        """Type-area width in twips for the current orientation."""
        g = self.g
        if self.landscape:
            return int((g["height"] - g["top"] - g["bottom"]) / 635)
        return int((g["width"] - g["left"] - g["right"]) / 635)

    def _sect(self, landscape: bool, refs: str = "", start: int | None = None) -> str:
        g = {k: int(v / 635) for k, v in self.g.items()}
        if landscape:
            size = f'<w:pgSz w:w="{g["height"]}" w:h="{g["width"]}" w:orient="landscape"/>'
            # the sheet turned clockwise: portrait left → top, bottom → left, top → right
            mar = (
                f'<w:pgMar w:top="{g["left"]}" w:right="{g["top"]}" '
                f'w:bottom="{g["right"]}" w:left="{g["bottom"]}" '
                f'w:header="{int(10 * TWIPS_PER_MM)}" w:footer="{int(12 * TWIPS_PER_MM)}" w:gutter="0"/>'
            )
        else:
            size = f'<w:pgSz w:w="{g["width"]}" w:h="{g["height"]}"/>'
            mar = (
                f'<w:pgMar w:top="{g["top"]}" w:right="{g["right"]}" w:bottom="{g["bottom"]}" '
                f'w:left="{g["left"]}" w:header="{int(15 * TWIPS_PER_MM)}" '
                f'w:footer="{int(FOOTER_MM * TWIPS_PER_MM)}" w:gutter="0"/>'
            )
        pg = f'<w:pgNumType w:start="{start}"/>' if start else ""
        return (
            f'<w:sectPr>{refs}<w:type w:val="nextPage"/>{size}{mar}{pg}'
            '<w:cols w:space="720"/><w:docGrid w:linePitch="579"/></w:sectPr>'
        )

    def end_section(self, sect: str) -> None:
        """Close the current section with a paragraph too small to spill onto a page."""
        self._pending_break = False
        self.parts.append(
            f'<w:p><w:pPr><w:pStyle w:val="{self.sid("Plan Note")}"/>'
            '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
            f'<w:rPr><w:sz w:val="2"/></w:rPr>{sect}</w:pPr></w:p>'
        )

    # --- page furniture ----------------------------------------------------------
    def _furniture(self) -> tuple[str, str, str]:
        """Header/footer references: cover and 目录 (no number), body ("— n —"), landscape pages."""
        body = self.final
        self._fill(body, numbered=True)
        refs_body = "".join(
            _fragment(el) for el in body if el.tag in (_w("headerReference"), _w("footerReference"))
        )
        refs = []
        for numbered, landscape in ((False, False), (True, True)):
            el = parse(f"<w:sectPr {_NS_W_R}/>")
            self._fill(el, numbered=numbered, landscape=landscape)
            refs.append("".join(_fragment(x) for x in el))
        return refs[0], refs_body, refs[1]

    def _style(self, p: Any, name: str) -> None:
        """Give a header/footer paragraph a paragraph style (none when it is the default one)."""
        cache = self._para_style_ids
        if name not in cache:
            cache[name] = self.styles.paragraph_style_id(name)
        _set_style(p, cache[name])

    def _definition(self, sect: Any, kind: str, which: str) -> Any:
        """The header or footer of a section (``which``: default or even) as a parsed element.

        An office's letterhead keeps its own header and footer and planctl adds to
        their first paragraph; a section without one gets a new part holding one
        styled paragraph.
        """
        tag = _w(f"{kind}Reference")
        for ref in sect.iterfind(tag):
            if ref.get(_w("type")) == which:
                return self._referenced(ref).element
        root = "w:hdr" if kind == "header" else "w:ftr"
        style = "Header" if kind == "header" else "Footer"
        element = parse(
            f'<{root} {HDR_FTR_NAMESPACES} mc:Ignorable="w14 wp14">'
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr></w:p></{root}>'
        )
        ref = sect.makeelement(tag, {_w("type"): which, _R_ID: self._new_part(kind, element)})
        _insert_ordered(sect, ref, _SECT_AFTER_REFS)
        return element

    def _unshare(self, sect: Any) -> None:
        """Give every header or footer reference of a section a part of its own.

        An office's reference may let odd and even pages name one part; planctl
        writes a different number and alignment into each, and into a shared part
        both would land (the page number printed twice). Copies are taken before
        anything is written.
        """
        for kind in ("header", "footer"):
            seen: set[int] = set()
            for ref in sect.iterfind(_w(f"{kind}Reference")):
                part = self._referenced(ref)
                if id(part) in seen:
                    ref.set(_R_ID, self._new_part(kind, copy.deepcopy(part.element)))
                seen.add(id(part))

    def _new_part(self, kind: str, element: Any) -> str:
        """A new header or footer part holding ``element``, related to the document: its rId."""
        template = "/word/header%d.xml" if kind == "header" else "/word/footer%d.xml"
        name = self.package.next_partname(template)
        part = self.package.add_part(
            name, CT_HEADER if kind == "header" else CT_FOOTER, element=element
        )
        return self.doc_part.relate(part, RT_HEADER if kind == "header" else RT_FOOTER)

    def _referenced(self, ref: Any) -> Part:
        """The header or footer part a section's reference names."""
        rel = self.doc_part.rels.get(ref.get(_R_ID, ""))
        part = self.package.parts.get(rel.target) if rel is not None and not rel.external else None
        if part is None or not part.is_xml:
            raise PackageError(
                f"the first section's {_local_name(ref.tag)} {ref.get(_R_ID)!r} names no header or footer part"
            )
        return part

    def check(self) -> None:
        """Fail now, with the reason, where writing into this reference would fail later."""
        for ref in self.final:
            if ref.tag in (_w("headerReference"), _w("footerReference")):
                self._referenced(ref).element  # noqa: B018 (parsed: well-formed)
        for name in ("Header", "Footer"):
            self.styles.paragraph_style_id(name)
        for part in self.package.parts.values():
            if part.is_xml:
                part.element  # noqa: B018 (every part serialised again must parse)
            if part.name.lstrip("/") in _CHINESE_FIXES:
                try:  # edited as UTF-8 text (_fix_chinese); Word writes UTF-8
                    part.blob.decode("utf-8")
                except UnicodeDecodeError:
                    raise PackageError(
                        f"part {part.name} is not UTF-8 encoded; open the reference in Word "
                        "and save it again (参考文档的该部分不是 UTF-8 编码，请用 Word 另存后再用)"
                    ) from None

    def _first_paragraph(self, element: Any) -> Any:
        p = element.find(_w("p"))
        if p is None:  # a header holding only a table or a text box: planctl's line goes first
            p = element.makeelement(_w("p"), {})
            element.insert(0, p)
        return p

    def _fill(self, sect: Any, numbered: bool, landscape: bool = False) -> None:
        """Page numbers and draft mark of one kind of section.

        A landscape page carries its number where the portrait pages have it once
        the sheet is turned back to portrait for binding (GB/T 9704-2012 §10.1:
        the table's top towards the binding edge of odd pages, the cut edge of
        even ones, so every landscape sheet turns the same way): on the left edge,
        reading downwards, near the foot on odd pages and the head on even ones.
        """
        self._unshare(sect)
        if landscape:
            for which in ("default", "even"):
                self._style(
                    self._first_paragraph(self._definition(sect, "footer", which)), "Footer"
                )
            for which, odd in (("default", True), ("even", False)):
                p = self._first_paragraph(self._definition(sect, "header", which))
                self._style(p, "Header")
                if self.c.draft:
                    _add_run(p, DRAFT_MARK)
                p.append(parse(self._side_number(odd)))
            return
        for which, align in (("default", "right"), ("even", "left")):
            p = self._first_paragraph(self._definition(sect, "footer", which))
            self._style(p, "Footer")
            if numbered:
                ppr = _ppr(p)
                _child(ppr, "jc", _PPR_ORDER).set(_w("val"), align)
                # GB/T 9704 §8: odd pages right, even pages left, one character in (14 pt)
                _child(ppr, "ind", _PPR_ORDER).set(_w(align), "280")
                _add_run(p, "— ")
                p.append(
                    parse(
                        f'<w:fldSimple {_NS_W} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
                    )
                )
                _add_run(p, " —")
        for which in ("default", "even"):
            p = self._first_paragraph(self._definition(sect, "header", which))
            self._style(p, "Header")
            if self.c.draft:
                _add_run(p, DRAFT_MARK)

    def _side_number(self, odd: bool) -> str:
        """A text box on the left edge of a landscape page holding "— PAGE —", turned 90°.

        Its place is the portrait number's place mapped onto the turned sheet:
        portrait y becomes landscape x (measured from the other edge), portrait x
        becomes landscape y. The box spans the type area's height; the number sits
        at its foot (odd pages) or head (even pages), one character in.
        """
        g = self.g  # portrait geometry in EMU
        emu_mm = 36000
        depth = 7 * emu_mm  # the number's line: 4号 digits and dashes
        # the portrait footer's line starts FOOTER_MM above the bottom edge (the
        # number's top then lies about 7 mm below the type area, GB/T 9704 §8)
        x = FOOTER_MM * emu_mm
        y = g["left"]
        cy = g["width"] - g["left"] - g["right"]
        jc = "right" if odd else "left"
        ind = '<w:ind w:right="280"/>' if odd else '<w:ind w:left="280"/>'
        fld = '<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
        para = (
            f'<w:p><w:pPr><w:pStyle w:val="{self.sid("Footer")}"/>'
            f'<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>{ind}<w:jc w:val="{jc}"/></w:pPr>'
            f"<w:r>{_t('— ')}</w:r>{fld}<w:r>{_t(' —')}</w:r></w:p>"
        )
        return (
            f"<w:r {_nsdecls('w', 'wp', 'a')} "
            'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            "<w:drawing>"
            '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="251659264" '
            'behindDoc="0" locked="1" layoutInCell="1" allowOverlap="1">'
            '<wp:simplePos x="0" y="0"/>'
            f'<wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset></wp:positionH>'
            f'<wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset></wp:positionV>'
            f'<wp:extent cx="{depth}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
            f'<wp:docPr id="{9000 + int(odd)}" name="{"Odd" if odd else "Even"} page number"/>'
            "<wp:cNvGraphicFramePr/>"
            '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr>'
            f'<a:xfrm><a:off x="0" y="0"/><a:ext cx="{depth}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
            f"<wps:txbx><w:txbxContent>{para}</w:txbxContent></wps:txbx>"
            '<wps:bodyPr rot="0" vert="vert" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="t">'
            "<a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>"
        )

    # --- blocks ------------------------------------------------------------------
    def write(self) -> bytes:
        return zip_parts(*self.write_parts())

    def write_parts(self) -> tuple[list[str], dict[str, bytes]]:
        """The package as (member order, bytes by member): zipped once, by the caller.

        The integrity record (integrity.stamp_parts) is computed from these parts
        and the DOCX is compressed once, after it is added.
        """
        refs_front, refs_body, refs_land = self._furniture()
        started_body = False
        blocks = self.c.blocks
        for i, block in enumerate(blocks):
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            if isinstance(block, TitlePage):
                self._title_page(block)
            elif isinstance(block, Toc):
                self._toc()
                self.end_section(self._sect(False, refs_front))
            elif isinstance(block, Heading):
                self.add(block.text, f"Heading {min(block.level, 4)}")
            elif isinstance(block, Para):
                self.add(block.text, block.style)
                # a landscape table page and an annex's first chart read the height used
                if self.landscape or isinstance(following, Figure):
                    self._used_pt += self._note_pt(block.text)
            elif isinstance(block, Attachments):
                self._attachments(block)
            elif isinstance(block, Signatures):
                self._signatures(block)
            elif isinstance(block, Annex):
                if not started_body:
                    self.end_section(self._sect(False, refs_body, start=1))
                    started_body = True
                elif block.landscape != self.landscape:
                    refs = refs_land if self.landscape else refs_body
                    self.end_section(self._sect(self.landscape, refs))
                else:
                    self._pending_break = True
                self.landscape = block.landscape
                self._figures_in_annex = 0
                self._used_pt = ANNEX_HEAD_PT  # label, title and the space around them
                # the label carries an outline level so a refreshed TOC lists the annex
                self.add(
                    f"附件{block.number}",
                    "Annex Label",
                    ppr='<w:keepNext/><w:outlineLvl w:val="0"/>',
                )
                # GB/T 9704 puts the title on the type area's third line; on a landscape
                # table page the line after it is the table's (the standard sets no
                # space below), so the 156 mm page keeps a line more for rows
                after = '<w:spacing w:after="240"/>' if block.landscape else ""
                self.add(block.title, "Annex Title", ppr=f"<w:keepNext/>{after}")
            elif isinstance(block, Table):
                self._table(block)
            elif isinstance(block, Figure):
                self._figure(block, note=isinstance(following, Para))
        if not started_body:
            self.end_section(self._sect(False, refs_body, start=1))
        # the last section's properties live on the body; match its orientation
        self._document(self._sect(self.landscape, refs_land if self.landscape else refs_body))
        self._properties()
        self._settings()
        order, parts = self.package.to_parts()
        _fix_chinese(parts)
        # the body's tree, for the integrity record (it is what document.xml's bytes parse to)
        parts.parsed[self.doc_part.name[1:]] = self.doc_part.element
        return order, parts

    def _document(self, final: str) -> None:
        """Put the body into the reference's main document part.

        The body is spliced into the document's XML text and parsed once.
        Moving ~2,000 parsed paragraphs into the reference's tree instead cost
        ~20 ms (lxml re-resolves the namespaces of every moved node); both give
        the same bytes where the reference's root declares w, r and wp, as
        every Word or LibreOffice document does, and binds no other prefix to
        a or pic. A paragraph holding a picture then declares a and pic itself,
        where moving it put the declarations. Otherwise the body is moved.
        """
        root, body = self.doc_part.element, self._body
        missing = _undeclared(root, body)
        for child in list(body):
            body.remove(child)
        if missing is None:
            new_body = parse(
                f"<w:body {_nsdecls('w', 'r', 'wp', 'a', 'pic')}>{''.join(self.parts)}</w:body>"
            )
            for child in list(new_body):
                body.append(child)
            body.append(parse(final.replace("<w:sectPr>", f"<w:sectPr {_NS_W_R}>", 1)))
            return
        body.append(etree.Comment(_BODY_MARK))
        shell = etree.tostring(root, encoding="unicode")
        parts = [_declare(x, missing) for x in self.parts] if missing else self.parts
        text = shell.replace(f"<!--{_BODY_MARK}-->", "".join(parts) + final, 1)
        self.doc_part.element = parse(text)
        self._body = self.doc_part.element.find(_w("body"))

    def _title_page(self, t: TitlePage) -> None:
        for _ in range(2):
            self.add()
        lines = t.lines or [t.title]
        runs = "<w:r><w:br/></w:r>".join(f"<w:r>{_t(line)}</w:r>" for line in lines)
        self.add(style="Title", runs=runs)
        self.add()
        if t.draft:
            self.add(f"（{DRAFT_MARK}）", "Plan Subtitle")
        self.add(f"第 {t.version} 版", "Plan Subtitle")
        for _ in range(2):
            self.add()
        names = t.parties
        per_line = 2 if len(names) > 6 else 1
        for i in range(0, len(names), per_line):
            self.add("　　".join(names[i : i + per_line]), "Plan Subtitle")
        if t.on_behalf:
            self.add(t.on_behalf, "Plan Subtitle")
        self.add()
        if t.date:
            self.add(t.date, "Plan Subtitle")

    def _toc(self) -> None:
        """A TOC field whose cached result lists every chapter and annex.

        With ``toc_pages`` (computed by LibreOffice, see render/pdf.py) the
        entries carry page numbers; without, Word fills them in on open
        (updateFields), and viewers that never update fields still show the list.
        """
        self._pending_break = True
        self.add("目　　录", CONTENTS_TITLE)
        entries = toc_entries(self.c)
        width = int((self.g["width"] - self.g["left"] - self.g["right"]) / 635)
        tabs = f'<w:tabs><w:tab w:val="right" w:leader="middleDot" w:pos="{width}"/></w:tabs>'
        runs_all = []
        for text in entries:
            page = (self.toc_pages or {}).get(text)
            run = f"<w:r>{_t(text)}</w:r>"
            if page is not None:
                run += f"<w:r><w:tab/></w:r><w:r>{_t(str(page))}</w:r>"
            runs_all.append(run)
        begin = (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {escape(TOC_INSTRUCTION)} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        )
        end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        for k, run in enumerate(runs_all):
            runs = (begin if k == 0 else "") + run + (end if k == len(runs_all) - 1 else "")
            self.add(style="TOC 1", ppr=tabs, runs=runs)

    #: 附件说明 lines: "附件：" two characters in, a long title's next line under the title
    #: (GB/T 9704 7.3.4). ``hanging`` alone: with ``firstLine="0"`` beside it LibreOffice
    #: dropped the hanging indent and wrapped titles under "附件：".
    _ANNEX_LIST_INDENT = '<w:ind w:left="2055" w:hanging="1415"/>'

    def _attachments(self, a: Attachments) -> None:
        """附件说明: "附件：1．…", continuation lines aligned under the first title."""
        if not a.items:
            return
        # The block never splits, and it stays with the last lines of the body when
        # they fit on one page: "附件：1．…" alone at the foot of a page with items
        # 2–6 overleaf reads as two lists (keep-with-next on all but the last line).
        if self.parts and self.parts[-1].startswith("<w:p><w:pPr>"):
            last = self.parts[-1]
            head = re.match(r"<w:p><w:pPr>(?:<w:pStyle [^>]*/>)?", last).group(0)  # type: ignore[union-attr]
            if "<w:keepNext/>" not in last[: last.find("</w:pPr>")]:
                self.parts[-1] = head + "<w:keepNext/>" + last[len(head) :]
        self.add(ppr="<w:keepNext/>")  # one blank line after the 正文 (GB/T 9704 7.3.4)
        for i, item in enumerate(a.items, 1):
            label = "附件：" if i == 1 else "　　　"
            keep = "<w:keepNext/>" if i < len(a.items) else ""
            self.add(
                f"{label}{i}．{item}",
                "Normal",
                ppr=f"{keep}<w:keepLines/>" + self._ANNEX_LIST_INDENT,
            )

    def _signatures(self, s: Signatures) -> None:
        """Compact grid: 单位（盖章）／负责人（签字）／年　月　日, title and version on every page."""
        parties = s.parties
        per_page = SIGN_COLS * SIGN_ROWS
        pages = balanced_chunks(parties, per_page) if parties else [[]]
        width = self.text_width()
        cols = SIGN_COLS if len(parties) > 4 else 2
        cell = width // cols
        sid = self.sid("Signature Text")
        for chunk in pages:
            self._pending_break = True
            # the note names the plan's title: break it between words, not where Word
            # would wrap a 28-character line ("联合应／急预案")
            lines = title_lines(s.note, None, LINE_CHARS)
            runs = "<w:r><w:br/></w:r>".join(f"<w:r>{_t(x)}</w:r>" for x in lines)
            self.add(style="Plan Subtitle", ppr='<w:spacing w:after="240"/>', runs=runs)
            rows = [chunk[i : i + cols] for i in range(0, len(chunk), cols)]
            xml = [
                f'<w:tbl><w:tblPr><w:tblW w:w="{cell * cols}" w:type="dxa"/><w:jc w:val="center"/>'
                '<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/>'
                '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>'
                '<w:tblLayout w:type="fixed"/></w:tblPr>'
                "<w:tblGrid>" + f'<w:gridCol w:w="{cell}"/>' * cols + "</w:tblGrid>"
            ]
            for row in rows:
                # Two table rows per line of parties: the names (bottom-aligned, so a
                # two-line name does not push its neighbours' 盖章/签字 lines out of
                # step), then the seal, signature and date lines, which then align
                # across the whole row as on a hand-drawn 会签页.
                xml.append(
                    '<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="900" w:hRule="atLeast"/>'
                    "</w:trPr>"
                )
                for k in range(cols):
                    party = row[k] if k < len(row) else None
                    xml.append(
                        f'<w:tc><w:tcPr><w:tcW w:w="{cell}" w:type="dxa"/>'
                        '<w:vAlign w:val="bottom"/></w:tcPr>'
                    )
                    if party is None:
                        xml.append(
                            f'<w:p><w:pPr><w:pStyle w:val="{sid}"/><w:keepNext/></w:pPr></w:p>'
                        )
                    else:
                        sig = party.get("signatory", {})
                        name = sig.get("organ") or party["name"]
                        # "湖南省应急管理厅（湖南省森林防灭火指挥部办公室）": the second name
                        # starts its own line, set flush left (justified, a wrapped first
                        # line was spread over the cell: "湖 南 省 应 急 管 理 厅")
                        text = "<w:br/>".join(_t(x) for x in signature_lines(name))
                        xml.append(
                            f'<w:p><w:pPr><w:pStyle w:val="{sid}"/><w:keepNext/><w:jc w:val="left"/></w:pPr>'
                            f'<w:r><w:rPr><w:b/><w:sz w:val="28"/></w:rPr>{text}</w:r></w:p>'
                        )
                    xml.append("</w:tc>")
                xml.append("</w:tr>")
                xml.append(
                    '<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="1850" w:hRule="atLeast"/>'
                    "</w:trPr>"
                )
                for k in range(cols):
                    party = row[k] if k < len(row) else None
                    xml.append(f'<w:tc><w:tcPr><w:tcW w:w="{cell}" w:type="dxa"/></w:tcPr>')
                    if party is None:
                        xml.append("<w:p/></w:tc>")
                        continue
                    sig = party.get("signatory", {})
                    lines = [
                        "（盖章）",
                        f"{sig.get('title') or '负责人'}（签字）：",
                        "",
                        "年　　月　　日",
                    ]
                    for text in lines:
                        r = f"<w:r>{_t(text)}</w:r>" if text else ""
                        xml.append(f'<w:p><w:pPr><w:pStyle w:val="{sid}"/></w:pPr>{r}</w:p>')
                    xml.append("</w:tc>")
                xml.append("</w:tr>")
            xml.append("</w:tbl>")
            self.parts.append("".join(xml))
        if s.checksum:
            self.add(
                s.checksum, "Plan Note", ppr='<w:spacing w:before="240"/><w:jc w:val="right"/>'
            )

    def _table(self, t: Table) -> None:
        keys = t.key_columns
        groups = t.groups or [list(range(keys, len(t.header)))]
        for gi, cols in enumerate(groups):
            idx = list(range(keys)) + cols
            rows = [[r[i] for i in idx] for r in t.rows]
            if t.drop_empty and len(cols):
                rows = [r for r in rows if any(r[keys:])]
            if len(groups) > 1:
                if gi:
                    self._pending_break = True
                    self._used_pt = 0.0
                cap = f"（{gi + 1}/{len(groups)}：{'、'.join(t.header[i] for i in cols)}）"
                self.add(cap, "Table Caption")
                self._used_pt += CAPTION_PT
            merge = tuple(idx.index(c) for c in t.merge if c in idx)
            nowrap = tuple(idx.index(c) for c in t.nowrap if c in idx)
            self._one_table(
                [t.header[i] for i in idx], rows, [t.widths[i] for i in idx], merge, nowrap
            )

    def _note_pt(self, text: str) -> float:
        """Estimated height of a 小四 note paragraph (single spacing, about 17.3 pt a line)."""
        from planctl.render.annexes import text_mm

        width = self.text_width() / TWIPS_PER_MM
        return 17.3 * max(1, -(-int(text_mm(text)) // max(int(width), 1)))

    def _one_table(
        self,
        header: list[str],
        rows: list[list[str]],
        widths: list[float],
        merge: tuple[int, ...] = (),
        nowrap: tuple[int, ...] = (),
    ) -> None:
        """Emit the table as one WordprocessingML fragment."""
        from planctl.render.annexes import text_mm

        total = self.text_width()
        if header and header[0] == "序号":
            nowrap = (0, *nowrap)  # a row number column wide enough for "序号" on one line
        # columns that must not wrap get the width of their longest value
        need = {
            c: max((text_mm(x) for r in [header, *rows] for x in r[c].split("\n")), default=0) + 4.2
            for c in nowrap
        }
        rel = list(widths)
        mm_total = total / TWIPS_PER_MM
        fixed = sum(max(need[c], widths[c] * mm_total / sum(widths)) for c in nowrap)
        rest = sum(w for i, w in enumerate(rel) if i not in need)
        twips = []
        for i, w in enumerate(rel):
            if i in need:
                mm = max(need[i], widths[i] * mm_total / sum(widths))
            else:
                mm = (mm_total - fixed) * w / rest if rest else 0
            twips.append(int(mm * TWIPS_PER_MM))
        sid = self._style_ids
        # a landscape annex table whose last rows would stand alone on a page is set
        # at the tight pitch when that keeps them on the page before (render/paginate.py)
        tight = ""
        if self.landscape:
            room = (self.g["width"] - self.g["left"] - self.g["right"]) / 12700
            if paginate.tighten(
                header,
                rows,
                [t / TWIPS_PER_MM for t in twips],
                room - self._used_pt,
                room,
                merge,
            ):
                tight = TIGHT_CELL
        grid = "".join(f'<w:gridCol w:w="{t}"/>' for t in twips)
        parts = [
            f"<w:tbl><w:tblPr>"
            f'<w:tblStyle w:val="{sid.get("Table Grid", "TableGrid")}"/><w:tblW w:w="{sum(twips)}" w:type="dxa"/>'
            '<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
            f"{TABLE_CELL_MARGINS}</w:tblPr>"
            f"<w:tblGrid>{grid}</w:tblGrid>"
        ]
        # vertical merges: a cell continues the one above when it and every earlier
        # merge column of its row repeat the row above
        cont = [[False] * len(header) for _ in rows]
        for r in range(1, len(rows)):
            chain = True
            for c in merge:
                chain = chain and rows[r][c] == rows[r - 1][c] and rows[r][c] != ""
                cont[r][c] = chain
        starts = [[False] * len(header) for _ in rows]
        for r in range(len(rows)):
            for c in merge:
                starts[r][c] = not cont[r][c] and r + 1 < len(rows) and cont[r + 1][c]
        for r, values in enumerate([header, *rows]):
            head = "<w:tblHeader/>" if r == 0 else ""
            parts.append(f"<w:tr><w:trPr><w:cantSplit/>{head}</w:trPr>")
            for c, (width, value) in enumerate(zip(twips, values, strict=True)):
                vm = ""
                if r > 0 and c in merge:
                    if cont[r - 1][c]:
                        vm = "<w:vMerge/>"
                        value = ""
                    elif starts[r - 1][c]:
                        vm = '<w:vMerge w:val="restart"/>'
                style = (
                    "Table Header"
                    if r == 0
                    else ("Table Center" if len(value) <= 4 or c in nowrap else "Table Text")
                )
                bold = "<w:rPr><w:b/></w:rPr>" if r > 0 and value == "牵头" else ""
                inner = "<w:br/>".join(_t(x) for x in value.split("\n"))
                if c in nowrap:  # a non-breaking hyphen keeps 0351-5238110 whole
                    inner = "<w:br/>".join(
                        "<w:noBreakHyphen/>".join(_t(x) for x in line.split("-"))
                        for line in value.split("\n")
                    )
                run = f"<w:r>{bold}{inner}</w:r>" if value else ""
                parts.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{vm}<w:vAlign w:val="center"/></w:tcPr>'
                    f'<w:p><w:pPr><w:pStyle w:val="{sid.get(style, "Normal")}"/>{tight}</w:pPr>{run}</w:p></w:tc>'
                )
            parts.append("</w:tr>")
        parts.append("</w:tbl>")
        self.parts.append("".join(parts))

    def _first_chart_scale(self, f: Figure) -> float:
        """How much an annex's first chart is reduced to share the page with the annex heading.

        A chart nearly a page high that misses the annex's first page by a few lines
        leaves that page holding only the heading (a reviewer reads it as blank). The
        chart is reduced to fit when at most 15 % smaller does it (labels drawn at ≥ 9 pt
        stay ≥ 7.5 pt); a taller one keeps its size and starts the next page.
        """
        g = self.g
        room = (g["height"] - g["top"] - g["bottom"]) / 12700 - 12.0  # a line's margin
        used = self._used_pt + PORTRAIT_HEAD_EXTRA_PT
        title = len(chart_title_lines(f.title, self.text_width() / TWIPS_PER_MM)) if f.title else 0
        rest = title * BODY_LINE_PT + (self._note_pt(f.caption) if f.caption else 0.0)
        chart = (f.height_mm or 150) * 72 / 25.4
        if used + rest + chart <= room:
            return 1.0
        scale = (room - used - rest) / chart
        return scale if scale >= 0.85 else 1.0

    def _figure(self, f: Figure, note: bool = False) -> None:
        """A chart with its title and caption, kept together, at its drawn size.

        The figure package lays each chart out for a portrait page (labels ≥ 9 pt
        at that size), so it is placed unscaled (an annex's first chart may be
        reduced a little to share the page with the heading, ``_first_chart_scale``). Charts follow each other on the
        page: a chart about a quarter of a page high alone on its page leaves the
        page three quarters blank. The title and the chart keep with the next
        paragraph and the caption keeps its lines, so a chart that does not fit
        moves to the next page whole, its caption with it. A chart that could not
        be drawn is replaced by the reason.
        """
        if not f.emf:
            # a chart that could not be drawn is one note line, never a page of its own
            # (a page holding only a title and a note reads as blank to a reviewer)
            self.add(f"{f.title}：{f.reason}。" if f.title else f"说明：{f.reason}。", "Plan Note")
            return
        scale = self._first_chart_scale(f) if self._figures_in_annex == 0 else 1.0
        self._figures_in_annex += 1
        title = "\n".join(chart_title_lines(f.title, self.text_width() / TWIPS_PER_MM))
        if title:
            spacing = '<w:spacing w:before="240"/>' if self._figures_in_annex > 1 else ""
            runs = "<w:r><w:br/></w:r>".join(f"<w:r>{_t(x)}</w:r>" for x in title.split("\n"))
            self.add(style="Table Caption", ppr=f"<w:keepNext/><w:keepLines/>{spacing}", runs=runs)
        self._image(
            f.emf,
            "emf",
            int((f.width_mm or 150) * 36000 * scale),
            int((f.height_mm or 150) * 36000 * scale),
            keep=bool(f.caption) or note,
        )
        if f.caption:
            # a note after the chart (the annex's 说明) never stands alone on a page
            keep = "<w:keepNext/>" if note else ""
            self.add(f.caption, "Plan Note", ppr=f'{keep}<w:keepLines/><w:jc w:val="center"/>')

    def _image(self, data: bytes, ext: str, cx: int, cy: int, keep: bool = True) -> None:
        """An inline picture at cx x cy EMU: ``ext`` "png", or "emf" for a vector chart."""
        rid = self.add_media(data, ext, "image/x-emf" if ext == "emf" else f"image/{ext}")
        n = len(self.parts) + 1
        pic = (
            f'<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{n}" name="Figure {n}"/>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            f'<pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="figure{n}.{ext}"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        )
        # single spacing: an exact line pitch (the table styles') would clip the picture
        spacing = '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
        keep_next = "<w:keepNext/>" if keep else ""
        self.add(style="Table Center", ppr=keep_next + spacing, runs=pic)

    def _settings(self) -> None:
        """Odd/even footers; ask Word to refresh the TOC only when it has no page numbers yet."""
        name = self.doc_part.related(RT_SETTINGS)
        if name is None:  # a reference without settings gets Word's defaults
            part = self.package.add_part(
                self.package.free_partname("/word/settings.xml"),
                CT_SETTINGS,
                element=parse(DEFAULT_SETTINGS),
            )
            self.doc_part.relate(part, RT_SETTINGS)
        else:
            part = self.package.parts[name]
        settings = part.element
        if not self.toc_pages and settings.find(_w("updateFields")) is None:
            settings.append(parse(f'<w:updateFields {_NS_W} w:val="true"/>'))
        even = settings.find(_w("evenAndOddHeaders"))
        if even is None:
            even = _new("w", "evenAndOddHeaders")
            _insert_ordered(settings, even, _SETTINGS_AFTER_EVEN_ODD)
        even.attrib.pop(_w("val"), None)  # on

    def _properties(self) -> None:
        """Core properties: title, identity, version, the plan digest, draft or final."""
        name = self.package.root.related(RT_CORE)
        if name is None:  # as Word would start them
            part = self.package.add_part(
                self.package.free_partname("/docProps/core.xml"),
                CT_CORE,
                element=parse(CORE_TEMPLATE),
            )
            self.package.root.relate(part, RT_CORE)
            _core_text(part.element, "dc", "title", "Word Document")
            _core_text(part.element, "cp", "lastModifiedBy", "python-docx")
            _core_text(part.element, "cp", "revision", "1")
            _core_date(part.element, "modified")
        else:
            part = self.package.parts[name]
        core = part.element
        for prefix, tag, value in (
            ("dc", "title", self.c.title),
            ("dc", "subject", "跨区域联合应急预案"),
            ("dc", "creator", GENERATOR_MARK),
            ("cp", "lastModifiedBy", GENERATOR_MARK),
            ("dc", "identifier", self.c.plan_id),
            ("cp", "version", self.c.version),
            ("cp", "keywords", f"sha256:{self.c.digest}"),
            ("cp", "category", DRAFT_MARK if self.c.draft else "正式稿"),
            (
                "dc",
                "description",
                f"Generated by planctl {__version__} from plan {self.c.plan_id} "
                f"v{self.c.version}; sha256:{self.c.digest}",
            ),
            ("dc", "language", "zh-CN"),
            ("cp", "revision", "1"),
        ):
            _core_text(core, prefix, tag, str(value))
        for tag in ("created", "modified", "lastPrinted"):
            _core_date(core, tag)


_NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "sl": "http://schemas.openxmlformats.org/schemaLibrary/2006/main",
}


def _nsdecls(*prefixes: str) -> str:
    return " ".join(f'xmlns:{p}="{_NAMESPACES[p]}"' for p in prefixes)


_NS_W = _nsdecls("w")
_NS_W_R = _nsdecls("w", "r")

#: WordprocessingML's child order for paragraph properties (a new child goes in its place)
_PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
    "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange"
).split()
#: section properties that follow the header/footer references
_SECT_AFTER_REFS = tuple(
    _w(t)
    for t in (
        "footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType pgNumType cols "
        "formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings "
        "sectPrChange"
    ).split()
)
#: settings that follow w:evenAndOddHeaders
_SETTINGS_AFTER_EVEN_ODD = tuple(
    f"{{{_NAMESPACES['m']}}}mathPr"
    if t == "m:mathPr"
    else f"{{{_NAMESPACES['sl']}}}schemaLibrary"
    if t == "sl:schemaLibrary"
    else _w(t)
    for t in (
        "bookFoldRevPrinting bookFoldPrinting bookFoldPrintingSheets drawingGridHorizontalSpacing "
        "drawingGridVerticalSpacing displayHorizontalDrawingGridEvery "
        "displayVerticalDrawingGridEvery doNotUseMarginsForDrawingGridOrigin "
        "drawingGridHorizontalOrigin drawingGridVerticalOrigin doNotShadeFormData "
        "noPunctuationKerning characterSpacingControl printTwoOnOne strictFirstAndLastChars "
        "noLineBreaksAfter noLineBreaksBefore savePreviewPicture doNotValidateAgainstSchema "
        "saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText doNotDemarcateInvalidXml "
        "saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags alwaysMergeEmptyNamespace "
        "updateFields hdrShapeDefaults footnotePr endnotePr compat docVars rsids m:mathPr attachedSchema "
        "themeFontLang clrSchemeMapping doNotIncludeSubdocsInStats doNotAutoCompressPictures "
        "forceUpgrade captions readModeInkLockDown smartTagType sl:schemaLibrary shapeDefaults "
        "doNotEmbedSmartTags decimalSymbol listSeparator"
    ).split()
)


_BODY_MARK = "planctl-body"


def _undeclared(root: Any, body: Any) -> list[str] | None:
    """The drawing prefixes (a, pic) a body paragraph must declare itself, or None when the
    reference's root binds namespaces so that splicing the body text would differ from
    moving parsed paragraphs into it."""
    nsmap = root.nsmap
    if body.getparent() is not root or body.nsmap != nsmap:
        return None
    if any(nsmap.get(p) != _NAMESPACES[p] for p in ("w", "r", "wp")):
        return None
    missing = []
    for p in ("a", "pic"):
        if nsmap.get(p) == _NAMESPACES[p]:
            continue
        if p in nsmap or _NAMESPACES[p] in nsmap.values():
            return None
        missing.append(p)
    return missing


def _declare(fragment: str, prefixes: list[str]) -> str:
    """A top-level body element declaring those of ``prefixes`` it uses, in the order of
    first use (``<`` never appears unescaped in text, so ``<a:`` is always a tag)."""
    used = [p for p in prefixes if f"<{p}:" in fragment]
    if not used:
        return fragment
    used.sort(key=lambda p: fragment.index(f"<{p}:"))
    m = re.match(r"<[\w:]+", fragment)
    if m is None:
        return fragment
    decls = "".join(f' xmlns:{p}="{_NAMESPACES[p]}"' for p in used)
    return fragment[: m.end()] + decls + fragment[m.end() :]


def _new(prefix: str, tag: str) -> Any:
    """A new element declaring its own namespace (lxml drops the declaration where the
    parent already has it), as Word-processing libraries create them."""
    uri = _NAMESPACES[prefix]
    return _MAKER.makeelement(f"{{{uri}}}{tag}", nsmap={prefix: uri})


_MAKER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)


def _insert_ordered(parent: Any, child: Any, successors: tuple[str, ...]) -> None:
    """Insert ``child`` before a child that must follow it, else at the end.

    The successor looked for is the first of ``successors`` (schema order) that the
    parent has, not the first child in document order: for a parent whose children
    are out of schema order (LibreOffice writes settings so) the two differ, and
    this is where python-docx put it, so output stayed byte-identical.
    """
    for tag in successors:
        found = parent.find(tag)
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


def _child(parent: Any, local: str, order: list[str]) -> Any:
    """The child ``w:local`` of ``parent``, added in its schema place when absent."""
    found = parent.find(_w(local))
    if found is not None:
        return found
    el = _new("w", local)
    later = tuple(_w(t) for t in order[order.index(local) + 1 :])
    _insert_ordered(parent, el, later)
    return el


def _ppr(p: Any) -> Any:
    ppr = p.find(_w("pPr"))
    if ppr is None:
        ppr = _new("w", "pPr")
        p.insert(0, ppr)
    return ppr


def _set_style(p: Any, style_id: str | None) -> None:
    ppr = _ppr(p)
    if style_id is None:
        for el in ppr.findall(_w("pStyle")):
            ppr.remove(el)
        return
    _child(ppr, "pStyle", _PPR_ORDER).set(_w("val"), style_id)


def _add_run(p: Any, text: str) -> None:
    r = _new("w", "r")
    p.append(r)
    t = _new("w", "t")
    r.append(t)
    t.text = text
    if len(text.strip()) < len(text):
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _core_text(core: Any, prefix: str, tag: str, value: str) -> None:
    el = core.find(f"{{{_NAMESPACES[prefix]}}}{tag}")
    if el is None:
        el = _new(prefix, tag)
        core.append(el)
    el.text = value


def _core_date(core: Any, tag: str) -> None:
    """A fixed date (2000-01-01), so the same plan gives the same bytes."""
    prefix = "cp" if tag == "lastPrinted" else "dcterms"
    _core_text(core, prefix, tag, "2000-01-01T00:00:00Z")
    if tag in ("created", "modified"):
        # declare xsi on the root, not on the element that uses it
        foo = f"{{{_NAMESPACES['xsi']}}}foo"
        core.set(foo, "bar")
        core.find(f"{{{_NAMESPACES['dcterms']}}}{tag}").set(
            f"{{{_NAMESPACES['xsi']}}}type", "dcterms:W3CDTF"
        )
        del core.attrib[foo]


#: Word's built-in style names python-docx (and Word's UI) spell differently inside the file
_UI_TO_INTERNAL = {
    "Caption": "caption",
    "Footer": "footer",
    "Header": "header",
    **{f"Heading {n}": f"heading {n}" for n in range(1, 10)},
}
_INTERNAL_TO_UI = {v: k for k, v in _UI_TO_INTERNAL.items()}
_ON = frozenset(("1", "true", "on"))


class _Styles:
    """The reference's styles part: names to ids, the default paragraph style, 目录's style."""

    def __init__(self, root: Any) -> None:
        self.root = root

    def _styles(self) -> list[Any]:
        return self.root.findall(_w("style"))

    @staticmethod
    def _name(style: Any) -> str | None:
        el = style.find(_w("name"))
        return el.get(_w("val")) if el is not None else None

    def ids_by_name(self) -> dict[str | None, str | None]:
        out: dict[str | None, str | None] = {}
        for style in self._styles():
            name = self._name(style)
            out[_INTERNAL_TO_UI.get(name, name) if name is not None else None] = style.get(
                _w("styleId")
            )
        return out

    def get(self, name: str) -> Any:
        """A style by its UI name, else (as python-docx allowed) by its id."""
        internal = _UI_TO_INTERNAL.get(name, name)
        for style in self._styles():
            if self._name(style) == internal:
                return style
        for style in self._styles():
            if style.get(_w("styleId")) == name:
                return style
        raise PackageError(f"the reference document has no style named {name!r}")

    def paragraph_style_id(self, name: str) -> str | None:
        """The id to put in w:pStyle; None for the default paragraph style (no w:pStyle)."""
        style = self.get(name)
        if (style.get(_w("type")) or "paragraph") != "paragraph":
            raise PackageError(f"the reference document's style {name!r} is not a paragraph style")
        defaults = [
            s
            for s in self._styles()
            if s.get(_w("type")) == "paragraph" and s.get(_w("default")) in _ON
        ]
        if defaults and defaults[-1] is style:
            return None
        return style.get(_w("styleId"))

    def ensure_header_footer(self) -> None:
        """Word's Header and Footer styles where the reference has none.

        Word's blank document defines neither until a header is inserted, and then
        adds them as here (single-spaced, nothing after); a plain Word-made
        reference thus renders. A "Header" that is no paragraph style is still refused.
        """
        defaults = [
            s
            for s in self._styles()
            if s.get(_w("type")) == "paragraph" and s.get(_w("default")) in _ON
        ]
        based = defaults[-1].get(_w("styleId")) if defaults else None
        for name in ("Header", "Footer"):
            try:
                self.get(name)
            except PackageError:
                style = parse(
                    f'<w:style {_NS_W} w:type="paragraph" w:styleId="{name}">'
                    f'<w:name w:val="{name.lower()}"/><w:uiPriority w:val="99"/>'
                    '<w:unhideWhenUsed/><w:pPr><w:spacing w:after="0" w:line="240" '
                    'w:lineRule="auto"/></w:pPr></w:style>'
                )
                if based:
                    style.insert(1, _new("w", "basedOn"))
                    style[1].set(_w("val"), based)
                self.root.append(style)

    def ensure_contents_title(self) -> None:
        """The 目录 heading's style (like an annex title, but not listed in the TOC)."""
        names = {self._name(s) for s in self._styles()}
        names = {_INTERNAL_TO_UI.get(n, n) for n in names if n is not None}
        if CONTENTS_TITLE in names:
            return
        style = _new("w", "style")
        self.root.append(style)
        style.set(_w("type"), "paragraph")
        style.set(_w("customStyle"), "1")
        style.set(_w("styleId"), CONTENTS_TITLE.replace(" ", ""))
        name = _new("w", "name")
        style.append(name)
        name.set(_w("val"), CONTENTS_TITLE)
        if "Annex Title" in names:
            based = self.get("Annex Title").get(_w("styleId"))
            if based is not None:
                el = _new("w", "basedOn")
                style.append(el)
                el.set(_w("val"), based)


#: an annex's label (one 28.95 pt line) and title (a line above, 36 pt, 12 pt below on a
#: landscape page), in points: what the first page of an annex table has used
ANNEX_HEAD_PT = 28.95 + 28.95 + 36 + 12
#: the body's exact line pitch (GB/T 9704: 22 lines on the type area), chart titles' too
BODY_LINE_PT = 28.95
#: a portrait annex title keeps a whole line below it, a landscape one 12 pt
PORTRAIT_HEAD_EXTRA_PT = BODY_LINE_PT - 12
#: a column-group caption (四号 黑体, single spacing)
CAPTION_PT = 20.0
#: every table's cell margins (render/paginate.py counts the top and bottom ones)
TABLE_CELL_MARGINS = (
    f'<w:tblCellMar><w:top w:w="{paginate.CELL_PAD_TWIPS}" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
    f'<w:bottom w:w="{paginate.CELL_PAD_TWIPS}" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>'
)
#: cell paragraphs of a table set tight: 14 pt pitch, no spacing (type stays 小四)
TIGHT_CELL = '<w:spacing w:before="0" w:after="0" w:line="280" w:lineRule="exact"/>'


def signature_lines(name: str) -> list[str]:
    """A signing body's name as set in its block: a closing second name on a line of its own
    ("湖南省应急管理厅" / "（湖南省森林防灭火指挥部办公室）"); a bracket inside the name
    ("中国石化（集团）湖南石油分公司") does not break it."""
    return re.sub(r"(?<=.)(（[^（）]*）)$", r"\n\1", name).split("\n")


def chart_title_lines(title: str, width_mm: float) -> list[str]:
    """A chart title as printed: a long one breaks at word boundaries (as the cover title
    does, style.title_lines), never where Word would wrap it ("…通／报流程")."""
    if not title or _caption_mm(title) <= width_mm:
        return [title] if title else []
    return title_lines(title, None, max(1, int(width_mm / _caption_mm("国"))))


def _caption_mm(text: str) -> float:
    """Printed width of a chart title (四号, 14 pt): the table font's width scaled by 14/12."""
    from planctl.render.annexes import text_mm

    return text_mm(text) * 14 / 12


def _fragment(el: Any) -> str:
    """An element as XML text without namespace declarations."""
    text = etree.tostring(el, encoding="unicode")
    # drop namespace declarations: the fragment is re-parsed inside a body that declares them
    return re.sub(r'\sxmlns:\w+="[^"]+"', "", text)


def toc_entries(content: Content) -> list[str]:
    """The TOC lines: every chapter and every annex (once, even when it spans pages)."""
    out: list[str] = []
    for b in content.blocks:
        if isinstance(b, Heading) and b.level == 1:
            out.append(b.text)
        elif isinstance(b, Annex):
            text = f"附件{b.number}　{b.title}"
            if text not in out:
                out.append(text)
    return out


# --- package-level fixes, whatever reference.docx an office supplies ----------------
def _lang(xml: str) -> str:
    # Latin text (digits, "G4", "GB 3838") is tagged en-US and East-Asian text zh-CN, as
    # Chinese Word writes it: with digits tagged zh-CN, LibreOffice breaks a number
    # across lines ("5月2｜0日"), which Word never does.
    lang = '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
    xml = re.sub(r"<w:lang\b[^>]*/>", lang, xml)
    # docDefaults without a w:lang get one
    if "<w:rPrDefault>" in xml and lang not in xml.split("</w:rPrDefault>")[0]:
        xml = re.sub(r"(<w:rPrDefault><w:rPr>)", r"\1" + lang, xml, count=1)
    return _edit_default_style(xml, _no_hanging_punct, _tight_characters)


def _edit_default_style(xml: str, *edits: Callable[[str], str]) -> str:
    """Apply each edit to the default paragraph style (whatever reference.docx names it)."""
    m = re.search(
        r'<w:style w:type="paragraph" w:default="1" w:styleId="[^"]+">.*?</w:style>', xml, re.S
    )
    if not m:
        return xml
    style = m.group(0)
    for edit in edits:
        style = edit(style)
    return xml.replace(m.group(0), style)


def _no_hanging_punct(style: str) -> str:
    """LibreOffice hangs a line-end "。" past the margin of a justified line and then does
    not paint it, so PDFs lost full stops. w:overflowPunct="1" is Word's own default (no
    change in Word), and LibreOffice's import reads it as "do not hang"."""
    punct = '<w:overflowPunct w:val="1"/>'
    if "<w:overflowPunct" in style:
        return style
    if "<w:pPr>" in style:
        head, tail = style.split("<w:pPr>", 1)
        hook = re.search(
            r"<w:(?:topLinePunct|autoSpaceD|bidi|adjustRightInd|snapToGrid|"
            r"spacing|ind|contextualSpacing|jc|textAlignment|outlineLvl)\b",
            tail,
        )
        if hook and hook.start() < tail.find("</w:pPr>"):
            tail = tail[: hook.start()] + punct + tail[hook.start() :]
        else:
            tail = tail.replace("</w:pPr>", punct + "</w:pPr>", 1)
        return head + "<w:pPr>" + tail
    if "<w:rPr>" in style:
        return style.replace("<w:rPr>", f"<w:pPr>{punct}</w:pPr><w:rPr>", 1)
    return style.replace("</w:style>", f"<w:pPr>{punct}</w:pPr></w:style>", 1)


def _tight_characters(style: str) -> str:
    """GB/T 9704 28 characters a line: the default style draws its characters 0.25 pt closer."""
    if "<w:spacing w:val=" in style:
        return style
    if "<w:rPr>" in style:
        return style.replace("<w:rPr>", f'<w:rPr><w:spacing w:val="{CHAR_SPACING_TWIPS}"/>', 1)
    return style.replace(
        "</w:style>", f'<w:rPr><w:spacing w:val="{CHAR_SPACING_TWIPS}"/></w:rPr></w:style>'
    )


def _theme(xml: str) -> str:
    xml = re.sub(
        r'(<a:majorFont>.*?)<a:ea typeface="[^"]*"/>', r'\1<a:ea typeface="黑体"/>', xml, flags=re.S
    )
    xml = re.sub(
        r'(<a:minorFont>.*?)<a:ea typeface="[^"]*"/>', r'\1<a:ea typeface="仿宋"/>', xml, flags=re.S
    )
    xml = re.sub(r'<a:font script="Jpan" typeface="[^"]*"/>', "", xml)
    xml = re.sub(
        r'<a:font script="Hans" typeface="[^"]*"/>', '<a:font script="Hans" typeface="宋体"/>', xml
    )
    return xml


def _font_table(xml: str) -> str:
    for name, (alt, panose, family, charset) in FONT_FALLBACKS.items():
        entry = (
            f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
            f'<w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
        )
        xml = re.sub(rf'<w:font w:name="{re.escape(name)}">.*?</w:font>', "", xml, flags=re.S)
        xml = xml.replace("</w:fonts>", entry + "</w:fonts>")
    return xml


_CHINESE_FIXES: dict[str, Callable[[str], str]] = {
    "word/styles.xml": _lang,
    "word/theme/theme1.xml": _theme,
    "word/fontTable.xml": _font_table,
}


def _fix_chinese(parts: dict[str, bytes]) -> None:
    for name, fix in _CHINESE_FIXES.items():
        if name in parts:
            parts[name] = fix(parts[name].decode("utf-8")).encode("utf-8")


def enforce_chinese(data: bytes) -> bytes:
    """zh-CN language tags, Chinese theme fonts and font-table fallbacks in the package."""
    order, parts = unzip_parts(data)
    _fix_chinese(parts)
    return zip_parts(order, parts)


def normalize_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed timestamps so equal input gives equal bytes."""
    return zip_parts(*unzip_parts(data))


def check_reference_docx(path: Path) -> None:
    """Open an office's reference DOCX as a render would; PackageError says why it cannot serve."""
    DocxWriter(cast(Content, None), path).check()


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def render_docx_parts(
    content: Content, reference: Path | None = None, toc_pages: dict[str, int] | None = None
) -> tuple[list[str], dict[str, bytes]]:
    """The DOCX as (member order, bytes by member), for integrity.stamp_parts to zip."""
    return DocxWriter(content, reference, toc_pages).write_parts()


def render_docx(
    content: Content, reference: Path | None = None, toc_pages: dict[str, int] | None = None
) -> bytes:
    return DocxWriter(content, reference, toc_pages).write()


__all__ = [
    "enforce_chinese",
    "normalize_zip",
    "render_docx",
    "render_docx_parts",
    "toc_entries",
    "zip_parts",
]
