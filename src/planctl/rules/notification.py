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

from planctl import durations, profiles, reach
from planctl.model import HAZARDS, hazard_bases, message_type
from planctl.reach import Scenario
from planctl.rules.base import Context, Problem, rule

#: NOT001's basis when no hazard of the plan has a more specific one
_NOTIFY_BASIS = "突发事件应对法 第十八条、第六十二条（向毗邻或者相关地区的人民政府通报）"

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
        "zh": "增加一条从“{source}”（或其已通报的一方）到“{target}”、获知即通报的规则，并写明时限；"
        "若该区域实际只由特定单位最先获知，在 geography.areas 中用 first_informed 写明。",
        "en": "Add a rule, fired on knowledge, from '{source}' (or a party it notifies) to "
        "'{target}' with a deadline; if only some parties of the area learn first, list them "
        "in the area's first_informed.",
    },
    why={
        "zh": "2012年长治苯胺泄漏入浊漳河，上游未及时通报下游河北、河南，约5天后才通报，邯郸被迫自行关闭取水口。"
        "联合预案必须证明：每一个可能受影响的参与方都有人负责通知到。",
        "en": "Changzhi 2012: aniline reached the Zhuozhang river and downstream Hebei and Henan "
        "were told ~5 days late. A joint plan must show every affected party is told by someone.",
    },
    citation=_NOTIFY_BASIS,
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
    citation="planctl policy：法律未规定端到端时限，按本预案约定的时限或法定配置中的政策时限检查",
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
        "zh": "规则 {rule} 的{which}时限为 {actual}，超过 {profile} 规定的 {limit}{verify}（{scope}）",
        "en": "rule {rule}: the {which_en} report deadline is {actual}, over the {limit} that "
        "{profile} sets{verify} ({scope})",
    },
    hint={
        "zh": "把时限改为不超过 {limit}；如适用地方更严格规定，请在参与方上设置 legal_profile；"
        "如 planctl 对参与方类型的推断有误，请在参与方上写明 kind、sector、tier。",
        "en": "Set the deadline to {limit} or less; set legal_profile on a party for local rules; "
        "if planctl inferred a party's kind wrongly, state kind, sector and tier on it.",
    },
    why={
        "zh": "报告时限由法规和地方规定确定，联合预案不能放宽。每个时限只约束法规所指的发送方、接收方、"
        "规则类型（向上报告或横向通报）、事件类别和级别；`planctl profiles` 列出各时限的约束范围和起算时点。",
        "en": "Reporting deadlines are set by regulation; a joint plan may not relax them. Each "
        "limit binds only the senders, receivers, rule kind (upward report or horizontal "
        "notification), hazards and grades its text names; `planctl profiles` lists them with "
        "their clock start.",
    },
    fail="parties.0.name: 甲县生态环境局\nnotifications.rules.0.kind: report\n"
    "notifications.rules.0.within: PT3H",
    passes="parties.0.name: 甲县生态环境局\nnotifications.rules.0.kind: report\n"
    "notifications.rules.0.within: PT1H",
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


LATE_TRIGGER = rule(
    code="NOT008",
    name="notice-waits-for-trigger",
    severity="error",
    layer="plan",
    title={
        "zh": "通报要等事态发展才发出",
        "en": "Notice waits for the event to develop",
    },
    message={
        "zh": "通报规则 {rule} 要等到{trigger}才通报{targets}，晚于获知事件的时间；"
        "{targets}可能在污染或灾害到达前得不到通知",
        "en": "notification rule {rule} waits until {trigger} before telling {targets}, later "
        "than knowledge of the event; they may not hear before the harm arrives",
    },
    hint={
        "zh": "让通报在获知事件时发出（删除 when.trigger 或写 type: knowledge；适用范围写入 when.scope）；"
        "达到阈值后的补充通报可另列一条规则，但须先有一条获知即通报的规则。",
        "en": "Fire the notice on knowledge of the event (drop when.trigger or use type: knowledge; "
        "put scope text in when.scope); a later follow-up may be a separate rule, after one that "
        "fires on knowledge.",
    },
    why={
        "zh": "长治苯胺事件中的说法是“只要污染不出境就不用报”。下游要在污染到达前关闭取水口，就必须在上游获知时"
        "得到通报；以“流出本行政区域”“超标后”为条件的通报规则看似完整，实则把通报推迟到为时已晚。"
        "流域上下游之间为错误，其他情形为警告。",
        "en": "Changzhi 2012: 'as long as the pollution does not leave our boundary we need not "
        "report'. Downstream can close an intake in time only if told when upstream learns; a rule "
        "conditioned on 'after the pollution leaves the territory' looks complete and fires too "
        "late. An error toward downstream parties in a river basin, a warning elsewhere.",
    },
    citation="中华人民共和国水污染防治法 第六十九条（跨行政区域的，还应当通报相关地方人民政府）；"
    "突发环境事件信息报告办法（环境保护部令第17号）第八条",
    fail="notifications.rules.0.when: {condition: 污染物已流出本行政区域}",
    passes="notifications.rules.0.when: {scope: 清水河干流及支流}",
)


