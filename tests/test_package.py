"""The reference DOCX is user input: render/package.py reads it as OPC says, or says why not.

Each reference here is built in the test, from the shipped one or from scratch
as Word writes a blank document, and made hostile in one way a real file can be:
content types that say only "XML", a plain Word document without header styles,
a chain of parts deeper than Python's stack, relationships naming the package's
own bookkeeping, part names that differ only in case, and names planctl would
add. Either the render carries every edit into a package whose zip members are
distinct, or the reference is refused with the reason (BadReference), never an
internal error.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from planctl.loader import load_file
from planctl.render import docx as docx_mod
from planctl.render.content import build
from planctl.render.package import (
    CT_CORE,
    CT_DOCUMENT,
    CT_NS,
    CT_SETTINGS,
    CT_STYLES,
    PKG_RELS_NS,
    RT_SETTINGS,
    W_NS,
    Package,
    PackageError,
    part_key,
)
from planctl.render.templates import BadReference, check_reference, reference_docx
from tests.conftest import SAMPLES, soffice, to_pdf

W = f'xmlns:w="{W_NS}"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CUSTOM_RT = "http://example.org/planctl-test/relationships/office-data"


@pytest.fixture(scope="module")
def content():  # type: ignore[no-untyped-def]
    plan = SAMPLES / "taipu-river-water-pollution.yaml"
    return build(load_file(plan).data, draft=True, figure=None)


def _shipped() -> tuple[list[str], dict[str, bytes]]:
    return docx_mod.unzip_parts(reference_docx().read_bytes())


def _save(tmp_path: Path, order: list[str], parts: dict[str, bytes], name: str = "ref") -> Path:
    path = tmp_path / f"{name}.docx"
    path.write_bytes(docx_mod.zip_parts(order, parts))
    return path


def _add_rel(rels: bytes, rid: str, reltype: str, target: str) -> bytes:
    return rels.replace(
        b"</Relationships>",
        f'<Relationship Id="{rid}" Type="{reltype}" Target="{target}"/></Relationships>'.encode(),
    )


def _render(content: Any, ref: Path) -> tuple[list[str], dict[str, bytes]]:
    """Check the reference as the CLI does, render into it, and hold the output to OPC:
    zip members distinct ignoring case, every part with a content type."""
    check_reference(ref)
    order, parts = docx_mod.render_docx_parts(content, ref)
    assert len({part_key(n) for n in order}) == len(order), order
    assert len(order) == len(parts)
    return order, parts


def _content_types(parts: dict[str, bytes]) -> tuple[dict[str, str], dict[str, str]]:
    root = etree.fromstring(parts["[Content_Types].xml"])
    defaults = {
        el.get("Extension"): el.get("ContentType") for el in root.iter(f"{{{CT_NS}}}Default")
    }
    overrides = {
        el.get("PartName"): el.get("ContentType") for el in root.iter(f"{{{CT_NS}}}Override")
    }
    return defaults, overrides


def _rels(parts: dict[str, bytes], member: str) -> list[tuple[str, str, str]]:
    root = etree.fromstring(parts[member])
    return [
        (el.get("Id"), el.get("Type"), el.get("Target"))
        for el in root.iter(f"{{{PKG_RELS_NS}}}Relationship")
    ]


# --- 1. a part planctl edits, typed only as XML -------------------------------------------
def _untyped_reference(tmp_path: Path) -> Path:
    """The shipped reference with no Override for the parts planctl edits: Default xml
    (application/xml) is all [Content_Types].xml says of them."""
    order, parts = _shipped()
    ct = parts["[Content_Types].xml"].decode()
    for name in (
        "/word/document.xml",
        "/word/styles.xml",
        "/word/settings.xml",
        "/docProps/core.xml",
    ):
        ct, n = re.subn(rf'<Override PartName="{re.escape(name)}" ContentType="[^"]+"/>', "", ct)
        assert n == 1, name
    parts["[Content_Types].xml"] = ct.encode()
    return _save(tmp_path, order, parts, "untyped")


def test_edits_to_parts_typed_only_as_xml_are_written_with_their_type(
    tmp_path: Path, content: Any
) -> None:
    """The styles, settings and core properties planctl edits were serialised nowhere
    (a generic XML part keeps its bytes): now typed by their relationship, listed in
    an Override, and carrying the edits."""
    _, parts = _render(content, _untyped_reference(tmp_path))
    _, overrides = _content_types(parts)
    assert overrides["/word/document.xml"] == CT_DOCUMENT
    assert overrides["/word/styles.xml"] == CT_STYLES
    assert overrides["/word/settings.xml"] == CT_SETTINGS
    assert overrides["/docProps/core.xml"] == CT_CORE
    assert b'w:styleId="ContentsTitle"' in parts["word/styles.xml"]  # planctl's 目录 style
    assert b"<w:evenAndOddHeaders/>" in parts["word/settings.xml"]  # odd/even page numbers
    assert content.plan_id.encode() in parts["docProps/core.xml"]


def test_a_part_typed_as_something_else_is_refused(tmp_path: Path) -> None:
    order, parts = _shipped()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b'<Override PartName="/word/styles.xml" ContentType="' + CT_STYLES.encode(),
        b'<Override PartName="/word/styles.xml" ContentType="application/vnd.ms-excel',
    )
    with pytest.raises(BadReference, match=r"styles\.xml serves as styles but its content type"):
        check_reference(_save(tmp_path, order, parts))


# --- 2. a blank document made in Word -----------------------------------------------------
def blank_word_document() -> tuple[list[str], dict[str, bytes]]:
    """The parts of Word's blank document (Word 2016, A4): the styles part defines only
    Normal, the default paragraph font, Normal Table and No List; header and footer
    are latent styles, defined when a header is first inserted."""
    ct = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{CT_NS}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{CT_DOCUMENT}"/>'
        f'<Override PartName="/word/styles.xml" ContentType="{CT_STYLES}"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{CT_SETTINGS}"/>'
        '<Override PartName="/word/webSettings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.webSettings+xml"/>'
        '<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.fontTable+xml"/>'
        f'<Override PartName="/docProps/core.xml" ContentType="{CT_CORE}"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.extended-properties+xml"/></Types>'
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_RELS_NS}">'
        f'<Relationship Id="rId3" Type="{RT}extended-properties" Target="docProps/app.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
        'metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId1" Type="{RT}officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    doc_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_RELS_NS}">'
        f'<Relationship Id="rId3" Type="{RT}webSettings" Target="webSettings.xml"/>'
        f'<Relationship Id="rId2" Type="{RT}settings" Target="settings.xml"/>'
        f'<Relationship Id="rId1" Type="{RT}styles" Target="styles.xml"/>'
        f'<Relationship Id="rId4" Type="{RT}fontTable" Target="fontTable.xml"/>'
        "</Relationships>"
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {W} {R}><w:body>'
        '<w:p w:rsidR="00C53C6C" w:rsidRDefault="00C53C6C"/>'
        '<w:sectPr w:rsidR="00C53C6C"><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" '
        'w:footer="708" w:gutter="0"/><w:cols w:space="708"/><w:docGrid w:linePitch="360"/>'
        "</w:sectPr></w:body></w:document>"
    )
    latent = "".join(
        f'<w:lsdException w:name="{n}" w:semiHidden="1" w:uiPriority="99" w:unhideWhenUsed="1"/>'
        for n in ("header", "footer", "caption", "Table Grid")
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles {W} {R}>'
        '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:asciiTheme="minorHAnsi" '
        'w:eastAsiaTheme="minorEastAsia" w:hAnsiTheme="minorHAnsi" w:cstheme="minorBidi"/>'
        '<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB" w:eastAsia="zh-CN" '
        'w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="160" '
        'w:line="259" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
        '<w:latentStyles w:defLockedState="0" w:defUIPriority="99" w:defSemiHidden="0" '
        'w:defUnhideWhenUsed="0" w:defQFormat="0" w:count="376">'
        f'<w:lsdException w:name="Normal" w:uiPriority="0" w:qFormat="1"/>{latent}</w:latentStyles>'
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        "<w:qFormat/></w:style>"
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        "<w:unhideWhenUsed/></w:style>"
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" '
        'w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        "</w:style>"
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style></w:styles>'
    )
    settings = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:settings {W}>'
        '<w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/>'
        '<w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting '
        'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
        '</w:compat><w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>'
    )
    fonts = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts {W}>'
        '<w:font w:name="Calibri"><w:panose1 w:val="020F0502020204030204"/><w:charset w:val="00"/>'
        '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font></w:fonts>'
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp='
        '"http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>办公室</dc:creator>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-02T08:00:00Z</dcterms:created>'
        "</cp:coreProperties>"
    )
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns='
        '"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Template>Normal.dotm</Template><Application>Microsoft Office Word</Application></Properties>"
    )
    web = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:webSettings {W}/>'
    parts = {
        "[Content_Types].xml": ct,
        "_rels/.rels": root_rels,
        "word/document.xml": document,
        "word/_rels/document.xml.rels": doc_rels,
        "word/styles.xml": styles,
        "word/settings.xml": settings,
        "word/webSettings.xml": web,
        "word/fontTable.xml": fonts,
        "docProps/core.xml": core,
        "docProps/app.xml": app,
    }
    return list(parts), {k: v.encode("utf-8") for k, v in parts.items()}


def _styles_by_id(styles: bytes) -> dict[str, Any]:
    root = etree.fromstring(styles)
    return {s.get(f"{{{W_NS}}}styleId"): s for s in root.iter(f"{{{W_NS}}}style")}


def test_a_blank_word_document_serves_as_reference(tmp_path: Path, content: Any) -> None:
    """Refused before ("no style named 'Header'"); now Word's Header and Footer styles are
    added as Word adds them, and every header and footer paragraph names a defined style."""
    order, parts = _render(content, _save(tmp_path, *blank_word_document(), "blank"))
    styles = _styles_by_id(parts["word/styles.xml"])
    for sid, name in (("Header", "header"), ("Footer", "footer")):
        style = styles[sid]
        assert style.get(f"{{{W_NS}}}type") == "paragraph"
        assert style.find(f"{{{W_NS}}}name").get(f"{{{W_NS}}}val") == name
        assert style.find(f"{{{W_NS}}}basedOn").get(f"{{{W_NS}}}val") == "Normal"
    furniture = [n for n in order if re.fullmatch(r"word/(header|footer)\d+\.xml", n)]
    assert furniture
    for name in furniture:
        used = re.findall(rb'<w:pStyle w:val="([^"]+)"/>', parts[name])
        assert used, name
        assert all(u.decode() in styles for u in used), (name, used)
    # and nothing else was lost: Word's own styles and fonts are still there
    assert {"Normal", "DefaultParagraphFont", "TableNormal", "NoList"} <= set(styles)
    assert b"Calibri" in parts["word/fontTable.xml"]


def test_a_blank_document_without_a_styles_part_is_still_refused(tmp_path: Path) -> None:
    order, parts = blank_word_document()
    parts["word/_rels/document.xml.rels"] = re.sub(
        rb'<Relationship Id="rId1" [^>]*/>', b"", parts["word/_rels/document.xml.rels"]
    )
    with pytest.raises(BadReference, match="no styles part"):
        check_reference(_save(tmp_path, order, parts))


@pytest.mark.slow  # LibreOffice opens the output (CI runs it; -m "not slow" skips it)
@pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed")
@pytest.mark.parametrize("kind", ["untyped", "blank"])
def test_libreoffice_opens_what_these_references_give(
    tmp_path: Path, content: Any, kind: str
) -> None:
    ref = (
        _untyped_reference(tmp_path)
        if kind == "untyped"
        else _save(tmp_path, *blank_word_document(), "blank")
    )
    out = tmp_path / "out.docx"
    out.write_bytes(docx_mod.zip_parts(*_render(content, ref)))
    pdf = to_pdf(out, tmp_path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    assert len(pages) > 5
    assert "征求意见稿" in pages[0]  # the draft mark, from the header part
    # page numbers from the footer parts, odd pages right and even pages left: LibreOffice
    # read the settings planctl edited (w:evenAndOddHeaders)
    numbers = {int(m[2]): len(m[1]) for m in re.finditer(r"(?m)^( *)—\s*(\d+)\s*—", text)}
    assert {1, 2, 3, 4} <= set(numbers)
    assert numbers[1] > 20 and numbers[3] > 20 and numbers[2] < 5 and numbers[4] < 5
    assert "太浦河" in text


# --- 3. a chain of parts deeper than the stack ------------------------------------------
def _chain(order: list[str], parts: dict[str, bytes], n: int, cycle: bool = False) -> None:
    """Parts /word/chain/p1.xml … pN.xml, each related to the next (pN back to p1 if ``cycle``)."""
    parts["word/_rels/document.xml.rels"] = _add_rel(
        parts["word/_rels/document.xml.rels"], "rIdChain", CUSTOM_RT, "chain/p1.xml"
    )
    empty = f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_RELS_NS}"></Relationships>'
    for i in range(1, n + 1):
        name = f"word/chain/p{i}.xml"
        parts[name] = f"<data n='{i}'/>".encode()
        order.append(name)
        nxt = i + 1 if i < n else (1 if cycle else None)
        if nxt is not None:
            rels = f"word/chain/_rels/p{i}.xml.rels"
            parts[rels] = _add_rel(empty.encode(), "rId1", CUSTOM_RT, f"p{nxt}.xml")
            order.append(rels)


@pytest.mark.parametrize("cycle", [False, True])
def test_a_long_chain_of_parts_is_read_and_written_without_recursion(
    tmp_path: Path, content: Any, cycle: bool
) -> None:
    """A RecursionError (an internal error) before, at about 1,000 parts deep."""
    order, parts = _shipped()
    _chain(order, parts, 1500, cycle)
    ref = _save(tmp_path, order, parts)
    pkg = Package.read(ref)
    chain = [p.name for p in pkg.parts.values() if p.name.startswith("/word/chain/")]
    assert chain == [f"/word/chain/p{i}.xml" for i in range(1, 1501)]
    out_order, out = _render(content, ref)
    written = [n for n in out_order if re.fullmatch(r"word/chain/p\d+\.xml", n)]
    assert written == [f"word/chain/p{i}.xml" for i in range(1, 1501)]  # depth first, in order
    assert out["word/chain/p1500.xml"] == b"<data n='1500'/>"


# --- 4. relationships that name the package's bookkeeping ---------------------------------
@pytest.mark.parametrize(
    "target",
    [
        "../[Content_Types].xml",
        "/[content_types].XML",
        "_rels/document.xml.rels",
        "../_rels/.rels",
        "theme/_rels/theme1.xml.rels",
    ],
)
def test_a_relationship_to_the_bookkeeping_is_refused(tmp_path: Path, target: str) -> None:
    """Read as a part, it was written out over the generated member: a zip holding two
    [Content_Types].xml (or two .rels) members, which Word calls corrupt."""
    order, parts = _shipped()
    parts["word/_rels/document.xml.rels"] = _add_rel(
        parts["word/_rels/document.xml.rels"], "rIdBad", CUSTOM_RT, target
    )
    parts["word/theme/_rels/theme1.xml.rels"] = (
        f'<Relationships xmlns="{PKG_RELS_NS}"></Relationships>'.encode()
    )
    order.append("word/theme/_rels/theme1.xml.rels")
    with pytest.raises(BadReference, match=r"'rIdBad' of /word/document\.xml names .*bookkeeping"):
        check_reference(_save(tmp_path, order, parts))


# --- 5. names planctl adds ----------------------------------------------------------------
def test_add_part_refuses_a_name_a_part_has() -> None:
    pkg = Package.read(reference_docx())
    styles = pkg.find("/word/styles.xml")
    assert styles is not None
    for name in (
        "/word/styles.xml",
        "/WORD/Styles.XML",
        "/[Content_Types].xml",
        "/word/_rels/a.xml.rels",
    ):
        with pytest.raises(PackageError, match="cannot be added"):
            pkg.add_part(name, CT_STYLES, b"<x/>")
    assert pkg.find("/word/styles.xml") is styles
    assert pkg.free_partname("/word/styles.xml") == "/word/styles1.xml"
    assert pkg.free_partname("/word/new.xml") == "/word/new.xml"
    # OPC folds ASCII case only
    assert part_key("/Word/Media/Image1.PNG") == "/word/media/image1.png"
    assert part_key("/word/Ä.xml") != part_key("/word/ä.xml")


def test_new_settings_get_a_free_name_beside_a_part_that_has_theirs(
    tmp_path: Path, content: Any
) -> None:
    """A reference whose document has no settings relationship, but whose package holds
    another part named word/settings.xml: planctl's new settings replaced it."""
    order, parts = _shipped()
    rels = parts["word/_rels/document.xml.rels"]
    parts["word/_rels/document.xml.rels"] = re.sub(
        rb'<Relationship Id="rId5" Type="[^"]*/settings" Target="settings.xml"/>', b"", rels
    )
    parts["_rels/.rels"] = _add_rel(parts["_rels/.rels"], "rIdData", CUSTOM_RT, "word/settings.xml")
    parts["word/settings.xml"] = b"OFFICE DATA"
    parts["[Content_Types].xml"] = re.sub(
        rb'(<Override PartName="/word/settings.xml" ContentType=")[^"]+',
        rb"\1application/octet-stream",
        parts["[Content_Types].xml"],
    )
    _, out = _render(content, _save(tmp_path, order, parts))
    assert out["word/settings.xml"] == b"OFFICE DATA"
    assert ("rIdData", CUSTOM_RT, "word/settings.xml") in _rels(out, "_rels/.rels")
    new = [t for _, rt, t in _rels(out, "word/_rels/document.xml.rels") if rt == RT_SETTINGS]
    assert new == ["settings1.xml"]
    assert b"<w:evenAndOddHeaders/>" in out["word/settings1.xml"]


