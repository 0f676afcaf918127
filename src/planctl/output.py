"""Formatting findings for people (text) and machines (json, github).

The text format follows modern linters: ``path:line:col: CODE severity
message``, the offending source line with the span underlined, a hint and the
legal citation, then one summary line. Chinese characters take two terminal
columns, so the underline is aligned by display width, not by code points.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from planctl.findings import FileResult, Finding, Report, source_line

_LABELS = {
    "zh": {
        "error": "错误",
        "warning": "警告",
        "info": "提示",
        "hint": "提示",
        "cite": "依据",
        "skipped": "须先修正以上问题，才会运行规则检查",
        "not_plan": "已跳过",
    },
    "en": {
        "error": "error",
        "warning": "warning",
        "info": "info",
        "hint": "hint",
        "cite": "basis",
        "skipped": "plan rules not run until the problems above are fixed",
        "not_plan": "skipped",
    },
}
_COLORS = {"error": "31", "warning": "33", "info": "36"}


def default_lang() -> str:
    """zh when the user's locale says Chinese, otherwise en.

    On Windows ``LANG`` is usually unset, so the system's UI language decides.
    """
    for var in ("PLANCTL_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    if sys.platform == "win32":
        return "zh" if _windows_chinese() else "en"
    return "en"


def _windows_chinese() -> bool:
    """Whether Windows' UI (else the user's locale) is Chinese: LANGID primary 0x04."""
    try:
        import ctypes

        langid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
        return (int(langid) & 0x3FF) == 0x04
    except (AttributeError, OSError, ValueError):
        import locale

        name = (locale.getlocale()[0] or "").lower()
        return name.startswith("zh") or name.startswith("chinese")


def use_color(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


#: text output shows this many findings per file, then "and N more" (machine formats keep all)
MAX_SHOWN_PER_FILE = 50


def format_finding(
    f: Finding, lines: Mapping[int, str] | Sequence[str] | None, lang: str, color: bool = False
) -> str:
    """One finding for a terminal; every echoed value is escaped (no ESC, BEL or line breaks)."""
    from planctl.textsafe import clean_path, escape_source_line, escape_terminal

    sev = _paint(_LABELS[lang][f.severity], _COLORS.get(f.severity, "0") + ";1", color)
    message = escape_terminal(f.text(lang))
    head = f"{clean_path(f.file)}:{f.line}:{f.col}: {_paint(f.code, '1', color)} {sev} {message}"
    out = [head]
    line = source_line(lines, f.line)
    if line is not None:
        src = escape_source_line(line.rstrip("\r"))
        gutter = " " * len(str(f.line))
        col = max(0, f.col - 1)
        if len(src) > 160:  # show a window around the column, not a megabyte of line
            start = max(0, col - 60)
            src = ("…" if start else "") + src[start : start + 120] + "…"
            col = col - start + (1 if start else 0)
        prefix = src[:col]
        marked = src[col : col + f.span] or " "
        carets = "^" * max(1, width(marked))
        out.append(f"{gutter} |")
        out.append(f"{f.line} | {src}")
        out.append(
            f"{gutter} | {' ' * width(prefix)}{_paint(carets, _COLORS.get(f.severity, '0'), color)}"
        )
    hint = f.hint_text(lang)
    label = _LABELS[lang]
    if hint:
        out.append(f"  = {label['hint']}: {escape_terminal(hint)}")
    if f.citation:
        out.append(f"  = {label['cite']}: {escape_terminal(f.citation)}")
    return "\n".join(out)


def summary(report: Report, lang: str) -> str:
    return summary_line(
        len(report.checked),
        len(report.skipped),
        report.count("error"),
        report.count("warning"),
        report.count("info"),
        lang,
    )


def summary_line(n: int, k: int, e: int, w: int, i: int, lang: str) -> str:
    """The closing line: files checked (n), skipped (k), errors, warnings, info."""
    if lang == "zh":
        skipped = f"（另跳过 {k} 个非预案文件）" if k else ""
        if not (e or w or i):
            return f"检查了 {n} 个文件{skipped}，未发现问题。"
        return f"检查了 {n} 个文件{skipped}：{e} 个错误，{w} 个警告，{i} 个提示。"
    skipped = f" ({k} non-plan file{'s' if k != 1 else ''} skipped)" if k else ""
    if not (e or w or i):
        return f"Checked {n} file{'s' if n != 1 else ''}{skipped}: no problems found."
    return (
        f"Checked {n} file{'s' if n != 1 else ''}{skipped}: {e} error{'s' if e != 1 else ''}, "
        f"{w} warning{'s' if w != 1 else ''}, {i} info."
    )


def repository_level(f: Finding) -> bool:
    """A finding of the cross-plan pass (XPL): about the repository, told at one plan's line."""
    return f.code.startswith("XPL")


