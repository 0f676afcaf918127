"""`planctl init`: a plan repository whose checks pass on the first run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from planctl import cli

runner = CliRunner()
ARGS = ["--hazard", "forest-fire", "-p", "yl:炎陵县人民政府", "-p", "jgs:井冈山市人民政府"]


def test_init_lays_out_a_repository_that_validates(tmp_path: Path) -> None:
    repo = tmp_path / "plans-repo"
    r = runner.invoke(cli.app, ["init", str(repo), *ARGS])
    assert r.exit_code == 0, r.output
    files = sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file())
    assert files == [
        ".github/workflows/plans.yml",
        ".gitignore",
        ".gitlab-ci.yml",
        ".pre-commit-config.yaml",
        "planctl.yaml",
        "plans/forest-fire-yl-jgs.yaml",
        "registries/parties.yaml",
        "registries/resources.yaml",
    ]
    # the parties and resources live in the registries; the plan uses them
    plan = yaml.safe_load((repo / "plans/forest-fire-yl-jgs.yaml").read_text("utf-8"))
    # listed once for the repository, not in every plan
    assert "registries" not in plan
    config = yaml.safe_load((repo / "planctl.yaml").read_text("utf-8"))
    assert config["registries"] == ["registries/parties.yaml", "registries/resources.yaml"]
    assert plan["parties"] == [
        {"use": "yl", "roles": ["lead", "chair"]},
        {"use": "jgs", "roles": ["member"]},
    ]
    assert all(set(r) == {"use"} for r in plan["resources"])
    shared = yaml.safe_load((repo / "registries/parties.yaml").read_text("utf-8"))
    assert shared["planctl-registry"] == 1 and [p["id"] for p in shared["parties"]] == ["yl", "jgs"]
    assert all("roles" not in p for p in shared["parties"])
    assert ".planctl_cache/" in (repo / ".gitignore").read_text("utf-8").splitlines()
    for name in (".github/workflows/plans.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml"):
        yaml.safe_load((repo / name).read_text("utf-8"))  # well-formed
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text("utf-8"))
    assert hooks["repos"][0]["repo"] == "local"  # works offline
    here = os.getcwd()
    os.chdir(repo)
    try:
        r = runner.invoke(cli.app, ["validate", ".", "--today", "2026-11-28"])
        assert r.exit_code == 0, r.output
        assert "TXT002" in r.output  # the first plan's markers are listed
        assert runner.invoke(cli.app, ["fmt", "--check", "plans/"]).exit_code == 0
    finally:
        os.chdir(here)


def test_init_never_replaces_without_force(tmp_path: Path) -> None:
    (tmp_path / "planctl.yaml").write_text("lang: en\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.docx", encoding="utf-8")  # no final newline
    r = runner.invoke(cli.app, ["init", str(tmp_path), *ARGS])
    assert r.exit_code == 2 and "planctl.yaml" in r.output and "--force" in r.output
    assert (tmp_path / "planctl.yaml").read_text("utf-8") == "lang: en\n"
    assert not (tmp_path / "plans").exists()  # nothing written at all
    r = runner.invoke(cli.app, ["init", str(tmp_path), *ARGS, "--force"])
    assert r.exit_code == 0, r.output
    assert "fail_on: error" in (tmp_path / "planctl.yaml").read_text("utf-8")
    ignore = (tmp_path / ".gitignore").read_text("utf-8").splitlines()
    assert ignore[0] == "*.docx" and ".planctl_cache/" in ignore  # appended, never replaced
    r = runner.invoke(cli.app, ["init", str(tmp_path), *ARGS, "--force"])
    assert (tmp_path / ".gitignore").read_text("utf-8").count(".planctl_cache/") == 1


def test_init_needs_a_hazard_and_parties_without_a_terminal(tmp_path: Path) -> None:
    r = runner.invoke(cli.app, ["init", str(tmp_path), "-p", "a:甲县人民政府"])
    assert r.exit_code == 2 and "--hazard is required" in r.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_pre_commit_passes_on_the_first_run(tmp_path: Path) -> None:
    """The generated .pre-commit-config.yaml, run by pre-commit in a fresh git repository."""
    bindir = Path(sys.executable).parent
    pre_commit = shutil.which("pre-commit", path=str(bindir))
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    assert runner.invoke(cli.app, ["init", str(repo), *ARGS]).exit_code == 0
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True, capture_output=True)
    subprocess.run([*git, "add", "-A"], check=True, capture_output=True)
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }
    if pre_commit is None:  # the hooks' own command lines, as pre-commit would run them
        hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text("utf-8"))
        for hook in hooks["repos"][0]["hooks"]:
            target = "." if hook["id"] == "planctl-validate" else "plans/"
            r = subprocess.run(
                [*hook["entry"].split(), target], cwd=repo, env=env, capture_output=True, text=True
            )
            assert r.returncode == 0, (hook["id"], r.stdout, r.stderr)
        return
    r = subprocess.run(
        [pre_commit, "run", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "planctl validate" in r.stdout and "planctl fmt --check" in r.stdout
    assert "Failed" not in r.stdout


@pytest.mark.slow
def test_remote_hooks_pass_on_the_first_run_with_try_repo(tmp_path: Path) -> None:
    """The remote form (.pre-commit-hooks.yaml of this repository), as `pre-commit try-repo`
    installs and runs it in a fresh repository laid out by `init`."""
    from tests.conftest import ROOT

    bindir = Path(sys.executable).parent
    pre_commit = shutil.which("pre-commit", path=str(bindir))
    if pre_commit is None or shutil.which("git") is None:
        pytest.skip("pre-commit (test extra) or git is not installed")
    inside = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
    )
    if inside.stdout.strip() != "true":
        pytest.skip("planctl's source is not a git checkout: try-repo needs one")
    repo = tmp_path / "repo"
    assert runner.invoke(cli.app, ["init", str(repo), *ARGS]).exit_code == 0
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True, capture_output=True)
    subprocess.run([*git, "add", "-A"], check=True, capture_output=True)
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }
    for hook in ("planctl-validate", "planctl-fmt"):
        r = subprocess.run(
            [pre_commit, "try-repo", str(ROOT), hook, "--all-files"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert r.returncode == 0, (hook, r.stdout[-3000:] + r.stderr[-2000:])
        assert "Passed" in r.stdout and "Failed" not in r.stdout
    # and the hook fails when a plan is broken: a test that could not fail would prove nothing
    plan = next((repo / "plans").glob("*.yaml"))
    plan.write_text(
        plan.read_text("utf-8").replace("planctl: 1", "planctl: 1\nbogus: 1", 1), "utf-8"
    )
    r = subprocess.run(
        [pre_commit, "try-repo", str(ROOT), "planctl-validate", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert r.returncode != 0 and "Failed" in r.stdout, r.stdout[-3000:]
