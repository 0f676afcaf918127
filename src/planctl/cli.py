"""The ``planctl`` command: parse options, call the library, print.

Exit codes are a contract with CI: 0 clean, 1 findings at or above
``--fail-on``, 2 unusable input or usage. An unexpected internal error also
exits 2 with a short message; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from planctl import __version__, profiles
from planctl import config as config_mod
from planctl.check import UsageError, check_paths, make_options
from planctl.findings import Report
from planctl.output import FORMATTERS, OutputContext, default_lang, format_report, use_color

_APP_SETTINGS: dict[str, Any] = {
    # completion is switched on per run in main() (see _wants_completion)
    "add_completion": False,
    "no_args_is_help": True,
    "help": "Check and render joint cross-region contingency plans (跨区域联合应急预案).",
    "context_settings": {"help_option_names": ["-h", "--help"]},
    "pretty_exceptions_enable": False,
}
app = typer.Typer(**_APP_SETTINGS)


@dataclass
class RunState:
    """Settings of one run from the top-level options, carried as the typer context's ``obj``.

    Not a module global: ``main()`` is also called inside test runners and by
    other programs, and one run's ``--debug`` must not leak into the next.
    """

    debug: bool = False


def _debug(ctx: typer.Context) -> bool:
    state = ctx.find_object(RunState)
    return state is not None and state.debug


class Lang(str, Enum):
    zh = "zh"
    en = "en"


#: ``validate --format`` choices: every registered formatter (planctl.output.FORMATTERS)
Format = Enum("Format", {name: name for name in FORMATTERS}, type=str)  # type: ignore[misc]


class RulesFormat(str, Enum):
    text = "text"
    json = "json"


class Level(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


def _fail(message: str, hint: str | None = None) -> typer.Exit:
    from planctl.textsafe import escape_terminal

    typer.echo(f"planctl: {escape_terminal(message)}", err=True)
    if hint:
        typer.echo(f"  hint: {escape_terminal(hint)}", err=True)
    return typer.Exit(2)


def _need_file(p: Path) -> None:
    """Say what is wrong with a path that should be a plain file (a FIFO is not "missing")."""
    from planctl.textsafe import clean_path

    if p.is_file():
        return
    if p.exists() or p.is_symlink():
        kind = "a folder" if p.is_dir() else "not a regular file (a FIFO, device or broken link)"
        raise _fail(f"{clean_path(p)}: {kind}")
    raise _fail(f"no such file: {clean_path(p)}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"planctl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
) -> None:
    ctx.ensure_object(RunState).debug = debug


def _config_near(paths: list[str]) -> Path | None:
    """The configuration of the plans' own repository, not of the working directory."""
    first = next((p for p in paths if str(p).strip()), None)
    start = Path(first) if first is not None else None
    if start is not None and not start.exists():
        start = None  # discovery reports the missing path itself
    return config_mod.find(start)


def _load_config(option: Path | None, paths: list[str]) -> config_mod.Config:
    """--config, else the planctl.yaml of the plans' repository; a bad one exits 2."""
    if option is not None and not option.exists():
        raise _fail(f"no such configuration file: {option}")
    try:
        return config_mod.load(option if option else _config_near(paths))
    except config_mod.ConfigError as exc:
        raise _fail(str(exc)) from None


def _language(lang: Lang | None, cfg: config_mod.Config | None = None) -> str:
    """--lang, else ``lang:`` in planctl.yaml (the one for the working directory when no
    configuration was loaded for the command), else the locale."""
    if lang is not None:
        return lang.value
    if cfg is None:
        cfg = _load_config(None, [])
    return cfg.lang or default_lang()


def _parse_today(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"--today must be a date like 2026-11-28, not {value!r}") from None


