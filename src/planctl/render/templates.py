"""Where the shipped templates are: inside the installed package, or the source tree."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


def template_dir() -> Path:
    packaged = resources.files("planctl") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "templates"


@lru_cache(maxsize=1)
def house_style_data() -> dict[str, Any]:
    """templates/text/zh.yaml parsed once per process: the model reads its event names
    and the renderer its sentences (each parsed it, ~1.3 ms of every start)."""
    from planctl.loader import safe_load

    data: dict[str, Any] = safe_load((template_dir() / "text" / "zh.yaml").read_text("utf-8"))
    return data


def reference_docx() -> Path:
    return template_dir() / "reference.docx"


class BadReference(ValueError):
    """The reference DOCX given by the user cannot serve as a style source."""


def check_reference(path: Path) -> Path:
    """An office's reference DOCX, checked before any rendering starts.

    The styles come from it, so a missing file, a .doc or a broken zip would
    otherwise fail half-way through a batch. Raises BadReference with the reason.
    """
    import zipfile

    if not path.is_file():
        raise BadReference(f"reference DOCX not found: {path}")
    try:
        with zipfile.ZipFile(path):
            pass
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadReference(f"{path} is not a DOCX (Word 2007+) file: {exc}") from None
    # which parts are the document and its styles the relationships say, not the member
    # names (OPC names are case-insensitive and need not be word/document.xml)
    from planctl.render.docx import check_reference_docx
    from planctl.render.package import PackageError

    try:
        check_reference_docx(path)
    except PackageError as exc:
        raise BadReference(f"{path} cannot serve as the reference DOCX: {exc}") from None
    return path
