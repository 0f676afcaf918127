"""Compiled code of the methods ``@dataclass`` writes, kept between runs of the command line.

A render imports ~70 dataclasses. For each, the standard library writes the
source of ``__init__``, ``__repr__``, ``__eq__`` (and more for frozen classes) and
compiles it: ~25 ms of a ~190 ms render, half of it in ``compile``. The source
text depends only on the class's shape, so its code object is the same in
every run. The command line (not the library: a host program's dataclasses
are its own business) lets the ``dataclasses`` module compile through
:func:`cached_exec`, which looks the exact source text up in a table kept in
the user's cache folder (``PLANCTL_CACHE_DIR``, as the compiled schemas), and
adds what it had to compile when the process ends.

Nothing here changes what a class does: a hit executes the code object that
compiling the same text gives. A missing, damaged or foreign table means
compiling, as before; where ``dataclasses`` does not call ``exec`` by name, the
hook is simply never used.
"""

from __future__ import annotations

import marshal
import sys
from pathlib import Path
from typing import Any

#: bump when the table's layout changes
_FORMAT = "1"
_table: dict[str, Any] = {}
_added = False
_path: Path | None = None


def cached_exec(source: Any, globals: Any = None, locals: Any = None) -> None:
    """``exec`` for ``dataclasses``: source text compiled once, then read from the table."""
    global _added
    if not isinstance(source, str):
        exec(source, globals, locals)
        return
    code = _table.get(source)
    if code is None:
        code = _table[source] = compile(source, "<string>", "exec")
        _added = True
    exec(code, globals, locals)


def install() -> None:
    """Route ``dataclasses``' compiling through the table (the command line calls this once)."""
    global _path
    import dataclasses

    from planctl.fastschema import cache_dir

    folder = cache_dir()
    if folder is None:
        return
    _path = (
        folder
        / f"classcode-{_FORMAT}-{sys.version_info.major}.{sys.version_info.minor}-{sys.implementation.cache_tag}.marshal"
    )
    try:
        table = marshal.loads(_path.read_bytes())
        if isinstance(table, dict):
            _table.update(
                (k, v)
                for k, v in table.items()
                if isinstance(k, str) and type(v) is type(install.__code__)
            )
    except Exception:  # absent, damaged, another Python's: compile as before
        pass
    dataclasses.exec = cached_exec  # type: ignore[attr-defined]
    import atexit

    atexit.register(save)


def save() -> None:
    """Write the table when this run compiled something new (best effort, atomic)."""
    global _added
    if not _added or _path is None:
        return
    _added = False
    try:
        data = marshal.dumps(dict(_table))
    except ValueError:
        return
    from planctl.write import write_cache_bytes

    write_cache_bytes(_path, data)