@app.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[str], typer.Argument(help="Plan files or directories (searched recursively).")
    ],
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="Output format (sarif: code scanning; junit: test reports; "
            "gitlab: Code Quality; github: annotations).",
        ),
    ] = Format.text,  # type: ignore[attr-defined]
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file (atomically)."),
    ] = None,
    lang: Annotated[
        Lang | None, typer.Option("--lang", help="Message language (default: from locale).")
    ] = None,
    fail_on: Annotated[
        Level | None, typer.Option("--fail-on", help="Lowest severity that fails (exit 1).")
    ] = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Date for due-date rules (YYYY-MM-DD).")
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="Legal profile (overrides the plan's).")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="planctl.yaml to use.")] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="A YAML file that is not a plan is an error (FIL001)."),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            help="Processes to check with (0: every core; default: every core when there "
            "are enough files). The output is the same as with -j 1.",
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Neither read nor write the result cache (.planctl_cache/ at the repository root).",
        ),
    ] = False,
) -> None:
    """Check plans: YAML, schema and rules. Findings point at file:line:col.

    YAML that is clearly not a plan (CI files, mkdocs.yml) is skipped with a note.
    """
    _report_pack_errors()
    cfg = _load_config(config, paths)
    if profile and profile not in profiles.available():
        raise _fail(
            f"unknown legal profile {profile!r}", f"available: {', '.join(profiles.available())}"
        )
    language = _language(lang, cfg)
    options = make_options(_parse_today(today), profile, cfg)
    options.debug = _debug(ctx)
    threshold = fail_on.value if fail_on else cfg.fail_on
    shown = OutputContext(language, threshold, color=output is None and use_color(sys.stdout))
    run = {"strict": strict, "jobs": jobs, "cache": not no_cache}
    if fmt.value == "text" and output is None:
        # written file by file as results arrive: memory stays flat whatever the count
        from planctl.check import iter_checked
        from planctl.output import stream_text

        try:
            results = iter_checked(paths, options, cfg, **run)  # type: ignore[arg-type]
            tally = stream_text(results, language, sys.stdout, shown.color)
        except UsageError as exc:
            raise _fail(str(exc)) from None
        raise typer.Exit(1 if tally.failed(threshold) else 0)
    try:
        report = check_paths(paths, options, cfg, **run)  # type: ignore[arg-type]
    except UsageError as exc:
        raise _fail(str(exc)) from None
    text = format_report(fmt.value, report, shown)
    if output is None:
        sys.stdout.write(text)
    else:
        _write_report(output, text, report)
    raise typer.Exit(1 if report.failed(threshold) else 0)


def _write_report(output: Path, text: str, report: Report) -> None:
    from planctl.output import ReportRefused, write_report

    try:
        write_report(output, text, report)
    except ReportRefused as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write {output}: {_environment_message(exc)}") from None


def _reference(option: Path | None, cfg: config_mod.Config) -> Path | None:
    """--reference-docx, else planctl.yaml's reference_docx (relative to that file), else None."""
    from planctl.render.templates import BadReference, check_reference

    if option is not None:
        chosen = option
    elif cfg.reference_docx:
        base = cfg.path.parent if cfg.path is not None else Path.cwd()
        chosen = base / cfg.reference_docx
    else:
        return None
    try:
        return check_reference(chosen)
    except BadReference as exc:
        raise _fail(str(exc)) from None


@contextmanager
def _render_progress(show: bool, total: int) -> Iterator[tuple[Any, Any]]:
    """render's progress bar on stderr, or a silent stand-in (rich is not even imported).

    No refresh thread: the pool's workers are forked, and a fork must not copy a
    thread's held lock; the bar is redrawn as each plan is done.
    """
    if not show:
        yield _NoBar(), None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(
        console=Console(stderr=True),
        transient=True,
        auto_refresh=False,
        redirect_stdout=sys.stdout.isatty(),
    ) as bar:
        yield bar, bar.add_task("render", total=total)


class _NoBar:
    def advance(self, task: Any) -> None:
        pass

    def refresh(self) -> None:
        pass


class DocFormat(str, Enum):
    docx = "docx"
    md = "md"
    pdf = "pdf"


