"""Message types and stand-down (消息类型与解除/终止通知).

Rhine and Danube alert plans end every alert with an explicit end-of-alert
message; CAP 1.2 calls it ``Cancel``. A joint plan that tells a downstream
water works to close its intake must also tell it when the danger is over,
or the intake stays shut on rumour. These rules read each notification
rule's message type (stated, or inferred from its kind) and prove that the
stand-down reaches everyone the warning or the event notice reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import resources

from planctl import reach
from planctl.loader import safe_load
from planctl.model import MESSAGE_TYPES, Plan, message_type
from planctl.rules.base import Context, Problem, rule
from planctl.rules.notification import scenarios

_MESSAGE_NAMES = {
    "warning": {"zh": "预警", "en": "warning"},
    "information": {"zh": "信息通报", "en": "information"},
    "request": {"zh": "支援请求", "en": "request"},
    "stand_down": {"zh": "解除/终止通知", "en": "stand-down"},
}
#: message types each rule kind may carry
_FITS = {
    "report": {"information", "stand_down"},
    "notify": {"information", "warning", "stand_down"},
    "warning": {"warning", "stand_down"},
    "request": {"request"},
}

NO_STAND_DOWN = rule(
    code="MSG001",
    name="no-stand-down",
    severity="warning",
    layer="plan",
    title={
        "zh": "收到通报的一方收不到解除/终止通知",
        "en": "No stand-down for a party that was alerted",
    },
    message={
        "zh": "{what}：{detail}",
        "en": "{what}: {detail}",
    },
    hint={
        "zh": "增加 message: stand_down 的通报规则（如 {{id: S-01, kind: notify, message: stand_down, "
        "from: {sender}, to: [{target}], channels: [phone, fax], within: PT1H}}），写明预警解除或响应终止后"
        "多长时间内通知；final_report（处理结果报告）不是解除通知。",
        "en": "Add a rule with message: stand_down (e.g. {{id: S-01, kind: notify, message: "
        "stand_down, from: {sender}, to: [{target}], channels: [phone, fax], within: PT1H}}) saying "
        "how soon after the warning is lifted or the response ends the party is told; "
        "final_report (the result report) is not a stand-down.",
    },
    why={
        "zh": "莱茵河、多瑙河警报计划以明确的“解除警报”结束每一次警报（CAP 1.2 的 Cancel）。下游关闭取水口、"
        "启动响应后，只有收到解除或终止通知才能有序恢复；没有解除通知，各方要么凭传闻恢复取水，要么长期停摆。"
        "每条启动响应或发布预警的通报链，都要有一条把解除/终止消息送回链上每一方的通报链，并有时限。",
        "en": "Rhine and Danube alert plans end every alert with an explicit end-of-alert message "
        "(CAP 1.2 Cancel). A party that closed an intake or started a response can only resume in "
        "order when told the danger is over. Every chain that starts a response or a warning needs "
        "a stand-down chain, with deadlines, back to every party it reached.",
    },
    citation="planctl policy：参照莱茵河、多瑙河国际警报计划的解除警报通知和 CAP 1.2 msgType Cancel",
    fail="notifications.rules.2: <delete>",
    passes="notifications.rules.2.within: PT2H",
)

PROSE_STAND_DOWN = rule(
    code="MSG002",
    name="stand-down-only-in-prose",
    severity="info",
    layer="plan",
    title={"zh": "解除/终止通知只写在备注里", "en": "Stand-down only stated in a note"},
    message={
        "zh": "通报规则 {rule} 的备注提到“{phrase}”，但没有从“{sender}”发出的 message: stand_down 规则，"
        "解除/终止通知无法检查",
        "en": "notification rule {rule} mentions '{phrase}' in its note, but '{sender}' sends no "
        "rule with message: stand_down, so the stand-down cannot be checked",
    },
    hint={
        "zh": "把解除/终止通知写成单独一条规则：kind 与原规则相同，message: stand_down，from、to、within 写明；"
        "备注可保留。",
        "en": "Write the stand-down as a rule of its own: same kind, message: stand_down, with from, "
        "to and within; the note may stay.",
    },
    why={
        "zh": "写在备注里的“解除预警同样通知”无法计算是否送达每一方、多长时间送达；写成规则后由 MSG001 检查。",
        "en": "A stand-down written in a note cannot be checked for who receives it and how fast; "
        "as a rule, MSG001 checks it.",
    },
    citation="planctl policy",
    fail="notifications.rules.2.message: information\nnotifications.rules.3.message: information\n"
    "notifications.rules.0.note: 响应终止后同样电话通知乙县",
    passes="notifications.rules.0.note: 响应终止后同样电话通知乙县",
)

MESSAGE_KIND = rule(
    code="MSG003",
    name="message-type-does-not-fit-kind",
    severity="error",
    layer="plan",
    title={"zh": "消息类型与规则类型不符", "en": "Message type does not fit the rule kind"},
    message={
        "zh": "通报规则 {rule} 的类型为 {kind}，消息类型却是“{message}”；{kind} 规则可用的消息类型：{allowed}",
        "en": "notification rule {rule} is of kind {kind} but carries a {message_en} message; "
        "a {kind} rule may carry: {allowed_en}",
    },
    hint={
        "zh": "支援请求用 kind: request（message 省略或写 request）；预警用 kind: warning 或 notify；"
        "解除/终止通知用 message: stand_down。",
        "en": "Support requests use kind: request (message omitted or request); warnings use kind: "
        "warning or notify; stand-downs use message: stand_down.",
    },
    why={
        "zh": "可达性、时限和解除通知检查都按消息类型取规则；类型写错，一条支援请求会被当作事件通报计入（或相反），"
        "检查结果就不可信。",
        "en": "Reachability, deadlines and stand-down checks pick rules by message type; a request "
        "counted as an event notice (or the reverse) makes their results wrong.",
    },
    citation="planctl policy",
    fail="notifications.rules.0.message: request",
    passes="notifications.rules.0.message: information",
)


@cache
def stand_down_phrases() -> tuple[str, ...]:
    raw = safe_load((resources.files("planctl") / "data" / "messages.yaml").read_text("utf-8"))
    return tuple(sorted(raw["stand_down_phrases"], key=len, reverse=True))


def response_of(plan: Plan, level: str) -> str | None:
    """The response level a grade or warning starts, if the plan says."""
    for item in [*plan.grades, *plan.warnings]:
        if item.get("id") == level and isinstance(item.get("response"), str):
            return item["response"]
    return None


def announcers(plan: Plan, source: str, level: str, area: str | None = None) -> list[str]:
    """Who may send the stand-down: the first-informed party, the response's lead, the chair.

    The party that decides a response ends (the level's lead, or the joint
    body's chair) announces it; the party that first sounded the alarm may
    lift it. A stand-down chain from any of them counts. A lead that follows the
    origin (``{by: origin}``) is the lead of the event's ``area``: when an operator
    there learns first, the city that leads still announces the end.
    """
    out = [source]
    response = response_of(plan, level)
    for lvl in plan.command.get("levels", []):
        if lvl.get("response") == response:
            lead = plan.resolve_lead(lvl.get("lead"), area)
            if lead:
                out.append(lead)
    body = plan.command.get("body") or {}
    if isinstance(body.get("chair"), str):
        out.append(body["chair"])
    return list(dict.fromkeys(out))


def stand_down_reach(
    plan: Plan, sc: reach.Scenario
) -> tuple[dict[str, float], dict[str, tuple[str, reach.Tree]]]:
    """Earliest stand-down time of every party, and the announcer tree that gives it."""
    net = reach.network(plan)
    sig = net.stand_down_firing(sc.hazard, sc.level, sc.level_kind)
    best: dict[str, float] = {}
    via: dict[str, tuple[str, reach.Tree]] = {}
    if not sig:
        return best, via
    for who in announcers(plan, sc.origin.source, sc.level, sc.origin.area):
        tree = net.tree(sig, who)
        for party, mins in tree.dist.items():
            if party not in best or mins < best[party]:
                best[party] = mins
                via[party] = (who, tree)
    return best, via


@NO_STAND_DOWN.check
def check_stand_down(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    traced = [sc for sc in scenarios(ctx) if len(sc.tree.dist) > 1]
    if not traced:
        return
    if not plan.stand_downs:
        first = next(r for r in plan.rules if message_type(r) != "request")
        sender = first.get("from") or "…"
        target = (first.get("to") or ["…"])[0]
        yield Problem(
            ("notifications", "rules"),
            {
                "what": {
                    "zh": "本预案没有解除/终止通知规则",
                    "en": "the plan has no stand-down rule",
                },
                "detail": {
                    "zh": "预警解除或响应终止后，收到过通报的各方由谁、在多长时间内通知无从检查",
                    "en": "nobody can check who tells the alerted parties, and how fast, that the "
                    "warning is lifted or the response has ended",
                },
                "sender": sender,
                "target": target,
            },
            at="key",
        )
        return
    missing: dict[tuple[int, str], list[reach.Scenario]] = {}
    for sc in traced:
        covered, _ = stand_down_reach(plan, sc)
        speakers = set(announcers(plan, sc.origin.source, sc.level, sc.origin.area))
        for party in sc.tree.dist:
            if party in speakers or party in covered:
                continue
            chain = sc.tree.chain(party)
            assert chain is not None
            missing.setdefault((chain.hops[-1].rule_index, party), []).append(sc)
    for (index, party), scs in missing.items():
        rule_ = plan.rules[index]
        where = list(dict.fromkeys(sc.origin.label for sc in scs))
        levels = list(dict.fromkeys(sc.level for sc in scs))
        names = {x["id"]: x["name"] for x in [*plan.grades, *plan.warnings]}
        to = rule_["to"]
        yield Problem(
            ("notifications", "rules", index, "to", to.index(party)),
            {
                "what": {
                    "zh": f"“{plan.name(party)}”经规则 {rule_['id']} 收到通报，却收不到解除/终止通知",
                    "en": f"'{plan.name(party)}' is alerted by rule {rule_['id']} but never told "
                    "of the stand-down",
                },
                "detail": {
                    "zh": f"事发地{'、'.join(where)}，{'、'.join(names.get(lv, lv) for lv in levels)}",
                    "en": f"events in {', '.join(where)}, level {', '.join(levels)}",
                },
                "sender": rule_["from"],
                "target": party,
            },
        )


@PROSE_STAND_DOWN.check
def check_prose_stand_down(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    senders = {r["from"] for _, r in plan.stand_downs}
    phrases = stand_down_phrases()
    for i, rule_ in enumerate(plan.rules):
        note = rule_.get("note")
        if not isinstance(note, str) or message_type(rule_) == "stand_down":
            continue
        if rule_["from"] in senders:
            continue
        hit = next((p for p in phrases if p in note), None)
        if hit is None:
            continue
        yield Problem(
            ("notifications", "rules", i, "note"),
            {"rule": rule_["id"], "phrase": hit, "sender": plan.name(rule_["from"])},
            span=(note.index(hit), len(hit)),
        )


@MESSAGE_KIND.check
def check_message_kind(ctx: Context) -> Iterator[Problem]:
    for i, rule_ in enumerate(ctx.plan.rules):
        stated = rule_.get("message")
        kind = rule_.get("kind")
        if stated not in MESSAGE_TYPES or kind not in _FITS or stated in _FITS[kind]:
            continue
        allowed = sorted(_FITS[kind], key=MESSAGE_TYPES.index)
        yield Problem(
            ("notifications", "rules", i, "message"),
            {
                "rule": rule_["id"],
                "kind": kind,
                "message": _MESSAGE_NAMES[stated]["zh"],
                "message_en": _MESSAGE_NAMES[stated]["en"],
                "allowed": "、".join(f"{m}（{_MESSAGE_NAMES[m]['zh']}）" for m in allowed),
                "allowed_en": ", ".join(allowed),
            },
        )
