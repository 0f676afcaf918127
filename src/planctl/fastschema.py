"""Compiled JSON Schema validators, cached on disk by schema hash.

``fastjsonschema.compile`` generates ~1 MB of Python for the plan schema and
compiling that source costs 100-300 ms and ~40 MiB in every process, more than
checking a plan. The generated code depends only on the schema, fastjsonschema's
version and the Python version, so its compiled code object is kept in the
user's cache folder under a key of exactly those, and later processes load it
with ``marshal`` in a few milliseconds.

The cache is an optimisation only: an unreadable, corrupt or unwritable cache
means compiling in memory as before, never an error. Set ``PLANCTL_CACHE_DIR``
to move it (or to an empty string to switch it off).
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

#: bump when the file layout below changes (2: names left unformatted, see _yes_or_no;
#: 3: no fastjsonschema or decimal import in the generated code)
_FORMAT = "3"


def cache_dir() -> Path | None:
    """The user-level cache folder for compiled validators, None when switched off."""
    env = os.environ.get("PLANCTL_CACHE_DIR")
    if env is not None:
        return Path(env) if env.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not base or base.startswith("~"):
        return None
    return Path(base) / "planctl"


def schema_key(name: str, schema: dict[str, Any] | None, sources: Sequence[Path] = ()) -> str:
    """What the generated code depends on, as a short hash.

    With ``sources`` the key is made of those files' bytes (the files the schema
    is built from) instead of the built schema: a start-up then neither builds
    the schema nor imports fastjsonschema when the compiled code is cached.
    """
    h = hashlib.sha256()
    for part in (_FORMAT, name, _generator_version(), sys.version):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    if sources:
        # the code that turns the files into the schema and the schema into code counts too
        for path in (*sources, Path(__file__)):
            h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    else:
        h.update(json.dumps(schema, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()[:24]


def _generator_version() -> str:
    """fastjsonschema's version without importing it (~10 ms): its version file's text."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("fastjsonschema")
        folder = (
            spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else None
        )
        if folder:
            return Path(folder, "version.py").read_text(encoding="utf-8")
    except (ImportError, OSError, ValueError, IndexError):
        pass
    import fastjsonschema

    return str(fastjsonschema.VERSION)


def _from_code(code: Any) -> Callable[[Any], Any]:
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return namespace["validate"]


def compiled(
    name: str,
    schema: dict[str, Any] | Callable[[], dict[str, Any]],
    sources: Sequence[Path] = (),
) -> Callable[[Any], Any]:
    """A validating function for ``schema`` (raises fastjsonschema's exception when invalid).

    ``schema`` may be a function that builds it, called only when the code must
    be compiled; then ``sources``, the files it is built from, make the key.
    """
    if callable(schema) and not sources:
        schema = schema()
    folder = cache_dir()
    path = None
    if folder is not None:
        try:
            key = schema_key(name, None if callable(schema) else schema, sources)
            path = folder / f"{name}-{key}.marshal"
            return _from_code(marshal.loads(path.read_bytes()))
        except Exception:  # absent, truncated, from another build: compile below
            pass
    import fastjsonschema

    document = schema() if callable(schema) else schema
    source = _yes_or_no(fastjsonschema.compile_to_code(document))
    code = compile(source, f"<planctl compiled {name} schema>", "exec")
    if path is not None:
        _store(path, marshal.dumps(code))
    return _from_code(code)


def _yes_or_no(source: str) -> str:
    """The generated code without the naming of every value it visits.

    fastjsonschema passes each nested validator the value's name for its error
    message, built eagerly as ``"....items[{i}]".format(**locals())``: a dict of
    every local variable per array item, half the time of checking a valid plan.
    planctl asks the compiled validator only "valid?" (jsonschema words the
    errors), so the names stay unformatted templates; what is valid is unchanged
    (a test compares the answers with fastjsonschema's own compile).

    Nor does the code import fastjsonschema and decimal to run (~3 ms of a start):
    the two exception classes it raises are defined in place (callers only catch
    Exception), and ``Decimal`` only widens number checks to a type YAML never
    produces.
    """
    source = source.replace(".format(**locals())", "")
    source = source.replace(
        "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException\n",
        _EXCEPTIONS,
        1,
    )
    return source.replace("from decimal import Decimal\n", "class Decimal:\n    pass\n", 1)


_EXCEPTIONS = """\
class JsonSchemaValueException(ValueError):
    def __init__(self, message='', *args, **kwargs):
        super().__init__(message)


class JsonSchemaValuesException(ValueError):
    def __init__(self, message='', *args, **kwargs):
        super().__init__(message)
"""


def _store(path: Path, data: bytes) -> None:
    """Write the cache entry atomically (rename); a read-only home or a full disk only
    means compiling again next time."""
    from planctl.write import write_cache_bytes

    write_cache_bytes(path, data)