@app.command()
def render(
    ctx: typer.Context,
    plans: Annotated[list[str], typer.Argument(help="Plan files or directories.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output directory.")] = Path("out"),
    final: Annotated[
        bool, typer.Option("--final", help="Signed-ready: refuse errors and placeholders.")
    ] = False,
    fmt: Annotated[
        DocFormat, typer.Option("--format", "-f", help="docx, pdf (via LibreOffice) or md.")
    ] = DocFormat.docx,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files planctl did not produce.")
    ] = False,
    today: Annotated[str | None, typer.Option("--today", help="Date for due-date rules.")] = None,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")
    ] = True,
    reference_docx: Annotated[
        Path | None,
        typer.Option(
            "--reference-docx",
            help="Styles/letterhead DOCX to use (default: reference_docx in planctl.yaml, "
            "else the shipped one).",
        ),
    ] = None,
    lang: Annotated[
        Lang | None, typer.Option("--lang", help="Message language (default: from locale).")
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            help="Processes to render with (0: every core; default: every core from 4 plans "
            "on). The files written and the output are the same as with -j 1.",
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Neither read nor write .planctl_cache/: check every plan again instead of "
            "reusing validate's results (the document is the same either way).",
        ),
    ] = False,
) -> None:
    """Render plans to DOCX (GB/T 9704) or Markdown. Drafts are marked 征求意见稿."""
    from planctl.discover import discover

    try:
        cfg = config_mod.load(_config_near(plans))
    except config_mod.ConfigError as exc:
        raise _fail(str(exc)) from None
    options = make_options(_parse_today(today), None, cfg)
    options.debug = _debug(ctx)
    reference = _reference(reference_docx, cfg)
    language = _language(lang, cfg)
    try:
        found = discover(plans, cfg)
    except UsageError as exc:
        raise _fail(str(exc)) from None
    if len(found.files) == 1 and gc.isenabled():
        # one plan: no collection while the renderer is imported and runs (see render_many)
        gc.disable()
        ctx.call_on_close(gc.enable)
    from planctl.check import SKIP_REASONS
    from planctl.discover import WHY_SKIPPED
    from planctl.render.api import render_many
    from planctl.textsafe import clean_path, escape_terminal

    def skipped(path: Path, why: str) -> None:
        typer.echo(
            _say(
                language,
                f"{clean_path(path)}: skipped ({why})",
                f"{clean_path(path)}：已跳过（{why}）",
            ),
            err=True,
        )

    for gone in found.skipped:
        skipped(gone.path, WHY_SKIPPED[gone.reason][language])
    if output.exists() and not output.is_dir():
        raise _fail(f"--output must be a directory: {output} is a file")
    refused = internal = unwritable = 0
    files = list(found.files)
    # the bar belongs on stderr: visible whenever stderr is a terminal, even with stdout
    # redirected, and never mixed into the output a script reads from stdout
    show = progress and len(files) > 1 and sys.stderr.isatty()
    cache = None
    if not no_cache and files:
        from planctl.cache import ResultCache

        cache = ResultCache.open(files[0], options, cfg, False)
    outcomes = render_many(
        files,
        output,
        jobs=jobs,
        fmt=fmt.value,
        final=final,
        force=force,
        options=options,
        reference=reference,
        config=cfg,
        cache=cache,
    )
    with _render_progress(show, len(files)) as (bar, task):
        for outcome in outcomes:
            path = outcome.path
            if outcome.skipped is not None:
                skipped(path, SKIP_REASONS[outcome.skipped][language])
            elif (done := outcome.rendered) is not None:
                typer.echo(f"{clean_path(path)} -> {clean_path(done.output)}")
                errors = [f for f in done.findings if f.severity == "error"]
                if errors:
                    first = errors[0]
                    where = f"{clean_path(first.file)}:{first.line}: {first.code}"
                    text = escape_terminal(first.text(language))
                    typer.echo(
                        _say(
                            language,
                            f"  warning: draft rendered with {len(errors)} error finding(s); "
                            f"first: {where} {text} (run planctl validate)",
                            f"  警告：征求意见稿带着 {len(errors)} 个错误生成；"
                            f"第一个：{where} {text}（请运行 planctl validate）",
                        ),
                        err=True,
                    )
            elif outcome.error is not None:
                unwritable += 1  # a problem of the machine: exit 2, like validate and matrix
                typer.echo(
                    _say(
                        language,
                        f"planctl: cannot write output for {clean_path(path)}: ",
                        f"planctl：无法写出 {clean_path(path)} 的结果：",
                    )
                    + f"{_environment_message(outcome.error)}",
                    err=True,
                )
            elif outcome.refused is not None:
                refused += 1
                typer.echo(
                    _say(
                        language,
                        f"planctl: refused to render {clean_path(path)}:",
                        f"planctl：拒绝生成 {clean_path(path)}：",
                    ),
                    err=True,
                )
                for reason in outcome.refused:
                    typer.echo(f"  {escape_terminal(reason)}", err=True)
            elif outcome.internal is not None:
                internal += 1
                summary, trace = outcome.internal
                if options.debug:
                    typer.echo(trace, err=True, nl=False)
                typer.echo(
                    f"planctl: internal error rendering {clean_path(path)}: "
                    f"{escape_terminal(summary)}\n"
                    "  hint: this is a bug in planctl; please report it with the input file. "
                    "Run with --debug for the traceback.",
                    err=True,
                )
            bar.advance(task)
            bar.refresh()
    if internal or unwritable:
        raise typer.Exit(2)
    raise typer.Exit(1 if refused else 0)


