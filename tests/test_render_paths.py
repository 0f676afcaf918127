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


def _variables(source: str) -> list[str]:
    import re

    names = set(
        re.findall(r"[A-Za-z_][A-Za-z0-9_]*", " ".join(re.findall(r"\{[{%](.*?)[}%]\}", source)))
    )
    return sorted(names - {"if", "elif", "else", "endif", "and", "or", "not", "in"})


def test_the_sentence_formatter_renders_every_template_as_jinja2_does() -> None:
    import random

    from planctl.render import style

    rng = random.Random(7)
    choices: list[object] = ["", "甲市", "协商不成的，报请上级", "按实际发生", "由双方", 0, 3, None]
    sentences = style.house_style()["sentences"]
    for key, source in sentences.items():
        template = style._jinja(key)
        names = _variables(source)
        for _ in range(40):
            values = {n: rng.choice(choices) for n in names if rng.random() < 0.85}
            try:
                expected: object = template.render(**values)
            except Exception as exc:  # e.g. rate[:1] of a number: the same error either way
                expected = type(exc)
            try:
                got: object = style.fill(key, **values)
            except Exception as exc:
                got = type(exc)
            assert got == expected, (key, values)


def test_the_formatter_hands_what_it_cannot_do_to_jinja2() -> None:
    from planctl.render.style import Sentence

    for source in (
        "{{ x | upper }}",
        "{% for a in b %}{{ a }}{% endfor %}",
        "{# note #}{{ x }}",
        "{{- x }}",
        "{% if x is none %}a{% endif %}",
        "{{ x.y }}",
        "{% if x %}a",
    ):
        assert Sentence.parse(source) is None, source
    s = Sentence.parse("{% if a and not b %}甲{% elif c %}{{ c }}{% else %}丙{% endif %}。\n")
    assert s is not None
    assert s.render({"a": 1}) == "甲。"
    assert s.render({"c": "乙"}) == "乙。"
    assert s.render({}) == "丙。"
