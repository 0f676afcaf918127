"""Installing planctl the ways the README says: from a built wheel and from a git tag.

"planctl" on the public package index is an unrelated project that also installs a
``planctl`` command, so this project is distributed as "planctl-cn". These tests
build and install the real artefacts (no deps: the test venv already has them) and
check that what gets imported and reported is this planctl under that name.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

NAME = "planctl-cn"


def _pip(*args: str, cwd: Path | None = None) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]


def _check_target(target: Path) -> None:
    """The installed tree is this project, under the new name, with its data and command."""
    [info] = list(target.glob("planctl_cn-*.dist-info"))
    meta = (info / "METADATA").read_text(encoding="utf-8")
    assert f"Name: {NAME}\n" in meta
    assert "planctl = planctl._entry:main" in (info / "entry_points.txt").read_text(
        encoding="utf-8"
    )
    assert not list(target.glob("planctl-*.dist-info")), "the old name must not be installed"
    assert (target / "planctl" / "schemas" / "plan.schema.json").is_file()
    assert (target / "planctl" / "templates" / "reference.docx").is_file()
    env = {**os.environ, "PYTHONPATH": str(target), "NO_COLOR": "1"}
    code = (
        "import importlib.metadata as m, planctl, sys;"
        "print(planctl.__file__); print(planctl.__version__);"
        f"print(m.version({NAME!r}))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert r.returncode == 0, r.stderr
    where, version, dist_version = r.stdout.split()
    assert Path(where).resolve().is_relative_to(target.resolve())
    assert version == dist_version and version[0].isdigit() and "source" not in version
    r = subprocess.run(
        [sys.executable, "-m", "planctl", "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0 and r.stdout.strip() == f"planctl {version}"


@pytest.mark.slow
def test_install_from_built_wheel(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _pip("wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT))
    [wheel] = list(dist.glob("*.whl"))
    assert wheel.name.startswith("planctl_cn-")
    target = tmp_path / "site"
    _pip("install", "--no-deps", "-q", "--target", str(target), str(wheel))
    _check_target(target)


@pytest.mark.slow
def test_install_from_git_tag(tmp_path: Path) -> None:
    """`pip install git+URL@v0.1.0`, with a file:// URL standing in for the repository host."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, repo / name)
    for folder in ("src", "schemas", "templates"):
        shutil.copytree(
            ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo)]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run([*git, *args], check=True, capture_output=True, timeout=120)
    subprocess.run([*git, "tag", "v0.1.0"], check=True, capture_output=True, timeout=60)
    target = tmp_path / "site"
    _pip(
        "install",
        "--no-deps",
        "-q",
        "--target",
        str(target),
        f"git+{repo.as_uri()}@v0.1.0",
    )
    _check_target(target)


def test_every_readme_install_line_installs_this_project() -> None:
    """No README or hook line may install the unrelated "planctl" from the package index."""
    import re

    texts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    texts.append((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    installs = [m for t in texts for m in re.findall(r"pip install ([^\n`]*)", t)]
    assert installs
    for line in installs:
        line = re.split(r"&&|;|#|\|", line)[0]
        targets = [w.strip("'\"") for w in line.split() if not w.startswith("-")]
        for target in targets:
            assert (
                target in (".", ".[test]")
                or re.fullmatch(r"planctl-cn==\d+\.\d+\.\d+", target)
                or re.fullmatch(r"git\+\S+@v\d+\.\d+\.\d+", target)
            ), f"README installs {target!r}: use planctl-cn with a tagged version"