@app.command()
def verify(
    document: Annotated[Path, typer.Argument(help="A DOCX rendered by planctl.")],
    plan: Annotated[Path, typer.Argument(help="The plan file it should match.")],
    require_final: Annotated[
        bool, typer.Option("--require-final", help="Exit 1 when the document is a draft.")
    ] = False,
    lang: Annotated[Lang | None, typer.Option("--lang")] = None,
) -> None:
    """Is the DOCX still what planctl wrote, and is that what the plan says?

    Integrity against accidental and casual edits, not a signature: whoever
    can edit the file can also rewrite the digests it carries.
    """
    from planctl.integrity import IntegrityError, verify_docx
    from planctl.textsafe import clean_path

    language = lang.value if lang else default_lang()
    zh = language == "zh"
    for p in (document, plan):
        _need_file(p)
    try:
        v = verify_docx(document, plan, language)
    except (IntegrityError, ValueError) as exc:
        raise _fail(f"{clean_path(document)}: {exc}") from None
    except OSError as exc:
        raise _fail(f"cannot read {clean_path(exc.filename or plan)}: {exc.strerror}") from None
    name = clean_path(document)
    status = {"draft": "征求意见稿 draft", "final": "正式稿 final"}.get(v.status, v.status)
    typer.echo(f"{name}: {v.document_id} v{v.document_version}, {status}")
    if v.unchanged:
        typer.echo(
            "  文档内容与 planctl 生成时一致 (content unchanged since planctl wrote it)"
            if zh
            else "  content unchanged since planctl wrote it"
        )
    else:
        typer.echo(
            "  文档在生成后被改动 (the document was changed after rendering):"
            if zh
            else "  the document was changed after planctl wrote it:"
        )
        for change in v.changes[:30]:
            typer.echo(f"    {change.describe(language)}")
        if len(v.changes) > 30:
            typer.echo(f"    … and {len(v.changes) - 30} more")
    if v.plan_matches is True:
        typer.echo(f"  matches {clean_path(plan)} (sha256:{v.plan_digest[:16]})")
    elif v.plan_matches is False:
        typer.echo(f"  does NOT match {clean_path(plan)}:")
        if v.plan_note:
            typer.echo(f"    {v.plan_note}")
        for change in v.plan_changes[:30]:
            typer.echo(f"    {change.describe(language)}")
        if len(v.plan_changes) > 30:
            typer.echo(f"    … and {len(v.plan_changes) - 30} more")
    else:
        typer.echo(f"  note: {v.plan_note}")
    if require_final and v.status != "final":
        typer.echo("  --require-final: this is a draft, not the final document")
        raise typer.Exit(1)
    plan_ok = v.plan_matches is not False and (
        v.plan_matches is True or v.plan_digest == v.recorded_plan_digest
    )
    raise typer.Exit(0 if v.unchanged and plan_ok else 1)


class MatrixFormat(str, Enum):
    text = "text"
    csv = "csv"
    xlsx = "xlsx"
    md = "md"


class CsvEncoding(str, Enum):
    utf_8_sig = "utf-8-sig"
    utf_8 = "utf-8"
    gb18030 = "gb18030"


@app.command()
def matrix(
    plan: Annotated[Path, typer.Argument(help="A plan file.")],
    which: Annotated[
        str,
        typer.Option(
            "--table",
            "-t",
            help="responsibility, notification, command, resources, contacts or all.",
        ),
    ] = "responsibility",
    fmt: Annotated[MatrixFormat, typer.Option("--format", "-f")] = MatrixFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="File to write (csv, xlsx, md); a folder for -t all -f csv."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing output file.")
    ] = False,
    encoding: Annotated[
        CsvEncoding,
        typer.Option("--encoding", help="CSV file encoding (utf-8-sig: with BOM, for Excel)."),
    ] = CsvEncoding.utf_8_sig,
    lang: Annotated[
        Lang | None, typer.Option("--lang", help="Message language (default: from locale).")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="planctl.yaml to use.")] = None,
) -> None:
    """Show the cross-region matrices (the same computation the DOCX annexes use)."""
    from planctl.render.tables import MatrixError, plan_tables, with_quantities, write_tables

    _need_file(plan)
    cfg = _load_config(config, [str(plan)])
    language = _language(lang, cfg)
    try:
        model, tables = plan_tables(plan)
    except OSError as exc:
        raise _fail(f"cannot read {plan}: {_environment_message(exc)}") from None
    except MatrixError:
        raise _fail(
            _say(
                language,
                f"{plan} has YAML or schema errors; run planctl validate first",
                f"{plan} 有 YAML 或结构错误，请先运行 planctl validate",
            )
        ) from None
    if which != "all" and which not in tables:
        raise _fail(
            _say(language, f"unknown table {which!r}", f"没有这个表：{which!r}"),
            "one of: " + ", ".join([*tables, "all"]),
        )
    chosen = tables if which == "all" else {which: tables[which]}
    if fmt in (MatrixFormat.csv, MatrixFormat.xlsx):
        chosen = with_quantities(chosen, model)
    try:
        written = write_tables(
            chosen, fmt.value, output, force=force, encoding=encoding.value, protect=plan
        )
    except MatrixError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(
            f"cannot write {output or 'standard output'}: {_environment_message(exc)}"
        ) from None
    for path in written:
        typer.echo(_say(language, f"wrote {path}", f"已写入 {path}"), err=True)


