"""Matrices as terminal tables, CSV, XLSX and Markdown (one computation, many outputs)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from planctl.integrity import remember
from planctl.render.matrix import TABLE_TITLES
from planctl.textsafe import escape_markdown
from planctl.write import atomic_write_bytes

Tables = dict[str, tuple[list[str], list[list[str]]]]


def to_csv(tables: Tables) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for i, (key, (header, rows)) in enumerate(tables.items()):
        if len(tables) > 1:
            if i:
                writer.writerow([])
            writer.writerow([f"# {TABLE_TITLES[key]}"])
        writer.writerow(header)
        writer.writerows(rows)
    return buf.getvalue()


def to_markdown(tables: Tables) -> str:
    out = []
    for key, (header, rows) in tables.items():
        out.append(f"### {TABLE_TITLES[key]}\n")
        out.append("| " + " | ".join(escape_markdown(h, inline=True) for h in header) + " |")
        out.append("|" + "---|" * len(header))
        for r in rows:
            out.append("| " + " | ".join(escape_markdown(c, inline=True) for c in r) + " |")
        out.append("")
    return "\n".join(out)


def to_xlsx(tables: Tables) -> bytes:
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("XLSX output needs openpyxl: pip install 'planctl[xlsx]'") from exc
    wb = Workbook()
    wb.remove(wb.active)
    for key, (header, rows) in tables.items():
        ws = wb.create_sheet(TABLE_TITLES[key][:31])
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append(r)
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(60, max(6, width * 2))
            for c in col:
                c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "B2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_tables(tables: Tables, fmt: str, output: Path | None) -> None:
    if fmt == "text":
        from rich.console import Console
        from rich.table import Table

        console = Console()
        for key, (header, rows) in tables.items():
            t = Table(title=TABLE_TITLES[key], show_lines=True)
            for h in header:
                t.add_column(h)
            for r in rows:
                t.add_row(*r)
            console.print(t)
        return
    if fmt == "xlsx":
        assert output is not None
        data = to_xlsx(tables)
        atomic_write_bytes(output, data)
        remember(output, data)
        return
    text = to_csv(tables) if fmt == "csv" else to_markdown(tables)
    if output is None:
        import sys

        sys.stdout.write(text)
    else:
        atomic_write_bytes(output, text.encode("utf-8"))
        remember(output, text.encode("utf-8"))
