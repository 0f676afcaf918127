"""Matrices for planners' tools: CSV that Excel reads, XLSX ready to filter and print, safe cells."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planctl.cli import app

from .conftest import ROOT, SAMPLES

BASE = ROOT / "src" / "planctl" / "data" / "example-base.yaml"
RIVER = SAMPLES / "zhuozhang-water-pollution.yaml"
HOSTILE = ["=1+2", "+86 10 1234", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x")']


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_csv_file_has_a_bom_and_is_one_table(tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    r = _invoke("matrix", str(BASE), "-t", "notification", "-f", "csv", "-o", str(out))
    assert r.exit_code == 0, r.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["编号", "类型", "发送方", "接收方"]
    assert len({len(r) for r in rows}) == 1  # one table: every row has the header's width
    r = _invoke(
        "matrix",
        str(BASE),
        "-t",
        "notification",
        "-f",
        "csv",
        "-o",
        str(out),
        "--encoding",
        "utf-8",
    )
    assert r.exit_code == 0 and not out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_all_tables_as_csv_is_one_file_per_table(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    r = _invoke("matrix", str(RIVER), "-t", "all", "-f", "csv", "-o", str(folder))
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in folder.glob("*.csv"))
    assert names == sorted(
        ["responsibility.csv", "notification.csv", "command.csv", "resources.csv", "contacts.csv"]
    )
    for p in folder.glob("*.csv"):
        rows = list(csv.reader(io.StringIO(p.read_text(encoding="utf-8-sig"))))
        assert len({len(r) for r in rows}) == 1, p.name
    # to stdout only one table fits
    r = _invoke("matrix", str(RIVER), "-t", "all", "-f", "csv")
    assert r.exit_code == 2 and "one table" in r.output
    # and a file where a folder is needed is refused, not overwritten
    f = tmp_path / "x.csv"
    f.write_text("mine", encoding="utf-8")
    assert _invoke("matrix", str(RIVER), "-t", "all", "-f", "csv", "-o", str(f)).exit_code == 2
    assert f.read_text(encoding="utf-8") == "mine"


def test_formula_cells_are_neutralised_in_csv() -> None:
    from planctl.render.tables import to_csv

    text = to_csv(["名称", "数量"], [[v, 5] for v in HOSTILE] + [["正常", -3]])
    rows = list(csv.reader(io.StringIO(text)))
    for row, value in zip(rows[1:], HOSTILE, strict=False):
        assert row[0] == "'" + value
    assert rows[-1] == ["正常", "-3"]  # a number is not text, so not neutralised


def _hostile_plan(tmp_path: Path, base_text: str) -> Path:
    evil = '\'=HYPERLINK("http://e","甲县")\''
    text = base_text.replace("short_name: 甲县", f"short_name: {evil}", 1)
    text = text.replace("    name: 甲县人民政府", "    name: '@SUM(1+1)*cmd|甲县人民政府'", 1)
    assert text != base_text
    p = tmp_path / "plan.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_xlsx_layout_print_setup_numbers_and_no_formulas(tmp_path: Path, base_text: str) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "m.xlsx"
    r = _invoke("matrix", str(RIVER), "-t", "all", "-f", "xlsx", "-o", str(out))
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    ws = wb["跨区域职责分工矩阵"]
    assert [c.value for c in ws[1]][:3] == ["阶段", "编号", "职责任务"]
    assert ws.freeze_panes == "D2"  # header row and the duty column stay in view
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"
    # widths by display width: the duty column (CJK text) is far wider than the id column
    assert ws.column_dimensions["C"].width > 2 * ws.column_dimensions["B"].width
    assert ws.column_dimensions["B"].width >= len("D-P-01")
    res = wb["应急资源承诺一览表"]
    header = [c.value for c in res[1]]
    q, u = header.index("数量"), header.index("单位")
    assert u == q + 1
    quantities = [row[q].value for row in res.iter_rows(min_row=2)]
    assert quantities and all(isinstance(v, (int, float)) for v in quantities if v != "—")
    assert any(isinstance(v, (int, float)) for v in quantities)
    assert all(row[u].value for row in res.iter_rows(min_row=2) if row[q].value != "—")
    # formula injection: the hostile name is stored as text, never as a formula
    hostile = _hostile_plan(tmp_path, base_text)
    out2 = tmp_path / "h.xlsx"
    r = _invoke("matrix", str(hostile), "-t", "all", "-f", "xlsx", "-o", str(out2))
    assert r.exit_code == 0, r.output
    wb = load_workbook(out2)
    found = 0
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    found += 1
                    assert cell.data_type == "s"
    assert found
    import zipfile

    with zipfile.ZipFile(out2) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets"))
    # same plan, same bytes
    again = tmp_path / "again.xlsx"
    _invoke("matrix", str(hostile), "-t", "all", "-f", "xlsx", "-o", str(again))
    assert again.read_bytes() == out2.read_bytes()


def test_csv_of_a_hostile_plan_is_neutralised(tmp_path: Path, base_text: str) -> None:
    hostile = _hostile_plan(tmp_path, base_text)
    folder = tmp_path / "t"
    assert (
        _invoke("matrix", str(hostile), "-t", "all", "-f", "csv", "-o", str(folder)).exit_code == 0
    )
    cells = [
        c
        for p in folder.glob("*.csv")
        for row in csv.reader(io.StringIO(p.read_text(encoding="utf-8-sig")))
        for c in row
    ]
    assert any("HYPERLINK" in c for c in cells)
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)


def test_piped_matrix_shows_the_full_duty_text() -> None:
    from planctl.loader import load_file

    doc = load_file(RIVER)
    actions = [d["action"] for d in doc.data["duties"]]
    r = subprocess.run(
        [sys.executable, "-m", "planctl", "matrix", str(RIVER)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "80"},
    )
    assert r.returncode == 0, r.stderr
    flat = "".join(r.stdout.split())
    for action in actions:
        assert "".join(action.split()) in flat
    assert "…" not in r.stdout


@pytest.mark.parametrize("lang,word", [("zh", "请先运行"), ("en", "run planctl validate")])
def test_matrix_messages_follow_lang(lang: str, word: str) -> None:
    r = _invoke("matrix", str(ROOT / "tests/fixtures/broken/yaml-syntax.yaml"), "--lang", lang)
    assert r.exit_code == 2 and word in r.output


def _letterhead(tmp_path: Path) -> Path:
    """The shipped reference.docx with a marker style, as an office's own copy would be."""
    import zipfile

    from planctl.render.templates import reference_docx

    out = tmp_path / "office" / "letterhead.docx"
    out.parent.mkdir()
    with zipfile.ZipFile(reference_docx()) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "word/styles.xml":
                marker = (
                    b'<w:style w:type="paragraph" w:customStyle="1" w:styleId="OfficeMarker">'
                    b'<w:name w:val="Office Marker 9f3a"/></w:style></w:styles>'
                )
                body = body.replace(b"</w:styles>", marker)
            dst.writestr(info, body)
    return out


