"""Matrices as terminal tables, CSV, XLSX and Markdown (one computation, many outputs)."""

from __future__ import annotations

import csv
import io
import sys
import unicodedata
from pathlib import Path
from typing import Any

from planctl.integrity import remember
from planctl.render.matrix import TABLE_TITLES
from planctl.textsafe import escape_markdown
from planctl.write import atomic_write_bytes

#: a cell: text, or a number (a quantity) that spreadsheets must see as a number
Cell = str | int | float | None
Tables = dict[str, tuple[list[str], list[list[Cell]]]]

#: the column a reader keeps in view while scrolling right (frozen in XLSX)
KEY_COLUMNS = {
    "responsibility": "职责任务",
    "notification": "编号",
    "command": "响应级别",
    "resources": "名称",
    "contacts": "参与方",
}
#: OWASP "CSV injection": a cell starting with one of these is a formula to Excel/WPS/LibreOffice
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")


class MatrixError(Exception):
    """The plan cannot be tabulated (YAML or schema errors); the CLI exits 2."""


def plan_tables(path: Path) -> tuple[Any, Tables]:
    """Load a plan and compute every matrix; refuse a plan the schema rejects.

    The matrices read the shape the schema promises, so a plan with YAML or
    schema errors is refused with a pointer to ``planctl validate``.
    """
    from planctl.loader import load_file
    from planctl.model import Plan
    from planctl.registry import resolve
    from planctl.render import matrix as mx
    from planctl.schema import check as schema_check

    doc = load_file(path)
    if doc.error is not None or resolve(doc) or schema_check(doc):
        raise MatrixError(f"{path} has YAML or schema errors; run planctl validate first")
    plan = Plan(doc.data)
    tables: Tables = {
        k: (h, [list[Cell](r) for r in rows]) for k, (h, rows) in mx.all_tables(plan).items()
    }
    return plan, tables


def with_quantities(tables: Tables, plan: Any) -> Tables:
    """Spreadsheet form: each resource quantity a number, its unit in a column of its own.

    "50套" in one cell cannot be summed or filtered; rows are matched by the
    resource id in the first column, so the row order stays the document's.
    """
    if "resources" not in tables:
        return tables
    header, rows = tables["resources"]
    if "数量" not in header:
        return tables
    q = header.index("数量")
    by_id = {r["id"]: r for r in plan.resources}
    new_rows: list[list[Cell]] = []
    for row in rows:
        res = by_id.get(str(row[0]), {})
        qty = res.get("quantity")
        if isinstance(qty, bool) or not isinstance(qty, (int, float)):
            value: Cell = row[q]  # absent, or a draft's 【待填：…】 marker: kept as text
            unit = res.get("unit", "") if qty is not None else ""
        else:
            value = int(qty) if float(qty).is_integer() and abs(qty) < 2**53 else qty
            unit = res.get("unit", "")
        new_rows.append([*row[:q], value, unit, *row[q + 1 :]])
    return {**tables, "resources": ([*header[: q + 1], "单位", *header[q + 1 :]], new_rows)}


def neutralise(value: Cell) -> Cell:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP).

    Numbers stay numbers: only text is ever evaluated as a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: list[str], rows: list[list[Cell]]) -> str:
    """One table as CSV (RFC 4180 quoting), every formula-looking cell neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for r in rows:
        writer.writerow(["" if c is None else neutralise(c) for c in r])
    return buf.getvalue()


def csv_files(tables: Tables, output: Path) -> dict[Path, str]:
    """Where each table goes: ``output`` itself for one table, ``output/<table>.csv`` for all.

    A CSV file holds exactly one table; several tables in one file is not CSV.
    """
    if len(tables) == 1:
        [(header, rows)] = tables.values()
        return {output: to_csv(header, rows)}
    return {output / f"{key}.csv": to_csv(h, r) for key, (h, r) in tables.items()}


def display_width(text: str) -> int:
    """Columns a text takes: CJK (wide and full-width) characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def to_markdown(tables: Tables) -> str:
    out = []
    for key, (header, rows) in tables.items():
        out.append(f"### {TABLE_TITLES[key]}\n")
        out.append("| " + " | ".join(escape_markdown(h, inline=True) for h in header) + " |")
        out.append("|" + "---|" * len(header))
        for r in rows:
            out.append(
                "| "
                + " | ".join(escape_markdown("" if c is None else str(c), inline=True) for c in r)
                + " |"
            )
        out.append("")
    return "\n".join(out)


