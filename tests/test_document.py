"""The document a reviewer reads: every sample, the clean base plan and a 17-party plan to PDF, scanned.

Issue #7's acceptance list, checked on the text LibreOffice prints (pdftotext):
the 目录 lists every chapter and annex with a page number; exactly one effect
clause; no forbidden pattern (stacked punctuation, "）（", plan ids, "每1", a
quantity without its unit, the same sentence more than twice); short names
introduced before use; no blank page; the cover title broken only where the
plan or the phrase list allows; the signature page before the annexes; the
footer holding only the page number.
"""

from __future__ import annotations

import copy
import itertools
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from planctl.examples import base_text
from planctl.loader import load_file
from planctl.model import Plan
from planctl.render.api import render_file
from planctl.render.content import build
from planctl.render.docx import toc_entries
from planctl.render.style import title_lines
from planctl.rules import Options

from .conftest import SAMPLES, TODAY, sample_plans, soffice

OPTS = Options()
OPTS.today = __import__("datetime").date.fromisoformat(TODAY)

pytestmark = [
    pytest.mark.slow,  # LibreOffice prints every document (CI runs it; -m "not slow" skips it)
    pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed"),
]


def seventeen_parties(src: Path) -> dict:
    """The river sample grown to 17+ parties: five more counties, each with a duty and a rule."""
    data = yaml.safe_load(src.read_text("utf-8"))
    data = copy.deepcopy(data)
    counties = ["涉县", "磁县", "林州市", "安阳县", "平顺县", "黎城县"]
    template = next(p for p in data["parties"] if p["id"] == "hd-gov")
    for i, county in enumerate(counties):
        pid = f"county-{i}"
        party = copy.deepcopy(template)
        party.update(
            id=pid,
            name=f"{county}人民政府",
            short_name=f"{county}政府",
            signatory={
                "organ": f"{county}人民政府",
                "title": "县长" if county.endswith("县") else "市长",
            },
        )
        for c in party.get("contacts", []):
            c["unit"] = f"{county}应急管理局值班室"
            c["owner"] = f"{county}应急管理局办公室"
            c["value"] = f"0310-66{i:02d}110"
        for b in party.get("backup", []):
            b["value"] = f"0310-66{i:02d}119"
        data["parties"].append(party)
        data["duties"][0].setdefault("support", []).append(pid)
        data["notifications"]["rules"][0]["to"].append(pid)
        data["command"]["body"]["members"].append(pid)
    data["metadata"]["id"] = "zhuozhang-17"
    assert len(data["parties"]) >= 17
    return data


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, tuple[dict, list[str]]]:
    """name → (plan data, page texts of its PDF)."""
    out = tmp_path_factory.mktemp("pdf")
    plans: dict[str, Path] = {}
    base = out / "base.yaml"
    base.write_text(base_text(), encoding="utf-8")
    plans["base"] = base
    for p in sample_plans():
        plans[p.stem] = p
    big = out / "zhuozhang-17.yaml"
    big.write_text(
        yaml.safe_dump(
            seventeen_parties(SAMPLES / "zhuozhang-water-pollution.yaml"), allow_unicode=True
        ),
        encoding="utf-8",
    )
    plans["zhuozhang-17"] = big
    result = {}
    for name, path in plans.items():
        pdf = render_file(path, out / name, fmt="pdf", options=OPTS).output
        PDFS[name] = pdf
        assert pdf.with_suffix(".docx").is_file()  # the DOCX with page numbers is left behind
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
        ).stdout.decode("utf-8")
        result[name] = (
            load_file(path).data,
            text.split("\f")[:-1] if text.endswith("\f") else text.split("\f"),
        )
    return result


#: name → the rendered PDF, for tests that read positions (pdftotext -bbox)
PDFS: dict[str, Path] = {}
NAMES = ["base", *[p.stem for p in sample_plans()], "zhuozhang-17"]
HEADER = {"征求意见稿"}
PAGE_NO = re.compile(r"^—\s*\d+\s*—$")


def _lines(page: str) -> list[str]:
    return ["".join(x.split()) for x in page.splitlines() if "".join(x.split())]


