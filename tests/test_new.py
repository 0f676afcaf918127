"""`planctl new`: a scaffold per hazard that validates with only its markers,
and is clean once every marker is filled in as it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planctl import cli
from planctl.check import validate
from planctl.loader import load_text
from planctl.placeholders import MARK
from planctl.scaffold import KINDS, ScaffoldError, fill_examples, parse_party, scaffold
from tests.conftest import TODAY

runner = CliRunner()

PARTIES = {
    "water-pollution": ["cz:长治市人民政府", "hd:邯郸市人民政府", "ay:安阳市人民政府"],
    "forest-fire": ["yl:炎陵县人民政府", "jgs:井冈山市人民政府"],
    "snow-ice": ["hb:湖北省交通运输厅", "hn:湖南省交通运输厅", "gd:广东省交通运输厅"],
    "earthquake": ["sc:四川省人民政府", "cq:重庆市人民政府", "gz:贵州省人民政府"],
    "infectious-disease": ["hn-hc:河南省卫生健康委员会", "sd-hc:山东省卫生健康委员会"],
    "hazardous-chemicals": [
        "lg:连云港市人民政府",
        "rz:日照市人民政府:lead",
        "rz-eco:日照市生态环境局",
    ],
}


def check(text: str) -> list:
    return validate(load_text(text, "new.yaml"), today=TODAY)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_scaffold_has_only_marker_findings_and_fills_in_clean(kind: str) -> None:
    text = scaffold(kind, [parse_party(s) for s in PARTIES[kind]])
    markers = MARK.findall(text)
    assert len(markers) >= 15, "a scaffold asks for dates, phones, quantities, thresholds"
    # every marker says what a filled-in value looks like
    assert all("；例：" in m for m in markers), [m for m in markers if "；例：" not in m]
    findings = check(text)
    assert {f.code for f in findings} == {"TXT002"}, [
        (f.line, f.code, f.text("en")) for f in findings if f.code != "TXT002"
    ]
    from planctl.fmt import format_text

    assert format_text(text) == text  # already laid out as planctl fmt would
    filled = fill_examples(text)
    assert not MARK.search(filled)
    leftover = check(filled)
    assert leftover == [], [(f.line, f.code, f.text("en")) for f in leftover]


def test_scaffold_follows_the_river_order_and_roles() -> None:
    text = scaffold(
        "water-pollution",
        [parse_party(s) for s in ["a:甲县人民政府", "b:乙县人民政府", "c:丙县人民政府:downstream"]],
    )
    data = load_text(fill_examples(text)).data
    areas = {a["id"]: a.get("downstream") for a in data["geography"]["areas"]}
    assert areas == {"area-a": ["area-b"], "area-b": ["area-c"], "area-c": None}
    roles = {p["id"]: p["roles"] for p in data["parties"]}
    assert roles["a"][0] == "upstream" and roles["b"][0] == "downstream"
    assert roles["c"] == ["downstream"]  # given on the command line: kept as it is
    assert data["parties"][0]["level"] == "county"
    assert data["parties"][0]["signatory"]["title"] == "县长"
    assert data["metadata"]["hazards"] == ["water_pollution"]


def test_names_with_yaml_syntax_stay_text() -> None:
    hostile = ['a:甲县"人民政府', "b:- 乙 #县", "c:yes"]
    text = scaffold("forest-fire", [parse_party(s) for s in hostile])
    data = load_text(text).data
    assert [p["name"] for p in data["parties"]] == ['甲县"人民政府', "- 乙 #县", "yes"]
    assert {f.code for f in check(text)} <= {"TXT002"}


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["a:甲县人民政府"], "at least two parties"),
        (["a:甲县人民政府", "a:乙县人民政府"], "given twice"),
        (["1a:甲县人民政府", "b:乙县人民政府"], "must start with a letter"),
        (["a:甲县人民政府:boss", "b:乙县人民政府"], "unknown role"),
        (["a", "b:乙县人民政府"], "ID:名称"),
    ],
)
def test_bad_parties_are_explained(specs: list[str], message: str) -> None:
    with pytest.raises(ScaffoldError, match=message):
        scaffold("earthquake", [parse_party(s) for s in specs])


def test_unknown_hazard_kind() -> None:
    with pytest.raises(ScaffoldError, match="unknown hazard kind"):
        scaffold("volcano", [parse_party("a:甲县人民政府"), parse_party("b:乙县人民政府")])
    # the plan's own hazard names and Chinese names are understood
    assert "hazards: [public_health]" in scaffold(
        "传染病", [parse_party("a:甲县人民政府"), parse_party("b:乙县人民政府")]
    )


def test_cli_writes_atomically_and_never_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "plan.yaml"
    args = ["new", "--hazard", "snow-ice", "-p", "a:甲省交通运输厅", "-p", "b:乙省交通运输厅"]
    r = runner.invoke(cli.app, [*args, "-o", str(out)])
    assert r.exit_code == 0, r.output
    first = out.read_text("utf-8")
    assert first.startswith("# ")
    out.write_text("# my edits\n", encoding="utf-8")
    r = runner.invoke(cli.app, [*args, "-o", str(out)])
    assert r.exit_code == 2 and "--force" in r.output
    assert out.read_text("utf-8") == "# my edits\n"
    r = runner.invoke(cli.app, [*args, "-o", str(out), "--force"])
    assert r.exit_code == 0 and out.read_text("utf-8") == first
    assert [p.name for p in tmp_path.iterdir()] == ["plan.yaml"]  # no temporary left behind


def test_cli_stdout_and_no_questions_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    r = runner.invoke(
        cli.app, ["new", "--hazard", "earthquake", "-p", "a:甲市人民政府", "-p", "b:乙市人民政府"]
    )
    assert r.exit_code == 0 and "hazards: [earthquake]" in r.stdout
    r = runner.invoke(cli.app, ["new", "-p", "a:甲市人民政府"], input="forest-fire\n")
    assert r.exit_code == 2 and "--hazard is required" in r.output
    r = runner.invoke(cli.app, ["new", "--hazard", "earthquake", "-p", "a:甲市人民政府"])
    assert r.exit_code == 2 and "two parties" in r.output


def test_cli_asks_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_may_ask", lambda: True)
    answers = "\n".join(
        [
            "water-pollution",  # hazard
            "up:甲县人民政府",
            "mid:乙县人民政府",
            "low:丙县人民政府",
            "",  # no more parties
            "up low mid",  # river order, upstream first
            "",  # roles: take the suggested ones
            "",
            "downstream,host",
        ]
    )
    r = runner.invoke(cli.app, ["new"], input=answers + "\n")
    assert r.exit_code == 0, r.output
    data = load_text(r.stdout[r.stdout.index("# ") :]).data
    assert [p["id"] for p in data["parties"]] == ["up", "low", "mid"]
    assert data["parties"][2]["roles"] == ["downstream", "host"]
    assert data["geography"]["areas"][0]["downstream"] == ["area-low"]


def test_marker_examples_are_what_the_field_needs() -> None:
    """Dates look like dates and durations like durations, so a planner copying the
    example's form gets a valid value (the fill-in test above proves it for all)."""
    text = scaffold(
        "water-pollution", [parse_party("a:甲县人民政府"), parse_party("b:乙县人民政府")]
    )
    for m in re.finditer(r"【待填：([^；]*)；例：([^】]*)】", text):
        what, example = m.groups()
        if "日期" in what or "到期日" in what:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", example), m.group()
        if "ISO 8601" in what:
            assert example.startswith("P"), m.group()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_draft_renders_with_its_markers_and_final_refuses(kind: str, tmp_path: Path) -> None:
    from planctl.render.api import RenderRefused, render_file

    plan = tmp_path / "plan.yaml"
    text = scaffold(kind, [parse_party(s) for s in PARTIES[kind]])
    plan.write_text(text.replace("status: draft", "status: review"), encoding="utf-8")
    done = render_file(plan, tmp_path / "out", fmt="md")
    assert "【待填：" in done.output.read_text("utf-8")
    with pytest.raises(RenderRefused) as refused:
        render_file(plan, tmp_path / "final", fmt="md", final=True)
    assert any("【待填：印发日期" in r for r in refused.value.reasons), refused.value.reasons


