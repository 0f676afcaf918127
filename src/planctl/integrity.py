"""Is a rendered file still what planctl wrote, and is that what the plan says?

Two jobs share this module:

* **verify** (``planctl verify``): at render time :func:`stamp_docx` records,
  inside the DOCX (``docProps/custom.xml``, excluded from its own digests),
  digests of the *normalised* content of every part: body paragraphs and
  tables with their visible formatting, headers and footers, image bytes,
  risky parts and external relationships, the identifying core properties,
  plus planctl's version and the reference.docx digest. :func:`verify_docx`
  recomputes them from the file as it now is and says what changed. At
  render time the body is read by :class:`_FastWalker`, which reads the
  paragraphs planctl writes directly and gives the general walk's record
  byte for byte (tested on every sample); verify uses the general walk.
  Normalising (text per paragraph, field results ignored, runs merged)
  makes a benign re-save (zip order, rsid attributes, lastModifiedBy,
  app.xml, LibreOffice's re-save) count as unchanged.

  This is integrity against accidental and casual edits, not a signature:
  whoever can edit the file can also rewrite the digests.

* **overwrite guard**: "planctl wrote this and nobody changed it" is decided
  from content. A DOCX carries a digest of its exact parts, Markdown and JSON
  carry a seal (a hash of their own bytes), CSV/XLSX are listed with their
  hash in a small manifest in the output folder. Anything else needs --force.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: A real plan DOCX is a few MB; these caps stop a zip bomb before any part is inflated.
MAX_DOCX_BYTES = 64 * 1024 * 1024
MAX_UNCOMPRESSED = 256 * 1024 * 1024
MAX_PART = 128 * 1024 * 1024
MAX_RATIO = 200
MAX_ENTRIES = 5000

PROPERTY = "planctl-integrity"
CUSTOM_PART = "docProps/custom.xml"
RECORD_VERSION = 1

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
)
_CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

#: parts and relationships that can carry code or pull content from elsewhere
_RISKY_PART = re.compile(
    r"vbaProject|vbaData|activeX|embeddings/|oleObject|\.bin$|attachedTemplate|"
    r"afchunk|altChunk|\.(?:exe|dll|js|vbs|ps1|hta|html?|mht|rtf|docm|dotm|xlsm)$",
    re.IGNORECASE,
)
_RISKY_REL = re.compile(
    r"/(?:oleObject|package|aFChunk|subDocument|attachedTemplate|frame|vbaProject|"
    r"control|wordVbaData|keyMapCustomizations)$"
)
_RISKY_CT = re.compile(r"macroEnabled|vbaProject|activeX|oleObject|ms-office\.vba", re.IGNORECASE)


class IntegrityError(ValueError):
    """The file cannot be checked (not a DOCX, too large, a zip bomb, no record)."""


# --------------------------------------------------------------------------- reading


def open_package(source: str | Path | bytes) -> zipfile.ZipFile:
    """Open a DOCX and check its sizes before inflating anything.

    A 2 MB file may claim a 2 GB part; the central directory tells the
    uncompressed sizes, so an oversized or over-compressed package is refused
    unread. Reads later stay bounded by the declared size (zipfile stops there).
    """
    if isinstance(source, bytes):
        if len(source) > MAX_DOCX_BYTES:
            raise IntegrityError(f"larger than {MAX_DOCX_BYTES // 2**20} MB")
        handle: Any = io.BytesIO(source)
    else:
        path = Path(source)
        try:
            info = path.stat()
        except OSError as exc:
            raise IntegrityError(f"cannot read: {exc.strerror or exc}") from None
        if not stat.S_ISREG(info.st_mode):
            raise IntegrityError("not a regular file")
        if info.st_size > MAX_DOCX_BYTES:
            raise IntegrityError(f"larger than {MAX_DOCX_BYTES // 2**20} MB")
        handle = path
    try:
        z = zipfile.ZipFile(handle)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise IntegrityError(f"not a DOCX (zip) file: {exc}") from None
    infos = z.infolist()
    if len(infos) > MAX_ENTRIES:
        z.close()
        raise IntegrityError(f"more than {MAX_ENTRIES} parts")
    total = 0
    for i in infos:
        total += i.file_size
        ratio = i.file_size / max(1, i.compress_size)
        if i.file_size > MAX_PART or (i.file_size > 1024 * 1024 and ratio > MAX_RATIO):
            z.close()
            raise IntegrityError(
                f"part {i.filename} inflates to {i.file_size} bytes (ratio {ratio:.0f}): "
                "refused as a possible zip bomb"
            )
    if total > MAX_UNCOMPRESSED:
        z.close()
        raise IntegrityError(f"inflates to {total} bytes: refused as a possible zip bomb")
    return z


class _Member:
    __slots__ = ("filename",)

    def __init__(self, filename: str) -> None:
        self.filename = filename


class PartsPackage:
    """A package held as its parts, read as the functions here read a ZipFile.

    At render time the record is computed from the parts just made, so the DOCX
    is compressed once, not zipped, read back and zipped again.
    """

    def __init__(self, order: list[str], parts: dict[str, bytes]) -> None:
        self.order = order
        self.parts = parts
        #: trees the parts were just serialised from (render/package.py's PackageParts)
        self.parsed: dict[str, Any] = getattr(parts, "parsed", None) or {}

    def infolist(self) -> list[_Member]:
        return [_Member(name) for name in self.order]

    def read(self, name: str) -> bytes:
        return self.parts[name]  # KeyError for an absent part, as ZipFile.read


def _read(z: Any, name: str) -> bytes | None:
    try:
        return z.read(name)
    except KeyError:
        return None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        raise IntegrityError(f"part {name} is damaged: {exc}") from None


def _xml(data: bytes, name: str) -> Any:
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise IntegrityError(f"part {name} is not well-formed XML: {exc}") from None


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_ON = {None, "1", "true", "on"}


def _flag(rpr: Any, tag: str) -> bool:
    el = rpr.find(_w(tag))
    return el is not None and el.get(_w("val")) in _ON


def _run_format(rpr: Any) -> str:
    """The visible run properties that change what a reader sees or reads."""
    if rpr is None:
        return ""
    flags = [t for t in ("b", "i", "strike", "dstrike", "caps", "vanish") if _flag(rpr, t)]
    u = rpr.find(_w("u"))
    if u is not None and u.get(_w("val")) not in ("none", None):
        flags.append("u")
    for tag in ("color", "highlight", "vertAlign"):
        el = rpr.find(_w(tag))
        val = el.get(_w("val")) if el is not None else None
        if val and val.lower() not in ("auto", "none", "000000", "baseline"):
            flags.append(f"{tag}={val.lower()}")
    return ",".join(flags)


class _Walker:
    """Flatten WordprocessingML into paragraphs of (text, format) segments.

    Field results (TOC entries, page numbers) are computed by the viewer and
    change on every re-save; the field instruction is kept instead. Empty
    paragraphs carry nothing and are dropped, as LibreOffice may add some.
    """

    def __init__(self, images: dict[str, str]) -> None:
        self.images = images  # relationship id -> image digest
        self.field: list[str] = []  # stack of "code" / "result" states
        self.instr: list[str] = []

    def paragraph(self, p: Any) -> tuple[str, str]:
        segments: list[list[str]] = []

        def add(text: str, fmt: str) -> None:
            if not text:
                return
            if segments and segments[-1][1] == fmt:
                segments[-1][0] += text
            else:
                segments.append([text, fmt])

        # only the elements the loop acts on, in document order, filtered by lxml in C
        for el in p.iter(*_WALKED):
            local = el.tag.rsplit("}", 1)[-1]
            if local == "fldChar":
                kind = el.get(_w("fldCharType"))
                if kind == "begin":
                    self.field.append("code")
                    self.instr.append("")
                elif kind == "separate" and self.field:
                    self.field[-1] = "result"
                    add(_field(self.instr[-1]), "")
                elif kind == "end" and self.field:
                    if self.field.pop() == "code":  # a field with no result part
                        add(_field(self.instr[-1]), "")
                    self.instr.pop()
                continue
            if local == "instrText" and self.field:
                self.instr[-1] += el.text or ""
                continue
            if local == "fldSimple":
                add(_field(el.get(_w("instr")) or ""), "")
                continue
            if self.field and self.field[-1] == "result":
                continue
            if local not in _PRINTED:  # only these print; the rest carry no text
                continue
            if _inside(el, "fldSimple"):
                continue
            fmt = _run_format(_run_props(el))
            if local == "t":
                add(el.text or "", fmt)
            elif local == "tab" and el.getparent() is not None and _local(el.getparent()) == "r":
                add("\t", fmt)
            elif local in ("br", "cr"):
                if el.get(_w("type")) not in ("page", "column"):  # page breaks are layout
                    add("\n", fmt)
            elif local == "noBreakHyphen":
                add("-", fmt)
            elif local == "sym":
                add(chr(int(el.get(_w("char")) or "3f", 16)), fmt)
            elif local in ("blip", "imagedata"):
                rid = el.get(f"{{{_R}}}embed") or el.get(f"{{{_R}}}id") or ""
                add(f"[image {self.images.get(rid, 'missing')[:16]}]", "")
        text = "".join(s[0] for s in segments)
        fmt = "|".join(f"{len(s[0])}:{s[1]}" for s in segments if s[1])
        return text, fmt


class _Unusual(Exception):
    """A paragraph :class:`_FastWalker` does not read: the general walk reads it."""


class _FastWalker(_Walker):
    """:class:`_Walker` for the paragraphs planctl writes, for stamping at render time.

    A rendered body is ~1,600 paragraphs of properties and runs; a run holds
    properties, text, breaks, tabs, no-break hyphens, field characters and
    instructions, or a picture. Reading those children directly gives the
    general walk's answer at a third of its cost (it asks lxml for every
    walked element by local name in any namespace, and looks up each run's
    properties through the parents). Anything else in a paragraph (a symbol,
    a simple field, a text box, another namespace) is read by the general
    walk from the state the paragraph started in. Tests compare the two on
    every sample, draft and final.
    """

    def paragraph(self, p: Any) -> tuple[str, str]:
        field, instr = self.field, self.instr
        saved = (field[:], instr[:]) if field else None
        try:
            return self._direct(p)
        except _Unusual:
            field[:], instr[:] = saved or ([], [])
            return super().paragraph(p)

    def _direct(self, p: Any) -> tuple[str, str]:
        texts: list[str] = []
        fmts: list[str] = []
        field, instr = self.field, self.instr
        for child in p:
            tag = child.tag
            if tag == _W_PPR:  # holds no text (the schema's w:tab here is a tab stop)
                continue
            if tag != _W_R:
                raise _Unusual
            fmt: str | None = None
            for el in child:
                tag = el.tag
                if tag == _W_T:
                    if field and field[-1] == "result":
                        continue
                    text = el.text
                    if not text:
                        continue
                elif tag == _W_RPR:  # formatting only, read below when the run has text
                    continue
                elif tag == _W_FLDCHAR:
                    kind = el.get(_W_FLD_TYPE)
                    if kind == "begin":
                        field.append("code")
                        instr.append("")
                        continue
                    if kind == "separate" and field:
                        field[-1] = "result"
                        text = _field(instr[-1])
                    elif kind == "end" and field:
                        code = field.pop() == "code"
                        text = _field(instr[-1]) if code else ""  # a field with no result part
                        instr.pop()
                        if not code:
                            continue
                    else:
                        continue
                    if texts and fmts[-1] == "":
                        texts[-1] += text
                    else:
                        texts.append(text)
                        fmts.append("")
                    continue
                elif tag == _W_INSTR_TEXT:
                    if field:
                        instr[-1] += el.text or ""
                    continue
                elif tag == _W_DRAWING:
                    for x in el.iter():
                        if x.tag == _A_BLIP:
                            if field and field[-1] == "result":
                                continue
                            rid = x.get(_R_EMBED) or x.get(_R_ID) or ""
                            text = f"[image {self.images.get(rid, 'missing')[:16]}]"
                            if texts and fmts[-1] == "":
                                texts[-1] += text
                            else:
                                texts.append(text)
                                fmts.append("")
                        elif x.tag in _WALKED_TAGS or not isinstance(x.tag, str):
                            raise _Unusual
                    continue
                elif tag in _RUN_TEXT:
                    if field and field[-1] == "result":
                        continue
                    if tag == _W_BR:
                        if el.get(_W_TYPE) in ("page", "column"):  # page breaks are layout
                            continue
                        text = "\n"
                    else:
                        text = "\t" if tag == _W_TAB else "-"
                else:
                    raise _Unusual
                if fmt is None:
                    rpr = child.find(_W_RPR)
                    fmt = "" if rpr is None else _run_format(rpr)
                if texts and fmts[-1] == fmt:
                    texts[-1] += text
                else:
                    texts.append(text)
                    fmts.append(fmt)
        if not texts:
            return "", ""
        if len(texts) == 1:
            return texts[0], f"{len(texts[0])}:{fmts[0]}" if fmts[0] else ""
        fmt_all = "|".join(f"{len(t)}:{f}" for t, f in zip(texts, fmts, strict=True) if f)
        return "".join(texts), fmt_all


_W_R, _W_RPR, _W_PPR, _W_T, _W_BR, _W_TAB = (
    _w("r"),
    _w("rPr"),
    _w("pPr"),
    _w("t"),
    _w("br"),
    _w("tab"),
)
_W_P, _W_TR, _W_TC = _w("p"), _w("tr"), _w("tc")
_W_FLDCHAR, _W_INSTR_TEXT, _W_DRAWING, _W_NO_BREAK_HYPHEN = (
    _w("fldChar"),
    _w("instrText"),
    _w("drawing"),
    _w("noBreakHyphen"),
)
_W_FLD_TYPE, _W_TYPE = _w("fldCharType"), _w("type")
_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_R_EMBED, _R_ID = f"{{{_R}}}embed", f"{{{_R}}}id"
_RUN_TEXT = frozenset((_W_BR, _W_TAB, _W_NO_BREAK_HYPHEN))


#: the elements that put text (or an image mark) into a paragraph
_PRINTED = frozenset(("t", "tab", "br", "cr", "noBreakHyphen", "sym", "blip", "imagedata"))
#: every element the walker acts on, in any namespace (matched by local name, as before)
_WALKED = tuple(f"{{*}}{name}" for name in ("fldChar", "instrText", "fldSimple", *_PRINTED))
#: the walked elements in the namespaces a paragraph planctl writes uses
_WALKED_TAGS = frozenset(
    f"{{{ns}}}{name}"
    for ns in (
        _W,
        "http://schemas.openxmlformats.org/drawingml/2006/main",
        "http://schemas.openxmlformats.org/drawingml/2006/picture",
        "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
        "urn:schemas-microsoft-com:vml",
    )
    for name in ("fldChar", "instrText", "fldSimple", *_PRINTED)
)
_FIELD_TOKEN = re.compile(r'"[^"]*"|\S+')


def _field(instr: str) -> str:
    """A field instruction with its switches in a fixed order (LibreOffice reorders them)."""
    tokens = _FIELD_TOKEN.findall(instr)
    if not tokens:
        return "{}"
    head, groups = tokens[0].upper(), list[str]()
    for tok in tokens[1:]:
        if tok.startswith("\\") or not groups:
            groups.append(tok)
        else:
            groups[-1] += " " + tok
    return "{" + " ".join([head, *sorted(groups)]) + "}"


def _local(el: Any) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _inside(el: Any, local: str) -> bool:
    parent = el.getparent()
    while parent is not None:
        if _local(parent) == local:
            return True
        if _local(parent) == "p":
            return False
        parent = parent.getparent()
    return False


def _run_props(el: Any) -> Any:
    parent = el.getparent()
    while parent is not None and _local(parent) != "r":
        if _local(parent) == "p":
            return None
        parent = parent.getparent()
    if parent is None:
        return None
    return parent.find(_w("rPr"))


@dataclass
class Item:
    """One unit of visible content: a paragraph, or the text of one table cell."""

    where: str  # "p" or "t.r.c" (1-based table, row, column)
    text: str
    fmt: str = ""

    def key(self) -> str:
        return f"{self.where[0]}\x00{self.text}\x00{self.fmt}"


def _blocks(root: Any, walker: _Walker) -> list[Item]:
    """Body paragraphs and table cells in reading order."""
    items: list[Item] = []
    table_no = 0

    def visit(el: Any) -> None:
        nonlocal table_no
        for child in el:
            local = _local(child)
            if local == "p":
                text, fmt = walker.paragraph(child)
                if text.strip():
                    items.append(Item("p", text, fmt))
            elif local == "tbl":
                table_no += 1
                table(child, table_no)
            elif local in ("sdt", "sdtContent", "customXml", "smartTag", "ins", "body"):
                visit(child)

    def table(tbl: Any, number: int) -> None:
        paragraph = walker.paragraph
        for r, tr in enumerate(tbl.iterfind(_W_TR), 1):
            for c, tc in enumerate(tr.iterfind(_W_TC), 1):
                texts, fmts = [], []
                for p in tc.iter(_W_P):
                    text, fmt = paragraph(p)
                    if text.strip():
                        texts.append(text)
                        fmts.append(fmt)
                if texts:
                    items.append(Item(f"{number}.{r}.{c}", "\n".join(texts), "/".join(fmts)))

    body = root.find(_w("body"))
    if body is not None:
        visit(body)
    return items


def _rels(z: Any, part: str) -> list[tuple[str, str, str, str]]:
    """(id, type, target, mode) of a part's relationships."""
    folder, _, name = part.rpartition("/")
    rels_name = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    data = _read(z, rels_name)
    if data is None:
        return []
    root = _xml(data, rels_name)
    return [
        (r.get("Id", ""), r.get("Type", ""), r.get("Target", ""), r.get("TargetMode", ""))
        for r in root.iter(f"{{{_PKG_REL}}}Relationship")
    ]


