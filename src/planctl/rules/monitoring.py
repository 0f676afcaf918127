"""Joint monitoring (联合监测), the fifth task of 环应急〔2020〕5号.

In the 2025 drill of the Zhuozhang sample, the three provinces measured
aniline with two different methods and could not compare their numbers. A
border section is where two sides' data meet: it needs an owner, a sampling
frequency at every response level the plan uses, and either one method for
everyone who samples there or a declared comparison procedure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from planctl.model import Plan
from planctl.rules.base import Context, Problem, rule

_CITATION = "生态环境部 水利部关于建立跨省流域上下游突发水污染事件联防联控机制的指导意见（环应急〔2020〕5号）“联合监测”"

_BASE = (
    "monitoring: {method: {name: 水质 苯胺类化合物的测定 气相色谱-质谱法, qa: 每批次加采平行样和空白样},"
    " recognition: 两县按统一方法取得的监测数据互认,"
    " sections: [{id: M-1, name: 甲乙交界断面, border: true, areas: [area-jia, area-yi], owner: yi,"
    " samplers: [jia, yi], parameters: [苯胺],"
    " frequency: [{levels: [L1], every: PT2H}, {levels: [L2], every: PT4H}]}]}\n"
)

BORDER_GAPS = rule(
    code="MON001",
    name="border-section-incomplete",
    severity="error",
    layer="plan",
    title={
        "zh": "交界断面缺少负责单位或分级频次",
        "en": "Border section lacks an owner or a frequency",
    },
    message={
        "zh": "交界断面“{name}”{problem}",
        "en": "border section '{name}' {problem_en}",
    },
    hint={
        "zh": "写明 owner（负责单位），并在 frequency 中为每个响应级别给出采样间隔，如 {{levels: [L1], every: PT2H}}。",
        "en": "Name its owner, and give frequency an interval for every response level, e.g. "
        "{{levels: [L1], every: PT2H}}.",
    },
    why={
        "zh": "交界断面的数据决定上下游谁启动预警、何时终止响应；没有负责单位，采样就可能无人组织；某一级别没有"
        "频次，该级别响应期间就没有约定的数据。",
        "en": "Border-section data decide who warns and when a response ends; without an owner "
        "nobody organises the sampling, and a level without a frequency has no agreed data.",
    },
    citation=_CITATION,
    fail=_BASE + "monitoring.sections.0.frequency.1: <delete>",
    passes=_BASE + "monitoring.sections.0.frequency.1.every: PT6H",
)

METHOD_MISMATCH = rule(
    code="MON002",
    name="samplers-without-common-method",
    severity="error",
    layer="plan",
    title={
        "zh": "同一断面的采样方没有统一方法或比对程序",
        "en": "Parties sampling one section have no common method or comparison",
    },
    message={
        "zh": "断面“{name}”由{samplers}共同采样，{problem}，也没有约定比对程序",
        "en": "section '{name}' is sampled by {samplers_en}; {problem_en}, and no comparison "
        "procedure is declared",
    },
    hint={
        "zh": "在 monitoring.method 中约定各方共同采用的方法和质控要求；确实各用各法的，在 monitoring.comparison "
        "或断面的 comparison 中写明比对程序。",
        "en": "Agree one method and QA in monitoring.method; where parties keep their own methods, "
        "declare a comparison procedure in monitoring.comparison or the section's comparison.",
    },
    why={
        "zh": "方法不同的数据不能直接比对，上下游会各执一词（样本预案2025年演练即发现分光光度法与气相色谱-质谱法"
        "并存）。数据互认的前提是统一方法，或者事先约定比对程序。",
        "en": "Data from different methods cannot be compared and the two sides argue (the "
        "sample's 2025 drill found photometry and GC-MS side by side). Mutual recognition needs "
        "one method, or an agreed comparison.",
    },
    citation=_CITATION,
    fail=_BASE + "monitoring.method: <delete>",
    passes=_BASE
    + "monitoring.method: <delete>\nmonitoring.comparison: 两县每季度用同一加标样比对一次，偏差超过20%时共同复测",
)


def levels_in_use(plan: Plan) -> list[str]:
    """Response levels the plan's grades and warnings start (every response when none says)."""
    ids = [r["id"] for r in plan.responses]
    used = {
        x.get("response")
        for x in [*plan.grades, *plan.warnings]
        if isinstance(x.get("response"), str)
    }
    return [r for r in ids if r in used] or ids


