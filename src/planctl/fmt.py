"""``planctl fmt``: one layout for every plan, without losing a comment or a value.

Plans are edited by hand in several offices; a shared layout (keys in schema
order, two-space indentation, quotes only where YAML needs them) keeps diffs
about content. The formatter rewrites with ruamel.yaml's round-trip mode,
which keeps comments, flow or block style, folded text and number spellings.

ruamel reads YAML 1.2 while planctl's loader (PyYAML) reads YAML 1.1: ``yes``,
``on``, ``0755`` and ``22:30`` mean different things in the two. So:

* quotes are only removed from a string when *both* readings of the bare
  text are still that string;
* a bare scalar stays bare (ruamel keeps its spelling), so its 1.1 meaning
  cannot change;
* and whatever the result, it is loaded again with planctl's loader and must
  give exactly the data the original gave; otherwise the file is left alone
  and the user told why.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml as pyyaml

from planctl.loader import _LoadError, decode, load_text
from planctl.schema import schema_dir


class FormatError(Exception):
    """A file fmt will not rewrite; the message says why (and where)."""


@dataclass
class Formatted:
    path: Path
    original: str
    text: str
    #: the file is YAML but not a plan, and was left alone
    skipped: bool = False

    @property
    def changed(self) -> bool:
        return self.original != self.text


# -- key order from the schema ---------------------------------------------------


@lru_cache(maxsize=1)
def _schemas() -> dict[str, Any]:
    return {
        p.name: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(schema_dir().glob("*.schema.json"))
    }


def _resolve(node: Any, doc: str) -> tuple[Any, str]:
    """Follow ``$ref`` (and one-branch wrappers) to the schema that has the shape."""
    for _ in range(20):
        if not isinstance(node, dict):
            return node, doc
        ref = node.get("$ref")
        if isinstance(ref, str):
            target, _, pointer = ref.partition("#")
            doc = target or doc
            node = _schemas().get(doc, {})
            for part in [p for p in pointer.split("/") if p]:
                node = node.get(part, {}) if isinstance(node, dict) else {}
            continue
        return node, doc
    return node, doc


def _shapes(node: Any, doc: str) -> list[tuple[dict[str, Any], str]]:
    """Every object/array schema ``node`` may stand for (anyOf branches flattened)."""
    node, doc = _resolve(node, doc)
    if not isinstance(node, dict):
        return []
    out = [(node, doc)]
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in node.get(key, []):
            out += _shapes(branch, doc)
    return out


def _child(node: Any, doc: str, key: Any) -> tuple[Any, str] | None:
    for shape, d in _shapes(node, doc):
        if isinstance(key, int) and "items" in shape:
            return shape["items"], d
        if isinstance(key, str) and key in shape.get("properties", {}):
            return shape["properties"][key], d
    return None


def _order(node: Any, doc: str) -> list[str]:
    for shape, _ in _shapes(node, doc):
        if "properties" in shape:
            return list(shape["properties"])
    return []


def _reorder(data: Any, node: Any, doc: str) -> None:
    """Put mapping keys in schema order; keys the schema does not know keep their
    place after the known ones. Comments stay with the key they follow."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(data, CommentedMap):
        order = _order(node, doc) if node is not None else []
        if order:
            rank = {k: i for i, k in enumerate(order)}
            keys = list(data.keys())
            wanted = sorted(keys, key=lambda k: (rank.get(k, len(rank)), keys.index(k)))
            if wanted != keys:
                _move_keys(data, wanted)
        for k in data:
            sub = _child(node, doc, k) if node is not None else None
            _reorder(data[k], *(sub or (None, doc)))
    elif isinstance(data, CommentedSeq):
        for i, item in enumerate(data):
            sub = _child(node, doc, i) if node is not None else None
            _reorder(item, *(sub or (None, doc)))


def _move_keys(data: Any, wanted: list[Any]) -> None:
    """Reinsert keys in a new order. A comment after the last key's value (which
    ruamel files under that key) stays at the end of the mapping."""
    keys = list(data.keys())
    last_comment = data.ca.items.pop(keys[-1], None) if keys else None
    items = [(k, data[k]) for k in keys]
    comments = {k: data.ca.items.pop(k) for k in keys if k in data.ca.items}
    for k in keys:
        del data[k]
    for k in wanted:
        data[k] = dict(items)[k]
        if k in comments:
            data.ca.items[k] = comments[k]
    if last_comment is not None:
        new_last = wanted[-1]
        own = data.ca.items.get(new_last)
        if own is None:
            data.ca.items[new_last] = last_comment
        else:  # the old last key's trailing comment goes after the new last value
            _append_comment(own, last_comment)


def _append_comment(own: list[Any], extra: list[Any]) -> None:
    for i, token in enumerate(extra):
        if token is None:
            continue
        while len(own) <= i:
            own.append(None)
        if own[i] is None:
            own[i] = token
        elif hasattr(own[i], "value") and hasattr(token, "value"):
            own[i].value = own[i].value.rstrip("\n") + "\n" + token.value.lstrip("\n")


# -- quoting --------------------------------------------------------------------

_PY11 = pyyaml.resolver.Resolver()