def _content_lines(page: str) -> list[str]:
    """A page's lines without the running header and the page number."""
    return [x for x in _lines(page) if x not in HEADER and not PAGE_NO.match(x)]


def _body(pages: list[str]) -> str:
    """Everything after the 目录, headers and page numbers removed, lines joined."""
    toc = next(i for i, p in enumerate(pages) if "目录" in "".join(_lines(p)))
    return "".join("".join(_content_lines(p)) for p in pages[toc + 1 :])


def _sign_pages(pages: list[str]) -> list[int]:
    return [i for i, p in enumerate(pages) if "联合签署页）" in "".join(_lines(p))]


@pytest.mark.parametrize("name", NAMES)
def test_toc_lists_every_chapter_and_annex_with_a_page_number(documents, name) -> None:
    data, pages = documents[name]
    content = build(data, draft=True, figure=None)
    toc = next(i for i, p in enumerate(pages) if "目录" in "".join(_lines(p)))
    listing = "".join(_lines(pages[toc]))
    entries = [e for e in toc_entries(content) if not e.startswith("附件6")]
    for entry in entries:
        key = "".join(entry.split())
        assert re.search(re.escape(key) + r"[·.…]*\d+", listing), (entry, listing[:400])
    assert "附件1" in listing and "附则" in listing
    # and each number is the one printed on the page where that chapter or annex starts
    pos = toc + 1
    for entry in entries:
        key = "".join(entry.split())
        printed = int(re.search(re.escape(key) + r"[·.…]*(\d+)", listing).group(1))
        head = "".join(entry.split("　")[0].split()) if entry.startswith("附件") else key
        page = next(i for i in range(pos, len(pages)) if head in _lines(pages[i]))
        numbers = [x for x in _lines(pages[page]) if PAGE_NO.match(x)]
        assert numbers, (entry, page)
        assert int(re.sub(r"\D", "", numbers[-1])) == printed, (entry, printed, numbers)
        pos = page


@pytest.mark.parametrize("name", NAMES)
def test_exactly_one_effect_clause(documents, name) -> None:
    _, pages = documents[name]
    body = _body(pages)
    assert len(re.findall(r"本预案自[^。]{0,30}(施行|生效)", body)) == 1
    assert "签署并加盖印章后生效" not in body


def _ids(data: dict) -> set[str]:
    plan = Plan(data)
    ids = {p["id"] for p in plan.parties} | {d["id"] for d in plan.duties}
    ids |= {r["id"] for r in plan.rules} | {r["id"] for r in plan.resources}
    ids |= {t["id"] for t in plan.mutual_aid.get("compensation", [])}
    ids |= {g["id"] for g in plan.groups}
    ids |= {c["id"] for c in plan.mutual_aid.get("commitments", []) if "id" in c}
    ids |= {q["id"] for q in plan.mutual_aid.get("requisitions", []) if "id" in q}
    ids |= {a["id"] for a in (plan.geography or {}).get("areas", [])}
    ids.add(plan.metadata["id"])
    return ids


@pytest.mark.parametrize("name", NAMES)
def test_no_forbidden_pattern(documents, name) -> None:
    data, pages = documents[name]
    # signature blocks stand side by side: their "（盖章）（盖章）" is layout, not prose
    sign = set(_sign_pages(pages))
    prose = [p for i, p in enumerate(pages) if i not in sign]
    text = "\n".join("\n".join(_content_lines(p)) for p in prose)
    flat = "\n".join("".join(_content_lines(p)) for p in prose)
    assert not re.search(r"[。；，、：]{2,}", flat), re.search(r".{10}[。；，、：]{2,}.{5}", flat)
    assert not re.search(r"[。；，、][）)]", flat), re.search(r".{10}[。；，、][）)].{5}", flat)
    assert "）（" not in flat, re.search(r".{10}）（.{5}", flat)
    assert not re.search(r"每1(?:[年月日天周季]|小时)", flat), re.search(r".{10}每1.{5}", flat)
    # a word a filled pattern printed twice ("计价依据为为…", "联合培训培训")
    doubled = re.search(r".{8}(为为|培训培训|宣传教育宣传教育|演练演练).{4}", flat)
    assert not doubled, doubled
    assert "》、《" not in flat  # GB/T 15834: titles side by side take no 顿号
    # nested brackets ("（设在…（主）…）") read as a tangle: rephrase instead. Read in the
    # body's prose only: pdftotext interleaves the lines of neighbouring table cells
    body = "".join("".join(_content_lines(p)) for p in pages[: min(sign, default=len(pages))])
    depth = 0
    for i, ch in enumerate(body):
        depth += ch == "（"
        assert depth < 2, body[max(0, i - 30) : i + 20]
        depth -= ch == "）" and depth > 0
    for pid in _ids(data):
        # whole tokens only: the text has no ASCII word around an id
        assert not re.search(rf"(?<![A-Za-z0-9_\-]){re.escape(pid)}(?![A-Za-z0-9_\-])", text), pid
    for r in Plan(data).resources:  # every printed quantity carries its unit
        for m in re.finditer(re.escape(r["name"]) + r"(\d+(?:\.\d+)?)(.)?", flat):
            assert m.group(2) and not re.match(r"[，。；、）)\d]", m.group(2)), m.group(0)