def _samplers(section: dict[str, Any]) -> list[str]:
    out = [x for x in section.get("samplers") or [] if isinstance(x, str)]
    for entry in section.get("methods") or []:
        out += [x for x in entry.get("parties") or [] if isinstance(x, str)]
    owner = section.get("owner")
    if isinstance(owner, str):
        out.append(owner)
    return list(dict.fromkeys(out))


@BORDER_GAPS.check
def check_border_sections(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    levels = levels_in_use(plan)
    names = {r["id"]: r["name"] for r in plan.responses}
    for i, section in enumerate(plan.monitoring_sections):
        if section.get("border") is not True:
            continue
        path: tuple[str | int, ...] = ("monitoring", "sections", i)
        if not isinstance(section.get("owner"), str):
            yield Problem(
                (*path, "id"),
                {
                    "name": section["name"],
                    "problem": "没有负责单位（owner）",
                    "problem_en": "has no owner",
                },
            )
        covered = {
            lv
            for entry in section.get("frequency") or []
            if isinstance(entry.get("every"), str)
            for lv in entry.get("levels") or []
        }
        missing = [lv for lv in levels if lv not in covered]
        if missing:
            where = (*path, "frequency") if "frequency" in section else (*path, "id")
            yield Problem(
                where,
                {
                    "name": section["name"],
                    "problem": "没有约定"
                    + "、".join(names.get(lv, lv) for lv in missing)
                    + "期间的监测频次",
                    "problem_en": "has no sampling frequency for level " + ", ".join(missing),
                },
                at="key" if where[-1] == "frequency" else "value",
            )


def _method_name(method: Any) -> str | None:
    return (
        method.get("name")
        if isinstance(method, dict) and isinstance(method.get("name"), str)
        else None
    )


@METHOD_MISMATCH.check
def check_methods(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    mon = plan.monitoring
    common = _method_name(mon.get("method"))
    plan_comparison = isinstance(mon.get("comparison"), str)
    for i, section in enumerate(plan.monitoring_sections):
        samplers = _samplers(section)
        if len(samplers) < 2 or plan_comparison or isinstance(section.get("comparison"), str):
            continue
        own = _method_name(section.get("method")) or common
        per_party: set[str] = {
            name
            for e in section.get("methods") or []
            if e.get("parties") and (name := _method_name(e.get("method")))
        }
        if per_party:
            methods = per_party | (
                {own} if own and _covers_all(section, samplers) is False else set()
            )
            if len(methods) <= 1:
                continue
            problem = {
                "problem": f"各方方法不同（{'；'.join(sorted(methods))}）",
                "problem_en": f"their methods differ ({'; '.join(sorted(methods))})",
            }
            path: tuple[str | int, ...] = ("monitoring", "sections", i, "methods")
            severity: Literal["error", "warning", "info"] = "error"
        elif own:
            continue
        else:
            problem = {"problem": "预案没有约定监测方法", "problem_en": "the plan sets no method"}
            path = ("monitoring", "sections", i, "id")
            severity = "warning"
        yield Problem(
            path,
            {
                "name": section["name"],
                "samplers": "、".join(f"“{plan.name(x)}”" for x in samplers),
                "samplers_en": ", ".join(f"'{plan.name(x)}'" for x in samplers),
            }
            | problem,
            at="key" if path[-1] == "methods" else "value",
            severity=severity,
        )


def _covers_all(section: dict[str, Any], samplers: list[str]) -> bool:
    """Do the per-party methods name every sampler (so the common method binds nobody)?"""
    named = {x for e in section.get("methods") or [] for x in e.get("parties") or []}
    return set(samplers) <= named
