"""The render's shortcuts give exactly what the plain paths give (no timings here).

The DOCX package is planctl's own (render/package.py): its bytes are the ones
python-docx wrote for the same edits, so re-saving the output through
python-docx must give it back byte for byte, whatever reference.docx an office
supplies. The body is spliced into the document's text rather than moved in as
parsed paragraphs, the integrity record is computed from the parts without
zipping them twice, and the house-style sentences are filled by a small
formatter instead of jinja2 where a template is a plain substitution. Each
shortcut is checked against the plain way, byte for byte.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from planctl.integrity import stamp_docx, stamp_parts
from planctl.loader import load_file
from planctl.render import docx as docx_mod
from planctl.render.content import build
from tests.conftest import sample_plans


@pytest.fixture(scope="module")
def content():  # type: ignore[no-untyped-def]
    plan = sorted(sample_plans())[0]
    return build(load_file(plan).data, draft=True, figure=None)


def _references(tmp: Path) -> list[Path | None]:
    """The shipped reference, python-docx's own template (Word's styles, no planctl ones),
    a LibreOffice-like one (settings out of schema order, a custom.xml part) and a
    letterhead whose first section has its own header, first-page header and footer."""
    import docx

    from planctl.render.templates import reference_docx

    plain = Path(docx.__file__).parent / "templates" / "default.docx"
    letter = docx.Document(str(reference_docx()))
    s = letter.sections[0]
    s.header.is_linked_to_previous = False
    s.header.paragraphs[0].text = "某某市应急管理局"
    s.different_first_page_header_footer = True
    s.first_page_header.is_linked_to_previous = False
    s.first_page_header.paragraphs[0].text = "首页信头"
    s.footer.is_linked_to_previous = False
    s.footer.paragraphs[0].text = "地址：某某路1号"
    letterhead = tmp / "letterhead.docx"
    letter.save(str(letterhead))
    order, parts = docx_mod.unzip_parts(reference_docx().read_bytes())
    settings = parts["word/settings.xml"].decode("utf-8")
    # LibreOffice writes w:compat before w:evenAndOddHeaders' usual successors
    settings = settings.replace(
        "<w:defaultTabStop", '<w:updateFields w:val="false"/><w:defaultTabStop', 1
    )
    parts["word/settings.xml"] = settings.encode("utf-8")
    odd = tmp / "odd-order.docx"
    odd.write_bytes(docx_mod.zip_parts(order, parts))
    return [None, plain, odd, letterhead]


def test_the_package_is_what_python_docx_would_save(content, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """python-docx reads planctl's package and writes the same bytes back, part for part.

    Its reading and writing are a fixed point on what it wrote itself, so this holds
    exactly when planctl's package writer writes what python-docx wrote: the part
    order, relationships, content types and every XML part's serialisation.
    """
    import docx

    for reference in _references(tmp_path):
        for pages in (None, {"总则": 3}):
            order, parts = docx_mod.render_docx_parts(content, reference, toc_pages=pages)
            saved = io.BytesIO()
            docx.Document(io.BytesIO(docx_mod.zip_parts(order, parts))).save(saved)
            z = zipfile.ZipFile(io.BytesIO(saved.getvalue()))
            assert [i.filename for i in z.infolist()] == order, reference
            for name in order:
                assert z.read(name) == parts[name], (reference, name)


def _python_docx_edits(content, reference: Path | None, toc_pages, images: list[bytes]):  # type: ignore[no-untyped-def]
    """The package edits planctl made through python-docx before it had its own package
    layer (headers, footers, 目录 style, media, settings, core properties): the oracle."""
    from datetime import datetime

    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.section import Section
    from docx.shared import Pt

    from planctl import __version__
    from planctl.render.templates import reference_docx

    writer = docx_mod.DocxWriter(content, reference, toc_pages)  # for its side-number XML
    doc = docx.Document(str(reference or reference_docx()))
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    names = [st.name for st in doc.styles]
    if "Contents Title" not in names:
        contents = doc.styles.add_style("Contents Title", WD_STYLE_TYPE.PARAGRAPH)
        if "Annex Title" in names:
            contents.base_style = doc.styles["Annex Title"]
    ids: dict[str, object] = {}

    def style(para, name):  # type: ignore[no-untyped-def]
        if name not in ids:
            ids[name] = doc.part.get_style_id(doc.styles[name], WD_STYLE_TYPE.PARAGRAPH)
        para._p.style = ids[name]

    def fill(s, numbered, landscape=False):  # type: ignore[no-untyped-def]
        s.different_first_page_header_footer = False
        if landscape:
            for footer in (s.footer, s.even_page_footer):
                footer.is_linked_to_previous = False
                style(footer.paragraphs[0], "Footer")
            for header, odd in ((s.header, True), (s.even_page_header, False)):
                header.is_linked_to_previous = False
                para = header.paragraphs[0]
                style(para, "Header")
                if content.draft:
                    para.add_run(docx_mod.DRAFT_MARK)
                para._p.append(parse_xml(writer._side_number(odd)))
            return
        for footer, align in ((s.footer, "right"), (s.even_page_footer, "left")):
            footer.is_linked_to_previous = False
            para = footer.paragraphs[0]
            style(para, "Footer")
            if numbered:
                para.alignment = (
                    WD_ALIGN_PARAGRAPH.RIGHT if align == "right" else WD_ALIGN_PARAGRAPH.LEFT
                )
                if align == "right":
                    para.paragraph_format.right_indent = Pt(14)
                else:
                    para.paragraph_format.left_indent = Pt(14)
                para.add_run("— ")
                para._p.append(
                    parse_xml(
                        f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
                    )
                )
                para.add_run(" —")
        for header in (s.header, s.even_page_header):
            header.is_linked_to_previous = False
            para = header.paragraphs[0]
            style(para, "Header")
            if content.draft:
                para.add_run(docx_mod.DRAFT_MARK)

    fill(doc.sections[0], numbered=True)
    for numbered, landscape in ((False, False), (True, True)):
        fill(Section(parse_xml(f"<w:sectPr {nsdecls('w', 'r')}/>"), doc.part), numbered, landscape)
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    for n, emf in enumerate(images, 1):  # the vector charts (python-docx reads no EMF header)
        part = Part(PackURI(f"/word/media/image{n}.emf"), "image/x-emf", emf, doc.part.package)
        doc.part.relate_to(part, RT.IMAGE)
    core = doc.core_properties
    core.title = content.title
    core.subject = "跨区域联合应急预案"
    core.author = "planctl"
    core.last_modified_by = "planctl"
    core.identifier = content.plan_id
    core.version = content.version
    core.keywords = f"sha256:{content.digest}"
    core.category = docx_mod.DRAFT_MARK if content.draft else "正式稿"
    core.comments = (
        f"Generated by planctl {__version__} from plan {content.plan_id} "
        f"v{content.version}; sha256:{content.digest}"
    )
    core.language = "zh-CN"
    core.revision = 1
    fixed = datetime(2000, 1, 1)
    core.created = fixed
    core.modified = fixed
    core.last_printed = fixed
    settings = doc.settings.element
    if not toc_pages and settings.find(qn("w:updateFields")) is None:
        settings.append(parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>'))
    doc.settings.odd_and_even_pages_header_footer = True
    saved = io.BytesIO()
    doc.save(saved)
    order, parts = docx_mod.unzip_parts(saved.getvalue())
    docx_mod._fix_chinese(parts)
    return order, parts


def test_the_package_edits_are_python_docx_s(tmp_path: Path) -> None:
    """Every part but the body is what python-docx's edits gave, for every kind of reference."""
    from planctl.render.api import document_figures

    plan = load_file(sorted(sample_plans())[-1]).data
    figures = document_figures(plan)
    for draft in (True, False):
        content = build(plan, draft=draft, figure=figures)
        images = [b.emf for b in content.blocks if getattr(b, "emf", None)]
        assert images
        for reference in _references(tmp_path):
            for pages in (None, {"总则": 3}):
                order, parts = docx_mod.render_docx_parts(content, reference, toc_pages=pages)
                o_order, o_parts = _python_docx_edits(content, reference, pages, images)
                assert order == o_order, reference
                for name in order:
                    if name != "word/document.xml":
                        assert parts[name] == o_parts[name], (reference, name)


