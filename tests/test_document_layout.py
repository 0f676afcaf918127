"""Layout a reviewer sees on the page, read from the DOCX itself (no LibreOffice).

A reviewer found table text touching the row borders, "序号" broken over two lines in
its column, and the flow-chart annex's first page holding only its heading because
the first chart did not fit below it. tests/test_document.py checks the printed
pages; these tests hold the DOCX properties that produce them, quickly.
"""

from __future__ import annotations

import re
import zipfile
from functools import cache
from pathlib import Path

import pytest

from planctl.loader import load_file
from planctl.render import paginate
from planctl.render.api import document_figures, render_file
from planctl.rules import Options

from .conftest import SAMPLES, TODAY

OPTS = Options()
OPTS.today = __import__("datetime").date.fromisoformat(TODAY)
NAMES = ["zhuozhang-water-pollution", "g4-snow-ice-highway"]


@cache
def _document(name: str, out: Path) -> str:
    docx = render_file(SAMPLES / f"{name}.yaml", out / name, options=OPTS).output
    with zipfile.ZipFile(docx) as z:
        return z.read("word/document.xml").decode("utf-8")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("layout")


def _tables(xml: str) -> list[str]:
    return re.findall(r"<w:tbl>.*?</w:tbl>", xml, re.S)


@pytest.mark.parametrize("name", NAMES)
def test_every_ruled_table_keeps_text_off_its_row_borders(out, name) -> None:
    ruled = [t for t in _tables(_document(name, out)) if 'w:tblStyle w:val="TableGrid"' in t]
    assert ruled
    for t in ruled:
        props = re.search(r"<w:tblPr>.*?</w:tblPr>", t, re.S).group(0)  # type: ignore[union-attr]
        for side in ("top", "bottom"):
            m = re.search(rf'<w:tblCellMar>.*?<w:{side} w:w="(\d+)"', props, re.S)
            assert m and int(m.group(1)) == paginate.CELL_PAD_TWIPS >= 20, (side, props)


@pytest.mark.parametrize("name", NAMES)
def test_a_row_number_column_holds_序号_on_one_line(out, name) -> None:
    numbered = [t for t in _tables(_document(name, out)) if re.search(r"<w:t[^>]*>序号</w:t>", t)]
    assert numbered
    # two 小四 characters (2 × 240 twips) and the left and right cell margins (2 × 108)
    for t in numbered:
        first = int(re.search(r'<w:gridCol w:w="(\d+)"', t).group(1))  # type: ignore[union-attr]
        assert first >= 2 * 240 + 2 * 108, first


def test_an_annex_first_chart_is_reduced_only_to_share_the_page_with_the_heading(out) -> None:
    """G4: the first chart (146 mm) missed the annex's first page by a few lines."""
    data = load_file(SAMPLES / "g4-snow-ice-highway.yaml").data
    charts = [c for c in document_figures(data) or [] if c.emf]
    if not charts:
        pytest.skip("no flow chart drawn (no CJK font)")
    xml = _document("g4-snow-ice-highway", out)
    drawn = [int(x) for x in re.findall(r'<wp:extent cx="\d+" cy="(\d+)"/>', xml)]
    full = [int((c.height_mm or 150) * 36000) for c in charts]
    assert len(drawn) == len(full)
    assert full[0] * 0.85 <= drawn[0] < full[0]
    assert drawn[1:] == full[1:]  # the others keep the size they were drawn at


def test_a_signing_organ_with_a_second_name_sets_it_on_its_own_line(out) -> None:
    """ "湖南省应急管理厅（湖南省森林防灭火指挥部办公室）" wrapped inside a justified cell
    spread its first line over the cell ("湖 南 省 应 急 管 理 厅")."""
    docx = render_file(
        SAMPLES / "xiang-gan-border-forest-fire.yaml", out / "fire", options=OPTS
    ).output
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    names = re.findall(
        r'<w:p><w:pPr><w:pStyle w:val="[^"]*"/><w:keepNext/>(<w:jc[^>]*>)?</w:pPr>'
        r'<w:r><w:rPr><w:b/><w:sz w:val="28"/></w:rPr>(.*?)</w:r></w:p>',
        xml,
    )
    assert names
    assert all(jc == '<w:jc w:val="left"/>' for jc, _ in names)
    organ = [run for _, run in names if "湖南省应急管理厅" in run]
    assert organ and re.search(
        r"湖南省应急管理厅</w:t><w:br/><w:t[^>]*>（湖南省森林防灭火", organ[0]
    )
