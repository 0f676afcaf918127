"""The chapters of the plan, one function each, in reading order.

Each function appends blocks for one chapter to a :class:`Writer`. The body
states each general rule once and summarises; the annexes (render/annexes.py)
carry the detail, and the body cites them by number ("详见附件2"). Nothing
here prints an internal id: parties go through the :class:`~style.Namer`,
levels are printed from their rank, compensation terms by their position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from planctl import durations
from planctl.model import Plan, message_type
from planctl.placeholders import is_placeholder
from planctl.render import matrix as mx
from planctl.render import mechanisms as mech
from planctl.render import outward, river
from planctl.render.blocks import Block, Heading, Para, Table
from planctl.render.style import Namer, cn, join, normalize, roman, say, sentence, strip_end, vocab

#: a time expression already inside a duty's action ("48小时内", "每年3月31日前"):
#: the deadline is then not repeated after it
_TIME_IN_TEXT = re.compile(r"\d+\s*(分钟|小时|个?工作日|日|天|周|个月|月|年)|立即|即时|同步|前完成")
_PHASE_TITLES = {"prevention": "联合风险防控", "warning": "预警响应措施"}


class _Numbering:
    """一、 （一） 1. （1） numbering, generated as text so every viewer shows it."""

    def __init__(self) -> None:
        self.counts = [0, 0, 0, 0]

    def next(self, level: int) -> str:
        self.counts[level - 1] += 1
        for i in range(level, 4):
            self.counts[i] = 0
        n = self.counts[level - 1]
        return [f"{cn(n)}、", f"（{cn(n)}）", f"{n}．", f"（{n}）"][level - 1]


@dataclass
class Writer:
    """Builder state shared by the chapter functions."""

    plan: Plan
    annex: dict[str, int]  # generated annex key → number
    blocks: list[Block] = field(default_factory=list)
    num: _Numbering = field(default_factory=_Numbering)
    name: Namer = field(init=False)

    def __post_init__(self) -> None:
        self.name = Namer(self.plan.parties)

    def h(self, level: int, text: str) -> None:
        self.blocks.append(Heading(level, self.num.next(level) + text))

    def p(self, text: str, style: str | None = None) -> None:
        if text:
            self.blocks.append(Para(normalize(text), style))

    def items(self, lines: list[str]) -> None:
        for i, line in enumerate(lines, 1):
            self.p(f"{i}．{line}")

    def cite(self, key: str) -> str:
        return str(self.annex.get(key, ""))


# --- shared phrases -------------------------------------------------------------
def duration(value: str | None) -> str:
    return mx.duration_zh(value)


def cycle_zh(value: str) -> str:
    """P1Y → 每年, P3Y → 每3年, P6M → 每6个月 (calendar cycles, never "每1年")."""
    if is_placeholder(value):
        return str(value)  # a draft shows its 【待填：…】 marker as it is
    d = durations.parse(value)
    if d.years and not (d.months or d.days):
        return "每年" if d.years == 1 else f"每{d.years}年"
    if d.months and not (d.years or d.days):
        return "每月" if d.months == 1 else f"每{d.months}个月"
    return f"每{mx.duration_zh(value)}"


def level_phrase(plan: Plan, ids: list[str]) -> str:
    """Grades and warnings named as what they are: "特别重大、重大突发事件和红色预警"."""
    grades = {g["id"]: g for g in plan.grades}
    warns = {w["id"]: w for w in plan.warnings}
    resps = {r["id"]: r for r in plan.responses}
    g = [grades[i]["name"] for i in ids if i in grades]
    w = [warns[i]["name"] for i in ids if i in warns]
    r = [resps[i]["name"] for i in ids if i in resps and i not in grades and i not in warns]
    parts = []
    if g:
        parts.append(join(g) + "事件")
    if w:
        # "红色预警、橙色预警" reads as "红色、橙色预警" when every name ends in 预警, and
        # "森林火险红色、森林火险橙色预警" as "森林火险红色、橙色预警"
        if all(x.endswith("预警") for x in w):
            stems = [x.removesuffix("预警") for x in w]
            head = _shared_head(stems)
            parts.append(head + join([x[len(head) :] for x in stems]) + "预警")
        else:
            parts.append(join(w))
    if r:
        parts.append(join(r))
    return "和".join(parts)


def _shared_head(names: list[str]) -> str:
    """The words every name starts with, up to a colour ("森林火险" of "森林火险红色"), or ""."""
    if len(names) < 2:
        return ""
    head = names[0]
    for x in names[1:]:
        while not x.startswith(head):
            head = head[:-1]
    colours = vocab("colors").values()
    # what stays of each name must be a whole colour word, never a broken word
    if head and all(x[len(head) :] in colours for x in names):
        return head
    return ""


def level_scope(plan: Plan, ids: list[str]) -> str:
    """The levels a rule is limited to, or "" when it names every event grade, every warning
    or both: "（特别重大、重大、较大、一般事件）" after each rule says nothing but "all"."""
    wanted = set(ids)
    grades = {g["id"] for g in plan.grades}
    warns = {x["id"] for x in plan.warnings}
    if wanted and any(wanted == every for every in (grades, warns, grades | warns) if every):
        return ""
    return level_phrase(plan, ids)


def quantity(value: float | None, unit: str | None, kind: str) -> str:
    """A number always carries its measure word ("专家1名", never "专家1")."""
    if value is None:
        return ""
    unit = unit or vocab("default_units").get(kind, "")
    return f"{mx.number(value)}{unit}"


def resource_label(res: dict[str, Any], plan: Plan | None = None) -> str:
    """A resource named in a sentence that already says whose it is ("炎陵县：…",
    "炎陵县承诺……提供…"): a closing "（炎陵县）" or "（湖南）" that only repeats the
    owner, written to tell it apart in a table, is left out; "（吊桶）" stays."""
    name = strip_end(str(res.get("name", "")))
    m = re.fullmatch(r"(.+?)（([^（）]+)）", name)
    owner = plan.party.get(res.get("owner", "")) if plan is not None else None
    if m and owner:
        tag = m.group(2)
        names = [owner.get(k) for k in ("name", "short_name", "region")]
        # the tag only repeats the owner when it is (part of) the owner's name: "（湖南）"
        # for 湖南省应急管理厅, not "（湖南省储备库）", which says more than the region
        if any(isinstance(n, str) and n and tag in n for n in names):
            return m.group(1)
    return name


# --- cover-adjacent chapters ----------------------------------------------------
def general(w: Writer) -> None:
    """一、总则: purpose, basis, scope, parties, geography, principles."""
    plan, meta = w.plan, w.plan.metadata
    w.h(1, "总则")
    if meta.get("purpose"):
        w.h(2, "编制目的")
        w.p(sentence(meta["purpose"]))
    w.h(2, "编制依据")
    basis = []
    for cit in meta["legal_basis"]:
        text = f"《{cit['title']}》" + (cit.get("article") or "")
        if cit.get("number"):
            text += f"（{cit['number']}）"
        basis.append(text)
    w.p(say("legal_basis_intro", items=join(basis)))
    w.h(2, "适用范围")
    scope = meta["scope"].strip()
    # "适用于……" alone has no subject: a 公文 says what applies ("本预案适用于……")
    w.p(sentence(("本预案" if scope.startswith("适用于") else "") + scope))
    hazards = vocab("hazards")
    # a scope that already names every hazard ("适用于…的突发水污染事件") has said what
    # the plan applies to: a second "本预案适用于…" sentence would say it
    named = [hazards[x] for x in plan.hazards if x in hazards]
    # twice; one that says 适用于 without naming them all gets the categories, not a
    # second statement of applicability
    if not all(h["event"] in meta["scope"] or h["zh"] in meta["scope"] for h in named):
        applies = re.match(r"\s*(本预案)?适用于", meta["scope"]) is not None
        key = "hazard_kinds" if applies else "hazards"
        w.p(say(key, hazards=join([h["event"] for h in named])))
    # every party is introduced here, in full with its short name, in plan order
    # Observers and informed parties do not make the plan: they are named apart, so the
    # document never lists as co-author a party that holds no duty and does not sign.
    authors = [p["id"] for p in plan.parties if not plan.is_informed_only(p["id"])]
    w.p(say("parties", parties=w.name.many(authors)))
    for role in ("observer", "informed"):
        told = [
            p["id"]
            for p in plan.parties
            if plan.is_informed_only(p["id"]) and role in plan.party_info[p["id"]].roles
        ]
        if told:
            # an observer that leads or supports tasks (a basin authority running its own
            # sluice) is not a bystander: say it takes part in those tasks by its duties
            works = role == "observer" and any(_has_tasks(plan, x) for x in told)
            w.p(say(f"parties_{role}", parties=w.name.many(told), works=works))
    geo = plan.geography
    if geo:
        kind = vocab("geo_kinds")[geo["kind"]]
        gname = geo.get("name", "")
        w.p(
            say(
                "geography",
                name=gname,
                kind=""
                if any(k in gname for k in [kind, *vocab("geo_kind_words").get(geo["kind"], [])])
                else kind,
                areas=join([a["name"] for a in geo["areas"]]),
            )
        )
        if geo.get("description"):
            w.p(sentence(geo["description"]))
        areas = {a["id"]: a["name"] for a in geo["areas"]}
        for a in geo["areas"]:
            if a.get("downstream"):
                w.p(
                    say(
                        "downstream",
                        area=a["name"],
                        down=join([areas.get(x, x) for x in a["downstream"]]),
                    )
                )
    if meta.get("principles"):
        w.h(2, "工作原则")
        for pr in meta["principles"]:
            w.p(f"{strip_end(pr['name'])}。{sentence(pr['text'])}")
    outward.related_plans(w)


def deputies_text(w: Writer, lead: Any, deputies: list[str]) -> str:
    """Who takes part in command beside the lead (see ``others_text``)."""
    return others_text(w, lead, deputies)


def others_text(w: Writer, lead: Any, ids: list[str]) -> str:
    """The parties ``ids`` that support, join or are consulted beside ``lead``, never the lead.

    A fixed lead is left out ("南京市牵头，马鞍山市、滁州市配合", not "…南京市、马鞍山市…").
    When the lead is a role (事发地一方, 轮值召集方), a party that may itself lead takes
    part only when it does not: "轮值召集方牵头，南京市、马鞍山市、滁州市配合" would list the
    lead among its supporters. Such parties read, before the fixed ones: "另一方" (two
    may lead), "其余各方" (every party of the plan may lead, and all take part),
    "X（不牵头时）" (one of three or more), else "X、Y中除牵头方外的各方" (a 公文 names
    who is meant; "X、Y中不牵头的单位" read as a data query).
    """
    plan = w.plan
    ids = [x for x in ids if isinstance(x, str)]
    leads = plan.lead_parties(lead)
    if not isinstance(lead, dict) or len(leads) <= 1:
        return w.name.many([x for x in ids if x not in leads])
    rotating = [d for d in ids if d in leads]
    fixed = [w.name(d) for d in ids if d not in leads]
    if not rotating:
        return join(fixed)
    if len(leads) == 2:
        # of two that may lead, the one taking part is the other: a plan that lists
        # only one of them wrote from one side's point of view
        return f"另一方和{join(fixed)}" if fixed else "另一方"
    if len(rotating) == 1:
        return join([w.name(rotating[0]) + "（不牵头时）", *fixed])
    authors = {p["id"] for p in plan.parties if not plan.is_informed_only(p["id"])}
    if set(rotating) == set(leads) and authors <= set(leads) and not fixed:
        return "其余各方"  # every party may lead: no other party could be meant
    first = w.name.many(rotating) + "中除牵头方外的各方"
    # "……的各方以及X": a "、" after "各方" would list X among them
    return f"{first}以及{join(fixed)}" if fixed else first


def _has_tasks(plan: Plan, pid: str) -> bool:
    """Whether a party leads or supports a duty, or leads a working group."""
    for d in plan.duties:
        if d.get("lead") == pid or pid in (d.get("support") or []):
            return True
    return any(g.get("lead") == pid for g in plan.groups)


def _answer_in_aid(plan: Plan, rule: dict[str, Any]) -> bool:
    """The request's answer deadline is the one 相互支援 states: say it there only."""
    request = (plan.mutual_aid or {}).get("request") or {}
    mine, theirs = rule.get("answer_within"), request.get("answer_within")
    return bool(mine and theirs) and duration(mine) == duration(theirs)