def _say(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


@app.command()
def explain(
    code: Annotated[str, typer.Argument(help="Rule code (e.g. NOT001) or name.")],
    lang: Annotated[Lang | None, typer.Option("--lang")] = None,
) -> None:
    """Explain a rule: what it checks, why, its basis, and a failing and passing example."""
    from planctl.explain import explain_text
    from planctl.rules import registry

    language = _language(lang)
    rule = registry.find(code)
    if rule is None:
        known = ", ".join(r.code for r in registry)
        raise _fail(f"unknown rule {code!r}", f"known rules: {known}")
    typer.echo(explain_text(rule, language))


@app.command("rules")
def list_rules(
    lang: Annotated[Lang | None, typer.Option("--lang")] = None,
    fmt: Annotated[RulesFormat, typer.Option("--format", "-f")] = RulesFormat.text,
) -> None:
    """List every rule with its code, severity and title (rule packs included)."""
    from planctl.rules import registry

    _report_pack_errors()
    language = _language(lang)
    if fmt is RulesFormat.json:
        from planctl.explain import rule_record

        data = [rule_record(r) for r in registry]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for r in registry:
        typer.echo(f"{r.code:<8} {r.severity:<8} {r.name:<48} {r.title[language]}")


class SchemaKind(str, Enum):
    plan = "plan"
    config = "config"
    profile = "profile"
    registry = "registry"


@app.command()
def schema(
    kind: Annotated[
        SchemaKind,
        typer.Argument(
            help="plan (default), config (planctl.yaml), profile (legal profile) or "
            "registry (shared parties and resources)."
        ),
    ] = SchemaKind.plan,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a file planctl did not write.")
    ] = False,
) -> None:
    """Print a JSON Schema as one file, for editors (yaml-language-server).

    The same schemas check the input: a plan, planctl.yaml, a legal profile.
    """
    from planctl.integrity import SEAL_PLACEHOLDER, may_replace, seal
    from planctl.schema import editor_schema
    from planctl.write import atomic_write_bytes

    document = editor_schema(kind.value)
    if output is None:
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        typer.echo(text, nl=False)
        return
    if output.is_dir():
        raise _fail(f"--output is a directory: {output}")
    if not may_replace(output, force):
        raise _fail(
            f"{output} exists and is not an unchanged schema planctl wrote; "
            "use --force to replace it"
        )
    # the seal lets a later run tell its own untouched output from a user's file
    data = {"$comment": f"Generated by planctl; {SEAL_PLACEHOLDER}", **document}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    try:
        atomic_write_bytes(output, seal(text.encode("utf-8")))
    except OSError as exc:
        raise _fail(
            f"cannot write {output or 'standard output'}: {_environment_message(exc)}"
        ) from None
    typer.echo(f"wrote {output}", err=True)


@app.command("profiles")
def list_profiles(lang: Annotated[Lang | None, typer.Option("--lang")] = None) -> None:
    """Show the legal profiles: every limit with whom it binds, its clock start and citation."""
    language = _language(lang)
    for pid in profiles.available():
        typer.echo("\n".join(profiles.describe_profile(profiles.get(pid), language)))


def _report_pack_errors() -> None:
    """A rule pack that failed to load is said once, on stderr; built-in rules still run."""
    from planctl import plugins

    plugins.load()
    for error in plugins.ERRORS:
        typer.echo(f"planctl: warning: {error}", err=True)


def _may_ask() -> bool:
    """Ask questions only of a person: a terminal on stdin, and not in CI."""
    import os

    ci = os.environ.get("CI", "").strip().lower()
    return sys.stdin.isatty() and ci in ("", "0", "false", "no")


def _ask_new(hazard: str | None, specs: list[str]) -> tuple[str, list]:
    """Complete what the command line left out of `planctl new`, by asking."""
    from planctl import scaffold as sc

    if hazard is None:
        typer.echo("事件类型 hazard kinds:", err=True)
        for k in sc.KINDS.values():
            typer.echo(f"  {k.key:<22} {k.zh} / {k.en}", err=True)
        hazard = typer.prompt("事件类型 hazard", err=True)
    kind = sc.kind(hazard)
    parties = [sc.parse_party(s) for s in specs]
    while len(parties) < 2 or not specs:
        line = typer.prompt(
            "参与方 party ID:名称[:角色]" + ("（回车结束）" if len(parties) >= 2 else ""),
            default="" if len(parties) >= 2 else None,
            show_default=False,
            err=True,
        ).strip()
        if not line:
            break
        try:
            parties.append(sc.parse_party(line))
        except sc.ScaffoldError as exc:
            typer.echo(f"  {exc}", err=True)
    if kind.river and len(parties) > 2:
        ids = [p.id for p in parties]
        while True:
            answer = typer.prompt(
                "河流从上游到下游的顺序 river order, upstream first (ids)",
                default=" ".join(ids),
                err=True,
            )
            order = answer.replace(",", " ").split()
            if sorted(order) == sorted(ids):
                parties.sort(key=lambda p: order.index(p.id))
                break
            typer.echo(f"  give each of {', '.join(ids)} once", err=True)
    defaults = [sc.Party(p.id, p.name) for p in parties]
    sc.assign_roles(kind, defaults)
    for p, d in zip(parties, defaults, strict=True):
        if p.roles:
            continue
        while True:
            answer = typer.prompt(
                f"{p.name} 的角色 roles ({', '.join(sc.ROLES)})",
                default=",".join(d.roles),
                err=True,
            )
            try:
                p.roles = sc.parse_party(f"{p.id}:x:{answer}").roles
                break
            except sc.ScaffoldError as exc:
                typer.echo(f"  {exc}", err=True)
    return kind.key, parties


