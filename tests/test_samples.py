"""The sample plans are real-sized, validate clean, and catch the aniline failure."""

from __future__ import annotations

import copy

import pytest

from planctl.check import validate
from planctl.examples import render
from planctl.loader import load_file, load_text
from planctl.model import Plan

from .conftest import CLEAN, FIXTURES, TODAY, sample_plans

SAMPLES = sample_plans()


def test_three_sample_plans_exist() -> None:
    names = {p.stem for p in SAMPLES}
    assert {
        "zhuozhang-water-pollution",
        "xiang-gan-border-forest-fire",
        "g4-snow-ice-highway",
    } <= names


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_validates_clean(path) -> None:
    findings = validate(path, today=TODAY)
    assert findings == [], "\n".join(f"{f.line}: {f.code} {f.text('en')}" for f in findings)


@pytest.mark.parametrize("path", sorted(CLEAN.glob("*.yaml")), ids=lambda p: p.stem)
def test_clean_fixture_validates_clean(path) -> None:
    """A plan written independently in planctl's format (tests/fixtures/clean/) checks clean."""
    findings = validate(path, today=TODAY)
    assert findings == [], "\n".join(f"{f.line}: {f.code} {f.text('en')}" for f in findings)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_is_real_sized(path) -> None:
    plan = Plan(load_file(path).data)
    assert len(plan.parties) >= 6
    assert len(plan.rules) >= 10
    assert len(plan.duties) >= 25
    assert len(plan.resources) >= 15
    assert {d["phase"] for d in plan.duties} == {"prevention", "warning", "response", "recovery"}
    assert plan.mutual_aid.get("commitments") and plan.maintenance.get("drills")


def _zhuozhang():
    [path] = [p for p in SAMPLES if p.stem == "zhuozhang-water-pollution"]
    return load_file(path).data


def test_aniline_case_upstream_never_tells_downstream() -> None:
    """Changzhi 2012: drop every rule by which the upstream area's parties reach other areas."""
    data = copy.deepcopy(_zhuozhang())
    areas = data["geography"]["areas"]
    upstream = next(a for a in areas if not any(a["id"] in b.get("downstream", []) for b in areas))
    local = set(upstream["parties"])
    data["notifications"]["rules"] = [
        r for r in data["notifications"]["rules"] if r["from"] not in local or set(r["to"]) <= local
    ]
    findings = validate(load_text(render(data), "aniline.yaml"), today=TODAY)
    unreached = [f for f in findings if f.code == "NOT001"]
    assert unreached, [f.code for f in findings]
    assert all(upstream["name"] in f.text("zh") for f in unreached)


def test_aniline_fixture_fails_reachability_at_the_downstream_party() -> None:
    path = FIXTURES / "aniline" / "zhuozhang-upstream-silent.yaml"
    findings = validate(path, today=TODAY)
    codes = {f.code for f in findings}
    assert "NOT001" in codes
    lines = path.read_text("utf-8").splitlines()
    for f in findings:
        if f.code == "NOT001":
            assert "parties" in lines[f.line - 1] or "- " in lines[f.line - 1]


def test_five_day_delay_fails_the_deadline() -> None:
    """The actual 2013 timeline: about five days from discovery to the downstream provinces."""
    data = copy.deepcopy(_zhuozhang())
    for r in data["notifications"]["rules"]:
        r["within"] = "P5D"
        r.pop("written_within", None)
    findings = validate(load_text(render(data), "late.yaml"), today=TODAY)
    codes = {f.code for f in findings}
    # NOT003 stays quiet: 令17号 第三条 binds county/city 生态环境 departments reporting
    # upward, and the sample's senders are city governments and provincial departments
    assert "NOT002" in codes