def split_observers(plan: Plan, ids: list[str]) -> tuple[list[str], list[str]]:
    """Members, and the observers among them: an observer is never listed as a member.

    An observer (role ``observer``, signs nothing, holds no duty) takes part in the
    joint meeting without being one of the parties that made the plan; every list
    of members names it apart ("太湖局作为观察单位参加").
    """
    observers = [
        x
        for x in ids
        if plan.is_informed_only(x)
        and "observer" in getattr(plan.party_info.get(x), "roles", frozenset())
    ]
    return [x for x in ids if x not in observers], observers


def command(w: Writer) -> None:
    """二、组织指挥体系."""
    plan, name = w.plan, w.name
    w.h(1, "组织指挥体系")
    body = plan.command["body"]
    w.h(2, body["name"])
    members, observers = split_observers(plan, body.get("members", []))
    w.p(say("body", name=body["name"], members=name.many(members), observers=name.many(observers)))
    if body.get("chair"):
        w.p(say("chair", chair=name(body["chair"])))
    if body.get("rotation"):
        rot = body["rotation"]
        w.p(
            say(
                "rotation",
                order=name.many(rot["order"]),
                cycle=cycle_zh(rot["cycle"]),
                start=mx.date_zh(rot.get("start")),
            )
        )
        mech.rotation_blocks(w)
    if body.get("office"):
        w.p(say("office", office=mech.lead_text(w, body["office"])))
    if body.get("duties"):
        w.p(say("body_duties", name=body["name"]))
        w.items([sentence(x) for x in body["duties"]])
    if body.get("meetings"):
        w.p(sentence(body["meetings"]))
    w.h(2, "分级指挥")
    groups = {g["id"]: g for g in plan.groups}
    responses = {r["id"]: r["name"] for r in plan.responses}
    for lvl in plan.command["levels"]:
        w.p(
            say(
                "command_level",
                response=responses.get(lvl["response"], ""),
                lead=mech.lead_text(w, lvl["lead"]),
                hq=lvl["hq"],
                location=strip_end(lvl.get("location", "")),
                deputies=deputies_text(w, lvl["lead"], lvl.get("deputies", [])),
                groups=join([groups[g]["name"] for g in lvl.get("groups", []) if g in groups]),
            )
        )
        w.p(mech.origin_leads(w, lvl["lead"]))
        if lvl.get("note"):
            # a note written for the command table ("本表以…为例") reads in the body as
            # a remark on the levels above
            w.p(sentence(re.sub(r"^本表", "上述分级指挥", lvl["note"].strip())))
    if plan.groups:
        w.h(2, "工作组")
        entries: list[str] = []
        for g in plan.groups:
            members, observers = split_observers(plan, g.get("members", []))
            entries.append(
                say(
                    "group",
                    name=g["name"],
                    lead=mech.lead_text(w, g["lead"]),
                    members=others_text(w, g["lead"], members),
                    observers=name.many(observers),
                    tasks="；".join(strip_end(t) for t in g["tasks"]),
                )
                + mech.origin_leads(w, g["lead"])
            )
        w.items(entries)
        if "command" in w.annex:
            w.p(f"各级响应下设工作组的组成详见附件{w.cite('command')}。")
    if plan.command.get("liaisons"):
        w.h(2, "联络员")
        for li in plan.command["liaisons"]:
            person = li.get("person") or {}
            w.p(
                say(
                    "liaison",
                    party=name(li["party"]),
                    role=strip_end(li["role"]),
                    person=join(
                        [
                            (person.get("title") or "") + (person.get("name") or ""),
                            person.get("phone") or "",
                        ],
                        "，",
                    ),
                )
            )


