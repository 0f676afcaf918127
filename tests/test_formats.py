"""Machine outputs read by CI tools: SARIF, JUnit, GitLab Code Quality, GitHub annotations."""

from __future__ import annotations

import json

from planctl.check import check_paths, make_options
from planctl.config import Config
from planctl.output import to_sarif

from .conftest import FIXTURES, TODAY

BROKEN = FIXTURES / "broken"


def _report(*names: str):
    cfg = Config()
    return check_paths([BROKEN / n for n in names], make_options(TODAY, None, cfg), cfg)


def test_sarif_rules_carry_inline_help_and_no_links() -> None:
    sarif = to_sarif(_report("two-leads.yaml", "bad-duration.yaml"), "zh")
    text = json.dumps(sarif, ensure_ascii=False)
    assert "informationUri" not in text and "helpUri" not in text
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"DUTY001", "SCH004"}
    for r in rules:
        assert r["id"] in r["help"]["text"] and r["help"]["markdown"].startswith("**")
    [duty] = [r for r in rules if r["id"] == "DUTY001"]
    assert "严重程度: 错误" in duty["help"]["text"]
    assert "```yaml" in duty["help"]["markdown"]


def test_explain_text_is_the_library_text() -> None:
    from typer.testing import CliRunner

    from planctl.cli import app
    from planctl.explain import explain_text
    from planctl.rules import registry

    out = CliRunner().invoke(app, ["explain", "DUTY001", "--lang", "zh"]).output
    assert out.rstrip("\n") == explain_text(registry.get("DUTY001"), "zh")
    assert "严重程度: 错误" in out and "severity: error" not in out


# -- JUnit --------------------------------------------------------------------------------
# What the junit-10 XSD (Jenkins xUnit) requires: <testsuites> holds <testsuite>s; a testsuite
# has name, tests, failures and errors; a testcase has a name and holds only skipped, error,
# failure, system-out or system-err; failure/error carry optional type and message.
_SUITE_REQUIRED = {"name", "tests", "failures", "errors"}
_SUITE_ALLOWED = _SUITE_REQUIRED | {"skipped", "time", "timestamp", "hostname", "id", "package"}
_CASE_CHILDREN = {"skipped", "error", "failure", "system-out", "system-err"}


def _junit_shape(xml_text: str):
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml_text.encode("utf-8"))  # well-formed XML 1.0, or this raises
    assert root.tag == "testsuites"
    assert set(root.attrib) <= {"name", "time", "tests", "failures", "errors", "skipped"}
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in root:
        assert suite.tag == "testsuite"
        assert _SUITE_REQUIRED <= set(suite.attrib) <= _SUITE_ALLOWED
        cases = list(suite)
        assert all(c.tag == "testcase" for c in cases)
        counted = {
            "tests": len(cases),
            "failures": sum(1 for c in cases for x in c if x.tag == "failure"),
            "errors": sum(1 for c in cases for x in c if x.tag == "error"),
            "skipped": sum(1 for c in cases for x in c if x.tag == "skipped"),
        }
        for key, value in counted.items():
            assert int(suite.get(key)) == value, (key, suite.attrib)
            totals[key] += value
        for case in cases:
            assert case.get("name") and set(case.attrib) <= {"name", "classname", "time", "group"}
            assert {x.tag for x in case} <= _CASE_CHILDREN
            assert sum(1 for x in case if x.tag in ("failure", "error")) <= 1
            for x in case:
                assert set(x.attrib) <= {"type", "message"}
                assert len(list(x)) == 0
        assert counted["failures"] + counted["errors"] <= counted["tests"]
    for key, value in totals.items():
        assert int(root.get(key)) == value
    return root


def test_junit_has_one_case_per_finding_and_the_xsd_shape() -> None:
    from planctl.output import to_junit

    report = _report("two-leads.yaml", "vague-duty.yaml", "bad-duration.yaml")
    root = _junit_shape(to_junit(report, "en"))
    cases = [c for s in root for c in s]
    assert len(cases) == len(report.findings)
    errors = sum(1 for f in report.findings if f.severity == "error")
    assert int(root.get("failures")) == errors and root.get("errors") == "0"
    # --fail-on warning: warnings fail too
    warn = _junit_shape(to_junit(report, "en", fail_on="warning"))
    assert int(warn.get("failures")) == sum(
        1 for f in report.findings if f.severity in ("error", "warning")
    )


def test_junit_info_only_and_clean_files_do_not_fail(tmp_path, base_text: str) -> None:
    from planctl.check import FileResult, Report
    from planctl.findings import Finding
    from planctl.output import to_junit

    info = Finding("NOT006", "info", {"en": "just so you know", "zh": "提示"}, "a.yaml", 3, 1)
    report = Report([FileResult("a.yaml", [info], True), FileResult("b.yaml", [], True)])
    root = _junit_shape(to_junit(report, "en"))
    assert root.get("failures") == "0" and root.get("tests") == "2"
    [a, b] = root
    assert a[0].find("system-out") is not None and "just so you know" in a[0][0].text
    assert [c.get("name") for c in b] == ["valid"]
    assert not report.failed("error")
    skipped = Report([FileResult("mkdocs.yml", [], False, skipped="foreign")])
    root = _junit_shape(to_junit(skipped, "zh"))
    assert root.get("skipped") == "1"