def test_splicing_the_body_is_moving_it(
    content, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The body spliced into the document text gives the bytes of parsed paragraphs moved in."""
    from planctl.render.api import document_figures

    with_figures = build(
        load_file(sorted(sample_plans())[0]).data,
        draft=False,
        figure=document_figures(load_file(sorted(sample_plans())[0]).data),
    )
    references = _references(tmp_path)
    fast = [docx_mod.render_docx_parts(c, r) for c in (content, with_figures) for r in references]
    monkeypatch.setattr(docx_mod, "_undeclared", lambda root, body: None)
    slow = [docx_mod.render_docx_parts(c, r) for c in (content, with_figures) for r in references]
    assert fast == slow


def test_stamping_the_parts_is_stamping_the_zip(content) -> None:  # type: ignore[no-untyped-def]
    order, parts = docx_mod.render_docx_parts(content)
    zipped = docx_mod.zip_parts(order, parts)
    for final in (False, True):
        via_zip = stamp_docx(zipped, plan_digest="d" * 64, final=final)
        direct = stamp_parts(list(order), dict(parts), plan_digest="d" * 64, final=final)
        assert direct == via_zip


def _variables(source: str) -> list[str]:
    import re

    names = set(
        re.findall(r"[A-Za-z_][A-Za-z0-9_]*", " ".join(re.findall(r"\{[{%](.*?)[}%]\}", source)))
    )
    return sorted(names - {"if", "elif", "else", "endif", "and", "or", "not", "in"})


def test_the_sentence_formatter_renders_every_template_as_jinja2_does() -> None:
    import random

    from planctl.render import style

    rng = random.Random(7)
    choices: list[object] = ["", "甲市", "协商不成的，报请上级", "按实际发生", "由双方", 0, 3, None]
    sentences = style.house_style()["sentences"]
    for key, source in sentences.items():
        template = style._jinja(key)
        names = _variables(source)
        for _ in range(40):
            values = {n: rng.choice(choices) for n in names if rng.random() < 0.85}
            try:
                expected: object = template.render(**values)
            except Exception as exc:  # e.g. rate[:1] of a number: the same error either way
                expected = type(exc)
            try:
                got: object = style.fill(key, **values)
            except Exception as exc:
                got = type(exc)
            assert got == expected, (key, values)


def test_the_formatter_hands_what_it_cannot_do_to_jinja2() -> None:
    from planctl.render.style import Sentence

    for source in (
        "{{ x | upper }}",
        "{% for a in b %}{{ a }}{% endfor %}",
        "{# note #}{{ x }}",
        "{{- x }}",
        "{% if x is none %}a{% endif %}",
        "{{ x.y }}",
        "{% if x %}a",
    ):
        assert Sentence.parse(source) is None, source
    s = Sentence.parse("{% if a and not b %}甲{% elif c %}{{ c }}{% else %}丙{% endif %}。\n")
    assert s is not None
    assert s.render({"a": 1}) == "甲。"
    assert s.render({"c": "乙"}) == "乙。"
    assert s.render({}) == "丙。"


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        ({"word/styles.xml": b"<w:styles"}, "styles.xml: not well-formed XML"),
        ({"word/numbering.xml": None}, "numbering.xml is named in a relationship but missing"),
        ({"[Content_Types].xml": None}, "not an Office package"),
        (
            {
                "word/document.xml": lambda x: x.replace(
                    b"<w:pgSz", b'<w:headerReference w:type="default" r:id="rId99"/><w:pgSz'
                )
            },
            "'rId99' names no header or footer part",
        ),
        (
            {"word/document.xml": lambda x: re.sub(rb"<w:pgSz[^>]*/>", b"", x)},
            "no page size or margins",
        ),
        (
            {"word/document.xml": lambda x: re.sub(rb"<w:sectPr.*</w:sectPr>", b"", x)},
            "no section properties",
        ),
        (  # a Header style that is none is refused; a missing one is added (test_package.py)
            {
                "word/styles.xml": lambda x: x.replace(
                    b'<w:style w:type="paragraph" w:styleId="Header">',
                    b'<w:style w:type="character" w:styleId="Header">',
                )
            },
            "style 'Header' is not a paragraph style",
        ),
        (
            {
                "word/fontTable.xml": lambda x: (
                    x.decode("utf-8")
                    .replace('encoding="UTF-8"', 'encoding="UTF-16"')
                    .encode("utf-16")
                )
            },
            "fontTable.xml is not UTF-8 encoded",
        ),
    ],
)
def test_a_reference_that_cannot_serve_is_refused_with_the_reason(
    tmp_path: Path, edit, reason
) -> None:  # type: ignore[no-untyped-def]
    """Checked before any plan is rendered, as a message rather than an internal error."""
    from planctl.render.templates import BadReference, check_reference, reference_docx

    order, parts = docx_mod.unzip_parts(reference_docx().read_bytes())
    for name, how in edit.items():
        if how is None:
            del parts[name]
            order.remove(name)
        else:
            parts[name] = how(parts[name]) if callable(how) else how
    bad = tmp_path / "bad.docx"
    bad.write_bytes(docx_mod.zip_parts(order, parts))
    with pytest.raises(BadReference, match=re.escape(reason)):
        check_reference(bad)


@pytest.mark.parametrize(
    "damage",
    ["deflate", "encrypted", "method"],
)
def test_a_reference_with_a_damaged_zip_member_is_refused(tmp_path: Path, damage: str) -> None:
    """A broken deflate stream, an encrypted member or an unknown method: a reason, not a crash."""
    import struct
    import zipfile

    from planctl.render.templates import BadReference, check_reference, reference_docx

    data = bytearray(reference_docx().read_bytes())
    with zipfile.ZipFile(reference_docx()) as z:
        info = z.getinfo("word/styles.xml")
    head = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[head + 26 : head + 30])
    start = head + 30 + name_len + extra_len
    if damage == "deflate":
        for i in range(start + 40, start + 70):
            data[i] ^= 0xFF
    else:
        # the flag and the method stand in the local header and in the central directory
        eocd = data.rindex(b"PK\x05\x06")
        at = struct.unpack("<I", data[eocd + 16 : eocd + 20])[0]
        while data[at : at + 4] == b"PK\x01\x02":
            n, e, c = struct.unpack("<HHH", data[at + 28 : at + 34])
            if data[at + 46 : at + 46 + n] == b"word/styles.xml":
                break
            at += 46 + n + e + c
        if damage == "encrypted":
            data[head + 6] |= 0x01
            data[at + 8] |= 0x01
        else:
            data[head + 8 : head + 10] = struct.pack("<H", 99)
            data[at + 10 : at + 12] = struct.pack("<H", 99)
    bad = tmp_path / "bad.docx"
    bad.write_bytes(bytes(data))
    with pytest.raises(BadReference, match=re.escape("styles.xml is damaged")):
        check_reference(bad)


def test_odd_and_even_pages_sharing_one_footer_part_each_get_one_number(tmp_path: Path) -> None:
    """A reference whose default and even footer name one part: the number was written
    into it twice ("— 1 —— 1 —" on every page); each reference now gets its own part."""
    from planctl.render.templates import reference_docx

    order, parts = docx_mod.unzip_parts(reference_docx().read_bytes())
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    parts["word/footer1.xml"] = (
        f"<w:ftr {w}><w:p><w:r><w:t>OFFICE</w:t></w:r></w:p></w:ftr>".encode()
    )
    order.append("word/footer1.xml")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.wordprocessingml.footer+xml"/></Types>',
    )
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/footer" Target="footer1.xml"/></Relationships>',
    )
    parts["word/document.xml"] = re.sub(
        rb"(<w:sectPr[^>]*>)",
        rb'\1<w:footerReference w:type="default" r:id="rIdShared"/>'
        rb'<w:footerReference w:type="even" r:id="rIdShared"/>',
        parts["word/document.xml"],
    )
    ref = tmp_path / "shared.docx"
    ref.write_bytes(docx_mod.zip_parts(order, parts))
    plan = sample_plans()[0]
    doc = load_file(plan)
    content = build(doc.data, draft=True, figure=None)
    out_order, out = docx_mod.render_docx_parts(content, ref)
    footers = [n for n in out_order if re.fullmatch(r"word/footer\d+\.xml", n)]
    office = [n for n in footers if b"OFFICE" in out[n]]
    assert len(office) == 2  # the office's line is kept on odd and on even pages
    for name in footers:
        assert out[name].count(b" PAGE ") <= 1, name


def test_a_reference_that_inflates_hugely_is_refused_unread(tmp_path: Path) -> None:
    """A thumbnail of zeros 200x its compressed size: refused from the sizes, never inflated."""
    from planctl.render.templates import BadReference, check_reference, reference_docx

    order, parts = docx_mod.unzip_parts(reference_docx().read_bytes())
    if "docProps/thumbnail.jpeg" not in order:  # the shipped reference has no thumbnail
        order.append("docProps/thumbnail.jpeg")
    parts["docProps/thumbnail.jpeg"] = bytes(8 * 1024 * 1024)
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(docx_mod.zip_parts(order, parts))
    with pytest.raises(BadReference, match="zip bomb"):
        check_reference(bomb)
