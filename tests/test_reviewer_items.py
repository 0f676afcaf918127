"""Items an outside reviewer found reading the clean fixture's PDF (issue #7), checked on the
DOCX of every sample and clean fixture (no LibreOffice needed): chart titles broken at word
boundaries, no repeated legend entry, one naming of response levels, the signature-page
note's title unbroken, and a lead never listed among its own supporters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document

from planctl.render.api import render_file
from planctl.render.docx import _caption_mm
from planctl.render.style import title_phrases
from planctl.rules import Options

from .conftest import TODAY, clean_plans

OPTS = Options()
OPTS.today = __import__("datetime").date.fromisoformat(TODAY)
PLANS = clean_plans()
IDS = [p.stem for p in PLANS]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reviewer")
    return {p.stem: render_file(p, out / p.stem, options=OPTS).output for p in PLANS}


def _inside_a_phrase(text: str, cut: int) -> str | None:
    """The phrase of the title list that a line break at ``cut`` would split."""
    for ph in title_phrases():
        start = 0
        while (i := text.find(ph, start)) >= 0:
            if i < cut < i + len(ph):
                return ph
            start = i + 1
    return None


@pytest.mark.parametrize("name", IDS)
def test_chart_titles_break_at_word_boundaries(rendered, name) -> None:
    doc = Document(str(rendered[name]))
    s = doc.sections[0]
    width_mm = (s.page_width - s.left_margin - s.right_margin) / 36000
    titles = [
        p.text for p in doc.paragraphs if p.style.name == "Table Caption" and "流程" in p.text
    ]
    assert titles, "every plan with notification rules has a flow chart"
    for title in titles:
        lines = title.split("\n")
        # Word wraps a line wider than the type area wherever it likes ("…通／报流程")
        assert all(_caption_mm(x) <= width_mm for x in lines), (title, width_mm)
        joined = "".join(lines)
        cut = 0
        for line in lines[:-1]:
            cut += len(line)
            assert _inside_a_phrase(joined, cut) is None, (title, cut)


def test_title_breaks_after_enumeration_and_before_qualifier() -> None:
    from planctl.render.style import title_lines

    title = (
        "图1　各级危险化学品事故、道路交通突发事件及各级预警信息报告与通报流程（事发地：南京市）"
    )
    lines = title_lines(title, None, 31)
    assert "".join(lines) == title and all(len(x) <= 31 for x in lines)
    assert lines[1].startswith("信息报告与通报流程"), lines
    assert re.fullmatch(r"[^（]*", lines[0]), lines


@pytest.mark.parametrize("path", PLANS, ids=IDS)
def test_chart_legend_says_each_deadline_once(path: Path) -> None:
    """Stems with the same words share one key (①), so no legend repeats an entry."""
    from planctl.loader import load_file
    from planctl.model import Plan
    from planctl.render.figure import flow_charts

    for chart in flow_charts(Plan(load_file(path).data)):
        if chart.layout is None:
            continue
        said = [label for _, label in chart.layout.keys]
        assert len(said) == len(set(said)), (chart.title, chart.layout.keys)
        legend = chart.caption.rpartition("图中")[2]
        entries = re.findall(r"[①-⑳]+为([^，。]+(?:、[^，。]+)*)", legend)
        assert len(entries) == len(set(entries)), (chart.title, legend)


def _docx_text(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return "\n".join(
        "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p))
        for p in re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
    )


_RESPONSE = re.compile(r"([一二三四五六七八九十]+|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+|[0-9]+)级响应")


@pytest.mark.parametrize("name", IDS)
def test_response_levels_named_one_way(rendered, name) -> None:
    """The chart annex says 一级响应 where the body does, never Ⅰ级响应 beside it."""
    text = _docx_text(rendered[name])
    # "Ⅰ、Ⅱ、Ⅲ级响应" is a run of numerals naming responses too
    runs = re.findall(r"((?:[一二三四五六七八九十ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ0-9]+、)*)" + _RESPONSE.pattern, text)
    forms = set()
    for head, last in runs:
        for numeral in [*filter(None, head.split("、")), last]:
            if numeral[0] in "一二三四五六七八九十":
                forms.add("chinese")
            else:
                forms.add("arabic" if numeral[0].isdigit() else "roman")
    assert runs and len(forms) == 1, (forms, runs[:8])


@pytest.mark.parametrize("name", IDS)
def test_signature_note_breaks_the_title_between_words(rendered, name) -> None:
    """(此页无正文，为《…》第N版联合签署页) fills more than one 28-character line: it breaks
    where the title's words allow, not where Word wraps it ("联合应／急预案")."""
    doc = Document(str(rendered[name]))
    notes = [p.text for p in doc.paragraphs if "联合签署页" in p.text]
    assert notes
    for note in notes:
        lines = note.split("\n")
        assert all(len(x) <= 28 for x in lines), lines
        cut = 0
        for line in lines[:-1]:
            cut += len(line)
            assert _inside_a_phrase(note.replace("\n", ""), cut) is None, (lines, cut)


def _named(plan, item: str) -> str | None:
    """The party a list item names ("南京市人民政府（以下简称“南京市”）" → nj), if any."""
    bare = item.split("（以下简称", 1)[0]
    for p in plan.parties:
        if bare in (p.get("name"), p.get("short_name")):
            return str(p["id"])
    return None


def _lead_among_others(plan, lead, segment: str) -> list[str]:
    """Parties that may lead under ``lead`` yet are listed, unqualified, beside it."""
    # "X（不牵头时）" and "X、Y中除牵头方外的各方" name possible leads only for when they do not lead
    segment = re.sub(r"[^，]*中除牵头方外的各方", "", segment)
    items = [
        x for x in re.split(r"、|以及|^另一方和", segment) if x and not x.endswith("（不牵头时）")
    ]
    leads = set(plan.lead_parties(lead))
    return [x for x in items if _named(plan, x) in leads]


@pytest.mark.parametrize("name", IDS)
def test_a_lead_is_never_listed_among_its_supporters(rendered, name) -> None:
    """ "轮值召集方牵头，南京市、马鞍山市、滁州市配合" lists the lead among the supporters."""
    from planctl.loader import load_file
    from planctl.model import Plan
    from planctl.render.style import strip_end

    path = next(p for p in PLANS if p.stem == name)
    plan = Plan(load_file(path).data)
    text = _docx_text(rendered[name])
    checked = 0
    for d in plan.duties:
        if not d.get("support"):
            continue
        start = re.escape(strip_end(d["action"])[:24])
        for m in re.finditer(r"牵头，([^。；]*?)配合，" + start, text):
            assert not _lead_among_others(plan, d["lead"], m.group(1)), (d["id"], m.group(0))
            checked += 1
    for g in plan.groups:
        for m in re.finditer(re.escape(g["name"]) + r"由[^，。]*牵头，([^，。]*)参加", text):
            assert not _lead_among_others(plan, g["lead"], m.group(1)), (g["name"], m.group(0))
            checked += 1
    assert checked