@pytest.mark.parametrize("name", NAMES)
def test_no_sentence_more_than_twice(documents, name) -> None:
    _, pages = documents[name]
    sign = set(_sign_pages(pages))
    text = "".join("".join(_content_lines(p)) for i, p in enumerate(pages) if i not in sign)
    counts = Counter(s for s in re.split(r"[。！？]", text) if len(s) >= 8)
    repeated = {s: n for s, n in counts.items() if n > 2}
    assert not repeated, repeated


@pytest.mark.parametrize("name", NAMES)
def test_short_names_introduced_before_use(documents, name) -> None:
    data, pages = documents[name]
    body = _body(pages)
    for p in data["parties"]:
        short = p.get("short_name")
        if not short or short == p["name"] or p["name"].startswith(short):
            continue  # a place name (长治市 for 长治市人民政府) is also used as a place
        intro = body.find(f"（以下简称“{short}”）")
        assert intro >= 0, short
        first = body.find(short)
        assert first >= intro, (short, body[max(0, first - 30) : first + 10])


@pytest.mark.parametrize("name", NAMES)
def test_no_blank_page(documents, name) -> None:
    _, pages = documents[name]
    for i, page in enumerate(pages):
        assert _content_lines(page), f"page {i + 1} is blank"


def _bbox_pages(pdf: Path) -> list[tuple[float, float, str]]:
    """Each page of ``pdftotext -bbox``: its width and height in points, and its words' XML."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    pages = []
    for page in re.findall(r"<page (.*?)</page>", xml, re.S):
        w, h = (float(x) for x in re.findall(r'(?:width|height)="([\d.]+)"', page)[:2])
        pages.append((w, h, page))
    return pages


def _used_height(pdf: Path) -> list[float]:
    """Per page, how far down the type area its lowest word reaches (0 = empty, 1 = full).

    Read from word boxes (pdftotext -bbox), leaving out the running header and the
    page number, which stand outside the type area (GB/T 9704: portrait margins 37 mm
    top, 35 mm bottom; a landscape page is the portrait sheet turned, 28 mm and 26 mm).
    """
    out = []
    for w, h, page in _bbox_pages(pdf):
        top, bottom = (28 * MM, h - 26 * MM) if w > h else (37 * MM, h - 35 * MM)
        ys = [
            float(y1)
            for y0, y1 in re.findall(
                r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', page
            )
            if float(y0) >= top - 2 and float(y1) <= bottom + 2
        ]
        out.append(max(0.0, (max(ys) - top) / (bottom - top)) if ys else 0.0)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_no_page_is_mostly_blank_unless_it_ends_a_part(documents, name) -> None:
    """A page at least 80 % blank is allowed only where a part of the document ends.

    A part ends before the 目录, the body, the signature page and each 附件 label, and
    at the end. Anywhere else a mostly blank page is a layout fault: a chart alone on
    its page, a block pushed over by a keep rule, a break that should not be there.
    (The last page of a landscape table holding only its header and a row or two is
    such an ending: no static rule moves those rows back without measuring the
    printed rows, see README "Page layout".)
    """
    _, pages = documents[name]
    used = _used_height(PDFS[name])
    assert len(used) == len(pages)
    sign = set(_sign_pages(pages))
    toc = next(i for i, p in enumerate(pages) if "目录" in "".join(_lines(p)))
    starts = {0, toc, toc + 1} | {i for i in sign if i - 1 not in sign}
    starts |= {
        i for i, p in enumerate(pages) if re.fullmatch(r"附件\d+", (_content_lines(p) or [""])[0])
    }
    for i, fill in enumerate(used):
        ends_a_part = i + 1 == len(pages) or i + 1 in starts
        assert fill > 0.2 or ends_a_part, (i + 1, fill, _content_lines(pages[i])[:3])


@pytest.mark.parametrize("name", NAMES)
def test_an_annex_first_page_holds_more_than_its_heading(documents, name) -> None:
    """An annex that runs on past its first page fills at least half of that page.

    The flow-chart annex once left its first page holding the 附件 label, the title and
    four lines of legend (the first chart did not fit below them), and with the
    legend kept with the chart, the label alone.
    """
    _, pages = documents[name]
    used = _used_height(PDFS[name])
    labels = [
        i for i, p in enumerate(pages) if re.fullmatch(r"附件\d+", (_content_lines(p) or [""])[0])
    ]
    sign = _sign_pages(pages)
    for i in labels:
        runs_on = i + 1 < len(pages) and i + 1 not in labels and i + 1 not in sign
        assert used[i] > 0.5 or not runs_on, (i + 1, used[i], _content_lines(pages[i])[:4])


@pytest.mark.parametrize("name", NAMES)
def test_cover_title_breaks_at_word_boundaries(documents, name) -> None:
    data, pages = documents[name]
    meta = data["metadata"]
    expected = title_lines(meta["title"], meta.get("title_lines"))
    cover = [x for x in _lines(pages[0]) if x not in HEADER]
    joined = "".join(cover)
    assert meta["title"] in joined
    # each printed title line is one of the allowed lines (or the allowed line itself wrapped by width)
    got = cover[: len(expected)]
    assert got == ["".join(x.split()) for x in expected], (got, expected)


@pytest.mark.parametrize("name", NAMES)
def test_signature_page_precedes_annexes_and_footer_is_only_the_page_number(
    documents, name
) -> None:
    data, pages = documents[name]
    sign = _sign_pages(pages)
    annex = next(i for i, p in enumerate(pages) if _content_lines(p)[:1] == ["附件1"])
    assert sign and max(sign) < annex
    for i, page in enumerate(pages):
        lines = _lines(page)
        assert not any("SHA-256" in x or data["metadata"]["id"] in x for x in lines)
        numbers = [x for x in lines if PAGE_NO.match(x)]
        if i >= 2:  # body pages carry their number; cover and 目录 have none
            assert len(numbers) == 1, (i, lines[-3:])
        else:
            assert not numbers
    assert sum("文档校验码：" in "".join(_lines(p)) for p in pages) == 1


@pytest.mark.parametrize("name", [p.stem for p in sample_plans()])
def test_every_flow_chart_of_a_sample_is_drawn_on_a_page_with_its_caption(documents, name) -> None:
    """The flow annex shows every chart; none is replaced by a "not drawn" note.

    Each chart's title ("图N　…") and its caption ("本图以…最先获知为起点") stand on
    the same page, so no caption is cut off from its chart; charts share pages.
    """
    _, pages = documents[name]
    body = _body(pages)
    assert "未绘制" not in body
    start = max(i for i, p in enumerate(pages) if "信息报告与通报流程图" in "".join(_lines(p)))
    chart_pages = [
        p for p in pages[start + 1 :] if re.search(r"^图\d+", "\n".join(_lines(p)), re.M)
    ]
    for page in chart_pages:
        text = "".join(_content_lines(page))
        titles = re.findall(
            r"图\d+", "".join(x for x in _content_lines(page) if x.startswith("图"))
        )
        assert text.count("最先获知为起点") >= len(titles), text[:200]


@pytest.mark.parametrize("name", [p.stem for p in sample_plans()])
def test_flow_chart_words_are_text_on_their_own_page(documents, name) -> None:
    """The charts are vector: every word drawn in a chart (party names, deadlines, the
    time axis) is text on the PDF page that carries the chart's title and caption."""
    import zipfile

    from .test_emf import read

    _, pages = documents[name]
    with zipfile.ZipFile(PDFS[name].with_suffix(".docx")) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
        target = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="(media/[^"]+)"', rels))
        target |= {a: b for b, a in re.findall(r'Target="(media/[^"]+)"[^>]*Id="(rId\d+)"', rels)}
        order = re.findall(r'r:embed="(rId\d+)"', xml)
        charts = [read(z.read("word/" + target[rid])) for rid in order]
    assert charts
    flat = ["".join(_content_lines(p)) for p in pages]
    for n, pic in enumerate(charts, 1):
        title = f"图{n}" if len(charts) > 1 else "信息报告与通报流程（"
        where = [i for i, text in enumerate(flat) if title in text and "累计时限" in text]
        assert len(where) == 1, (n, [f[:80] for f in flat if title in f])
        page = flat[where[0]]
        missing = [t.text for t in pic.texts if t.text not in page]
        assert not missing, (n, missing)
        assert "最先获知为起点" in page  # the caption is on the chart's page


