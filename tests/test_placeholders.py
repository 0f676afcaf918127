"""The 【待填：说明】 marker: accepted by the schema anywhere, unknown to rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from planctl.check import validate
from planctl.examples import base_data
from planctl.loader import load_text
from planctl.placeholders import has_placeholder, is_placeholder, without_placeholders
from planctl.render.api import placeholders
from tests.conftest import SAMPLES, TODAY

MARK = "【待填：按实际情况填写】"


def leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in leaves(v, (*path, k))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in leaves(v, (*path, i))]
    return [path]


def put(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def run(data: Any) -> list[Any]:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return validate(load_text(text, "plan.yaml"), today=TODAY)


def test_marker_recognised() -> None:
    assert is_placeholder("【待填：签发日期】")
    assert is_placeholder("【待填:签发日期】")
    assert not is_placeholder("签发日期【待填：x】")  # embedded in text: text, not a whole value
    assert not is_placeholder("【待定】")
    assert has_placeholder({"a": ["x", {"b": "见【待填：文号】"}]})
    assert not has_placeholder({"a": ["x", 1, None]})


def test_view_drops_marked_values_and_keeps_the_rest() -> None:
    data = {"a": 1, "b": MARK, "c": [1, MARK, {"d": MARK, "e": 2}]}
    assert without_placeholders(data) == {"a": 1, "c": [1, {"e": 2}]}
    clean = {"a": [1, {"b": 2}]}
    assert without_placeholders(clean) is clean


@pytest.mark.parametrize("name", ["base", "sample"])
def test_every_field_accepts_the_marker(name: str) -> None:
    """Any scalar, whatever its type (date, duration, number, enum, id, ref,
    boolean), may hold a marker: the schema accepts it and no rule crashes."""
    if name == "base":
        data = base_data()
    else:
        data = load_text((SAMPLES / "g4-snow-ice-highway.yaml").read_text("utf-8")).data
    paths = leaves(data)
    if name == "sample":
        paths = paths[::20]  # the base covers every field kind; keep the sample affordable
    assert len(paths) > 60
    for path in paths:
        if path == ("planctl",):
            continue  # the format version is not a plan value
        findings = run(put(data, path, MARK))
        bad = [
            (f.code, f.text("en")) for f in findings if f.code.startswith(("SCH", "INT", "YAML"))
        ]
        assert not bad, (path, bad)


def test_marker_is_not_a_broken_value() -> None:
    """A marker in a reference or a date is unknown, not an unresolved reference."""
    data = base_data()
    data = put(data, ("duties", 0, "support", 0), MARK)
    data = put(data, ("parties", 0, "contacts", 0, "verified_on"), MARK)
    data = put(data, ("resources", 0, "quantity"), MARK)
    codes = {f.code for f in run(data) if f.severity != "info"}
    assert codes == set()


def test_wrong_value_is_still_explained_by_its_type() -> None:
    data = put(base_data(), ("metadata", "issued"), "2026-13-45")
    data = put(data, ("duties", 0, "within"), "6小时")
    data = put(data, ("parties", 0, "level"), "县级")
    msgs = " ".join(f.text("en") for f in run(data) if f.code.startswith("SCH"))
    assert "not a valid date" in msgs or "not a date" in msgs
    assert "ISO 8601" in msgs
    assert "not one of the allowed values" in msgs
    assert "待填" not in msgs


def test_final_render_sees_the_marker() -> None:
    data = put(base_data(), ("metadata", "issued"), "【待填：印发日期】")
    assert [p for p, _ in placeholders(data)] == [("metadata", "issued")]