def test_a_new_image_gets_a_free_name_beside_a_part_that_has_its(tmp_path: Path) -> None:
    """word/media/image1.emf related as something other than an image: not counted among
    the images, so the first chart was numbered 1 and replaced it."""
    order, parts = _shipped()
    parts["word/_rels/document.xml.rels"] = _add_rel(
        parts["word/_rels/document.xml.rels"], "rIdOld", CUSTOM_RT, "media/image1.emf"
    )
    parts["word/media/image1.emf"] = b"OLD"
    order.append("word/media/image1.emf")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="emf" ContentType="image/x-emf"/></Types>'
    )
    pkg = Package.read(_save(tmp_path, order, parts))
    doc = pkg.main_document()
    rid = pkg.add_media(doc, b"NEW", "emf", "image/x-emf")
    assert doc.rels[rid].target == "/word/media/image2.emf"
    old = pkg.find("/word/media/image1.emf")
    assert old is not None and old.blob == b"OLD"
    names = [p.name for p in pkg._walk()]
    assert len(set(names)) == len(names)


# --- 6. part names compared ignoring case -------------------------------------------------
def test_a_target_spelt_in_another_case_names_the_same_part(tmp_path: Path, content: Any) -> None:
    """OPC part names are equal ignoring ASCII case: "Styles.xml" is word/styles.xml (it
    was "missing"), and a second relationship spelt otherwise adds no second member."""
    order, parts = _shipped()
    rels = parts["word/_rels/document.xml.rels"]
    rels = rels.replace(b'Target="styles.xml"', b'Target="Styles.xml"')
    parts["word/_rels/document.xml.rels"] = _add_rel(rels, "rIdSame", CUSTOM_RT, "STYLES.XML")
    out_order, out = _render(content, _save(tmp_path, order, parts))
    assert [n for n in out_order if n.lower() == "word/styles.xml"] == ["word/styles.xml"]
    targets = {rid: t for rid, _, t in _rels(out, "word/_rels/document.xml.rels")}
    assert targets["rId3"] == targets["rIdSame"] == "styles.xml"  # the member's own name
    assert b'w:styleId="ContentsTitle"' in out["word/styles.xml"]


