"""Public information, aftermath, true stocks, training and links outward, as prose.

Issue #10 items 7-11 (PUB/AFT/RES/PRE/LNK) each add structured fields; a reader
of the signed document must find every one of them stated in 公文 style. The
chapter functions in chapters.py call these with one line each, so the
chapters stay readable and this lane's wording lives in one place. Sentence
patterns are in templates/text/zh.yaml; no id is printed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from planctl.render import matrix as mx
from planctl.render.style import join, say, strip_end, vocab

if TYPE_CHECKING:
    from planctl.render.chapters import Writer

#: the word a plan uses for "the party where the event starts"
ORIGIN = "origin"


def _who(w: Writer, pid: Any) -> str:
    """A party's name, or 事发地 for ``origin``, or a keyword's house-style phrase."""
    if pid == ORIGIN:
        return "事发地"
    words = vocab("payer_sides")
    if isinstance(pid, str) and pid in words:
        return words[pid]
    return w.name(pid) if isinstance(pid, str) else ""


def _beside(w: Writer, lead: Any, ids: Any) -> str:
    """``ids`` named beside ``lead`` (a party or ``origin``), the lead left out of them."""
    from planctl.render.chapters import others_text  # chapters imports this module

    spec = {"by": "origin"} if lead == ORIGIN else lead
    return others_text(w, spec, [x for x in ids or [] if isinstance(x, str)])


def _texts(values: Any) -> str:
    return join([strip_end(x) for x in values or [] if isinstance(x, str)])


# --- 五、应急响应: 信息发布 ------------------------------------------------------
def public_info(w: Writer) -> None:
    info = w.plan.public_info
    if not info:
        return
    w.h(2, "信息发布")
    follow = info.get("follow_up")
    w.p(
        say(
            "public_release",
            releaser=_who(w, info.get("releaser")),
            first=mx.duration_zh(info.get("first_within")),
            follow=mx.duration_zh(follow) if follow else "",
            channels=_texts(info.get("channels")),
        )
    )
    if info.get("wording") or info.get("consult"):
        w.p(
            say(
                "public_wording",
                consult=_beside(w, info.get("releaser"), info.get("consult")),
                wording=strip_end(info.get("wording", "")),
            )
        )
    if info.get("rumours"):
        w.p(say("plain", text=strip_end(info["rumours"])))


# --- 六、后期处置 -----------------------------------------------------------------
def aftermath(w: Writer) -> None:
    """调查评估、善后与救助、费用追偿、纠纷调处, after the recovery duties."""
    after = w.plan.aftermath
    inv = after.get("investigation")
    if inv:
        w.h(2, "调查评估")
        w.p(
            say(
                "investigation",
                lead=_who(w, inv.get("lead")),
                others=_beside(w, inv.get("lead"), inv.get("with")),
                within=mx.duration_zh(inv.get("within")) if inv.get("within") else "",
                covers=_texts(inv.get("covers")),
                report_to=strip_end(inv.get("report_to", "")),
            )
        )
    relief = after.get("relief", [])
    if relief:
        w.h(2, "善后与救助")
        grouped: dict[str, list[str]] = {}
        for item in relief:
            grouped.setdefault(_texts(item.get("measures")), []).append(item.get("by", ""))
        for measures, parties in grouped.items():
            w.p(
                say(
                    "relief",
                    parties=w.name.many(parties),
                    each="分别" if len(parties) > 1 else "",
                    measures=measures,
                )
            )
    if after.get("cost_recovery"):
        w.h(2, "费用追偿")
        w.p(say("plain", text=strip_end(after["cost_recovery"])))
    disputes = after.get("disputes")
    if disputes:
        w.h(2, "纠纷调处")
        w.p(
            say(
                "disputes",
                procedure=strip_end(disputes.get("procedure", "")),
                # "由…协调" is the sentence's own verb: a mediator written "…上级人民政府协调"
                # would otherwise read "协调协调"
                # and one written "A，必要时报请B" names two steps: "由A协调，必要时报请B协调"
                mediator=re.sub(
                    r"^([^，]+?)(?:协调|调解|调处)?，",
                    r"\1协调，",
                    re.sub(r"(协调|调解|调处)$", "", strip_end(disputes.get("mediator", ""))),
                    count=1,
                ),
            )
        )


def has_aftermath(w: Writer) -> bool:
    return bool(w.plan.aftermath)


# --- 七、应急保障: who pays, how stocks are held, shared platforms -----------------
def payer(w: Writer, terms: dict[str, Any]) -> str:
    """The who-pays clause of one set of compensation terms, advance and split included."""
    p = terms.get("payer")
    payers = vocab("payers")
    split = terms.get("split") or []
    if p == "shared" and split:
        shares = []
        for s in split:
            who = _who(w, s.get("party"))
            if s.get("costs"):
                shares.append(f"{strip_end(s['costs'])}由{who}承担")
            else:
                shares.append(f"{who}承担{mx.number(s.get('percent'))}%")
        by_share = all(not s.get("costs") for s in split)
        text = ("费用按比例分担，" if by_share else "") + "，".join(shares)
    else:
        text = payers.get(p) if isinstance(p, str) and p in payers else f"由{_who(w, p)}承担费用"
    advance = terms.get("advance") or {}
    if advance.get("by"):
        text += say(
            "advance",
            by=_who(w, advance["by"]),
            recovery=strip_end(advance.get("recovery", "")),
        ).rstrip("。")
    return text


def resources_held(w: Writer) -> None:
    """Agreement and capacity reserves, co-owned stocks and the last count, after the lists."""
    held = vocab("held_as")
    lines = []
    for r in w.plan.resources:
        label = (
            w.name.owned(r["owner"], strip_end(r.get("name", "")), "的") if r.get("owner") else ""
        )
        how = r.get("held_as")
        if how in ("agreement", "capacity"):
            lines.append(
                say("held_as", what=label, how=held[how], supplier=strip_end(r.get("supplier", "")))
            )
        co = [x for x in r.get("co_owners", []) if isinstance(x, str)]
        if co:
            lines.append(
                say(
                    "co_owned",
                    what=strip_end(r.get("name", "")),
                    owners=w.name.many([r["owner"], *co]),
                    funding=strip_end(r.get("funding", "")),
                )
            )
    counted = [r for r in w.plan.resources if r.get("inventoried_on")]
    if not lines and not counted:
        return
    w.h(2, "储备方式与盘点")
    for line in lines:
        w.p(line)
    if counted:
        from planctl.render.chapters import quantity

        # "活性炭（80吨，2026年10月31日）": the number never follows the name directly,
        # so a line or page break cannot part it from its unit
        items = [
            w.name.owned(r["owner"], strip_end(r.get("name", "")))
            + "（"
            + join(
                [
                    quantity(r.get("quantity"), r.get("unit"), r.get("kind", "")),
                    mx.date_zh(r["inventoried_on"]),
                ],
                "，",
            )
            + "）"
            for r in counted
        ]
        w.p(say("inventory", items="；".join(items)))


def platforms(w: Writer) -> None:
    items = w.plan.links.get("platforms", [])
    if not items:
        return
    w.h(2, "信息共享")
    for pf in items:
        w.p(
            say(
                "platform",
                parties=w.name.many([x for x in pf.get("parties", []) if isinstance(x, str)]),
                name=strip_end(pf.get("name", "")),
                data=_texts(pf.get("data")),
                update=mx.duration_zh(pf.get("update")) if pf.get("update") else "",
                operator=_who(w, pf["operator"]) if pf.get("operator") else "",
            )
        )


# --- 四、信息报告与通报: who signs the notices ----------------------------------------
def sender_rank(w: Writer) -> None:
    ranks = vocab("sender_ranks")
    by_rank: dict[str, list[str]] = {}
    for r in w.plan.rules:
        rank = r.get("sender_rank") or ""
        if rank in ranks and r.get("from") not in by_rank.setdefault(rank, []):
            by_rank[rank].append(r["from"])
    for rank, senders in by_rank.items():
        w.p(say("sender_rank", senders=w.name.many(senders), rank=ranks[rank]))


# --- 八、预案管理: 培训与宣传教育 ------------------------------------------------------
def training(w: Writer) -> None:
    mnt = w.plan.maintenance
    records = mnt.get("training", [])
    if not records and not mnt.get("training_cycle"):
        return
    from planctl.render.chapters import cycle_zh

    w.h(2, "培训与宣传教育")
    if mnt.get("training_cycle"):
        w.p(say("training_cycle", cycle=cycle_zh(mnt["training_cycle"])))
    for t in records:
        kind = vocab("training_kinds").get(t.get("kind", ""), "")
        topic = strip_end(t.get("topic", ""))
        if kind and topic.endswith(kind):
            kind = ""  # "…联合培训" is not printed as "…联合培训培训"
        w.p(
            say(
                "training_record",
                date=mx.date_zh(t.get("date")),
                participants=w.name.many(
                    [x for x in t.get("participants", []) if isinstance(x, str)]
                ),
                kind=kind,
                topic=topic,
                audience=strip_end(t.get("audience", "")),
            )
        )


# --- 一、总则: 预案衔接 -------------------------------------------------------------
def related_plans(w: Writer) -> None:
    plans = w.plan.links.get("related_plans", [])
    if not plans:
        return
    w.h(2, "预案衔接")
    titles = []
    for rp in plans:
        text = f"《{strip_end(rp.get('title', ''))}》"
        if rp.get("number"):
            text += f"（{strip_end(rp['number'])}）"
        titles.append(text)
    w.p(say("related_plans", plans=join(titles)))
    names = {r["id"]: r.get("name", "") for r in w.plan.responses}
    for level in w.plan.responses:
        by_own: dict[str, list[str]] = {}
        for rp in plans:
            for m in rp.get("level_map", []):
                if m.get("joint") == level["id"] and rp.get("party"):
                    by_own.setdefault(strip_end(m.get("own", "")), []).append(rp["party"])
        if not by_own:
            continue
        parts = [f"{w.name.many(parties)}启动{own}" for own, parties in by_own.items()]
        w.p(say("level_map", level=names[level["id"]], parts="，".join(parts)))
