"""The command line: exit codes, formats, languages, config. Run as users run it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT, TODAY

BROKEN = FIXTURES / "broken"


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    import os

    full_env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "PLANCTL_LANG")}
    full_env["NO_COLOR"] = "1"
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "planctl", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd or ROOT,
        env=full_env,
        timeout=120,
    )


def test_clean_plan_exits_0(tmp_path: Path, base_text: str) -> None:
    p = tmp_path / "plan.yaml"
    p.write_text(base_text, encoding="utf-8")
    r = run("validate", str(p), "--today", TODAY, "--lang", "en", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no problems found" in r.stdout


def test_findings_exit_1_with_location_source_line_and_summary() -> None:
    r = run(
        "validate", str(BROKEN / "downstream-not-notified.yaml"), "--today", TODAY, "--lang", "zh"
    )
    assert r.returncode == 1
    first = r.stdout.splitlines()[0]
    assert first.startswith("tests/fixtures/broken/downstream-not-notified.yaml:53:41: NOT001 错误")
    assert "53 |     - {id: area-yi, name: 乙县, parties: [yi]}" in r.stdout
    assert (
        "= 提示:" in r.stdout
        and "= 依据: 突发环境事件信息报告办法" in r.stdout
        and "水污染防治法 第六十九条" in r.stdout
        and "第17号" in r.stdout
    )
    # the fixture predates warning levels in the base plan: PRE001 warns, the summary counts it
    assert re.search(r"检查了 1 个文件：1 个错误，\d+ 个警告，0 个提示。$", r.stdout.rstrip())


def test_caret_is_aligned_under_chinese_text() -> None:
    r = run("validate", str(BROKEN / "vague-duty.yaml"), "--today", TODAY, "--lang", "en")
    lines = r.stdout.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("99 |"))
    src, carets = lines[i], lines[i + 1]
    from planctl.output import width

    assert carets.index("^") == width(src[: src.index("积")])
    assert carets.count("^") == 8  # 积极配合: four wide characters


def test_warnings_fail_only_with_fail_on_warning() -> None:
    args = ("validate", str(BROKEN / "vague-duty.yaml"), "--today", TODAY)
    assert run(*args).returncode == 0
    assert run(*args, "--fail-on", "warning").returncode == 1


def test_json_output_is_data() -> None:
    r = run(
        "validate",
        str(BROKEN / "two-leads.yaml"),
        "--today",
        TODAY,
        "--format",
        "json",
        "--lang",
        "en",
    )
    assert r.returncode == 1
    data = json.loads(r.stdout)
    [finding] = [f for f in data["files"][0]["findings"] if f["code"] == "DUTY001"]
    assert finding["line"] == 93 and finding["severity"] == "error"
    assert finding["path"] == "duties[0].lead"
    assert "exactly one" in finding["message"]
    assert data["summary"]["error"] >= 1


def test_github_annotations() -> None:
    r = run("validate", str(BROKEN / "two-leads.yaml"), "--today", TODAY, "--format", "github")
    assert (
        "::error file=tests/fixtures/broken/two-leads.yaml,line=93,col=11,title=DUTY001::"
        in r.stdout
    )


def test_language_defaults_from_locale() -> None:
    args = ("validate", str(BROKEN / "two-leads.yaml"), "--today", TODAY)
    assert "牵头方" in run(*args, env={"LANG": "zh_CN.UTF-8"}).stdout
    assert "exactly one" in run(*args, env={"LANG": "en_US.UTF-8"}).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("validate", "no/such/plan.yaml"), "no such file"),
        (("validate", "--today", "28/11/2026", "tests/fixtures/broken/empty.yaml"), "--today"),
        (
            ("validate", "--profile", "atlantis", "tests/fixtures/broken/empty.yaml"),
            "unknown legal profile",
        ),
        (("validate", "--format", "pdf", "tests/fixtures/broken/empty.yaml"), "pdf"),
        (("explain", "XYZ999"), "unknown rule"),
        (("validate", "benchmarks"), "no plan files"),
    ],
)
def test_unusable_input_exits_2_without_traceback(args, message, tmp_path: Path) -> None:
    (ROOT / "benchmarks").mkdir(exist_ok=True)
    r = run(*args)
    assert r.returncode == 2, r.stdout + r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_directory_is_searched_recursively(tmp_path: Path, base_text: str) -> None:
    (tmp_path / "rivers" / "haihe").mkdir(parents=True)
    (tmp_path / "rivers" / "haihe" / "plan.yml").write_text(base_text, encoding="utf-8")
    (tmp_path / "rivers" / "broken.yaml").write_text("metadata: [\n", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.yaml").write_text("a: [\n", encoding="utf-8")
    r = run("validate", ".", "--today", TODAY, "--lang", "en", cwd=tmp_path)
    assert r.returncode == 1
    assert "rivers/broken.yaml:2:1: YAML001" in r.stdout and ".hidden" not in r.stdout
    assert "Checked 2 files" in r.stdout


def test_config_selects_ignores_and_regrades(tmp_path: Path) -> None:
    plan = (BROKEN / "vague-duty.yaml").read_text("utf-8")
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    (tmp_path / "planctl.yaml").write_text("severity: {DUTY003: error}\n", encoding="utf-8")
    r = run("validate", "plan.yaml", "--today", TODAY, cwd=tmp_path)
    assert r.returncode == 1 and "DUTY003 error" in r.stdout
    # PRE001: the fixture predates warning levels in the base plan
    (tmp_path / "planctl.yaml").write_text("ignore: [DUTY, PRE]\n", encoding="utf-8")
    assert (
        run(
            "validate", "plan.yaml", "--today", TODAY, "--fail-on", "warning", cwd=tmp_path
        ).returncode
        == 0
    )
    (tmp_path / "planctl.yaml").write_text("ignor: [DUTY]\n", encoding="utf-8")
    r = run("validate", "plan.yaml", cwd=tmp_path)
    assert r.returncode == 2 and "unknown key 'ignor'" in r.stderr


def test_profile_option_overrides_the_plan(tmp_path: Path, base_text: str) -> None:
    """A 30-minute upward report by an 应急管理局 passes nationally and fails under Henan's."""
    text = (
        base_text.replace("hazards: [water_pollution]", "hazards: [production_safety]")
        .replace(
            "name: 甲县人民政府\n    short_name: 甲县\n    level: county",
            "name: 安阳市应急管理局\n    short_name: 安阳市应急局\n    level: department",
        )
        .replace(
            "name: 乙县人民政府\n    short_name: 乙县\n    level: county",
            "name: 河南省应急管理厅\n    short_name: 省应急厅\n    level: department",
        )
        .replace("id: N-jia-yi\n      kind: notify", "id: N-jia-yi\n      kind: report")
    )
    p = tmp_path / "plan.yaml"
    p.write_text(text, encoding="utf-8")
    r = run("validate", str(p), "--today", TODAY, "--lang", "en", cwd=tmp_path)
    assert "NOT003" not in r.stdout, r.stdout
    r = run(
        "validate", str(p), "--today", TODAY, "--profile", "henan", "--lang", "en", cwd=tmp_path
    )
    assert r.returncode == 1 and "NOT003" in r.stdout and "15 min" in r.stdout