def duty_line(w: Writer, d: dict[str, Any]) -> str:
    """One duty as a sentence: when, who leads, who supports, what, and by when if the text does not say.

    The trigger opens the sentence the way a 公文 states a condition ("收到…后，由X牵头，
    Y配合，……"), unless the action already says it (``trigger_clause``). A deadline counts
    from the trigger; it is not repeated when the action or the trigger gives one.
    """
    when, action = duty_when(d)
    given = _TIME_IN_TEXT.search(action) or when.endswith("前")
    return say(
        "duty",
        when=when,
        action=action,
        lead=mech.lead_text(w, d["lead"]),
        support=others_text(w, d["lead"], d.get("support", [])),
        deadline="" if given else duration(d.get("within")),
        # a standing task ("预警期间……每日巡护") is put in place by then, not finished
        finish=vocab("deadline_verbs")["ongoing" if _ONGOING.search(action) else "once"],
    )


def duty_when(d: dict[str, Any]) -> tuple[str, str]:
    """A duty's opening condition (``trigger_clause``) and its action as printed after it."""
    action = strip_end(str(d.get("action", "")))
    when = trigger_clause(action, d.get("trigger"))
    # "每季度首月，由X牵头，每季度抽查……": the trigger has said how often
    often = re.match(r"每(年|半年|季度|月|周)(?![\d（(])", action)
    if when and often and when.startswith(often.group(0)) and len(action) > often.end():
        action = action[often.end() :].lstrip("，")
    return when, action


