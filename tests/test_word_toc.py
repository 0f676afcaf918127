"""What Word's "更新域" (F9) would put in the 目录, read statically from the DOCX XML.

The PDF's 目录 is refreshed through LibreOffice and its page numbers are cached in
the DOCX. A Word user who refreshes fields rebuilds the list from the TOC field's
switches and the paragraphs' outline levels and styles. This test applies Word's
selection rules to the document and checks that the rebuilt list still holds every
chapter and every 附件 and nothing else (no cover title, no 目录 heading, no chart
title), so a refresh never drops an annex as it once dropped all seven.

Word's rules, as documented for the TOC field: ``\\o "a-b"`` takes paragraphs in the
built-in styles "heading a" … "heading b"; ``\\u`` also takes any paragraph whose
outline level (direct or through its style chain) is in a…b; ``\\t "Style,n,…"``
takes paragraphs in the named styles at level n.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from planctl.examples import base_text
from planctl.loader import load_file
from planctl.render.api import render_file
from planctl.render.content import build
from planctl.render.docx import TOC_INSTRUCTION, toc_entries
from planctl.rules import Options

from .conftest import TODAY, sample_plans

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OPTS = Options()
OPTS.today = __import__("datetime").date.fromisoformat(TODAY)


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    out = tmp_path_factory.mktemp("word-toc")
    base = out / "base.yaml"
    base.write_text(base_text(), encoding="utf-8")
    plans = {"base": base} | {p.stem: p for p in sample_plans()}
    return {n: (p, render_file(p, out / n, options=OPTS).output) for n, p in plans.items()}


def _switches(instruction: str) -> tuple[tuple[int, int] | None, bool, dict[str, int]]:
    """(\\o range, \\u present, \\t style → level) of a TOC field instruction."""
    o = re.search(r'\\o\s+"(\d+)-(\d+)"', instruction)
    t = re.search(r'\\t\s+"([^"]*)"', instruction)
    styles: dict[str, int] = {}
    if t:
        parts = [x.strip() for x in t.group(1).split(",")]
        styles = {parts[i]: int(parts[i + 1]) for i in range(0, len(parts) - 1, 2)}
    rng = (int(o.group(1)), int(o.group(2))) if o else None
    return rng, bool(re.search(r"\\u\b", instruction)), styles


def word_toc(path: Path) -> list[tuple[int, str]]:
    """(level, text) of every paragraph a Word field refresh would list."""
    with zipfile.ZipFile(path) as z:
        doc = etree.fromstring(z.read("word/document.xml"))
        styles = etree.fromstring(z.read("word/styles.xml"))
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}

    def name(sid: str) -> str:
        s = by_id.get(sid)
        n = s.find(f"{W}name") if s is not None else None
        return n.get(f"{W}val") if n is not None else sid

    def style_outline(sid: str | None) -> int | None:
        seen = set()
        while sid and sid not in seen:
            seen.add(sid)
            s = by_id.get(sid)
            if s is None:
                return None
            lvl = s.find(f"{W}pPr/{W}outlineLvl")
            if lvl is not None:
                return int(lvl.get(f"{W}val"))
            based = s.find(f"{W}basedOn")
            sid = based.get(f"{W}val") if based is not None else None
        return None

    instr = "".join(x.text or "" for x in doc.iter(f"{W}instrText"))
    instr += "".join(f.get(f"{W}instr", "") for f in doc.iter(f"{W}fldSimple"))
    assert "TOC" in instr
    rng, use_outline, tstyles = _switches(instr[instr.index("TOC") :])
    out = []
    for p in doc.iter(f"{W}p"):
        ppr = p.find(f"{W}pPr")
        sid = None
        direct = None
        if ppr is not None:
            ps = ppr.find(f"{W}pStyle")
            sid = ps.get(f"{W}val") if ps is not None else None
            ol = ppr.find(f"{W}outlineLvl")
            direct = int(ol.get(f"{W}val")) if ol is not None else None
        text = "".join(t.text or "" for t in p.iter(f"{W}t"))
        if not text.strip() or p.xpath("ancestor::w:sdt", namespaces={"w": W[1:-1]}):
            continue
        if any(i.text and "TOC" in i.text for i in p.iter(f"{W}instrText")):
            continue
        sname = name(sid) if sid else "Normal"
        level = None
        m = re.fullmatch(r"heading (\d)", sname, re.I)
        if rng and m and rng[0] <= int(m.group(1)) <= rng[1]:
            level = int(m.group(1))
        outline = direct if direct is not None else style_outline(sid)
        if level is None and use_outline and rng and outline is not None:
            if rng[0] <= outline + 1 <= rng[1]:
                level = outline + 1
        if level is None and sname in tstyles:
            level = tstyles[sname]
        if level is not None:
            out.append((level, text))
    return out


def test_the_instruction_takes_chapters_annex_labels_and_annex_titles() -> None:
    rng, use_outline, styles = _switches(TOC_INSTRUCTION)
    assert rng == (1, 1) and use_outline and styles == {"Annex Title": 2}


@pytest.mark.parametrize("name", ["base", *[p.stem for p in sample_plans()]])
def test_a_word_field_refresh_keeps_every_chapter_and_annex(docs, name: str) -> None:
    plan_path, docx = docs[name]
    listed = word_toc(docx)
    content = build(load_file(plan_path).data, draft=True, figure=None)
    expected = []
    for entry in toc_entries(content):
        if entry.startswith("附件"):
            label, title = entry.split("　", 1)
            expected += [(1, label), (2, title)]
        else:
            expected.append((1, entry))
    # the flow annex exists only when charts are drawn; the others always
    listed_text = [(lvl, "".join(t.split())) for lvl, t in listed]
    want = [(lvl, "".join(t.split())) for lvl, t in expected]
    flow = [x for x in listed_text if x not in want]
    assert all(t in ("信息报告与通报流程图",) or re.fullmatch(r"附件\d+", t) for _, t in flow), flow
    assert [x for x in listed_text if x in want] == want
    # nothing else: no cover title, no 目录 heading, no chart or table caption
    assert not any(t in ("目　　录", "目录") for _, t in listed)


@pytest.mark.parametrize("name", [p.stem for p in sample_plans()])
def test_flow_charts_are_not_forced_onto_pages_of_their_own(docs, name: str) -> None:
    """A chart about a quarter of a page high alone on its page leaves it three quarters
    blank: in the flow annex no paragraph after the annex title starts a page; each chart's
    title and picture keep with what follows, so a chart moves over whole when it must."""
    _, docx = docs[name]
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    start = xml.rfind("信息报告与通报流程图</w:t>")
    if start < 0:
        pytest.skip("no flow annex (no CJK font to draw the charts)")
    annex = xml[start:]
    assert "<w:pageBreakBefore/>" not in annex
    pictures = annex.count("<pic:pic>")
    assert pictures >= 1
    kept = re.findall(r"<w:p[ >](?:(?!</w:pPr>).)*<w:keepNext/>(?:(?!</w:p>).)*<pic:pic>", annex)
    assert len(kept) == pictures