def test_explain_every_rule() -> None:
    from typer.testing import CliRunner

    from planctl.cli import app
    from planctl.rules import registry

    runner = CliRunner()
    for rule in registry:
        for lang in ("en", "zh"):
            r = runner.invoke(app, ["explain", rule.code, "--lang", lang])
            assert r.exit_code == 0, (rule.code, r.output)
            assert rule.code in r.output and rule.title[lang] in r.output
        if rule.fail is not None:
            assert (
                "failing example"
                in runner.invoke(app, ["explain", rule.code, "--lang", "en"]).output
            )
    by_name = runner.invoke(app, ["explain", "affected-party-not-notified", "--lang", "en"])
    assert by_name.exit_code == 0 and "NOT001" in by_name.output


def test_explain_shows_the_finding_for_the_failing_example() -> None:
    r = run("explain", "NOT001", "--lang", "zh")
    assert "长治" in r.stdout  # the why: the aniline case
    assert "→ 事件发生在" in r.stdout


def test_rules_schema_and_profiles_commands(tmp_path: Path) -> None:
    r = run("rules", "--format", "json")
    codes = [x["code"] for x in json.loads(r.stdout)]
    assert "NOT001" in codes and len(codes) == len(set(codes))
    out = tmp_path / "plan.schema.json"
    assert run("schema", "-o", str(out)).returncode == 0
    schema = json.loads(out.read_text("utf-8"))
    assert "$defs" in schema and schema["properties"]["parties"]["$ref"] == "#/$defs/parties"
    r = run("profiles", "--lang", "en")
    assert "henan" in r.stdout and "15 min" in r.stdout and "verify" in r.stdout