def duty_task(d: dict[str, Any]) -> str:
    """The duty as a table cell reads it, its condition first as in the body:
    "收到湘应急厅支援请求后，接令后4小时内调派……"."""
    when, action = duty_when(d)
    return normalize(f"{when}，{action}" if when else action)


#: work that goes on once started: its deadline says when it is in place
_ONGOING = re.compile(r"期间|每日|每天|每小时|每\d+(分钟|小时)|逐日|逐小时|持续|轮巡")
#: a trigger on the calendar ("每年10月1日", "每季度首月", "防火期每日"), not an event
_CALENDAR = re.compile(r"^(每|全年|常年|年度|汛|防火期|\d{1,2}月)|每(年|半年|季度|月|周|日)")
#: a point in the year an action already names ("每年3月31日前", "每年汛前", "防火期内"):
#: a calendar trigger beside it ("每年第一季度") would state the time twice
_CALENDAR_POINT = re.compile(
    r"\d{1,2}月|\d{1,2}日前|季度(首|末|初|第)|第[一二三四1-4](季度|周)|汛前|汛期|防火期"
    r"|上半年|下半年|年初|年底|年末|月初|月底|月末"
)
#: words after which a trigger reads "…后" ("收到支援请求后", "红色预警发布后"), else "…时"
_AFTER_OPENERS = ("收到", "接到", "接报", "获知", "得知")
_AFTER_VERBS = (
    "发布",
    "发出",
    "扑灭",
    "终止",
    "解除",
    "启动",
    "结束",
    "完成",
    "确认",
    "送达",
    "下达",
)
#: a trigger that already ends as a condition ("…时", "…后", "…期间")
_CONDITION_ENDS = ("时", "后", "前", "起", "期间", "以来", "之际")