def _resolve(part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    folder = part.rpartition("/")[0]
    parts = [p for p in f"{folder}/{target}".split("/") if p and p != "."]
    out: list[str] = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        else:
            out.append(p)
    return "/".join(out)


@dataclass
class Snapshot:
    """The normalised content of a DOCX: what a reader sees, not how it is stored."""

    body: list[Item]
    headers: list[str]
    images: list[str]
    risky: list[str]
    core: dict[str, str]
    parts: list[str] = field(default_factory=list)

    def digests(self) -> dict[str, str]:
        return {
            "body": _digest([[i.where, i.text, i.fmt] for i in self.body]),
            "headers": _digest(self.headers),
            "images": _digest(self.images),
            "parts": _digest(self.risky),
            "properties": _digest(self.core),
        }


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_CORE_FIELDS = ("title", "subject", "identifier", "version", "keywords", "category", "description")


def _core(z: Any) -> dict[str, str]:
    data = _read(z, "docProps/core.xml")
    if data is None:
        return {}
    root = _xml(data, "docProps/core.xml")
    out = {}
    for el in root:
        local = _local(el)
        if local in _CORE_FIELDS:
            # LibreOffice writes "sha256:x" keywords back as "sha256 x"
            out[local] = " ".join(re.sub(r"[\s:;,]+", " ", el.text or "").split())
    return out


def snapshot(z: Any, fast: bool = False) -> Snapshot:
    """The normalised content of a package (``fast``: with :class:`_FastWalker`, same result)."""
    walker = _FastWalker if fast else _Walker
    names = [i.filename for i in z.infolist()]
    doc_part = "word/document.xml"
    for _rid, rtype, target, _mode in _rels(z, ""):
        if rtype.endswith("/officeDocument"):
            doc_part = _resolve("", target)
    data = _read(z, doc_part)
    if data is None:
        raise IntegrityError("no document part: not a Word document")
    rels = _rels(z, doc_part)
    images: dict[str, str] = {}
    image_digests: list[str] = []
    for rid, rtype, target, mode in rels:
        if rtype.endswith("/image") and mode != "External":
            raw = _read(z, _resolve(doc_part, target))
            if raw is not None:
                images[rid] = hashlib.sha256(raw).hexdigest()
                image_digests.append(images[rid])
    tree = z.parsed.get(doc_part) if isinstance(z, PartsPackage) else None
    body = _blocks(tree if tree is not None else _xml(data, doc_part), walker(images))
    headers: set[str] = set()
    for _rid, rtype, target, mode in rels:
        if (rtype.endswith("/header") or rtype.endswith("/footer")) and mode != "External":
            part = _resolve(doc_part, target)
            raw = _read(z, part)
            if raw is None:
                continue
            root = _xml(raw, part)
            # a text box (the landscape pages' turned page number) is its own text: an
            # office writes it twice (DrawingML and a VML fallback) and moves its anchor
            for fallback in list(root.iter(f"{{{_MC}}}Fallback")):
                fallback.getparent().remove(fallback)
            boxes = list(root.iter(_w("txbxContent")))
            for box in boxes:
                box.getparent().remove(box)
            walk = walker({})
            texts = []
            for p in [*root.iter(_w("p")), *(q for b in boxes for q in b.iter(_w("p")))]:
                text, fmt = walk.paragraph(p)
                if text.strip():
                    texts.append(f"{text}\x00{fmt}" if fmt else text)
            if texts:
                headers.add("\n".join(texts))
    risky: set[str] = set()
    for name in names:
        if _RISKY_PART.search(name):
            risky.add(f"part {name}")
    for part in [""] + [n for n in names if not n.endswith(".rels")]:
        if not part or f"{part.rpartition('/')[0]}/_rels/{part.rpartition('/')[2]}.rels" in names:
            for _rid, rtype, target, mode in _rels(z, part):
                if mode == "External" and not rtype.endswith("/hyperlink"):
                    risky.add(f"external {rtype.rsplit('/', 1)[-1]} {target}")
                elif mode == "External":
                    risky.add(f"link {target}")
                elif _RISKY_REL.search(rtype):
                    risky.add(f"relationship {rtype.rsplit('/', 1)[-1]} {target}")
    ct = _read(z, "[Content_Types].xml")
    if ct is not None:
        for el in _xml(ct, "[Content_Types].xml"):
            if _RISKY_CT.search(el.get("ContentType", "")):
                risky.add(f"content type {el.get('ContentType')}")
    return Snapshot(
        body, sorted(headers), sorted(image_digests), sorted(risky), _core(z), sorted(names)
    )


# --------------------------------------------------------------------------- the record


def _package_digest(z: Any) -> str:
    """Exact bytes of every part but the record itself: any re-save changes it."""
    h = hashlib.sha256()
    for name in sorted(i.filename for i in z.infolist()):
        if name == CUSTOM_PART:
            continue
        raw = _read(z, name) or b""
        h.update(name.encode("utf-8") + b"\x00" + hashlib.sha256(raw).digest())
    return h.hexdigest()


def _reference_digest() -> str:
    from planctl.render.templates import reference_docx

    try:
        return hashlib.sha256(reference_docx().read_bytes()).hexdigest()
    except OSError:
        return "unknown"


def stamp_docx(data: bytes, *, plan_digest: str, final: bool) -> bytes:
    """Return the DOCX with its integrity record added (docProps/custom.xml)."""
    from planctl.render.docx import unzip_parts

    order, parts = unzip_parts(data)
    return stamp_parts(order, parts, plan_digest=plan_digest, final=final)


def stamp_parts(
    order: list[str], parts: dict[str, bytes], *, plan_digest: str, final: bool
) -> bytes:
    """The DOCX zipped from its parts, with its integrity record added (docProps/custom.xml).

    The record describes exactly these parts (the package digest covers every
    part's bytes but the record's own), so it is computed from them directly;
    the result is what zipping, reading back and stamping gave, byte for byte.
    ``order`` and ``parts`` are updated in place.
    """
    from planctl import __version__
    from planctl.render.docx import zip_parts

    # declare the custom-properties part first, so the package digest covers the declarations
    if CUSTOM_PART not in parts:
        order.append(CUSTOM_PART)
        ct = parts["[Content_Types].xml"].decode("utf-8")
        if f'PartName="/{CUSTOM_PART}"' not in ct:
            ct = ct.replace(
                "</Types>",
                f'<Override PartName="/{CUSTOM_PART}" ContentType="{_CUSTOM_CT}"/></Types>',
            )
        parts["[Content_Types].xml"] = ct.encode("utf-8")
        rels = parts["_rels/.rels"].decode("utf-8")
        if _CUSTOM_REL not in rels:
            rels = rels.replace(
                "</Relationships>",
                f'<Relationship Id="rIdPlanctlCustom" Type="{_CUSTOM_REL}" '
                f'Target="{CUSTOM_PART}"/></Relationships>',
            )
        parts["_rels/.rels"] = rels.encode("utf-8")
        parts[CUSTOM_PART] = b""
    staged = PartsPackage(order, parts)
    snap = snapshot(staged, fast=True)
    package = _package_digest(staged)
    record = {
        "v": RECORD_VERSION,
        "planctl": __version__,
        "reference": _reference_digest(),
        "status": "final" if final else "draft",
        "plan": plan_digest,
        "digests": snap.digests(),
        "package": package,
        "content": base64.b64encode(
            zlib.compress(
                json.dumps(
                    [[i.where, i.text, i.fmt] for i in snap.body], ensure_ascii=False
                ).encode("utf-8"),
                6,  # level 9 took twice the time for 2% less
            )
        ).decode("ascii"),
    }
    parts[CUSTOM_PART] = _custom_xml(parts.get(CUSTOM_PART, b""), record)
    return zip_parts(order, parts)


def _custom_xml(existing: bytes, record: dict[str, Any]) -> bytes:
    from planctl.render.docx import escape

    value = json.dumps(record, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    props = []
    pid = 2
    if existing.strip():
        root = _xml(existing, CUSTOM_PART)
        from lxml import etree

        for prop in root:
            if prop.get("name") == PROPERTY:
                continue
            prop.set("pid", str(pid))
            pid += 1
            props.append(etree.tostring(prop, encoding="unicode"))
    props.append(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{PROPERTY}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT}">' + "".join(props) + "</Properties>"
    ).encode("utf-8")


def read_record(z: zipfile.ZipFile) -> dict[str, Any] | None:
    data = _read(z, CUSTOM_PART)
    if data is None:
        return None
    root = _xml(data, CUSTOM_PART)
    for prop in root:
        if prop.get("name") == PROPERTY:
            text = "".join(prop.itertext())
            try:
                record = json.loads(text)
            except ValueError:
                return None
            return record if isinstance(record, dict) else None
    return None


def _recorded_items(record: dict[str, Any]) -> list[Item] | None:
    try:
        raw = base64.b64decode(record.get("content", ""), validate=True)
        d = zlib.decompressobj()
        text = d.decompress(raw, MAX_PART)
        if d.unconsumed_tail:
            return None
        return [Item(str(w), str(t), str(f)) for w, t, f in json.loads(text)]
    except (ValueError, TypeError, zlib.error):
        return None


# --------------------------------------------------------------------------- verify


@dataclass
class Change:
    """One difference between what planctl wrote and the document now."""

    where: str
    old: str | None
    new: str | None
    what: str = "text"  # text, format, added, deleted, part

    def describe(self, lang: str = "en") -> str:
        def q(s: str | None) -> str:
            from planctl.textsafe import clip, escape_terminal

            return "“" + escape_terminal(clip(s or "", 80)) + "”"

        if self.what == "part":
            return f"{self.where}: {self.new or self.old}"
        if self.what == "added":
            return f"{self.where}: {'新增' if lang == 'zh' else 'added'} {q(self.new)}"
        if self.what == "deleted":
            return f"{self.where}: {'删除' if lang == 'zh' else 'deleted'} {q(self.old)}"
        if self.what == "format":
            label = "格式改变" if lang == "zh" else "formatting changed"
            return f"{self.where}: {label} {q(self.new)} ({self.old_fmt} → {self.new_fmt})"
        return f"{self.where}: {q(self.old)} → {q(self.new)}"

    old_fmt: str = ""
    new_fmt: str = ""


def _place(item: Item, index: int, lang: str) -> str:
    if item.where == "p":
        return f"第 {index} 段" if lang == "zh" else f"paragraph {index}"
    t, r, c = item.where.split(".")
    return f"表 {t} 第 {r} 行第 {c} 列" if lang == "zh" else f"table {t} row {r} cell {c}"


def diff_items(old: list[Item], new: list[Item], lang: str = "en") -> list[Change]:
    """What changed between two item lists, as paragraph/cell edits with old and new text."""
    pnum_old = _numbers(old)
    pnum_new = _numbers(new)
    import difflib  # only for a suggestion: kept off the start-up path

    sm = difflib.SequenceMatcher(None, [i.key() for i in old], [i.key() for i in new], False)
    out: list[Change] = []
    for op, a0, a1, b0, b1 in sm.get_opcodes():
        if op == "equal":
            continue
        pairs = min(a1 - a0, b1 - b0) if op == "replace" else 0
        for k in range(pairs):
            a, b = old[a0 + k], new[b0 + k]
            where = _place(b, pnum_new[b0 + k], lang)
            if a.text == b.text:
                out.append(Change(where, a.text, b.text, "format", a.fmt or "-", b.fmt or "-"))
            else:
                out.append(Change(where, a.text, b.text))
        for k in range(a0 + pairs, a1):
            out.append(Change(_place(old[k], pnum_old[k], lang), old[k].text, None, "deleted"))
        for k in range(b0 + pairs, b1):
            out.append(Change(_place(new[k], pnum_new[k], lang), None, new[k].text, "added"))
    return out


def _numbers(items: list[Item]) -> list[int]:
    out, n = [], 0
    for i in items:
        if i.where == "p":
            n += 1
            out.append(n)
        else:
            out.append(0)
    return out


@dataclass
class Verification:
    """The answers of :func:`verify_docx`."""

    status: str  # draft / final / unknown
    document_id: str | None
    document_version: str | None
    recorded_version: str | None
    #: question 1: is the document still what planctl wrote?
    unchanged: bool
    changes: list[Change] = field(default_factory=list)
    #: question 2: is that what the plan says? None when it could not be checked
    plan_matches: bool | None = None
    plan_changes: list[Change] = field(default_factory=list)
    plan_note: str = ""
    plan_digest: str = ""
    recorded_plan_digest: str = ""

    @property
    def matches(self) -> bool:
        return self.unchanged and self.plan_matches is not False


def verify_docx(docx_path: str | Path, plan_path: str | Path, lang: str = "en") -> Verification:
    """Answer both questions for a rendered DOCX and the plan it should match.

    Raises :class:`IntegrityError` when the file is not a planctl DOCX or
    cannot be read, and ``ValueError`` when the plan cannot be loaded.
    """
    from planctl import __version__
    from planctl.loader import load_file
    from planctl.render.content import canonical_digest

    with open_package(docx_path) as z:
        record = read_record(z)
        if record is None:
            raise IntegrityError(
                "no planctl integrity record: not rendered by this planctl, or the record was "
                "removed (render it again)"
            )
        snap = snapshot(z)
        figure = None
        for name in snap.parts:
            # the flow charts are the only pictures planctl places (an office suite
            # that re-saves may rename them: LibreOffice stores the EMF as image1.wmf)
            if name.startswith("word/media/"):
                figure = _read(z, name)
    recorded = record["digests"] if isinstance(record.get("digests"), dict) else {}
    now = snap.digests()
    changes: list[Change] = []
    old_items = _recorded_items(record)
    if now["body"] != recorded.get("body"):
        if old_items is not None:
            changes += diff_items(old_items, snap.body, lang)
        if not changes:
            changes.append(Change("body", None, "body text or tables changed", "part"))
    labels = {
        "headers": ("页眉或页脚已改动", "header or footer changed"),
        "images": ("图片已替换、增加或删除", "image replaced, added or removed"),
        "parts": (
            "增加了宏、嵌入对象或外部关系等部件",
            "parts added: macro, embedded object or external relationship",
        ),
        "properties": (
            "文档属性（标题、编号、版本、类别等）已改动",
            "document properties changed (title, id, version, category)",
        ),
    }
    for key, (zh, en) in labels.items():
        if now[key] != recorded.get(key):
            detail = zh if lang == "zh" else en
            if key == "parts":
                detail += ": " + ", ".join(snap.risky[:5])
            if key == "properties":
                detail += f": {json.dumps(snap.core, ensure_ascii=False)}"
            changes.append(Change(key, None, detail, "part"))
    status = str(record["status"]) if record.get("status") in ("draft", "final") else "unknown"
    v = Verification(
        status=status,
        document_id=snap.core.get("identifier"),
        document_version=snap.core.get("version"),
        recorded_version=str(record.get("planctl")),
        unchanged=not changes,
        changes=changes,
        recorded_plan_digest=str(record.get("plan", "")),
    )
    doc = load_file(plan_path)
    if doc.data is None:
        from planctl.check import load_findings

        raise ValueError(f"{plan_path}: cannot be read: {load_findings(doc)[0].text(lang)}")
    from planctl.registry import resolve

    resolve(doc)  # render digests the plan with its registry entries merged in
    v.plan_digest = canonical_digest(doc.data)
    if record.get("planctl") != __version__ or record.get("reference") != _reference_digest():
        v.plan_note = (
            f"rendered by planctl {record.get('planctl')}, this is {__version__} (or another "
            "reference.docx): only the first question (is the document unchanged?) was checked; "
            f"the plan digest {'matches' if v.plan_digest == v.recorded_plan_digest else 'differs'}"
        )
        return v
    try:
        expected = rerender_items(doc, final=status == "final", figure=figure)
    except Exception as exc:
        v.plan_matches = False
        v.plan_note = f"the plan cannot be rendered: {type(exc).__name__}: {exc}"
        return v
    v.plan_changes = diff_items(expected, snap.body, lang)
    v.plan_matches = not v.plan_changes
    return v


def rerender_items(doc: Any, *, final: bool, figure: bytes | None) -> list[Item]:
    """Render the plan in memory (no --final refusal) and normalise it like a document."""
    from planctl.render.content import build
    from planctl.render.docx import render_docx_parts

    if figure is not None:  # the document has flow charts: draw them as render does
        from planctl.render.api import document_figures

        figure = document_figures(doc.data)
    content = build(doc.data, draft=not final, figure=figure)
    return snapshot(PartsPackage(*render_docx_parts(content))).body


# --------------------------------------------------------------------------- overwrite guard

SEAL_PLACEHOLDER = "planctl-seal:" + "0" * 64
_SEAL = re.compile(rb"planctl-seal:([0-9a-f]{64})")
MANIFEST = ".planctl-outputs.json"


def seal(data: bytes) -> bytes:
    """Replace the seal placeholder with the hash of the bytes around it."""
    marker = SEAL_PLACEHOLDER.encode("ascii")
    if data.count(marker) != 1:
        raise ValueError("exactly one seal placeholder expected")
    digest = hashlib.sha256(data).hexdigest()
    return data.replace(marker, f"planctl-seal:{digest}".encode("ascii"))


def seal_text(text: str) -> bytes:
    """Markdown with a closing seal comment: a reviewer's later edit breaks it."""
    return seal((text + f"<!-- {SEAL_PLACEHOLDER} -->\n").encode("utf-8"))


def is_sealed(data: bytes) -> bool:
    """True when the bytes still carry a seal that matches them exactly."""
    found = list(_SEAL.finditer(data))
    if len(found) != 1:
        return False
    m = found[0]
    blank = data[: m.start()] + SEAL_PLACEHOLDER.encode("ascii") + data[m.end() :]
    return hashlib.sha256(blank).hexdigest() == m.group(1).decode("ascii")


def _manifest(folder: Path) -> dict[str, str]:
    try:
        raw = (folder / MANIFEST).read_bytes()[: 4 * 1024 * 1024]
        data = json.loads(raw)
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def remember(path: Path, data: bytes) -> None:
    """List a written CSV/XLSX with its hash in the output folder's manifest."""
    remember_digest(path, hashlib.sha256(data).hexdigest())


def remember_digest(path: Path, digest: str) -> None:
    """List a written file by its SHA-256 (hex) in the output folder's manifest."""
    from planctl.write import atomic_write_bytes

    path = Path(path)
    files = _manifest(path.parent)
    files[path.name] = digest
    text = json.dumps(
        {"generator": "planctl", "files": dict(sorted(files.items()))}, indent=1, sort_keys=True
    )
    atomic_write_bytes(path.parent / MANIFEST, (text + "\n").encode("utf-8"))


def _read_capped(path: Path, cap: int) -> bytes | None:
    from planctl.write import open_regular

    try:
        with open_regular(path) as fh:
            data = fh.read(cap + 1)
    except OSError:
        return None
    return None if len(data) > cap else data


def produced_unchanged(path: str | Path) -> bool:
    """Did planctl write this file, and has nobody changed it since?

    Decided from content, never from names or markers a user could also
    write: a DOCX's recorded package digest, a Markdown/JSON seal, or the
    manifest hash. A symlink, a folder or an unreadable file is never ours.
    """
    path = Path(path)
    try:
        info = path.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if path.suffix.lower() == ".docx":
        try:
            with open_package(path) as z:
                record = read_record(z)
                return record is not None and record.get("package") == _package_digest(z)
        except (IntegrityError, OSError):
            return False
    data = _read_capped(path, MAX_DOCX_BYTES)
    if data is None:
        return False
    if path.suffix.lower() in (".md", ".json") and is_sealed(data):
        return True
    known = _manifest(path.parent).get(path.name)
    return known is not None and known == hashlib.sha256(data).hexdigest()


def may_replace(path: str | Path, force: bool) -> bool:
    """An absent file, a forced write, or a file planctl wrote and nobody touched."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return True
    if force:
        return not path.is_dir()
    return produced_unchanged(path)
