"""Where the shipped templates are: inside the installed package, or the source tree."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def template_dir() -> Path:
    packaged = resources.files("planctl") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "templates"


def reference_docx() -> Path:
    return template_dir() / "reference.docx"