def scenarios(ctx: Context) -> list[Scenario]:
    """The plan's tracing scenarios, computed once per check and shared by the rule families."""
    if "scenarios" not in ctx.cache:
        ctx.cache["scenarios"] = list(reach.scenarios(ctx.plan))
    return ctx.cache["scenarios"]


_PHONE_CHANNELS = {"phone", "mobile", "satellite_phone", "radio", "sms"}


def _level_label(ctx: Context, tags: list[tuple[str, str]]) -> dict[str, str]:
    """Readable (hazard, level) list; "every grade and warning" instead of eight ids.

    With several hazards each group is named by its hazard, so a Chinese reader
    can tell 森林火灾 特别重大 from 洪涝 特别重大.
    """
    plan = ctx.plan
    grades = [g["id"] for g in plan.grades]
    warnings = [w["id"] for w in plan.warnings]
    names = {x["id"]: x["name"] for x in [*plan.grades, *plan.warnings]}
    by_hazard: dict[str, list[str]] = {}
    for hazard, level in tags:
        by_hazard.setdefault(hazard, [])
        if level not in by_hazard[hazard]:
            by_hazard[hazard].append(level)

    def one(levels: list[str]) -> dict[str, str]:
        plain = set(levels)
        if plain >= set(grades) | set(warnings):
            return {"zh": "所有事件分级和预警级别", "en": "every grade and warning level"}
        if plain == set(grades):
            return {"zh": "所有事件分级", "en": "every grade"}
        return {
            "zh": "、".join(names.get(lv, lv) for lv in levels),
            "en": "level " + ", ".join(levels),
        }

    if len(plan.hazards) <= 1:
        return one(next(iter(by_hazard.values()), []))
    parts = {hazard: one(levels) for hazard, levels in by_hazard.items()}
    return {
        "zh": "；".join(f"{HAZARDS[h]['zh']}：{p['zh']}" for h, p in parts.items()),
        "en": "; ".join(f"{HAZARDS[h]['en']}: {p['en']}" for h, p in parts.items()),
    }


def _chain_text(ctx: Context, chain: Any, lang: str) -> str:
    plan = ctx.plan
    parts = [plan.name(chain.hops[0].sender)]
    for hop in chain.hops:
        rid = plan.rules[hop.rule_index]["id"]
        parts.append(f"—{rid} {durations.humanize(hop.minutes, lang)}→ {plan.name(hop.receiver)}")
    return " ".join(parts)


def _plan_limit(ctx: Context, level: str) -> tuple[float, int] | None:
    cache = ctx.cache.setdefault("plan_limits", {})
    if level in cache:
        return cache[level]
    best: tuple[float, int] | None = None
    for i, lim in enumerate(ctx.plan.limits):
        if level in lim["levels"]:
            mins = durations.minutes(lim["within"])
            if best is None or mins < best[0]:
                best = (mins, i)
    cache[level] = best
    return best


def _legal_chain_limit(ctx: Context, hazard: str, level: str, kind: str) -> Any:
    if kind != "grade":
        return None
    cache = ctx.cache.setdefault("chain_limits", {})
    key = (hazard, level)
    if key not in cache:
        rank = ctx.plan.level_rank.get(level)
        found = [lim for lim in ctx.profile.chain if lim.applies(hazard, rank)]
        cache[key] = min(found, key=lambda lim: lim.minutes) if found else None
    return cache[key]


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


def _origin_label(ctx: Context, origin: Any) -> dict[str, str]:
    """The area, and who learns first when the area has several first-informed parties."""
    several = sum(1 for o in _origin_list(ctx) if o.area == origin.area) > 1
    if origin.area is None or not several:
        return {"zh": f"“{origin.label}”", "en": f"'{origin.label}'"}
    who = ctx.plan.name(origin.source)
    return {
        "zh": f"“{origin.label}”且“{who}”最先获知",
        "en": f"'{origin.label}' and '{who}' learns first",
    }


