"""Render a plan file: validate, build the content once, write DOCX or Markdown atomically.

The checks here are what make a rendered file safe to circulate: a final
render refuses any plan with an error finding or placeholder text, and an
existing file planctl did not produce is never overwritten without --force.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planctl.check import cached_result, check_and_store
from planctl.config import Config
from planctl.findings import Finding
from planctl.integrity import remember_digest, seal_text, stamp_parts
from planctl.loader import MAX_BYTES, Document, load_bytes, load_file, read_plan_bytes
from planctl.model import Plan
from planctl.placeholders import MARK, has_placeholder
from planctl.render.blocks import Content, Figure
from planctl.render.content import build
from planctl.rules import Options
from planctl.textscan import PLACEHOLDER, strings
from planctl.write import commit_staged, discard_staged, stage_bytes


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


@dataclass
class Staged:
    """A rendered plan whose files wait in temporaries beside their destinations.

    Rendering and placing are split so that a process pool can render plans in
    any order while the parent places them in input order (:func:`commit`): which
    of two plans with the same id and version wins the name, and the folder's
    manifest of outputs, are then exactly what a serial run gives.
    """

    source: Path
    output: Path
    findings: list[Finding] = field(default_factory=list)
    #: (temporary, destination, SHA-256 to list in the folder's manifest or "")
    writes: list[tuple[str, Path, str]] = field(default_factory=list)
    #: files that may not be replaced unless planctl wrote them, checked when committing
    #: (a batch defers the check to the process that commits in input order: a worker
    #: would see another plan's files of this run half-placed)
    guards: list[tuple[Path, bool, str]] = field(default_factory=list)
    defer_guards: bool = False

    def guard(self, path: Path, strict: bool, message: str) -> None:
        """Refuse now, or at commit when deferred, if ``path`` is not planctl's to replace.

        ``strict`` also refuses a symlink or a non-file at the path (the main output).
        """
        if self.defer_guards:
            self.guards.append((path, strict, message))
        elif _foreign(path, strict):
            raise RenderRefused([message])

    def stage(self, path: Path, data: bytes, listed: bool = False) -> None:
        digest = hashlib.sha256(data).hexdigest() if listed else ""
        self.writes.append((stage_bytes(path, data), path, digest))

    def temporaries(self) -> list[str]:
        return [tmp for tmp, _, _ in self.writes]

    def discard(self) -> None:
        for tmp, _, _ in self.writes:
            discard_staged(tmp)
        self.writes = []


def _foreign(path: Path, strict: bool) -> bool:
    if not path.exists():
        return False
    if strict and (path.is_symlink() or not path.is_file()):
        return True
    return not produced_by_planctl(path)


def _stage_guarded(staged: Staged, path: Path, data: bytes, force: bool) -> None:
    """A side file (figure PNG): never replace one planctl did not write."""
    if not force:
        staged.guard(
            path,
            False,
            f"{path}: 已存在且不是 planctl 生成的文件 (exists and was not produced by planctl; use --force)",
        )
    staged.stage(path, data, listed=True)


def _pdf(
    content: Any, reference: Path | None, final: bool, target: Path, force: bool, staged: Staged
) -> bytes:
    """PDF bytes; the DOCX with TOC page numbers is written next to it (render/pdf.py)."""
    from planctl.render.docx import render_docx_parts, toc_entries
    from planctl.render.pdf import PdfUnavailable, render_pdf

    docx_target = target.with_suffix(".docx")
    if not force:
        staged.guard(
            docx_target,
            False,
            f"{docx_target}: 已存在且不是 planctl 生成的文件；如确需覆盖请加 --force "
            f"(exists and was not produced by planctl; use --force)",
        )

    def make(pages: dict[str, int] | None) -> bytes:
        order, parts = render_docx_parts(content, reference, toc_pages=pages)
        return stamp_parts(order, parts, plan_digest=content.digest, final=final)

    try:
        docx, pdf = render_pdf(make, toc_entries(content))
    except PdfUnavailable as exc:
        raise RenderRefused([str(exc)]) from None
    staged.stage(docx_target, docx)
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
    from planctl.textscan import invisible_characters

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


def _taken_refusal(target: Path, first: str) -> RenderRefused:
    return RenderRefused(
        [
            f"{target}: 本次已由 {first} 生成，两份预案的编号和版本相同 "
            f"(already written in this run from {first}: same id and version)"
        ]
    )


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
    config: Config | None = None,
) -> Rendered:
    """Check, render and write one plan file (the library's one-call render)."""
    path = Path(path)
    staged = prepare(
        load_file(path),
        out_dir,
        fmt=fmt,
        final=final,
        force=force,
        options=options,
        with_figure=with_figure,
        taken=taken,
        reference=reference,
        config=config,
    )
    return commit(staged, taken)


def commit(staged: Staged, taken: dict[Path, str] | None = None) -> Rendered:
    """Put a staged render's files in place, in the order they were staged.

    ``taken`` maps the outputs already written in this run to their plan: a second
    plan with the same id and version is refused (its temporaries are removed),
    never written over the first one's document.
    """
    if taken:
        first = taken.get(staged.output.resolve())
        if first is not None:
            staged.discard()
            raise _taken_refusal(staged.output, first)
    for path, strict, message in staged.guards:
        if _foreign(path, strict):
            staged.discard()
            raise RenderRefused([message])
    writes, staged.writes = staged.writes, []
    while writes:
        tmp, dest, digest = writes.pop(0)
        try:
            commit_staged(tmp, dest)
            if digest:
                remember_digest(dest, digest)
        except BaseException:
            for rest, _, _ in writes:  # nothing half-placed is left behind
                discard_staged(rest)
            raise
    return Rendered(staged.source, staged.output, staged.findings)


def prepare(
    doc: Document,
    out_dir: str | Path,
    *,
    fmt: str = "docx",
    final: bool = False,
    force: bool = False,
    options: Options | None = None,
    with_figure: bool = True,
    taken: dict[Path, str] | None = None,
    reference: Path | None = None,
    defer_guards: bool = False,
    config: Config | None = None,
    cache: Any = None,
    raw: bytes | None = None,
    overlap: bool = False,
) -> Staged:
    """Check a loaded plan and render it; its files are staged, not yet in place.

    The plan is loaded once by the caller and shared by the checks and the
    renderer. The check honours the configuration as validate does, and with a
    ``cache`` (:class:`planctl.cache.ResultCache`) and the plan's ``raw`` bytes it
    reuses validate's result for the same bytes and settings. With ``overlap``
    (one plan, nothing else running) a check the cache cannot answer runs in a
    forked child while this process draws the DOCX; nothing is written before
    the check's verdict, and the result is the same as checking first. Raises
    :class:`RenderRefused` when the plan must not be rendered as asked.
    """
    from planctl.registry import resolve

    options, config = options or Options(), config or Config()
    # registry entries merged into the data first: the document is drawn from the merged
    # plan whether the check runs here, in a forked child or not at all (cache hit)
    resolve(doc, config)
    result = cached_result(doc, raw, cache)
    child = None
    if result is None and overlap and fmt == "docx" and isinstance(doc.data, dict):
        from planctl.pool import Forked

        child = Forked.start(check_and_store, doc, raw, options, config, cache)
    if result is None and child is None:
        result = check_and_store(doc, raw, options, config, cache)
    early: tuple[Content, bytes] | BaseException | None = None
    if child is not None:
        try:
            # drawn while the child checks: kept only if the check lets it be written
            try:
                content = _content(doc, fmt, final, with_figure)
                early = content, _docx_bytes(content, reference, final)
            except Exception as exc:  # a plan the check will refuse may not draw at all
                early = exc
            result = child.result()
            child = None
        finally:
            if child is not None:
                child.cancel()
        if result is None:  # the child failed (killed, out of memory): check here
            result = check_and_store(doc, raw, options, config, cache)
    assert result is not None
    _refuse(doc, result, final)
    if isinstance(early, BaseException):
        raise early
    content, data = early if early is not None else (_content(doc, fmt, final, with_figure), b"")
    path = doc.path
    out_dir = Path(out_dir)
    target = out_dir / output_name(doc.data, fmt, final)
    if target.resolve().parent != out_dir.resolve():  # ids are validated; belt and braces
        raise RenderRefused([f"{target}: output would leave {out_dir}"])
    if taken and target.resolve() in taken:
        raise _taken_refusal(target, taken[target.resolve()])
    staged = Staged(path, target, result.findings, defer_guards=defer_guards)
    if not force:
        staged.guard(
            target,
            True,
            f"{target}: 已存在且不是 planctl 生成的文件；如确需覆盖请加 --force "
            f"(exists and was not produced by planctl; use --force)",
        )
    try:
        if fmt == "docx":
            data = data or _docx_bytes(content, reference, final)
        elif fmt == "pdf":
            data = _pdf(content, reference, final, target, force, staged)
        else:
            from planctl.render.markdown import figure_names, render_markdown

            # the figures as PNG files next to the Markdown (the DOCX has them as vector EMF)
            figures = [b for b in content.blocks if isinstance(b, Figure)]
            pngs = [b.raster() if b.raster else b"" for b in figures]
            names = [
                name if png else ""  # no image (no CJK font to draw it with): no link
                for name, png in zip(figure_names(content, target.stem), pngs, strict=True)
            ]
            data = seal_text(render_markdown(content, names))
            for name, png in zip(names, pngs, strict=True):
                if png:
                    _stage_guarded(staged, target.parent / name, png, force)
        staged.stage(target, data, listed=fmt == "pdf")
    except BaseException:
        staged.discard()
        raise
    return staged


def _refuse(doc: Document, result: Any, final: bool) -> None:
    """Raise :class:`RenderRefused` when the check's result or the plan forbids this render."""
    path = doc.path
    errors = [f for f in result.findings if f.severity == "error"]
    if doc.data is None or (errors and (final or not result.rules_run)):
        # both languages, as the other refusals here: the caller's language is not known
        raise RenderRefused(
            [f"{f.file}:{f.line}:{f.col}: {f.code} {f.text('zh')} ({f.text('en')})" for f in errors]
        )
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


def _content(doc: Document, fmt: str, final: bool, with_figure: bool) -> Content:
    """The document's blocks (figures included) from a plan the check has let through."""
    assert doc.data is not None
    try:
        figure = None
        if with_figure and fmt in ("docx", "pdf", "md"):
            figure = document_figures(doc.data)
        return build(doc.data, draft=not final, figure=figure)
    except (KeyError, ValueError, TypeError, AttributeError):
        if not has_placeholder(doc.data):
            raise
        # a draft shows its markers in text, dates, durations and numbers; a marker
        # where the document needs a known value (an enum, a level) cannot be shown
        raise RenderRefused(
            [
                f"{doc.path}: 预案中仍有需要确定取值的【待填】项，请先填写（planctl validate 列出全部）"
                " (a 【待填】 marker stands where the document needs a known value; "
                "fill it in first, planctl validate lists them)"
            ]
        ) from None


def _docx_bytes(content: Content, reference: Path | None, final: bool) -> bytes:
    from planctl.render.docx import render_docx_parts

    order, parts = render_docx_parts(content, reference)
    return stamp_parts(order, parts, plan_digest=content.digest, final=final)


def verify(docx_path: str | Path, plan_path: str | Path, lang: str = "en") -> Any:
    """See :func:`planctl.integrity.verify_docx` (kept here for library users)."""
    from planctl.integrity import verify_docx

    return verify_docx(docx_path, plan_path, lang)


# --------------------------------------------------------------------------- many plans


#: fewer plans than this are rendered in the calling process when no -j is given: one
#: render costs 0.1-0.6 s, far more than starting a worker, so a small batch already pays
MIN_POOLED = 4


@dataclass
class Outcome:
    """What became of one plan of a batch; exactly one of the fields after ``path`` is set."""

    path: Path
    rendered: Rendered | None = None
    #: why the file was passed over (a key of planctl.check.SKIP_REASONS)
    skipped: str | None = None
    refused: list[str] | None = None
    error: OSError | None = None
    #: an unexpected error: its one-line summary, and the traceback for --debug
    internal: tuple[str, str] | None = None


@dataclass(frozen=True)
class _Job:
    path: Path
    out_dir: Path
    fmt: str
    final: bool
    force: bool
    options: Options | None
    reference: Path | None
    with_figure: bool = True
    config: Config | None = None
    #: the result cache (a :class:`planctl.cache.ResultCache`), shared with validate
    cache: Any = None
    #: check on the other core while drawing (one plan rendered in this process)
    overlap: bool = False


def _render_one(job: _Job) -> Outcome | tuple[Path, Staged]:
    """One plan of a batch, in a worker or in the calling process: load once, recognise, render.

    Every failure becomes a value: a worker's exception must not end the batch, and
    a traceback never reaches the user (the parent prints it only for --debug).
    """
    from planctl.check import recognize

    try:
        target = job.path.resolve() if job.path.is_symlink() else job.path
        raw = read_plan_bytes(target, MAX_BYTES)  # the bytes the cache entry is named by
        doc = load_bytes(raw, job.path)
        reason = recognize(doc)
        if reason is not None:
            return Outcome(job.path, skipped=reason)
        staged = prepare(
            doc,
            job.out_dir,
            fmt=job.fmt,
            final=job.final,
            force=job.force,
            options=job.options,
            reference=job.reference,
            with_figure=job.with_figure,
            defer_guards=True,
            config=job.config,
            cache=job.cache,
            raw=raw,
            overlap=job.overlap,
        )
    except RenderRefused as exc:
        return Outcome(job.path, refused=exc.reasons)
    except OSError as exc:
        return Outcome(job.path, error=exc)
    except Exception as exc:  # a bug in planctl: reported for this plan, the batch goes on
        import traceback

        summary = f"{type(exc).__name__}: {exc}"
        return Outcome(job.path, internal=(summary, traceback.format_exc()))
    return job.path, staged


def render_many(
    paths: list[Path],
    out_dir: str | Path,
    *,
    jobs: int | None = 1,
    fmt: str = "docx",
    final: bool = False,
    force: bool = False,
    options: Options | None = None,
    reference: Path | None = None,
    with_figure: bool = True,
    config: Config | None = None,
    cache: Any = None,
) -> Iterator[Outcome]:
    """Render plans over a process pool, yielding outcomes in the order of ``paths``.

    Workers render and stage their files; this process puts them in place in input
    order (:func:`commit`), so the files written, the names refused as taken, the
    output folder's manifest and the outcomes are byte for byte those of a serial
    run (``jobs=1``). ``jobs`` None uses every core from MIN_POOLED plans on, 0 every
    core. Files that are not plans are skipped, as :func:`planctl.check.split_plans`
    would skip them, from the one load that also serves the render. ``config`` and
    ``cache`` are validate's: a plan validated under the same settings is not checked
    again (see :func:`prepare`).
    """
    import gc

    from planctl import pool
    from planctl.write import adopt_staged

    out = Path(out_dir)
    work = [
        _Job(Path(p), out, fmt, final, force, options, reference, with_figure, config, cache)
        for p in paths
    ]
    n = pool.auto_jobs(len(work), jobs, minimum=MIN_POOLED)
    if len(work) == 1 and jobs != 1:  # one plan: its check runs beside its drawing (prepare)
        work = [dataclasses.replace(work[0], overlap=True)]
    taken: dict[Path, str] = {}
    # workers are forked: objects loaded so far are frozen out of the collector, so the
    # children's collections neither scan them nor copy their pages. The thresholds stay
    # as they are: raised as validate raises them, a render's cyclic garbage (python-docx,
    # lxml proxies) piled up to ~0.4 MB a plan with no CPU time saved over a batch.
    if n > 1:
        _preload(fmt)
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    # One plan: the collector stays off while it renders. Its cyclic garbage is bounded
    # (~0.4 MB) and goes with the render; the ~50 young collections it ran found
    # nothing worth their ~4 ms. A batch keeps collecting, as said above.
    collecting = gc.isenabled()
    if len(work) == 1:
        gc.disable()
    try:
        for done in pool.ordered_map(_render_one, work, n, chunksize=1):
            if isinstance(done, Outcome):
                yield done
                continue
            path, staged = done
            adopt_staged(staged.temporaries())  # an interrupt from here on removes them
            try:
                yield Outcome(path, rendered=_commit_taken(staged, taken))
            except RenderRefused as exc:
                yield Outcome(path, refused=exc.reasons)
            except OSError as exc:
                staged.discard()
                yield Outcome(path, error=exc)
    finally:
        if collecting:
            gc.enable()
        if not frozen_before:
            gc.unfreeze()


def _preload(fmt: str) -> None:
    """Import and read once, before the workers are forked, what every render needs.

    Otherwise each worker imports python-docx, Pillow and the chart modules and
    parses the house style itself (~0.25 s of CPU a worker).
    """
    from planctl.render.style import _sentences

    _sentences()
    if fmt == "md":
        import planctl.render.markdown

        try:
            import planctl.render.figure.draw  # the Markdown's PNG figures
        except ImportError:  # no Pillow: the Markdown goes without images, as in a worker
            pass
    else:
        import planctl.render.docx
    import planctl.render.figure.charts
    import planctl.render.figure.emf  # noqa: F401


def _commit_taken(staged: Staged, taken: dict[Path, str]) -> Rendered:
    rendered = commit(staged, taken)
    taken[rendered.output.resolve()] = str(rendered.source)
    return rendered
