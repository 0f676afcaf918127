"""Render a plan file: validate, build the content once, write DOCX or Markdown atomically.

The checks here are what make a rendered file safe to circulate: a final
render refuses any plan with an error finding or placeholder text, and an
existing file planctl did not produce is never overwritten without --force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planctl.check import check_document
from planctl.findings import Finding
from planctl.integrity import remember, seal_text, stamp_docx
from planctl.loader import load_file
from planctl.model import Plan
from planctl.placeholders import MARK, has_placeholder
from planctl.render.blocks import Figure
from planctl.render.content import build
from planctl.rules import Options
from planctl.rules.text import PLACEHOLDER, strings
from planctl.write import atomic_write_bytes


class RenderRefused(Exception):
    """The plan must not be rendered as asked; ``reasons`` says why, line by line."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class Rendered:
    source: Path
    output: Path
    findings: list[Finding] = field(default_factory=list)


def _write_guarded(path: Path, data: bytes, force: bool) -> None:
    """A side file (figure PNG): never replace one planctl did not write."""
    if path.exists() and not force and not produced_by_planctl(path):
        raise RenderRefused(
            [
                f"{path}: 已存在且不是 planctl 生成的文件 (exists and was not produced by planctl; use --force)"
            ]
        )
    atomic_write_bytes(path, data)
    remember(path, data)


def _pdf(content: Any, reference: Path | None, final: bool, target: Path, force: bool) -> bytes:
    """PDF bytes; the DOCX with TOC page numbers is written next to it (render/pdf.py)."""
    from planctl.render.docx import render_docx, toc_entries
    from planctl.render.pdf import PdfUnavailable, render_pdf

    docx_target = target.with_suffix(".docx")
    if docx_target.exists() and not force and not produced_by_planctl(docx_target):
        raise RenderRefused(
            [
                f"{docx_target}: 已存在且不是 planctl 生成的文件；如确需覆盖请加 --force "
                f"(exists and was not produced by planctl; use --force)"
            ]
        )

    def make(pages: dict[str, int] | None) -> bytes:
        raw = render_docx(content, reference, toc_pages=pages)
        return stamp_docx(raw, plan_digest=content.digest, final=final)

    try:
        docx, pdf = render_pdf(make, toc_entries(content))
    except PdfUnavailable as exc:
        raise RenderRefused([str(exc)]) from None
    atomic_write_bytes(docx_target, docx)
    return pdf


def document_figures(data: dict[str, Any]) -> Any:
    """The flow charts the document embeds (None when the figure package is unavailable).

    One chart per response level or origin; each is laid out to fit a portrait
    page under the annex title with its caption (render/docx.py places them).
    """
    try:
        from planctl.render.figure import flow_charts
    except ImportError:
        return None
    # A chart, its title and a three-line caption fit the 225 mm type area at 150 mm
    # of chart; render/docx.py lets charts share a page when they fit together.
    return flow_charts(Plan(data), max_width_mm=156, max_height_mm=150)