def _origin_list(ctx: Context) -> list[Any]:
    if "origins" not in ctx.cache:
        ctx.cache["origins"] = reach.origins(ctx.plan)
    return ctx.cache["origins"]


def _notify_citation(ctx: Context) -> str:
    bases: list[str] = []
    for hazard in ctx.plan.hazards:
        for basis in hazard_bases(hazard, "notify"):
            if basis not in bases:
                bases.append(basis)
    return "；".join([*bases, _NOTIFY_BASIS]) if bases else _NOTIFY_BASIS


@UNREACHED.check
def check_reachability(ctx: Context) -> Iterator[Problem]:
    missing: dict[tuple[Any, str], list[tuple[str, str]]] = defaultdict(list)
    for sc in scenarios(ctx):
        dist = sc.tree.dist
        for target in sc.origin.affected:
            if target not in dist:
                missing[(sc.origin, target)].append((sc.hazard, sc.level))
    citation = _notify_citation(ctx)
    for (origin, target), tags in missing.items():
        yield Problem(
            _target_path(ctx, target),
            {
                "origin": _origin_label(ctx, origin),
                "target": ctx.plan.name(target),
                "source": ctx.plan.name(origin.source),
                "levels": _level_label(ctx, tags),
            },
            citation=citation,
        )


@TOO_SLOW.check
def check_chain_deadlines(ctx: Context) -> Iterator[Problem]:
    """One finding per (origin, target, slowest step): the strictest limit broken."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for sc in scenarios(ctx):
        plan_limit = _plan_limit(ctx, sc.level)
        legal = _legal_chain_limit(ctx, sc.hazard, sc.level, sc.level_kind)
        limits = [x for x in (plan_limit and plan_limit[0], legal and legal.minutes) if x]
        if not limits:
            continue
        loosest_ok = min(limits)
        dist = sc.tree.dist
        for target in sc.origin.affected:
            mins = dist.get(target)
            if mins is None or mins <= loosest_ok:
                continue
            broken: list[tuple[float, str, Any]] = []
            if plan_limit is not None and mins > plan_limit[0]:
                broken.append((plan_limit[0], "plan", None))
            if legal is not None and mins > legal.minutes and not ctx.plan.outside_mainland(target):
                broken.append((legal.minutes, "legal", legal))
            if not broken:
                continue  # only a mainland limit, and the target is outside mainland law
            limit_mins, kind, _ = min(broken, key=lambda b: (b[0], b[1] != "legal"))
            legal_broken = next((b[2] for b in broken if b[1] == "legal"), None)
            chain = sc.tree.chain(target)
            assert chain is not None
            slowest = max(chain.hops, key=lambda h: h.minutes)
            key = (sc.origin, target, slowest.rule_index, kind, limit_mins)
            entry = groups.setdefault(
                key, {"tags": [], "chain": chain, "legal": legal_broken, "slowest": slowest}
            )
            entry["tags"].append((sc.hazard, sc.level))
            if entry["legal"] is None and legal_broken is not None:
                entry["legal"] = legal_broken
    for (origin, target, _, kind, mins), entry in groups.items():
        chain, slowest, legal = entry["chain"], entry["slowest"], entry["legal"]
        rule_id = ctx.plan.rules[slowest.rule_index]["id"]
        if kind == "plan":
            name = {"zh": "本预案约定的时限", "en": "the plan's own limit"}
            citation = "本预案 notifications.limits"
        else:
            basis = profiles.basis_label(legal, "zh")
            name = {
                "zh": f"{ctx.profile.name['zh']}时限（{basis}）",
                "en": f"the limit of {ctx.profile.name['en']} ({profiles.basis_label(legal, 'en')})",
            }
            citation = legal.cited
        yield Problem(
            ("notifications", "rules", slowest.rule_index, "within"),
            {
                "origin": _origin_label(ctx, origin),
                "target": ctx.plan.name(target),
                "actual": {lang: durations.humanize(chain.minutes, lang) for lang in ("zh", "en")},
                "chain": {lang: _chain_text(ctx, chain, lang) for lang in ("zh", "en")},
                "limit_name": name,
                "limit": {lang: durations.humanize(mins, lang) for lang in ("zh", "en")},
                "levels": _level_label(ctx, entry["tags"]),
                "slowest": rule_id,
            },
            citation=citation,
        )


def _rule_scope(ctx: Context, rule_: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Hazards and grade ids a rule covers (no grades: a warning-only rule)."""
    when = rule_.get("when") or {}
    hazards = when.get("hazards") or ctx.plan.hazards
    grade_ids = [g["id"] for g in ctx.plan.grades]
    if when.get("levels"):
        return hazards, [lv for lv in when["levels"] if lv in grade_ids]
    return hazards, grade_ids