def _split(result: FileResult) -> tuple[FileResult, FileResult | None]:
    """A file's own part of the text report, and its repository-level findings (or None)."""
    if not any(repository_level(f) for f in result.findings):
        return result, None
    own = [f for f in result.findings if not repository_level(f)]
    repo = [f for f in result.findings if repository_level(f)]
    return replace(result, findings=own), replace(result, findings=repo, rules_run=True)


def _repository_heading(lang: str) -> str:
    if lang == "zh":
        return "仓库级检查（各预案相互比对，定位到所涉预案的行）：\n\n"
    return (
        "Repository-level checks (the plans compared with each other, at the lines concerned):\n\n"
    )


def write_text(
    report: Report,
    sources: Mapping[str, Mapping[int, str] | Sequence[str]],
    lang: str,
    stream: IO[str] | None = None,
) -> None:
    """Each file's findings, then the repository-level ones under their own heading.

    A cross-plan finding needs every plan, so it is found after the per-file
    pass; it is printed after every file's own part, grouped under a heading,
    so a reader does not take it for a problem of that one file's text. JSON,
    SARIF, JUnit and the CI formats keep it with its file and location.
    """
    stream = stream or sys.stdout
    color = use_color(stream)
    later = []
    for result in report.files:
        own, repo = _split(result)
        write_text_result(own, lambda f: sources.get(f.file), lang, stream, color)
        if repo is not None:
            later.append(repo)
    if later:
        stream.write(_repository_heading(lang))
        for repo in later:
            write_text_result(repo, lambda f: sources.get(f.file), lang, stream, color)
    stream.write(summary(report, lang) + "\n")


def write_text_result(
    result: FileResult,
    lines_of: Callable[[Finding], Mapping[int, str] | Sequence[str] | None],
    lang: str,
    stream: IO[str],
    color: bool,
) -> None:
    """One file's part of the text report (``lines_of(finding)``: the lines to quote)."""
    from planctl.check import SKIP_REASONS
    from planctl.textsafe import clean_path

    if result.skipped is not None and not result.findings:
        reason = SKIP_REASONS[result.skipped][lang]
        name, word = clean_path(result.path), _LABELS[lang]["not_plan"]
        note = f"{name}：{word}（{reason}）" if lang == "zh" else f"{name}: {word} ({reason})"
        stream.write(note + "\n")
        return
    for f in result.findings[:MAX_SHOWN_PER_FILE]:
        stream.write(format_finding(f, lines_of(f), lang, color) + "\n\n")
    more = len(result.findings) - MAX_SHOWN_PER_FILE
    if more > 0:
        stream.write(
            f"{clean_path(result.path)}: 另有 {more} 条未显示（--format json 可列出全部）\n\n"
            if lang == "zh"
            else f"{clean_path(result.path)}: and {more} more (--format json lists every one)\n\n"
        )
    if not result.rules_run and result.findings and result.findings[0].code != "PTH001":
        stream.write(f"{clean_path(result.path)}: {_LABELS[lang]['skipped']}\n\n")


class Tally:
    """What the summary and the exit code need of a report that is not kept."""

    def __init__(self) -> None:
        self.checked = 0
        self.skipped = 0
        self.counts = {"error": 0, "warning": 0, "info": 0}
        # the cross-plan pass yields its findings as further results of files
        # already counted: a file is counted once, however many results it has
        self._seen: set[str] = set()

    def add(self, result: FileResult) -> None:
        if result.path not in self._seen:
            self._seen.add(result.path)
            if result.skipped is None:
                self.checked += 1
            else:
                self.skipped += 1
        for f in result.findings:
            self.counts[f.severity] = self.counts.get(f.severity, 0) + 1

    def failed(self, fail_on: str) -> bool:
        from planctl.findings import severity_rank

        floor = severity_rank(fail_on)
        return any(n and severity_rank(sev) >= floor for sev, n in self.counts.items())

    def summary(self, lang: str) -> str:
        c = self.counts
        return summary_line(self.checked, self.skipped, c["error"], c["warning"], c["info"], lang)