def to_xlsx(tables: Tables) -> bytes:
    """One sheet per table, ready for a reviewer to filter and print.

    The header row and the key column stay in view; an autofilter on the
    header; A4 landscape, one page wide, header row repeated on every page;
    column widths by display width; quantities as numbers. Text is always
    stored as text, so a cell like ``=HYPERLINK(…)`` can never become a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    if wb.active is not None:  # the empty sheet a new workbook starts with
        wb.remove(wb.active)
    for key, (header, rows) in tables.items():
        ws = wb.create_sheet(TABLE_TITLES[key][:31])
        widths = [0] * len(header)
        grid: list[list[Cell]] = [list(header), *rows]
        for r_idx, values in enumerate(grid, start=1):
            for c_idx, value in enumerate(values, start=1):
                cell = ws.cell(row=r_idx, column=c_idx)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell.value = value
                    text = f"{value:g}"
                else:
                    text = "" if value is None else str(value)
                    cell.value = text
                    cell.data_type = TYPE_STRING  # never a formula, whatever it starts with
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if r_idx == 1:
                    cell.font = Font(bold=True)
                lines = text.splitlines() or [""]
                widths[c_idx - 1] = max(widths[c_idx - 1], *(display_width(x) for x in lines))
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(6, w + 2))
        key_col = header.index(KEY_COLUMNS[key]) + 1 if KEY_COLUMNS.get(key) in header else 1
        ws.freeze_panes = ws.cell(row=2, column=key_col + 1).coordinate
        last = get_column_letter(len(header))
        ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """Same plan, same bytes: openpyxl stamps the current time into the file."""
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2000-01-01T00:00:00Z", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()


def print_tables(tables: Tables, stream: Any = None) -> None:
    """Tables for the terminal; piped, they keep every character of every cell.

    In a terminal long cells fold onto more lines rather than end in "…". When
    stdout is a pipe or a file there is no screen width to respect: the table is
    laid out as wide as its content, so ``planctl matrix | grep`` finds the text.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from planctl.textsafe import escape_terminal

    console = Console(file=stream) if stream is not None else Console()
    for key, (header, rows) in tables.items():
        t = Table(title=TABLE_TITLES[key], show_lines=True)
        for h in header:
            t.add_column(Text(escape_terminal(h)), overflow="fold")
        # plan text is shown literally: no rich markup ("[red]"), no terminal controls
        texts = [[escape_terminal("" if c is None else str(c)) for c in r] for r in rows]
        for r in texts:
            t.add_row(*(Text(c) for c in r))
        if console.is_terminal:
            console.print(t)
            continue
        widths = [
            max(display_width(line) for cell in col for line in (cell.splitlines() or [""]))
            for col in zip(header, *texts, strict=False)
        ]
        needed = sum(widths) + 3 * len(widths) + 1
        console.width = max(console.width, needed, display_width(TABLE_TITLES[key]))
        console.print(t, crop=False)


def write_tables(
    tables: Tables,
    fmt: str,
    output: Path | None,
    *,
    force: bool = False,
    encoding: str = "utf-8-sig",
    protect: Path | None = None,
) -> list[Path]:
    """Write the tables in ``fmt`` (text, csv, xlsx, md) and return the files written.

    CSV is one file per table: with several tables ``output`` is a folder. Files
    get a BOM by default (``utf-8-sig``), which Excel on Chinese Windows needs to
    read UTF-8; stdout gets none. Nothing planctl did not write is replaced
    without ``force``, and never the plan itself (``protect``).
    """
    from planctl.integrity import may_replace

    if fmt == "text":
        if output is not None:
            raise MatrixError("--output needs --format csv, xlsx or md")
        print_tables(tables)
        return []
    if fmt not in ("csv", "xlsx", "md"):
        raise MatrixError(f"unknown table format {fmt!r}")
    if encoding not in CSV_ENCODINGS:
        raise MatrixError(f"unknown encoding {encoding!r} (one of {', '.join(CSV_ENCODINGS)})")
    if output is None:
        if fmt == "xlsx":
            raise MatrixError("--format xlsx needs --output FILE")
        if fmt == "csv" and len(tables) > 1:
            raise MatrixError("one CSV file holds one table: give --output FOLDER for -t all")
        if fmt == "csv":
            [(header, rows)] = tables.values()
            text = to_csv(header, rows)
        else:
            text = to_markdown(tables)
        sys.stdout.write(text)
        return []
    if fmt == "csv" and len(tables) > 1:
        if output.exists() and not output.is_dir():
            raise MatrixError(f"-t all -f csv writes one file per table: {output} is not a folder")
        files = {p: t.encode(encoding) for p, t in csv_files(tables, output).items()}
    elif output.is_dir():
        raise MatrixError(f"--output is a directory: {output}")
    elif fmt == "csv":
        files = {p: t.encode(encoding) for p, t in csv_files(tables, output).items()}
    elif fmt == "xlsx":
        files = {output: to_xlsx(tables)}
    else:
        files = {output: to_markdown(tables).encode("utf-8")}
    for path in files:
        if protect is not None and path.resolve() == protect.resolve():
            raise MatrixError(f"refusing to write the matrix over the plan itself: {path}")
        if not may_replace(path, force):
            raise MatrixError(
                f"{path} exists and is not an unchanged file planctl wrote; "
                "use --force to replace it"
            )
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)
        remember(path, data)
    return list(files)