MM = 72 / 25.4


def _number_boxes(
    pdf: Path,
) -> list[tuple[float, float, int, tuple[float, float, float, float], list]]:
    """Per page: (width, height, printed number, its box x0 y0 x1 y1, its words), in points.

    The number is the run of words "—", digits, "—" that stands outside the type
    area; pages without one (cover, 目录) are left out.
    """
    out = []
    for w, h, page in _bbox_pages(pdf):
        words = [
            (float(a), float(b), float(c), float(d), t)
            for a, b, c, d, t in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                page,
            )
        ]
        for i in range(len(words) - 2):
            a, n, b = words[i : i + 3]
            if a[4] == b[4] == "—" and n[4].isdigit():
                group = [a, n, b]
                box = (
                    min(x[0] for x in group),
                    min(x[1] for x in group),
                    max(x[2] for x in group),
                    max(x[3] for x in group),
                )
                if max(box[2] - box[0], box[3] - box[1]) > 25 * MM:
                    continue  # "—" cells of a table around a row number, not a page number
                out.append((w, h, int(n[4]), box, group))
                break
    return out


@pytest.mark.parametrize("name", ["zhuozhang-water-pollution", "zhuozhang-17"])
def test_landscape_page_number_sits_where_the_portrait_one_does(documents, name) -> None:
    """GB/T 9704: a landscape table page, turned back to portrait for binding, has its number
    where portrait pages have theirs: on the landscape page's left edge, reading downwards,
    near the foot on odd pages and the head on even ones."""
    numbers = _number_boxes(PDFS[name])
    portrait = {n % 2: box for w, h, n, box, _ in numbers if h > w}
    landscape = [(w, h, n, box, g) for w, h, n, box, g in numbers if w > h]
    assert landscape and set(portrait) == {0, 1}
    for w, _h, n, (x0, y0, x1, y1), group in landscape:
        px0, py0, px1, py1 = portrait[n % 2]
        # the sheet turned clockwise: portrait y → landscape x from the left edge, x → y
        assert abs(x0 - (w - py1)) < 1.5 * MM and abs(x1 - (w - py0)) < 1.5 * MM, (n, x0, x1)
        if n % 2:  # odd: the end of the number one character in from the foot
            assert abs(y1 - px1) < 1.5 * MM, (n, y1, px1)
        else:
            assert abs(y0 - px0) < 1.5 * MM, (n, y0, px0)
        # read downwards: dash, number, dash stacked in one column, each box as wide as the line
        assert [round(g[0]) for g in group] == [round(x0)] * 3
        assert group[0][3] <= group[1][1] + 0.5 and group[1][3] <= group[2][1] + 0.5
    # and the landscape pages' feet (the long edge) carry no number
    assert all(box[0] < 40 * MM for w, h, n, box, g in landscape)


