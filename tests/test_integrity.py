"""verify sees the document; outputs are replaced only when planctl wrote them unchanged.

Issue #9, items 1 and 3: every edit kind listed there is made here by hand on
the package XML, the way a user's editor would leave it, and must be reported.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from planctl.examples import base_text
from planctl.integrity import (
    IntegrityError,
    open_package,
    produced_unchanged,
    verify_docx,
)
from planctl.render.api import RenderRefused, render_file
from planctl.rules import Options

from .conftest import TODAY, soffice

OPTS = Options()
OPTS.today = __import__("datetime").date.fromisoformat(TODAY)
NAME = "example-two-county-river-v1.0-draft.docx"


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("integrity")
    plan = folder / "plan.yaml"
    plan.write_text(base_text(), encoding="utf-8")
    return render_file(plan, folder / "out", options=OPTS).output, plan


def _edit(src: Path, dst: Path, edits: dict[str, object], order: list[str] | None = None) -> Path:
    """Copy a DOCX, applying per-part edits: a function of the text, bytes, or None to drop."""
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    for name, how in edits.items():
        if how is None:
            parts.pop(name, None)
        elif isinstance(how, bytes):
            parts[name] = how
        else:
            parts[name] = how(parts[name].decode("utf-8")).encode("utf-8")  # type: ignore[operator]
    names = order or list(parts)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.writestr(n, parts[n])
    return dst


def _check(original: tuple[Path, Path], tmp_path: Path, edits: dict[str, object]):
    docx, plan = original
    edited = _edit(docx, tmp_path / NAME, edits)
    return verify_docx(edited, plan)


def _once(pattern: str, repl: str):
    def f(text: str) -> str:
        new, n = re.subn(pattern, repl, text, count=1)
        assert n == 1, pattern
        return new

    return f


def test_untouched_document_matches_and_says_draft(original) -> None:
    v = verify_docx(*original)
    assert v.unchanged and v.plan_matches is True and v.status == "draft" and v.matches


def test_one_character_of_body_text(original, tmp_path: Path) -> None:
    v = _check(original, tmp_path, {"word/document.xml": _once("，30分钟内以", "，300分钟内以")})
    assert not v.unchanged and v.plan_matches is False
    text = " ".join(c.describe() for c in v.changes)
    assert "30分钟" in text and "300分钟" in text and "paragraph" in text


def test_table_cell(original, tmp_path: Path) -> None:
    v = _check(
        original, tmp_path, {"word/document.xml": _once(">30分钟内</w:t>", ">300分钟内</w:t>")}
    )
    assert not v.unchanged
    assert any(c.where.startswith("table") and c.new == "300分钟内" for c in v.changes)


def test_paragraph_deleted(original, tmp_path: Path) -> None:
    v = _check(
        original,
        tmp_path,
        {"word/document.xml": _once(r"<w:p>(?:(?!</w:p>).)*?乙县获知(?:(?!</w:p>).)*?</w:p>", "")},
    )
    assert [c.what for c in v.changes] == ["deleted"] and "乙县获知" in (v.changes[0].old or "")


def test_bold_added(original, tmp_path: Path) -> None:
    v = _check(
        original,
        tmp_path,
        {
            "word/document.xml": _once(
                r"<w:r>(<w:t xml:space=\"preserve\">1．甲县获知)", r"<w:r><w:rPr><w:b/></w:rPr>\1"
            )
        },
    )
    assert [c.what for c in v.changes] == ["format"] and "b" in v.changes[0].new_fmt


def test_figure_replaced(original, tmp_path: Path) -> None:
    from planctl.render.figure.emf import EmfWriter

    other = EmfWriter(40, 30).finish()  # a valid, blank vector picture in the chart's place
    v = _check(original, tmp_path, {"word/media/image1.emf": other})
    assert not v.unchanged and any(c.where == "images" for c in v.changes)


def test_footer_edited(original, tmp_path: Path) -> None:
    v = _check(
        original,
        tmp_path,
        {"word/footer1.xml": _once('<w:t xml:space="preserve">— </w:t>', "<w:t>第 </w:t>")},
    )
    assert any(c.where == "headers" for c in v.changes)


def test_header_edited(original, tmp_path: Path) -> None:
    def add_text(text: str) -> str:
        return text.replace("</w:hdr>", "<w:p><w:r><w:t>内部资料</w:t></w:r></w:p></w:hdr>", 1)

    v = _check(original, tmp_path, {"word/header1.xml": add_text})
    assert any(c.where == "headers" for c in v.changes)


def test_signature_block_edited(original, tmp_path: Path) -> None:
    v = _check(
        original,
        tmp_path,
        {"word/document.xml": _once("县长（签字）：", "县长（签字）：张三（已签）")},
    )
    assert any("张三" in (c.new or "") and c.where.startswith("table") for c in v.changes)


def test_category_changed(original, tmp_path: Path) -> None:
    v = _check(original, tmp_path, {"docProps/core.xml": _once("征求意见稿", "正式稿")})
    assert [c.where for c in v.changes] == ["properties"]


def test_macro_part_added(original, tmp_path: Path) -> None:
    rel = (
        '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/'
        'vbaProject" Target="vbaProject.bin"/></Relationships>'
    )
    v = _check(
        original,
        tmp_path,
        {
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro",
            "word/_rels/document.xml.rels": lambda t: t.replace("</Relationships>", rel),
        },
    )
    assert any(c.where == "parts" and "vbaProject" in (c.new or "") for c in v.changes)


def test_external_relationship_added(original, tmp_path: Path) -> None:
    rel = (
        '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/attachedTemplate" Target="http://evil.example/t.dotm" '
        'TargetMode="External"/></Relationships>'
    )
    v = _check(
        original,
        tmp_path,
        {
            "word/_rels/settings.xml.rels": rel.replace("</Relationships>", "")
            .join(
                [
                    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
                    "</Relationships>",
                ]
            )
            .encode()
        },
    )
    assert any(c.where == "parts" for c in v.changes)


def test_stored_digest_edited(original, tmp_path: Path) -> None:
    v = _check(
        original,
        tmp_path,
        {
            "docProps/custom.xml": lambda t: re.sub(
                r'(&quot;|")body\1:\1([0-9a-f])',
                lambda m: m.group(0)[:-1] + ("0" if m.group(2) != "0" else "1"),
                t,
                count=1,
            )
        },
    )
    assert not v.unchanged


def test_benign_resave_is_not_an_edit(original, tmp_path: Path) -> None:
    docx, plan = original
    with zipfile.ZipFile(docx) as z:
        names = [i.filename for i in z.infolist()]
    edits = {
        "word/document.xml": lambda t: t.replace("<w:r>", '<w:r w:rsidR="00A1B2C3">'),
        "docProps/core.xml": lambda t: t.replace(
            "<cp:lastModifiedBy>planctl</cp:lastModifiedBy>",
            "<cp:lastModifiedBy>王五</cp:lastModifiedBy>",
        ).replace(
            "2000-01-01T00:00:00Z</dcterms:modified>", "2026-11-29T08:00:00Z</dcterms:modified>"
        ),
        "docProps/app.xml": lambda t: t.replace(
            "</Properties>", "<Company>某局</Company></Properties>"
        ),
    }
    edited = _edit(docx, tmp_path / NAME, edits, order=list(reversed(names)))
    v = verify_docx(edited, plan)
    assert v.unchanged and v.plan_matches, [c.describe() for c in v.changes]
    # still, it is no longer byte-for-byte planctl's output: a re-render must not replace it
    assert not produced_unchanged(edited)


@pytest.mark.slow
@pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed")
def test_libreoffice_resave_keeps_content_and_is_not_overwritten(original, tmp_path: Path) -> None:
    docx, plan = original
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            str(tmp_path / "lo"),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    resaved = tmp_path / "lo" / docx.name
    v = verify_docx(resaved, plan)
    assert v.unchanged and v.plan_matches, [c.describe() for c in v.changes]
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(resaved, out / docx.name)
    with pytest.raises(RenderRefused):
        render_file(plan, out, options=OPTS)
    assert (out / docx.name).read_bytes() == resaved.read_bytes()


def test_plan_changed_after_rendering(original, tmp_path: Path) -> None:
    docx, plan = original
    changed = tmp_path / "plan.yaml"
    changed.write_text(plan.read_text("utf-8").replace("PT30M", "PT45M", 1), encoding="utf-8")
    v = verify_docx(docx, changed)
    assert v.unchanged and v.plan_matches is False
    assert any("45分钟" in (c.old or "") for c in v.plan_changes)


def test_whole_numbers_written_as_floats_are_the_same_plan(original, tmp_path: Path) -> None:
    from planctl.loader import load_text
    from planctl.render.content import canonical_digest

    a = load_text("q: 50\nr: [1, 2.5]\n").data
    b = load_text("q: 50.0\nr: [1.0, 2.5]\n").data
    assert canonical_digest(a) == canonical_digest(b)
    assert canonical_digest(a) != canonical_digest(load_text("q: 51\nr: [1, 2.5]\n").data)


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planctl", *args], capture_output=True, text=True, cwd=cwd
    )


def test_cli_reports_draft_and_require_final(original, tmp_path: Path) -> None:
    docx, plan = original
    r = _cli("verify", str(docx), str(plan))
    assert r.returncode == 0 and "draft" in r.stdout
    r = _cli("verify", str(docx), str(plan), "--require-final")
    assert r.returncode == 1 and "draft" in r.stdout
    edited = _edit(
        docx, tmp_path / NAME, {"word/document.xml": _once("，30分钟内以", "，300分钟内以")}
    )
    r = _cli("verify", str(edited), str(plan))
    assert r.returncode == 1 and "300分钟" in r.stdout and "Traceback" not in r.stderr


def test_final_document_verifies_as_final(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text().replace("status: draft", "status: review"), encoding="utf-8")
    try:
        out = render_file(plan, tmp_path, final=True, options=OPTS).output
    except RenderRefused:
        pytest.skip("the example plan is not final-ready")
    v = verify_docx(out, plan)
    assert v.status == "final" and v.matches
    assert _cli("verify", str(out), str(plan), "--require-final").returncode == 0


def test_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("docProps/core.xml", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):  # 300 MB of zeros, about 300 KB compressed
                fh.write(chunk)
    with pytest.raises(IntegrityError, match="zip bomb"):
        open_package(bomb)
    assert not produced_unchanged(bomb)
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text(), encoding="utf-8")
    r = _cli("verify", str(bomb), str(plan))
    assert r.returncode == 2 and "zip bomb" in r.stderr


def test_not_a_docx_and_no_record(tmp_path: Path, original) -> None:
    docx, plan = original
    foreign = tmp_path / "foreign.docx"
    foreign.write_bytes(b"not a zip")
    with pytest.raises(IntegrityError):
        verify_docx(foreign, plan)
    stripped = _edit(docx, tmp_path / "x.docx", {"docProps/custom.xml": None})
    with pytest.raises(IntegrityError, match="record"):
        verify_docx(stripped, plan)


# ---------------------------------------------------------------- overwrite guard


def test_docx_with_edited_body_but_untouched_core_is_not_replaced(original, tmp_path: Path) -> None:
    docx, plan = original
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(docx, out / NAME)
    render_file(plan, out, options=OPTS)  # its own untouched output: replaced quietly
    target = _edit(docx, out / NAME, {"word/document.xml": _once("，30分钟内以", "，300分钟内以")})
    before = target.read_bytes()
    with pytest.raises(RenderRefused):
        render_file(plan, out, options=OPTS)
    assert target.read_bytes() == before
    render_file(plan, out, options=OPTS, force=True)
    assert target.read_bytes() != before


def test_markdown_with_reviewer_additions_is_not_replaced(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text(), encoding="utf-8")
    md = render_file(plan, tmp_path, fmt="md", options=OPTS).output
    render_file(plan, tmp_path, fmt="md", options=OPTS)  # untouched: replaced
    md.write_text(md.read_text("utf-8") + "\n> 评审意见：第三条需补充。\n", encoding="utf-8")
    with pytest.raises(RenderRefused):
        render_file(plan, tmp_path, fmt="md", options=OPTS)
    assert "评审意见" in md.read_text("utf-8")


def test_users_own_markdown_with_the_markers_is_not_replaced(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text(), encoding="utf-8")
    md = tmp_path / "example-two-county-river-v1.0-draft.md"
    fake = "<!-- plan example sha256:abc -->\n<!-- planctl-seal:" + "1" * 64 + " -->\n我的笔记\n"
    md.write_text(fake, encoding="utf-8")
    with pytest.raises(RenderRefused):
        render_file(plan, tmp_path, fmt="md", options=OPTS)
    assert md.read_text("utf-8") == fake


def test_schema_output_never_replaces_a_users_file(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text(), encoding="utf-8")
    r = _cli("schema", "-o", str(plan))
    assert r.returncode == 2 and plan.read_text("utf-8") == base_text()
    out = tmp_path / "plan.schema.json"
    assert _cli("schema", "-o", str(out)).returncode == 0
    assert "planctl-seal" in json.loads(out.read_text("utf-8"))["$comment"]
    assert _cli("schema", "-o", str(out)).returncode == 0  # its own untouched output
    out.write_text(out.read_text("utf-8").replace('"type"', '"type" ', 1), encoding="utf-8")
    assert _cli("schema", "-o", str(out)).returncode == 2
    assert _cli("schema", "-o", str(out), "--force").returncode == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "md"])
def test_matrix_output_never_replaces_a_users_file(tmp_path: Path, fmt: str) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text(), encoding="utf-8")
    out = tmp_path / f"m.{fmt}"
    assert _cli("matrix", str(plan), "-f", fmt, "-o", str(out)).returncode == 0
    assert _cli("matrix", str(plan), "-f", fmt, "-o", str(out)).returncode == 0  # ours, unchanged
    out.write_bytes(out.read_bytes() + b"\n")
    r = _cli("matrix", str(plan), "-f", fmt, "-o", str(out))
    assert r.returncode == 2 and "--force" in r.stderr
    users = tmp_path / f"mine.{fmt}"
    users.write_bytes(b"my own table\n")
    assert _cli("matrix", str(plan), "-f", fmt, "-o", str(users)).returncode == 2
    assert users.read_bytes() == b"my own table\n"
    assert _cli("matrix", str(plan), "-f", fmt, "-o", str(users), "--force").returncode == 0


# --------------------------------------------------------------------------- the stamp's fast walk


def _w_doc(body: str) -> bytes:
    return (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    ).encode()


def test_the_fast_walk_reads_what_the_general_walk_reads() -> None:
    """Paragraphs the fast walk reads itself and ones it hands back, with a field open
    across them (the state it started from is restored before the general walk)."""
    from planctl.integrity import _blocks, _FastWalker, _Walker, _xml

    run = "<w:r><w:t>{}</w:t></w:r>"
    body = "".join(
        [
            '<w:p><w:pPr><w:tabs><w:tab w:val="right" w:pos="9000"/></w:tabs></w:pPr>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> TOC \\u \\o "1-1" </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + run.format("总则") + "</w:p>",
            # a symbol: the general walk reads this one, inside the open field's result
            '<w:p><w:r><w:sym w:font="Wingdings" w:char="F0FC"/></w:r>'
            + run.format("附件")
            + "</w:p>",
            '<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r>' + run.format("正文") + "</w:p>",
            '<w:p><w:r><w:rPr><w:b/><w:color w:val="FF0000"/></w:rPr><w:t>牵头</w:t>'
            '<w:br/><w:tab/><w:t>单位</w:t><w:noBreakHyphen/><w:br w:type="page"/></w:r>'
            + run.format("0351")
            + "</w:p>",
            '<w:p><w:fldSimple w:instr=" PAGE "><w:r><w:t>3</w:t></w:r></w:fldSimple></w:p>',
            '<w:p><w:r><w:drawing><wp:inline><a:graphic><a:graphicData><a:blip r:embed="rId9"/>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>",
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText>'
            '</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r></w:p>',
            "<w:p><!-- a comment --><w:r><w:t>注</w:t></w:r></w:p>",
            # a field opened in the fast walk before it meets a symbol, closed a paragraph later
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText>'
            '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t>'
            '<w:sym w:font="Symbol" w:char="F0B7"/></w:r></w:p>',
            '<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r>' + run.format("页") + "</w:p>",
            "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>甲</w:t></w:r></w:p><w:p><w:r><w:rPr><w:i/></w:rPr>"
            "<w:t>乙</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl>",
        ]
    )
    root = _xml(_w_doc(body), "word/document.xml")
    images = {"rId9": "ab" * 32}
    general = _blocks(root, _Walker(images))
    assert len(general) >= 7
    assert _blocks(root, _FastWalker(images)) == general


def test_the_stamp_records_what_verify_reads_on_every_sample(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The record stamped with the fast walk over the writer's own tree is byte for byte the
    one the general walk gives over the parsed bytes (verify's way), on every sample, draft
    and final, with and without TOC page numbers."""
    import planctl.integrity as integrity
    from planctl.loader import load_file
    from planctl.registry import resolve
    from planctl.render.api import document_figures
    from planctl.render.content import build
    from planctl.render.docx import render_docx_parts, toc_entries

    from .conftest import sample_plans

    for plan in sorted(sample_plans()):
        doc = load_file(plan)
        resolve(doc)
        figures = document_figures(doc.data)
        for final in (False, True):
            content = build(doc.data, draft=not final, figure=figures)
            for pages in (None, {e: n + 3 for n, e in enumerate(toc_entries(content))}):
                order, parts = render_docx_parts(content, toc_pages=pages)
                assert parts.parsed  # type: ignore[attr-defined]  # the writer's tree goes along
                staged = integrity.PartsPackage(order, parts)
                reparsed = integrity.PartsPackage(order, dict(parts))  # bytes only, as verify
                assert integrity.snapshot(staged, fast=True) == integrity.snapshot(reparsed)
                fast = integrity.stamp_parts(list(order), dict(parts), plan_digest="d", final=final)
                with monkeypatch.context() as m:
                    m.setattr(integrity, "_FastWalker", integrity._Walker)
                    general = integrity.stamp_parts(  # from the bytes, with the general walk
                        list(order), dict(parts), plan_digest="d", final=final
                    )
                assert fast == general, (plan.name, final, pages is None)