def test_render_uses_the_offices_reference_docx(tmp_path: Path, base_text: str) -> None:
    import zipfile

    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text, encoding="utf-8")
    letterhead = _letterhead(tmp_path)

    def styles(folder: Path) -> bytes:
        [docx] = list(folder.glob("*.docx"))
        with zipfile.ZipFile(docx) as z:
            return z.read("word/styles.xml")

    out = tmp_path / "out1"
    r = _invoke(
        "render",
        str(plan),
        "-o",
        str(out),
        "--today",
        "2026-11-28",
        "--reference-docx",
        str(letterhead),
    )
    assert r.exit_code == 0, r.output
    assert b"Office Marker 9f3a" in styles(out)
    # the same through planctl.yaml, relative to the config file; the shipped file is untouched
    (tmp_path / "planctl.yaml").write_text(
        "reference_docx: office/letterhead.docx\n", encoding="utf-8"
    )
    out2 = tmp_path / "out2"
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = _invoke("render", "plan.yaml", "-o", "out2", "--today", "2026-11-28")
    finally:
        os.chdir(cwd)
    assert r.exit_code == 0, r.output
    assert b"Office Marker 9f3a" in styles(out2)
    from planctl.render.templates import reference_docx

    assert b"Office Marker 9f3a" not in zipfile.ZipFile(reference_docx()).read("word/styles.xml")
    # a reference that is not a DOCX is refused before anything is written
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    out3 = tmp_path / "out3"
    r = _invoke("render", str(plan), "-o", str(out3), "--reference-docx", str(bad))
    assert r.exit_code == 2 and "not a DOCX" in r.output and not out3.exists()
    r = _invoke(
        "render", str(plan), "-o", str(out3), "--reference-docx", str(tmp_path / "nope.docx")
    )
    assert r.exit_code == 2 and "not found" in r.output


def test_terminal_matrix_shows_markup_and_controls_literally(base_text: str) -> None:
    import io as _io

    from planctl.render.tables import print_tables

    buf = _io.StringIO()
    print_tables({"command": (["响应级别", "牵头方"], [["[/]甲县[red]", "乙\x1b[2J县"]])}, buf)
    out = buf.getvalue()
    assert "[/]甲县[red]" in out and "\x1b" not in out and "\\e[2J" in out