def _number_splits(pdf: Path) -> list[tuple[int, str, str]]:
    """Places where a number is broken across two lines of one text block ("5月2｜0日").

    Read from pdftotext's blocks, so neighbouring table columns are not mistaken for
    one line; a line whose first word sits well left of the previous line's start
    belongs to another column. Two phone numbers in a row are two numbers.
    """
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    out = []
    for page_no, page in enumerate(re.findall(r"<page .*?</page>", xml, re.S), 1):
        for block in re.findall(r"<block .*?</block>", page, re.S):
            lines = [
                re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', line)
                for line in re.findall(r"<line .*?</line>", block, re.S)
            ]
            for a, b in itertools.pairwise(lines):
                if not a or not b:
                    continue
                ta, tb = "".join(t for _, t in a), "".join(t for _, t in b)
                same_column = float(b[0][0]) >= float(a[0][0]) - 35  # first-line indent
                phones = re.search(r"\d{7,}$", ta) and re.match(r"[\d-]{7,}", tb)
                if same_column and re.search(r"\d$", ta) and re.match(r"\d", tb) and not phones:
                    out.append((page_no, ta[-12:], tb[:10]))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_no_number_is_broken_across_lines(documents, name) -> None:
    """A date, quantity or boundary-marker number never wraps in the middle, in prose or tables."""
    assert not _number_splits(PDFS[name])


