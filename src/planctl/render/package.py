"""The DOCX package as parts: read the reference.docx, change what planctl must, zip it.

planctl writes the body itself (render/docx.py) and needs from a package only
this: its parts as bytes, relationships between them, content types, a few
header/footer/settings/core-property edits, and media. python-docx did that at
~40 ms of import and ~30 ms a document for objects planctl never used; this
module does it with lxml where a part is edited and with bytes elsewhere.

The bytes are the ones python-docx wrote, so output stayed byte-identical when
it was replaced (tests/test_render_paths.py keeps a copy of the old output's
digests): the parts python-docx modelled as XML (the main document, styles,
settings, numbering, comments, headers, footers, core properties) are parsed
with its parser options and serialised as it serialised them; other parts keep
their bytes; parts are written in its order (depth first along the
relationships, each part followed by its own .rels), relationships are
rewritten with targets relative to their source, and [Content_Types].xml lists
extension defaults for known media types and overrides sorted by part name.
Parts that no relationship reaches are dropped, as python-docx dropped them.

A reference is user input, so reading it holds to what OPC (ECMA-376 Part 2)
requires and a Word-made file always satisfies: part names are equal ignoring
ASCII case (one part, one zip member); [Content_Types].xml and the .rels members
are bookkeeping, never parts a relationship can name; a part planctl edits
carries its content type (a generic XML type is read as the relationship's own,
and the output says so in an Override); the walk is iterative, so a long chain
of parts cannot exhaust the stack.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import posixpath
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_OFFICE_DOCUMENT = _RT + "officeDocument"
RT_STYLES = _RT + "styles"
RT_SETTINGS = _RT + "settings"
RT_HEADER = _RT + "header"
RT_FOOTER = _RT + "footer"
RT_IMAGE = _RT + "image"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"

_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."
CT_DOCUMENT = _CT + "document.main+xml"
CT_HEADER = _CT + "header+xml"
CT_FOOTER = _CT + "footer+xml"
CT_SETTINGS = _CT + "settings+xml"
CT_STYLES = _CT + "styles+xml"
CT_NUMBERING = _CT + "numbering+xml"
CT_COMMENTS = _CT + "comments+xml"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CT_XML = "application/xml"

#: content types whose parts are parsed and serialised again (python-docx's XML parts)
XML_PARTS = frozenset(
    (
        CT_CORE,
        CT_COMMENTS,
        CT_DOCUMENT,
        CT_FOOTER,
        CT_HEADER,
        CT_NUMBERING,
        CT_SETTINGS,
        CT_STYLES,
    )
)
#: the content type a part must have to serve as the target of a relationship of a type,
#: for the parts planctl parses: (content type, what the part is, whether planctl edits it)
RELATED_CONTENT_TYPES = {
    RT_OFFICE_DOCUMENT: (CT_DOCUMENT, "main document", False),  # main_document() says why
    RT_STYLES: (CT_STYLES, "styles", True),
    RT_SETTINGS: (CT_SETTINGS, "settings", True),
    RT_HEADER: (CT_HEADER, "header", True),
    RT_FOOTER: (CT_FOOTER, "footer", True),
    RT_CORE: (CT_CORE, "core properties", True),
    _RT + "numbering": (CT_NUMBERING, "numbering", False),
    _RT + "comments": (CT_COMMENTS, "comments", False),
}
#: content types that say only "XML": a part with one of these (or none) takes its relationship's
GENERIC_XML = frozenset(("application/xml", "text/xml"))
#: (extension, content type) pairs listed as a Default rather than per part (OPC practice)
DEFAULT_CONTENT_TYPES = frozenset(
    (
        ("bin", "application/vnd.openxmlformats-officedocument.presentationml.printerSettings"),
        ("bin", "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"),
        ("bin", "application/vnd.openxmlformats-officedocument.wordprocessingml.printerSettings"),
        ("bmp", "image/bmp"),
        ("emf", "image/x-emf"),
        ("fntdata", "application/x-fontdata"),
        ("gif", "image/gif"),
        ("jpe", "image/jpeg"),
        ("jpeg", "image/jpeg"),
        ("jpg", "image/jpeg"),
        ("png", "image/png"),
        ("rels", CT_RELS),
        ("tif", "image/tiff"),
        ("tiff", "image/tiff"),
        ("wdp", "image/vnd.ms-photo"),
        ("wmf", "image/x-wmf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("xml", CT_XML),
    )
)

#: the namespaces a new header or footer part declares (Word's own set)
HDR_FTR_NAMESPACES = (
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:mo="http://schemas.microsoft.com/office/mac/office/2008/main" '
    'xmlns:mv="urn:schemas-microsoft-com:mac:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wne="http://schemas.microsoft.com/office/word/2006/wordml" '
    'xmlns:wp14="http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" '
    'xmlns:wpg="http://schemas.microsoft.com/office/word/2010/wordprocessingGroup" '
    'xmlns:wpi="http://schemas.microsoft.com/office/word/2010/wordprocessingInk" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
)
#: settings for a reference document that has none
DEFAULT_SETTINGS = (
    '<w:settings xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:sl="http://schemas.openxmlformats.org/schemaLibrary/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:w10="urn:schemas-microsoft-com:office:word" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" mc:Ignorable="w14">'
    '<w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>'
    "<w:savePreviewPicture/><w:compat><w:useFELayout/>"
    '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="14"/>'
    '<w:compatSetting w:name="overrideTableStyleFontSizeAndJustification" '
    'w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
    '<w:compatSetting w:name="enableOpenTypeFeatures" w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
    '<w:compatSetting w:name="doNotFlipMirrorIndents" w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
    '</w:compat><w:clrSchemeMapping w:bg1="light1" w:t1="dark1" w:bg2="light2" w:t2="dark2" '
    'w:accent1="accent1" w:accent2="accent2" w:accent3="accent3" w:accent4="accent4" '
    'w:accent5="accent5" w:accent6="accent6" w:hyperlink="hyperlink" '
    'w:followedHyperlink="followedHyperlink"/><w:doNotAutoCompressPictures/></w:settings>'
)
CORE_TEMPLATE = (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"/>'
)

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)


class PackageError(ValueError):
    """The reference DOCX cannot serve as a package to render into."""


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def part_key(name: str) -> str:
    """A part name as OPC compares it: ASCII letters case-insensitively, nothing else folded."""
    return name.lower() if name.isascii() else name.translate(_ASCII_LOWER)


def _is_bookkeeping(name: str) -> bool:
    """[Content_Types].xml or a relationships member: the package's own, never a part."""
    key = part_key(name)
    folder, base = posixpath.split(key)
    return key == "/[content_types].xml" or (
        posixpath.basename(folder) == "_rels" and base.endswith(".rels")
    )


