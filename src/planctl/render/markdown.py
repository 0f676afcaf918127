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

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]#|!"} | {"<": "&lt;", ">": "&gt;"})


def _text(text: str) -> str:
    """Plan text shown literally: no HTML, links or emphasis smuggled into a review diff."""
    return text.translate(_MD_SPECIAL)


def _cell(text: str) -> str:
    return _text(text).replace("\n", " ")


def render_markdown(content: Content) -> str:
    out: list[str] = []
    for block in content.blocks:
        if isinstance(block, TitlePage):
            out.append(f"# {_text(block.title)}\n")
            if block.draft:
                out.append("**（征求意见稿）**\n")
            out.append(f"第 {block.version} 版　{block.date}\n")
            out.append("、".join(block.parties) + "\n")
            out.append(
                f"<!-- plan {content.plan_id} v{content.version} sha256:{content.digest} -->\n"
            )
        elif isinstance(block, Toc):
            continue
        elif isinstance(block, Heading):
            out.append(f"{'#' * (block.level + 1)} {_text(block.text)}\n")
        elif isinstance(block, Para):
            out.append(f"{_text(block.text)}\n")
        elif isinstance(block, Annex):
            out.append(f"## 附件{block.number}　{block.title}\n")
        elif isinstance(block, Table):
            out.append("| " + " | ".join(_cell(h) for h in block.header) + " |")
            out.append("|" + "---|" * len(block.header))
            for row in block.rows:
                out.append("| " + " | ".join(_cell(c) for c in row) + " |")
            out.append("")
        elif isinstance(block, Figure):
            out.append(f"*（图：{block.caption}，见 DOCX）*\n")
        elif isinstance(block, Signatures):
            for p in block.parties:
                sig = p.get("signatory", {})
                out.append(
                    f"- {sig.get('organ') or p['name']}　{sig.get('title', '')}："
                    "＿＿＿＿　（盖章）　日期：　　年　月　日"
                )
            out.append("")
    return "\n".join(out).rstrip() + "\n"
