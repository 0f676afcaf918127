"""The developer tooling the README promises: coverage that follows the CLI subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def test_coverage_follows_the_cli_subprocess_tests(tmp_path: Path) -> None:
    """Under `coverage run -m pytest`, a test that runs `python -m planctl` is measured too."""
    pytest.importorskip("coverage")
    script = tmp_path / "run_cli.py"
    script.write_text(
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-m', 'planctl', 'explain', 'NOT001', '--lang', 'en'],"
        " check=True, capture_output=True)\n",
        encoding="utf-8",
    )
    env = {**os.environ, "COVERAGE_FILE": str(tmp_path / ".coverage")}
    rc = str(ROOT / "pyproject.toml")

    def coverage(*args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "coverage", *args],
            check=True,
            capture_output=True,
            cwd=tmp_path,
            env=env,
            timeout=300,
        )

    coverage("run", f"--rcfile={rc}", str(script))
    coverage("combine", f"--rcfile={rc}", "-q")
    coverage("json", f"--rcfile={rc}", "-q", "-o", str(tmp_path / "cov.json"))
    files = json.loads((tmp_path / "cov.json").read_text("utf-8"))["files"]
    cli = next(v for k, v in files.items() if k.replace("\\", "/").endswith("planctl/cli.py"))
    explain = next(
        v for k, v in files.items() if k.replace("\\", "/").endswith("planctl/explain.py")
    )
    # only the child process ran planctl: its lines are there
    assert cli["summary"]["covered_lines"] > 50 and explain["summary"]["covered_lines"] > 10
