"""Formatting findings for people (text) and machines (json, github).

The text format follows modern linters: ``path:line:col: CODE severity
message``, the offending source line with the span underlined, a hint and the
legal citation, then one summary line. Chinese characters take two terminal
columns, so the underline is aligned by display width, not by code points.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from typing import IO, Any
from urllib.parse import quote

from planctl.check import Report
from planctl.findings import Finding

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
    """zh when the user's locale says Chinese, otherwise en."""
    for var in ("PLANCTL_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


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


def format_finding(f: Finding, lines: list[str] | None, lang: str, color: bool = False) -> str:
    sev = _paint(f.severity, _COLORS.get(f.severity, "0") + ";1", color)
    head = f"{f.file}:{f.line}:{f.col}: {_paint(f.code, '1', color)} {sev} {f.text(lang)}"
    out = [head]
    if lines and 0 < f.line <= len(lines):
        src = lines[f.line - 1].replace("\t", " ").rstrip("\r")
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
        out.append(f"  = {label['hint']}: {hint}")
    if f.citation:
        out.append(f"  = {label['cite']}: {f.citation}")
    return "\n".join(out)


def summary(report: Report, lang: str) -> str:
    n = len(report.checked)
    e, w, i = report.count("error"), report.count("warning"), report.count("info")
    k = len(report.skipped)
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


def write_text(
    report: Report, sources: dict[str, list[str]], lang: str, stream: IO[str] | None = None
) -> None:
    stream = stream or sys.stdout
    color = use_color(stream)
    from planctl.check import SKIP_REASONS

    for result in report.files:
        if result.skipped is not None and not result.findings:
            reason = SKIP_REASONS[result.skipped][lang]
            sep = "：" if lang == "zh" else ": "
            stream.write(
                f"{result.path}{sep}{_LABELS[lang]['not_plan']}（{reason}）\n"
                if lang == "zh"
                else f"{result.path}{sep}{_LABELS[lang]['not_plan']} ({reason})\n"
            )
            continue
        for f in result.findings:
            stream.write(format_finding(f, sources.get(f.file), lang, color) + "\n\n")
        if not result.rules_run and result.findings and result.findings[0].code != "PTH001":
            stream.write(f"{result.path}: {_LABELS[lang]['skipped']}\n\n")
    stream.write(summary(report, lang) + "\n")


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
    stream = stream or sys.stdout
    json.dump(to_json(report, lang), stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def _gh_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


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
    stream.write(summary(report, lang) + "\n")


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


def to_junit(report: Report, lang: str) -> str:
    """JUnit XML: one test case per file, a failure per finding (CI test-report widgets)."""
    from xml.sax.saxutils import escape, quoteattr

    cases = []
    failures = 0
    for r in report.files:
        body = ""
        for f in r.findings:
            failures += 1
            body += (
                f"<failure type={quoteattr(f.code)} message={quoteattr(f.text(lang))}>"
                f"{escape(f'{f.file}:{f.line}:{f.col}: {f.code} {f.severity} {f.text(lang)}')}</failure>"
            )
        cases.append(f'<testcase classname="planctl" name={quoteattr(r.path)}>{body}</testcase>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuite name="planctl validate" tests="{len(report.files)}" failures="{failures}">'
        + "".join(cases)
        + "</testsuite>\n"
    )