def _sender_learns(ctx: Context, sender: str, hazard: str, level: str, index: int) -> list[float]:
    """When the sender learns, counted from the event, in scenarios where the rule fires.

    The event is taken to happen when the first party to learn of it does. The
    events that count are those first learned by a party under the same legal
    profile as the sender (an event in the province whose rule it is); a
    party that never hears is NOT001's to report.
    """
    plan = ctx.plan
    net = reach.network(plan)
    if index not in net.firing(hazard, level, "grade"):
        return []
    mine = _profile_id(ctx, sender)
    own = [o for o in _origin_list(ctx) if _profile_id(ctx, o.source) == mine]
    out = []
    for origin in own:
        tree = net.scenario_tree(hazard, level, "grade", origin.source)
        if sender in tree.dist:
            out.append(tree.dist[sender])
    return out


def _profile_id(ctx: Context, party_id: str) -> str:
    party = ctx.plan.party.get(party_id) or {}
    return party.get("legal_profile") or ctx.profile.id


def _hop_profile(ctx: Context, sender: dict[str, Any]) -> profiles.Profile | None:
    if ctx.plan.outside_mainland(sender["id"]):
        return profiles.get("none")  # mainland limits do not bind a SAR or foreign sender
    try:
        return profiles.get(sender["legal_profile"]) if sender.get("legal_profile") else ctx.profile
    except profiles.UnknownProfile:
        return None