def test_version() -> None:
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("planctl ")


def test_render_command_draft_final_and_refusal(tmp_path: Path, base_text: str) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text, encoding="utf-8")
    r = run("render", str(plan), "-o", str(tmp_path / "out"), "--today", TODAY, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "example-two-county-river-v1.0-draft.docx").is_file()
    r = run(
        "render",
        str(BROKEN / "two-leads.yaml"),
        "-o",
        str(tmp_path / "out"),
        "--final",
        "--today",
        TODAY,
    )
    assert r.returncode == 1 and "refused" in r.stderr and "DUTY001" in r.stderr
    r = run(
        "render",
        str(plan),
        "-o",
        str(tmp_path / "md"),
        "--format",
        "md",
        "--today",
        TODAY,
        cwd=tmp_path,
    )
    assert (
        r.returncode == 0 and (tmp_path / "md" / "example-two-county-river-v1.0-draft.md").is_file()
    )


def test_matrix_command_outputs(tmp_path: Path) -> None:
    plan = str(ROOT / "src" / "planctl" / "data" / "example-base.yaml")
    r = run("matrix", plan)
    assert r.returncode == 0 and "牵头" in r.stdout and "跨区域职责分工矩阵" in r.stdout
    r = run("matrix", plan, "-t", "notification", "-f", "csv")
    lines = r.stdout.splitlines()
    assert lines[0].startswith("编号,类型,发送方,接收方") and "N-jia-yi" in lines[1]
    r = run("matrix", plan, "-t", "all", "-f", "md")
    assert "### 24小时值守通讯录" in r.stdout
    out = tmp_path / "m.xlsx"
    assert run("matrix", plan, "-t", "all", "-f", "xlsx", "-o", str(out)).returncode == 0
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert "跨区域职责分工矩阵" in wb.sheetnames and wb["跨区域职责分工矩阵"]["D2"].value == "牵头"
    assert run("matrix", plan, "-t", "nonsense").returncode == 2
    assert run("matrix", str(BROKEN / "yaml-syntax.yaml")).returncode == 2


