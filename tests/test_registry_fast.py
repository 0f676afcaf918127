"""The compiled registry check (fastjsonschema) agrees with jsonschema, which words errors.

A warm, cached run that re-checks one changed plan loads its registries; with
jsonschema alone that was a fifth of the run (import and walk). Here every
registry in the tests, and hundreds of variants with one key dropped, one value
of the wrong type or one unknown key added, get the same yes/no from both.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planctl import registry
from planctl.loader import load_file
from tests.conftest import FIXTURES

REGISTRIES = sorted((FIXTURES / "repository" / "registries").glob("*.yaml"))


def _places(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*path, k)
            yield from _places(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield (*path, i)
            yield from _places(v, (*path, i))


def _variants(data: Any) -> Iterator[Any]:
    yield data
    for place in _places(data):
        *parent_path, last = place
        for change in ("drop", 12345, "", [], {"x": 1}, True, "2026-13-45", None):
            variant = copy.deepcopy(data)
            parent = variant
            for step in parent_path:
                parent = parent[step]
            if change == "drop":
                del parent[last]
            else:
                parent[last] = change
            yield variant
        variant = copy.deepcopy(data)
        target = variant
        for step in place:
            target = target[step]
        if isinstance(target, dict):
            target["unknown_key"] = 1
            yield variant


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_fast_registry_check_agrees_with_jsonschema(path: Path) -> None:
    data = load_file(path).data
    full = registry.registry_validator()
    answers = set()
    for variant in _variants(data):
        expected = not any(True for _ in full.iter_errors(variant))
        assert registry.is_valid_fast(variant) == expected, variant
        answers.add(expected)
    assert answers == {True, False}  # both answers were put to the test


def test_an_invalid_registry_still_gets_its_schema_findings() -> None:
    from planctl.loader import load_text

    text = (FIXTURES / "repository" / "registries" / "qingshui.yaml").read_text(encoding="utf-8")
    assert "    name: " in text
    doc = load_text(text.replace("    name: ", "    nmae: ", 1), "registries/x.yaml")
    assert not registry.is_valid_fast(doc.data)
    codes = {f.code for f in registry.check_registry_doc(doc)}
    assert any(c.startswith("SCH") for c in codes), codes
