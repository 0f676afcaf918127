"""The editor schema speaks both languages and helps while typing.

Generic over whatever properties the schema files hold, so a property added
later without a Chinese and an English description fails here.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT

SCHEMAS = ROOT / "schemas"
# the plan's sections and the configuration schema (planctl.yaml): both feed editors
DOCS = {
    p.name: json.loads(p.read_text(encoding="utf-8"))
    for p in [*SCHEMAS.glob("*.json"), SCHEMAS / "config" / "config.schema.json"]
}
CJK = re.compile(r"[\u4e00-\u9fff]")
# two English words in a row: enum ids and units inside Chinese text (PT30M, mg/L) are not English
ENGLISH = re.compile(r"[A-Za-z]{2,}[,;:]?\s+[A-Za-z]{2,}")


def _resolve(ref: str, current: str) -> tuple[dict[str, Any], str]:
    name, _, fragment = ref.partition("#")
    name = name or current
    node: Any = DOCS[name]
    for part in [p for p in fragment.split("/") if p]:
        node = node[part]
    return node, name


def _description(node: dict[str, Any], name: str, depth: int = 0) -> str:
    """The property's own description, else the one its $ref leads to."""
    own = node.get("description") or ""
    if own or depth > 8 or "$ref" not in node:
        return own
    target, where = _resolve(node["$ref"], name)
    return _description(target, where, depth + 1)


def _properties(node: Any, name: str, path: str = ""):
    if isinstance(node, dict):
        for key, sub in (node.get("properties") or {}).items():
            yield path + "/properties/" + key, sub
        for key, sub in node.items():
            if key not in ("if", "not"):  # conditions name properties, they do not define them
                yield from _properties(sub, name, f"{path}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _properties(sub, name, f"{path}/{i}")


PROPERTIES = [
    (name, path, sub) for name, doc in DOCS.items() for path, sub in _properties(doc, name)
]


def test_the_schema_has_properties_to_check() -> None:
    assert len(PROPERTIES) > 200


@pytest.mark.parametrize("name,path,node", PROPERTIES, ids=[f"{n}{p}" for n, p, _ in PROPERTIES])
def test_every_property_has_a_chinese_and_an_english_description(
    name: str, path: str, node: dict[str, Any]
) -> None:
    text = _description(node, name)
    assert CJK.search(text), f"{name}{path}: no Chinese description ({text!r})"
    assert ENGLISH.search(text), f"{name}{path}: no English description ({text!r})"


def _patterns(node: Any, path: str = ""):
    if isinstance(node, dict):
        if "pattern" in node:
            yield path, node
        for key, sub in node.items():
            yield from _patterns(sub, f"{path}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _patterns(sub, f"{path}/{i}")


def test_patterns_explain_themselves_with_the_validate_examples() -> None:
    """yaml-language-server shows patternErrorMessage instead of the raw regex."""
    checked = 0
    for name, doc in DOCS.items():
        for path, node in _patterns(doc):
            if node["pattern"] == "\\S" or path.startswith("/$defs/placeholder"):
                continue  # blank text has its own message; a fill-in marker is never mistyped
            message = node.get("patternErrorMessage", "")
            assert CJK.search(message) and ENGLISH.search(message), f"{name}{path}"
            checked += 1
    assert checked >= 5
    common = json.dumps(DOCS["common.schema.json"], ensure_ascii=False)
    # the same examples `planctl validate` gives (schema.py)
    assert "PT30M (30 min), PT2H (2 h), P1D (1 day)" in common
    assert "2024-01-05" in common and "hb-eco, N-01" in common


def _fill(value: Any) -> Any:
    """A snippet body as a user gets it after pressing Tab through the defaults."""
    if isinstance(value, dict):
        return {k: _fill(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v) for v in value]
    if isinstance(value, str):
        value = re.sub(r"\$\{\d+\|([^,|]*)[^}]*\|\}", r"\1", value)
        return re.sub(r"\$\{\d+:([^}]*)\}", r"\1", value)
    return value


SNIPPETS = {
    "parties": ("parties.schema.json", ("$defs", "party")),
    "duties": ("duties.schema.json", ("items",)),
    "notifications.rules": ("notifications.schema.json", ("$defs", "rule")),
    "resources": ("resources.schema.json", ("$defs", "resource")),
}


@pytest.mark.parametrize("where", sorted(SNIPPETS))
def test_default_snippets_fill_in_to_schema_valid_blocks(where: str) -> None:
    from planctl.examples import base_data, render
    from planctl.loader import load_text
    from planctl.schema import check

    name, path = SNIPPETS[where]
    node: Any = DOCS[name]
    for part in path:
        node = node[part]
    [snippet] = node["defaultSnippets"]
    assert CJK.search(snippet["label"]) and CJK.search(snippet["description"])
    assert ENGLISH.search(snippet["description"])
    body = json.loads(json.dumps(_fill(snippet["body"])).replace("party-id", "jia"))
    data = copy.deepcopy(base_data())
    target = data
    for part in where.split("."):
        target = target[part]
    target.append(body)
    doc = load_text(render(data), "snippet.yaml")
    problems = [f for f in check(doc) if f.code.startswith("SCH")]
    assert problems == [], [f.text("en") for f in problems]


def test_bundled_editor_schema_keeps_the_help() -> None:
    from planctl.schema import bundled_schema

    text = json.dumps(bundled_schema(), ensure_ascii=False)
    assert text.count("defaultSnippets") >= 4 and "patternErrorMessage" in text
    assert Path(SCHEMAS).is_dir()
