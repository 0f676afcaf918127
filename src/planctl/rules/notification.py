"""Information reporting and notification (信息报告与通报).

Changzhi, 2012-12-31: aniline leaked into the Zhuozhang river; Hebei and Henan
were told about five days later. These rules prove from the plan itself that
every party an event can affect is reached, by a chain of rules, within the
plan's own limit and the legal profile's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from planctl import durations, profiles
from planctl.model import HAZARDS
from planctl.reach import Outcome, outcomes
from planctl.rules.base import Context, Problem, rule

UNREACHED = rule(
    code="NOT001",
    name="affected-party-not-notified",
    severity="error",
    layer="plan",
    title={"zh": "受影响方收不到通报", "en": "Affected party is never notified"},
    message={
        "zh": "事件发生在{origin}时，“{target}”收不到任何通报（{levels}）：没有从“{source}”出发、"
        "经通报规则可达的链条",
        "en": "when an event starts in {origin}, '{target}' is never notified ({levels}): no chain "
        "of notification rules leads there from '{source}'",
    },
    hint={
        "zh": "增加一条从“{source}”（或其已通报的一方）到“{target}”的通报规则，并写明时限。",
        "en": "Add a notification rule from '{source}' (or a party it notifies) to '{target}', "
        "with a deadline.",
    },
    why={
        "zh": "2012年长治苯胺泄漏入浊漳河，上游未及时通报下游河北、河南，约5天后才通报，邯郸被迫自行关闭取水口。"
        "联合预案必须证明：每一个可能受影响的参与方都有人负责通知到。",
        "en": "Changzhi 2012: aniline reached the Zhuozhang river and downstream Hebei and Henan "
        "were told ~5 days late. A joint plan must show every affected party is told by someone.",
    },
    citation="突发事件应对法 第六十四条（向毗邻或者相关地区的人民政府通报）",
    fail="notifications.rules.0.to: [jia]\nnotifications.rules.0.from: yi",
    passes="notifications.rules.0.to: [yi]",
)

TOO_SLOW = rule(
    code="NOT002",
    name="notification-too-slow",
    severity="error",
    layer="plan",
    title={"zh": "通报链超过时限", "en": "Notification chain exceeds the limit"},
    message={
        "zh": "事件发生在{origin}时，“{target}”最快 {actual} 后才能收到通报（{chain}），"
        "超过{limit_name} {limit}（{levels}）",
        "en": "when an event starts in {origin}, '{target}' hears after {actual} at the earliest "
        "({chain}), beyond {limit_name} of {limit} ({levels})",
    },
    hint={
        "zh": "缩短链条中最慢一环（{slowest}）的时限，或增加一条直达“{target}”的通报规则。",
        "en": "Shorten the slowest step ({slowest}), or add a direct rule to '{target}'.",
    },
    why={
        "zh": "逐级转报每一环都有时限，累加起来可能远超法定或约定时限；必须按整条链计算。",
        "en": "Each relay step has its own deadline; added up they can exceed the legal or agreed "
        "limit, so the whole chain is what counts.",
    },
    citation="突发事件应对法 第六十四条",
    fail="notifications.rules.0.within: PT3H",
    passes="notifications.rules.0.within: PT30M",
)

HOP_OVER_PROFILE = rule(
    code="NOT003",
    name="report-deadline-over-legal-limit",
    severity="error",
    layer="plan",
    title={"zh": "报告时限超过法定时限", "en": "Report deadline beyond the legal limit"},
    message={
        "zh": "规则 {rule} 的{which}时限为 {actual}，超过 {profile} 规定的 {limit}（{scope}）",
        "en": "rule {rule}: the {which_en} report deadline is {actual}, over the {limit} that "
        "{profile} sets ({scope})",
    },
    hint={
        "zh": "把时限改为不超过 {limit}；如适用地方更严格规定，请在参与方上设置 legal_profile。",
        "en": "Set the deadline to {limit} or less; set legal_profile on a party for local rules.",
    },
    why={
        "zh": "报告时限由法规和地方规定确定，联合预案不能放宽。",
        "en": "Reporting deadlines are set by regulation; a joint plan may not relax them.",
    },
    fail="notifications.rules.0.within: PT3H",
    passes="notifications.rules.0.within: PT30M",
)

NO_ACK = rule(
    code="NOT004",
    name="no-acknowledgement",
    severity="warning",
    layer="plan",
    title={"zh": "通报没有回执确认", "en": "Notification without acknowledgement"},
    message={
        "zh": "通报规则 {rule} 未要求接收方回执确认",
        "en": "notification rule {rule} does not require the receiver to acknowledge",
    },
    hint={
        "zh": "增加 acknowledge: {{within: PT15M}}，未收到回执时发送方应改用备用渠道重发。",
        "en": "Add acknowledge: {{within: PT15M}}; without a receipt the sender retries on a "
        "backup channel.",
    },
    why={
        "zh": "莱茵河、多瑙河警报体系都要求接收方确认收到；没有回执就不知道通报是否送达。",
        "en": "Rhine and Danube alert plans require receipt confirmation; without it nobody knows "
        "the notice arrived.",
    },
    fail="notifications.rules.0.acknowledge: <delete>",
)

NO_LIMIT = rule(
    code="NOT005",
    name="no-end-to-end-limit",
    severity="warning",
    layer="plan",
    title={"zh": "级别没有通报总时限", "en": "Level has no end-to-end limit"},
    message={
        "zh": "级别 {level} 没有通报总时限：预案未在 notifications.limits 中约定，所选法定配置也没有规定",
        "en": "level {level} has no end-to-end notification limit, neither in notifications.limits "
        "nor in the legal profile",
    },
    hint={
        "zh": "在 notifications.limits 中约定该级别从获知到通知所有受影响方的最长时间。",
        "en": "Set in notifications.limits how long notifying every affected party may take.",
    },
    why={
        "zh": "没有总时限，就无法判断逐级转报的链条是否来得及；森林火灾、交通等领域没有统一法定时限，须由预案约定。",
        "en": "Without an end-to-end limit nobody can tell whether a relay chain is fast enough; "
        "several domains have no national number, so the plan must set one.",
    },
    fail="notifications.limits.0.levels: [I, II]\nmetadata.hazards: [forest_fire]",
)

UNKNOWN_PROFILE = rule(
    code="NOT006",
    name="unknown-legal-profile",
    severity="error",
    layer="plan",
    title={"zh": "未知的法定时限配置", "en": "Unknown legal profile"},
    message={
        "zh": "法定时限配置“{profile}”不存在；可用：{available}",
        "en": "legal profile '{profile}' does not exist; available: {available}",
    },
    hint={
        "zh": "使用已有配置，或在 planctl/profiles/ 中新增一份带出处的配置。",
        "en": "Use an existing profile, or add one with citations under planctl/profiles/.",
    },
    why={
        "zh": "时限配置决定了按哪套法定时限检查；写错名称会让检查悄悄退回国家默认值。",
        "en": "The profile decides which legal limits apply; a typo would silently fall back.",
    },
    fail="metadata.legal_profile: shanxi-2031",
)


def _outcomes(ctx: Context) -> list[Outcome]:
    if "outcomes" not in ctx.cache:
        ctx.cache["outcomes"] = list(outcomes(ctx.plan))
    return ctx.cache["outcomes"]


NOT_AN_ORIGIN = rule(
    code="NOT007",
    name="area-excluded-as-origin",
    severity="warning",
    layer="plan",
    title={"zh": "区域被排除为事发地", "en": "Area excluded as an event origin"},
    message={
        "zh": "区域“{area}”设置了 origin: false，从这里出发的通报链不受检查",
        "en": "area '{area}' has origin: false, so no notification chain from it is checked",
    },
    hint={
        "zh": "只有确实不可能在此发生事件时才这样设置，并在 sections 或预案文本中说明理由。",
        "en": "Only do this where an event truly cannot start, and say why in the plan.",
    },
    why={
        "zh": "把上游区域排除为事发地，等于让“上游不通报下游”的问题从检查中消失。",
        "en": "Excluding an upstream area hides exactly the failure this check exists for.",
    },
    fail="geography.areas.0.origin: false",
)


_PHONE_CHANNELS = {"phone", "mobile", "satellite_phone", "radio", "sms"}


def _level_label(ctx: Context, levels: list[str]) -> dict[str, str]:
    """Readable level list; "every grade and warning" instead of eight ids."""
    plan = ctx.plan
    grades = [g["id"] for g in plan.grades]
    warnings = [w["id"] for w in plan.warnings]
    plain = {lv.split("/")[-1] for lv in levels}
    if len(plan.hazards) == 1 and plain >= set(grades) | set(warnings):
        return {"zh": "所有事件分级和预警级别", "en": "every grade and warning level"}
    if len(plan.hazards) == 1 and plain == set(grades):
        return {"zh": "所有事件分级", "en": "every grade"}
    names = {x["id"]: x["name"] for x in [*plan.grades, *plan.warnings]}
    zh = "、".join(names.get(lv.split("/")[-1], lv) for lv in levels)
    return {"zh": zh, "en": "level " + ", ".join(levels)}


def _chain_text(ctx: Context, chain: Any, lang: str) -> str:
    plan = ctx.plan
    parts = [plan.name(chain.hops[0].sender)]
    for hop in chain.hops:
        rid = plan.rules[hop.rule_index]["id"]
        parts.append(f"—{rid} {durations.humanize(hop.minutes, lang)}→ {plan.name(hop.receiver)}")
    return " ".join(parts)


def _plan_limit(ctx: Context, level: str) -> tuple[float, int] | None:
    best: tuple[float, int] | None = None
    for i, lim in enumerate(ctx.plan.limits):
        if level in lim["levels"]:
            mins = durations.minutes(lim["within"])
            if best is None or mins < best[0]:
                best = (mins, i)
    return best


def _legal_chain_limit(ctx: Context, hazard: str, level: str, kind: str) -> Any:
    if kind != "grade":
        return None
    rank = ctx.plan.level_rank.get(level)
    found = [lim for lim in ctx.profile.chain if lim.applies(hazard, rank)]
    return min(found, key=lambda lim: lim.minutes) if found else None


def _target_path(ctx: Context, target: str) -> tuple[str | int, ...]:
    geo = ctx.plan.geography
    if geo:
        for i, area in enumerate(geo.get("areas", [])):
            if target in area.get("parties", []):
                return ("geography", "areas", i, "parties", area["parties"].index(target))
    for i, p in enumerate(ctx.plan.parties):
        if p["id"] == target:
            return ("parties", i, "id")
    return ("notifications",)


def _origin_label(origin: Any) -> dict[str, str]:
    return {"zh": f"“{origin.label}”", "en": f"'{origin.label}'"}


@UNREACHED.check
def check_reachability(ctx: Context) -> Iterator[Problem]:
    missing: dict[tuple[Any, str], list[str]] = defaultdict(list)
    for out in _outcomes(ctx):
        if out.chain is None:
            key = (out.origin, out.target)
            tag = out.level if len(ctx.plan.hazards) == 1 else f"{out.hazard}/{out.level}"
            if tag not in missing[key]:
                missing[key].append(tag)
    environmental = {"water_pollution", "air_pollution", "hazardous_chemicals"} & set(
        ctx.plan.hazards
    )
    citation = (
        f"{UNREACHED.citation}；突发环境事件信息报告办法（环境保护部令第17号）第八条"
        if environmental
        else None
    )
    for (origin, target), levels in missing.items():
        yield Problem(
            _target_path(ctx, target),
            {
                "origin": _origin_label(origin),
                "target": ctx.plan.name(target),
                "source": ctx.plan.name(origin.source),
                "levels": _level_label(ctx, levels),
            },
            citation=citation,
        )


@TOO_SLOW.check
def check_chain_deadlines(ctx: Context) -> Iterator[Problem]:
    """One finding per (origin, target, slowest step): the strictest limit broken."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for out in _outcomes(ctx):
        if out.chain is None:
            continue
        broken: list[tuple[float, str, Any]] = []
        plan_limit = _plan_limit(ctx, out.level)
        if plan_limit is not None and out.chain.minutes > plan_limit[0]:
            broken.append((plan_limit[0], "plan", None))
        legal = _legal_chain_limit(ctx, out.hazard, out.level, out.level_kind)
        if legal is not None and out.chain.minutes > legal.minutes:
            broken.append((legal.minutes, "legal", legal))
        if not broken:
            continue
        mins, kind, _ = min(broken, key=lambda b: (b[0], b[1] != "legal"))
        legal_broken = next((b[2] for b in broken if b[1] == "legal"), None)
        slowest = max(out.chain.hops, key=lambda h: h.minutes)
        key = (out.origin, out.target, slowest.rule_index, kind, mins)
        entry = groups.setdefault(
            key, {"levels": [], "chain": out.chain, "legal": legal_broken, "slowest": slowest}
        )
        tag = out.level if len(ctx.plan.hazards) == 1 else f"{out.hazard}/{out.level}"
        if tag not in entry["levels"]:
            entry["levels"].append(tag)
        if entry["legal"] is None and legal_broken is not None:
            entry["legal"] = legal_broken
    for (origin, target, _, kind, mins), entry in groups.items():
        chain, slowest, legal = entry["chain"], entry["slowest"], entry["legal"]
        rule_id = ctx.plan.rules[slowest.rule_index]["id"]
        if kind == "plan":
            name = {"zh": "本预案约定的时限", "en": "the plan's own limit"}
        else:
            name = {
                "zh": f"法定时限（{ctx.profile.name['zh']}）",
                "en": f"the legal limit ({ctx.profile.name['en']})",
            }
        yield Problem(
            ("notifications", "rules", slowest.rule_index, "within"),
            {
                "origin": _origin_label(origin),
                "target": ctx.plan.name(target),
                "actual": {lang: durations.humanize(chain.minutes, lang) for lang in ("zh", "en")},
                "chain": {lang: _chain_text(ctx, chain, lang) for lang in ("zh", "en")},
                "limit_name": name,
                "limit": {lang: durations.humanize(mins, lang) for lang in ("zh", "en")},
                "levels": _level_label(ctx, entry["levels"]),
                "slowest": rule_id,
            },
            citation=legal.cited if legal is not None else None,
        )


