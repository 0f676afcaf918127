"""Cross-plan (XPL) findings in the reports: in text, after every file's own part under a
heading of their own; in the machine formats, with their files and lines like any finding."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from planctl import output
from planctl.check import check_paths, iter_checked
from planctl.config import Config
from planctl.output import OutputContext, format_report

from .conftest import FIXTURES
from .test_registry import OPTIONS

HEADING = {"en": "Repository-level checks", "zh": "仓库级检查"}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "repository", root)
    (root / ".git").mkdir()
    (root / "expected.yaml").unlink()
    return root


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_text_prints_repository_findings_after_every_file_under_a_heading(
    repo: Path, lang: str
) -> None:
    report = check_paths([repo], OPTIONS, Config())
    xpl = [f for f in report.findings if f.code.startswith("XPL")]
    own = [f for f in report.findings if not f.code.startswith("XPL")]
    assert xpl and own  # the fixture has both kinds
    text = format_report("text", report, OutputContext(lang))
    lines = text.splitlines()
    [at] = [i for i, x in enumerate(lines) if x.startswith(HEADING[lang])]
    heads = [(i, x.split(": ")[1].split()[0]) for i, x in enumerate(lines) if ".yaml:" in x]
    heads = [(i, code) for i, code in heads if code[:3].isalpha()]
    assert all(i > at for i, code in heads if code.startswith("XPL"))
    assert all(i < at for i, code in heads if not code.startswith("XPL"))
    assert len([c for _, c in heads if c.startswith("XPL")]) == len(xpl)
    # each still at its file and line, with the quoted source line where it was kept
    for f in xpl:
        assert any(x.startswith(f"{f.file}:{f.line}:{f.col}: {f.code}") for x in lines[at:])
    assert lines[-1].startswith("Checked" if lang == "en" else "检查了")


def test_streamed_text_is_the_report_text_with_repository_findings(repo: Path) -> None:
    report = check_paths([repo], OPTIONS, Config())
    buf = io.StringIO()
    output.stream_text(iter_checked([repo], OPTIONS, Config()), "en", buf, False)
    assert buf.getvalue() == format_report("text", report, OutputContext("en"))


def test_no_heading_without_repository_findings(repo: Path) -> None:
    report = check_paths([repo / "plans" / "danhe.yaml"], OPTIONS, Config())
    text = format_report("text", report, OutputContext("en"))
    assert HEADING["en"] not in text


def test_machine_formats_carry_repository_findings_with_locations(repo: Path) -> None:
    report = check_paths([repo], OPTIONS, Config())
    xpl = sorted((f.file, f.line, f.code) for f in report.findings if f.code.startswith("XPL"))
    ctx = OutputContext("en")
    sarif = json.loads(format_report("sarif", report, ctx))
    got = sorted(
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["ruleId"],
        )
        for run in sarif["runs"]
        for r in run["results"]
        if r["ruleId"].startswith("XPL")
    )
    assert [(Path(u).name, n, c) for u, n, c in got] == [(Path(f).name, n, c) for f, n, c in xpl]
    github = format_report("github", report, ctx)
    for f, n, c in xpl:
        assert any(f"file={f},line={n}" in x and c in x for x in github.splitlines())
    junit = format_report("junit", report, ctx)
    assert all(f"{f}:{n}" in junit and c in junit for f, n, c in xpl)
    data = json.loads(format_report("json", report, ctx))
    listed = sorted(
        (r["file"], r["line"], r["code"])
        for r in (data.get("findings") or [f for x in data["files"] for f in x["findings"]])
        if r["code"].startswith("XPL")
    )
    assert listed == xpl
