"""How the joint mechanism works, in words: leads that follow the origin, the
rotating chair and its schedule, and activation by request and consultation.

Kept apart from chapters.py so the chapter functions only call in here. Every
date printed comes from the plan (its issue or effective date, its validity),
never from the clock: the same plan renders the same document on any day.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from planctl import rotation
from planctl.placeholders import is_placeholder
from planctl.render import matrix as mx
from planctl.render.blocks import Table
from planctl.render.style import join, say, strip_end

if TYPE_CHECKING:
    from planctl.model import Plan
    from planctl.render.chapters import Writer

#: how a lead that is not one fixed party reads in a sentence or a cell
_LEAD_WORDS = {"origin": "事发地一方", "chair": "轮值召集方"}


def lead_text(w: Writer, spec: Any) -> str:
    """A lead in a sentence: the party's name, "事发地一方" or "轮值召集方"."""
    if isinstance(spec, str):
        return w.name(spec)
    if isinstance(spec, list):
        return w.name.many([x for x in spec if isinstance(x, str)])
    if isinstance(spec, dict):
        return _by_word(spec)
    return ""


def _by_word(spec: dict[str, Any]) -> str:
    by = spec.get("by")
    if is_placeholder(by):
        return str(by)  # a draft shows its 【待填：…】 marker as it is
    return _LEAD_WORDS.get(str(by), "")


def lead_short(plan: Plan, spec: Any) -> str:
    """A lead in a table cell (short names)."""
    if isinstance(spec, dict):
        return _by_word(spec)
    ids = spec if isinstance(spec, list) else [spec]
    return join([plan.name(x) for x in ids if isinstance(x, str)])


def origin_leads(w: Writer, spec: Any) -> str:
    """ "事发在甲侧的，由甲牵头；事发在乙侧的，由乙牵头。" for a lead that follows the origin."""
    if not (isinstance(spec, dict) and spec.get("by") == "origin"):
        return ""
    plan = w.plan
    pairs = [(key, plan.resolve_lead(spec, key)) for key in plan.origin_keys()]
    # the same assignment is stated once; later "由事发地一方牵头" reads by it
    stated: set[tuple[tuple[str, str | None], ...]] = w.__dict__.setdefault("_origin_maps", set())
    if tuple(pairs) in stated:
        return ""
    stated.add(tuple(pairs))
    parts = []
    for key, who in pairs:
        if not who:
            continue
        area = (plan.area.get(key) or {}).get("name") or plan.name(key)
        parts.append(say("lead_origin", area=strip_end(area), lead=w.name(who)))
    return "；".join(parts) + "。" if parts else ""


def date_basis(plan: Plan) -> date | None:
    """The document's own date: effective date, else issue date (never today)."""
    return plan.valid_from


def _period(term: rotation.Term) -> str:
    """A calendar year reads "2026年"; any other term by its first and last day."""
    if (
        (term.start.month, term.start.day) == (1, 1)
        and (term.end.month, term.end.day)
        == (
            12,
            31,
        )
        and term.start.year == term.end.year
    ):
        return f"{term.start.year}年"
    if term.end == date.max:
        return f"{mx.date_zh(term.start.isoformat())}起"
    return f"{mx.date_zh(term.start.isoformat())}至{mx.date_zh(term.end.isoformat())}"


def rotation_blocks(w: Writer) -> None:
    """The chair on the document's date basis, then the whole schedule as a table."""
    plan = w.plan
    if rotation.rotation(plan) is None:
        return
    basis = date_basis(plan)
    term = rotation.term_on(plan, basis) if basis else None
    if term:
        w.p(say("rotation_now", period=_period(term), chair=w.name(term.chair)))
    terms = rotation.schedule(plan)
    if len(terms) > 1:
        w.p(say("rotation_table"))
        w.blocks.append(
            Table(
                ["轮值期", "轮值召集方"],
                [[_period(t), plan.name(t.chair)] for t in terms],
                [2.0, 3.0],
            )
        )


def _agree(entry: dict[str, Any], deciders: list[str]) -> str:
    agree = entry.get("agree", "all")
    if isinstance(agree, int) and not isinstance(agree, bool) and agree < len(deciders):
        return f"经其中{agree}方"
    return "经各方一致"


def activation_lines(w: Writer) -> list[str]:
    """Who may ask, who decides, by when, what if no decision, who announces."""
    plan = w.plan
    responses = {r["id"]: r["name"] for r in plan.responses}
    out = []
    for entry in plan.command.get("activation", []):
        levels = join([responses[x] for x in entry.get("levels", []) if x in responses])
        requesters = entry.get("requested_by") or []
        out.append(
            say(
                "activation_request",
                levels=levels,
                requesters=w.name.many(requesters) if requesters else "联席会议各成员单位",
                to=lead_text(w, entry.get("request_to")),
                request_within=mx.duration_zh(entry.get("request_within")),
            )
        )
        deciders = [x for x in entry.get("deciders", []) if isinstance(x, str)]
        within = entry.get("consult_within")
        out[-1] += say(
            "activation_decide",
            deciders=w.name.many(deciders),
            agree=_agree(entry, deciders),
            decided_by=lead_text(w, entry.get("decided_by")),
            within=mx.duration_zh(within) if within else "",
        )
        fb = entry.get("fallback") or {}
        if fb.get("action"):
            action = strip_end(fb["action"])
            lead = lead_text(w, fb.get("lead"))
            # the schema's example names who acts ("事发地一方先行启动……"): no "由事发地一方" before it
            if lead and action.startswith(_bare(lead)):
                lead = ""
            out[-1] += say("activation_fallback", lead=lead, action=action)
        if entry.get("announce"):
            out[-1] += say("activation_announce", announce=lead_text(w, entry["announce"]))
    return out


def _bare(name: str) -> str:
    """A party name without its first-mention "（以下简称…）"."""
    return name.split("（以下简称", 1)[0]


def outside_mainland(w: Writer) -> str:
    """Parties outside mainland law: which limits bind them (the plan's own)."""
    plan = w.plan
    ids = [p["id"] for p in plan.parties if plan.outside_mainland(p["id"])]
    return say("outside_mainland", parties=w.name.many(ids)) if ids else ""


def answer_clause(rule: dict[str, Any]) -> str:
    """ "，被请求方应在2小时内答复" after a support request that carries its answer deadline."""
    if rule.get("kind") != "request" or not rule.get("answer_within"):
        return ""
    return say("answer_clause", within=mx.duration_zh(rule["answer_within"])).rstrip("。")