def trigger_clause(action: str, trigger: Any) -> str:
    """The condition a duty's sentence opens with, or "" when the action already says it.

    "收到对侧县支援请求" → "收到对侧县支援请求后"; "火场距省界5公里以内" → "…以内时";
    "每年10月1日" → "每年10月1日起"; "每年第一季度" stays as it is. Nothing is printed
    when the action holds the trigger ("明火扑灭后组织清理余火"), opens with the same
    condition in its own words ("收到炎陵县支援请求后1小时内答复" for "收到对侧县支援
    请求"), or already names its time of year ("每年3月31日前排查" for "每年第一季度").
    A trigger of several clauses ("全年运行，防火期内逐小时共享") describes a schedule,
    not a condition: the responsibility matrix shows it, the sentence does not.
    """
    if not isinstance(trigger, str) or not trigger.strip():
        return ""
    if is_placeholder(trigger):
        return trigger.strip()  # a draft shows its 【待填：…】 marker as it is
    text = strip_end(trigger)
    if re.search(r"[，,；;。]", text) or _compact(text) in _compact(action):
        return ""
    if _CALENDAR.search(text):
        if _CALENDAR_POINT.search(action):
            return ""
        if re.search(r"\d日$", text):
            return text + "起"
        return text + "内" if text.endswith("期") else text
    opening = re.split(r"[，；]", action, maxsplit=1)[0]
    core = text
    for word in _AFTER_OPENERS:
        core = core.removeprefix(word)
    for word in (*_AFTER_VERBS, *_CONDITION_ENDS):
        core = core.removesuffix(word)
    if len(core) >= 2 and re.search(
        rf"{re.escape(core[-2:])}[^，；。]{{0,4}}?(?:{'|'.join(_CONDITION_ENDS)}|以内)", opening
    ):
        # the action opens with this condition in its own words ("…请求后", "…预警期间");
        # sharing a word is not enough: "组织火灾扑救" does not say "发生森林火灾时"
        return ""
    if text.endswith(_CONDITION_ENDS):
        return text
    if text.startswith(_AFTER_OPENERS) or text.endswith(_AFTER_VERBS):
        return text + "后"
    return text + "时"


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def warning(w: Writer) -> None:
    """三、风险防控与监测预警."""
    plan = w.plan
    w.h(1, "风险防控与监测预警")
    w.h(2, "事件分级")
    responses = {r["id"]: r["name"] for r in plan.responses}
    for g in plan.grades:
        w.p(
            say(
                "grade",
                name=g["name"],
                roman=roman(g["rank"]),
                criteria="；".join(strip_end(c) for c in g["criteria"]),
                response=responses.get(g["response"], ""),
            )
        )
    if plan.warnings:
        w.h(2, "预警分级")
        colors = vocab("colors")
        for x in plan.warnings:
            color = colors[x["color"]]
            label = x["name"] if color in x["name"] else f"{x['name']}（{color}）"
            w.p(
                say(
                    "warning",
                    name=label,
                    criteria="；".join(strip_end(c) for c in x["criteria"]),
                    response=responses.get(x.get("response", ""), ""),
                    issuer=w.name(x["issuer"]) if x.get("issuer") else "",
                )
            )
    for phase in ("prevention", "warning"):
        duties = [d for d in plan.duties if d["phase"] == phase]
        if duties:
            w.h(2, _PHASE_TITLES[phase])
            w.items([duty_line(w, d) for d in duties])
    river.monitoring_lines(w)


