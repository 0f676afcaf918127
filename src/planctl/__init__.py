"""planctl: check and render joint cross-region contingency plans (跨区域联合应急预案).

The library comes first; the ``planctl`` command is a thin face over it::

    import planctl
    doc = planctl.load("sample-plans/zhuozhang-water-pollution.yaml")
    for finding in planctl.validate(doc, today="2026-11-28"):
        print(finding.code, finding.line, finding.text("zh"))
"""

from __future__ import annotations

#: the distribution name: "planctl" on the public index is somebody else's project
DISTRIBUTION = "planctl-cn"

# Names are imported on first use: ``planctl`` itself must import in no time,
# so the command can install its signal handlers before the heavy imports.
_LAZY = {
    "Report": "planctl.check",
    "check_paths": "planctl.check",
    "validate": "planctl.check",
    "validate_text": "planctl.check",
    "Finding": "planctl.findings",
    "Document": "planctl.loader",
    "load_file": "planctl.loader",
    "load_text": "planctl.loader",
}


def __getattr__(name: str) -> object:
    if name == "__version__":
        # a constant module, not importlib.metadata (~25 ms): hatchling builds from it
        from planctl._version import __version__ as value
    elif name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module 'planctl' has no attribute {name!r}")
    globals()[name] = value
    return value


def load(path: str) -> object:
    """Load a plan file with its source map.

    A file that cannot be loaded has ``doc.error`` (a plain
    :class:`~planctl.loader.LoadError`); ``planctl.validate(doc)`` reports it as
    a located finding.
    """
    from planctl.loader import load_file

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
