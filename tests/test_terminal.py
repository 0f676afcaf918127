"""The terminal: progress on stderr, Chinese labels, language from the system, completion."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT, TODAY


def test_chinese_output_uses_chinese_severity_labels() -> None:
    from typer.testing import CliRunner

    from planctl.cli import app

    plan = str(FIXTURES / "broken" / "downstream-not-notified.yaml")
    r = CliRunner().invoke(app, ["validate", plan, "--today", TODAY, "--lang", "zh"])
    assert "NOT001 错误 " in r.output and " error " not in r.output
    r = CliRunner().invoke(app, ["validate", plan, "--today", TODAY, "--lang", "en"])
    assert "NOT001 error " in r.output


def test_windows_default_language_comes_from_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    import locale

    from planctl import output

    monkeypatch.setattr(sys, "platform", "win32")
    # no windll off Windows: the user's locale decides, as Python reports it on Windows
    monkeypatch.setattr(locale, "getlocale", lambda *a: ("Chinese (Simplified)_China", "936"))
    assert output.default_lang() == "zh"
    monkeypatch.setattr(locale, "getlocale", lambda *a: ("English_United States", "1252"))
    assert output.default_lang() == "en"

    class Kernel32:
        def __init__(self, langid: int) -> None:
            self.langid = langid

        def GetUserDefaultUILanguage(self) -> int:
            return self.langid

    import ctypes

    for langid, want in ((0x0804, "zh"), (0x0404, "zh"), (0x0409, "en")):
        windll = type("windll", (), {"kernel32": Kernel32(langid)})()
        monkeypatch.setattr(ctypes, "windll", windll, raising=False)
        assert output.default_lang() == want
    # an explicit variable still wins
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert output.default_lang() == "en"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bar_draws_on_stderr_even_with_stdout_redirected(
    tmp_path: Path, base_text: str
) -> None:
    import pty
    import select

    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (tmp_path / name).write_text(
            base_text.replace("id: example-two-county-river", f"id: plan-{name[0]}", 1),
            encoding="utf-8",
        )
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "planctl",
            "render",
            str(tmp_path),
            "-o",
            str(tmp_path / "out"),
            "-f",
            "md",
            "--today",
            TODAY,
        ],
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    stdout = proc.stdout.read() if proc.stdout else b""
    assert proc.wait(timeout=120) == 0, (stdout, seen)
    os.close(master)
    # stdout holds only the "plan -> output" lines: no bar, no cursor control
    assert stdout.count(b" -> ") == 3 and b"\x1b" not in stdout
    # the terminal on stderr got the bar (rich draws the task name and moves the cursor)
    assert b"render" in seen and b"\x1b[" in seen


def test_shell_completion_is_enabled() -> None:
    exe = shutil.which("planctl", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("planctl console script not installed next to this Python")
    env = {
        **os.environ,
        "_PLANCTL_COMPLETE": "complete_bash",
        "COMP_WORDS": "planctl val",
        "COMP_CWORD": "1",
    }
    r = subprocess.run([exe], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and r.stdout.split() == ["validate"]
    r = subprocess.run(
        [exe, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert "--install-completion" in r.stdout


def test_render_messages_follow_lang(tmp_path: Path, base_text: str) -> None:
    from typer.testing import CliRunner

    from planctl.cli import app

    (tmp_path / "plan.yaml").write_text(
        base_text.replace("planctl: 1\n", "planctl: 1\nbogus: 1\n", 1), encoding="utf-8"
    )
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(
        app, ["render", str(tmp_path), "-o", str(out), "--lang", "zh", "-f", "md"]
    )
    assert "已跳过" in r.output and "拒绝生成" in r.output
    r = CliRunner().invoke(
        app, ["render", str(tmp_path), "-o", str(out), "--lang", "en", "-f", "md"]
    )
    assert "skipped" in r.output and "refused to render" in r.output
    assert ROOT.is_dir()