def _check_profile(profile: str) -> None:
    if profile not in profiles.available():
        raise _fail(
            f"unknown legal profile {profile!r}", f"available: {', '.join(profiles.available())}"
        )


def _hazard_and_parties(hazard: str | None, party: list[str] | None) -> tuple[str, list]:
    """What `new` and `init` scaffold: asked in a terminal, taken from the options in CI.

    Raises ScaffoldError when the options are incomplete or a --party is malformed.
    """
    from planctl import scaffold as sc

    specs = list(party or [])
    if _may_ask() and (hazard is None or len(specs) < 2):
        return _ask_new(hazard, specs)
    if hazard is None:
        raise sc.ScaffoldError("--hazard is required (one of: " + ", ".join(sc.KINDS) + ")")
    return hazard, [sc.parse_party(s) for s in specs]


@app.command()
def new(
    hazard: Annotated[
        str | None,
        typer.Option(
            "--hazard",
            help="water-pollution, forest-fire, snow-ice, earthquake, infectious-disease "
            "or hazardous-chemicals.",
        ),
    ] = None,
    party: Annotated[
        list[str] | None,
        typer.Option(
            "--party",
            "-p",
            help="ID:名称[:role] (repeat; for a river, upstream first).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the plan to this file.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    profile: Annotated[
        str, typer.Option("--profile", help="Legal profile the plan names.")
    ] = "national",
) -> None:
    """Scaffold a complete plan for a hazard and its parties, with 【待填】 markers."""
    from planctl import scaffold as sc
    from planctl.write import atomic_write_text

    _check_profile(profile)
    if output is not None:
        if output.is_dir():
            raise _fail(f"--output is a directory: {output}")
        if output.exists() and not force:
            raise _fail(f"{output} exists; use --force to replace it")
    try:
        hazard, parties = _hazard_and_parties(hazard, party)
        text = sc.scaffold(hazard, parties, profile)
    except sc.ScaffoldError as exc:
        raise _fail(
            str(exc), "planctl new --hazard KIND --party ID:名称[:role] --party ..."
        ) from None
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        atomic_write_text(output, text)
    except OSError as exc:
        raise _fail(
            f"cannot write {output or 'standard output'}: {_environment_message(exc)}"
        ) from None
    typer.echo(
        f"wrote {output}; fill in every 【待填：…】, then run planctl validate {output}", err=True
    )


def _environment_message(exc: BaseException) -> str | None:
    """A plain sentence for problems of the machine, not of planctl or the plan."""
    from planctl.textsafe import clean_path

    if isinstance(exc, BrokenPipeError):
        return "output closed before planctl finished writing (a pipe reader quit?)"
    if isinstance(exc, OSError):
        import errno

        where = f": {clean_path(exc.filename)}" if exc.filename else ""
        what = {
            errno.ENOSPC: "no space left on the device",
            errno.EDQUOT: "disk quota exceeded",
            errno.EACCES: "permission denied",
            errno.EPERM: "operation not permitted",
            errno.ENAMETOOLONG: "file name too long",
            errno.ENOENT: "no such file or directory (did it vanish while planctl ran?)",
            errno.EROFS: "read-only file system",
            errno.ELOOP: "a link where a file was expected, or too many levels of links",
        }.get(exc.errno or 0, exc.strerror or str(exc))
        return f"{what}{where}"
    if isinstance(exc, RecursionError):
        return "folders or data nested too deeply to walk"
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, UnicodeError):
        return f"text that cannot be written in this terminal's encoding ({exc})"
    return None