def placeholders(data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Every string in the plan that still holds placeholder text."""
    return [
        (path, text)
        for path, text in strings(data)
        if PLACEHOLDER.search(text) or MARK.search(text)
    ]


def produced_by_planctl(path: Path) -> bool:
    """Only files planctl wrote, unchanged since, may be replaced without --force."""
    from planctl.integrity import produced_unchanged

    return produced_unchanged(path)


def refuse_invisible(doc: Any) -> None:
    """A signed text must read as it is stored: no bidi controls or zero-width characters."""
    from planctl.rules.text import invisible_characters

    hidden = invisible_characters(doc.data)
    if hidden:
        reasons = []
        for p, offset, code in hidden:
            mark = doc.source.value(p)
            reasons.append(
                f"{doc.path}:{mark.line}:{mark.col}: 不可见或方向控制字符 {code}（第 {offset + 1} 个字符）"
                f" (invisible or bidi control character {code}, TXT003)"
            )
        raise RenderRefused(reasons)


def output_name(data: dict[str, Any], fmt: str, final: bool) -> str:
    meta = data["metadata"]
    suffix = "" if final else "-draft"
    return f"{meta['id']}-v{meta['version']}{suffix}.{fmt}"


def render_file(
    path: str | Path,
    out_dir: str | Path,
    *,
    fmt: str = "docx",
    final: bool = False,
    force: bool = False,
    options: Options | None = None,
    with_figure: bool = True,
    taken: dict[Path, str] | None = None,
    reference: Path | None = None,
) -> Rendered:
    path = Path(path)
    doc = load_file(path)
    result = check_document(doc, options)
    errors = [f for f in result.findings if f.severity == "error"]
    if doc.data is None or (errors and (final or not result.rules_run)):
        raise RenderRefused([f"{f.file}:{f.line}:{f.col}: {f.code} {f.text('zh')}" for f in errors])
    if final and doc.data["metadata"]["status"] in ("draft", "superseded"):
        mark = doc.source.value(("metadata", "status"))
        raise RenderRefused(
            [
                f"{path}:{mark.line}:{mark.col}: 状态为 {doc.data['metadata']['status']}，"
                "正式稿需为 review 或 approved (status must be review or approved for --final)"
            ]
        )
    if final:
        refuse_invisible(doc)
    if final:
        holes = placeholders(doc.data)
        if holes:
            reasons = []
            for p, text in holes:
                mark = doc.source.value(p)
                reasons.append(f"{path}:{mark.line}:{mark.col}: 占位文本 placeholder: {text[:40]}")
            raise RenderRefused(reasons)
    try:
        figure = None
        if with_figure and fmt in ("docx", "pdf", "md"):
            figure = document_figures(doc.data)
        content = build(doc.data, draft=not final, figure=figure)
    except (KeyError, ValueError, TypeError, AttributeError):
        if not has_placeholder(doc.data):
            raise
        # a draft shows its markers in text, dates, durations and numbers; a marker
        # where the document needs a known value (an enum, a level) cannot be shown
        raise RenderRefused(
            [
                f"{path}: 预案中仍有需要确定取值的【待填】项，请先填写（planctl validate 列出全部）"
                " (a 【待填】 marker stands where the document needs a known value; "
                "fill it in first, planctl validate lists them)"
            ]
        ) from None
    out_dir = Path(out_dir)
    target = out_dir / output_name(doc.data, fmt, final)
    if target.resolve().parent != out_dir.resolve():  # ids are validated; belt and braces
        raise RenderRefused([f"{target}: output would leave {out_dir}"])
    if taken and target.resolve() in taken:
        first = taken[target.resolve()]
        raise RenderRefused(
            [
                f"{target}: 本次已由 {first} 生成，两份预案的编号和版本相同 "
                f"(already written in this run from {first}: same id and version)"
            ]
        )
    if target.exists() and not force:
        if target.is_symlink() or not target.is_file() or not produced_by_planctl(target):
            raise RenderRefused(
                [
                    f"{target}: 已存在且不是 planctl 生成的文件；如确需覆盖请加 --force "
                    f"(exists and was not produced by planctl; use --force)"
                ]
            )
    if fmt == "docx":
        from planctl.render.docx import render_docx

        data = stamp_docx(render_docx(content, reference), plan_digest=content.digest, final=final)
    elif fmt == "pdf":
        data = _pdf(content, reference, final, target, force)
    else:
        from planctl.render.markdown import figure_names, render_markdown

        names = figure_names(content, target.stem)
        data = seal_text(render_markdown(content, names))
        pngs = [b.png for b in content.blocks if isinstance(b, Figure)]
        for name, png in zip(names, pngs, strict=True):
            if png:  # the figure as an image file next to the Markdown
                _write_guarded(target.parent / name, png, force)
    atomic_write_bytes(target, data)
    if fmt == "pdf":
        remember(target, data)
    return Rendered(path, target, result.findings)


def verify(docx_path: str | Path, plan_path: str | Path, lang: str = "en") -> Any:
    """See :func:`planctl.integrity.verify_docx` (kept here for library users)."""
    from planctl.integrity import verify_docx

    return verify_docx(docx_path, plan_path, lang)
