"""XPL003 told once per group of plans that could be active at once; XPL004 duplicate ids.

On a repository with 31 copies of one plan the pass printed 930 XPL003 lines (every
ordered pair). A group in which every two plans overlap is one problem: one finding in
its first plan, naming the others.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from planctl import crossplan, registry
from planctl.check import check_paths
from planctl.config import Config
from planctl.examples import base_data, render
from planctl.loader import load_text
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def base_facts() -> dict[str, Any]:
    doc = load_text(render(base_data()), "base.yaml")
    registry.resolve(doc)
    facts = crossplan.plan_facts(doc)
    assert facts["areas"] and facts["hazards"] and facts["id"]
    return facts


def _copies(base: dict[str, Any], n: int, same_id: bool = False) -> dict[str, dict[str, Any]]:
    out = {}
    for i in range(n):
        facts = copy.deepcopy(base)
        if not same_id:
            facts["id"] = f"{base['id']}-{i:02d}"
        out[f"plans/p{i:02d}.yaml"] = facts
    return out


def test_31_copies_are_one_finding_naming_the_others(base_facts: dict[str, Any]) -> None:
    found = crossplan.check_repository(_copies(base_facts, 31))
    assert [(f.code, f.file) for f in found] == [("XPL003", "plans/p00.yaml")]
    message = found[0].message
    assert "30" in message["en"] and "plans/p01.yaml:" in message["en"]
    listed = crossplan.LISTED
    assert f"and {30 - listed} more" in message["en"]
    assert f"等另 {30 - listed} 份" in message["zh"]
    assert f"plans/p{listed:02d}.yaml" in message["en"]  # the first LISTED others are named
    assert f"plans/p{listed + 1:02d}.yaml" not in message["en"]


def test_exact_copies_get_one_xpl003_and_an_xpl004_in_each(base_facts: dict[str, Any]) -> None:
    found = crossplan.check_repository(_copies(base_facts, 31, same_id=True))
    codes = [f.code for f in found]
    assert codes.count("XPL003") == 1
    assert codes.count("XPL004") == 31
    assert len({f.file for f in found if f.code == "XPL004"}) == 31
    first = next(f for f in found if f.code == "XPL004")
    assert first.severity == "error" and first.line == base_facts["at"][0]


def test_a_chain_is_two_groups_and_separate_groups_stay_apart(
    base_facts: dict[str, Any],
) -> None:
    a, b, c = (copy.deepcopy(base_facts) for _ in range(3))
    a["validity"] = ["2026-01-01", "2026-06-30"]
    b["validity"] = ["2026-06-01", "2027-06-30"]
    c["validity"] = ["2027-01-01", "2028-01-01"]  # overlaps b, not a
    for facts, name in ((a, "a"), (b, "b"), (c, "c")):
        facts["id"] = name
    found = crossplan.check_repository({"a.yaml": a, "b.yaml": b, "c.yaml": c})
    assert [(f.file, f.message["en"].count(".yaml:")) for f in found] == [
        ("a.yaml", 1),
        ("b.yaml", 1),
    ]
    assert "c.yaml:" not in found[0].message["en"] and "c.yaml:" in found[1].message["en"]

    other = copy.deepcopy(base_facts)
    other["areas"] = [["别的县", 30, 9]]
    groups = _copies(base_facts, 3)
    groups.update({f"z{i}.yaml": dict(copy.deepcopy(other), id=f"z{i}") for i in range(3)})
    found = crossplan.check_repository(groups)
    assert [f.file for f in found] == ["plans/p00.yaml", "z0.yaml"]


def test_groups_are_stable_whatever_the_order_of_the_facts(base_facts: dict[str, Any]) -> None:
    files = _copies(base_facts, 7)
    again = dict(reversed(list(files.items())))
    assert crossplan.check_repository(files) == crossplan.check_repository(again)


def _write_group(root: Path, n: int) -> list[Path]:
    (root / ".git").mkdir(parents=True)
    text = render(base_data())
    paths = []
    for i in range(n):
        path = root / f"p{i}.yaml"
        path.write_text(text.replace("id: example-two-county-river", f"id: ex-{i}", 1), "utf-8")
        paths.append(path)
    return paths


def _xpl003(root: Path) -> list[str]:
    report = check_paths([root], None, Config())
    return [Path(f.file).name for f in report.findings if f.code == "XPL003"]


def test_silencing_hands_the_finding_to_the_next_plan_of_the_group(tmp_path: Path) -> None:
    paths = _write_group(tmp_path, 3)
    assert _xpl003(tmp_path) == ["p0.yaml"]
    for i, path in enumerate(paths):
        text = path.read_text("utf-8")
        # the line XPL003 points at: the first shared area's name
        line = next(x for x in text.splitlines() if x.strip() == "name: 甲县")
        path.write_text(
            text.replace(line, line + "  # planctl: ignore XPL003 -- 旧预案年底废止", 1), "utf-8"
        )
        expected = [f"p{i + 1}.yaml"] if i < 2 else []
        assert _xpl003(tmp_path) == expected, i


def test_config_still_governs_the_grouped_finding(tmp_path: Path) -> None:
    _write_group(tmp_path, 3)
    assert _xpl003(tmp_path) == ["p0.yaml"]
    report = check_paths([tmp_path], None, Config(ignore=["XPL003"]))
    assert not [f for f in report.findings if f.code == "XPL003"]
    report = check_paths([tmp_path], None, Config(severity={"XPL003": "error"}))
    assert [f.severity for f in report.findings if f.code == "XPL003"] == ["error"]


@pytest.mark.parametrize(
    ("second", "clash"),
    [
        ({"version": "0.9", "status": "superseded"}, False),  # an older version kept
        ({"version": "1.0", "status": "superseded"}, True),  # the same version twice
        ({"version": "0.9", "status": "approved"}, True),  # two live plans, one id
        ({}, True),  # a plain copy
    ],
)
def test_duplicate_ids(base_facts: dict[str, Any], second: dict[str, Any], clash: bool) -> None:
    a = dict(copy.deepcopy(base_facts), version="1.0", status="approved")
    b = dict(copy.deepcopy(a), **second)
    b["areas"] = [["别的县", 30, 9]]  # no overlap: only the id is in question
    found = crossplan.check_repository({"a.yaml": a, "b.yaml": b})
    assert [(f.code, f.file) for f in found] == (
        [("XPL004", "a.yaml"), ("XPL004", "b.yaml")] if clash else []
    )


def test_xpl003_text_reports_each_group_once_end_to_end(tmp_path: Path) -> None:
    import subprocess
    import sys

    _write_group(tmp_path, 5)
    r = subprocess.run(
        [sys.executable, "-m", "planctl", "validate", ".", "--today", TODAY, "--no-cache"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert r.stdout.count("XPL003") == 1, r.stdout[-2000:]
    sarif = subprocess.run(
        [sys.executable, "-m", "planctl", "validate", ".", "--today", TODAY, "-f", "sarif"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    import json

    results = json.loads(sarif.stdout)["runs"][0]["results"]
    grouped = [x for x in results if x["ruleId"] == "XPL003"]
    assert len(grouped) == 1
    where = grouped[0]["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"].endswith("p0.yaml") and where["region"]["startLine"] > 1
    assert all(f"p{i}.yaml" in grouped[0]["message"]["text"] for i in range(1, 5))