def _quiet_stdout() -> None:
    """After stdout failed, point it at /dev/null so the interpreter's final flush is silent."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


@app.command("fmt")
def fmt_command(
    paths: Annotated[list[str], typer.Argument(help="Plan files or directories.")],
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 if a file would change.")
    ] = False,
) -> None:
    """Lay plans out one way (schema key order, indentation, quoting), keeping comments."""
    from planctl.discover import discover
    from planctl.fmt import FormatError, format_file
    from planctl.write import atomic_write_text

    try:
        cfg = config_mod.load(config_mod.find())
        found = discover(paths, cfg)
    except (config_mod.ConfigError, UsageError) as exc:
        raise _fail(str(exc)) from None
    from planctl.discover import WHY_SKIPPED
    from planctl.textsafe import clean_path

    files = found.files
    for skip in found.skipped:
        typer.echo(f"{clean_path(skip.path)}: skipped ({WHY_SKIPPED[skip.reason]['en']})", err=True)
    changed = failed = 0
    for path in files:
        try:
            result = format_file(path)
        except FormatError as exc:
            failed += 1
            typer.echo(f"planctl: {exc}", err=True)
            continue
        except OSError as exc:
            failed += 1
            typer.echo(f"planctl: cannot read {path}: {_environment_message(exc)}", err=True)
            continue
        if not result.changed:
            continue
        changed += 1
        if check:
            typer.echo(f"would reformat {path}")
            continue
        try:
            atomic_write_text(path, result.text)
        except OSError as exc:
            failed += 1
            typer.echo(f"planctl: cannot write {path}: {_environment_message(exc)}", err=True)
            continue
        typer.echo(f"reformatted {path}")
    verb = "would be reformatted" if check else "reformatted"
    typer.echo(
        f"{changed} file(s) {verb}, {len(files) - changed - failed} unchanged"
        + (f", {failed} left alone" if failed else ""),
        err=True,
    )
    if failed:
        raise typer.Exit(2)
    raise typer.Exit(1 if check and changed else 0)


@app.command("init")
def init_command(
    directory: Annotated[
        Path, typer.Argument(help="Repository folder (created if missing).")
    ] = Path("."),
    hazard: Annotated[
        str | None, typer.Option("--hazard", help="Hazard kind of the first plan (see new).")
    ] = None,
    party: Annotated[
        list[str] | None, typer.Option("--party", "-p", help="ID:名称[:role] (repeat).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files that exist.")] = False,
    profile: Annotated[str, typer.Option("--profile", help="Legal profile.")] = "national",
) -> None:
    """Lay out a plan repository: planctl.yaml, a first plan, pre-commit and CI files."""
    from planctl import repo
    from planctl import scaffold as sc

    _check_profile(profile)
    try:
        hazard, parties = _hazard_and_parties(hazard, party)
        created = repo.init(directory, hazard, parties, profile, force=force)
    except (sc.ScaffoldError, repo.InitError) as exc:
        raise _fail(
            str(exc), "planctl init [DIR] --hazard KIND --party ID:名称 --party ..."
        ) from None
    except OSError as exc:
        raise _fail(f"cannot write in {directory}: {_environment_message(exc)}") from None
    for c in created:
        typer.echo(f"{c.action:<9} {c.path}")
    typer.echo(
        "next: fill in every 【待填：…】, then `git init && pre-commit install` "
        "(pip install pre-commit) and `planctl validate .`",
        err=True,
    )


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


@app.command("diff")
def diff_command(
    old: Annotated[
        str, typer.Argument(help="Old version: a plan or registry file, or REV:path (git).")
    ],
    new: Annotated[
        str, typer.Argument(help="New version: a plan or registry file, or REV:path (git).")
    ],
    fmt: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="text, json or markdown.")
    ] = DiffFormat.text,
    lang: Annotated[Lang | None, typer.Option("--lang")] = None,
    draft_revision: Annotated[
        bool,
        typer.Option("--draft-revision", help="Also draft the next maintenance.revisions entry."),
    ] = False,
    today: Annotated[
        str | None, typer.Option("--today", help="Date of the drafted revision.")
    ] = None,
) -> None:
    """What changed between two versions of a plan (duties, deadlines, parties, rules, levels),
    with the registry entries it uses resolved; or between two versions of a registry."""
    from planctl import diff as df

    language = lang.value if lang else default_lang()
    try:
        a = df.read_version(old)
        b = df.read_version(new)
    except df.DiffError as exc:
        raise _fail(str(exc)) from None
    try:
        changes = df.compare_versions(a, b)
    except df.DiffError as exc:
        raise _fail(str(exc)) from None
    if draft_revision and df.is_registry(a):
        raise _fail("--draft-revision drafts a plan's revision entry; a registry has none")
    revision = (
        df.draft_revision(changes, a.data, b.data, _parse_today(today) or date.today())
        if draft_revision
        else None
    )
    if fmt is DiffFormat.json:
        out: dict[str, object] = {"old": old, "new": new, "changes": df.to_json(changes, language)}
        if revision is not None:
            out["revision"] = revision
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if fmt is DiffFormat.markdown:
        typer.echo(df.to_markdown(changes, language), nl=False)
        if revision is not None:
            typer.echo("\n```yaml\n" + df.revision_yaml(revision) + "```")
        return
    typer.echo(df.to_text(changes, language), nl=False)
    if revision is not None:
        typer.echo("\n" + df.revision_yaml(revision), nl=False)


def _wants_completion(argv: list[str]) -> bool:
    """Whether this run needs typer's completion machinery.

    ``--install-completion``/``--show-completion`` (and the top-level help that lists
    them) and the shell's completion requests load it; an ordinary ``validate`` does
    not, so it does not pay the start-up time nor change Ctrl-C timing.
    """
    import os

    if any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return True
    first = argv[1].split("=")[0] if len(argv) > 1 else "--help"
    return first in ("--install-completion", "--show-completion", "--help", "-h")


def _command(argv: list[str] | None = None) -> typer.core.TyperGroup:
    """The click command tree of ``app``, its values parsed without pydantic (_cliparams).

    When ``argv`` names a command, the tree holds only that command: typer turns
    every command's signature into click parameters on each start (~7 ms for all
    of them), and a run needs one. Anything else (no command, a misspelt one,
    help on the whole program) gets the full tree, so its messages list them all.
    """
    from planctl._cliparams import install

    wanted = _named_command(argv) if argv is not None else None
    if wanted is None:
        command = typer.main.get_command(app)
    else:
        one = typer.Typer(**_APP_SETTINGS)
        one._add_completion = app._add_completion
        one.registered_callback = app.registered_callback
        one.registered_commands = [wanted]
        command = typer.main.get_command(one)
    install(command)
    return command  # type: ignore[return-value]


def _named_command(argv: list[str]) -> Any:
    """The registered command ``argv`` invokes (after top-level flags), or None."""
    first = next((a for a in argv[1:] if not a.startswith("-")), None)
    if first is None:
        return None
    for info in app.registered_commands:
        name = info.name or str(getattr(info.callback, "__name__", ""))
        if typer.main.get_command_name(name) == first:
            return info
    return None


def main() -> None:
    """Console entry point: never let a traceback reach a planner."""
    from planctl._entry import install_signal_handlers, restore_signal_handlers

    previous = install_signal_handlers()
    try:
        _main()
    finally:
        restore_signal_handlers(previous)


def _main() -> None:
    from planctl._entry import Terminated, stopped

    if sys.stdout is None or sys.stderr is None:
        import os

        # started with stdout or stderr closed (cmd >&-): report on what is left, exit 2
        if sys.stderr is not None:
            sys.stderr.write("planctl: standard output is closed; nothing can be reported\n")
        sys.stdout = open(os.devnull, "w")
        if sys.stderr is None:
            sys.stderr = sys.stdout
        sys.exit(2)
    for stream in (sys.stdout, sys.stderr):
        # a name that is not UTF-8, or a terminal that cannot show Chinese, must not crash
        # the output halfway (truncated JSON); unencodable characters become \u escapes
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    app._add_completion = _wants_completion(sys.argv)  # typer reads it when building the command
    state = RunState()
    try:
        # without standalone mode click hands back an Exit's code as the return value;
        # the state object outlives the context, so --debug still counts below
        code = _command(sys.argv)(standalone_mode=False, obj=state)
        if code == 130:  # typer's own answer to Ctrl-C: silent unless we say it
            sys.exit(stopped(KeyboardInterrupt()))
        sys.stdout.flush()
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        try:
            sys.stdout.flush()
        except (OSError, ValueError) as err:
            _quiet_stdout()
            typer.echo(f"planctl: cannot write output: {_environment_message(err)}", err=True)
            sys.exit(2)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, Terminated, typer.Abort) as exc:
        sys.exit(stopped(exc if not isinstance(exc, typer.Abort) else KeyboardInterrupt()))
    except Exception as exc:
        # usage errors from the (vendored) click layer: show them as click would
        if hasattr(exc, "show") and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            sys.exit(2)
        if state.debug:
            import traceback

            traceback.print_exc()
        plain = _environment_message(exc)
        if plain is not None:
            if isinstance(exc, (BrokenPipeError, OSError, ValueError)):
                _quiet_stdout()
            typer.echo(f"planctl: {plain}", err=True)
            sys.exit(2)
        from planctl.textsafe import escape_terminal

        typer.echo(
            f"planctl: internal error: {type(exc).__name__}: {escape_terminal(str(exc))}",
            err=True,
        )
        typer.echo(
            "  hint: this is a bug in planctl; please report it with the input file. "
            "Run with --debug for the traceback.",
            err=True,
        )
        sys.exit(2)


if __name__ == "__main__":
    main()