def test_zip_members_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    """Two members one part name could mean: which one Word reads is unknowable."""
    order, parts = _shipped()
    parts["word/Styles.xml"] = parts["word/styles.xml"]
    order.append("word/Styles.xml")
    with pytest.raises(
        BadReference, match=re.escape("differing only in case: word/Styles.xml, word/styles.xml")
    ):
        check_reference(_save(tmp_path, order, parts))


# --- every mutation: a render or a reason ---------------------------------------------------
_TYPES = [RT + t for t in ("styles", "settings", "header", "footer", "image", "numbering", "theme")]


def _mutate(rng: Any, order: list[str], parts: dict[str, bytes]) -> str:
    """One structural change a hand-edited or badly generated reference can carry."""
    rels_members = [n for n in order if n.endswith(".rels")]
    how = rng.choice(["target", "type", "override", "ctype", "twin", "drop"])
    if how in ("target", "type"):
        member = rng.choice(rels_members)
        root = etree.fromstring(parts[member])
        rel = rng.choice(list(root))
        if how == "target":
            other = rng.choice([n for n in order if not n.endswith(".rels")])
            rel.set(
                "Target",
                rng.choice(
                    [
                        "/" + other,
                        "/" + other.upper(),
                        "/" + other.swapcase(),
                        "../" * rng.randint(0, 3) + other,
                        "/_rels/.rels",
                        "/[Content_Types].xml",
                        "nowhere.xml",
                        "",
                        "/",
                    ]
                ),
            )
        else:
            rel.set("Type", rng.choice(_TYPES))
        parts[member] = etree.tostring(root)
    elif how in ("override", "ctype"):
        root = etree.fromstring(parts["[Content_Types].xml"])
        el = rng.choice([e for e in root if e.tag == f"{{{CT_NS}}}Override"])
        if how == "override":
            root.remove(el)
        else:
            el.set("ContentType", rng.choice([CT_STYLES, CT_SETTINGS, "text/xml", "image/png"]))
        parts["[Content_Types].xml"] = etree.tostring(root)
    elif how == "twin":
        name = rng.choice([n for n in order if n != "[Content_Types].xml"])
        twin = name.swapcase()
        if twin not in parts:
            parts[twin] = parts[name]
            order.append(twin)
    else:
        name = rng.choice([n for n in order if n != "[Content_Types].xml"])
        order.remove(name)
        del parts[name]
    return how


@pytest.mark.parametrize("seed", range(60))
def test_any_mutated_reference_renders_or_is_refused_with_a_reason(
    tmp_path: Path, content: Any, seed: int
) -> None:
    """Seeded structural mutations of the shipped reference: check_reference refuses with a
    reason, or the render gives a package with distinct members that reads back as one."""
    import random

    rng = random.Random(seed)
    order, parts = _shipped()
    done = [_mutate(rng, order, parts) for _ in range(rng.randint(1, 3))]
    ref = _save(tmp_path, order, parts)
    try:
        check_reference(ref)
    except BadReference as exc:
        assert str(exc), done
        return
    out_order, out = _render(content, ref)
    again = Package.read(docx_mod.zip_parts(out_order, out))
    again.main_document()
    assert len(again.parts) == len(out_order) - 1 - sum(n.endswith(".rels") for n in out_order)