def stream_text(results: Iterable[FileResult], lang: str, stream: IO[str], color: bool) -> Tally:
    """The text report written file by file as results arrive; nothing is kept.

    Byte for byte what ``format_report("text", ...)`` gives for the same results
    (a result's ``lines`` hold the lines its findings quote).
    """
    tally = Tally()
    later: list[FileResult] = []  # repository-level findings: few, written at the end

    def lines_of_result(result: FileResult) -> Callable[[Finding], Any]:
        def lines_of(f: Finding, path: str = result.path, lines: Any = result.lines) -> Any:
            return lines if f.file == path else None

        return lines_of

    for result in results:
        tally.add(result)
        own, repo = _split(result)
        write_text_result(own, lines_of_result(own), lang, stream, color)
        if repo is not None:
            later.append(repo)
    if later:
        stream.write(_repository_heading(lang))
        for repo in later:
            write_text_result(repo, lines_of_result(repo), lang, stream, color)
    stream.write(tally.summary(lang) + "\n")
    return tally


def to_json(report: Report, lang: str | None) -> dict[str, Any]:
    return {
        "version": 1,
        "files": [
            {
                "path": r.path,
                "rules_run": r.rules_run,
                "skipped": r.skipped,
                "findings": [f.to_dict(lang) for f in r.findings],
            }
            for r in report.files
        ],
        "summary": {
            "files": len(report.checked),
            "skipped": len(report.skipped),
            "error": report.count("error"),
            "warning": report.count("warning"),
            "info": report.count("info"),
        },
    }


def write_json(report: Report, lang: str | None, stream: IO[str] | None = None) -> None:
    from planctl.textsafe import escape_json_text

    stream = stream or sys.stdout
    stream.write(escape_json_text(json.dumps(to_json(report, lang), ensure_ascii=False, indent=2)))
    stream.write("\n")


def _gh_escape(text: str) -> str:
    """Workflow-command data: no line break may start a new ``::command::`` line."""
    from planctl.textsafe import escape_terminal

    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escape_terminal(text)


def _gh_prop(text: str) -> str:
    return _gh_escape(text).replace(":", "%3A").replace(",", "%2C")


def write_github(report: Report, lang: str, stream: IO[str] | None = None) -> None:
    """GitHub Actions workflow commands: annotations on the pull request diff."""
    stream = stream or sys.stdout
    kind = {"error": "error", "warning": "warning", "info": "notice"}
    for f in report.findings:
        props = f"file={_gh_prop(f.file)},line={f.line},col={f.col},title={f.code}"
        msg = f.text(lang)
        hint = f.hint_text(lang)
        if hint:
            msg += f"\n{hint}"
        stream.write(f"::{kind[f.severity]} {props}::{_gh_escape(msg)}\n")
    stream.write(_gh_escape(summary(report, lang)) + "\n")


def to_sarif(report: Report, lang: str) -> dict[str, Any]:
    """SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps)."""
    from planctl import __version__
    from planctl.explain import explain_markdown, explain_text
    from planctl.rules import registry

    used = sorted({f.code for f in report.findings})
    rules = []
    for code in used:
        rule = registry.get(code)
        entry: dict[str, Any] = {
            "id": code,
            "name": rule.name,
            "shortDescription": {"text": rule.title[lang]},
            "defaultConfiguration": {"level": {"info": "note"}.get(rule.severity, rule.severity)},
        }
        if rule.why:
            entry["fullDescription"] = {"text": rule.why[lang]}
        # help inline: the project has no public home yet, so no helpUri/informationUri
        entry["help"] = {
            "text": explain_text(rule, lang),
            "markdown": explain_markdown(rule, lang),
        }
        if rule.citation:
            entry["properties"] = {"citation": rule.citation}
        rules.append(entry)
    results = []
    for f in report.findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": used.index(f.code),
            "level": {"info": "note"}.get(f.severity, f.severity),
            "message": {"text": f.text(lang) + (f"\n{f.hint_text(lang)}" if f.hint else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": quote(f.file.replace("\\", "/"))},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.col,
                            "endColumn": f.col + f.span,
                        },
                    },
                    "logicalLocations": [{"fullyQualifiedName": f.pointer}] if f.pointer else [],
                }
            ],
        }
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "planctl",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