def _rule_scope(ctx: Context, rule_: dict[str, Any]) -> tuple[list[str], list[int]]:
    when = rule_.get("when") or {}
    hazards = when.get("hazards") or ctx.plan.hazards
    grade_ids = {g["id"] for g in ctx.plan.grades}
    levels = [lv for lv in when.get("levels", []) if lv in grade_ids]
    if when.get("levels") and not levels:
        return hazards, []  # warning-only rule: no legal reporting limit
    ranks = sorted({ctx.plan.level_rank[lv] for lv in (levels or grade_ids)})
    return hazards, ranks


@HOP_OVER_PROFILE.check
def check_hop_limits(ctx: Context) -> Iterator[Problem]:
    for i, rule_ in enumerate(ctx.plan.rules):
        if rule_["kind"] not in ("report", "notify"):
            continue
        sender = ctx.plan.party.get(rule_["from"])
        if sender is None:
            continue
        try:
            profile = (
                profiles.get(sender["legal_profile"])
                if sender.get("legal_profile")
                else ctx.profile
            )
        except profiles.UnknownProfile:
            continue
        hazards, ranks = _rule_scope(ctx, rule_)
        primary = rule_["channels"][0]
        worst: dict[str, tuple[Any, str, tuple[str | int, ...], float]] = {}
        for lim in profile.hop:
            if not any(lim.applies(h, r, sender["level"]) for h in hazards for r in ranks):
                continue
            if lim.channel == "written":
                if rule_.get("written_within"):
                    field, value = "written_within", rule_["written_within"]
                elif primary not in _PHONE_CHANNELS:
                    field, value = "within", rule_["within"]
                else:
                    field, value = "written_within", None
            else:
                field, value = "within", rule_["within"]
            actual = durations.minutes(value) if value else float("inf")
            if actual <= lim.minutes:
                continue
            current = worst.get(lim.channel)
            if current is None or lim.minutes < current[0].minutes:
                worst[lim.channel] = (lim, field, ("notifications", "rules", i, field), actual)
        for channel, (lim, field, path, actual) in worst.items():
            if field not in rule_:
                path = ("notifications", "rules", i, "within")
            scoped = [HAZARDS[h]["zh"] for h in hazards if h in lim.hazards or not lim.hazards]
            lim_ranks = [r for r in ranks if r in lim.ranks]
            yield Problem(
                path,
                {
                    "rule": rule_["id"],
                    "which": "书面报告" if channel == "written" else "首报",
                    "which_en": "written" if channel == "written" else "first",
                    "actual": {
                        lang: durations.humanize(actual, lang)
                        if actual != float("inf")
                        else ("未规定" if lang == "zh" else "not set")
                        for lang in ("zh", "en")
                    },
                    "limit": {lang: durations.humanize(lim.minutes, lang) for lang in ("zh", "en")},
                    "profile": profile.name,
                    "scope": {
                        "zh": "、".join(scoped) + "，" + "、".join(f"{r}级" for r in lim_ranks),
                        "en": ", ".join(h for h in hazards if h in lim.hazards or not lim.hazards)
                        + "; rank "
                        + ", ".join(map(str, lim_ranks)),
                    },
                },
                citation=lim.cited,
            )


