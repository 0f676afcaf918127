"""What planctl is handed: plans are checked, foreign YAML is skipped, plan-like files are findings.

pre-commit and CI give planctl every YAML file of a repository; the first run of
the hook used to fail on .pre-commit-config.yaml itself. The pre-commit test runs
the real hook with ``pre-commit try-repo`` in a fresh plan repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planctl.check import check_paths, make_options
from planctl.config import Config

from .conftest import ROOT, TODAY

MKDOCS = """site_name: 浊漳河联合应急预案
theme:
  name: material
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
"""
GITLAB = """.setup:
  script: [pip install 'planctl-cn==0.1.0']
plans:
  script:
    - !reference [.setup, script]
    - planctl validate .
"""
GITHUB = """on: [push, pull_request]
jobs:
  plans:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
"""
K8S = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plans}\ndata: {a: b}\n"


def _repo(tmp_path: Path, base_text: str) -> Path:
    repo = tmp_path / "plans"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / "plan.yaml").write_text(base_text, encoding="utf-8")
    (repo / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    (repo / ".gitlab-ci.yml").write_text(GITLAB, encoding="utf-8")
    (repo / ".github" / "workflows" / "plans.yml").write_text(GITHUB, encoding="utf-8")
    (repo / "deploy.yaml").write_text(K8S, encoding="utf-8")
    (repo / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    return repo


def _check(paths: list[Path], strict: bool = False):
    cfg = Config()
    return check_paths(paths, make_options(TODAY, None, cfg), cfg, strict=strict)


def test_foreign_yaml_is_skipped_and_plans_are_checked(tmp_path: Path, base_text: str) -> None:
    repo = _repo(tmp_path, base_text)
    files = [p for p in repo.rglob("*.y*ml")]
    report = _check(files)
    assert report.findings == []
    kinds = {Path(r.path).name: r.skipped for r in report.files}
    assert kinds == {
        "plan.yaml": None,
        "mkdocs.yml": "foreign",
        ".gitlab-ci.yml": "foreign",
        "plans.yml": "foreign",
        "deploy.yaml": "foreign",
        "list.yaml": "foreign",
    }
    strict = _check(files, strict=True)
    assert sorted(Path(f.file).name for f in strict.findings) == sorted(
        ["mkdocs.yml", ".gitlab-ci.yml", "plans.yml", "deploy.yaml", "list.yaml"]
    )
    assert {f.code for f in strict.findings} == {"FIL001"}
    assert strict.failed("error")


@pytest.mark.parametrize(
    "change",
    [
        ("planctl: 1\n", ""),  # marker missing
        ("planctl: 1\n", "plantcl: 1\n"),  # misspelt
        ("planctl: 1\n", "PlanCtl: 1\n"),
        ("planctl: 1\n", "plan_ctl: 1\n"),
    ],
)
def test_plan_like_file_without_its_marker_is_a_finding(
    tmp_path: Path, base_text: str, change: tuple[str, str]
) -> None:
    p = tmp_path / "plan.yaml"
    p.write_text(base_text.replace(*change, 1), encoding="utf-8")
    report = _check([p])
    assert report.files[0].skipped is None
    assert "SCH001" in {f.code for f in report.findings}


def test_broken_yaml_is_not_passed_over(tmp_path: Path) -> None:
    """Unknown input fails loudly: a syntax error is a finding, not a skip."""
    p = tmp_path / "x.yaml"
    p.write_text("a: [1, 2\n", encoding="utf-8")
    assert [f.code for f in _check([p]).findings] == ["YAML001"]
    p.write_text("planctl: 1\nmetadata: !!python/object:os.system {}\n", encoding="utf-8")
    assert [f.code for f in _check([p]).findings] == ["YAML004"]


def test_text_output_notes_each_skipped_file_on_one_line(tmp_path: Path, base_text: str) -> None:
    from typer.testing import CliRunner

    from planctl.cli import app

    repo = _repo(tmp_path, base_text)
    runner = CliRunner()
    for lang, word in (("en", "skipped"), ("zh", "已跳过")):
        r = runner.invoke(
            app,
            ["validate", str(repo), str(repo / ".gitlab-ci.yml"), "--today", TODAY, "--lang", lang],
        )
        assert r.exit_code == 0, r.output
        notes = [line for line in r.output.splitlines() if word in line and "mkdocs.yml" in line]
        assert len(notes) == 1
        lines = r.output.splitlines()
        assert (
            sum(1 for line in lines if word in line and not line.startswith(("Checked", "检查了")))
            == 4
        )
    r = runner.invoke(app, ["validate", str(repo), "--today", TODAY, "--strict"])
    assert r.exit_code == 1 and "FIL001" in r.output


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.slow
def test_pre_commit_hook_passes_in_a_plan_repository(tmp_path: Path, base_text: str) -> None:
    """`pre-commit try-repo` installs planctl from a git snapshot and runs the hook on all files."""
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None or shutil.which("git") is None:
        pytest.skip("pre-commit or git is not installed (pip install pre-commit)")
    snapshot = tmp_path / "planctl-src"
    snapshot.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, snapshot / name)
    for folder in ("src", "schemas", "templates"):
        shutil.copytree(
            ROOT / folder, snapshot / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    _git(snapshot, "init", "-q")
    _git(snapshot, "add", "-A")
    _git(snapshot, "commit", "-q", "-m", "snapshot")
    _git(snapshot, "tag", "v0.1.0")
    repo = _repo(tmp_path, base_text)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {snapshot.as_uri()}\n    rev: v0.1.0\n"
        "    hooks:\n      - id: planctl-validate\n        args: [--today, '2026-11-28']\n",
        encoding="utf-8",
    )
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    r = subprocess.run(
        [pre_commit, "run", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "planctl validate" in r.stdout and "Passed" in r.stdout
    # the same hook fails a plan that lacks its marker
    (repo / "draft.yaml").write_text(base_text.replace("planctl: 1\n", ""), encoding="utf-8")
    _git(repo, "add", "-A")
    r = subprocess.run(
        [pre_commit, "run", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert r.returncode == 1 and "SCH001" in r.stdout, r.stdout[-4000:]


def test_render_of_a_repository_renders_the_plans_only(tmp_path: Path, base_text: str) -> None:
    from typer.testing import CliRunner

    from planctl.cli import app

    repo = _repo(tmp_path, base_text)
    out = tmp_path / "out"
    r = CliRunner().invoke(
        app, ["render", str(repo), "-o", str(out), "-f", "md", "--today", TODAY, "--no-progress"]
    )
    assert r.exit_code == 0, r.output
    # one plan rendered: its Markdown, the flow charts next to it and the outputs manifest
    assert [p.suffix for p in out.iterdir() if p.suffix == ".md"] == [".md"]
    assert {p.suffix for p in out.iterdir()} <= {".md", ".png", ".json"}
    assert "mkdocs.yml: skipped" in r.output
