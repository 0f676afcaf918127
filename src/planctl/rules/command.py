"""Levels and joint command: every response level in use can actually be run.

A response level that grades point to but that has no lead, no joint command
arrangement or no action is a level on paper only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from planctl.rules.base import Context, Problem, rule

_COLOR_RANK = {"red": 1, "orange": 2, "yellow": 3, "blue": 4}
_GRADE_RANK = {"特别重大": 1, "重大": 2, "较大": 3, "一般": 4}

NO_COMMAND = rule(
    code="CMD001",
    name="response-level-without-command",
    severity="error",
    layer="plan",
    title={"zh": "响应级别没有指挥安排", "en": "Response level without joint command"},
    message={
        "zh": "响应级别 {level}（{name}）被启用，但 command.levels 中没有它的牵头方和联合指挥部",
        "en": "response level {level} ({name}) is in use but command.levels gives it no lead "
        "and no joint command",
    },
    hint={
        "zh": "在 command.levels 中为 {level} 增加一项：response、lead（牵头方）、hq（联合指挥部）、groups。",
        "en": "Add an entry for {level} in command.levels with response, lead, hq and groups.",
    },
    why={
        "zh": "跨区域事件须明确由谁牵头、指挥体系如何对接，否则各自为战。",
        "en": "A cross-region event needs a named lead and joined-up command, or each side acts "
        "alone.",
    },
    citation="突发事件应对法 第十八条、第二十八条",
    fail="command.levels: [{response: L1, lead: jia, hq: 联合指挥部, groups: [g-monitor]}]",
)

NO_ACTION = rule(
    code="CMD002",
    name="response-level-without-action",
    severity="error",
    layer="plan",
    title={"zh": "响应级别没有处置措施", "en": "Response level without actions"},
    message={
        "zh": "响应级别 {level}（{name}）没有任何响应阶段的职责",
        "en": "response level {level} ({name}) has no response-phase duty",
    },
    hint={
        "zh": "增加 phase: response 的职责，levels 包含 {level}（或省略 levels 表示各级适用）。",
        "en": "Add a duty with phase: response whose levels include {level} (or omit levels).",
    },
    citation="突发事件应对法 第二十八条（应急预案应当规定应急处置程序）",
    fail="duties.0.levels: [L1]\nduties.1.levels: [L1]",
)

UNUSED_RESPONSE = rule(
    code="CMD003",
    name="response-level-unused",
    severity="warning",
    layer="plan",
    title={"zh": "响应级别未被触发", "en": "Response level never triggered"},
    message={
        "zh": "响应级别 {level}（{name}）没有被任何事件分级或预警级别触发",
        "en": "response level {level} ({name}) is not triggered by any grade or warning",
    },
    hint={
        "zh": "在 levels.grades 或 levels.warnings 的 response 中引用它，或删除该级别。",
        "en": "Reference it from a grade's or warning's `response`, or delete it.",
    },
    why={
        "zh": "没有触发条件的响应级别，实战中无从启动，往往说明分级对应关系写错了。",
        "en": "A level nothing triggers can never be started; usually the grade mapping is wrong.",
    },
    fail="levels.grades.2.response: L1\nlevels.grades.3.response: L1",
)

LEVEL_MISMATCH = rule(
    code="LVL001",
    name="level-rank-mismatch",
    severity="error",
    layer="plan",
    title={"zh": "级别名称与序号不一致", "en": "Level name and rank disagree"},
    message={
        "zh": "{what}“{name}”对应 {expected} 级，但 rank 写的是 {rank}",
        "en": "{what_en} '{name}' is rank {expected}, but rank says {rank}",
    },
    hint={
        "zh": "按法定对应关系修改：特别重大/红色=1，重大/橙色=2，较大/黄色=3，一般/蓝色=4。",
        "en": "Use the legal mapping: 特别重大/red=1, 重大/orange=2, 较大/yellow=3, 一般/blue=4.",
    },
    citation="突发事件应对法 第三条（事件分级）、第六十三条（预警级别）",
    fail="levels.grades.0.rank: 2",
)


def _used_responses(ctx: Context) -> dict[str, int]:
    used: dict[str, int] = {}
    for section in ("grades", "warnings"):
        for item in ctx.plan.levels.get(section, []):
            if item.get("response"):
                used.setdefault(item["response"], 0)
    return used


def _response_index(ctx: Context) -> dict[str, int]:
    return {r["id"]: i for i, r in enumerate(ctx.plan.responses)}


@NO_COMMAND.check
def check_command(ctx: Context) -> Iterator[Problem]:
    commanded = {c["response"] for c in ctx.plan.command.get("levels", [])}
    index = _response_index(ctx)
    for level in _used_responses(ctx):
        if level in index and level not in commanded:
            resp = ctx.plan.responses[index[level]]
            yield Problem(
                ("levels", "responses", index[level], "id"), {"level": level, "name": resp["name"]}
            )


@NO_ACTION.check
def check_actions(ctx: Context) -> Iterator[Problem]:
    index = _response_index(ctx)
    for level in _used_responses(ctx):
        if level not in index:
            continue
        has = any(
            d["phase"] == "response" and (not d.get("levels") or level in d["levels"])
            for d in ctx.plan.duties
        )
        if not has:
            resp = ctx.plan.responses[index[level]]
            yield Problem(
                ("levels", "responses", index[level], "id"), {"level": level, "name": resp["name"]}
            )


@UNUSED_RESPONSE.check
def check_unused(ctx: Context) -> Iterator[Problem]:
    used = _used_responses(ctx)
    for i, resp in enumerate(ctx.plan.responses):
        if resp["id"] not in used:
            yield Problem(
                ("levels", "responses", i, "id"), {"level": resp["id"], "name": resp["name"]}
            )


@LEVEL_MISMATCH.check
def check_level_ranks(ctx: Context) -> Iterator[Problem]:
    for i, grade in enumerate(ctx.plan.grades):
        expected = _GRADE_RANK.get(grade["name"])
        if expected and expected != grade["rank"]:
            yield Problem(
                ("levels", "grades", i, "rank"),
                {
                    "what": "事件分级",
                    "what_en": "grade",
                    "name": grade["name"],
                    "expected": expected,
                    "rank": grade["rank"],
                },
            )
    for i, warning in enumerate(ctx.plan.warnings):
        expected = _COLOR_RANK[warning["color"]]
        if expected != warning["rank"]:
            yield Problem(
                ("levels", "warnings", i, "rank"),
                {
                    "what": "预警颜色",
                    "what_en": "warning colour",
                    "name": warning["color"],
                    "expected": expected,
                    "rank": warning["rank"],
                },
            )


LEAD_UNRESOLVED = rule(
    code="CMD004",
    name="lead-unresolved-for-origin",
    severity="error",
    layer="plan",
    title={"zh": "事发地牵头方无法确定", "en": "Lead by origin does not resolve"},
    message={
        "zh": "牵头方随事发地确定（by: origin），但{reason}",
        "en": "the lead follows the origin (by: origin), but {reason}",
    },
    hint={
        "zh": "在 lead.areas 中为每个可能的事发区域写明牵头方（区域 id: 参与方 id）；"
        "区域只有一个人民政府（或只有一个参与方）时可省略。",
        "en": "Name the lead of each origin area under lead.areas (area id: party id); an area "
        "with exactly one government (or one party) may be left out.",
    },
    why={
        "zh": "“事发地牵头”只有在每个可能的事发区域都能确定唯一牵头方时才可执行；"
        "否则事发时两地会互相等待或争相指挥。",
        "en": "Lead-by-origin works only if every place an event can start has exactly one lead; "
        "otherwise both sides wait for each other, or both command.",
    },
    citation="突发事件应对法 第十八条",
    fail="command.levels.0.lead: {by: origin, areas: {area-jia: jia, area-bing: yi}}",
    passes="command.levels.0.lead: {by: origin}",
)


@LEAD_UNRESOLVED.check
def check_origin_leads(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    keys = plan.origin_keys()
    known = set(plan.area) if plan.geography else set(plan.party)
    for path, spec in plan.lead_slots():
        if not (isinstance(spec, dict) and spec.get("by") == "origin"):
            continue
        named = spec.get("areas") or {}
        for key in named:
            if key not in known:
                where = "geography.areas" if plan.geography else "parties"
                yield Problem(
                    (*path, "areas", key),
                    {
                        "reason": {
                            "zh": f"lead.areas 中的“{key}”不是 {where} 中的区域",
                            "en": f"'{key}' in lead.areas is not an area of {where}",
                        }
                    },
                    at="key",
                )
        if not keys:
            yield Problem(
                path,
                {
                    "reason": {
                        "zh": "预案没有可能的事发区域（geography.areas）",
                        "en": "the plan has no area where an event can start (geography.areas)",
                    }
                },
            )
            continue
        missing = [k for k in keys if plan.resolve_lead(spec, k) is None]
        if missing:
            names = [(plan.area.get(k) or {}).get("name") or plan.name(k) for k in missing]
            yield Problem(
                path,
                {
                    "reason": {
                        "zh": f"事发在{'、'.join(names)}时，该区域没有唯一的人民政府或参与方可牵头",
                        "en": f"for an event in {', '.join(names)} the area has no single "
                        "government or party to lead",
                    }
                },
            )


#: a note that says the lead changes with where the event starts ("事发在江西一侧时由…牵头")
_ORIGIN_IN_NOTE = re.compile(
    r"(事发|起源|起火|发生)[^。；]{0,30}(时|的)[^。；]{0,30}由[^。；]{1,40}牵头"
)

LEAD_IN_NOTE = rule(
    code="CMD005",
    name="origin-lead-in-note",
    severity="info",
    layer="plan",
    title={"zh": "事发地牵头只写在说明里", "en": "Lead by origin stated only in a note"},
    message={
        "zh": "说明中写有随事发地变化的牵头方（“{text}”），但 lead 是固定的一方，检查无法据此判断",
        "en": "the note says the lead changes with the origin ('{text}'), but lead names one fixed "
        "party, so no check can use it",
    },
    hint={
        "zh": "改写为 lead: {{by: origin, areas: {{区域id: 参与方id, …}}}}，并从 note 中删去这句话。",
        "en": "Write lead: {{by: origin, areas: {{area-id: party-id, …}}}} and drop the sentence "
        "from the note.",
    },
    why={
        "zh": "写在说明里的“事发地牵头”不进入可达性和牵头方检查；写成结构化字段后，每个事发区域的"
        "牵头方都会被核对，并须能及时收到通报。",
        "en": "Lead-by-origin in prose is invisible to the reachability and lead checks; as a "
        "field, each origin's lead is resolved and must be told in time.",
    },
    citation="planctl policy",
    fail="command.levels.0.note: 事发在乙县一侧时由乙县人民政府牵头",
    passes="command.levels.0.lead: {by: origin}",
)


@LEAD_IN_NOTE.check
def check_lead_in_note(ctx: Context) -> Iterator[Problem]:
    for i, lvl in enumerate(ctx.plan.command.get("levels", [])):
        note = lvl.get("note")
        if not isinstance(lvl.get("lead"), str) or not isinstance(note, str):
            continue
        m = _ORIGIN_IN_NOTE.search(note)
        if m:
            yield Problem(("command", "levels", i, "note"), {"text": m.group(0)})