def notification(w: Writer) -> None:
    """四、信息报告与通报: the limits, one sentence per sender, the general rules once."""
    plan, name = w.plan, w.name
    w.h(1, "信息报告与通报")
    if plan.limits:
        w.h(2, "通报时限")
        for lim in plan.limits:
            w.p(
                say(
                    "limit",
                    levels=level_phrase(plan, lim["levels"]),
                    within=duration(lim["within"]),
                )
            )
            if lim.get("note"):
                w.p(sentence(lim["note"]))
    w.p(mech.outside_mainland(w))
    w.h(2, "报告与通报")
    kinds = vocab("rule_kinds")
    channels = vocab("channels")
    by_sender: dict[str, list[dict[str, Any]]] = {}
    for r in plan.rules:
        if message_type(r) != "stand_down":  # stated in 解除与终止通知 below
            by_sender.setdefault(r["from"], []).append(r)
    lines = []
    for sender, rules in by_sender.items():
        parts = []
        for r in rules:
            when = r.get("when") or {}
            parts.append(
                # a support request is sent when support is needed, not on every event
                (say("sender_rule_request_when") if message_type(r) == "request" else "")
                + say(
                    "sender_rule",
                    within=duration(r["within"]),
                    channels=join([channels[x] for x in r["channels"]]),
                    receivers=name.many(r["to"]),
                    kind=kinds[r["kind"]],
                    levels=level_scope(plan, when.get("levels", [])),
                ).rstrip("。")
                + (mech.answer_clause(r) if not _answer_in_aid(plan, r) else "")
            )
        # a weather bureau that only passes on warnings learns of a warning, not an event
        warns = {message_type(r) == "warning" for r in rules}
        what = (
            "预警信息" if warns == {True} else ("事件或预警信息" if True in warns else "事件信息")
        )
        lines.append(say("sender_rules", sender=name(sender), items="；".join(parts), what=what))
    w.items(lines)
    content_keys: list[str] = []
    for r in plan.rules:
        for k in r.get("content", []):
            if k not in content_keys:
                content_keys.append(k)
    content = vocab("content")
    if content_keys:
        w.p(say("content_rule", content=join([content[k] for k in content_keys])))
    annex = w.cite("notification")
    if any(r.get("written_within") for r in plan.rules):
        w.p(say("written_rule", annex=annex))
    acks = {r["acknowledge"]["within"] for r in plan.rules if r.get("acknowledge")}
    if len(acks) == 1:
        w.p(say("ack_rule", ack=duration(next(iter(acks)))))
    elif acks:
        w.p(say("ack_rule", ack=f"附件{annex}规定的时限"))
    if any(r.get("follow_up") or r.get("final_report") for r in plan.rules):
        w.p(say("follow_rule", annex=annex))
    outward.sender_rank(w)
    w.p(say("rules_detail", annex=annex))
    river.stand_down_lines(w)
    river.target_lines(w)


