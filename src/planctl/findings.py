"""The Finding type: the contract between planctl and its users.

Every problem planctl reports, from a YAML syntax error to a downstream party
that no notification reaches, is one of these. It carries both languages so
that one validation run can be printed in Chinese for planners and in English
for an international reviewer without re-running anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
_RANK = {"error": 3, "warning": 2, "info": 1}


def severity_rank(severity: str) -> int:
    """Order severities so ``--fail-on warning`` means "warning or worse"."""
    return _RANK[severity]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: dict[str, str]
    file: str
    line: int
    col: int
    json_path: tuple[str | int, ...] = ()
    hint: dict[str, str] = field(default_factory=dict)
    citation: str | None = None
    #: width (in characters) of the span to underline, starting at ``col``
    span: int = 1

    def text(self, lang: str) -> str:
        return self.message.get(lang) or self.message["en"]

    def hint_text(self, lang: str) -> str | None:
        if not self.hint:
            return None
        return self.hint.get(lang) or self.hint.get("en")

    @property
    def pointer(self) -> str:
        """The JSON path as ``parties[2].contacts`` — easy to read and to grep."""
        out = ""
        for part in self.json_path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.col, self.code)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.col,
            "path": self.pointer,
            "message": self.message if lang is None else self.text(lang),
        }
        if lang is None:
            d["hint"] = self.hint or None
        else:
            d["hint"] = self.hint_text(lang)
        d["citation"] = self.citation
        return d


def display_path(path: Path | str) -> str:
    """Paths relative to the working directory when possible, as linters print them."""
    p = Path(path)
    try:
        text = str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        text = str(p)
    # a name that is not UTF-8 (GBK from a Windows zip) keeps its bytes visible as \xNN
    # instead of crashing every output format on a UTF-8 stream; control and bidi
    # characters in a name are shown as escapes in every format (a name with a line
    # break must not start a "::error::" line in a CI log)
    from planctl.textsafe import clean_path

    return clean_path(text)


# The result of checking files lives next to the Finding it collects, so output
# formats and library users need not import the engine to read a report.
@dataclass
class FileResult:
    path: str
    findings: list[Finding]
    rules_run: bool
    #: the source lines findings point at, by 1-based number, for showing them in context
    #: (only those: a national run must not hold every line of 1,200 plans); a full list
    #: of lines is accepted too. Empty when the file was not read.
    lines: Mapping[int, str] | Sequence[str] = field(default_factory=dict)
    #: why the file was passed over as not a plan (a key of SKIP_REASONS), None when checked
    skipped: str | None = None
    #: the small JSON record cross-plan checks need (``planctl.crossplan.plan_facts``),
    #: None when the plan's rules did not run; cached with the findings
    facts: dict[str, Any] | None = None


def source_line(lines: Mapping[int, str] | Sequence[str] | None, number: int) -> str | None:
    """Line ``number`` (1-based) of a FileResult's ``lines``, None when not kept."""
    if not lines:
        return None
    if isinstance(lines, Mapping):
        return lines.get(number)
    return lines[number - 1] if 0 < number <= len(lines) else None


def lines_for(findings: Iterable[Finding], all_lines: Sequence[str]) -> dict[int, str]:
    """The lines ``findings`` point at, taken from a file's full list of lines."""
    n = len(all_lines)
    return {f.line: all_lines[f.line - 1] for f in findings if 0 < f.line <= n}


@dataclass
class Report:
    files: list[FileResult] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings]

    @property
    def checked(self) -> list[FileResult]:
        """The files checked as plans (not those skipped as foreign YAML)."""
        return [r for r in self.files if r.skipped is None]

    @property
    def skipped(self) -> list[FileResult]:
        return [r for r in self.files if r.skipped is not None]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def failed(self, fail_on: str) -> bool:
        return any(severity_rank(f.severity) >= severity_rank(fail_on) for f in self.findings)
