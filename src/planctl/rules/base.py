"""What a rule is, and how a rule's problem becomes a Finding.

A rule is declared once, with everything a user may ask about it: a stable
code, a default severity, a citation when the law demands it, why it exists,
and a failing and a passing example. The check itself is a plain generator
that yields :class:`Problem` (where, with which values); turning that into a
located, bilingual :class:`~planctl.findings.Finding` happens here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planctl.findings import Finding, Severity

if TYPE_CHECKING:
    from planctl.loader import Document
    from planctl.model import Plan
    from planctl.profiles import Profile

Text = dict[str, str]
PathT = tuple[str | int, ...]


@dataclass
class Options:
    """Knobs a rule may read. Defaults match the documented behaviour."""

    today: date = field(default_factory=date.today)
    #: contacts not verified within this many months are flagged (CON002)
    contact_max_age_months: int = 6
    #: resources not counted (盘点) within this many months are flagged (RES003)
    inventory_max_age_months: int = 12
    #: default joint training cycle in months when the plan sets none (PRE003)
    training_cycle_months: int = 12
    #: time a target's owner must be told before the pollutant arrives (TGT001)
    notice_margin_minutes: float = 60.0
    #: profile id to use instead of the plan's ``metadata.legal_profile``
    profile: str | None = None
    #: re-raise internal errors instead of reporting INT001
    debug: bool = False


@dataclass
class Problem:
    """One occurrence of a rule's problem, before it is located and translated."""

    path: PathT
    params: dict[str, Any] = field(default_factory=dict)
    #: point at the key ("key") or at the value ("value") of ``path``
    at: str = "value"
    #: (offset, length) inside the scalar at ``path`` to underline
    span: tuple[int, int] | None = None
    #: override the rule's citation for this occurrence (e.g. a profile entry)
    citation: str | None = None
    #: override the rule's default severity for this occurrence
    severity: Severity | None = None


@dataclass
class Context:
    doc: Document
    plan: Plan
    profile: Profile
    options: Options
    #: results shared between rules of one run (e.g. notification chains)
    cache: dict[str, Any] = field(default_factory=dict)


Check = Callable[[Context], Iterator[Problem]]


def _fmt(template: Text, params: dict[str, Any], lang: str) -> str:
    values = {
        k: (v.get(lang) or v.get("en", "")) if isinstance(v, dict) else v for k, v in params.items()
    }
    return template[lang].format(**values)


@dataclass
class Rule:
    code: str
    name: str
    severity: Severity
    layer: str  # "yaml", "schema" or "plan"
    title: Text
    message: Text
    hint: Text | None = None
    why: Text | None = None
    citation: str | None = None
    #: changes to the example base plan that make the rule fire / stay quiet
    fail: str | None = None
    passes: str | None = None
    #: for rules that need several files (registries, cross-plan checks): a small
    #: repository, relative path -> file text or patch (see planctl.examples)
    repo_fail: dict[str, str] | None = None
    repo_passes: dict[str, str] | None = None
    check_fn: Check | None = None
    #: the rule checks text as text, so it must see 【待填：…】 markers that every
    #: other rule sees as absent values (see planctl.placeholders)
    sees_placeholders: bool = False

    def check(self, fn: Check) -> Check:
        """Decorator: attach the check function to this rule."""
        self.check_fn = fn
        return fn

    def finding(
        self,
        *,
        file: Path | str,
        line: int,
        col: int,
        json_path: PathT = (),
        params: dict[str, Any] | None = None,
        severity: Severity | None = None,
        span: int = 1,
        citation: str | None = None,
    ) -> Finding:
        params = params or {}
        hint = {lang: _fmt(self.hint, params, lang) for lang in ("zh", "en")} if self.hint else {}
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            message={lang: _fmt(self.message, params, lang) for lang in ("zh", "en")},
            file=str(file),
            line=line,
            col=col,
            json_path=tuple(json_path),
            hint=hint,
            citation=citation or self.citation,
            span=max(1, span),
        )

    def locate(self, ctx: Context, problem: Problem) -> Finding:
        """Turn a problem into a finding at the right file:line:col."""
        source = ctx.doc.source
        path = tuple(problem.path)
        mark = source.key(path) if problem.at == "key" else source.value(path)
        col, span = mark.col, 1
        style = source.scalar_style(path)
        is_scalar = style is None or isinstance(style, str)
        if problem.span is not None and is_scalar:
            offset, length = problem.span
            if style in (None, "", '"', "'"):
                # plain or quoted scalar on its line: the span is addressable
                col = mark.col + offset + (1 if style in ('"', "'") else 0)
                span = length
        elif problem.at == "key" and path and isinstance(path[-1], str):
            span = len(path[-1])
        elif is_scalar:  # underline all of the scalar when it sits on one line
            end = source.end(path)
            if end is not None and end.line == mark.line and end.col > mark.col:
                span = end.col - mark.col
        return self.finding(
            file=ctx.doc.path,
            line=mark.line,
            col=col,
            json_path=path,
            params=problem.params,
            span=span,
            citation=problem.citation,
            severity=problem.severity,
        )


class Registry:
    """All rules by code: built-in rules in code order, then rule packs' in load order.

    The rule families are imported the first time the registry is read, not when
    ``planctl.rules`` is imported: a run whose results all come from the cache
    (a render after validate) never loads a rule (~10 ms of a start).
    """

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}
        #: imports every family and the installed packs (set by ``planctl.rules``)
        self.loader: Callable[[], None] | None = None
        self._loaded = False
        self._loading = False

    def _load(self) -> None:
        if self._loaded or self._loading:
            return
        self._loading = True  # the loader reads the registry itself (packs, order)
        try:
            if self.loader is not None:
                self.loader()
            self._loaded = True  # a failed or interrupted import is tried again next time
        finally:
            self._loading = False

    def add(self, rule: Rule) -> Rule:
        if rule.code in self._rules:
            raise ValueError(f"duplicate rule code {rule.code}")
        self._rules[rule.code] = rule
        return rule

    def reorder(self, rules: list[Rule]) -> None:
        """List the registered ``rules`` in this order, ahead of any others."""
        ordered = {r.code: r for r in rules if self._rules.get(r.code) is r}
        ordered.update(self._rules)
        self._rules = ordered

    def get(self, code: str) -> Rule:
        self._load()
        return self._rules[code.upper()]

    def find(self, code_or_name: str) -> Rule | None:
        from planctl.plugins import canonical

        self._load()
        key = code_or_name.strip()
        if canonical(key) in self._rules:
            return self._rules[canonical(key)]
        if key.upper() in self._rules:
            return self._rules[key.upper()]
        for rule in self._rules.values():
            if rule.name == key.lower():
                return rule
        return None

    def __iter__(self) -> Iterator[Rule]:
        self._load()
        return iter(self._rules.values())

    def __len__(self) -> int:
        self._load()
        return len(self._rules)

    def plan_rules(self) -> list[Rule]:
        self._load()
        return [r for r in self._rules.values() if r.check_fn is not None]


registry = Registry()


def rule(**kwargs: Any) -> Rule:
    """Declare and register a rule."""
    return registry.add(Rule(**kwargs))