def parse(data: bytes | str) -> Any:
    """An XML part or fragment, parsed as python-docx parsed it (blank text dropped, no entities)."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise PackageError(f"not well-formed XML: {exc}") from None


def serialize(element: Any) -> bytes:
    """An XML part's bytes: UTF-8 with a standalone declaration."""
    return bytes(etree.tostring(element, encoding="UTF-8", standalone=True))


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _attr(value: str) -> str:
    """An attribute value escaped as lxml escapes it."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


class Rel:
    __slots__ = ("external", "reltype", "rid", "target")

    def __init__(self, rid: str, reltype: str, target: str, external: bool) -> None:
        self.rid = rid
        self.reltype = reltype
        self.target = target  # a part name ("/word/styles.xml"), or the reference when external
        self.external = external


class Part:
    """One part: its bytes, or (for an XML part) its parsed element, and its relationships."""

    def __init__(
        self, name: str, content_type: str, blob: bytes = b"", element: Any = None
    ) -> None:
        self.name = name  # "/word/document.xml"
        self.content_type = content_type
        self._blob = blob
        self._element = element
        self.rels: dict[str, Rel] = {}

    @property
    def is_xml(self) -> bool:
        return self.content_type in XML_PARTS

    @property
    def element(self) -> Any:
        if self._element is None:
            try:
                self._element = parse(self._blob)
            except PackageError as exc:
                raise PackageError(f"{self.name}: {exc}") from None
        return self._element

    @element.setter
    def element(self, element: Any) -> None:
        self._element = element

    @property
    def blob(self) -> bytes:
        if self.is_xml:
            return serialize(self.element)
        return self._blob

    def next_rid(self) -> str:
        for n in range(1, len(self.rels) + 2):
            if f"rId{n}" not in self.rels:
                return f"rId{n}"
        raise AssertionError("unreachable")

    def relate(self, target: Part, reltype: str) -> str:
        """The id of a relationship to ``target`` of this type, added when there is none."""
        for rel in self.rels.values():
            if rel.reltype == reltype and not rel.external and rel.target == target.name:
                return rel.rid
        rid = self.next_rid()
        self.rels[rid] = Rel(rid, reltype, target.name, False)
        return rid

    def related(self, reltype: str) -> str | None:
        """The part name of this part's first relationship of a type."""
        for rel in self.rels.values():
            if rel.reltype == reltype and not rel.external:
                return rel.target
        return None


