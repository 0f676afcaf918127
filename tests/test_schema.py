"""The JSON Schema: shipped, self-consistent, and the fast path agrees with jsonschema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from planctl import schema
from planctl.examples import example_text
from planctl.loader import load_file, load_text
from planctl.rules import registry

from .conftest import FIXTURES, sample_plans


def test_schemas_are_shipped_with_the_package() -> None:
    names = {p.name for p in schema.schema_dir().glob("*.schema.json")}
    assert {"plan.schema.json", "parties.schema.json", "notifications.schema.json"} <= names


@pytest.mark.parametrize(
    "path", sorted(schema.schema_dir().glob("*.schema.json")), ids=lambda p: p.name
)
def test_each_schema_is_valid_2020_12(path: Path) -> None:
    doc = json.loads(path.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(doc)
    assert doc["$schema"].endswith("2020-12/schema")


def test_bundled_schema_is_valid_and_self_contained() -> None:
    bundled = schema.bundled_schema()
    jsonschema.Draft202012Validator.check_schema(bundled)
    assert "common.schema.json" not in json.dumps(bundled)


def _documents():
    for p in sorted((FIXTURES / "broken").glob("*.yaml")):
        yield p.name, load_file(p)
    for p in sample_plans():
        yield p.name, load_file(p)
    for rule in registry:
        for which in ("fail", "passes"):
            text = example_text(rule, which)
            if text is not None:
                yield f"{rule.code}-{which}", load_text(text)


@pytest.mark.parametrize(
    ("name", "doc"), list(_documents()), ids=lambda x: x if isinstance(x, str) else ""
)
def test_fast_validator_agrees_with_jsonschema(name, doc) -> None:
    if doc.data is None:
        return
    full = not list(schema.validator().iter_errors(doc.data))
    assert schema.is_valid_fast(doc.data) == full, name


def test_required_points_at_the_mapping_and_unknown_key_at_the_key() -> None:
    from planctl.examples import base_text

    text = (
        base_text()
        .replace("  hazards: [water_pollution]\n", "")
        .replace("    within: PT6H\n", "    deadlin: PT6H\n")
    )
    doc = load_text(text)
    findings = {f.code: f for f in schema.check(doc)}
    lines = text.splitlines()
    assert lines[findings["SCH001"].line - 1] == "metadata:"
    assert lines[findings["SCH002"].line - 1].strip() == "deadlin: PT6H"
    assert "'deadlin'" in findings["SCH002"].text("en")


def test_wrong_lead_type_gives_one_readable_error() -> None:
    from planctl.examples import base_text

    text = base_text().replace(
        "    lead: jia\n    support: [yi]\n", "    lead: 3\n    support: [yi]\n"
    )
    findings = schema.check(load_text(text))
    assert len(findings) == 1
    assert findings[0].code in ("SCH003", "SCH004")


def _pattern_nodes(node, path=""):
    if isinstance(node, dict):
        if "pattern" in node:
            yield path, node
        for key, sub in node.items():
            yield from _pattern_nodes(sub, f"{path}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _pattern_nodes(sub, f"{path}/{i}")


def test_every_pattern_says_what_it_is_for() -> None:
    """Messages follow the ``x-planctl`` annotation, not the regex text: a pattern
    added without one (or with an unknown kind) fails here instead of getting the raw
    regex as its message."""
    seen = set()
    for path in sorted(schema.schema_dir().glob("*.schema.json")):
        doc = json.loads(path.read_text("utf-8"))
        for where, node in _pattern_nodes(doc):
            kind = schema.pattern_kind(node)
            assert kind in schema.PATTERN_KINDS, f"{path.name}{where}: x-planctl.kind {kind!r}"
            seen.add(kind)
    assert seen == set(schema.PATTERN_KINDS)


def test_the_wording_follows_the_annotation_not_the_regex() -> None:
    from planctl.schema import _describe

    for kind, words in (
        ("duration", "ISO 8601 duration"),
        ("date", "is not a date"),
        ("version", "is not a version"),
        ("id", "is not a valid id"),
        ("blank", "must not be blank"),
    ):
        node = {"type": "string", "pattern": "^zz$", "x-planctl": {"kind": kind}}
        [err] = jsonschema.Draft202012Validator(node).iter_errors("abc")
        assert words in _describe(err)[1], kind
    [err] = jsonschema.Draft202012Validator({"pattern": "^zz$"}).iter_errors("abc")
    assert "does not match ^zz$" in _describe(err)[1]  # no annotation: plain, never wrong


def test_a_version_written_with_other_digits_is_named_as_a_version() -> None:
    """metadata.supersedes.version uses its own regex (\\d+): it still reads as a version."""
    from planctl.examples import base_data, render

    data = base_data()
    data["metadata"]["supersedes"] = {"version": "v1"}
    doc = load_text(render(data), "plan.yaml")
    [f] = [f for f in schema.check(doc) if f.json_path[-1:] == ("version",)]
    assert "'v1' is not a version" in f.text("en") and "1.0" in f.hint_text("en")
