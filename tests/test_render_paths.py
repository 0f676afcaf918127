"""The render's shortcuts give exactly what the plain paths give (no timings here).

The DOCX is built from python-docx's parts without zipping them twice, its
integrity record is computed from those parts, and the house-style sentences
are filled by a small formatter instead of jinja2 where a template is a plain
substitution. Each shortcut is checked against the plain way, byte for byte.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from planctl.integrity import stamp_docx, stamp_parts
from planctl.loader import load_file
from planctl.render import docx as docx_mod
from planctl.render.content import build
from tests.conftest import sample_plans


@pytest.fixture(scope="module")
def content():  # type: ignore[no-untyped-def]
    plan = sorted(sample_plans())[0]
    return build(load_file(plan).data, draft=True, figure=None)


def test_parts_are_what_python_docx_saves(content) -> None:  # type: ignore[no-untyped-def]
    writer = docx_mod.DocxWriter(content, None, None)
    order, parts = writer.write_parts()
    saved = io.BytesIO()
    writer.doc.save(saved)  # the same document, through python-docx's own zip writer
    z = zipfile.ZipFile(io.BytesIO(saved.getvalue()))
    assert [i.filename for i in z.infolist()] == order
    fixed = dict(parts)
    for name in order:
        raw = z.read(name)
        if name in docx_mod._CHINESE_FIXES:
            raw = docx_mod._CHINESE_FIXES[name](raw.decode("utf-8")).encode("utf-8")
        assert raw == fixed[name], name


def test_package_parts_fallback_agrees(content, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Where python-docx lacks its writer's steps, saving and reading back gives the same."""
    fast = docx_mod.render_docx_parts(content)
    monkeypatch.setattr(docx_mod, "package_parts", docx_mod.saved_parts)
    slow = docx_mod.render_docx_parts(content)
    assert fast == slow


def test_stamping_the_parts_is_stamping_the_zip(content) -> None:  # type: ignore[no-untyped-def]
    order, parts = docx_mod.render_docx_parts(content)
    zipped = docx_mod.zip_parts(order, parts)
    for final in (False, True):
        via_zip = stamp_docx(zipped, plan_digest="d" * 64, final=final)
        direct = stamp_parts(list(order), dict(parts), plan_digest="d" * 64, final=final)
        assert direct == via_zip
