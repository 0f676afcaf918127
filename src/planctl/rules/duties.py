"""Duties: one lead each, every party holds some, and no duty is only words.

The survey behind planctl found joint plans "for show": every party
"actively cooperates" and nobody owns anything. These rules make ownership
and substance visible.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from planctl.loader import safe_load
from planctl.rules.base import Context, Problem, rule

SINGLE_LEAD = rule(
    code="DUTY001",
    name="single-lead",
    severity="error",
    layer="plan",
    title={"zh": "每项职责只能有一个牵头方", "en": "Each duty has exactly one lead"},
    message={
        "zh": "职责 {duty} 有 {count} 个牵头方，应当有且只有一个",
        "en": "duty {duty} has {count} leads; it needs exactly one",
    },
    hint={
        "zh": "保留一个牵头方，其余移到 support（配合）。",
        "en": "Keep one lead and move the others to `support`.",
    },
    why={
        "zh": "多头牵头等于无人牵头：实战中各方互相等待。主责/配合矩阵要求每项任务一个主责方。",
        "en": "Two leads means no lead: each waits for the other. Lead/support matrices need one owner.",
    },
    citation="突发事件应对法 第二十八条（应急预案应当规定组织指挥体系与职责）",
    fail="duties.0.lead: [jia, yi]",
    passes="duties.0.lead: jia",
)

PARTY_WITHOUT_DUTY = rule(
    code="DUTY002",
    name="party-without-duty",
    severity="error",
    layer="plan",
    title={"zh": "参与方没有任何职责", "en": "Party holds no duty"},
    message={
        "zh": "参与方“{party}”既不牵头也不配合任何职责",
        "en": "party '{party}' neither leads nor supports any duty",
    },
    hint={
        "zh": "为其分配至少一项牵头或配合职责；如该方只接收通报（如被抄送的上级部门、观察方），"
        "在 roles 中加入 informed 或 observer，或将其从参与方中移除。",
        "en": "Give it at least one duty as lead or support; if it is only kept informed (a "
        "ministry copied, an observer), add informed or observer to its roles; or remove it.",
    },
    why={
        "zh": "签了字却没有职责的一方，是“联而不动”的典型表现。观察方和知会方（roles: observer / "
        "informed）只接收通报、不签署，不要求承担职责。",
        "en": "A signatory with no duty is the classic joint plan 'for show'. Observer and "
        "informed parties are told but do not sign, so they need no duty.",
    },
    fail="duties.1.lead: jia\nduties.1.support: <delete>\nduties.2.support: <delete>\n"
    "command.groups.0.lead: jia\n"
    "duties.0.support: <delete>",
    passes="duties.1.lead: jia\nduties.1.support: <delete>\nduties.2.support: <delete>\n"
    "command.groups.0.lead: jia\n"
    "duties.0.support: <delete>\nparties.1.roles: [downstream, informed]",
)

VAGUE = rule(
    code="DUTY003",
    name="vague-duty",
    severity="warning",
    layer="plan",
    title={"zh": "职责表述空泛", "en": "Vague duty"},
    message={
        "zh": "职责 {duty} 只有原则性表述“{phrase}”，没有具体对象（做什么、做多少、在哪里）",
        "en": "duty {duty} is only generic wording ('{phrase}') with no concrete object (what, "
        "how much, where)",
    },
    hint={
        "zh": "写明做什么、对什么、做到什么程度，并给出 within（时限）或 resources（资源），"
        "如“接报后2小时内在交界断面布设3个监测点位，每2小时采样一次”。",
        "en": "Say what is done to what, to which extent, and add `within` or `resources`, "
        "e.g. 'within 2 h set 3 sampling points at the border section, sample every 2 h'.",
    },
    why={
        "zh": "“积极配合”“加强协调”“做好……工作”无法检查、无法演练、无法追责。时限和资源不能让空话变具体："
        "“2小时内积极配合做好处置工作”同样无法检查。",
        "en": "'Actively cooperate' or 'strengthen coordination' cannot be checked, drilled or "
        "held to account. A deadline or a resource does not make it concrete: 'actively "
        "cooperate within 2 h' is no more checkable.",
    },
    fail="duties.1.action: 积极配合做好应急处置工作",
    passes="duties.1.action: 接报后在交界断面布设3个应急监测点位，每2小时采样一次并共享数据",
)


TOO_FEW_SIGNERS = rule(
    code="DUTY004",
    name="too-few-signing-parties",
    severity="error",
    layer="plan",
    title={"zh": "签署方不足两方", "en": "Fewer than two signing parties"},
    message={
        "zh": "只有 {count} 个参与方签署并承担职责，联合预案至少需要两方；其余参与方均为观察方或知会方",
        "en": "only {count} part(ies) sign and hold duties; a joint plan needs at least two, the "
        "others are observers or informed parties",
    },
    hint={
        "zh": "检查 roles：承担职责、签署预案的参与方不应标为 observer 或 informed，并须写明 signatory。",
        "en": "Check roles: parties that hold duties and sign must not be observer or informed, "
        "and need a signatory.",
    },
    why={
        "zh": "观察方和知会方只接收通报、不签署；若参与方都被标为观察或知会，预案就没有任何一方承担义务。",
        "en": "Observers and informed parties are told but do not sign; if every party is one, "
        "nobody is bound by the plan.",
    },
    citation="突发事件应对法 第十八条（相关地方人民政府建立联合应对机制）",
    fail="parties.0.roles: [upstream, observer]",
)


@TOO_FEW_SIGNERS.check
def check_signers(ctx: Context) -> Iterator[Problem]:
    # the schema requires a signatory of every other party; a 【待填】 one is still a signer
    signers = [p for p in ctx.plan.parties if not ctx.plan.is_informed_only(p["id"])]
    if len(signers) >= 2:
        return
    yield Problem(("parties",), {"count": len(signers)}, at="key")


@SINGLE_LEAD.check
def check_single_lead(ctx: Context) -> Iterator[Problem]:
    for i, duty in enumerate(ctx.plan.duties):
        lead = duty.get("lead")
        if isinstance(lead, list) and len(lead) != 1:
            yield Problem(("duties", i, "lead"), {"duty": duty["id"], "count": len(lead)})


@PARTY_WITHOUT_DUTY.check
def check_party_duties(ctx: Context) -> Iterator[Problem]:
    holding: set[str] = set()
    for duty in ctx.plan.duties:
        holding.update(ctx.plan.lead_parties(duty.get("lead")))
        holding.update(duty.get("support", []))
    for i, party in enumerate(ctx.plan.parties):
        if party["id"] not in holding and not ctx.plan.is_informed_only(party["id"]):
            yield Problem(("parties", i, "id"), {"party": party["name"]})


@lru_cache(maxsize=1)
def _vague_data() -> tuple[list[re.Pattern[str]], re.Pattern[str], int]:
    raw = safe_load((resources.files("planctl") / "data" / "vague.yaml").read_text("utf-8"))
    patterns = [re.compile(p) for p in raw["patterns"]]
    filler = re.compile("|".join(sorted(map(re.escape, raw["filler"]), key=len, reverse=True)))
    return patterns, filler, int(raw["min_substance"])


_QUANTITY = re.compile(
    r"\d|[一二两三四五六七八九十百千万半]+\s*(?:个|名|人|台|套|吨|小时|分钟|天|日|次|处|米|公里|千米|架)"
)
_PUNCT = re.compile(r"[\s，。、；：,.;:！!？?（）()“”\"'《》【】\-—…]+")


def vague_phrase(action: str) -> tuple[int, int] | None:
    """(offset, length) of the first generic phrase if the action is only generic wording."""
    patterns, filler, min_substance = _vague_data()
    spans = [m.span() for p in patterns for m in p.finditer(action)]
    if not spans:
        return None
    if _QUANTITY.search(action):
        return None
    rest = action
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + rest[end:]
    rest = filler.sub("", rest)
    rest = _PUNCT.sub("", rest)
    if len(rest) >= min_substance:
        return None
    start, end = min(spans)
    return start, end - start


@VAGUE.check
def check_vague(ctx: Context) -> Iterator[Problem]:
    for i, duty in enumerate(ctx.plan.duties):
        # a deadline or a resource does not make generic wording concrete (issue #8)
        found = vague_phrase(duty["action"])
        if found:
            offset, length = found
            phrase = duty["action"][offset : offset + length]
            yield Problem(
                ("duties", i, "action"),
                {"duty": duty["id"], "phrase": phrase},
                span=(offset, length),
            )