@pytest.mark.parametrize("name", NAMES)
def test_every_punctuation_mark_is_printed(documents, name) -> None:
    """LibreOffice once hung a line-end "。" past the margin of a justified line and did not
    paint it: each mark of the DOCX body must reach the PDF."""
    import zipfile

    from .test_emf import read

    pdf = PDFS[name]
    with zipfile.ZipFile(pdf.with_suffix(".docx")) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        # the vector charts' labels are text in the PDF too
        charts = [read(z.read(n)) for n in z.namelist() if n.endswith(".emf")]
    docx_text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
    docx_text += "".join(t.text for pic in charts for t in pic.texts)
    pdf_text = "".join(documents[name][1])
    for mark in "。，、；：":
        assert pdf_text.count(mark) == docx_text.count(mark), mark


REFRESH_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"
 script:language="StarBasic">
Sub Refresh(inUrl As String, outPdf As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = &quot;Hidden&quot;
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(inUrl, &quot;_blank&quot;, 0, args())
  indexes = doc.getDocumentIndexes()
  For i = 0 To indexes.getCount() - 1
    indexes.getByIndex(i).update()
  Next
  doc.getTextFields().refresh()
  Dim f(0) As New com.sun.star.beans.PropertyValue
  f(0).Name = &quot;FilterName&quot;
  f(0).Value = &quot;writer_pdf_Export&quot;
  doc.storeToURL(outPdf, f())
  doc.close(True)
End Sub
</script:module>
"""


def _refreshed(docx: Path, work: Path) -> list[str]:
    """Open ``docx`` in LibreOffice, update every index and field (as an office does), print it.

    A Basic macro in a private profile does what a user's "update all" does; a
    bare --convert-to would print the cached TOC unchanged.
    """
    profile = work / "lo"
    base = [
        soffice(),
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
    ]
    env = dict(__import__("os").environ, HOME=str(work))
    subprocess.run([*base, "--terminate_after_init"], env=env, check=True, timeout=180)
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    assert module.is_file()
    module.write_text(REFRESH_MACRO, encoding="utf-8")
    out = work / "refreshed.pdf"
    subprocess.run(
        [*base, f'macro:///Standard.Module1.Refresh("file://{docx}","file://{out}")'],
        env=env,
        check=True,
        timeout=180,
    )
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return text.split("\f")


@pytest.mark.parametrize("name", ["zhuozhang-water-pollution", "zhuozhang-17"])
def test_toc_keeps_every_chapter_and_annex_after_a_field_refresh(documents, name, tmp_path) -> None:
    """An office that updates fields (Word, LibreOffice) gets back the same 目录: every
    chapter, every 附件N and its title, each with the page number printed on its page."""
    from docx import Document

    docx = PDFS[name].with_suffix(".docx")
    # the entries planctl wrote (chapters, then "附件N　title"), read from the cached TOC
    entries = [
        p.text.split("\t")[0] for p in Document(str(docx)).paragraphs if p.style.name == "TOC 1"
    ]
    pages = _refreshed(docx, tmp_path)
    start = next(i for i, p in enumerate(pages) if "一、" in p)
    leader = re.compile(r"[·.…]{3,}\d+$")
    end = start
    while any(leader.search(x) for x in _lines(pages[end + 1])):
        end += 1
    listing = "".join("".join(_lines(p)) for p in pages[start : end + 1])
    pos = end + 1
    annexes = [e for e in entries if e.startswith("附件")]
    assert annexes
    # one line a chapter, two an annex (label, then title), nothing else: the 目录 does
    # not list its own heading
    assert len(re.findall(r"[·.…]{3,}\d+", listing)) == len(entries) + len(annexes)
    for entry in entries:
        keys = entry.split("　", 1) if entry.startswith("附件") else [entry]
        printed = []
        for key in keys:
            key = "".join(key.split())
            m = re.search(re.escape(key) + r"[·.…]+(\d+)", listing)
            assert m, (key, listing[:600])
            printed.append(int(m.group(1)))
        assert len(set(printed)) == 1, (entry, printed)  # label and title on the same page
        head = "".join(keys[0].split())
        page = next(i for i in range(pos, len(pages)) if head in _lines(pages[i]))
        numbers = [x for x in _lines(pages[page]) if PAGE_NO.match(x)]
        assert int(re.sub(r"\D", "", numbers[-1])) == printed[0], (entry, printed, numbers)
        pos = page


@pytest.mark.parametrize("name", NAMES)
def test_no_number_or_latin_word_is_broken_across_lines(documents, name) -> None:
    """ "国办发〔2024〕5号" and "GB 3838-2002" stay whole in the prose (the chapters)."""
    import json

    data, pages = documents[name]
    source = json.dumps(data, ensure_ascii=False)
    toc = next(i for i, p in enumerate(pages) if "目录" in "".join(_lines(p)))
    annex = next(i for i, p in enumerate(pages) if _content_lines(p)[:1] == ["附件1"])
    token = r"[0-9A-Za-z/.\-]+"
    in_table = False  # the 修订记录 table closes 附则: its cells are not prose
    for i in range(toc + 1, annex):
        lines = []
        for line in _content_lines(pages[i]):
            in_table = (in_table or line == "修订记录") and not line.startswith("附件：")
            if not in_table:
                lines.append(line)
        for a, b in itertools.pairwise(lines):
            tail, head = re.search(token + "$", a), re.match(token, b)
            if tail and head:  # a break between two Latin characters: only at a space
                whole = tail.group(0) + head.group(0)
                spaced = tail.group(0) + " " + head.group(0)
                assert spaced in source or whole not in source, (i, a, b)


@pytest.mark.parametrize("path", sample_plans(), ids=[p.stem for p in sample_plans()])
def test_mutual_aid_answer_deadline_said_once(path: Path) -> None:
    """The plan's request procedure may already give the answer deadline; the house style
    then does not add a second "被请求方应在…内答复"."""
    from planctl.render.blocks import Para
    from planctl.render.chapters import duration

    data = load_file(path).data
    req = data["mutual_aid"]["request"]
    answer = duration(req["answer_within"])
    text = next(
        b.text
        for b in build(data, draft=True).blocks
        if isinstance(b, Para) and b.text.startswith(req["procedure"][:12])
    )
    # stated as "1小时内答复", or named where the procedure points at it ("答复时限为1小时")
    said = re.findall(
        rf"{re.escape(answer)}内[^。；，]{{0,4}}答复|答复时限为{re.escape(answer)}", text
    )
    assert len(said) == 1, text


@pytest.mark.parametrize("name", NAMES)
def test_chapters_do_not_speak_of_a_table(documents, name) -> None:
    """The chapters are prose: "本表" (written for an annex table) does not appear there."""
    _, pages = documents[name]
    toc = next(i for i, p in enumerate(pages) if "目录" in "".join(_lines(p)))
    annex = next(i for i, p in enumerate(pages) if _content_lines(p)[:1] == ["附件1"])
    chapters = "".join("".join(_content_lines(p)) for p in pages[toc + 1 : annex])
    assert "本表" not in chapters, re.search(r".{10}本表.{10}", chapters)
