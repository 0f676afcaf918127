"""Parties of other kinds: observers, and parties outside mainland law.

Observers and informed parties are told but hold no duty and do not sign, so
they cannot lead. A special administrative region or a neighbouring country
takes part under its own law: no mainland profile binds it (the notification
and drill rules leave it out of mainland limits), so the plan must set its own
limits for it.
"""

from __future__ import annotations

from collections.abc import Iterator

from planctl.model import Plan
from planctl.rules.base import Context, Problem, rule

OBSERVER_LEADS = rule(
    code="PTY001",
    name="observer-leads",
    severity="error",
    layer="plan",
    title={"zh": "观察方或知会方被指定牵头", "en": "Observer or informed party given the lead"},
    message={
        "zh": "“{party}”是观察方或知会方（roles: observer/informed），却被指定在此牵头",
        "en": "'{party}' is an observer or informed party but is given the lead here",
    },
    hint={
        "zh": "改由签署本预案的一方牵头；若该方实际承担职责，从 roles 中去掉 observer/informed 并写明 signatory。",
        "en": "Give the lead to a party that signs; if this party really holds the duty, drop "
        "observer/informed from its roles and add its signatory.",
    },
    why={
        "zh": "知会方只接收通报、不签署预案，不受本预案职责约束，由其牵头的事项无人负责；观察方"
        "（如流域监督管理机构）可以协调工作组或技术性任务，但分级响应和启动程序须由签署方牵头。",
        "en": "An informed party is only told and does not sign: nothing binds it to lead. An "
        "observer (a basin agency, say) may coordinate a group or a technical task, but a "
        "level's response and activation belong to signing parties.",
    },
    citation="planctl policy",
    fail="parties.1.roles: [downstream, informed]\nparties.1.signatory: <delete>\n"
    "duties.0.support: <delete>",
    passes="parties.1.roles: [downstream, informed]\nparties.1.signatory: <delete>\n"
    "duties.0.support: <delete>\nduties.1.lead: jia\ncommand.groups.0.lead: jia\n"
    "command.groups.0.members: <delete>",
)

MAINLAND_PROFILE_OUTSIDE = rule(
    code="PTY002",
    name="mainland-profile-outside-mainland",
    severity="error",
    layer="plan",
    title={
        "zh": "内地法定时限配置用于内地以外的一方",
        "en": "Mainland profile on a party outside mainland law",
    },
    message={
        "zh": "“{party}”不适用内地法律（jurisdiction: {jurisdiction}），却设置了内地法定时限配置 {profile}",
        "en": "'{party}' is outside mainland law (jurisdiction: {jurisdiction}) but has the mainland "
        "legal profile {profile}",
    },
    hint={
        "zh": "删除该方的 legal_profile（或写 none），并在 notifications.limits 中写明本预案约定的时限。",
        "en": "Remove the party's legal_profile (or set none) and state the plan's own limits "
        "under notifications.limits.",
    },
    why={
        "zh": "特别行政区和外国机关依其本地法律行事，内地法规规定的报告时限对其没有约束力；"
        "双方的时限须由本预案（合作协议）约定。",
        "en": "A SAR or a foreign body acts under its own law; mainland reporting deadlines do not "
        "bind it, so the plan (the agreement) must set them.",
    },
    citation="planctl policy",
    fail="parties.1.jurisdiction: sar\nparties.1.legal_profile: national",
    passes="parties.1.jurisdiction: sar",
)

OUTSIDE_WITHOUT_LIMIT = rule(
    code="PTY003",
    name="outside-party-without-own-limit",
    severity="error",
    layer="plan",
    title={
        "zh": "内地以外的一方没有本预案约定时限",
        "en": "No plan limit for a party outside mainland law",
    },
    message={
        "zh": "“{party}”不适用内地法定时限，而本预案没有为{levels}约定通报时限（notifications.limits）",
        "en": "no mainland limit binds '{party}', and the plan sets no limit of its own for "
        "{levels_en} (notifications.limits)",
    },
    hint={
        "zh": "在 notifications.limits 中为这些级别写明本预案约定的端到端通报时限。",
        "en": "Add the plan's own end-to-end limit for these levels under notifications.limits.",
    },
    why={
        "zh": "对内地以外的一方，没有任何法定时限兜底；本预案不约定，通报到该方就没有时限。",
        "en": "Nothing in law bounds notices to a party outside mainland law; without the plan's "
        "own limit they have no deadline at all.",
    },
    citation="planctl policy",
    fail="parties.1.jurisdiction: sar\nnotifications.limits: <delete>",
    passes="parties.1.jurisdiction: sar",
)


def _barred(plan: Plan, pid: str, path: tuple[str | int, ...]) -> bool:
    """May this non-signing party not lead here?

    An informed party is only told: it leads nothing. An observer (a basin
    agency of a ministry, say) may coordinate a working group or a technical
    duty, or host the office, without signing; but a level's joint response,
    the request desk and the announcement are the signing parties' to lead.
    """
    roles = set((plan.party.get(pid) or {}).get("roles", []))
    if "informed" in roles:
        return True
    if "observer" not in roles:
        return False
    return path[:2] in (("command", "levels"), ("command", "activation"))


@OBSERVER_LEADS.check
def check_observer_leads(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    for path, spec in plan.lead_slots():
        for pid in plan.lead_parties(spec):
            if pid in plan.party and _barred(plan, pid, path):
                yield Problem(path, {"party": plan.name(pid)})
                break


@MAINLAND_PROFILE_OUTSIDE.check
def check_outside_profile(ctx: Context) -> Iterator[Problem]:
    for i, p in enumerate(ctx.plan.parties):
        profile = p.get("legal_profile")
        if p.get("jurisdiction") in ("sar", "foreign") and profile and profile != "none":
            yield Problem(
                ("parties", i, "legal_profile"),
                {
                    "party": ctx.plan.name(p["id"]),
                    "jurisdiction": p["jurisdiction"],
                    "profile": profile,
                },
            )


@OUTSIDE_WITHOUT_LIMIT.check
def check_outside_limits(ctx: Context) -> Iterator[Problem]:
    plan = ctx.plan
    covered = {lv for lim in plan.limits for lv in lim.get("levels", [])}
    names = {x["id"]: x["name"] for x in [*plan.grades, *plan.warnings]}
    open_levels = [lv for lv, _ in plan.scenario_levels() if lv not in covered]
    if not open_levels:
        return
    label = "、".join(names.get(lv, lv) for lv in open_levels)
    for i, p in enumerate(plan.parties):
        if not plan.outside_mainland(p["id"]) or plan.is_informed_only(p["id"]):
            continue
        key = "jurisdiction" if "jurisdiction" in p else "legal_profile"
        yield Problem(
            ("parties", i, key),
            {"party": plan.name(p["id"]), "levels": label, "levels_en": ", ".join(open_levels)},
        )