def _rels_name(partname: str) -> str:
    """The zip member holding a part's relationships ("/" is the package itself)."""
    folder, base = posixpath.split(partname)
    return f"{folder.strip('/')}/_rels/{base}.rels".lstrip("/")


def _idx(partname: str) -> int | None:
    m = re.match(r"([a-zA-Z]+)([1-9][0-9]*)?", posixpath.splitext(posixpath.basename(partname))[0])
    return int(m.group(2)) if m and m.group(2) else None


class Package:
    """An OPC package (a DOCX) held as parts, edited in memory and zipped once.

    ``parts`` maps each part's name to it; no two names are equal ignoring case
    (``find`` looks a name up as OPC compares names, ``add_part`` refuses a taken one).
    """

    def __init__(self) -> None:
        self.root = Part("/", "")  # holds the package relationships
        self.parts: dict[str, Part] = {}
        self._keys: dict[str, Part] = {}  # by part_key(name)
        self.images: list[Part] = []  # image parts, in the order a new one is numbered against
        self._image_sha1: dict[str, Part] = {}

    def find(self, name: str) -> Part | None:
        """The part of this name, compared as OPC compares part names (ignoring ASCII case)."""
        return self._keys.get(part_key(name))

    # --- reading -------------------------------------------------------------------------
    @classmethod
    def read(cls, source: Path | bytes) -> Package:
        """The parts reachable from the package relationships, depth first.

        Iterative, so a chain of thousands of parts is read like a short one; the
        number of parts is bounded by the number of zip members open_package allows.
        """
        from planctl.integrity import IntegrityError, open_package

        try:  # sizes checked before anything is inflated: a reference may be a zip bomb
            z = open_package(source)
        except IntegrityError as exc:
            raise PackageError(str(exc)) from None
        with z:
            members: dict[str, list[str]] = {}
            for info in z.infolist():
                members.setdefault(part_key(info.filename), []).append(info.filename)

            def member(name: str) -> tuple[str, bytes] | None:
                """(the zip member's own name, its bytes) for a member name matched ignoring case."""
                found = members.get(part_key(name))
                if not found:
                    return None
                if len(found) > 1:
                    what = (
                        "appears more than once"
                        if len(set(found)) < len(found)
                        else "has members differing only in case: " + ", ".join(sorted(found))
                    )
                    raise PackageError(
                        f"part {name} is ambiguous: the zip {what} "
                        "(压缩包中有名称仅大小写不同或重复的成员，请用 Word 另存后再用)"
                    )
                try:
                    return found[0], z.read(found[0])
                # a damaged deflate stream (zlib.error), an encrypted member (RuntimeError)
                # or an unknown compression method (NotImplementedError) is a damaged part too
                except (
                    zipfile.BadZipFile,
                    zlib.error,
                    OSError,
                    ValueError,
                    EOFError,
                    RuntimeError,
                    NotImplementedError,
                ) as exc:
                    raise PackageError(f"part {name} is damaged: {exc}") from None

            ct = member("[Content_Types].xml")
            if ct is None:
                raise PackageError("no [Content_Types].xml: not an Office package")
            defaults: dict[str, str] = {}
            overrides: dict[str, str] = {}
            for el in parse(ct[1]):
                if el.tag == f"{{{CT_NS}}}Default":
                    defaults[(el.get("Extension") or "").lower()] = el.get("ContentType") or ""
                elif el.tag == f"{{{CT_NS}}}Override":
                    overrides[part_key(el.get("PartName") or "")] = el.get("ContentType") or ""
            pkg = cls()

            def load_rels(source: Part) -> None:
                found = member(_rels_name(source.name))
                if found is None:
                    return
                base = posixpath.split(source.name)[0]
                for el in parse(found[1]):
                    if el.tag != f"{{{PKG_RELS_NS}}}Relationship":
                        continue
                    rid, reltype = el.get("Id") or "", el.get("Type") or ""
                    ref = el.get("Target") or ""
                    external = el.get("TargetMode") == "External"
                    target = ref if external else posixpath.normpath(posixpath.join(base, ref))
                    if not external and not target.startswith("/"):
                        target = "/" + target
                    if not external and _is_bookkeeping(target):
                        raise PackageError(
                            f"relationship {rid!r} of {source.name} names {target}, which is the "
                            "package's own bookkeeping, not a part "
                            "(关系指向了文档包的登记文件而不是部件，请用 Word 另存后再用)"
                        )
                    source.rels[rid] = Rel(rid, reltype, target, external)

            def typed(name: str, ctype: str | None, reltype: str) -> str | None:
                """The content type a part serves with as the target of a relationship type.

                A part planctl edits and [Content_Types].xml types only as XML (or not at
                all) is read as what its relationship says it is, so the output lists it
                with its own type; edits would otherwise be serialised nowhere.
                """
                spec = RELATED_CONTENT_TYPES.get(reltype)
                if spec is None or ctype == spec[0]:
                    return ctype
                if ctype is None or ctype in GENERIC_XML:
                    return spec[0]
                if spec[2]:
                    raise PackageError(
                        f"part {name} serves as {spec[1]} but its content type is {ctype}; "
                        "open the reference in Word and save it again "
                        "(参考文档部件的内容类型与其用途不符，请用 Word 另存后再用)"
                    )
                return ctype

            load_rels(pkg.root)
            stack = [iter(list(pkg.root.rels.values()))]
            while stack:
                rel = next(stack[-1], None)
                if rel is None:
                    stack.pop()
                    continue
                if rel.external:
                    continue
                part = pkg.find(rel.target)
                if part is not None:  # reached before: one part, whatever case names it
                    rel.target = part.name
                    part.content_type = typed(part.name, part.content_type, rel.reltype) or ""
                    continue
                found = member(rel.target[1:])
                if found is None:
                    raise PackageError(f"part {rel.target} is named in a relationship but missing")
                name = "/" + found[0]
                ctype = overrides.get(part_key(name)) or defaults.get(
                    posixpath.splitext(name)[1][1:].lower()
                )
                ctype = typed(name, ctype, rel.reltype)
                if ctype is None:
                    raise PackageError(f"no content type for part {name}")
                rel.target = name
                part = pkg.add_part(name, ctype, found[1])
                load_rels(part)
                stack.append(iter(list(part.rels.values())))
        for holder in (pkg.root, *pkg.parts.values()):
            for rel in holder.rels.values():
                if rel.reltype == RT_IMAGE and not rel.external:
                    image = pkg.parts[rel.target]
                    if image not in pkg.images:
                        pkg.images.append(image)
        return pkg

    def main_document(self) -> Part:
        name = self.root.related(RT_OFFICE_DOCUMENT)
        part = self.parts.get(name or "")
        if part is None:
            raise PackageError("no main document part: not a Word document")
        if part.content_type != CT_DOCUMENT:
            raise PackageError(
                f"not a Word document: the main part's content type is {part.content_type}"
            )
        return part

    # --- editing -------------------------------------------------------------------------
    def next_partname(self, template: str) -> str:
        """``template % n`` for the first n no part's name takes (ignoring case)."""
        for n in range(1, len(self.parts) + 2):
            if self.find(template % n) is None:
                return template % n
        raise AssertionError("unreachable")

    def free_partname(self, name: str) -> str:
        """``name`` if no part has it, else the name numbered ("/word/settings2.xml")."""
        if self.find(name) is None:
            return name
        stem, ext = posixpath.splitext(name)
        return self.next_partname(stem.replace("%", "%%") + "%d" + ext.replace("%", "%%"))

    def add_part(
        self, name: str, content_type: str, blob: bytes = b"", element: Any = None
    ) -> Part:
        """A new part. A name another part has (ignoring case) or that is the package's
        own bookkeeping is refused: the earlier part would be lost, or two zip members
        would share a name."""
        if self.find(name) is not None or _is_bookkeeping(name) or not name.startswith("/"):
            raise PackageError(f"part {name} cannot be added: the name is taken")
        part = Part(name, content_type, blob, element)
        self.parts[name] = part
        self._keys[part_key(name)] = part
        return part

    def add_media(self, source: Part, data: bytes, ext: str, content_type: str) -> str:
        """Relate an image (PNG, EMF, …) to ``source``; the same bytes twice are one part.

        Returns the relationship id to put in ``r:embed``. Parts are named
        /word/media/imageN.ext, N the first number no image part uses.
        """
        sha1 = hashlib.sha1(data).hexdigest()
        if not self._image_sha1 and self.images:
            self._image_sha1 = {hashlib.sha1(p.blob).hexdigest(): p for p in reversed(self.images)}
        part = self._image_sha1.get(sha1)
        if part is None:
            used = {_idx(p.name) for p in self.images}
            n = next(
                k
                for k in itertools.count(1)
                if k not in used and self.find(f"/word/media/image{k}.{ext}") is None
            )
            part = self.add_part(f"/word/media/image{n}.{ext}", content_type, data)
            self.images.append(part)
            self._image_sha1[sha1] = part
        return source.relate(part, RT_IMAGE)

    # --- writing -------------------------------------------------------------------------
    def _walk(self) -> list[Part]:
        """The parts relationships reach, depth first, each once (iterative: no depth limit)."""
        out: list[Part] = []
        seen: set[str] = set()
        stack = [iter(self.root.rels.values())]
        while stack:
            rel = next(stack[-1], None)
            if rel is None:
                stack.pop()
                continue
            if rel.external or rel.target in seen:
                continue
            seen.add(rel.target)
            part = self.parts[rel.target]
            out.append(part)
            stack.append(iter(part.rels.values()))
        return out

    @staticmethod
    def _rels_xml(source: Part) -> bytes:
        base = posixpath.split(source.name)[0]
        items = []
        for rel in source.rels.values():
            if rel.external:
                ref, mode = rel.target, ' TargetMode="External"'
            else:
                ref = rel.target[1:] if base == "/" else posixpath.relpath(rel.target, base)
                mode = ""
            items.append(
                f'<Relationship Id="{_attr(rel.rid)}" Type="{_attr(rel.reltype)}" '
                f'Target="{_attr(ref)}"{mode}/>'
            )
        return (
            "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            f'<Relationships xmlns="{PKG_RELS_NS}">{"".join(items)}</Relationships>'
        ).encode()

    @staticmethod
    def _content_types_xml(parts: list[Part]) -> bytes:
        defaults = {"rels": CT_RELS, "xml": CT_XML}
        overrides: dict[str, str] = {}
        for part in parts:
            ext = posixpath.splitext(part.name)[1][1:]
            if (ext.lower(), part.content_type) in DEFAULT_CONTENT_TYPES:
                defaults[ext.lower()] = part.content_type
            else:
                overrides[part.name] = part.content_type
        items = [
            f'<Default Extension="{_attr(ext)}" ContentType="{_attr(ct)}"/>'
            for ext, ct in sorted(defaults.items())
        ] + [
            f'<Override PartName="{_attr(name)}" ContentType="{_attr(ct)}"/>'
            for name, ct in sorted(overrides.items())
        ]
        return (
            "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            f'<Types xmlns="{CT_NS}">{"".join(items)}</Types>'
        ).encode()

    def to_parts(self) -> tuple[list[str], PackageParts]:
        """(zip member order, bytes by member), as ``zip_parts`` takes them."""
        parts = self._walk()
        order = ["[Content_Types].xml", "_rels/.rels"]
        out = PackageParts(
            {
                "[Content_Types].xml": self._content_types_xml(parts),
                "_rels/.rels": self._rels_xml(self.root),
            }
        )
        for part in parts:
            order.append(part.name[1:])
            out[part.name[1:]] = part.blob
            if part.rels:
                name = _rels_name(part.name)
                order.append(name)
                out[name] = self._rels_xml(part)
        if len({part_key(name) for name in order}) != len(order):  # add_part keeps this so
            raise PackageError("two zip members would share a name")
        return order, out


class PackageParts(dict[str, bytes]):
    """Bytes by zip member, plus the parsed tree of parts whose bytes were just serialised
    from it (``parsed``), so that reading them again (the integrity record) needs no parse."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.parsed: dict[str, Any] = {}


def unzip_parts(data: bytes) -> tuple[list[str], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        order = [i.filename for i in src.infolist()]
        return order, {name: src.read(name) for name in order}


def zip_parts(order: list[str], parts: dict[str, bytes]) -> bytes:
    """The package with fixed timestamps and settings, so equal input gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.create_system = 0
            dst.writestr(info, parts[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()
