"""Tests that open LibreOffice, build wheels or install packages carry the ``slow`` marker.

CI runs everything (.ci/run has no ``-m``); ``pytest -m "not slow"`` is the quick loop a
developer runs. This reads the test sources, so a new LibreOffice or install test that
forgets the marker fails here instead of silently slowing the quick loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HERE = Path(__file__).parent
#: calls that start LibreOffice, pip, a wheel build or pre-commit
SLOW_CALLS = ("to_pdf(", "soffice(),", 'fmt="pdf"', "_pip(", '"pip"', "pre_commit,", '"wheel"')


def _is_slow_mark(node: ast.expr) -> bool:
    return "mark.slow" in ast.unparse(node)


def _module_is_slow(tree: ast.Module) -> bool:
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets
        ):
            return _is_slow_mark(stmt.value)
    return False


def _offenders(path: Path) -> list[str]:
    source = path.read_text("utf-8")
    tree = ast.parse(source)
    if _module_is_slow(tree):
        return []
    out = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        body = ast.get_source_segment(source, node) or ""
        if not any(call in body for call in SLOW_CALLS):
            continue
        is_fixture = any("fixture" in ast.unparse(d) for d in node.decorator_list)
        if node.name.startswith("_") or is_fixture:
            # a helper or fixture: every test that uses it must be slow; checked by name
            users = [
                t
                for t in tree.body
                if isinstance(t, ast.FunctionDef)
                and t.name.startswith("test_")
                and node.name in (ast.get_source_segment(source, t) or "")
            ]
            out += [f"{path.name}::{t.name} (via {node.name})" for t in users if not _slow(t)]
        elif node.name.startswith("test_") and not _slow(node):
            out.append(f"{path.name}::{node.name}")
    return sorted(out)


def _slow(fn: ast.FunctionDef) -> bool:
    return any(_is_slow_mark(d) for d in fn.decorator_list)


@pytest.mark.parametrize(
    "path",
    sorted(p for p in HERE.glob("test_*.py") if p.name != "test_markers.py"),
    ids=lambda p: p.name,
)
def test_libreoffice_and_install_tests_are_marked_slow(path: Path) -> None:
    assert _offenders(path) == []


def test_the_check_finds_an_unmarked_libreoffice_test(tmp_path: Path) -> None:
    bad = tmp_path / "test_bad.py"
    bad.write_text(
        "import pytest\n\n"
        "def _docx(p):\n    return to_pdf(p, p)\n\n"
        "def test_a(tmp_path):\n    to_pdf(tmp_path, tmp_path)\n\n"
        "@pytest.mark.slow\ndef test_b(tmp_path):\n    to_pdf(tmp_path, tmp_path)\n\n"
        "def test_c(tmp_path):\n    _docx(tmp_path)\n",
        encoding="utf-8",
    )
    assert _offenders(bad) == ["test_bad.py::test_a", "test_bad.py::test_c (via _docx)"]
    assert _offenders(HERE / "test_render.py") == []  # and sees the real markers
