"""Public information release (信息发布): one voice, and a first release on time.

The survey names public panic (water hoarding) as what silence costs: when the
parties of a joint plan say nothing, or say different things, the public fills
the gap. So a joint plan names who releases for the mechanism and how fast the
first release goes out; the parties agree one wording before anything is said.
"""

from __future__ import annotations

from collections.abc import Iterator

from planctl.rules.base import Context, Problem, rule

#: the general basis, and the hazard-specific ones; none confirmed from the text yet
_BASIS = "突发事件应对法 第七条（突发事件信息发布制度） [待核]"
_HAZARD_BASIS = {
    "water_pollution": "水污染防治法 第七十九条 [待核]",
    "forest_fire": "森林防火条例 第四十三条 [待核]",
}

NO_RELEASE = rule(
    code="PUB001",
    name="no-public-information-release",
    severity="warning",
    layer="plan",
    title={
        "zh": "未约定信息发布或首次发布时限",
        "en": "No public information release or first-release deadline",
    },
    message={
        "zh": "{what}：联动机制由谁对外发布信息、启动响应后多长时间内首次发布，必须写明",
        "en": "{what_en}: who releases information for the joint mechanism, and how soon after the "
        "response starts the first release goes out, must be stated",
    },
    hint={
        "zh": "增加 public_info：releaser（统一发布方，或 origin 表示事发地人民政府）、first_within（首次发布时限，"
        "如 PT5H）、follow_up（续发间隔）、channels（发布渠道）和 wording（统一口径的做法）。",
        "en": "Add public_info with releaser (a party, or origin for the government where the event "
        "starts), first_within (e.g. PT5H), follow_up, channels and wording.",
    },
    why={
        "zh": "各方沉默或口径不一，公众会恐慌（如抢购饮用水）。信息发布应及时、准确，联合预案须明确由谁统一发布、"
        "首次发布时限和各方统一口径的做法。",
        "en": "Silence or contradicting parties cause panic (people hoarding water). A joint plan "
        "says who speaks for the mechanism, how fast, and how the parties agree one wording.",
    },
    citation=_BASIS,
    fail="public_info: <delete>",
    passes="public_info.first_within: PT4H",
)


def _citation(ctx: Context) -> str:
    extra = [_HAZARD_BASIS[h] for h in ctx.plan.hazards if h in _HAZARD_BASIS]
    return "；".join(dict.fromkeys([_BASIS, *extra]))


def _raw(ctx: Context) -> dict:
    """The section as written: a 【待填】 marker is unknown, not missing."""
    raw = ctx.doc.data if isinstance(ctx.doc.data, dict) else {}
    section = raw.get("public_info")
    return section if isinstance(section, dict) else {}


@NO_RELEASE.check
def check_public_info(ctx: Context) -> Iterator[Problem]:
    info = ctx.plan.public_info
    if info is None:
        yield Problem(
            ("planctl",),
            {"what": "没有 public_info（信息发布）", "what_en": "no public_info section"},
            at="key",
            citation=_citation(ctx),
        )
    elif not info.get("first_within") and "first_within" not in _raw(ctx):
        yield Problem(
            ("public_info",),
            {
                "what": "信息发布没有首次发布时限 first_within",
                "what_en": "public_info has no first_within",
            },
            at="key",
            citation=_citation(ctx),
        )