#: characters XML 1.0 cannot hold at all (not even as &#N;): C0 controls other than
#: tab/LF/CR, lone surrogates (from undecodable file names), U+FFFE and U+FFFF
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text that XML 1.0 can carry: each forbidden character becomes a visible ``\\xNN``.

    ElementTree writes such characters raw and produces a file no parser accepts,
    so a control character in plan text would break the whole CI report.
    """
    return _XML_FORBIDDEN.sub(_xml_escape, text)


def _xml_escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def to_junit(report: Report, lang: str, fail_on: str = "error") -> str:
    """JUnit XML (the junit-10 shape Jenkins, GitLab and Azure read): one test case per finding.

    A finding at or above ``fail_on`` is a ``<failure>``; below it the case passes and
    carries the finding as ``<system-out>``, so an info-only file does not read as
    failed. An internal error (INT001) is an ``<error>``. A clean file is one passing
    case; a file skipped as not a plan is a ``<skipped>`` case.
    """
    import xml.etree.ElementTree as ET

    from planctl.check import SKIP_REASONS
    from planctl.findings import severity_rank

    threshold = severity_rank(fail_on)
    root = ET.Element("testsuites", name="planctl validate")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for r in report.files:
        path = xml_safe(r.path)
        suite = ET.SubElement(root, "testsuite", name=path)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        dotted = path.replace(".", "_").replace("\\", "/").strip("/").replace("/", ".")
        classname = f"planctl.{dotted}"
        if not r.findings:
            counts["tests"] += 1
            if r.skipped is not None:
                case = ET.SubElement(suite, "testcase", name="not a plan", classname=classname)
                ET.SubElement(case, "skipped", message=SKIP_REASONS[r.skipped][lang])
                counts["skipped"] += 1
            else:
                ET.SubElement(suite, "testcase", name="valid", classname=classname)
        for f in r.findings:
            counts["tests"] += 1
            message = xml_safe(f.text(lang))
            detail = f"{f.file}:{f.line}:{f.col}: {f.code} {f.severity} {f.text(lang)}"
            hint = f.hint_text(lang)
            if hint:
                detail += f"\n{hint}"
            if f.citation:
                detail += f"\n{f.citation}"
            case = ET.SubElement(
                suite,
                "testcase",
                name=xml_safe(f"{f.code} {f.line}:{f.col} {f.pointer}".rstrip()),
                classname=classname,
            )
            if f.code == "INT001":
                kind = "error"
            elif severity_rank(f.severity) >= threshold:
                kind = "failure"
            else:
                kind = "system-out"
            if kind == "system-out":
                ET.SubElement(case, "system-out").text = xml_safe(detail)
            else:
                counts["errors" if kind == "error" else "failures"] += 1
                el = ET.SubElement(case, kind, type=f.code, message=message)
                el.text = xml_safe(detail)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


#: GitLab Code Quality severities: info, minor, major, critical, blocker
_GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def to_gitlab(report: Report, lang: str) -> list[dict[str, Any]]:
    """GitLab Code Quality report (the merge request widget and the pipeline tab).

    The fingerprint identifies an issue across commits, so it hashes what the
    problem is (rule, file, place in the plan, message), not its line number,
    which moves when lines above it change; repeats get an occurrence number.
    """
    import hashlib

    issues = []
    seen: dict[str, int] = {}
    for f in report.findings:
        key = "\x1f".join([f.code, f.file, f.pointer, f.text("en")])
        seen[key] = seen.get(key, 0) + 1
        digest = hashlib.sha256(f"{key}\x1f{seen[key]}".encode()).hexdigest()
        description = f.text(lang)
        hint = f.hint_text(lang)
        if hint:
            description += f" — {hint}"
        issues.append(
            {
                "type": "issue",
                "description": description,
                "check_name": f.code,
                "categories": ["Bug Risk"],
                "fingerprint": digest,
                "severity": _GITLAB_SEVERITY[f.severity],
                "location": {
                    "path": f.file.replace("\\", "/"),
                    "lines": {"begin": f.line},
                },
            }
        )
    return issues


@dataclass(frozen=True)
class OutputContext:
    """What every formatter may need besides the report."""

    lang: str
    fail_on: str = "error"
    #: colour escapes in text output (a terminal, or FORCE_COLOR)
    color: bool = False


@dataclass(frozen=True)
class Formatter:
    name: str
    description: str
    render: Callable[[Report, OutputContext], str]


#: every ``validate --format``, in the order ``--help`` lists them; the CLI's choices come from here
FORMATTERS: dict[str, Formatter] = {}


def formatter(
    name: str, description: str
) -> Callable[[Callable[[Report, OutputContext], str]], Callable[[Report, OutputContext], str]]:
    """Register an output format under ``name`` (a plugin can add its own)."""

    def register(
        fn: Callable[[Report, OutputContext], str],
    ) -> Callable[[Report, OutputContext], str]:
        FORMATTERS[name] = Formatter(name, description, fn)
        return fn

    return register


def format_report(name: str, report: Report, ctx: OutputContext) -> str:
    """The report as text in format ``name`` (KeyError for an unknown one)."""
    return FORMATTERS[name].render(report, ctx)


class _Buffer(io.StringIO):
    """Collects text output; tells the text formatter whether colour is wanted."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@formatter("text", "for people: file:line:col, the source line, hint and basis")
