"""planctl: check and render joint cross-region contingency plans (跨区域联合应急预案).

The library comes first; the ``planctl`` command is a thin face over it::

    import planctl
    doc = planctl.load("sample-plans/zhuozhang-water-pollution.yaml")
    for finding in planctl.validate(doc, today="2026-11-28"):
        print(finding.code, finding.line, finding.text("zh"))
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from planctl.check import Report, check_paths, validate, validate_text
from planctl.findings import Finding
from planctl.loader import Document, load_file, load_text

#: the distribution name: "planctl" on the public index is somebody else's project
DISTRIBUTION = "planctl-cn"

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+source"


def load(path: str) -> Document:
    """Load a plan file with its source map; problems are in ``doc.findings``."""
    return load_file(path)


__all__ = [
    "DISTRIBUTION",
    "Document",
    "Finding",
    "Report",
    "__version__",
    "check_paths",
    "load",
    "load_text",
    "validate",
    "validate_text",
]