def response(w: Writer) -> None:
    """五、应急响应 and 六、后期处置."""
    plan = w.plan
    w.h(1, "应急响应")
    w.h(2, "分级响应")
    for r in plan.responses:
        w.p(
            say(
                "response",
                name=r["name"],
                activation=strip_end(r["activation"]),
                stand_down=strip_end(r["stand_down"]),
            )
        )
    activation = mech.activation_lines(w)
    if activation:
        w.h(2, "启动程序")
        w.items(activation)
    duties = [d for d in plan.duties if d["phase"] == "response"]
    if duties:
        w.h(2, "联动处置措施")
        w.items([duty_line(w, d) for d in duties])
    if "responsibility" in w.annex and plan.duties:
        w.p(say("duty_detail", annex=w.cite("responsibility")))
    outward.public_info(w)
    recovery = [d for d in plan.duties if d["phase"] == "recovery"]
    if recovery or outward.has_aftermath(w):
        w.h(1, "后期处置")
        if recovery and plan.aftermath:
            w.h(2, "恢复措施")
        w.items([duty_line(w, d) for d in recovery])
        outward.aftermath(w)


def support(w: Writer) -> None:
    """七、应急保障: resources summarised per owner, mutual aid, compensation."""
    plan, name = w.plan, w.name
    w.h(1, "应急保障")
    titles = {"team": "应急队伍", "equipment": "应急装备", "supply": "应急物资", "expert": "专家"}
    for kind in ("team", "equipment", "supply", "expert"):
        res = [r for r in plan.resources if r["kind"] == kind]
        if not res:
            continue
        w.h(2, titles[kind])
        by_owner: dict[str, list[str]] = {}
        for r in res:
            qty = quantity(r.get("quantity"), r.get("unit"), kind)
            extra = f"（{strip_end(r['speciality'])}）" if r.get("speciality") else ""
            by_owner.setdefault(r["owner"], []).append(f"{resource_label(r, plan)}{qty}{extra}")
        for owner, things in by_owner.items():
            # "瓶装饮用水20吨、柴油、汽油30吨" hides where one item ends: "；" between them
            sep = "；" if any("、" in re.sub(r"（[^）]*）", "", t) for t in things) else "、"
            w.p(say("resources_owner", owner=name(owner), things=join(things, sep)))
    if plan.resources and "resources" in w.annex:
        w.p(say("resources_detail", annex=w.cite("resources")))
    outward.resources_held(w)
    aid = plan.mutual_aid
    w.h(2, "相互支援")
    req = aid["request"]
    channels = vocab("channels")
    answer = duration(req["answer_within"])
    w.p(
        say(
            "request",
            procedure=strip_end(req["procedure"]),
            answer=answer,
            # the plan's own procedure may already give the answer deadline: say it once
            stated=re.search(rf"{re.escape(answer)}内[^。；，]{{0,4}}答复", req["procedure"])
            is not None,
            # a procedure that says "在规定时限内答复" points at the deadline: name it
            # ("答复时限为1小时"), not a second "被请求方应在…内答复"
            pointer=re.search(r"规定(的)?时限内[^。；，]{0,4}答复", req["procedure"]) is not None,
            channels=join([channels[x] for x in req.get("channels", [])]),
        )
    )
    terms_no = {t["id"]: str(i) for i, t in enumerate(aid["compensation"], 1)}
    default = aid.get("default_terms", "")
    commitments = aid.get("commitments", [])
    numbers = {terms_no.get(cm.get("terms") or default, "") for cm in commitments}
    # one set of terms for every commitment is said once, after them, not in each
    shared = numbers.pop() if len(numbers) == 1 and len(commitments) > 1 else ""
    for cm in commitments:
        committed = plan.resource.get(cm["resource"], {})
        w.p(
            say(
                "commitment",
                owner=name(committed.get("owner", "")),
                to=name.many(cm["to"]),
                resource=resource_label(committed, plan),
                quantity=quantity(
                    cm.get("quantity"), committed.get("unit"), committed.get("kind", "")
                ),
                within=duration(cm["within"]),
                terms="" if shared else terms_no.get(cm.get("terms") or default, ""),
            )
        )
    if shared:
        w.p(say("commitments_terms", terms=shared))
    for rq in aid.get("requisitions", []):
        by = name(rq["by"])
        source = strip_end(rq["from"])
        # "郴州市可依法征用郴州市辖区内…": the party's own area is 本辖区
        for own in dict.fromkeys([by, plan.name(rq["by"])]):
            if source.startswith(own + "辖区"):
                source = "本" + source[len(own) :]
                break
        w.p(
            say(
                "requisition",
                by=by,
                **{"from": source},
                what=strip_end(rq["what"]),
                terms=terms_no.get(rq.get("terms") or default, ""),
            )
        )
    w.h(2, "补偿与结算")
    applies = vocab("applies")
    lines = []
    for t in aid["compensation"]:
        payer = outward.payer(w, t)
        lines.append(
            say(
                "compensation",
                applies=join([applies[x] for x in t["applies_to"]]),
                payer=payer,
                rate=strip_end(t["rate_basis"]),
                settle=duration(t["settle_within"]),
                disputes=_when_disputed(strip_end(t.get("disputes", ""))),
            )
        )
    w.items(lines)
    outward.platforms(w)


