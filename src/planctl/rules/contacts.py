"""Contacts: a 24-hour line per party, kept fresh, with a backup channel.

Sandoz 1986: the Basel alarm centre changed its telex number two days before
the fire and told nobody; the international alert was a day late. A contact
needs an owner, a verified-on date and a second way in.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date

from planctl.model import hazard_bases
from planctl.rules.base import Context, Problem, rule

NO_DUTY_LINE = rule(
    code="CON001",
    name="no-24h-contact",
    severity="error",
    layer="plan",
    title={"zh": "缺少24小时值守联系方式", "en": "No 24-hour contact"},
    message={
        "zh": "参与方“{party}”没有 24 小时值守联系方式（kind: duty_24h）",
        "en": "party '{party}' has no 24-hour duty contact (kind: duty_24h)",
    },
    hint={
        "zh": "增加一条 kind: duty_24h 的联系方式，写明值班单位、维护责任人和核验日期。",
        "en": "Add a contact with kind: duty_24h, its unit, owner and verified_on date.",
    },
    why={
        "zh": "突发事件不分昼夜，通报必须有人 24 小时接收。",
        "en": "Events happen at night; someone must answer a notice at any hour.",
    },
    citation="planctl policy，参照生产安全事故应急条例 第十四条（应急值班）、"
    "生产安全事故报告和调查处理条例 第十八条（值班制度）",
    fail="parties.1.contacts.0.kind: office",
    passes="parties.1.contacts.0.kind: duty_24h",
)

STALE = rule(
    code="CON002",
    name="stale-contact",
    severity="warning",
    layer="plan",
    title={"zh": "联系方式久未核验", "en": "Contact not verified recently"},
    message={
        "zh": "“{party}”的联系方式 {value} 最近核验于 {verified}，已超过 {months} 个月",
        "en": "contact {value} of '{party}' was last verified on {verified}, over {months} months ago",
    },
    hint={
        "zh": "拨测或发函核验后更新 verified_on；核验周期可在 planctl.yaml 中配置。",
        "en": "Test the line, then update verified_on; the period is set in planctl.yaml.",
    },
    why={
        "zh": "1986 年莱茵河桑多兹事故中，巴塞尔报警中心两天前更换了电传号码未通知任何人，国际警报因此迟发约24小时。",
        "en": "Sandoz 1986: Basel changed its telex number two days earlier and told nobody; "
        "the alert was ~24 h late.",
    },
    fail="parties.0.contacts.0.verified_on: 2024-01-05",
    passes="parties.0.contacts.0.verified_on: 2026-10-08",
)

NO_BACKUP = rule(
    code="CON003",
    name="no-backup-channel",
    severity="warning",
    layer="plan",
    title={"zh": "没有备用通信渠道", "en": "No backup channel"},
    message={
        "zh": "参与方“{party}”没有不同于主渠道的备用通信渠道",
        "en": "party '{party}' has no backup channel different from its main one",
    },
    hint={
        "zh": "在 backup 中增加传真、卫星电话或无线电等不同渠道。",
        "en": "Add a fax, satellite phone or radio channel under `backup`.",
    },
    why={
        "zh": "灾害常常首先中断公网电话；只有一个渠道的联系方式在最需要时可能失效。",
        "en": "Disasters often take out the public phone network first.",
    },
    fail="parties.0.backup: <delete>",
)


def _sub_months(d: date, months: int) -> date:
    idx = d.year * 12 + d.month - 1 - months
    year, month = divmod(idx, 12)
    if year < date.min.year:
        return date.min
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def _duty_line_citation(ctx: Context) -> str | None:
    """The hazard-specific basis for a duty line where a regulation requires one."""
    bases: list[str] = []
    for hazard in ctx.plan.hazards:
        for basis in hazard_bases(hazard, "duty_line"):
            if basis not in bases:
                bases.append(basis)
    return "；".join(bases) if bases else None


@NO_DUTY_LINE.check
def check_duty_line(ctx: Context) -> Iterator[Problem]:
    citation = _duty_line_citation(ctx)
    for i, party in enumerate(ctx.plan.parties):
        if not any(c["kind"] == "duty_24h" for c in party.get("contacts", [])):
            yield Problem(
                ("parties", i, "contacts"), {"party": party["name"]}, at="key", citation=citation
            )


@STALE.check
def check_stale(ctx: Context) -> Iterator[Problem]:
    months = ctx.options.contact_max_age_months
    cutoff = _sub_months(ctx.options.today, months)
    for i, party in enumerate(ctx.plan.parties):
        for section in ("contacts", "backup"):
            for j, contact in enumerate(party.get(section, [])):
                verified = contact.get("verified_on")
                if not verified:
                    continue
                if date.fromisoformat(verified) < cutoff:
                    yield Problem(
                        ("parties", i, section, j, "verified_on"),
                        {
                            "party": party["name"],
                            "value": contact["value"],
                            "verified": verified,
                            "months": months,
                        },
                    )


@NO_BACKUP.check
def check_backup(ctx: Context) -> Iterator[Problem]:
    for i, party in enumerate(ctx.plan.parties):
        main = {c["channel"] for c in party.get("contacts", []) if c["kind"] == "duty_24h"}
        others = {c["channel"] for c in party.get("backup", [])}
        others |= {c["channel"] for c in party.get("contacts", []) if c["kind"] == "backup"}
        if not (others - main):
            yield Problem(("parties", i, "id"), {"party": party["name"]})
