"""The document as a list of blocks, built from the plan data alone.

Every sentence comes from a plan field through the house style
(templates/text/zh.yaml, rendered in a jinja2 sandbox with the plan's text
passed only as values), so the document never says anything the YAML does
not. DOCX and Markdown are two serialisations of these same blocks.

Order (DESIGN.md): cover, 目录, the chapters (render/chapters.py, one function
each), 附件说明, the joint signature page, then the annexes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from planctl.model import Plan
from planctl.render import annexes as ax
from planctl.render import chapters
from planctl.render import matrix as mx
from planctl.render.blocks import (
    Annex,
    Attachments,
    Block,
    Content,
    Figure,
    Heading,
    Para,
    Signatures,
    Table,
    TitlePage,
    Toc,
)
from planctl.render.style import say, title_lines

__all__ = [
    "Annex",
    "Attachments",
    "Block",
    "Content",
    "Figure",
    "Heading",
    "Para",
    "Signatures",
    "Table",
    "TitlePage",
    "Toc",
    "build",
    "canonical_digest",
]


def canonical_digest(data: dict[str, Any]) -> str:
    """SHA-256 of the plan data in canonical JSON: same plan, same hash, any formatting."""
    text = json.dumps(_whole(data), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _whole(value: Any) -> Any:
    """50.0 and 50 are the same quantity: the digest must not tell them apart."""
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def signing_parties(plan: Plan) -> list[dict[str, Any]]:
    """Parties that sign: observers and parties only kept informed do not."""
    fn = getattr(plan, "signing_parties", None)
    if callable(fn):
        return list(fn())
    return [p for p in plan.parties if not {"observer", "informed"} & set(p.get("roles", []))]


def _title_page(plan: Plan, draft: bool) -> TitlePage:
    meta = plan.metadata
    signers = signing_parties(plan)
    issuers = [plan.party[x] for x in meta.get("issuers") or [] if x in plan.party]
    names = [p["name"] for p in signers]
    on_behalf = ""
    signer_ids = {p["id"] for p in signers}
    if issuers and {p["id"] for p in issuers} < signer_ids:
        # only some parties issue: the cover says on whose behalf
        names = [p["name"] for p in issuers]
        on_behalf = say("on_behalf", whom="全体参与单位")
    eff = meta.get("effective")
    date = meta.get("issued") or (eff if eff and eff != "on issue" else None)
    return TitlePage(
        meta["title"],
        names,
        meta["version"],
        mx.date_zh(date),
        draft,
        meta["id"],
        lines=title_lines(meta["title"], meta.get("title_lines")),
        on_behalf=on_behalf,
    )


def build(data: dict[str, Any], *, draft: bool, figure: Any | None = None) -> Content:
    """Blocks for the whole document. ``figure`` is the list of flow charts (or None)."""
    from planctl.textscan import sanitize

    digest = canonical_digest(data)
    data = sanitize(data)  # a stray control character must not corrupt the DOCX
    plan = Plan(data)
    meta = plan.metadata
    content = Content(meta["id"], meta["title"], meta["version"], digest, draft)
    charts = _charts(figure)
    plan_annexes = ax.annex_plan(plan, with_figure=bool(charts))
    w = chapters.Writer(plan, plan_annexes.numbers)
    w.blocks.append(_title_page(plan, draft))
    w.blocks.append(Toc())
    for chapter in (
        chapters.general,
        chapters.command,
        chapters.warning,
        chapters.notification,
        chapters.response,
        chapters.support,
        chapters.management,
        chapters.closing,
    ):
        chapter(w)
    generated = plan_annexes.keys
    items = [plan_annexes.titles[k] for k in generated]
    items += [f"{t}（另附）" for t in plan_annexes.declared]
    w.blocks.append(Attachments(items))
    w.blocks.append(
        Signatures(
            signing_parties(plan),
            note=say("signature_note", title=meta["title"], version=meta["version"]),
            checksum=say("checksum", digest=digest[:32].upper()),
        )
    )
    tables = ax.tables(plan)
    for number, key in enumerate(generated, 1):
        if key == "flow":
            w.blocks.append(Annex(number, plan_annexes.titles[key], False))
            w.blocks += _flow_annex(charts, plan_annexes)
            continue
        w.blocks.append(Annex(number, plan_annexes.titles[key], True))
        if key == "responsibility" and tables[key].groups is not None:
            w.blocks.append(Para(say("matrix_note") + _several_leads(plan), "Plan Note"))
        w.blocks.append(tables[key])
    content.blocks = w.blocks
    return content


def _several_leads(plan: Plan) -> str:
    """A duty led by the origin or the chair marks every party that may lead as 牵头:
    say which one leads, or three 牵头 in one row read as three leads."""
    words = {"origin": "事发地一方", "chair": "轮值召集方"}
    by = [
        words[d["lead"]["by"]]
        for d in plan.duties
        if isinstance(d.get("lead"), dict)
        and d["lead"].get("by") in words
        and len(plan.lead_parties(d["lead"])) > 1
    ]
    who = "或".join(dict.fromkeys(by))
    return say("matrix_note_several_leads", who=who) if who else ""


def _clauses(caption: str) -> list[str]:
    """A caption's clauses: "a；b（c；d）；e。" → [a, b（c；d）, e]."""
    out, depth, start = [], 0, 0
    text = caption.removesuffix("。")
    for i, ch in enumerate(text):
        if ch in "（“":
            depth += 1
        elif ch in "）”":
            depth -= 1
        elif ch == "；" and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [c for c in out if c]


