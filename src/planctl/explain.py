"""What a rule checks, why, and an example: one text for ``planctl explain`` and SARIF help.

The explanation is built here, in the library, so that the terminal, the SARIF
rule help (text and Markdown) and a Python user all read the same words. The
failing example is run through the real validator, so the finding it shows is
the one planctl actually produces, not a paraphrase that could drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planctl import profiles
from planctl.rules.base import Rule

SEVERITY_LABELS = {
    "zh": {"error": "错误", "warning": "警告", "info": "提示"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}

_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "severity": "严重程度",
        "layer": "检查层",
        "basis": "依据",
        "fix": "如何修正",
        "fail": "不通过的示例",
        "passes": "通过的示例",
        "patch": "（对示例基础预案的修改）",
        "repo": "（示例仓库；预案文件写作对示例基础预案的修改）",
    },
    "en": {
        "severity": "severity",
        "layer": "layer",
        "basis": "basis",
        "fix": "how to fix",
        "fail": "failing example",
        "passes": "passing example",
        "patch": "(changes to the example base plan)",
        "repo": "(a repository; plan files as changes to the example base plan)",
    },
}
_LAYERS: dict[str, dict[str, str]] = {
    "zh": {
        "yaml": "YAML",
        "schema": "结构（JSON Schema）",
        "plan": "预案规则",
        "repository": "仓库（登记册与跨预案）",
    },
    "en": {
        "yaml": "yaml",
        "schema": "schema",
        "plan": "plan",
        "repository": "repository (registries, across plans)",
    },
}


def severity_label(severity: str, lang: str) -> str:
    """The word users read for a severity: 错误/警告/提示 in Chinese output."""
    return SEVERITY_LABELS.get(lang, SEVERITY_LABELS["en"]).get(severity, severity)


@dataclass(frozen=True)
class Explanation:
    """A rule's explanation as parts, so each output can lay them out its own way."""

    heading: str
    facts: list[tuple[str, str]]
    why: str | None
    fix: str | None
    #: (title, snippet, finding text produced by the snippet or None)
    examples: list[tuple[str, str, str | None]]


def _strip_params(text: str) -> str:
    """Hints are templates; ``{party}`` reads as an ellipsis outside a finding."""
    return re.sub(r"\{[a-z_]+\}", "…", text).replace("{{", "{").replace("}}", "}")


def example_finding(rule: Rule, lang: str) -> str | None:
    """The message the rule's failing example really produces (None when it has none)."""
    from planctl.check import validate
    from planctl.examples import example_text
    from planctl.loader import load_text

    text = example_text(rule, "fail")
    if text is None:
        from planctl.examples import repo_files, run_repo

        files = repo_files(rule, "fail")
        found = run_repo(files) if files else []
        hits = [f for f in found if f.code == rule.code]
        return f"{hits[0].file}: {hits[0].text(lang)}" if hits else None
    hits = [
        f
        for f in validate(load_text(text, "example.yaml"), today="2026-11-28")
        if f.code == rule.code
    ]
    return hits[0].text(lang) if hits else None


def explain_rule(rule: Rule, lang: str, run_example: bool = True) -> Explanation:
    words = _WORDS[lang]
    facts = [
        (words["severity"], severity_label(rule.severity, lang)),
        (words["layer"], _LAYERS[lang].get(rule.layer, rule.layer)),
    ]
    if rule.citation:
        facts.append((words["basis"], rule.citation))
    examples: list[tuple[str, str, str | None]] = []
    for which in ("fail", "passes"):
        snippet = rule.fail if which == "fail" else rule.passes
        if snippet is None:
            continue
        joiner = "" if lang == "zh" else " "
        title = words[which] if rule.layer == "yaml" else words[which] + joiner + words["patch"]
        result = example_finding(rule, lang) if which == "fail" and run_example else None
        examples.append((title, snippet.rstrip(), result))
    for which in ("fail", "passes"):
        spec = rule.repo_fail if which == "fail" else rule.repo_passes
        if spec is None:
            continue
        joiner = "" if lang == "zh" else " "
        snippet = "\n".join(
            f"# {rel}\n{text.rstrip() or '# ' + words['patch']}" for rel, text in spec.items()
        )
        result = example_finding(rule, lang) if which == "fail" and run_example else None
        examples.append((words[which] + joiner + words["repo"], snippet, result))
    return Explanation(
        heading=f"{rule.code} ({rule.name}) — {rule.title[lang]}",
        facts=facts,
        why=rule.why[lang] if rule.why else None,
        fix=_strip_params(rule.hint[lang]) if rule.hint else None,
        examples=examples,
    )


def explain_text(rule: Rule, lang: str, run_example: bool = True) -> str:
    """Plain text, as ``planctl explain`` prints it."""
    e = explain_rule(rule, lang, run_example)
    sep = ": "
    out = [e.heading, *(f"{k}{sep}{v}" for k, v in e.facts)]
    if e.why:
        out += ["", e.why]
    # the legal-profile entries the rule checks, with whom each binds (issue #8)
    scope = profiles.explain_scope(rule.code, lang)
    if scope:
        out += ["", *scope]
    if e.fix:
        out += ["", f"{_WORDS[lang]['fix']}{sep}{e.fix}"]
    for title, snippet, result in e.examples:
        out += ["", f"{title}:", "\n".join("    " + line for line in snippet.splitlines())]
        if result:
            out.append("  → " + result)
    return "\n".join(out)


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)


def explain_markdown(rule: Rule, lang: str, run_example: bool = True) -> str:
    """Markdown, for SARIF ``help.markdown`` (code-scanning pages render it)."""
    e = explain_rule(rule, lang, run_example)
    out = [f"**{_md_escape(e.heading)}**", ""]
    out += [f"- {_md_escape(k)}: {_md_escape(v)}" for k, v in e.facts]
    if e.why:
        out += ["", _md_escape(e.why)]
    if e.fix:
        out += ["", f"**{_WORDS[lang]['fix']}**: {_md_escape(e.fix)}"]
    for title, snippet, result in e.examples:
        longest = max((len(m) for m in re.findall(r"`+", snippet)), default=0)
        fence = "`" * max(3, longest + 1)
        out += ["", f"{_md_escape(title)}:", "", f"{fence}yaml", snippet, fence]
        if result:
            out += ["", f"→ {_md_escape(result)}"]
    return "\n".join(out)


def rule_record(rule: Rule) -> dict[str, object]:
    """A rule as data (``planctl rules -f json``): code, name, severity, layer, title, citation."""
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity,
        "layer": rule.layer,
        "title": rule.title,
        "citation": rule.citation,
    }
