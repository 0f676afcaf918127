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


# -- XPL003: each overlapping pair in exactly one group -------------------------------


def _pairs(groups: list[tuple[str, list[str], bool]]) -> list[tuple[str, str]]:
    """Every pair the findings tell: each plan with the others it names, and the others
    with each other when they overlap mutually."""
    out = []
    for anchor, others, mutual in groups:
        out += [tuple(sorted((anchor, g))) for g in others]
        if mutual:
            out += [(a, b) for i, a in enumerate(others) for b in others[i + 1 :]]
    return sorted(out)


def _graph(edges: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    concurrent: dict[str, dict[str, Any]] = {}
    for a, b in edges:
        concurrent.setdefault(a, {})[b] = (["water_pollution"], ["甲县"])
        concurrent.setdefault(b, {})[a] = (["water_pollution"], ["甲县"])
    return concurrent


def _abcd(base: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A, B, C overlap each other; D overlaps A and B but not C (their validity is apart)."""
    windows = {
        "a": ["2026-01-01", "2028-12-31"],
        "b": ["2026-01-01", "2028-12-31"],
        "c": ["2026-01-01", "2026-12-31"],
        "d": ["2027-06-01", "2028-06-30"],
    }
    out = {}
    for name, window in windows.items():
        facts = copy.deepcopy(base)
        facts["id"], facts["validity"] = name, window
        out[f"{name}.yaml"] = facts
    return out


def test_a_pair_is_never_told_in_two_groups(base_facts: dict[str, Any]) -> None:
    # the greedy cover told ABC and then ABD: A with B twice; cutting the pairs into groups
    # in which every two overlap told ABC, AD, BD (three findings)
    found = crossplan.check_repository(_abcd(base_facts))
    groups = []
    for f in found:
        assert f.code == "XPL003"
        named = [f"{n}" for n in "abcd" if f" {n}.yaml:" in f" {f.message['en']}"]
        groups.append((Path(f.file).stem, named, "every two of them" in f.message["en"]))
    assert groups == [("a", ["b", "c", "d"], False), ("b", ["c", "d"], False)]
    assert _pairs(groups) == [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d")]


def test_groups_partition_the_overlapping_pairs_of_any_graph() -> None:
    import random

    rng = random.Random(7)
    for trial in range(300):
        n = rng.randint(3, 9)
        names = [f"p{i}" for i in range(n)]
        edges = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :] if rng.random() < 0.6]
        concurrent = _graph(edges)
        groups = crossplan._overlap_groups(concurrent)
        assert _pairs(groups) == sorted(edges), trial  # every pair once, no other pair
        assert len({anchor for anchor, _, _ in groups}) == len(groups)  # one per plan at most


# -- XPL002: one finding per set of plans over a stock ----------------------------------


def _commit(facts: dict[str, Any], quantity: float, line: int = 95) -> dict[str, Any]:
    facts = copy.deepcopy(facts)
    facts["commitments"] = [
        {
            "key": "registries/shared.yaml#R-carbon",
            "registry": "registries/shared.yaml:34",
            "id": "R-carbon",
            "name": "粉末活性炭",
            "unit": "吨",
            "stock": 50,
            "quantity": quantity,
            "at": [line, 15],
        }
    ]
    return facts


def _xpl002(files: dict[str, dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """Each XPL002 as (its plan, the plans it names)."""
    out = []
    for f in crossplan.check_repository(files):
        if f.code == "XPL002":
            named = sorted(g for g in files if f" {g}:" in f.message["en"])
            out.append((f.file, named))
    return out


def test_31_plans_over_one_stock_are_one_finding(base_facts: dict[str, Any]) -> None:
    files = {name: _commit(facts, 30) for name, facts in _copies(base_facts, 31).items()}
    found = [f for f in crossplan.check_repository(files) if f.code == "XPL002"]
    assert [(f.file, f.line, f.col) for f in found] == [("plans/p00.yaml", 95, 15)]
    en, zh = found[0].message["en"], found[0].message["zh"]
    assert "930 吨 in total by 31 plans" in en and "30 吨 here" in en
    assert "plans/p01.yaml:95 30 吨" in en and "plans/p01.yaml:95 30吨" in zh
    assert f"and {30 - crossplan.LISTED} more" in en and "31 份" in zh


def test_each_largest_set_over_the_stock_is_told_once(base_facts: dict[str, Any]) -> None:
    # A, B, C overlap each other, D overlaps A and B: ABC and ABD could each be active
    files = {n: _commit(f, 20) for n, f in _abcd(base_facts).items()}
    assert _xpl002(files) == [
        ("a.yaml", ["b.yaml", "c.yaml"]),
        ("a.yaml", ["b.yaml", "d.yaml"]),
    ]
    # within the stock together: nothing; one set over it: that one only
    assert _xpl002({n: _commit(f, 16) for n, f in files.items()}) == []
    files["c.yaml"] = _commit(files["c.yaml"], 40)
    files = {n: (_commit(f, 16) if n != "c.yaml" else f) for n, f in files.items()}
    assert _xpl002(files) == [("a.yaml", ["b.yaml", "c.yaml"])]


def test_a_chain_is_two_sets_not_a_sum_over_plans_never_active_together(
    base_facts: dict[str, Any],
) -> None:
    a, b, c = (_commit(base_facts, 30) for _ in range(3))
    a["validity"] = ["2026-01-01", "2026-06-30"]
    b["validity"] = ["2026-06-01", "2027-06-30"]
    c["validity"] = ["2027-01-01", "2028-01-01"]  # overlaps b, not a
    for facts, name in ((a, "a"), (b, "b"), (c, "c")):
        facts["id"] = name
    files = {"a.yaml": a, "b.yaml": b, "c.yaml": c}
    assert _xpl002(files) == [("a.yaml", ["b.yaml"]), ("b.yaml", ["c.yaml"])]
    found = [f for f in crossplan.check_repository(files) if f.code == "XPL002"]
    assert all("60 吨 in total by 2 plans" in f.message["en"] for f in found)  # never 90


def test_superseded_and_lone_plans_are_left_to_other_rules(base_facts: dict[str, Any]) -> None:
    files = {name: _commit(facts, 30) for name, facts in _copies(base_facts, 3).items()}
    for facts in list(files.values())[1:]:
        facts["status"] = "superseded"
    assert _xpl002(files) == []  # one live plan over nothing: REG005 speaks for one plan


def test_a_tangled_repository_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # 3^15 largest sets: 45 plans in 15 triples, every plan overlapping all but its own triple
    names = [f"p{i:02d}" for i in range(45)]
    edges = [
        (a, b) for i, a in enumerate(names) for b in names[i + 1 :] if i // 3 != int(b[1:]) // 3
    ]
    amounts = dict.fromkeys(names, 10.0)
    groups = crossplan._committing_groups(_graph(edges), amounts, 50)
    # past the budget every plan is told with its neighbours: one set per plan at most
    assert 0 < len(groups) <= len(names)
    assert all(sum(amounts[g] for g in group) > 50 for group in groups)
    # the same answer as the exact search where the search fits in the budget
    monkeypatch.setattr(crossplan, "CLIQUE_BUDGET", 1)
    small = _graph([("a", "b"), ("b", "c"), ("a", "c")])
    assert crossplan._committing_groups(small, dict.fromkeys("abc", 20.0), 50) == [["a", "b", "c"]]


def test_silencing_hands_the_stock_finding_to_the_next_plan(tmp_path: Path) -> None:
    from planctl.examples import repo_files
    from planctl.rules import registry as rules

    files = repo_files(rules.get("XPL002"), "fail")
    assert files is not None
    (tmp_path / ".git").mkdir()
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")

    def told() -> list[str]:
        report = check_paths([tmp_path], None, Config())
        return [Path(f.file).name for f in report.findings if f.code == "XPL002"]

    assert told() == ["qingshui-chem.yaml"]
    for name, expected in (("qingshui-chem.yaml", ["qingshui.yaml"]), ("qingshui.yaml", [])):
        path = tmp_path / "plans" / name
        text = path.read_text("utf-8")
        path.write_text(
            text.replace(
                "quantity: 30\n", "quantity: 30  # planctl: ignore XPL002 -- 已核增储备\n"
            ),
            encoding="utf-8",
        )
        assert told() == expected, name


def test_a_silenced_plan_hands_each_pair_to_the_other_side(base_facts: dict[str, Any]) -> None:
    files = _abcd(base_facts)
    found = crossplan.check_repository(files, silenced=lambda f: f.file == "a.yaml")
    told = [(f.file, [n for n in "abcd" if f" {n}.yaml:" in f" {f.message['en']}"]) for f in found]
    # b tells a, c, d; a with c and a with d, no longer told in a, are told in c and d
    assert told == [("b.yaml", ["a", "c", "d"]), ("c.yaml", ["a"]), ("d.yaml", ["a"])]


# -- a finding on a shared registry entry, told once per run ---------------------------


def test_a_stale_registry_line_is_told_once_not_in_every_plan(tmp_path: Path) -> None:
    from datetime import date

    from planctl.check import iter_checked
    from planctl.examples import apply_patch
    from planctl.rules import Options
    from planctl.rules.crossplan import _REGISTRY, _USES

    (tmp_path / ".git").mkdir()
    (tmp_path / "registries").mkdir()
    (tmp_path / "plans").mkdir()
    (tmp_path / "registries" / "shared.yaml").write_text(_REGISTRY, encoding="utf-8")
    for i in range(3):
        patch = _USES + f"metadata.id: plan-{i}\ngeography.areas.0.name: 甲县{i}\n"
        text = render(apply_patch(base_data(), patch))
        (tmp_path / "plans" / f"p{i}.yaml").write_text(text, encoding="utf-8")
    # the registry's duty line was verified on 2026-10-08: stale two years on
    options = Options(today=date(2028, 11, 28))

    def stale(results: Any) -> list[tuple[str, str]]:
        return [
            (Path(r.path).name, f.message["en"])
            for r in results
            for f in r.findings
            if f.code == "CON002" and "registry entry 'jia'" in f.message["en"]
        ]

    collected = stale(check_paths([tmp_path], options, Config()).files)
    assert [name for name, _ in collected] == ["p0.yaml"]
    assert collected[0][1].endswith("(not repeated for other plans that use the entry)")
    assert stale(iter_checked([tmp_path], options, Config())) == collected  # streamed alike
    # one plan checked alone still says it
    alone = stale(check_paths([tmp_path / "plans" / "p2.yaml"], options, Config()).files)
    assert [name for name, _ in alone] == ["p2.yaml"]