@NO_ACK.check
def check_acknowledgement(ctx: Context) -> Iterator[Problem]:
    for i, rule_ in enumerate(ctx.plan.rules):
        if rule_["kind"] in ("notify", "warning") and not rule_.get("acknowledge"):
            yield Problem(("notifications", "rules", i, "id"), {"rule": rule_["id"]})


@NO_LIMIT.check
def check_limits_exist(ctx: Context) -> Iterator[Problem]:
    for level, kind in ctx.plan.scenario_levels():
        if _plan_limit(ctx, level) is not None:
            continue
        if all(_legal_chain_limit(ctx, h, level, kind) is not None for h in ctx.plan.hazards):
            continue
        path: tuple[str | int, ...] = ("notifications",)
        section = "grades" if kind == "grade" else "warnings"
        for i, item in enumerate(ctx.plan.levels.get(section, [])):
            if item["id"] == level:
                path = ("levels", section, i, "id")
        yield Problem(path, {"level": level})


@NOT_AN_ORIGIN.check
def check_excluded_origins(ctx: Context) -> Iterator[Problem]:
    geo = ctx.plan.geography or {}
    for i, area in enumerate(geo.get("areas", [])):
        if area.get("origin") is False:
            yield Problem(("geography", "areas", i, "origin"), {"area": area["name"]})


@UNKNOWN_PROFILE.check
def check_profile_names(ctx: Context) -> Iterator[Problem]:
    avail = ", ".join(profiles.available())
    meta = ctx.plan.metadata.get("legal_profile")
    if meta and meta not in profiles.available() and not ctx.options.profile:
        yield Problem(("metadata", "legal_profile"), {"profile": meta, "available": avail})
    for i, party in enumerate(ctx.plan.parties):
        name = party.get("legal_profile")
        if name and name not in profiles.available():
            yield Problem(("parties", i, "legal_profile"), {"profile": name, "available": avail})
