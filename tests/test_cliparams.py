"""Command-line values parsed without pydantic (planctl._cliparams) parse exactly as typer's own.

Every parameter of every command is fed well-formed and malformed values through
both coercions; results, and errors with their messages, must be the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer._click import Context
from typer._coercion import build_runtime_param

from planctl import _cliparams, cli
from tests.conftest import ROOT, TODAY


def _params() -> list[tuple[Any, Any]]:
    command = typer.main.get_command(cli.app)
    out: list[tuple[Any, Any]] = []
    stack = [command]
    while stack:
        cmd = stack.pop()
        stack.extend(getattr(cmd, "commands", {}).values())
        params = list(cmd.params)
        help_option = cmd.get_help_option(Context(cmd, help_option_names=["-h", "--help"]))
        if help_option is not None:
            params.append(help_option)
        out.extend((cmd, p) for p in params)
    return out


def _values(tmp: Path) -> list[Any]:
    folder = tmp / "folder"
    folder.mkdir(exist_ok=True)
    plain = tmp / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    strings = [
        "", "x", "0", "3", "007", "-1", "+3", " 3 ", "3.0", "1_0", "٣", "99999999999999999999",
        "text", "TEXT", "json", "sarif", "zh", "en", "ZH", "warning", "docx", "utf-8-sig",
        "plan", "registry", "true", "no", "\udcff", "a\x00b", "a//b/", str(folder), str(plain),
        str(tmp / "missing" / "x"), "-",
    ]  # fmt: skip
    return [*strings, None, True, False, 0, 5, -2, Path("out"), (), ("a", "b"), ("3", "x"), ["1"]]


def _outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # the same error, worded the same, is the contract
        return "error", (type(exc).__name__, str(exc))
    return "value", (type(result).__name__, result)


def test_every_option_parses_and_rejects_as_typer_does(tmp_path: Path) -> None:
    handled = 0
    for cmd, param in _params():
        fast = _cliparams.runtime_param(param.type_descriptor)
        if fast is None:
            continue
        handled += 1
        slow = build_runtime_param(param.type_descriptor)
        ctx = Context(cmd, info_name=cmd.name)
        for value in _values(tmp_path):
            expected = _outcome(slow, value, param, ctx)
            assert _outcome(fast, value, param, ctx) == expected, (cmd.name, param.name, value)
    # all of planctl's parameters are simple types: none is left to pydantic
    assert handled == len(_params())


def test_well_formed_values_do_not_reach_typers_coercion(tmp_path: Path) -> None:
    cases = {
        "jobs": "3",
        "fmt": "sarif",
        "lang": "en",
        "output": str(tmp_path / "out.txt"),
        "paths": ("a.yaml", "b"),
        "strict": True,
    }
    command = typer.main.get_command(cli.app)
    validate = command.commands["validate"]  # type: ignore[attr-defined]
    ctx = Context(validate, info_name="validate")
    for param in validate.params:
        if param.name in cases:
            fast = _cliparams.runtime_param(param.type_descriptor)
            fast.coerce(cases[param.name], param=param, ctx=ctx)
            assert not fast._typer, param.name  # typer's (pydantic) coercion never built


def test_install_prepares_every_parameter_and_the_help_option() -> None:
    command = typer.main.get_command(cli.app)
    count = sum(len(c.params) for c in [command, *command.commands.values()])  # type: ignore[attr-defined]
    assert _cliparams.install(command) == count
    sub = command.commands["validate"]  # type: ignore[attr-defined]
    option = sub.get_help_option(Context(sub, help_option_names=["-h", "--help"]))
    assert isinstance(option._runtime_param, _cliparams.FastRuntimeParam)
    assert _cliparams.install(command) == 0  # already prepared: left alone


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "-j", "-1", "x.yaml"],
        ["validate", "-j", "many", "x.yaml"],
        ["validate", "--format", "xml", "x.yaml"],
        ["validate", "--lang", "fr", "x.yaml"],
        ["validate", "--fail-on", "fatal", "x.yaml"],
        ["validate"],
        ["schema", "nothing"],
        ["render", "--format", "odt", "x.yaml"],
        ["matrix", "--encoding", "latin-1", "x.yaml"],
        ["rules", "--format", "yaml"],
        ["validate", "--help"],
    ],
)
def test_command_line_errors_are_typers(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def outcome() -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["planctl", *argv])
        with pytest.raises(SystemExit) as exc:
            cli.main()
        out = capsys.readouterr()
        return exc.value.code, out.out, out.err  # type: ignore[return-value]

    fast = outcome()
    monkeypatch.setattr(_cliparams, "install", lambda command: 0)
    assert fast == outcome()
    assert fast[0] in (0, 2)


def test_validate_does_not_import_pydantic(tmp_path: Path, base_text: str) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text, encoding="utf-8")
    code = (
        "import sys\n"
        f"sys.argv = ['planctl', 'validate', {str(plan)!r}, '--today', {TODAY!r}, "
        "'-j', '1', '--no-cache', '--lang', 'en', '--format', 'text', '--fail-on', 'error']\n"
        "from planctl.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code)\n"
        "print('pydantic', 'pydantic' in sys.modules)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )
    assert r.stdout.splitlines()[-2:] == ["exit 0", "pydantic False"], r.stdout + r.stderr
