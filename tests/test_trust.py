"""Issue #9: reading only what it should, nothing injected, bounded and clear on every input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from planctl import config as config_mod
from planctl.check import check_paths

from .conftest import TODAY


def cli(*args: str, cwd: Path | None = None, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planctl", *args], capture_output=True, text=True, cwd=cwd, **kw
    )


@pytest.mark.parametrize(
    "config",
    [
        "ignore: [YAML, SCH]\n",
        "ignore: [YAML001]\n",
        "ignore: [S]\n",
        "severity: {YAML001: info}\n",
        "severity: {SCH002: warning}\n",
        "ignore: [PTH]\n",
    ],
)
def test_config_cannot_silence_yaml_or_schema_errors(tmp_path: Path, config: str) -> None:
    (tmp_path / ".git").mkdir()
    cfg = tmp_path / "planctl.yaml"
    cfg.write_text(config, encoding="utf-8")
    with pytest.raises(config_mod.ConfigError, match="cannot be"):
        config_mod.load(cfg)
    (tmp_path / "broken.yaml").write_text("metadata: [unclosed\n", encoding="utf-8")
    r = cli("validate", "broken.yaml", "--today", TODAY, cwd=tmp_path)
    assert r.returncode == 2 and "cannot be" in r.stderr


def test_select_does_not_hide_a_broken_file(tmp_path: Path) -> None:
    cfg = config_mod.Config(select=["NOT"])
    bad = tmp_path / "broken.yaml"
    bad.write_text("metadata: [unclosed\n", encoding="utf-8")
    report = check_paths([bad], None, cfg)
    assert [f.code for f in report.findings] == ["YAML001"]
    assert not report.files[0].rules_run
