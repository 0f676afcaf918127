"""Hostile input and output safety: issue #4's corpus, each bullet with its outcome."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from docx import Document

from planctl.check import check_paths, load_findings, validate
from planctl.examples import apply_patch, base_data, base_text, render
from planctl.loader import MAX_BYTES, load_file, load_text
from planctl.render.api import render_file
from planctl.rules import Options

from .conftest import ROOT, TODAY, soffice, to_pdf

OPTS = Options()
OPTS.today = __import__("datetime").date.fromisoformat(TODAY)


def test_fifty_megabyte_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "huge.yaml"
    with big.open("wb") as fh:
        fh.write(b"metadata:\n  scope: ")
        fh.write(b"x" * (50 * 1024 * 1024))
    real_read = Path.read_bytes

    def no_read(self: Path) -> bytes:
        assert self != big, "an oversized file must be refused on its size, unread"
        return real_read(self)

    import pytest as _pytest

    with _pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "read_bytes", no_read)
        doc = load_file(big)
    assert [f.code for f in load_findings(doc)] == ["YAML009"]
    assert MAX_BYTES == 20 * 1024 * 1024


def test_nul_bytes_inside_text(tmp_path: Path) -> None:
    p = tmp_path / "nul.yaml"
    text = base_text().encode()
    p.write_bytes(text + b"\x00\x00")
    # a stray NUL is located (issue #9), not reported at 1:1 as an encoding problem
    lines = text.count(b"\n") + 1
    assert [(f.code, f.line, f.col) for f in load_findings(load_file(p))] == [("YAML001", lines, 1)]
    p.write_bytes("中文".encode("utf-16-le") * 50)
    assert [f.code for f in load_findings(load_file(p))] == ["YAML003"]


def test_escaped_control_character_is_a_finding_and_rendering_stays_valid(tmp_path: Path) -> None:
    text = render(apply_patch(base_data(), 'duties.0.action: "在交界断面\\x0b投加活性炭"'))
    findings = validate(load_text(text), today=TODAY)
    assert "TXT001" in {f.code for f in findings}
    plan = tmp_path / "ctl.yaml"
    plan.write_text(text, encoding="utf-8")
    out = render_file(plan, tmp_path / "out", options=OPTS).output  # draft still renders
    doc = Document(str(out))
    assert any("在交界断面\ufffd投加活性炭" in p.text for p in doc.paragraphs)


def test_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "plan.yaml").write_text(base_text(), encoding="utf-8")
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    (repo / "evil.yaml").symlink_to(secret)
    report = check_paths([repo], OPTS)
    codes = {(Path(r.path).name, f.code) for r in report.files for f in r.findings}
    assert ("evil.yaml", "PTH001") in codes
    r = subprocess.run(
        [sys.executable, "-m", "planctl", "validate", str(repo), "--today", TODAY],
        capture_output=True,
        text=True,
    )
    assert "hunter2" not in r.stdout + r.stderr and r.returncode == 1


def _thirty_party_docx(tmp_path: Path) -> Path:
    """A 34-party plan with a very long scope, rendered to DOCX."""
    data = base_data()
    for i in range(32):
        pid = f"county-{i:02d}"
        data["parties"].append(
            {
                "id": pid,
                "name": f"第{i + 1}县人民政府",
                "short_name": f"第{i + 1}县",
                "level": "county",
                "signatory": {"organ": f"第{i + 1}县人民政府", "title": "县长"},
                "contacts": [
                    {
                        "kind": "duty_24h",
                        "channel": "phone",
                        "value": f"0300-60000{i:02d}",
                        "unit": "县应急管理局值班室",
                        "owner": "县应急管理局办公室",
                        "verified_on": "2026-10-01",
                    }
                ],
            }
        )
        data["duties"][1].setdefault("support", []).append(pid)
    data["metadata"]["scope"] = "适用于" + "清水河流域" * 400 + "突发水污染事件。"
    plan = tmp_path / "big.yaml"
    plan.write_text(render(data), encoding="utf-8")
    return render_file(plan, tmp_path / "out", options=OPTS).output


def test_thirty_parties_render_with_split_matrices(tmp_path: Path) -> None:
    doc = Document(str(_thirty_party_docx(tmp_path)))
    # 34 parties: past readable column groups the matrix takes the office form
    duty_tables = [t for t in doc.tables if t.rows[0].cells[-3].text == "牵头单位"]
    assert len(duty_tables) == 1 and len(duty_tables[0].columns) == 6


@pytest.mark.slow
@pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed")
def test_libreoffice_opens_the_thirty_party_document(tmp_path: Path) -> None:
    """CI installs LibreOffice (.ci/run): the large document still opens and prints."""
    assert to_pdf(_thirty_party_docx(tmp_path), tmp_path).stat().st_size > 10_000


KILLER = textwrap.dedent(
    """
    import os, sys, time
    import planctl.write as w
    real_fsync = os.fsync
    def slow_fsync(fd):
        real_fsync(fd)
        print("WRITING", flush=True)
        time.sleep(30)
    w.os.fsync = slow_fsync
    from planctl.render.api import render_file
    from planctl.rules import Options
    import datetime
    render_file(sys.argv[1], sys.argv[2], options=Options(today=datetime.date(2026, 11, 28)), force=True)
    """
)


def test_kill_9_during_render_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text(), encoding="utf-8")
    out_dir = tmp_path / "out"
    good = render_file(plan, out_dir, options=OPTS).output
    before = good.read_bytes()
    plan.write_text(base_text().replace("县长", "代县长"), encoding="utf-8")  # a different document
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLER, str(plan), str(out_dir)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "WRITING"  # the new file is being written now
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert good.read_bytes() == before
    Document(str(good))  # still a valid document


def test_internal_error_exits_2_with_hint_and_debug_traceback(
    monkeypatch, capsys, tmp_path: Path
) -> None:
    from planctl import cli

    def boom(*a, **k):
        raise RuntimeError("simulated bug")

    from planctl import check

    # the engine itself fails (the text report streams through iter_checked, the other
    # formats go through check_paths: both call check_document)
    monkeypatch.setattr(check, "check_document", boom)
    plan = tmp_path / "p.yaml"
    plan.write_text(base_text(), encoding="utf-8")
    for argv, traceback_shown in (
        (["planctl", "validate", str(plan)], False),
        (["planctl", "--debug", "validate", str(plan)], True),
    ):
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as exc:
            cli.main()
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert "internal error" in err and "report" in err
        assert ("Traceback" in err) is traceback_shown


def test_debug_is_per_run_and_reaches_the_rules(monkeypatch, capsys, tmp_path: Path) -> None:
    """--debug lives on the typer context: it does not leak into the next main() call,
    and it makes a crashing rule raise (a traceback) instead of becoming INT001."""
    from planctl import cli
    from planctl.rules import registry

    rule = registry.get("MNT001")

    def boom(ctx):
        raise RuntimeError("simulated rule bug")
        yield  # a generator like every rule

    monkeypatch.setattr(rule, "check_fn", boom)
    plan = tmp_path / "p.yaml"
    plan.write_text(base_text(), encoding="utf-8")
    for argv, traceback_shown in (
        (["planctl", "--debug", "validate", str(plan)], True),
        (["planctl", "validate", "--format", "json", str(plan)], False),
    ):
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as exc:
            cli.main()
        captured = capsys.readouterr()
        assert ("Traceback" in captured.err) is traceback_shown
        if traceback_shown:
            assert exc.value.code == 2 and "simulated rule bug" in captured.err
        else:
            assert "INT001" in captured.out


# --- regressions found by an adversarial review ---------------------------------------
def _cli(*args: str, cwd: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL")}
    return subprocess.run(
        [sys.executable, "-m", "planctl", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('ignore: [""]\n', "matches no rule"),
        ("select: [ZZZ]\n", "matches no rule"),
        ("lang: fr\n", "lang must be zh or en"),
        ("profile: nope\n", "unknown legal profile"),
        ("contact_max_age_months: true\n", "whole number"),
        ("contact_max_age_months: 0\n", "whole number"),
        ("ignore: [CON003]\nignore: [DUTY003]\n", "twice"),
        ("severity: {NOPE001: error}\n", "unknown rule"),
    ],
)
def test_bad_configuration_is_refused(tmp_path: Path, config: str, message: str) -> None:
    (tmp_path / "plan.yaml").write_text(base_text(), encoding="utf-8")
    (tmp_path / "planctl.yaml").write_text(config, encoding="utf-8")
    r = _cli("validate", "plan.yaml", "--today", TODAY, cwd=tmp_path)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_empty_path_argument_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(base_text(), encoding="utf-8")
    for cmd in ("validate", "render"):
        r = _cli(cmd, "", cwd=tmp_path)
        assert r.returncode == 2 and "empty path" in r.stderr


def test_matrix_never_overwrites_without_force(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text(), encoding="utf-8")
    r = _cli("matrix", "plan.yaml", "-f", "md", "-o", "plan.yaml", cwd=tmp_path)
    assert r.returncode == 2 and plan.read_text("utf-8") == base_text()
    notes = tmp_path / "notes.csv"
    notes.write_text("my notes\n", encoding="utf-8")
    assert _cli("matrix", "plan.yaml", "-f", "csv", "-o", "notes.csv", cwd=tmp_path).returncode == 2
    assert notes.read_text("utf-8") == "my notes\n"
    assert (
        _cli(
            "matrix", "plan.yaml", "-f", "csv", "-o", "notes.csv", "--force", cwd=tmp_path
        ).returncode
        == 0
    )


def test_render_refuses_two_plans_with_one_name_and_a_file_as_output_dir(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(base_text(), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(base_text().replace("县长", "常务副县长"), encoding="utf-8")
    r = _cli("render", "a.yaml", "b.yaml", "-o", "out", "--today", TODAY, cwd=tmp_path)
    assert r.returncode == 1 and "already written in this run" in r.stderr
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    r = _cli("render", "a.yaml", "-o", "afile", cwd=tmp_path)
    assert r.returncode == 2 and "must be a directory" in r.stderr


def test_a_planctl_docx_edited_in_word_is_not_replaced(tmp_path: Path) -> None:
    import zipfile

    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text(), encoding="utf-8")
    out = render_file(plan, tmp_path / "out", options=OPTS).output
    edited = tmp_path / "edited.docx"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(edited, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = data.replace(
                    b"<cp:lastModifiedBy>planctl<", b"<cp:lastModifiedBy>Zhang Wei<"
                )
            dst.writestr(item, data)
    edited.replace(out)
    before = out.read_bytes()
    with pytest.raises(Exception, match="--force"):
        render_file(plan, tmp_path / "out", options=OPTS)
    assert out.read_bytes() == before


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ('metadata.version: "1.0\\n"', "SCH004"),
        ("parties.0.id: |\n  jia\n", "SCH004"),
        ("metadata.issued: '0000-01-01'", "SCH004"),
        ("resources.0.quantity: .inf", "SCH003"),
        ("resources.0.quantity: .nan", "SCH003"),
    ],
)
def test_values_that_look_right_but_are_not(patch: str, code: str) -> None:
    import yaml as _yaml

    text = render(apply_patch(base_data(), patch))
    if ".inf" in patch or ".nan" in patch:  # dumping turns them into floats; keep the YAML form
        text = text.replace("quantity: .inf", "quantity: .inf").replace(
            "quantity: .nan", "quantity: .nan"
        )
        assert _yaml.safe_load(text)
    assert code in {f.code for f in validate(load_text(text), today=TODAY)}


def test_far_future_and_far_past_dates_do_not_crash() -> None:
    text = render(
        apply_patch(
            base_data(),
            "metadata.review_due: '9999-12-31'\nmaintenance.drills.0.date: '9999-12-31'",
        )
    )
    assert "INT001" not in {f.code for f in validate(load_text(text), today=TODAY)}
    assert "INT001" not in {f.code for f in validate(load_text(base_text()), today="0001-01-01")}


def test_suppression_inside_a_quoted_value_is_not_a_comment() -> None:
    inside = base_text().replace(
        "signatory: {organ: 乙县人民政府, title: 县长}",
        "signatory: {organ: 乙县人民政府, title: 县长, name: '待定 # planctl: ignore TXT002 -- later'}",
    )
    assert "TXT002" in {f.code for f in validate(load_text(inside), today=TODAY)}
    outside = base_text().replace(
        "signatory: {organ: 乙县人民政府, title: 县长}",
        "signatory: {organ: 乙县人民政府, title: 县长, name: 待定}  # planctl: ignore TXT002 -- 换届后确定",
    )
    assert "TXT002" not in {f.code for f in validate(load_text(outside), today=TODAY)}


def test_final_refuses_draft_status_and_blank_lines(tmp_path: Path) -> None:
    from planctl.render.api import RenderRefused

    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text().replace("status: approved", "status: draft"), encoding="utf-8")
    with pytest.raises(RenderRefused, match="status"):
        render_file(plan, tmp_path / "out", final=True, options=OPTS)
    plan.write_text(
        base_text().replace("value: 0310-7000002", "value: 0310-_______"), encoding="utf-8"
    )
    with pytest.raises(RenderRefused, match="placeholder"):
        render_file(plan, tmp_path / "out", final=True, options=OPTS)


def test_wrong_kind_of_level_is_named() -> None:
    text = render(apply_patch(base_data(), "notifications.limits.0.levels: [I, II, III, L2]"))
    [f] = [f for f in validate(load_text(text), today=TODAY) if f.code == "REF001"]
    assert "response level" in f.text("en") and "响应级别" in f.text("zh")


def test_linked_folder_outside_is_reported_not_walked(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "plan.yaml").write_text(base_text(), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.yaml").write_text("password: hunter2\n", encoding="utf-8")
    (repo / "linked").symlink_to(elsewhere, target_is_directory=True)
    report = check_paths([repo], OPTS)
    refused = [r for r in report.files if any(f.code == "PTH001" for f in r.findings)]
    assert [Path(r.path).name for r in refused] == ["linked"]


def test_a_folder_where_the_document_goes_is_a_machine_problem_named_by_its_path(
    tmp_path: Path,
) -> None:
    """--force over a directory that has the document's name: exit 2 (as validate and matrix
    do for what the machine refuses), naming that path, never planctl's temporary file."""
    (tmp_path / "a.yaml").write_text(base_text(), encoding="utf-8")
    first = _cli("render", "a.yaml", "-o", "out", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    [docx] = (tmp_path / "out").glob("*.docx")
    docx.unlink()
    docx.mkdir()
    (docx / "keep.txt").write_text("mine", encoding="utf-8")
    r = _cli("render", "a.yaml", "-o", "out", "--force", cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert docx.name in r.stderr and ".planctl-" not in r.stderr, r.stderr
    assert (docx / "keep.txt").read_text("utf-8") == "mine"
    assert not [p for p in (tmp_path / "out").iterdir() if ".planctl-" in p.name]


def test_a_failed_write_names_the_target_not_the_temporary(tmp_path: Path) -> None:
    from planctl.write import atomic_write_bytes

    target = tmp_path / "doc.docx"
    target.mkdir()
    with pytest.raises(IsADirectoryError) as info:
        atomic_write_bytes(target, b"x")
    assert info.value.filename == str(target)
    assert [p.name for p in tmp_path.iterdir()] == ["doc.docx"]


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit", "gitlab"])
def test_a_report_replaces_only_a_report(tmp_path: Path, fmt: str) -> None:
    """``validate -o notes.txt`` replaced the user's notes with a report (only plan files were
    protected); a report from an earlier run is still replaced."""
    (tmp_path / "plan.yaml").write_text(base_text(), encoding="utf-8")
    notes = tmp_path / "notes.txt"
    notes.write_text("会议纪要：联络员名单待补\n", encoding="utf-8")
    r = _cli("validate", "plan.yaml", "-f", fmt, "-o", "notes.txt", cwd=tmp_path)
    assert r.returncode == 2 and "not a planctl report" in r.stderr, r.stderr
    assert notes.read_text("utf-8") == "会议纪要：联络员名单待补\n"
    for _ in range(2):  # written, then replaced by the next run
        r = _cli("validate", "plan.yaml", "-f", fmt, "-o", "report.out", cwd=tmp_path)
        assert r.returncode in (0, 1) and "not a planctl report" not in r.stderr, r.stderr


def test_a_json_file_with_a_version_and_files_is_not_taken_for_a_report(tmp_path: Path) -> None:
    """A package.json has "version" and "files" too; only planctl's report shape is replaced."""
    (tmp_path / "plan.yaml").write_text(base_text(), encoding="utf-8")
    package = tmp_path / "package.json"
    text = '{"name": "plans-site", "version": "1.0.0", "files": ["dist"]}\n'
    package.write_text(text, encoding="utf-8")
    r = _cli("validate", "plan.yaml", "-f", "json", "-o", "package.json", cwd=tmp_path)
    assert r.returncode == 2 and "not a planctl report" in r.stderr, r.stderr
    assert package.read_text("utf-8") == text


# -- loader messages that tell the truth ---------------------------------------------


@pytest.mark.parametrize(
    ("codec", "order", "zh"), [("utf-16-le", "LE", "小端"), ("utf-16-be", "BE", "大端")]
)
def test_utf16_without_a_bom_is_named_not_called_binary(
    tmp_path: Path, codec: str, order: str, zh: str
) -> None:
    p = tmp_path / "notepad.yaml"
    for text in (base_text(), "planctl: 1\nmetadata: {id: x}\n"):  # Chinese plan, plain ASCII
        p.write_bytes(text.encode(codec))
        [finding] = load_findings(load_file(p))
        assert (finding.code, finding.line, finding.col) == ("YAML003", 1, 1)
        assert f"UTF-16 {order} without BOM; save as UTF-8" in finding.message["en"]
        assert f"无 BOM 的 UTF-16（{zh}）" in finding.message["zh"]


def test_binary_with_nuls_is_still_binary(tmp_path: Path) -> None:
    import random
    import struct

    rng = random.Random(4)
    p = tmp_path / "table.yaml"
    blobs = [
        b"".join(struct.pack("<I", rng.randrange(1000)) for _ in range(2000)),  # NULs on both
        bytes(rng.choice([0, 0, 0, rng.randrange(256)]) for _ in range(4000)),
        # NUL in every other byte, as UTF-16 would have, but no text: U+0080-U+00FF only
        b"".join(bytes([rng.randrange(128, 256), 0]) for _ in range(2000)),
    ]
    for blob in blobs:
        p.write_bytes(blob)
        [finding] = load_findings(load_file(p))
        assert finding.code == "YAML003" and "binary" in finding.message["en"], blob[:20]


@pytest.mark.parametrize("digits", [19, 5000])
def test_an_overlong_number_is_called_too_long(digits: int) -> None:
    text = render(base_data())
    at = text.index("quantity: ") + len("quantity: ")
    end = text.index("\n", at)
    line = text.count("\n", 0, at) + 1
    findings = validate(load_text(text[:at] + "9" * digits + text[end:]), today=TODAY)
    [f] = [f for f in findings if f.code == "SCH003"]
    assert (f.line, f.col) == (line, at - text.rfind("\n", 0, at))
    assert f"a number of {digits:,} digits, too long (at most 18)" in f.message["en"]
    assert f"一个 {digits} 位的数字，位数过长（最多 18 位）" in f.message["zh"]
    assert "text '" not in f.message["en"]


@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan", "1.0e+999"])
def test_an_infinite_number_is_called_not_finite(number: str) -> None:
    text = render(base_data())
    at = text.index("quantity: ") + len("quantity: ")
    text = text[:at] + number + text[text.index("\n", at) :]
    [f] = [f for f in validate(load_text(text), today=TODAY) if f.code == "SCH003"]
    assert f"got {number}, not a finite number" in f.message["en"]
    assert "text '" not in f.message["en"]


@pytest.mark.parametrize("levels", [201, 999, 1001, 5000])
@pytest.mark.parametrize("style", ["flow", "block", "mapping"])
def test_deep_nesting_is_reported_where_it_passes_the_limit(levels: int, style: str) -> None:
    # libyaml stops at 1,000 levels: its error was reported 800 levels (and lines) too deep
    base = render(base_data())
    first = base.count("\n") + 1  # the line of "deep:"
    if style == "flow":
        tail, where = "deep: " + "[" * levels + "]" * levels + "\n", (first, 6 + 201)
    elif style == "block":
        tail = (
            "deep:\n" + "".join("  " * k + "-\n" for k in range(levels)) + "  " * levels + "- 1\n"
        )
        where = (first + 201, 2 * 200 + 1)
    else:
        tail = (
            "deep:\n"
            + "".join("  " * k + f"k{k}:\n" for k in range(1, levels))
            + "  " * levels
            + "v: 1\n"
        )
        where = (first + 201, 2 * 201 + 1)  # the key k201
    [f] = load_findings(load_text(base + tail))
    assert (f.code, f.line, f.col) == ("YAML006", *where)