@pytest.mark.parametrize(
    ("name", "region"),
    [
        ("滁州市人民政府", "滁州市"),  # not 滁州: 州 inside a city's name
        ("杭州市生态环境局", "杭州市"),
        ("北京市通州区应急管理局", "北京市"),
        ("黔东南苗族侗族自治州人民政府", "黔东南苗族侗族自治州"),
        ("甘孜州应急管理局", "甘孜州"),
        ("马鞍山市人民政府", "马鞍山市"),
        ("重庆市荣昌区人民政府", "重庆市荣昌区"),  # a district, not the municipality
        ("长治市潞城区人民政府", "长治市潞城区"),
    ],
)
def test_region_keeps_a_city_name_whole(name: str, region: str) -> None:
    assert parse_party(f"x:{name}").region == region


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_places_inside_a_sentence_are_separated(kind: str) -> None:
    """Titles run the places together (湖北省湖南省广东省G4…); a sentence lists them with 顿号."""
    parties = [
        parse_party(s) for s in ("a:南京市人民政府", "b:马鞍山市人民政府", "c:滁州市人民政府")
    ]
    data = load_text(scaffold(kind, parties)).data
    scope = data["metadata"]["scope"]
    assert "南京市、马鞍山市、滁州市" in scope and "马鞍山市滁州" not in scope, scope