def management(w: Writer) -> None:
    """八、预案管理."""
    plan, name = w.plan, w.name
    mnt, meta = plan.maintenance, plan.metadata
    w.h(1, "预案管理")
    w.h(2, "演练")
    w.p(say("drill_cycle", cycle=cycle_zh(mnt["drill_cycle"])))
    kinds = vocab("drill_kinds")
    for d in mnt.get("drills", []):
        w.p(
            say(
                "drill",
                date=mx.date_zh(d["date"]),
                participants=name.many(d["participants"]),
                kind=kinds[d["kind"]],
                scenario=strip_end(d["scenario"]),
                findings="；".join(strip_end(x) for x in d.get("findings", [])),
            )
        )
    outward.training(w)
    w.h(2, "评估与修订")
    w.p(
        say(
            "review_cycle",
            cycle=cycle_zh(mnt["review_cycle"]),
            due=mx.date_zh(meta.get("review_due")),
        )
    )
    if mnt.get("filing"):
        w.h(2, "备案")
        for f in mnt["filing"]:
            # a copy (kind: copy) is sent for information, not filed: "抄送", not "报…备案"
            key = "filing_copy" if f.get("kind") == "copy" else "filing"
            w.p(say(key, date=mx.date_zh(f["date"]), to=f["to"], number=f.get("number", "")))


def effect_clause(meta: dict[str, Any]) -> str:
    """The one sentence that says when the plan takes effect, from metadata alone."""
    sup = meta.get("supersedes") or {}
    old = (
        say("superseded", version=sup["version"], date=mx.date_zh(sup.get("date")))
        if sup.get("version")
        else ""
    )
    # Only a validity the plan states is printed; the review date it defaults to is not a term.
    until = mx.date_zh(meta.get("valid_until"))
    eff = meta.get("effective")
    if eff and eff != "on issue":
        return say("effective_date", date=mx.date_zh(eff), old=old, until=until)
    return say("effective_on_issue", old=old, until=until)


def closing(w: Writer) -> None:
    """九、附则: the plan's own provisions, then exactly one effect clause."""
    meta = w.plan.metadata
    w.h(1, "附则")
    revisions = w.plan.maintenance.get("revisions") or []
    record = [say("revision_record")] if revisions else []
    w.items([sentence(x) for x in meta.get("supplementary", [])] + record + [effect_clause(meta)])
    if revisions:
        w.p("修订记录", "Table Caption")
        w.blocks.append(revision_record(revisions))


def revision_record(revisions: list[dict[str, Any]]) -> Table:
    """修订记录 in the office form: 序号｜版本号｜修订日期｜修订原因｜主要修订内容.

    Printed at the end of 附则, the plan's own provisions about itself (GB/T 9704
    puts nothing between the 目录 and the 正文); one row per ``maintenance.revisions``
    entry, in date order, dates in Chinese form, the reason from ``trigger``.
    """
    triggers = vocab("revision_triggers")
    rows = [
        [
            str(n),
            str(r["version"]),
            mx.date_zh(r["date"]),
            triggers.get(r.get("trigger"), str(r.get("trigger") or "—")),
            strip_end(str(r["summary"])),
        ]
        for n, r in enumerate(sorted(revisions, key=lambda r: str(r["date"])), 1)
    ]
    return Table(
        ["序号", "版本号", "修订日期", "修订原因", "主要修订内容"],
        rows,
        [0.6, 0.8, 1.7, 1.9, 5.0],
        nowrap=(0, 1, 2),
    )


def _when_disputed(text: str) -> str:
    """A dispute procedure read after "……结算完毕；" says when it applies: "由联席会议协商解决"
    alone reads as if every settlement went there, so it becomes "发生争议的，由……"; a text
    that opens with its own condition ("被征用单位对补偿有异议的，……") is kept."""
    if not text:
        return text
    first = re.split(r"[，；,;]", text, maxsplit=1)[0]
    return text if first.endswith("的") else f"发生争议的，{text}"
