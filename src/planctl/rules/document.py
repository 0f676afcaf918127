"""The document reads as one voice: one effect clause, unambiguous short names, annexes that exist.

The renderer prints what the plan says. These rules catch plan text that
would make the signed document contradict itself: a second date on which it
takes effect, two parties behind one short name, or a reference to an annex
that the document does not contain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from planctl.rules.base import Context, Problem, rule
from planctl.rules.text import all_strings, joined_text

SECOND_EFFECT_DATE = rule(
    code="DOC001",
    name="second-effect-date",
    severity="error",
    layer="plan",
    title={"zh": "预案文本另行规定施行日期", "en": "Plan text sets a second effective date"},
    message={
        "zh": "“{text}”另行规定了施行或生效时间；施行条款只能由 metadata.effective 生成一次",
        "en": "'{text}' sets when the plan takes effect; the one effect clause comes from metadata.effective",
    },
    hint={
        "zh": "删除这句话，改为设置 metadata.effective（日期或 on issue）和 metadata.supersedes（被替代的版本）。",
        "en": "Delete the sentence; set metadata.effective (a date or 'on issue') and metadata.supersedes.",
    },
    why={
        "zh": "一份公文只能有一个施行条款；附则和签署页各写一个日期，实施时无法判断以哪个为准。",
        "en": "A document has exactly one effect clause; two dates leave it unclear which one applies.",
    },
    citation="GB/T 9704-2012 7.3.3（正文）；planctl policy",
    fail="metadata.supplementary: [本预案自2026年3月2日起施行。]",
    passes="metadata.supplementary: [本预案由甲县人民政府负责解释。]\nmetadata.effective: on issue",
)

SHARED_SHORT_NAME = rule(
    code="DOC002",
    name="shared-short-name",
    severity="error",
    layer="plan",
    title={"zh": "两个参与方使用同一简称", "en": "Two parties share a short name"},
    message={
        "zh": "简称“{short}”同时指向“{first}”和“{second}”",
        "en": "short name '{short}' stands for both '{first}' and '{second}'",
    },
    hint={
        "zh": "为其中一方改用能区分的简称（如加上省份或部门）。",
        "en": "Give one of them a distinguishing short name (add the province or department).",
    },
    why={
        "zh": "正文在首次出现时以“（以下简称“…”）”引入简称，此后只用简称；简称重复时读者无法判断指哪一方。",
        "en": "After its first mention a party is named only by its short name; a shared one is ambiguous.",
    },
    citation="planctl policy",
    fail="parties.1.short_name: 甲县",
    passes="parties.1.short_name: 乙县",
)

UNRESOLVED_ANNEX = rule(
    code="DOC003",
    name="unresolved-annex-reference",
    severity="warning",
    layer="plan",
    title={"zh": "引用了不存在的附件", "en": "Reference to an annex the document lacks"},
    message={
        "zh": "“{ref}”不是生成的附件，也不在 metadata.attachments 中（本预案附件：{annexes}）",
        "en": "'{ref}' is neither a generated annex nor a declared attachment (annexes: {annexes})",
    },
    hint={
        "zh": "按编号引用生成的附件（如“详见附件4”），或在 metadata.attachments 中声明另附的附件。",
        "en": "Cite a generated annex by number ('详见附件4') or declare the attachment in metadata.attachments.",
    },
    why={
        "zh": "附则或正文提到的附件必须随文印发，且全文名称一致（GB/T 9704 7.3.4 附件说明）。",
        "en": "Every annex the text mentions must be issued with it, under one name (GB/T 9704 7.3.4).",
    },
    citation="GB/T 9704-2012 7.3.4（附件说明）",
    fail="metadata.supplementary: [防火地图详见附件9。]",
    passes="metadata.supplementary: [各方值班电话详见附件5。]",
)

REVISION_DATE_DISAGREES = rule(
    code="DOC004",
    name="revision-date-disagrees",
    severity="warning",
    layer="plan",
    title={
        "zh": "修订记录与被替代版本的日期不一致",
        "en": "Revision record and replaced version disagree on a date",
    },
    message={
        "zh": "修订记录中 {version} 版的日期为 {recorded}，而施行条款（metadata.supersedes）称该版 {stated} 印发",
        "en": "the revision record dates version {version} {recorded}, while the effect clause "
        "(metadata.supersedes) says it was issued on {stated}",
    },
    hint={
        "zh": "核对被替代版本的印发日期，使 maintenance.revisions 中该版本的日期与 metadata.supersedes.date 一致。",
        "en": "Check when the replaced version was issued; make its date in maintenance.revisions "
        "and metadata.supersedes.date agree.",
    },
    why={
        "zh": "施行条款（“……同时废止”）和附则中的修订记录表印在同一份文件里；同一版本出现两个日期，"
        "审核时无法判断哪个为准，废止的是哪一份文件也随之不清。",
        "en": "The effect clause and the revision table print in the same document; one version "
        "with two dates leaves unclear which document was repealed.",
    },
    citation="planctl policy",
    fail="metadata.supersedes: {version: '1.0', date: 2023-03-01}\n"
    "maintenance.revisions: [{version: '1.0', date: 2023-03-20, summary: 首次编制两县联合预案。}]",
    passes="metadata.supersedes: {version: '1.0', date: 2023-03-01}\n"
    "maintenance.revisions: [{version: '1.0', date: 2023-03-01, summary: 首次编制两县联合预案。}]",
)

_EFFECT = re.compile(r"(自|从|于)[^。；]{0,30}?(施行|生效)")
_CN_DIGITS = "零一二三四五六七八九十"
_ANNEX_NO = re.compile(r"附件\s*([0-9]+|[一二三四五六七八九十]+)")
_ANNEX_NAME = re.compile(r"附件\s*[“《「]([^”》」]{1,40})[”》」]")


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token == "十":
        return 10
    if token.startswith("十"):
        return 10 + _CN_DIGITS.index(token[1])
    if len(token) == 2 and token.endswith("十"):
        return _CN_DIGITS.index(token[0]) * 10
    return _CN_DIGITS.index(token[0]) if len(token) == 1 else 99


def _printed(ctx: Context) -> Iterator[tuple[tuple, str]]:
    """Plan text that the document prints as its own words (not citations of other documents)."""
    for path, text in all_strings(ctx, ctx.plan.data):
        if path[:2] == ("metadata", "legal_basis") or path[:1] == ("planctl",):
            continue
        if path[-1] in ("id", "value", "channel", "kind", "phase", "status"):
            continue
        yield path, text


@SECOND_EFFECT_DATE.check
def check_effect(ctx: Context) -> Iterator[Problem]:
    meta = ctx.plan.metadata
    for i, text in enumerate(meta.get("supplementary") or []):
        if not isinstance(text, str):
            continue
        if _EFFECT.search(text):
            yield Problem(("metadata", "supplementary", i), {"text": text[:40]})


@SHARED_SHORT_NAME.check
def check_short_names(ctx: Context) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for p in ctx.plan.parties:
        if isinstance(p.get("name"), str):
            seen.setdefault(p["name"], p["name"])
    owners: dict[str, str] = {}
    for i, p in enumerate(ctx.plan.parties):
        short = p.get("short_name")
        if not isinstance(short, str) or not short:
            continue
        if short in owners:
            yield Problem(
                ("parties", i, "short_name"),
                {"short": short, "first": owners[short], "second": p.get("name", "")},
            )
        elif short in seen and short != p.get("name"):
            yield Problem(
                ("parties", i, "short_name"),
                {"short": short, "first": seen[short], "second": p.get("name", "")},
            )
        else:
            owners[short] = p.get("name", "")


def annex_titles(ctx: Context) -> list[str]:
    """The document's annexes in order: generated ones, then declared attachments."""
    from planctl.render.annexes import annex_plan

    plan = annex_plan(ctx.plan, with_figure=bool(ctx.plan.rules))
    return plan.all_titles()


