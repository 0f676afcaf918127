"""Content blocks → Markdown, for review diffs and for pandoc comparisons.

Same blocks and the same annex numbering as the DOCX, so a reviewer diffing
two Markdown exports sees exactly what changed in the signed document. Flow
figures are written as PNG files next to the Markdown and linked from it.
"""

from __future__ import annotations

from planctl.render.blocks import (
    Annex,
    Attachments,
    Content,
    Figure,
    Heading,
    Para,
    Signatures,
    Table,
    TitlePage,
    Toc,
)
from planctl.textsafe import escape_markdown


def _text(text: str) -> str:
    """Plan text shown literally: no HTML, links, emphasis or blocks smuggled into a review diff."""
    return escape_markdown(text)


def _cell(text: str) -> str:
    return escape_markdown(text, inline=True)


def figure_names(content: Content, stem: str) -> list[str]:
    """File names of the figures, in document order (``stem``-figure-1.png …)."""
    n = sum(isinstance(b, Figure) for b in content.blocks)
    return [f"{stem}-figure-{i}.png" for i in range(1, n + 1)]


def render_markdown(content: Content, figures: list[str] | None = None) -> str:
    out: list[str] = []
    names = iter(figures or [])
    for block in content.blocks:
        if isinstance(block, TitlePage):
            out.append(f"# {_cell(block.title)}\n")
            if block.draft:
                out.append("**（征求意见稿）**\n")
            out.append(f"第 {_cell(block.version)} 版　{_cell(block.date)}\n")
            out.append("、".join(_cell(x) for x in block.parties) + "\n")
            if block.on_behalf:
                out.append(f"{_text(block.on_behalf)}\n")
            out.append(
                f"<!-- plan {content.plan_id} v{content.version} sha256:{content.digest} -->\n"
            )
        elif isinstance(block, Toc):
            continue
        elif isinstance(block, Heading):
            out.append(f"{'#' * (block.level + 1)} {_cell(block.text)}\n")
        elif isinstance(block, Para):
            out.append(f"{_text(block.text)}\n")
        elif isinstance(block, Attachments):
            for i, item in enumerate(block.items, 1):
                label = "附件：" if i == 1 else "　　　"
                out.append(f"{label}{i}．{_text(item)}  ")
            out.append("")
        elif isinstance(block, Annex):
            out.append(f"## 附件{block.number}　{_cell(block.title)}\n")
        elif isinstance(block, Table):
            _table(out, block)
        elif isinstance(block, Figure):
            name = next(names, None)
            if block.title:
                out.append(f"**{_text(block.title)}**\n")
            if name:
                out.append(f"![{_text(block.title or block.caption)}]({name})\n")
            if block.caption:  # charts sharing an annex may leave the legend to its introduction
                out.append(f"*{_text(block.caption)}*\n")
        elif isinstance(block, Signatures):
            out.append("## 联合签署页\n")
            out.append(f"{_text(block.note)}\n")
            for p in block.parties:
                sig = p.get("signatory", {})
                out.append(
                    f"- {_text(sig.get('organ') or p['name'])}（盖章）　"
                    f"{_text(sig.get('title') or '负责人')}（签字）：＿＿＿＿　年　月　日"
                )
            out.append("")
            if block.checksum:
                out.append(f"{_text(block.checksum)}\n")
    return "\n".join(out).rstrip() + "\n"


def _table(out: list[str], t: Table) -> None:
    keys = t.key_columns
    groups = t.groups or [list(range(keys, len(t.header)))]
    for cols in groups:
        idx = list(range(keys)) + cols
        rows = [[r[i] for i in idx] for r in t.rows]
        if t.drop_empty and cols:
            rows = [r for r in rows if any(r[keys:])]
        out.append("| " + " | ".join(_cell(t.header[i]) for i in idx) + " |")
        out.append("|" + "---|" * len(idx))
        for row in rows:
            out.append("| " + " | ".join(_cell(c) for c in row) + " |")
        out.append("")
