"""Start-up: what a process loads, and the compiled-schema cache (no timings: see benchmarks/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from planctl import fastschema, schema
from tests.conftest import ROOT, SAMPLES, TODAY


def _python(code: str, tmp_path: Path) -> list[str]:
    env = {**os.environ, "PLANCTL_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_version_is_answered_without_typer(tmp_path: Path) -> None:
    import planctl
    from planctl._version import __version__

    out = _python(
        "import sys; sys.argv = ['planctl', '--version']\n"
        "from planctl._entry import main\n"
        "main()\n"
        "print('typer' in sys.modules, 'importlib.metadata' in sys.modules)",
        tmp_path,
    )
    assert out == ["planctl", __version__, "False", "False"]
    assert planctl.__version__ == __version__


def test_valid_plan_loads_neither_jsonschema_nor_pure_yaml(tmp_path: Path) -> None:
    plan = SAMPLES / "zhuozhang-water-pollution.yaml"
    out = _python(
        "import sys\n"
        "from planctl.check import check_paths, make_options\n"
        "from planctl.config import Config\n"
        f"r = check_paths([{str(plan)!r}], make_options({TODAY!r}, None, Config()))\n"
        "print(len(r.files), 'jsonschema' in sys.modules)",
        tmp_path,
    )
    assert out == ["1", "False"]


def test_compiled_schema_is_cached_and_agrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fastjsonschema

    monkeypatch.setenv("PLANCTL_CACHE_DIR", str(tmp_path))
    doc = schema.fast_schema()
    first = fastschema.compiled("plan", doc)
    entries = list(tmp_path.glob("plan-*.marshal"))
    assert len(entries) == 1
    again = fastschema.compiled("plan", doc)  # from the cache
    fresh = fastjsonschema.compile(doc)
    from planctl.examples import base_text
    from planctl.loader import load_text

    good = load_text(base_text()).data
    bad = json.loads(json.dumps(good))
    bad["parties"][0]["level"] = "galaxy"
    assert issubclass(fastjsonschema.JsonSchemaException, ValueError)
    for validate in (first, again, fresh):
        validate(good)
        # planctl's compiled code raises a ValueError of its own (no fastjsonschema import)
        with pytest.raises(ValueError):
            validate(bad)


def test_corrupt_or_foreign_cache_entry_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANCTL_CACHE_DIR", str(tmp_path))
    doc = {"type": "object", "required": ["a"]}
    entry = tmp_path / f"t-{fastschema.schema_key('t', doc)}.marshal"
    entry.write_bytes(b"\x00not marshal data")
    validate = fastschema.compiled("t", doc)
    validate({"a": 1})
    with pytest.raises(Exception):  # noqa: B017 - fastjsonschema's own exception
        validate({})
    # the entry was replaced by a good one
    assert fastschema.compiled("t", doc)({"a": 2}) == {"a": 2}


def test_cache_key_follows_the_schema() -> None:
    a = fastschema.schema_key("t", {"type": "object"})
    assert a == fastschema.schema_key("t", {"type": "object"})
    assert a != fastschema.schema_key("t", {"type": "array"})
    assert a != fastschema.schema_key("u", {"type": "object"})


def test_unwritable_cache_still_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PLANCTL_CACHE_DIR", str(blocker / "sub"))
    fastschema.compiled("t", {"type": "string"})("x")
    monkeypatch.setenv("PLANCTL_CACHE_DIR", "")
    assert fastschema.cache_dir() is None
    fastschema.compiled("t", {"type": "string"})("x")


def test_version_has_one_source() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in text and 'path = "src/planctl/_version.py"' in text


def test_cache_key_from_source_files_follows_their_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached validator keyed by its source files is rebuilt when one of them changes."""
    monkeypatch.setenv("PLANCTL_CACHE_DIR", str(tmp_path / "cache"))
    src = tmp_path / "t.schema.json"
    src.write_text('{"type": "string"}', encoding="utf-8")
    built: list[int] = []

    def build() -> dict[str, Any]:
        built.append(1)
        return json.loads(src.read_text(encoding="utf-8"))

    key = fastschema.schema_key("t", None, [src])
    assert fastschema.compiled("t", build, sources=[src])("x") == "x"
    assert fastschema.compiled("t", build, sources=[src])("y") == "y"
    assert len(built) == 1  # the second came from the cache, the schema never built
    src.write_text('{"type": "integer"}', encoding="utf-8")
    assert fastschema.schema_key("t", None, [src]) != key
    assert fastschema.compiled("t", build, sources=[src])(3) == 3
    assert len(built) == 2
    with pytest.raises(Exception):  # noqa: B017 - fastjsonschema's own exception
        fastschema.compiled("t", build, sources=[src])("text")


