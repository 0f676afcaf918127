"""PDF through LibreOffice, with a table of contents that carries page numbers.

Offices circulate PDFs. A bare ``soffice --convert-to pdf`` does not refresh
fields, so the TOC would keep whatever result the DOCX caches. planctl
therefore converts twice: the first PDF tells on which page each chapter and
annex starts (read back with pdftotext), those numbers are written into the
TOC's cached result of planctl's own DOCX, and the second conversion prints
them. The DOCX left next to the PDF carries the same numbers, so it is
deterministic per environment (same planctl, same LibreOffice and fonts).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_S = 300


class PdfUnavailable(RuntimeError):
    """LibreOffice (or pdftotext) is not installed: say how to get it."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(docx: bytes, workdir: Path) -> bytes:
    """DOCX bytes → PDF bytes, with a private LibreOffice profile (no clash with a running office)."""
    office = soffice()
    if office is None:
        raise PdfUnavailable(
            "PDF 需要 LibreOffice：请安装（Debian/Ubuntu：apt-get install libreoffice-writer-nogui）"
            " (PDF output needs LibreOffice: install libreoffice-writer-nogui)"
        )
    src = workdir / "plan.docx"
    src.write_bytes(docx)
    env = dict(os.environ, HOME=str(workdir))
    from planctl.render.templates import template_dir

    fonts = (template_dir() / "fonts" / "fonts.conf").resolve()
    if fonts.is_file():  # free fonts of the right family for the GB/T 9704 font names
        env["FONTCONFIG_FILE"] = str(fonts)
    proc = subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{workdir}/lo",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(src),
        ],
        capture_output=True,
        timeout=TIMEOUT_S,
        env=env,
        check=False,
    )
    out = workdir / "plan.pdf"
    if proc.returncode != 0 or not out.is_file():
        raise PdfUnavailable(
            f"LibreOffice 未能生成 PDF (LibreOffice could not convert): "
            f"{proc.stderr.decode('utf-8', 'replace')[-300:]}"
        )
    data = out.read_bytes()
    out.unlink()
    return data


def page_texts(pdf: bytes, workdir: Path) -> list[str]:
    """The text of every page (pdftotext, poppler-utils)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise PdfUnavailable(
            "需要 pdftotext（poppler-utils）来读取页码 (pdftotext from poppler-utils is needed)"
        )
    path = workdir / "pages.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        timeout=TIMEOUT_S,
        check=True,
    ).stdout.decode("utf-8", "replace")
    return text.split("\f")


def locate(entries: list[str], pages: list[str]) -> dict[str, int]:
    """Page number (body page 1 = "— 1 —") of every TOC entry, searching in reading order.

    A chapter starts on the page with a line equal to its heading; an annex on
    the page whose line reads "附件N". The cover and 目录 are skipped: the body
    starts at the page of the first entry.
    """
    lines = [["".join(x.split()) for x in page.splitlines()] for page in pages]
    found: dict[str, int] = {}
    start: int | None = None
    if not entries:
        return found

    def key(entry: str) -> str:
        # an annex starts where its label "附件N" stands on a line of its own
        head = entry.split("　")[0] if entry.startswith("附件") else entry
        return "".join(head.split())

    # Skip the cover and the 目录, which lists every entry too. The title "目　录" is
    # letter-spaced, and pdftotext may put its two characters on separate lines, so
    # the 目录 is found as the first page that carries the first entry while a later
    # page carries it again (the body's first heading).
    first = key(entries[0])
    hits = [i for i, ls in enumerate(lines) if first in ls]
    pos = hits[0] + 1 if len(hits) >= 2 else 0
    for entry in entries:
        k = key(entry)
        for i in range(pos, len(lines)):
            if k in lines[i]:
                if start is None:
                    start = i
                found[entry] = i - start + 1
                pos = i
                break
    return found


def render_pdf(make_docx, entries: list[str]) -> tuple[bytes, bytes]:
    """(DOCX, PDF): ``make_docx(toc_pages)`` builds the DOCX, with or without page numbers."""
    with tempfile.TemporaryDirectory(prefix="planctl-pdf-") as tmp:
        work = Path(tmp)
        first = make_docx(None)
        pages = locate(entries, page_texts(convert(first, work), work))
        docx = make_docx(pages)
        pdf = convert(docx, work)
    return docx, pdf
