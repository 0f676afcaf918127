"""Activation by request and consultation, and support requests that get an answer.

Real joint plans start a joint response when one side asks and the sides agree
("一方提出联动需求，经两方或三方会商决定启动"). That only works if somebody with
the power to decide is named, the consultation has a deadline, the request can
reach the deciders in time, and the plan says what happens when no decision
comes. Support requests (kind: request) need an answer deadline within the
plan's own limit and a receipt.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from planctl import durations, reach
from planctl.model import Plan, message_type
from planctl.profiles import VERIFY
from planctl.rules.base import Context, Problem, rule

#: the deciding body must be a government or its command body (not confirmed from the text)
_ART72 = f"突发事件应对法 第七十二条 {VERIFY['zh']}"
#: kinds of party that cannot decide for a government
_NOT_DECIDERS = {"enterprise", "other"}

NO_DECIDER = rule(
    code="ACT001",
    name="activation-without-decider",
    severity="error",
    layer="plan",
    title={"zh": "启动程序没有决定方", "en": "Activation without a deciding party"},
    message={
        "zh": "启动程序{reason}",
        "en": "the activation procedure {reason}",
    },
    hint={
        "zh": "写明 deciders（参加会商、须同意启动的各方）和 agree（all 或同意方数），"
        "或 decided_by（决定启动的机构）。",
        "en": "Name deciders (who consult and must agree) with agree (all, or how many), or "
        "decided_by (the body that decides).",
    },
    why={
        "zh": "“经会商决定启动”若不写明由谁会商、几方同意即可，事发时无人能作出启动决定。",
        "en": "'Started after consultation' with no named deciders and no agreement rule means "
        "nobody can take the decision on the day.",
    },
    citation=_ART72,
    fail="command.activation: [{requested_by: [jia, yi], consult_within: PT1H}]",
    passes="command.activation: [{requested_by: [jia, yi], deciders: [jia, yi], "
    "consult_within: PT1H, fallback: {action: 事发县先行启动二级响应}, announce: jia}]",
)

DECIDER_NOT_GOVERNMENT = rule(
    code="ACT002",
    name="decider-not-government",
    severity="error",
    layer="plan",
    title={"zh": "决定启动的一方不是政府或其指挥机构", "en": "Deciding party is not a government"},
    message={
        "zh": "“{party}”是{what}，不能决定启动应急响应",
        "en": "'{party}' is {what_en} and cannot decide to start a response",
    },
    hint={
        "zh": "由人民政府、其部门或其应急指挥机构决定；企业、观察方和知会方可以提出需求、参加会商，"
        "但不作决定。",
        "en": "Let a government, its department or its command body decide; an enterprise, an "
        "observer or an informed party may ask and take part, not decide.",
    },
    why={
        "zh": "启动应急响应、采取处置措施是履行统一领导职责或者组织处置突发事件的人民政府的职权。",
        "en": "Starting a response is a power of the government that leads or handles the event.",
    },
    citation=_ART72,
    fail="parties.1.roles: [downstream, observer]\nparties.1.signatory: <delete>\n"
    "duties.1.lead: jia\nduties.1.support: [yi]\n"
    "command.activation: [{deciders: [jia, yi], consult_within: PT1H, "
    "fallback: {action: 事发县先行启动二级响应}, announce: jia}]",
    passes="command.activation: [{deciders: [jia, yi], consult_within: PT1H, "
    "fallback: {action: 事发县先行启动二级响应}, announce: jia}]",
)

NO_DEADLINE = rule(
    code="ACT003",
    name="consultation-without-deadline",
    severity="error",
    layer="plan",
    title={"zh": "会商没有时限", "en": "Consultation without a deadline"},
    message={
        "zh": "启动会商（或决定）没有时限（consult_within）",
        "en": "the consultation (or decision) to start a response has no deadline (consult_within)",
    },
    hint={
        "zh": "写明 consult_within，如 PT1H（提出需求后1小时内会商决定），并写明逾期未议定时的 fallback。",
        "en": "Add consult_within, e.g. PT1H, and a fallback for when no decision comes in time.",
    },
    why={
        "zh": "没有时限的会商可以一直开下去；突发事件的处置窗口以小时计。",
        "en": "A consultation without a deadline can go on for ever; the window to act is hours.",
    },
    citation="planctl policy",
    fail="command.activation: [{deciders: [jia, yi], fallback: {action: 事发县先行启动二级响应}, "
    "announce: jia}]",
    passes="command.activation: [{deciders: [jia, yi], consult_within: PT1H, "
    "fallback: {action: 事发县先行启动二级响应}, announce: jia}]",
)

REQUEST_TOO_SLOW = rule(
    code="ACT004",
    name="request-cannot-reach-deciders",
    severity="error",
    layer="plan",
    title={"zh": "联动需求无法及时送达会商方", "en": "Request cannot reach the deciders in time"},
    message={
        "zh": "{requester}提出的联动需求{how}，启动程序要求 {limit} 内送达",
        "en": "a request from {requester} {how_en}; the procedure needs it there within {limit}",
    },
    hint={
        "zh": "增加从提出方到各会商方的通报规则（kind: request 或 notify），或放宽 request_within / "
        "consult_within。",
        "en": "Add rules from the requester to each decider (kind: request or notify), or allow "
        "more time in request_within / consult_within.",
    },
    why={
        "zh": "会商以需求送达各方为前提；通报规则到不了的会商方，事发时不会参加会商。",
        "en": "Consultation starts when the request arrives; a decider no rule reaches never "
        "joins.",
    },
    citation="planctl policy",
    fail="command.activation: [{requested_by: [jia, yi], deciders: [jia, yi], "
    "consult_within: PT20M, fallback: {action: 事发县先行启动二级响应}, announce: jia}]",
    passes="command.activation: [{requested_by: [jia, yi], deciders: [jia, yi], "
    "consult_within: PT1H, fallback: {action: 事发县先行启动二级响应}, announce: jia}]",
)

INCOMPLETE = rule(
    code="ACT005",
    name="activation-incomplete",
    severity="warning",
    layer="plan",
    title={"zh": "启动程序缺少兜底或发布方", "en": "Activation without fallback or announcer"},
    message={
        "zh": "启动程序没有写明{what}",
        "en": "the activation procedure does not say {what}",
    },
    hint={
        "zh": "写明 fallback（逾期未议定时由谁先行启动、做什么）和 announce（由谁发布启动决定）。",
        "en": "Add fallback (who acts, and how, when no decision comes in time) and announce "
        "(who announces the decision).",
    },
    why={
        "zh": "会商可能议而不决；没有兜底安排，事发地只能等待。启动决定须有一方统一发布，"
        "各方才能同时行动。",
        "en": "A consultation may not conclude; without a fallback the place of the event waits. "
        "One party announces the decision so all act on the same word.",
    },
    citation="planctl policy",
    fail="command.activation: [{deciders: [jia, yi], consult_within: PT1H}]",
    passes="command.activation: [{deciders: [jia, yi], consult_within: PT1H, "
    "fallback: {action: 事发县先行启动二级响应}, announce: jia}]",
)

ANSWER_OVER_LIMIT = rule(
    code="ACT006",
    name="request-answer-over-limit",
    severity="error",
    layer="plan",
    title={
        "zh": "支援请求答复时限超过本预案时限",
        "en": "Request answer deadline over the plan's limit",
    },
    message={
        "zh": "支援请求 {rule} 的答复时限 {answer} 长于本预案约定的 {limit}（mutual_aid.request.answer_within）",
        "en": "support request {rule} allows {answer} to answer, longer than the plan's own "
        "{limit} (mutual_aid.request.answer_within)",
    },
    hint={
        "zh": "把 answer_within 改为不超过 {limit}，或修改 mutual_aid.request.answer_within。",
        "en": "Make answer_within at most {limit}, or change mutual_aid.request.answer_within.",
    },
    why={
        "zh": "请求方按本预案的答复时限安排后续力量；某条请求规则给得更长，请求方会空等。",
        "en": "The requester plans on the plan's answer limit; a longer one in a rule leaves it "
        "waiting.",
    },
    citation="planctl policy",
    fail="notifications.rules.+: {id: N-req, kind: request, from: yi, to: [jia], "
    "channels: [phone], within: PT30M, answer_within: PT4H, acknowledge: {within: PT15M}}",
    passes="notifications.rules.+: {id: N-req, kind: request, from: yi, to: [jia], "
    "channels: [phone], within: PT30M, answer_within: PT1H, acknowledge: {within: PT15M}}",
)

REQUEST_NOT_ACKNOWLEDGED = rule(
    code="ACT007",
    name="request-not-acknowledged",
    severity="warning",
    layer="plan",
    title={"zh": "支援请求没有回执确认", "en": "Support request without acknowledgement"},
    message={
        "zh": "支援请求 {rule} 未要求被请求方回执确认",
        "en": "support request {rule} does not require the requested side to acknowledge",
    },
    hint={
        "zh": "增加 acknowledge: {{within: PT15M}}；答复时限从确认收到时起算才有意义。",
        "en": "Add acknowledge: {{within: PT15M}}; an answer deadline means something only once "
        "receipt is confirmed.",
    },
    why={
        "zh": "请求方须知道请求已被收到；没有回执，答复时限无从起算，请求可能无人处理。",
        "en": "The requester must know the request arrived; without a receipt the answer "
        "deadline has no start and the request may lie unread.",
    },
    citation="planctl policy",
    fail="notifications.rules.+: {id: N-req, kind: request, from: yi, to: [jia], "
    "channels: [phone], within: PT30M}",
    passes="notifications.rules.+: {id: N-req, kind: request, from: yi, to: [jia], "
    "channels: [phone], within: PT30M, acknowledge: {within: PT15M}}",
)


def _entries(plan: Plan) -> list[tuple[int, dict[str, Any]]]:
    return [(i, a) for i, a in enumerate(plan.command.get("activation", [])) if isinstance(a, dict)]


def _path(i: int, *rest: str | int) -> tuple[str | int, ...]:
    return ("command", "activation", i, *rest)


def _deciders(plan: Plan, entry: dict[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """(relative path, party) of everyone who decides: deciders, and who decided_by names."""
    out: list[tuple[tuple[str, ...], str]] = [
        (("deciders", str(j)), p)
        for j, p in enumerate(entry.get("deciders", []))
        if isinstance(p, str)
    ]
    for pid in plan.lead_parties(entry.get("decided_by")):
        out.append((("decided_by",), pid))
    return out


@NO_DECIDER.check
def check_decider(ctx: Context) -> Iterator[Problem]:
    for i, entry in _entries(ctx.plan):
        deciders = [p for p in entry.get("deciders", []) if isinstance(p, str)]
        if not deciders and not entry.get("decided_by"):
            yield Problem(
                _path(i),
                {"reason": {"zh": "没有写明由谁决定启动", "en": "names nobody who decides"}},
                at="key",
            )
            continue
        agree = entry.get("agree")
        if isinstance(agree, int) and not isinstance(agree, bool) and agree > len(deciders):
            yield Problem(
                _path(i, "agree"),
                {
                    "reason": {
                        "zh": f"要求 {agree} 方同意，但只有 {len(deciders)} 方参加会商，永远无法启动",
                        "en": f"needs {agree} to agree but only {len(deciders)} consult: it can "
                        "never start",
                    }
                },
            )


@DECIDER_NOT_GOVERNMENT.check
def check_decider_kind(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    for i, entry in _entries(plan):
        for rel, pid in _deciders(plan, entry):
            if pid not in plan.party:
                continue  # REF001
            path = _path(i, *(int(x) if x.isdigit() else x for x in rel))
            if plan.is_informed_only(pid):
                what = {"zh": "观察方或知会方", "en": "an observer or informed party"}
            elif plan.party_info[pid].kind in _NOT_DECIDERS:
                kind = plan.party_info[pid].kind
                what = (
                    {"zh": "企业", "en": "an enterprise"}
                    if kind == "enterprise"
                    else {"zh": "非政府机构", "en": "not a government body"}
                )
            else:
                continue
            yield Problem(
                path, {"party": plan.name(pid), "what": what["zh"], "what_en": what["en"]}
            )


@NO_DEADLINE.check
def check_deadline(ctx: Context) -> Iterator[Problem]:
    for i, entry in _entries(ctx.plan):
        if not entry.get("consult_within"):
            yield Problem(_path(i), {}, at="key")


@INCOMPLETE.check
def check_complete(ctx: Context) -> Iterator[Problem]:
    for i, entry in _entries(ctx.plan):
        missing_zh, missing_en = [], []
        if not (entry.get("fallback") or {}).get("action"):
            missing_zh.append("逾期未议定时的处理（fallback）")
            missing_en.append("what happens when no decision comes in time (fallback)")
        if not entry.get("announce"):
            missing_zh.append("由谁发布启动决定（announce）")
            missing_en.append("who announces the decision (announce)")
        if missing_zh:
            yield Problem(
                _path(i),
                {"what": {"zh": "和".join(missing_zh), "en": " or ".join(missing_en)}},
                at="key",
            )


def _request_graph(plan: Plan) -> list[list[tuple[int, float]]]:
    """Parties as integers; an edge for every rule that can carry a request or a notice."""
    index = {p["id"]: n for n, p in enumerate(plan.parties)}
    adj: list[list[tuple[int, float]]] = [[] for _ in index]
    for r in plan.rules:
        if r.get("kind") == "warning" or reach.delaying_phrase(
            (r.get("when") or {}).get("condition")
        ):
            continue
        if message_type(r) == "stand_down":  # a stand-down ends an event, it asks for nothing
            continue
        try:
            mins = durations.minutes(r["within"])
        except (KeyError, TypeError, ValueError):
            continue
        u = index.get(r.get("from"))
        if u is None:
            continue
        for to in r.get("to", []):
            v = index.get(to)
            if v is not None:
                adj[u].append((v, mins))
    return adj


def _fastest(adj: list[list[tuple[int, float]]], s: int) -> list[float]:
    dist = [float("inf")] * len(adj)
    dist[s] = 0.0
    queue = [(0.0, s)]
    while queue:
        d, u = heapq.heappop(queue)
        if d > dist[u]:
            continue
        for v, w in adj[u]:
            if d + w < dist[v]:
                dist[v] = d + w
                heapq.heappush(queue, (d + w, v))
    return dist


@REQUEST_TOO_SLOW.check
def check_request_path(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    entries = _entries(plan)
    if not entries:
        return
    adj = _request_graph(plan)
    index = {p["id"]: n for n, p in enumerate(plan.parties)}
    names = [p["id"] for p in plan.parties]
    trees: dict[int, list[float]] = {}
    body = plan.command.get("body") or {}
    for i, entry in entries:
        limit = entry.get("request_within") or entry.get("consult_within")
        try:
            limit_mins = durations.minutes(limit) if limit else None
        except ValueError:
            limit_mins = None
        if limit_mins is None:
            continue  # ACT003 says the deadline is missing
        deciders = [p for _, p in _deciders(plan, entry)]
        deciders += [p for p in plan.lead_parties(entry.get("request_to")) if p not in deciders]
        requesters = entry.get("requested_by") or body.get("members") or names
        for req in requesters:
            if req not in index or plan.is_informed_only(req):
                continue
            s = index[req]
            if s not in trees:
                trees[s] = _fastest(adj, s)
            dist = trees[s]
            unreachable = [
                d for d in deciders if d in index and d != req and dist[index[d]] == float("inf")
            ]
            slow = [
                d
                for d in deciders
                if d in index and d != req and limit_mins < dist[index[d]] < float("inf")
            ]
            if not unreachable and not slow:
                continue
            if unreachable:
                who = "、".join(plan.name(d) for d in unreachable)
                how = {"zh": f"没有任何通报规则能送达{who}", "en": ""}
                how_en = f"reaches {', '.join(plan.name(d) for d in unreachable)} by no rule"
            else:
                worst = max(slow, key=lambda d: dist[index[d]])
                took = durations.humanize(dist[index[worst]])
                how = {"zh": f"最快要 {took} 才能送达{plan.name(worst)}", "en": ""}
                how_en = f"takes {durations.humanize(dist[index[worst]], 'en')} to reach {plan.name(worst)}"
            path = (
                _path(i, "request_within")
                if entry.get("request_within")
                else _path(i, "consult_within")
            )
            yield Problem(
                path,
                {
                    "requester": plan.name(req),
                    "how": how["zh"],
                    "how_en": how_en,
                    "limit": durations.humanize(limit_mins),
                },
            )
            break  # one requester is enough to show the gap


@ANSWER_OVER_LIMIT.check
def check_answer_limit(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    own = (plan.mutual_aid.get("request") or {}).get("answer_within")
    try:
        own_mins = durations.minutes(own) if own else None
    except ValueError:
        return
    if own_mins is None:
        return
    for i, r in enumerate(plan.rules):
        if r.get("kind") != "request" or not r.get("answer_within"):
            continue
        try:
            mins = durations.minutes(r["answer_within"])
        except ValueError:
            continue
        if mins > own_mins:
            yield Problem(
                ("notifications", "rules", i, "answer_within"),
                {
                    "rule": r["id"],
                    "answer": durations.humanize(mins),
                    "limit": durations.humanize(own_mins),
                },
            )


@REQUEST_NOT_ACKNOWLEDGED.check
def check_request_ack(ctx: Context) -> Iterator[Problem]:
    for i, r in enumerate(ctx.plan.rules):
        if r.get("kind") == "request" and not r.get("acknowledge"):
            yield Problem(("notifications", "rules", i, "id"), {"rule": r["id"]})