@HOP_OVER_PROFILE.check
def check_hop_limits(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    infos = plan.party_info
    for i, rule_ in enumerate(plan.rules):
        if rule_["kind"] not in ("report", "notify") or message_type(rule_) == "stand_down":
            continue  # legal report limits run from the event, a stand-down from its end
        sender = plan.party.get(rule_["from"])
        if sender is None:
            continue
        profile = _hop_profile(ctx, sender)
        if profile is None:
            continue
        hazards, levels = _rule_scope(ctx, rule_)
        if not levels:
            continue  # warning-only rule: no legal reporting limit
        receivers = [infos.get(r) for r in rule_["to"] if not plan.outside_mainland(r)]
        if not receivers:
            continue  # every receiver is outside mainland law
        primary = rule_["channels"][0]
        worst: dict[str, tuple[Any, str, float, float, list[tuple[str, str]]]] = {}
        for lim in profile.hop:
            if not any(lim.binds(rule_["kind"], infos.get(rule_["from"]), r) for r in receivers):
                continue
            tags = [
                (h, lv) for h in hazards for lv in levels if lim.applies(h, plan.level_rank.get(lv))
            ]
            if not tags:
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
            own = durations.minutes(value) if value else float("inf")
            learned = 0.0
            if lim.clock == "event" and own != float("inf"):
                times = [t for h, lv in tags for t in _sender_learns(ctx, rule_["from"], h, lv, i)]
                learned = max(times, default=0.0)
            actual = own + learned
            if actual <= lim.minutes:
                continue
            current = worst.get(lim.channel)
            if current is None or lim.minutes < current[0].minutes:
                worst[lim.channel] = (lim, field, actual, learned, tags)
        for channel, (lim, field, actual, learned, tags) in worst.items():
            path = ("notifications", "rules", i, field if field in rule_ else "within")
            yield Problem(
                path,
                {
                    "rule": rule_["id"],
                    "which": "书面报告" if channel == "written" else "首报",
                    "which_en": "written" if channel == "written" else "first",
                    "actual": _actual_text(actual, learned),
                    "limit": {lang: durations.humanize(lim.minutes, lang) for lang in ("zh", "en")},
                    "verify": {
                        lang: f" {profiles.VERIFY[lang]}" if lim.verify else ""
                        for lang in ("zh", "en")
                    },
                    "profile": profile.name,
                    "scope": {
                        lang: _tags_text(ctx, tags, lang)
                        + ("；" if lang == "zh" else "; ")
                        + lim.describe(lang, events=False)
                        for lang in ("zh", "en")
                    },
                },
                citation=lim.cited,
            )


def _actual_text(actual: float, learned: float) -> dict[str, str]:
    if actual == float("inf"):
        return {"zh": "未规定", "en": "not set"}
    if learned:
        own = actual - learned
        return {
            "zh": f"从事发起累计 {durations.humanize(actual, 'zh')}（发送方最迟 "
            f"{durations.humanize(learned, 'zh')} 获知 + 本规则 {durations.humanize(own, 'zh')}）",
            "en": f"{durations.humanize(actual, 'en')} from the event (the sender learns after "
            f"{durations.humanize(learned, 'en')} + this rule's {durations.humanize(own, 'en')})",
        }
    return {lang: durations.humanize(actual, lang) for lang in ("zh", "en")}


def _tags_text(ctx: Context, tags: list[tuple[str, str]], lang: str) -> str:
    names = {g["id"]: g["name"] for g in ctx.plan.grades}
    hazards = list(dict.fromkeys(h for h, _ in tags))
    levels = list(dict.fromkeys(lv for _, lv in tags))
    if lang == "zh":
        return (
            "、".join(HAZARDS[h]["zh"] for h in hazards)
            + "，"
            + "、".join(names.get(lv, lv) for lv in levels)
        )
    return ", ".join(HAZARDS[h]["en"] for h in hazards) + "; level " + ", ".join(levels)


def _trigger_text(
    ctx: Context, rule_: dict[str, Any]
) -> tuple[dict[str, str], tuple[str | int, ...], tuple[int, int] | None]:
    """What the rule waits for, where to point, and the phrase to underline."""
    when = rule_.get("when") or {}
    m = reach.delaying_phrase(when.get("condition"))
    if m is not None:
        cond = when["condition"]
        return (
            {"zh": f"条件“{cond}”成立", "en": f"the condition '{cond}' holds"},
            ("condition",),
            (m.start(), len(m.group())),
        )
    t = reach.trigger(rule_)
    on = t.get("type")
    if on == "level":
        lv = t.get("level", "?")
        names = {
            x["id"]: x["name"] for x in [*ctx.plan.grades, *ctx.plan.warnings, *ctx.plan.responses]
        }
        text = {"zh": f"事件达到“{names.get(lv, lv)}”", "en": f"the event reaches level {lv}"}
    elif on == "threshold":
        where = t.get("section", "")
        text = {
            "zh": f"“{where}”监测值超过阈值",
            "en": f"a measurement at '{where}' exceeds its threshold",
        }
    else:
        text = {"zh": "对方提出请求", "en": "someone asks"}
    return text, ("trigger", "type"), None


@LATE_TRIGGER.check
def check_late_triggers(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    geo = plan.geography or {}
    areas = geo.get("areas", [])
    area_of: dict[str, list[str]] = defaultdict(list)
    for area in areas:
        for pid in area.get("parties", []):
            area_of[pid].append(area["id"])
    below = reach.downstream_areas(plan)
    net = reach.network(plan)
    levels = plan.scenario_levels()
    for i, rule_ in enumerate(plan.rules):
        if rule_["kind"] != "notify" or not reach.is_late(rule_):
            continue
        if message_type(rule_) == "stand_down":
            continue
        sender = rule_["from"]
        sender_areas = area_of.get(sender, [])
        downstream: list[str] = []
        others: list[str] = []
        for receiver in rule_["to"]:
            if receiver == sender or _told_on_knowledge(plan, net, levels, i, receiver):
                continue
            recv_areas = area_of.get(receiver, [])
            if any(ra in below.get(sa, ()) for sa in sender_areas for ra in recv_areas):
                downstream.append(receiver)
            elif not sender_areas or not recv_areas or geo.get("kind") != "river_basin":
                others.append(receiver)
            elif set(recv_areas) & set(sender_areas):
                others.append(receiver)
        targets = downstream or others
        if not targets:
            continue
        text, tail, span = _trigger_text(ctx, rule_)
        names = "、".join(f"“{plan.name(t)}”" for t in targets)
        names_en = ", ".join(f"'{plan.name(t)}'" for t in targets)
        yield Problem(
            ("notifications", "rules", i, "when", *tail),
            {"rule": rule_["id"], "trigger": text, "targets": {"zh": names, "en": names_en}},
            span=span,
            severity="error" if downstream else "warning",
        )


def _told_on_knowledge(
    plan: Any, net: reach.Network, levels: list[tuple[str, str]], late: int, receiver: str
) -> bool:
    """Does the same sender tell ``receiver`` on knowledge wherever the late rule applies?"""
    rule_ = plan.rules[late]
    sender = rule_["from"]
    for hazard in plan.hazards:
        for level, kind in levels:
            if not reach.applies(rule_, hazard, level, kind):
                continue
            firing = net.firing(hazard, level, kind)
            if not any(
                plan.rules[j]["from"] == sender
                and receiver in plan.rules[j]["to"]
                and not reach.is_late(plan.rules[j])
                for j in firing
            ):
                return False
    return True


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