def _plain_is_string(text: str) -> bool:
    """Would this text, written bare, be read as the same string by both YAML versions?"""
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver

    if not text or text != text.strip() or "\n" in text:
        return False
    if _PY11.resolve(pyyaml.ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str":
        return False
    r12 = VersionedResolver(version=(1, 2))
    if str(r12.resolve(ScalarNode, text, (True, False))) != "tag:yaml.org,2002:str":
        return False
    # characters that need quotes however the value resolves
    if re.search(r"^[-?:,\[\]{}#&*!|>'\"%@`]|: |\s#|:$", text):
        return False
    return True


def _requote(data: Any) -> Any:
    """Quoted strings that need no quotes become bare; the rest become double-quoted."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        SingleQuotedScalarString,
    )

    # ruamel's own __setitem__ keeps the old quote style of a value it replaces
    if isinstance(data, CommentedMap):
        for k in list(data.keys()):
            super(CommentedMap, data).__setitem__(k, _requote(data[k]))
        return data
    if isinstance(data, CommentedSeq):
        for i, v in enumerate(data):
            list.__setitem__(data, i, _requote(v))
        return data
    if isinstance(data, (SingleQuotedScalarString, DoubleQuotedScalarString)):
        text = str(data)
        if _plain_is_string(text):
            return text
        if isinstance(data, SingleQuotedScalarString) and '"' not in text and "\\" not in text:
            return DoubleQuotedScalarString(text)
    return data


# -- the formatter ----------------------------------------------------------------


def _align(rt: Any, data: Any) -> None:
    """Give bare strings the value planctl's loader read.

    A bare scalar broken over several lines is one line once written back, and
    planctl joins Chinese lines without the space YAML would put there; so the
    joined text must be the one planctl read, not the one ruamel read.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(rt, CommentedMap) and isinstance(data, dict):
        for k in rt:
            if k in data:
                if type(rt[k]) is str and isinstance(data[k], str) and rt[k] != data[k]:
                    rt[k] = data[k]
                else:
                    _align(rt[k], data[k])
    elif isinstance(rt, CommentedSeq) and isinstance(data, list):
        for i, (a, b) in enumerate(zip(rt, data, strict=False)):
            if type(a) is str and isinstance(b, str) and a != b:
                rt[i] = b
            else:
                _align(a, b)


class _Stamp(str):
    """A date or time kept as the text it was: planctl reads dates as strings, and
    ruamel would refuse an impossible date (which validate reports, not fmt)."""


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True  # before the constructor exists, or it is ignored
    y.constructor.add_constructor(
        "tag:yaml.org,2002:timestamp", lambda c, node: _Stamp(c.construct_scalar(node))
    )
    y.representer.add_representer(
        _Stamp, lambda r, data: r.represent_scalar("tag:yaml.org,2002:timestamp", str(data))
    )
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096  # never wrap: a wrapped flow mapping splits "key:" from its value
    y.allow_duplicate_keys = False
    return y


def format_text(text: str, path: str | Path = "<string>") -> str:
    """The formatted text, or FormatError when it cannot be formatted safely."""
    path = Path(path)
    # a file saved with Windows line endings keeps them: `fmt --check` must not fail every
    # line of an otherwise tidy plan, nor `fmt` rewrite them all (ruamel drops blank lines
    # between CRLF lines, so the layout is worked out on LF)
    crlf = text.count("\r\n") * 2 > text.count("\n")
    text = text.replace("\r\n", "\n")
    before = load_text(text, path)
    if before.error is not None:
        from planctl.check import load_findings

        [f] = load_findings(before)
        raise FormatError(f"{path}:{f.line}:{f.col}: {f.code} {f.text('en')} (fix it first)")
    if before.data is None:
        raise FormatError(f"{path}: empty file")
    y = _yaml()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = y.load(text)
    except Exception as exc:  # ruamel's errors have no common base worth naming
        raise FormatError(f"{path}: ruamel.yaml cannot read it: {exc}".splitlines()[0]) from None
    _align(data, before.data)
    plan = _schemas().get("plan.schema.json")
    _reorder(data, plan, "plan.schema.json")
    data = _requote(data)
    out = io.StringIO()
    try:
        y.dump(data, out)
    except Exception as exc:
        raise FormatError(f"{path}: cannot write it back: {exc}".splitlines()[0]) from None
    result = out.getvalue()
    result = "\n".join(line.rstrip() for line in result.splitlines()) + "\n"
    after = load_text(result, path)
    if after.error is not None or after.data != before.data:
        where = _first_difference(before.data, after.data)
        raise FormatError(
            f"{path}: formatting would change what planctl reads{where}; left as it is "
            "(quote the value to make its meaning explicit)"
        )
    return result.replace("\n", "\r\n") if crlf else result


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if type(a) is not type(b):
        return f" at {path or 'the top'} ({a!r} → {b!r})"
    if isinstance(a, dict):
        for k in a:
            if k not in b:
                return f" at {path}.{k}"
            d = _first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return ""
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return "" if len(a) == len(b) else f" at {path} (length)"
    return "" if a == b else f" at {path} ({a!r} → {b!r})"


def format_file(path: str | Path) -> Formatted:
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = decode(raw)
    except _LoadError:
        raise FormatError(f"{path}: not UTF-8 text; convert it first") from None
    from planctl.check import recognize

    doc = load_text(text, path)
    if doc.error is None and doc.data is not None and recognize(doc) is not None:
        # CI files, mkdocs.yml, planctl.yaml: not plans, so not laid out as plans
        return Formatted(path, text, text, skipped=True)
    return Formatted(path, text, format_text(text, path))
