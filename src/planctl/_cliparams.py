"""Parse planctl's command-line values without pydantic, exactly as typer would.

Why: typer 0.29 turns every parameter value (defaults included) into its Python
type through a pydantic ``TypeAdapter``. Importing pydantic and building the
adapters costs ~50-65 ms of every ``planctl validate`` process, a quarter of a
one-plan run, for values that are plain strings, paths, small integers and
choices.

How: after typer has built the click command, each of planctl's parameters gets
a runtime coercion of its own (typer's ``_runtime_param`` slot, which typer fills
lazily). It handles only the well-formed values of the simple types planctl uses
(str, Path, int, bool, Enum/Literal choices, lists and Optionals of these) and
returns exactly what typer's adapter returns for them, by calling typer's own
helpers where they exist (``coerce_cli_choice``, ``coerce_cli_path``). Anything
else -- a value it cannot prove well-formed, a value typer would reject, a type
it does not know -- goes to typer's own coercion, built on first need. So errors
and their messages are typer's, unchanged; only the common path is faster.

If typer's internals change shape (another release), :func:`install` does
nothing and typer's own path runs: slower, never different. A test checks that
``validate`` does not import pydantic, so such a change is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

try:  # typer's private layer; without it typer's own coercion runs unchanged
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    from typer._param_types import (
        choice_coercion_annotation,
        coerce_cli_choice,
        coerce_cli_path,
        lenient_issubclass,
    )
except ImportError:  # pragma: no cover - another typer release
    RuntimeParam = None  # type: ignore[assignment,misc]


class _Slow(Exception):
    """This value is not one the fast path can prove it handles like typer: ask typer."""


def _leaf(annotation: Any, info: Any) -> Any:
    """A function coercing one well-formed value of ``annotation`` (raising _Slow
    otherwise), or None when the type is not one this module handles."""
    if info.parser is not None or getattr(info, "click_type", None) is not None:
        return None
    if annotation is bool:

        def coerce_bool(value: Any, param: Any, ctx: Any) -> Any:
            if type(value) is bool:
                return value
            raise _Slow

        return coerce_bool
    if annotation is str:

        def coerce_str(value: Any, param: Any, ctx: Any) -> Any:
            # typer's adapter: str(value) of a str, accepted as is (surrogates too)
            if type(value) is str:
                return value
            raise _Slow

        return coerce_str
    if annotation is int:
        if info.clamp:
            return None
        low, high = info.min, info.max

        def coerce_int(value: Any, param: Any, ctx: Any) -> Any:
            if type(value) is int:
                number = value
            elif type(value) is str and value.isascii() and value.isdigit():
                # plain ASCII digits parse alike everywhere; signs, blanks,
                # underscores and "3.0" are left to typer (pydantic's rules)
                number = int(value)
            else:
                raise _Slow
            if (low is not None and number < low) or (high is not None and number > high):
                raise _Slow  # typer words the range error
            return number

        return coerce_int
    choice = choice_coercion_annotation(annotation, info)
    if choice is not None:
        choices, case_sensitive = choice
        if not all(isinstance(c, (Enum, str)) for c in choices):
            return None

        def coerce_choice(value: Any, param: Any, ctx: Any) -> Any:
            # typer's adapter calls this very function; its ValueError becomes
            # pydantic's "Value error, ..." message, which typer words
            try:
                return coerce_cli_choice(
                    value, choices=choices, case_sensitive=case_sensitive, ctx=ctx
                )
            except ValueError:
                raise _Slow from None

        return coerce_choice
    if lenient_issubclass(annotation, Path) and info.path_type is None:
        path_type = annotation

        def coerce_path(value: Any, param: Any, ctx: Any) -> Any:
            # typer's adapter turns a str into path_type(value) (pydantic's Path
            # validator does exactly that), then calls coerce_cli_path on it
            if type(value) is str:
                value = path_type(value)
            elif not isinstance(value, path_type):
                raise _Slow
            try:
                return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)
            except Exception:
                raise _Slow from None  # its message names the value as typed: typer's

        return coerce_path
    return None


def _coercer(descriptor: Any) -> Any:
    """The fast coercion of a whole parameter (a list of leaves, or one), or None."""
    annotation, info = descriptor.annotation, descriptor.parameter_info
    if descriptor.file_annotation is not None:
        return None
    if get_origin(annotation) is list:
        args = get_args(annotation)
        item = _leaf(args[0], info) if len(args) == 1 else None
        if item is None:
            return None

        def coerce_list(value: Any, param: Any, ctx: Any) -> Any:
            if not isinstance(value, (list, tuple)):
                raise _Slow
            return [item(v, param, ctx) for v in value]

        return coerce_list
    if get_origin(annotation) is not None:
        return None
    return _leaf(annotation, info)


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class FastRuntimeParam(RuntimeParam):
        """typer's runtime coercion, minus pydantic for well-formed simple values."""

        descriptor: Any = None
        fast: Any = None
        _typer: list[Any] = field(default_factory=list, compare=False, repr=False)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.fast(value, param, ctx)
            except _Slow:
                pass
            if not self._typer:
                self._typer.append(build_runtime_param(self.descriptor))
            return self._typer[0]._coerce_value(value, param=param, ctx=ctx)


def runtime_param(descriptor: Any) -> Any:
    """The fast runtime coercion for a typer type descriptor, or None if not handled."""
    if RuntimeParam is None or not isinstance(descriptor, TypeDescriptor):
        return None
    fast = _coercer(descriptor)
    if fast is None:
        return None
    return FastRuntimeParam(
        parameter_info=descriptor.parameter_info,
        annotation=descriptor.annotation,
        descriptor=descriptor,
        fast=fast,
    )


def _prepare(param: Any) -> bool:
    """Give one typer parameter the fast coercion, if its slot is still empty."""
    if getattr(param, "_runtime_param", False) is not None:
        return False  # not typer 0.29's lazy slot, or already built
    fast = runtime_param(getattr(param, "type_descriptor", None))
    if fast is None:
        return False
    param._runtime_param = fast
    return True


def install(command: Any) -> int:
    """Give every parameter of a click command tree (typer-built) the fast coercion.

    Returns how many parameters got it. Parameters typer has already prepared, and
    those of a shape this module does not know, keep typer's own coercion. The
    ``--help`` option is made per command on first use (its names come from the
    context), so each command's maker of it is wrapped to prepare it too.
    """
    if RuntimeParam is None:
        return 0
    done = 0
    stack = [command]
    while stack:
        cmd = stack.pop()
        stack.extend(getattr(cmd, "commands", {}).values())
        done += sum(_prepare(param) for param in getattr(cmd, "params", ()))
        make_help = getattr(cmd, "get_help_option", None)
        if make_help is not None:

            def get_help_option(ctx: Any, _make: Any = make_help) -> Any:
                option = _make(ctx)
                if option is not None:
                    _prepare(option)
                return option

            cmd.get_help_option = get_help_option
    return done
