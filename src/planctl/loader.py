"""YAML loading with a source map.

PyYAML's ``safe_load`` throws away two things planctl cannot live without:
where each value came from (so a finding can say ``file:line:col``) and
duplicate keys (it silently keeps the last one, which in a plan means a
notification rule or a duty vanishes without a word). So we *compose* the
document into nodes with the C parser where available and build plain Python
data ourselves, recording a mark for every node and refusing duplicates.

Scalars keep YAML 1.1 core types (int, float, bool, null), but timestamps stay
strings: JSON Schema checks dates as ``format: date`` strings, and a plan
author who writes ``2024-01-05`` meant a date, not a datetime object.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

try:  # the C composer is several times faster; fall back quietly if absent
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Base = yaml.SafeLoader

_ScalarNode = yaml.ScalarNode
_DEFAULT_TAGS = {
    yaml.ScalarNode: yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG,
    yaml.SequenceNode: yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
    yaml.MappingNode: yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
}
#: the tag of each plain scalar text met so far (bounded: cleared when full)
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 100_000


class _Loader(_Base):
    """The safe loader, resolving implicit tags from a memo instead of by regexes.

    The C composer asks the Python resolver for the tag of every node: a quarter
    of composing a plan went to trying the YAML 1.1 regexes on the same few
    thousand plain texts (keys, ids, levels) again and again. The safe resolver's
    answer depends only on the text of a plain scalar (planctl adds no path
    resolvers), so it is remembered per text; the answers are the safe resolver's
    own (a test compares every node's tag).
    """

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is _ScalarNode and implicit[0]:
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_PLAIN_TAGS) >= _PLAIN_TAGS_MAX:
                    _PLAIN_TAGS.clear()
                _PLAIN_TAGS[value] = tag
            return tag
        if self.yaml_path_resolvers:  # pragma: no cover - planctl adds none
            return cast(str, super().resolve(kind, value, implicit))
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        # path resolvers only (planctl adds none): called for every node
        if self.yaml_path_resolvers:  # pragma: no cover
            super().descend_resolver(current_node, current_index)

    def ascend_resolver(self) -> None:
        if self.yaml_path_resolvers:  # pragma: no cover
            super().ascend_resolver()


PathT = tuple[str | int, ...]


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with the C parser, for planctl's own data files (profiles, calendars,
    vocabularies, house style); the pure-Python parser took ~0.1 s of every start.

    They are read at every start, ~10 of them, and parsing them still took ~8 ms of
    a one-plan run: what a text parses to is kept in the user's cache folder (with
    the compiled schemas, ``PLANCTL_CACHE_DIR``), keyed by the text's hash, and read
    back with ``marshal``. A missing, damaged or unwritable entry means parsing, as
    before; a value marshal cannot keep is simply not cached.
    """
    import marshal

    from planctl.fastschema import cache_dir

    folder = cache_dir()
    if folder is None:
        return yaml.load(text, Loader=_Loader)
    digest = hashlib.sha256(f"{_DATA_FORMAT}\0{sys.version}\0{text}".encode()).hexdigest()
    path = folder / f"data-{digest[:32]}.marshal"
    try:
        entry = marshal.loads(path.read_bytes())
        # (dated, data): anything else is an entry of another layout, parsed again
        if type(entry) is tuple and len(entry) == 2 and type(entry[0]) is bool:
            return _undate(entry[1]) if entry[0] else entry[1]
    except Exception:  # absent, truncated, from another build: parse below
        pass
    data = yaml.load(text, Loader=_Loader)
    try:
        blob = marshal.dumps((False, data))
    except ValueError:  # dates (holidays, effective dates): kept as tagged tuples
        try:
            blob = marshal.dumps((True, _date_tuples(data)))
        except ValueError:  # another type marshal does not keep: not cached
            return data
    from planctl.write import write_cache_bytes

    write_cache_bytes(path, blob)
    return data


#: bump when what safe_load makes of a text changes (the resolver, the types it builds)
_DATA_FORMAT = "2"


def map_leaves(value: Any, fn: Callable[[Any], Any]) -> Any:
    """A copy of YAML data with ``fn`` applied to every value that is not a mapping or a list."""
    if isinstance(value, dict):
        return {k: map_leaves(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [map_leaves(v, fn) for v in value]
    return fn(value)


def _date_tuples(value: Any) -> Any:
    """Dates as ``("\\0date", iso)`` tuples (YAML data holds no tuples of its own)."""
    import datetime

    def tag(leaf: Any) -> Any:
        if isinstance(leaf, datetime.datetime):
            return ("\0datetime", leaf.isoformat())
        if isinstance(leaf, datetime.date):
            return ("\0date", leaf.isoformat())
        return leaf

    return map_leaves(value, tag)


def _undate(value: Any) -> Any:
    import datetime

    def untag(leaf: Any) -> Any:
        if not isinstance(leaf, tuple):
            return leaf
        kind, text = leaf
        if kind == "\0datetime":
            return datetime.datetime.fromisoformat(text)
        return datetime.date.fromisoformat(text)

    return map_leaves(value, untag)


#: Refuse documents whose alias expansion would create more nodes than this.
#: A real plan has a few thousand nodes; a "billion laughs" file has 10^9.
MAX_NODES = 1_000_000
#: Deeper nesting than this is not a plan, and would exhaust the stack.
MAX_DEPTH = 200
#: Larger files are refused before parsing (a 500-party plan is < 2 MB).
MAX_BYTES = 20 * 1024 * 1024

_CONTROL_PROBLEM = (
    "control character U+{code} is not allowed in YAML (only tab and line breaks); "
    "delete it (不允许的控制字符)"
)
#: integers longer than this stay text: no plan counts that high, and Python refuses
#: to print ints past 4300 digits (a 5,000-digit quantity was an internal error)
MAX_INT_DIGITS = 18

_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_CJK_FOLD = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")

_STR_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"}
_SAFE_SCALAR_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    *_STR_TAGS,
}


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column, as editors and linters show them."""

    line: int
    col: int

    @classmethod
    def of(cls, mark: yaml.Mark) -> Mark:
        return cls(mark.line + 1, mark.column + 1)


_NO_STYLE = object()


class NodeIndex:
    """Path -> composed node of one document, found in the node tree when asked.

    Recording every node under its path while building (two dict entries and a
    path tuple per node, ~3,000 per plan) cost more than building the data; a
    finding needs a handful of positions. The tree answers exactly what that
    record held: mapping keys as text, list items by index, an alias's target
    under every path that reaches it. ``keys`` selects the key node of a
    mapping entry instead of its value.
    """

    def __init__(self, root: yaml.Node | None = None, keys: bool = False) -> None:
        self.root = root
        self.keys = keys
        #: id(mapping node) -> {key text: (key node, value node)}, built on first visit
        self._entries: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def _entry(self, node: yaml.Node, part: object) -> tuple[yaml.Node | None, yaml.Node] | None:
        if isinstance(node, yaml.MappingNode):
            if not isinstance(part, str):
                return None
            pairs = node.value
            if len(pairs) <= 16:  # most mappings: a look along the keys beats an index
                for k, v in pairs:
                    if isinstance(k, yaml.ScalarNode) and str(k.value) == part:
                        return k, v
                return None
            entries = self._entries.get(id(node))
            if entries is None:
                entries = self._entries[id(node)] = {
                    str(k.value): (k, v) for k, v in pairs if isinstance(k, yaml.ScalarNode)
                }
            return entries.get(part)
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                return None, node.value[part]
        return None

    def get(self, path: PathT, default: yaml.Node | None = None) -> yaml.Node | None:
        node = self.root
        if node is None or (self.keys and not path):
            return default
        key: yaml.Node | None = None
        for part in path:
            entry = self._entry(node, part)
            if entry is None:
                return default
            key, node = entry
        if self.keys:
            return key if key is not None else default
        return node

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and self.get(path) is not None

    def __getitem__(self, path: PathT) -> yaml.Node:
        node = self.get(path)
        if node is None:
            raise KeyError(path)
        return node


@dataclass
class SourceMap:
    """Where each node of a loaded document sits in its file.

    It keeps the composed nodes themselves and turns their marks into 1-based
    line/column only when asked: a plan has tens of thousands of nodes and a
    finding needs a handful of positions.
    """

    nodes: NodeIndex = field(default_factory=NodeIndex)
    key_nodes: NodeIndex = field(default_factory=lambda: NodeIndex(keys=True))

    @classmethod
    def of(cls, root: yaml.Node) -> SourceMap:
        return cls(NodeIndex(root), NodeIndex(root, keys=True))

    def value(self, path: PathT) -> Mark:
        """The mark of the value at ``path``, or of its nearest known ancestor."""
        p = tuple(path)
        while p:
            node = self.nodes.get(p)
            if node is not None:
                return Mark.of(node.start_mark)
            p = p[:-1]
        root = self.nodes.get(())
        return Mark.of(root.start_mark) if root is not None else Mark(1, 1)

    def key(self, path: PathT) -> Mark:
        """The mark of the key naming ``path``; falls back to the value."""
        p = tuple(path)
        node = self.key_nodes.get(p)
        if node is not None:
            return Mark.of(node.start_mark)
        return self.value(p)

    def end(self, path: PathT) -> Mark | None:
        node = self.nodes.get(tuple(path))
        return Mark.of(node.end_mark) if node is not None else None

    def scalar_style(self, path: PathT) -> object:
        """The scalar's quoting style (None = plain), or ``_NO_STYLE`` if not a scalar."""
        node = self.nodes.get(tuple(path))
        if isinstance(node, yaml.ScalarNode):
            return node.style
        return _NO_STYLE


@dataclass(frozen=True)
class LoadError:
    """Why a file could not be loaded: a YAML-layer rule code, where, and the message's values.

    Plain data, so the loader does not depend on the rules: the engine
    (:func:`planctl.check.load_findings`) turns it into a located finding.
    """

    code: str
    line: int
    col: int
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Document:
    """One loaded YAML file: its data, where things are, and its text.

    ``error`` is set (and ``data`` is None) when the file could not be loaded.
    """

    path: Path
    data: Any
    source: SourceMap
    lines: list[str]
    error: LoadError | None = None
    #: plan entries taken from a shared registry: ("parties", 2) -> registry, id, stock
    #: (filled by planctl.registry.resolve, which merges the entries into ``data``)
    origins: dict[PathT, dict[str, Any]] = field(default_factory=dict)
    resolved: bool = False
    #: what resolving found (REG findings), returned again by a later resolve()
    resolve_findings: list[Any] = field(default_factory=list)


class _LoadError(Exception):
    def __init__(self, code: str, line: int, col: int, **params: Any) -> None:
        super().__init__(code)
        self.code, self.line, self.col, self.params = code, line, col, params

    def plain(self) -> LoadError:
        return LoadError(self.code, self.line, self.col, self.params)


def decode(raw: bytes) -> str:
    """Decode plan bytes as UTF-8 (with or without BOM) or raise ``_LoadError``.

    Chinese offices often save as GBK/GB18030; we say so instead of printing
    mojibake, because "convert to UTF-8" is the fix the user needs to hear.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _LoadError("YAML003", 1, 1, encoding="UTF-16")
    head = raw[:8192]
    if head.count(b"\x00") * 8 > len(head) or b"\x00" in raw[:2]:
        # UTF-16 without BOM, an image, a zip: not a stray NUL in a text file
        order = _utf16_without_bom(head)
        if order is not None:
            zh = "小端" if order == "LE" else "大端"
            raise _LoadError(
                "YAML003",
                1,
                1,
                encoding={
                    "zh": f"无 BOM 的 UTF-16（{zh}）；请另存为 UTF-8",
                    "en": f"UTF-16 {order} without BOM; save as UTF-8",
                },
            )
        raise _LoadError("YAML003", 1, 1, encoding="binary")
    nul = raw.find(b"\x00")
    if nul >= 0:  # a stray NUL in a text file: say where it is
        line = raw[:nul].count(b"\n") + 1
        col = len(raw[raw.rfind(b"\n", 0, nul) + 1 : nul].decode("utf-8", "replace")) + 1
        raise _LoadError("YAML001", line, col, problem=_CONTROL_PROBLEM.format(code="0000"))
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        guess: str | dict[str, str] = "binary"
        text = raw.decode("utf-8", "replace")
        damaged = text.count("\ufffd")
        if damaged <= 3 and sum(ord(c) > 127 and c != "\ufffd" for c in text) > 10 * damaged:
            # UTF-8 Chinese with a byte or two broken (a bad paste): not GBK, not binary
            guess = {
                "zh": "UTF-8，只有此处的字节损坏",
                "en": "UTF-8 with damaged bytes at this position",
            }
        else:
            try:
                raw.decode("gb18030")
                guess = "GBK/GB18030"
            except UnicodeDecodeError:
                pass
        raise _LoadError("YAML003", line, col, encoding=guess) from None


#: characters a plan's text is made of: ASCII and CJK (ideographs, punctuation, full-width
#: forms, general punctuation such as — and “”)
_TEXTLIKE = re.compile(
    "[\t\n\r\x20-\x7e\u2000-\u206f\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
)


def _utf16_without_bom(head: bytes) -> str | None:
    """The byte order ("LE" or "BE") when ``head`` reads as UTF-16 text saved without a BOM.

    Notepad's "Unicode" and some export tools write UTF-16 without a BOM. Its ASCII
    characters (keys, indentation, digits) carry a NUL in every other byte, odd
    positions for little-endian, even for big-endian; CJK characters seldom do. An
    image or an archive has its NULs anywhere, and decodes to code points mostly outside
    ASCII and CJK. Both tests must hold: ASCII read with the wrong byte order lands in
    the CJK block too (``p`` becomes U+7000), so the NULs pick the order.
    """
    n = len(head) - len(head) % 2
    even, odd = head[0:n:2].count(0), head[1:n:2].count(0)
    if n < 8 or (even + odd) * 16 < n:
        return None
    if odd * 10 >= (even + odd) * 9:
        codec, order = "utf-16-le", "LE"
    elif even * 10 >= (even + odd) * 9:
        codec, order = "utf-16-be", "BE"
    else:
        return None
    text = head[:n].decode(codec, "replace")
    if len(_TEXTLIKE.findall(text)) * 10 < len(text) * 9:
        return None
    return order


_TOO_MANY_ALIAS = {
    "limit": MAX_NODES,
    "cause_zh": "，由别名层层展开造成（疑似别名炸弹）",
    "cause_en": " through aliases (an alias bomb?)",
}
_TOO_MANY_PLAIN = {
    "limit": MAX_NODES,
    "cause_zh": "；请拆分文件",
    "cause_en": "; split the file",
}


class _Builder:
    """Turns composed nodes into data + source map, with limits."""

    def __init__(self) -> None:
        self.count = 0
        #: the collections being built (a node met again inside itself is a self-alias)
        self.open: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _LoadError(
                "YAML005", node.start_mark.line + 1, node.start_mark.column + 1, **_TOO_MANY_PLAIN
            )
        if depth > MAX_DEPTH:
            raise _LoadError(
                "YAML006", node.start_mark.line + 1, node.start_mark.column + 1, depth=MAX_DEPTH
            )
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            key = id(node)
            if key in self.open:
                raise _LoadError(
                    "YAML001", node.start_mark.line + 1, node.start_mark.column + 1, **_SELF_ALIAS
                )
            self.open.add(key)
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node, depth)
                if node.tag != "tag:yaml.org,2002:seq":
                    raise self._bad_tag(node)
                return [self.build(item, depth + 1) for item in node.value]
            finally:
                self.open.discard(key)
        return self._scalar(cast(yaml.ScalarNode, node))

    def _bad_tag(self, node: yaml.Node) -> _LoadError:
        return _LoadError(
            "YAML004", node.start_mark.line + 1, node.start_mark.column + 1, tag=node.tag
        )

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if (
            node.tag == "tag:yaml.org,2002:str"
            and node.style != "|"
            and (node.end_mark.line > node.start_mark.line)
        ):
            # YAML folds a line break into a space; between Chinese characters that
            # space is an artefact of the editor's line length, not of the text
            return _CJK_FOLD.sub("", node.value)
        if node.tag not in _SAFE_SCALAR_TAGS:
            raise self._bad_tag(node)
        if node.tag in _STR_TAGS:
            return node.value
        if (
            node.tag == "tag:yaml.org,2002:int"
            and sum(c.isdigit() for c in node.value) > MAX_INT_DIGITS
        ):
            return node.value  # the schema then says the number is too long, at its line
        # the safe constructor's own function for the tag (construct_object adds only
        # bookkeeping for collections and recursion, which a scalar does not need)
        value = _SCALAR_CONSTRUCTORS[node.tag](self.constructor, node)
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return (
                node.value
            )  # .inf / .nan are no quantity; the schema then says "expected a number"
        return value

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            raise self._bad_tag(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _LoadError(
                    "YAML004",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                    tag="<< (merge key)",
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise _LoadError(
                    "YAML001",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                    problem="complex mapping keys are not allowed",
                )
            # Keys are always text: `1:` and `"1":` must not become two keys.
            key = str(key_node.value)
            if key in out:
                first = next(k for k, _ in node.value if str(k.value) == key)
                raise _LoadError(
                    "YAML002",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                    key=key,
                    first=first.start_mark.line + 1,
                )
            out[key] = self.build(value_node, depth + 1)
        return out


_SCALAR_CONSTRUCTORS = {
    tag: yaml.constructor.SafeConstructor.yaml_constructors[tag]
    for tag in _SAFE_SCALAR_TAGS - _STR_TAGS
}

_SELF_ALIAS = {
    "problem": "an alias refers to the node that contains it (a self-referencing "
    "alias); write the content out (别名引用了包含它自身的节点)"
}
#: an anchor (``&name``); the text may hold false positives ("R&D"), never misses one
_ANCHOR = re.compile(r"&[^\s,\[\]{}]")


def _may_explode(text: str) -> bool:
    """Whether aliases could multiply the document (an alias bomb needs two anchors or more).

    With at most one anchor, every alias adds one copy of that node: the expanded
    size grows linearly, and the builder's own node limit stops an oversized file in
    bounded time (a self-referencing alias is caught while building). Plans written
    by ``yaml.dump`` carry one anchor; they skip the walk over every node.
    """
    return "*" in text and len(_ANCHOR.findall(text, 0, len(text))) >= 2


def _check_size(root: yaml.Node) -> None:
    """Refuse alias bombs before building anything.

    The expanded size of every node is computed once per *distinct* node, so a
    billion-laughs file costs a few hundred steps here instead of a billion.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise _LoadError(
                "YAML001", node.start_mark.line + 1, node.start_mark.column + 1, **_SELF_ALIAS
            )
        open_nodes.add(key)
        if depth > MAX_DEPTH:
            raise _LoadError(
                "YAML006", node.start_mark.line + 1, node.start_mark.column + 1, depth=MAX_DEPTH
            )
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
        if total > MAX_NODES:
            raise _LoadError(
                "YAML005", node.start_mark.line + 1, node.start_mark.column + 1, **_TOO_MANY_ALIAS
            )
        sizes[key] = total
        open_nodes.discard(key)
        return total

    size(root, 0)


def _yaml_error_mark(exc: yaml.YAMLError) -> tuple[int, int, str]:
    """Where to point for a parser error, and what to say.

    An unclosed quote or bracket is reported by PyYAML at the end of the file;
    the place the user needs is where it was opened (the context mark).
    """
    problem = getattr(exc, "problem", None) or str(exc)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    if context_mark is not None and "end of stream" in str(problem):
        mark = context_mark
    context = getattr(exc, "context", None)
    text = f"{context}, {problem}" if context else str(problem)
    if mark is None:
        return 1, 1, text
    return mark.line + 1, mark.column + 1, text


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


_FULL_WIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?)[^\s#:：'\"][^#:：]*?(：)")


def _full_width_colon(lines: list[str], line: int, col: int, problem: str) -> tuple[int, int, str]:
    """Point at a full-width colon used as a key separator instead of the line after it.

    ``名称：值`` is one plain scalar to YAML; the parser only stumbles on the
    next line. The colon the user typed is the place to fix.
    """
    for n in range(min(line, len(lines)), max(0, line - 3), -1):
        m = _FULL_WIDTH_KEY.match(lines[n - 1])
        if m and ": " not in lines[n - 1] and not lines[n - 1].rstrip().endswith(":"):
            return (
                n,
                m.start(2) + 1,
                "full-width colon '：' used after a key; YAML needs ': ' "
                "(键后应使用半角冒号加空格 “: ”)",
            )
    return line, col, problem


def _tab(lines: list[str], line: int, col: int, problem: str) -> tuple[int, int, str]:
    """Name the tab the parser stumbled on: "cannot start any token" does not say it.

    Editors set to indent with tabs produce these; YAML indents with spaces only.
    """
    if 1 <= line <= len(lines) and lines[line - 1][col - 1 : col] == "\t":
        return (
            line,
            col,
            "a tab character where YAML expects spaces; indent with spaces only "
            "(YAML 只能用空格缩进，不能用制表符 Tab)",
        )
    return line, col, problem


def _too_deep_at(text: str, stop: int | None = None) -> tuple[int, int] | None:
    """Line and column of the first value nested deeper than :data:`MAX_DEPTH`.

    libyaml stops at its own limit (1,000 levels) and a recursion error has no place
    at all; the user needs the place where the nesting passed planctl's limit, the
    one the builder reports for a file under libyaml's limit. Read from the parser's
    events (no nodes are composed), counting depth as the builder does: a value
    inside n open collections is at depth n; mapping keys are not counted.

    libyaml's scanner reads a flow collection's brackets ahead of its events and hits
    its limit before the first event past ours; the text cut where it stopped
    (``stop``, its error's index) ends the look-ahead there, and the events up to the
    cut are all read.
    """
    found = _first_too_deep(_Loader(text))
    if found is None and stop is not None and 0 < stop < len(text):
        found = _first_too_deep(_Loader(text[:stop]))
    return found


def _first_too_deep(loader: Any) -> tuple[int, int] | None:
    # per open collection: [is a mapping, events seen directly inside it]
    open_: list[list[Any]] = []
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionEndEvent):
                open_.pop()
                continue
            if not isinstance(event, (yaml.NodeEvent, yaml.CollectionStartEvent)):
                continue
            parent = open_[-1] if open_ else None
            is_key = parent is not None and parent[0] and parent[1] % 2 == 0
            if parent is not None:
                parent[1] += 1
            mark = event.start_mark
            if not is_key and len(open_) > MAX_DEPTH and mark is not None:
                return mark.line + 1, mark.column + 1
            if isinstance(event, yaml.CollectionStartEvent):
                open_.append([isinstance(event, yaml.MappingStartEvent), 0])
    except (yaml.YAMLError, RecursionError):
        pass
    finally:
        loader.dispose()
    return None


def load_text(text: str, path: Path | str = "<string>") -> Document:
    """Load a plan from text. Never raises on bad input: problems become findings."""
    path = Path(path)
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        if root is None:
            raise _LoadError("YAML007", 1, 1)
        if _may_explode(text):  # only aliases of several anchors can multiply the nodes
            _check_size(root)
        builder = _Builder()
        data = builder.build(root, 0)
    except _LoadError as err:
        return Document(path, None, SourceMap(), lines, err.plain())
    except yaml.composer.ComposerError as exc:
        line, col, problem = _yaml_error_mark(exc)
        code = "YAML008" if "single document" in str(exc) else "YAML001"
        failure = _LoadError(code, line, col, problem=problem)
        return Document(path, None, SourceMap(), lines, failure.plain())
    except yaml.reader.ReaderError as exc:
        line, col = _position(text, exc.position)
        code = f"{exc.character:04X}" if isinstance(exc.character, int) else "?"
        failure = _LoadError("YAML001", line, col, problem=_CONTROL_PROBLEM.format(code=code))
        return Document(path, None, SourceMap(), lines, failure.plain())
    except yaml.YAMLError as exc:
        line, col, problem = _yaml_error_mark(exc)
        line, col, problem = _full_width_colon(lines, line, col, problem)
        line, col, problem = _tab(lines, line, col, problem)
        if "maximum nesting depth" in problem:  # libyaml's own depth limit (1000 levels)
            stop = getattr(getattr(exc, "problem_mark", None), "index", None)
            line, col = _too_deep_at(text, stop) or (line, col)
            failure = _LoadError("YAML006", line, col, depth=MAX_DEPTH)
        else:
            failure = _LoadError("YAML001", line, col, problem=problem)
        return Document(path, None, SourceMap(), lines, failure.plain())
    except RecursionError:
        line, col = _too_deep_at(text) or (1, 1)
        failure = _LoadError("YAML006", line, col, depth=MAX_DEPTH)
        return Document(path, None, SourceMap(), lines, failure.plain())
    return Document(path, data, SourceMap.of(root), lines)


def load_file(path: Path | str, *, follow_links: bool = True) -> Document:
    """Load a plan file. Unreadable files raise ``OSError`` (that is a usage problem).

    A link is followed only when ``follow_links`` (a link the user named, or one
    discovery accepted); the file itself is opened without following a link,
    so a file swapped for a link after discovery is refused, not read.
    """
    path = Path(path)
    target = path.resolve() if follow_links and path.is_symlink() else path
    return load_bytes(read_plan_bytes(target, MAX_BYTES), path)


def load_bytes(raw: bytes | None, path: Path) -> Document:
    """A plan from bytes read by :func:`read_plan_bytes` (None: the file was too large).

    The result cache hashes exactly the bytes that are then checked.
    """
    if raw is None:
        size = path.stat().st_size
        err = _LoadError("YAML009", 1, 1, size=size, limit=MAX_BYTES)
        return Document(path, None, SourceMap(), [], err.plain())
    try:
        text = decode(raw)
    except _LoadError as err:
        return Document(path, None, SourceMap(), [], err.plain())
    return load_text(text, path)


def read_plan_bytes(path: Path | str, limit: int) -> bytes | None:
    """A regular file's bytes, or None when it is larger than ``limit``.

    The size is checked on the opened descriptor before reading, so neither
    an oversized file nor /dev/zero is read; a FIFO or device is refused
    (OSError) instead of blocking forever.
    """
    from planctl.write import open_regular

    with open_regular(path) as fh:
        import os

        if os.fstat(fh.fileno()).st_size > limit:
            return None
        data = fh.read(limit + 1)
    return None if len(data) > limit else data


#: public name for callers that decode other YAML files (configuration)
LoadProblem = _LoadError
