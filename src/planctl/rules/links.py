"""Links outward: the joint plan dovetails with each party's own plan.

A joint "level I response" means nothing to a county duty officer until the
plan says which of the county's own levels it starts; a mapping that skips a
joint level leaves that party guessing in the event. A related plan kept in the
same repository is a reference like any other: it must resolve, and it must not
lead outside the repository (the same root check as configuration links).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from planctl.rules.base import Context, Problem, rule

MAP_GAP = rule(
    code="LNK001",
    name="level-map-incomplete",
    severity="warning",
    layer="plan",
    title={"zh": "响应级别对应不完整", "en": "Level mapping incomplete"},
    message={
        "zh": "相关预案“{title}”的级别对应没有覆盖联合响应级别：{missing}",
        "en": "the level mapping of related plan '{title}' does not cover the joint response "
        "level(s): {missing}",
    },
    hint={
        "zh": "在 level_map 中为每个联合响应级别写明对应的本方响应级别（joint: 联合级别 id，own: 本方级别名称）。",
        "en": "Give each joint response level its own-plan level in level_map (joint: id, own: name).",
    },
    why={
        "zh": "联合预案启动某一级响应时，各方须同时启动本方相应级别的响应；对应关系缺一级，该级别下这一方无所适从。",
        "en": "When a joint level starts, each party starts its own matching level; a gap leaves "
        "that party guessing at that level.",
    },
    citation="突发事件应急预案管理办法（国办发〔2024〕5号）（预案衔接） [待核]",
    fail="links.related_plans.0.level_map: [{joint: L1, own: 甲县Ⅰ级应急响应}]",
    passes="links.related_plans.0.level_map: [{joint: L1, own: 甲县Ⅰ级应急响应}, "
    "{joint: L2, own: 甲县Ⅱ级应急响应}]",
)

BAD_PATH = rule(
    code="LNK002",
    name="related-plan-path-unresolved",
    severity="error",
    layer="plan",
    title={"zh": "相关预案路径无法解析", "en": "Related plan path does not resolve"},
    message={
        "zh": "相关预案“{title}”的路径 {path} {problem}",
        "en": "the path {path} of related plan '{title}' {problem_en}",
    },
    hint={
        "zh": "path 写相对本文件、位于同一仓库内的预案文件路径；仓库外的预案只写 title 和 number。",
        "en": "Write path relative to this file, inside the repository; for plans outside it give "
        "only title and number.",
    },
    why={
        "zh": "同一仓库中的相关预案是一种引用：路径落空说明文件被改名或删除，衔接关系已失效；指向仓库之外的路径"
        "在别人的机器上不存在，也不应被读取。",
        "en": "A related plan in the repository is a reference: a dead path means it was renamed "
        "or removed; a path out of the repository does not exist elsewhere and is not read.",
    },
    citation="planctl policy",
    fail="links.related_plans.0.path: plans/jia-county-own-plan.yaml",
)


@MAP_GAP.check
def check_level_map(ctx: Context) -> Iterator[Problem]:
    joint = [r["id"] for r in ctx.plan.responses]
    names = {r["id"]: r.get("name", r["id"]) for r in ctx.plan.responses}
    for i, rp in enumerate(ctx.plan.links.get("related_plans", [])):
        mapping = rp.get("level_map")
        if not mapping:
            continue
        covered = {m.get("joint") for m in mapping}
        missing = [x for x in joint if x not in covered]
        if missing:
            yield Problem(
                ("links", "related_plans", i, "level_map"),
                {"title": rp.get("title", ""), "missing": "、".join(names[x] for x in missing)},
                at="key",
            )


def _resolve(plan_file: Path, target: str) -> str | None:
    """Why ``target`` (relative to the plan file) is not a plan file in the repository, or None."""
    from planctl.config import search_root

    if "\x00" in target or Path(target).is_absolute():
        return "absolute"
    base = plan_file.parent
    root = search_root(base)
    candidate = base / target
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError):  # a link loop
        return "missing"
    if not resolved.is_relative_to(root):
        return "outside"
    if not resolved.is_file():
        return "missing"
    return None


_PROBLEMS = {
    "absolute": ("是绝对路径，应写相对本文件的路径", "is absolute; write it relative to this file"),
    "outside": ("指向仓库之外", "leads outside the repository"),
    "missing": ("指向的文件不存在", "names no file"),
}


@BAD_PATH.check
def check_paths(ctx: Context) -> Iterator[Problem]:
    plan_file = Path(ctx.doc.path)
    for i, rp in enumerate(ctx.plan.links.get("related_plans", [])):
        target = rp.get("path")
        if not target:
            continue
        why = _resolve(plan_file, target)
        if why:
            zh, en = _PROBLEMS[why]
            yield Problem(
                ("links", "related_plans", i, "path"),
                {"title": rp.get("title", ""), "path": target, "problem": zh, "problem_en": en},
            )
