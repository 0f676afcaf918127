"""Content blocks → Markdown, for review diffs and for pandoc comparisons.

Same blocks as the DOCX, so a reviewer diffing two Markdown exports sees
exactly what changed in the signed document.
"""

from __future__ import annotations

from planctl.render.content import (
    Annex,
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


def render_markdown(content: Content) -> str:
    out: list[str] = []
    for block in content.blocks:
        if isinstance(block, TitlePage):
            out.append(f"# {_cell(block.title)}\n")
            if block.draft:
                out.append("**（征求意见稿）**\n")
            out.append(f"第 {_cell(block.version)} 版　{_cell(block.date)}\n")
            out.append("、".join(_cell(x) for x in block.parties) + "\n")
            out.append(
                f"<!-- plan {content.plan_id} v{content.version} sha256:{content.digest} -->\n"
            )
        elif isinstance(block, Toc):
            continue
        elif isinstance(block, Heading):
            out.append(f"{'#' * (block.level + 1)} {_cell(block.text)}\n")
        elif isinstance(block, Para):
            out.append(f"{_text(block.text)}\n")
        elif isinstance(block, Annex):
            out.append(f"## 附件{block.number}　{_cell(block.title)}\n")
        elif isinstance(block, Table):
            out.append("| " + " | ".join(_cell(h) for h in block.header) + " |")
            out.append("|" + "---|" * len(block.header))
            for row in block.rows:
                out.append("| " + " | ".join(_cell(c) for c in row) + " |")
            out.append("")
        elif isinstance(block, Figure):
            out.append(f"*（图：{_cell(block.caption)}，见 DOCX）*\n")
        elif isinstance(block, Signatures):
            for p in block.parties:
                sig = p.get("signatory", {})
                out.append(
                    f"- {_cell(sig.get('organ') or p['name'])}　{_cell(sig.get('title', ''))}："
                    "＿＿＿＿　（盖章）　日期：　　年　月　日"
                )
            out.append("")
    return "\n".join(out).rstrip() + "\n"
