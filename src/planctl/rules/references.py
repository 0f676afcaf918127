"""References resolve: every id used anywhere is defined, and defined once.

A plan that says "notify hb-eco" when the party is called "hb-ee" has a
notification that goes nowhere. Slots are declared as data (path pattern →
kind of id) so a new section needs one line here, not a new rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from planctl.rules.base import Context, Problem, rule

#: where ids are defined: namespace -> path patterns of the defining "id" fields
DEFINITIONS: dict[str, list[str]] = {
    "party": ["parties.*.id"],
    "area": ["geography.areas.*.id"],
    "level": ["levels.grades.*.id", "levels.warnings.*.id", "levels.responses.*.id"],
    "group": ["command.groups.*.id"],
    "duty": ["duties.*.id"],
    "rule": ["notifications.rules.*.id"],
    "resource": ["resources.*.id"],
    "terms": ["mutual_aid.compensation.*.id"],
    "commitment": ["mutual_aid.commitments.*.id", "mutual_aid.requisitions.*.id"],
    "related_plan": ["links.related_plans.*.id"],
    "target": ["targets.items.*.id"],
    "section": ["monitoring.sections.*.id"],
}

#: where ids are used: path pattern -> (namespace, allowed kinds of level or None)
REFERENCES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "metadata.issuers.*": ("party", None),
    "parties.*.parent": ("party", None),
    "geography.areas.*.parties.*": ("party", None),
    "geography.areas.*.downstream.*": ("area", None),
    "geography.areas.*.first_informed.*": ("party", None),
    "levels.grades.*.response": ("level", ("response",)),
    "levels.warnings.*.response": ("level", ("response",)),
    "levels.warnings.*.issuer": ("party", None),
    "notifications.limits.*.levels.*": ("level", ("grade", "warning")),
    "notifications.rules.*.when.levels.*": ("level", ("grade", "warning")),
    "notifications.rules.*.when.trigger.level": ("level", ("grade", "warning")),
    "notifications.rules.*.when.trigger.from.*": ("party", None),
    "notifications.rules.*.from": ("party", None),
    "notifications.rules.*.to.*": ("party", None),
    "command.body.chair": ("party", None),
    "command.body.office": ("party", None),
    "command.body.members.*": ("party", None),
    "command.body.rotation.order.*": ("party", None),
    "command.levels.*.response": ("level", ("response",)),
    "command.levels.*.lead": ("party", None),
    "command.levels.*.deputies.*": ("party", None),
    "command.levels.*.groups.*": ("group", None),
    "command.groups.*.lead": ("party", None),
    "command.groups.*.members.*": ("party", None),
    "command.liaisons.*.party": ("party", None),
    # leads that follow the origin ({by: origin, areas: {area: party}}) and activation
    "command.body.office.areas.{}": ("party", None),
    "command.levels.*.lead.areas.{}": ("party", None),
    "command.groups.*.lead.areas.{}": ("party", None),
    "duties.*.lead.areas.{}": ("party", None),
    "command.activation.*.levels.*": ("level", ("response",)),
    "command.activation.*.requested_by.*": ("party", None),
    "command.activation.*.deciders.*": ("party", None),
    "command.activation.*.request_to": ("party", None),
    "command.activation.*.request_to.areas.{}": ("party", None),
    "command.activation.*.decided_by": ("party", None),
    "command.activation.*.decided_by.areas.{}": ("party", None),
    "command.activation.*.fallback.lead": ("party", None),
    "command.activation.*.fallback.lead.areas.{}": ("party", None),
    "command.activation.*.announce": ("party", None),
    "command.activation.*.announce.areas.{}": ("party", None),
    "duties.*.levels.*": ("level", ("response", "warning", "grade")),
    "duties.*.lead": ("party", None),
    "duties.*.lead.*": ("party", None),
    "duties.*.support.*": ("party", None),
    "duties.*.inform.*": ("party", None),
    "duties.*.resources.*": ("resource", None),
    "resources.*.owner": ("party", None),
    "mutual_aid.default_terms": ("terms", None),
    "mutual_aid.commitments.*.resource": ("resource", None),
    "mutual_aid.commitments.*.to.*": ("party", None),
    "mutual_aid.commitments.*.terms": ("terms", None),
    "mutual_aid.requisitions.*.resource": ("resource", None),
    "mutual_aid.requisitions.*.by": ("party", None),
    "mutual_aid.requisitions.*.terms": ("terms", None),
    "mutual_aid.compensation.*.payer": ("party", None),
    "maintenance.drills.*.participants.*": ("party", None),
    "maintenance.drills.*.actions.*.owner": ("party", None),
    "maintenance.training.*.participants.*": ("party", None),
    "mutual_aid.compensation.*.split.*.party": ("party", None),
    "mutual_aid.compensation.*.advance.by": ("party", None),
    "resources.*.co_owners.*": ("party", None),
    "public_info.releaser": ("party", None),
    "public_info.consult.*": ("party", None),
    "aftermath.investigation.lead": ("party", None),
    "aftermath.investigation.with.*": ("party", None),
    "aftermath.relief.*.by": ("party", None),
    "links.related_plans.*.party": ("party", None),
    "links.related_plans.*.level_map.*.joint": ("level", ("response",)),
    "links.platforms.*.operator": ("party", None),
    "links.platforms.*.parties.*": ("party", None),
    "targets.items.*.owner": ("party", None),
    "targets.items.*.area": ("area", None),
    "targets.items.*.closure.duty": ("duty", None),
    "targets.items.*.backup.targets.*": ("target", None),
    "targets.items.*.backup.resources.*": ("resource", None),
    "targets.items.*.travel.*.from": ("area", None),
    "monitoring.sections.*.area": ("area", None),
    "monitoring.sections.*.areas.*": ("area", None),
    "monitoring.sections.*.owner": ("party", None),
    "monitoring.sections.*.samplers.*": ("party", None),
    "monitoring.sections.*.methods.*.parties.*": ("party", None),
    "monitoring.sections.*.frequency.*.levels.*": ("level", ("response", "warning")),
}

#: words a slot accepts besides an id
_KEYWORDS = {
    "mutual_aid.compensation.*.payer": {"requesting", "providing", "shared", "liable"},
    "mutual_aid.compensation.*.split.*.party": {"requesting", "providing", "liable"},
    "mutual_aid.compensation.*.advance.by": {"requesting", "origin"},
    "public_info.releaser": {"origin"},
    "aftermath.investigation.lead": {"origin"},
}

_KIND_NAMES = {
    "grade": {"zh": "事件分级", "en": "event grade"},
    "warning": {"zh": "预警级别", "en": "warning level"},
    "response": {"zh": "响应级别", "en": "response level"},
}

_NS_NAMES = {
    "party": {"zh": "参与方", "en": "party"},
    "area": {"zh": "区域", "en": "area"},
    "level": {"zh": "级别", "en": "level"},
    "group": {"zh": "工作组", "en": "working group"},
    "duty": {"zh": "职责", "en": "duty"},
    "rule": {"zh": "通报规则", "en": "notification rule"},
    "resource": {"zh": "资源", "en": "resource"},
    "terms": {"zh": "补偿条款", "en": "compensation terms"},
    "commitment": {"zh": "支援承诺或征用", "en": "commitment or requisition"},
    "related_plan": {"zh": "相关预案", "en": "related plan"},
    "target": {"zh": "保护目标", "en": "protected target"},
    "section": {"zh": "监测断面", "en": "monitoring section"},
}


def walk(data: Any, pattern: str) -> list[tuple[tuple[str | int, ...], Any]]:
    """(path, value) for every node matching a dotted pattern, in document order.

    ``*`` matches every item of a list, ``{}`` every value of a mapping (keyed
    by its key, so a finding points at that value). Expanded one level at a time
    (all matches sit at the same depth, so the order is the document's): REF001
    walks ~100 patterns per plan, and nested generators cost a frame per level
    per match.
    """
    current: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    for part in _parts(pattern):
        found: list[tuple[tuple[str | int, ...], Any]] = []
        add = found.append
        if part == "*":
            for path, node in current:
                if isinstance(node, list):
                    for j, item in enumerate(node):
                        add(((*path, j), item))
        elif part == "{}":
            for path, node in current:
                if isinstance(node, dict):
                    for key, item in node.items():
                        add(((*path, key), item))
        else:
            for path, node in current:
                if isinstance(node, dict) and part in node:
                    add(((*path, part), node[part]))
        if not found:
            return found
        current = found
    return current


_PARTS: dict[str, list[str]] = {}


def _parts(pattern: str) -> list[str]:
    parts = _PARTS.get(pattern)
    if parts is None:
        parts = _PARTS[pattern] = pattern.split(".")
    return parts


def level_kinds(data: dict[str, Any]) -> dict[str, str]:
    levels = data.get("levels", {})
    out: dict[str, str] = {}
    for kind, key in (("grade", "grades"), ("warning", "warnings"), ("response", "responses")):
        for item in levels.get(key, []):
            out.setdefault(item["id"], kind)
    return out


UNRESOLVED = rule(
    code="REF001",
    name="unresolved-reference",
    severity="error",
    layer="plan",
    title={"zh": "引用的对象不存在", "en": "Reference does not resolve"},
    message={
        "zh": "引用的{kind}“{ref}”无法解析{suggest_zh}",
        "en": "{kind} '{ref}' does not resolve{suggest_en}",
    },
    hint={
        "zh": "在相应部分定义它，或改正拼写。",
        "en": "Define it in its section, or fix the spelling.",
    },
    why={
        "zh": "引用落空意味着通报发不到、职责无人承担、资源调不动，而纸面上看不出来。",
        "en": "A dangling reference is a notice sent nowhere or a duty nobody holds, invisible on paper.",
    },
    fail="notifications.rules.0.to: [yi-county]",
    passes="notifications.rules.0.to: [yi]",
)

DUPLICATE = rule(
    code="REF002",
    name="duplicate-id",
    severity="error",
    layer="plan",
    title={"zh": "标识符重复", "en": "Duplicate id"},
    message={
        "zh": "{kind}标识符“{ref}”重复（第 {first} 行已定义）",
        "en": "{kind} id '{ref}' is defined twice (first on line {first})",
    },
    hint={"zh": "每个标识符只能定义一次；改名其一。", "en": "Each id is defined once; rename one."},
    why={
        "zh": "同名的两项会让引用含义不明：通报、职责或资源到底指哪一个？",
        "en": "Two items with one id make every reference to it ambiguous.",
    },
    fail="duties.1.id: D-01",
)


@UNRESOLVED.check
def check_references(ctx: Context) -> Iterator[Problem]:
    import difflib

    data = ctx.plan.data
    defined: dict[str, set[str]] = {ns: set() for ns in DEFINITIONS}
    for ns, patterns in DEFINITIONS.items():
        for pattern in patterns:
            for _, value in walk(data, pattern):
                defined[ns].add(value)
    kinds = level_kinds(data)
    for pattern, (ns, allowed) in REFERENCES.items():
        for path, value in walk(data, pattern):
            if not isinstance(value, str):
                continue
            if value in _KEYWORDS.get(pattern, ()):
                continue
            if value in defined[ns] and (allowed is None or kinds.get(value) in allowed):
                continue
            if value in defined[ns]:  # defined, but a level of the wrong kind
                have = _KIND_NAMES[kinds[value]]
                want = "或".join(_KIND_NAMES[k]["zh"] for k in allowed or ())
                want_en = " or ".join(_KIND_NAMES[k]["en"] for k in allowed or ())
                suggest_zh = f"：“{value}”是{have['zh']}，此处需要{want}"
                suggest_en = f": '{value}' is a {have['en']}, here a {want_en} is needed"
            else:
                pool = sorted(x for x in defined[ns] if allowed is None or kinds.get(x) in allowed)
                close = difflib.get_close_matches(value, pool, n=1, cutoff=0.6)
                suggest_zh = f"，是否应为“{close[0]}”？" if close else ""
                suggest_en = f"; did you mean '{close[0]}'?" if close else ""
            yield Problem(
                path,
                {
                    "kind": _NS_NAMES[ns],
                    "ref": value,
                    "suggest_zh": suggest_zh,
                    "suggest_en": suggest_en,
                },
            )


@DUPLICATE.check
def check_duplicates(ctx: Context) -> Iterator[Problem]:
    for ns, patterns in DEFINITIONS.items():
        seen: dict[str, tuple[str | int, ...]] = {}
        for pattern in patterns:
            for path, value in walk(ctx.plan.data, pattern):
                if value in seen:
                    first = ctx.doc.source.value(seen[value]).line
                    yield Problem(path, {"kind": _NS_NAMES[ns], "ref": value, "first": first})
                else:
                    seen[value] = path


CYCLE = rule(
    code="REF003",
    name="downstream-cycle",
    severity="error",
    layer="plan",
    title={"zh": "上下游关系成环", "en": "Downstream links form a cycle"},
    message={
        "zh": "区域“{area}”经 downstream 又回到自身（{path}），河流不会倒流",
        "en": "area '{area}' is downstream of itself ({path}); rivers do not flow in circles",
    },
    hint={
        "zh": "检查 downstream 是否把上游区域写成了下游。",
        "en": "Check that no upstream area is listed as downstream.",
    },
    why={
        "zh": "上下游关系决定谁是受影响方；成环时整个流域都被视为互为下游，检查失去意义。",
        "en": "Downstream links decide who is affected; a cycle makes everyone downstream of everyone.",
    },
    fail="geography.areas.1.downstream: [area-jia]",
)


@CYCLE.check
def check_cycles(ctx: Context) -> Iterator[Problem]:
    geo = ctx.plan.geography or {}
    areas = geo.get("areas", [])
    by_id = {a["id"]: a for a in areas}
    reported: set[str] = set()
    for i, area in enumerate(areas):
        # depth-first search for a path back to this area
        stack = [(d, [area["id"], d]) for d in area.get("downstream", [])]
        seen: set[str] = set()
        while stack:
            node, trail = stack.pop()
            if node == area["id"]:
                if area["id"] not in reported:
                    reported.update(trail)
                    names = " → ".join(by_id[x]["name"] for x in trail if x in by_id)
                    yield Problem(
                        ("geography", "areas", i, "downstream"),
                        {"area": area["name"], "path": names},
                    )
                break
            if node in seen or node not in by_id:
                continue
            seen.add(node)
            stack.extend((d, [*trail, d]) for d in by_id[node].get("downstream", []))