def test_junit_survives_control_characters_in_plan_text(tmp_path, base_text: str) -> None:
    import xml.etree.ElementTree as ET

    from planctl.check import FileResult, Report
    from planctl.findings import Finding
    from planctl.output import to_junit

    bad = "响应\x01\x08\x0b\x1b[31m红\x7f\ufffe"
    f = Finding("DUTY003", "error", {"en": bad, "zh": bad}, "x\x02.yaml", 1, 1)
    xml_text = to_junit(Report([FileResult("x\x02.yaml", [f], True)]), "zh")
    root = _junit_shape(xml_text)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and "\\x01" in failure.get("message") and "红" in failure.text
    # a real plan whose text carries a control character, end to end through the CLI
    p = tmp_path / "plan.yaml"
    text = base_text.replace("name: 甲县", "name: 甲\x07县", 1)
    assert text != base_text
    p.write_text(text, encoding="utf-8")
    from typer.testing import CliRunner

    from planctl.cli import app

    out = tmp_path / "report.xml"
    r = CliRunner().invoke(
        app, ["validate", str(p), "-f", "junit", "-o", str(out), "--today", TODAY]
    )
    assert r.exit_code == 1, r.output
    root = ET.parse(out).getroot()
    assert int(root.get("failures")) >= 1


# -- GitLab Code Quality ---------------------------------------------------------------------
# The fields GitLab documents for a Code Quality report (an array of issues).
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^/|\\\\"}},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


def test_gitlab_code_quality_report() -> None:
    import jsonschema

    from planctl.output import OutputContext, format_report

    report = _report("two-leads.yaml", "vague-duty.yaml", "no-24h-contact.yaml")
    data = json.loads(format_report("gitlab", report, OutputContext("zh")))
    jsonschema.validate(data, GITLAB_SCHEMA)
    assert len(data) == len(report.findings)
    assert len({d["fingerprint"] for d in data}) == len(data)
    [duty] = [d for d in data if d["check_name"] == "DUTY001"]
    assert duty["location"] == {
        "path": "tests/fixtures/broken/two-leads.yaml",
        "lines": {"begin": 93},
    }
    assert duty["severity"] == "major"
    # the same problem keeps its fingerprint when lines above it move
    again = json.loads(format_report("gitlab", report, OutputContext("en")))
    assert [d["fingerprint"] for d in again] == [d["fingerprint"] for d in data]


# -- the format registry drives the CLI ---------------------------------------------------------
def test_every_registered_format_is_a_validate_choice(tmp_path) -> None:
    from typer.testing import CliRunner

    from planctl.cli import app
    from planctl.output import FORMATTERS

    runner = CliRunner()
    plan = str(BROKEN / "two-leads.yaml")
    assert set(FORMATTERS) >= {"text", "json", "github", "sarif", "junit", "gitlab"}
    for name in FORMATTERS:
        out = tmp_path / f"report.{name}"
        r = runner.invoke(app, ["validate", plan, "-f", name, "-o", str(out), "--today", TODAY])
        assert r.exit_code == 1, (name, r.output)
        assert out.stat().st_size > 0 and r.output == ""
    r = runner.invoke(app, ["validate", plan, "-f", "nonsense"])
    assert r.exit_code == 2
    # a report is never written over a plan
    r = runner.invoke(app, ["validate", plan, "-f", "json", "-o", plan])
    assert r.exit_code == 2 and "refusing" in r.output


def test_rules_refuses_report_formats() -> None:
    from typer.testing import CliRunner

    from planctl.cli import app

    runner = CliRunner()
    for fmt in ("sarif", "junit", "github", "gitlab"):
        r = runner.invoke(app, ["rules", "--format", fmt])
        assert r.exit_code == 2, (fmt, r.output)
    assert runner.invoke(app, ["rules", "--format", "json"]).exit_code == 0


def test_write_report_is_library_policy(tmp_path) -> None:
    """The CLI only words it: the library refuses a folder, a YAML name or a checked file."""
    import pytest

    from planctl.output import ReportRefused, write_report

    plan = tmp_path / "plan.txt"
    plan.write_bytes((BROKEN / "two-leads.yaml").read_bytes())
    report = check_paths([plan], config=None)
    for target in (tmp_path, tmp_path / "report.yaml", tmp_path / "x.YML", plan):
        with pytest.raises(ReportRefused):
            write_report(target, "{}", report)
    assert plan.read_bytes() == (BROKEN / "two-leads.yaml").read_bytes()
    write_report(tmp_path / "report.json", "{}\n", report)
    assert (tmp_path / "report.json").read_text("utf-8") == "{}\n"