@UNRESOLVED_ANNEX.check
def check_annexes(ctx: Context) -> Iterator[Problem]:
    if "附件" not in joined_text(ctx, ctx.plan.data):
        return  # no text names an annex: neither the walk nor the annex list is needed
    titles = annex_titles(ctx)
    listing = "、".join(f"{i}．{t}" for i, t in enumerate(titles, 1))
    for path, text in _printed(ctx):
        if "附件" not in text:
            continue
        for m in _ANNEX_NO.finditer(text):
            if not 1 <= _number(m.group(1)) <= len(titles):
                yield Problem(
                    path, {"ref": m.group(0), "annexes": listing}, span=(m.start(), len(m.group(0)))
                )
        for m in _ANNEX_NAME.finditer(text):
            if m.group(1) not in titles:
                yield Problem(
                    path, {"ref": m.group(0), "annexes": listing}, span=(m.start(), len(m.group(0)))
                )


@REVISION_DATE_DISAGREES.check
def check_revision_dates(ctx: Context) -> Iterator[Problem]:
    replaced = ctx.plan.metadata.get("supersedes")
    if not isinstance(replaced, dict):
        return
    version, stated = replaced.get("version"), replaced.get("date")
    if not isinstance(version, str) or not isinstance(stated, str):
        return  # no date stated (or a placeholder): nothing to disagree with
    revisions = (ctx.plan.data.get("maintenance") or {}).get("revisions")
    if not isinstance(revisions, list):
        return
    for i, entry in enumerate(revisions):
        if not isinstance(entry, dict) or entry.get("version") != version:
            continue
        recorded = entry.get("date")
        if isinstance(recorded, str) and recorded != stated:
            yield Problem(
                ("maintenance", "revisions", i, "date"),
                {"version": version, "recorded": recorded, "stated": stated},
            )