def test_entry_freezes_what_the_import_made_and_collects_again() -> None:
    """The command runs with the collector on, its start-up objects frozen out of its sight."""
    code = (
        "import gc, sys\n"
        "import planctl.cli\n"
        "seen = []\n"
        "planctl.cli.main = lambda: seen.append((gc.isenabled(), gc.get_freeze_count()))\n"
        "gc.unfreeze()\n"
        "sys.argv = ['planctl', 'rules']\n"
        "from planctl._entry import main\n"
        "main()\n"
        "print(seen[0][0], seen[0][1] > 10000)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["True", "True"]


def test_data_files_are_parsed_once_then_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """planctl's data files: the same data from the cache as from the parser, and a damaged,
    foreign or unwritable entry only means parsing again."""
    import yaml

    from planctl import loader
    from planctl.render.templates import template_dir

    monkeypatch.setenv("PLANCTL_CACHE_DIR", str(tmp_path / "cache"))
    texts = [(template_dir() / "text" / "zh.yaml").read_text("utf-8")]
    texts += [p.read_text("utf-8") for p in sorted((ROOT / "src/planctl/data").glob("*.yaml"))]
    texts += ["a: 1\nb: [2.5, true, null, '2026-01-01', 2026-01-01]\n"]
    parsed = []
    for text in texts:
        expected = yaml.load(text, Loader=loader._Loader)
        assert loader.safe_load(text) == expected  # parsed, entry written
        parsed.append(expected)
    entries = sorted((tmp_path / "cache").glob("data-*.marshal"))
    assert len(entries) == len(texts)

    def parsing_fails(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(loader.yaml, "load", parsing_fails)
    assert [loader.safe_load(t) for t in texts] == parsed  # read back, not parsed
    # a fresh object each time: a caller changing its copy changes no other
    first = loader.safe_load(texts[-1])
    first["a"] = 99
    assert loader.safe_load(texts[-1])["a"] == 1
    monkeypatch.undo()
    monkeypatch.setenv("PLANCTL_CACHE_DIR", str(tmp_path / "cache"))
    import marshal

    for entry in entries:
        entry.write_bytes(b"\x00damaged")
    assert [loader.safe_load(t) for t in texts] == parsed
    for entry in entries:  # well-formed, but another layout (an older planctl's)
        entry.write_bytes(marshal.dumps({"metadata": 1, "hazards": "x"}))
    assert [loader.safe_load(t) for t in texts] == parsed
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PLANCTL_CACHE_DIR", str(blocker / "sub"))
    assert loader.safe_load(texts[-1]) == parsed[-1]
    monkeypatch.setenv("PLANCTL_CACHE_DIR", "")
    assert loader.safe_load(texts[-1]) == parsed[-1]


def test_compiled_checks_run_without_fastjsonschema_or_decimal(tmp_path: Path) -> None:
    plan = SAMPLES / "zhuozhang-water-pollution.yaml"
    code = (
        "import sys\n"
        "from planctl.check import check_paths, make_options\n"
        "from planctl.config import Config\n"
        f"r = check_paths([{str(plan)!r}], make_options({TODAY!r}, None, Config()))\n"
        "print(len(r.findings), 'fastjsonschema' in sys.modules, 'decimal' in sys.modules)"
    )
    _python(code, tmp_path)  # compiles and caches the code
    assert _python(code, tmp_path) == ["0", "False", "False"]


def test_dataclass_methods_are_compiled_once_then_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line's table of dataclass method code: same classes, no compiling on a hit,
    and a damaged table only means compiling again."""
    import dataclasses

    from planctl import classcode

    monkeypatch.setenv("PLANCTL_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(dataclasses, "exec", exec, raising=False)  # undone after the test
    monkeypatch.setattr(classcode, "_table", {})
    monkeypatch.setattr(classcode, "_added", False)
    monkeypatch.setattr(classcode, "_path", None)

    def make() -> Any:
        @dataclasses.dataclass(frozen=True)
        class Limit:
            code: str
            minutes: float = 60.0
            cited: tuple[str, ...] = ()

        return Limit

    classcode.install()
    first = make()
    classcode.save()
    [table] = tmp_path.glob("classcode-*.marshal")
    monkeypatch.setattr(classcode, "_table", {})
    classcode.install()  # a later run: the table read back

    def no_compiling(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("compiled although the table holds it")

    monkeypatch.setattr(classcode, "compile", no_compiling, raising=False)
    again = make()
    assert again("NOT001", 30) == again("NOT001", 30.0)
    assert repr(again("NOT001")) == repr(first("NOT001")).replace(
        first.__qualname__, again.__qualname__
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        again("x").code = "y"  # type: ignore[misc]
    monkeypatch.undo()
    monkeypatch.setenv("PLANCTL_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(dataclasses, "exec", exec, raising=False)
    monkeypatch.setattr(classcode, "_table", {})
    monkeypatch.setattr(classcode, "_path", None)
    table.write_bytes(b"\x00damaged")
    classcode.install()
    assert make()("a", 5).minutes == 5
    assert classcode._table and classcode._added  # compiled afresh, to be written again