def test_matrix_reads_the_configuration_like_validate(tmp_path: Path, base_text: str) -> None:
    """planctl.yaml next to the plan sets matrix's language; a broken one exits 2, and
    --config names another."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text, encoding="utf-8")
    (tmp_path / ".git").mkdir()  # the repository root: the search stops here
    (tmp_path / "planctl.yaml").write_text("lang: zh\n", encoding="utf-8")
    r = run("matrix", str(plan), "-f", "csv", "-o", str(tmp_path / "m.csv"), cwd=tmp_path)
    assert r.returncode == 0 and "已写入" in r.stderr, r.stderr
    r = run("matrix", str(plan), "-f", "csv", "-o", str(tmp_path / "n.csv"), "--lang", "en")
    assert r.returncode == 0 and "wrote" in r.stderr, r.stderr
    other = tmp_path / "other.yaml"
    other.write_text("lang: en\n", encoding="utf-8")
    r = run("matrix", str(plan), "-f", "csv", "-o", str(tmp_path / "o.csv"), "--config", str(other))
    assert r.returncode == 0 and "wrote" in r.stderr, r.stderr
    (tmp_path / "planctl.yaml").write_text("lang: fr\n", encoding="utf-8")
    r = run("matrix", str(plan), cwd=tmp_path)
    assert r.returncode == 2 and "lang" in r.stderr and not r.stdout


def test_sarif_and_junit_outputs() -> None:
    import xml.etree.ElementTree as ET

    r = run(
        "validate",
        str(BROKEN / "two-leads.yaml"),
        "--today",
        TODAY,
        "--format",
        "sarif",
        "--lang",
        "en",
    )
    sarif = json.loads(r.stdout)
    assert sarif["version"] == "2.1.0"
    run0 = sarif["runs"][0]
    [res] = [x for x in run0["results"] if x["ruleId"] == "DUTY001"]
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 93
    assert run0["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "DUTY001"
    r = run(
        "validate",
        str(BROKEN / "two-leads.yaml"),
        str(BROKEN / "vague-duty.yaml"),
        "--today",
        TODAY,
        "--format",
        "junit",
    )
    suite = ET.fromstring(r.stdout)
    # one test case per finding; DUTY003 (a warning) does not fail under the default --fail-on;
    # both fixtures are the example plan under its one id: XPL004 in each (errors, failures)
    assert int(suite.get("tests")) >= 2 and suite.get("failures") == "3"
    assert r.stdout.count('type="XPL004"') == 2
    assert suite.get("errors") == "0"


def test_verify_tells_whether_a_document_matches_its_plan(tmp_path: Path, base_text: str) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text, encoding="utf-8")
    assert (
        run("render", str(plan), "-o", str(tmp_path), "--today", TODAY, cwd=tmp_path).returncode
        == 0
    )
    docx = tmp_path / "example-two-county-river-v1.0-draft.docx"
    r = run("verify", str(docx), str(plan))
    assert r.returncode == 0 and "matches" in r.stdout
    plan.write_text("# 重新排版不影响内容哈希\n" + base_text, encoding="utf-8")
    assert run("verify", str(docx), str(plan)).returncode == 0
    plan.write_text(base_text.replace("PT30M", "PT45M", 1), encoding="utf-8")
    r = run("verify", str(docx), str(plan))
    assert r.returncode == 1 and "does NOT match" in r.stdout
    foreign = tmp_path / "foreign.docx"
    foreign.write_bytes(b"not a zip")
    assert run("verify", str(foreign), str(plan)).returncode == 2


def test_summary_counts_each_file_once_with_cross_plan_findings(tmp_path: Path) -> None:
    """Cross-plan findings arrive as further results of files already counted."""
    (tmp_path / ".git").mkdir()
    sample = ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml"
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (tmp_path / name).write_text(sample.read_text("utf-8"), encoding="utf-8")
    r = run("validate", ".", "--today", TODAY, "--lang", "en", "--no-cache", cwd=tmp_path)
    assert "XPL003" in r.stdout  # three copies of one plan overlap each other
    assert r.stdout.rstrip().splitlines()[-1].startswith("Checked 3 files:"), r.stdout[-300:]
    as_json = run("validate", ".", "--today", TODAY, "-f", "json", "--no-cache", cwd=tmp_path)
    assert json.loads(as_json.stdout)["summary"]["files"] == 3


def test_a_named_command_builds_only_itself_with_the_same_parameters() -> None:
    """The one-command tree a run builds parses exactly as the full program would."""
    import typer

    from planctl import cli

    full = typer.main.get_command(cli.app)
    names = sorted(full.commands)  # type: ignore[attr-defined]
    assert len(names) >= 10
    for name in names:
        one = cli._command(["planctl", "--debug", name, "x.yaml"])
        assert list(one.commands) == [name]
        mine = [(p.name, p.opts, p.required, p.multiple) for p in one.commands[name].params]
        theirs = [(p.name, p.opts, p.required, p.multiple) for p in full.commands[name].params]
        assert mine == theirs
        assert [p.name for p in one.params] == [p.name for p in full.params]
    # no command, a misspelt one or help on the program: every command is there
    for argv in (["planctl"], ["planctl", "rendr"], ["planctl", "--help"], ["planctl", "-h"]):
        assert sorted(cli._command(argv).commands) == names


def test_misspelt_command_still_suggests_the_right_one() -> None:
    r = run("rendr", "plan.yaml")
    assert r.returncode == 2
    assert "render" in r.stderr
