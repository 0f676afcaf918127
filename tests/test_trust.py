"""Issue #9: reading only what it should, nothing injected, bounded and clear on every input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from planctl import config as config_mod
from planctl.check import check_paths
from planctl.examples import base_text

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


# ---------------------------------------------------------------- configuration discovery


def _plan_repo(root: Path, git: bool = True) -> Path:
    (root / "plans").mkdir(parents=True)
    if git:
        (root / ".git").mkdir()
    (root / "plans" / "plan.yaml").write_text(base_text(), encoding="utf-8")
    return root / "plans" / "plan.yaml"


def test_discovery_stops_at_the_given_directory_without_git(tmp_path: Path) -> None:
    (tmp_path / "planctl.yaml").write_text("ignore: [CON]\n", encoding="utf-8")  # stray, above
    plan = _plan_repo(tmp_path / "work", git=False)
    assert config_mod.find(plan.parent) is None
    assert config_mod.find(plan) is None


def test_discovery_stops_at_the_git_root_and_uses_the_plans_repository(tmp_path: Path) -> None:
    (tmp_path / "planctl.yaml").write_text("ignore: [CON]\n", encoding="utf-8")  # outside repo
    plan = _plan_repo(tmp_path / "repo")
    assert config_mod.find(plan) is None
    cfg = tmp_path / "repo" / "planctl.yaml"
    cfg.write_text("fail_on: warning\n", encoding="utf-8")
    assert config_mod.find(plan) == cfg.resolve() or config_mod.find(plan) == cfg
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = cli("validate", str(plan), "--today", TODAY, cwd=elsewhere)
    # the repository's fail_on: warning applies although the working directory is elsewhere
    plain = cli("validate", str(plan), "--today", TODAY, "--fail-on", "error", cwd=elsewhere)
    assert (r.returncode, plain.returncode) in ((1, 0), (0, 0), (1, 1))
    assert "Traceback" not in r.stderr


def test_both_config_names_in_one_folder_are_refused(tmp_path: Path) -> None:
    plan = _plan_repo(tmp_path)
    (tmp_path / "planctl.yaml").write_text("fail_on: error\n", encoding="utf-8")
    (tmp_path / ".planctl.yaml").write_text("fail_on: info\n", encoding="utf-8")
    with pytest.raises(config_mod.ConfigError, match="both"):
        config_mod.find(plan)
    r = cli("validate", str(plan), "--today", TODAY)
    assert r.returncode == 2 and "both" in r.stderr


def test_config_linked_outside_the_repository_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    plan = _plan_repo(tmp_path / "repo")
    (tmp_path / "repo" / "planctl.yaml").symlink_to(secret)
    r = cli("validate", str(plan), "--today", TODAY)
    assert r.returncode == 2 and "outside" in r.stderr and "hunter2" not in r.stderr + r.stdout


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no FIFOs")
def test_config_option_guards(tmp_path: Path) -> None:
    import os

    plan = _plan_repo(tmp_path)
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    r = cli("validate", str(plan), "--config", str(fifo), "--today", TODAY, timeout=20)
    assert r.returncode == 2 and "regular file" in r.stderr
    r = cli("validate", str(plan), "--config", "/dev/zero", "--today", TODAY, timeout=20)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("lang: zh  # 中文注释\n".encode("gbk"))
    r = cli("validate", str(plan), "--config", str(gbk), "--today", TODAY)
    assert r.returncode == 2 and "UTF-8" in r.stderr and "GBK" in r.stderr
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (config_mod.MAX_CONFIG_BYTES + 10) + b"\n")
    r = cli("validate", str(plan), "--config", str(big), "--today", TODAY)
    assert r.returncode == 2 and "larger" in r.stderr


def test_file_swapped_for_a_symlink_is_not_followed(tmp_path: Path) -> None:
    from planctl.write import open_regular

    target = tmp_path / "secret.yaml"
    target.write_text("x: 1\n", encoding="utf-8")
    link = tmp_path / "plan.yaml"
    link.symlink_to(target)
    with pytest.raises(OSError):
        open_regular(link)


# ---------------------------------------------------------------- bounded and clear


def _findings(text: str) -> list[tuple[str, int, int, str]]:
    from planctl.check import validate
    from planctl.loader import load_text

    return [(f.code, f.line, f.col, f.text("en")) for f in validate(load_text(text), today=TODAY)]


def test_control_character_is_located(tmp_path: Path) -> None:
    text = base_text().replace("title: ", "title: \x07", 1)
    line = text.split("\x07")[0].count("\n") + 1
    [(code, at, col, message)] = _findings(text)
    assert (code, at) == ("YAML001", line) and col > 1 and "U+0007" in message


def test_huge_numbers_are_located_findings(tmp_path: Path) -> None:
    import re

    text = base_text()
    m = re.search(r"quantity: (\d+)", text)
    assert m
    big = text.replace(m.group(0), "quantity: " + "9" * 5000, 1)
    found = _findings(big)
    assert found and found[0][0] == "SCH003" and found[0][1] == text[: m.start()].count("\n") + 1
    also = text.replace(m.group(0), "quantity: 99999999999", 1)
    assert [f[0] for f in _findings(also)] == ["SCH004"]
    d = re.search(r"within: (PT\w+)", text)
    assert d
    long = text.replace(d.group(0), "within: PT" + "9" * 400 + "M", 1)
    found = _findings(long)
    assert found[0][0] == "SCH004" and "too large" in found[0][3]
    plan = tmp_path / "plan.yaml"
    plan.write_text(long, encoding="utf-8")
    for args in (["render", str(plan), "-o", str(tmp_path / "o")], ["matrix", str(plan)]):
        r = cli(*args)
        assert r.returncode in (1, 2) and "Traceback" not in r.stderr
        assert "internal error" not in r.stderr


def test_arabic_indic_digits_are_refused() -> None:
    from planctl import durations

    with pytest.raises(ValueError):
        durations.parse("PT٣٠M")
    text = base_text().replace('version: "1.0"', 'version: "١.٠"', 1)
    assert text != base_text()
    assert [f[0] for f in _findings(text)] == ["SCH004"]


@pytest.mark.parametrize(
    ("typed", "reads"), [("yes", "true"), ("22:30", "1350"), ("0755", "493"), ("off", "false")]
)
def test_yaml_1_1_surprises_are_explained(typed: str, reads: str) -> None:
    text = base_text().replace("title: ", f"title: {typed} #", 1)
    [(code, _, _, message)] = _findings(text)
    assert code == "SCH003" and f"reads {typed} as {reads}" in message and f"'{typed}'" in message


def test_full_width_colon_is_reported_where_it_was_typed() -> None:
    text = base_text().replace("  title: ", "  title：", 1)
    line = text.split("title：")[0].count("\n") + 1
    [(code, at, col, message)] = _findings(text)
    assert (code, at) == ("YAML001", line) and "full-width colon" in message and col == 8


def test_self_referencing_alias_and_long_plain_list() -> None:
    [(code, _, _, message)] = _findings("a: &x [1, *x]\n")
    assert code == "YAML001" and "self-referencing" in message
    from planctl.loader import MAX_NODES

    long = "x: [" + ",".join(["1"] * (MAX_NODES + 5)) + "]\n"
    [(code, _, _, message)] = _findings(long)
    assert code == "YAML005" and "alias" not in message and "split the file" in message


# ---------------------------------------------------------------- nothing injected


def _hostile_plan(tmp_path: Path) -> Path:
    text = base_text().replace(
        "title: ", 'title: "\\e]0;pwned\\a\\e[2J\\n::error::x\\n::add-mask::y" #', 1
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    return plan


def test_text_and_github_output_escape_controls_and_line_breaks(tmp_path: Path) -> None:
    plan = _hostile_plan(tmp_path)
    for fmt in ("text", "github", "json", "sarif", "junit", "gitlab"):
        r = cli("validate", str(plan), "-f", fmt, "--today", TODAY)
        assert "Traceback" not in r.stderr, fmt
        assert "\x1b" not in r.stdout and "\x07" not in r.stdout, fmt
        lines = r.stdout.splitlines()
        assert not any(line.startswith(("::add-mask", "::error::x")) for line in lines), fmt
    r = cli("validate", str(plan), "-f", "github", "--today", TODAY)
    assert all(
        line.startswith("::") or line.startswith("Checked") for line in r.stdout.splitlines()
    )


def test_render_stderr_escapes_plan_text(tmp_path: Path) -> None:
    text = base_text().replace("name: 甲县人民政府", 'name: "甲县\\e[31m\\n::error::forged"', 1)
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    r = cli("render", str(plan), "-o", str(tmp_path / "o"), "--final")
    assert r.returncode != 0 and "\x1b" not in r.stderr
    assert not any(line.startswith("::") for line in r.stderr.splitlines())


def test_one_markdown_escaping_for_render_and_matrix(tmp_path: Path) -> None:
    from planctl.render import markdown, tables
    from planctl.textsafe import escape_markdown

    assert markdown._text.__code__.co_names.count("escape_markdown") == 1
    evil = "正常\n# 标题\n```\n- 列表\n1. 编号\n<script>|"
    block = escape_markdown(evil)
    assert "\n#" not in block and "\n```" not in block and "\n-" not in block
    assert "<script>" not in block and "\n1." not in block
    cell = escape_markdown(evil, inline=True)
    assert "\n" not in cell and "\\|" in cell
    md = tables.to_markdown({"responsibility": (["任务"], [[evil]])})
    assert "\n# " not in md and "<script>" not in md


def test_non_utf8_file_names_in_every_format(tmp_path: Path) -> None:
    import os

    name = "预案.yaml".encode("gbk")
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, name), "wb") as fh:
        fh.write(base_text().replace("title: ", "title: yes #", 1).encode("utf-8"))
    env = dict(os.environ, PYTHONIOENCODING="utf-8:strict", LC_ALL="C.UTF-8")
    for fmt in ("text", "json", "github", "sarif", "junit", "gitlab"):
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "planctl",
                "validate",
                str(tmp_path),
                "-f",
                fmt,
                "--today",
                TODAY,
            ],
            capture_output=True,
            env=env,
        )
        assert r.returncode == 1, (fmt, r.stderr)
        assert b"Traceback" not in r.stderr
        out = r.stdout.decode("utf-8")
        if fmt in ("json", "sarif", "gitlab"):
            __import__("json").loads(out)


def test_text_output_caps_findings_per_file(tmp_path: Path) -> None:
    from planctl.output import MAX_SHOWN_PER_FILE

    extra = "".join(f"  bogus{i}: 1\n" for i in range(MAX_SHOWN_PER_FILE + 20))
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text().replace("metadata:\n", "metadata:\n" + extra, 1), encoding="utf-8")
    r = cli("validate", str(plan), "--today", TODAY, "--lang", "en")
    assert r.stdout.count("SCH002") == MAX_SHOWN_PER_FILE and "and 20 more" in r.stdout
    j = __import__("json").loads(cli("validate", str(plan), "-f", "json", "--today", TODAY).stdout)
    assert sum(f["code"] == "SCH002" for f in j["files"][0]["findings"]) == MAX_SHOWN_PER_FILE + 20


def test_bidi_character_is_a_finding_not_rendered_and_refused_by_final(tmp_path: Path) -> None:
    from planctl.render.api import RenderRefused, render_file
    from planctl.rules import Options

    text = base_text().replace("value: 0351-6000001", 'value: "0351-6000\\u202e001"', 1)
    assert text != base_text()
    found = [f for f in _findings(text) if f[0] == "TXT003"]
    assert found and found[0][2] > 1
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    opts = Options()
    opts.today = __import__("datetime").date.fromisoformat(TODAY)
    out = render_file(plan, tmp_path / "o", options=opts, fmt="md").output
    assert "\u202e" not in out.read_text("utf-8") and "0351-6000\ufffd001" in out.read_text("utf-8")
    final = tmp_path / "final.yaml"
    final.write_text(text.replace("status: draft", "status: review"), encoding="utf-8")
    with pytest.raises(RenderRefused, match="TXT003"):
        render_file(final, tmp_path / "o", options=opts, final=True)


# ---------------------------------------------------------------- environment and signals


def test_environment_problems_are_plain_messages(tmp_path: Path) -> None:
    import os

    plan = _plan_repo(tmp_path)
    (tmp_path / "planctl.yaml").write_text("exclude: ['']\n", encoding="utf-8")
    r = cli("validate", str(tmp_path), "--today", TODAY)
    assert r.returncode == 2 and "empty pattern" in r.stderr and "bug" not in r.stderr
    (tmp_path / "planctl.yaml").unlink()
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [sys.executable, "-m", "planctl", "validate", str(plan), "--today", TODAY],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert r.returncode == 2 and "bug" not in r.stderr and "Traceback" not in r.stderr
        r = subprocess.run(
            [sys.executable, "-m", "planctl", "matrix", str(plan), "-f", "csv"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert r.returncode == 2 and "None" not in r.stderr and "standard output" in r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "planctl", "validate", str(plan)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.close(1),
    )
    assert r.returncode == 2 and "bug" not in r.stderr and "Traceback" not in r.stderr
    long = tmp_path / ("a" * 300 + ".yaml")
    r = cli("validate", str(long))
    assert r.returncode == 2 and "bug" not in r.stderr
    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    r = cli("matrix", str(fifo), timeout=20)
    assert r.returncode == 2 and "no such file" not in r.stderr and "FIFO" in r.stderr


def test_interrupt_during_startup_prints_no_traceback(tmp_path: Path) -> None:
    import signal
    import time

    plan = _plan_repo(tmp_path)
    for delay in (0.08, 0.15, 0.4):
        p = subprocess.Popen(
            [sys.executable, "-m", "planctl", "validate", str(plan), "--today", TODAY],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        p.send_signal(signal.SIGINT)
        _out, err = p.communicate(timeout=60)
        assert "Traceback" not in err, (delay, err)
        # 130 with a message; or death by the signal itself (-2, silent) when it lands
        # while the interpreter starts or shuts down, outside any Python code
        assert p.returncode in (0, 130, -2), (delay, p.returncode, err)


@pytest.mark.parametrize("kind", ["interrupt", "terminate"])
def test_a_later_interrupt_says_so(monkeypatch, capsys, tmp_path: Path, kind: str) -> None:
    from planctl import cli
    from planctl._entry import Terminated

    def stop(*a, **k):
        raise KeyboardInterrupt if kind == "interrupt" else Terminated(15)

    from planctl import check

    monkeypatch.setattr(check, "check_document", stop)  # while the plans are checked
    plan = _plan_repo(tmp_path)
    monkeypatch.setattr(sys, "argv", ["planctl", "validate", str(plan)])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    err = capsys.readouterr().err
    if kind == "interrupt":
        assert exc.value.code == 130 and "interrupted" in err
    else:
        assert exc.value.code == 143 and "terminated" in err
    assert "Traceback" not in err


def test_termination_during_a_write_removes_the_temporary(tmp_path: Path, monkeypatch) -> None:
    import os

    from planctl import write
    from planctl._entry import Terminated

    def killed(fd: int) -> None:
        raise Terminated(15)

    monkeypatch.setattr(os, "fsync", killed)
    with pytest.raises(Terminated):
        write.atomic_write_bytes(tmp_path / "out.docx", b"data")
    assert list(tmp_path.iterdir()) == [] and not write.live_temporaries()


def test_stale_temporaries_are_swept_by_name_and_age(tmp_path: Path) -> None:
    import os
    import time

    from planctl import write

    stale = tmp_path / ".plan-v1.docx.planctl-abcd1234.tmp"
    fresh = tmp_path / ".plan-v1.docx.planctl-efgh5678.tmp"
    foreign = tmp_path / ".plan-v1.docx.abcd1234.tmp"
    for p in (stale, fresh, foreign):
        p.write_bytes(b"x")
    old = time.time() - 2 * write.STALE_SECONDS
    os.utime(stale, (old, old))
    os.utime(foreign, (old, old))
    write._SWEPT.discard(str(tmp_path.resolve()))
    write.atomic_write_bytes(tmp_path / "plan-v1.docx", b"new")
    assert not stale.exists() and fresh.exists() and foreign.exists()


def test_replacing_a_file_keeps_its_mode(tmp_path: Path) -> None:
    from planctl.render.api import render_file
    from planctl.rules import Options

    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text(), encoding="utf-8")
    opts = Options()
    opts.today = __import__("datetime").date.fromisoformat(TODAY)
    out = render_file(plan, tmp_path / "o", options=opts).output
    out.chmod(0o600)
    render_file(plan, tmp_path / "o", options=opts)
    assert out.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("index", range(7))
def test_hostile_file_names_through_every_format(tmp_path: Path, index: int) -> None:
    import os

    from planctl.output import FORMATTERS, OutputContext, format_report

    from .fuzzing import HOSTILE_NAMES

    name = HOSTILE_NAMES[index]
    with open(os.path.join(os.fsencode(tmp_path), name), "wb") as fh:
        fh.write(base_text().replace("title: ", "title: yes #", 1).encode("utf-8"))
    report = check_paths([tmp_path])
    assert report.findings
    for fmt in FORMATTERS:
        out = format_report(fmt, report, OutputContext(lang="en"))
        out.encode("utf-8")  # strict
        assert "\x1b" not in out and "\n::error::x" not in out


def test_link_swapped_in_after_discovery_is_not_followed(tmp_path: Path) -> None:
    from planctl.loader import load_file

    real = tmp_path / "real.yaml"
    real.write_text(base_text(), encoding="utf-8")
    link = tmp_path / "plan.yaml"
    link.symlink_to(real)
    assert load_file(link).data is not None  # a link the user named is followed
    with pytest.raises(OSError):
        load_file(link, follow_links=False)  # discovery saw a file; now it is a link
    report = check_paths([tmp_path])  # a link inside the folder, to a file inside it
    assert not report.findings


def test_config_linked_inside_the_repository_is_read(tmp_path: Path) -> None:
    plan = _plan_repo(tmp_path)
    (tmp_path / "shared.yaml").write_text("fail_on: warning\n", encoding="utf-8")
    (tmp_path / "planctl.yaml").symlink_to(tmp_path / "shared.yaml")
    assert config_mod.load(config_mod.find(plan)).fail_on == "warning"