def _text(report: Report, ctx: OutputContext) -> str:
    buf = _Buffer(ctx.color)
    # lines come from the loaded document: a refused file (PTH001) was never read
    write_text(report, {r.path: r.lines for r in report.files}, ctx.lang, buf)
    return buf.getvalue()


@formatter("json", "planctl's own JSON (both languages unless --lang is given)")
def _json(report: Report, ctx: OutputContext) -> str:
    buf = io.StringIO()
    write_json(report, ctx.lang, buf)
    return buf.getvalue()


@formatter("github", "GitHub Actions annotations on the pull request")
def _github(report: Report, ctx: OutputContext) -> str:
    buf = io.StringIO()
    write_github(report, ctx.lang, buf)
    return buf.getvalue()


@formatter("sarif", "SARIF 2.1.0 for code scanning (github/codeql-action/upload-sarif)")
def _sarif(report: Report, ctx: OutputContext) -> str:
    from planctl.textsafe import escape_json_text

    return (
        escape_json_text(json.dumps(to_sarif(report, ctx.lang), ensure_ascii=False, indent=2))
        + "\n"
    )


@formatter("junit", "JUnit XML test report (Jenkins, GitLab, Azure DevOps)")
def _junit(report: Report, ctx: OutputContext) -> str:
    return to_junit(report, ctx.lang, ctx.fail_on)


@formatter("gitlab", "GitLab Code Quality report (artifacts:reports:codequality)")
def _gitlab(report: Report, ctx: OutputContext) -> str:
    from planctl.textsafe import escape_json_text

    return (
        escape_json_text(json.dumps(to_gitlab(report, ctx.lang), ensure_ascii=False, indent=2))
        + "\n"
    )


class ReportRefused(ValueError):
    """A report file that must not be written there (a folder, a plan, a file being checked)."""


def write_report(output: Path, text: str, report: Report) -> None:
    """Write a report file atomically; never over a plan, a folder or a file being checked.

    ``validate -o plan.yaml`` is one typo away from ``-o report.json``: it must
    not replace the plan with its own findings. Raises :class:`ReportRefused`,
    or ``OSError`` when the machine refuses the write.
    """
    from planctl.write import atomic_write_text

    checked = {Path(r.path).resolve() for r in report.files}
    if output.is_dir():
        raise ReportRefused(f"--output is a directory: {output}")
    if output.suffix.lower() in (".yaml", ".yml") or output.resolve() in checked:
        raise ReportRefused(f"refusing to write the report over a plan file: {output}")
    if output.exists() and not _a_report(output):
        raise ReportRefused(
            f"{output} exists and is not a planctl report; "
            "remove it or choose another --output (nothing was written)"
        )
    atomic_write_text(output, text)


#: larger files at the --output path are not taken for an earlier report (a national
#: repository's JSON report is ~50 MB)
_MAX_REPORT = 512 * 1024 * 1024


def _planctl_json(data: dict[str, Any]) -> bool:
    """The shape planctl's JSON report has (to_json): a package.json has a version and files too."""
    files = data.get("files")
    return (
        isinstance(data.get("version"), int)
        and isinstance(data.get("summary"), dict)
        and isinstance(files, list)
        and all(isinstance(f, dict) and "findings" in f and "rules_run" in f for f in files)
    )


def _a_report(path: Path) -> bool:
    """Whether an existing file is a report planctl wrote (any format), so a re-run may
    replace it; notes or a config that happen to sit at the ``--output`` path are kept."""
    try:
        if path.stat().st_size > _MAX_REPORT:  # not read whole to find out: not ours
            return False
        raw = path.read_bytes()
    except OSError:
        return False  # a folder, a socket: the write would fail anyway; say so there
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return False
    if not text:
        return True
    if text[0] in "{[":
        try:
            data = json.loads(text)
        except ValueError:
            return False
        if isinstance(data, dict):
            sarif = "sarif" in str(data.get("$schema", "")) and "runs" in data
            return sarif or _planctl_json(data)
        return isinstance(data, list) and all(  # GitLab Code Quality
            isinstance(x, dict) and "check_name" in x and "fingerprint" in x for x in data
        )
    if text.startswith("<"):
        return '<testsuites name="planctl' in text[:2000]  # JUnit
    # text and GitHub annotations end with the summary line
    return text.splitlines()[-1].startswith(("Checked ", "检查了 "))