def _flow_annex(charts: list[Any], annexes: ax.AnnexPlan) -> list[Block]:
    """The flow annex: one line on what it holds, the charts one after another, then
    what every chart shares, said once.

    Charts follow each other on the page (render/docx.py keeps each title, chart
    and caption together, and the introduction with the first chart). The legend
    every caption would repeat ("箭头表示…", "左侧为…") stands once, as a 说明 after
    the charts: four lines of it before a chart half a page high pushed the first
    chart to the next page and left the annex's first page nearly empty. Under each
    chart stays only what differs (who learns first, which levels, its own deadlines).
    """
    blocks: list[Block] = []
    drawn = [c for c in charts if c.emf]
    matrix = annexes.titles.get("notification", "")
    number = annexes.numbers.get("notification")

    def cite(clause: str) -> str:
        # "见信息报告与通报矩阵" → "见附件2": annexes are cited by number
        return clause.replace(f"见{matrix}", f"见附件{number}") if number and matrix else clause

    clauses = {id(c): [cite(x) for x in _clauses(c.caption)] for c in charts}
    shared: list[str] = []
    legend = ""
    if len(drawn) > 1:
        first = clauses[id(drawn[0])]
        shared = [x for x in first if all(x in clauses[id(c)] for c in drawn[1:])]
        # "对应Ⅰ、Ⅱ级响应" said of every chart at once reads "各图均对应…"
        shared_text = [("各图均" + x if x.startswith("对应") else x) for x in shared]
        legend = say("figure_legend", items="；".join(shared_text)) if shared else ""
        blocks.append(Para(say("figure_index", count=len(drawn)), "Plan Note"))
    n = 0
    for chart in charts:
        title = chart.title
        own = [x for x in clauses[id(chart)] if x not in shared] if chart.emf else []
        if chart.emf and len(drawn) > 1:
            n += 1
            title = f"图{n}　{title}"
        caption = "；".join(own) + "。" if own else ""
        if not chart.emf or len(drawn) == 1:
            caption = cite(chart.caption)
        blocks.append(
            Figure(
                chart.emf,
                caption,
                title,
                chart.width_mm,
                chart.height_mm,
                getattr(chart, "reason", ""),
                chart.raster if chart.emf else None,
            )
        )
    if legend:
        blocks.append(Para(legend, "Plan Note"))
    return blocks


def _charts(figure: Any) -> list[Any]:
    """The figure helper's FlowChart list: the charts drawn, and those it could not draw."""
    if figure is None:
        return []
    return [c for c in figure if c.emf or c.reason]
