"""Text hygiene: characters a signed document cannot carry, and unfinished text.

XML 1.0 forbids most C0 control characters; one of them in a plan would make
the rendered DOCX unreadable in Word. A YAML double-quoted string can smuggle
them in ("\\x01"), so we check the data, not just the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from planctl.rules.base import Context, Problem, rule

# the scanning helpers live outside the rules (render uses them without loading any rule)
from planctl.textscan import (  # noqa: F401  (re-exported for rule packs)
    INVISIBLE,
    PLACEHOLDER,
    XML_FORBIDDEN,
    all_text,
    invisible_characters,
    may_hold_placeholder,
    sanitize,
    strings,
)

CONTROL = rule(
    code="TXT001",
    name="control-character",
    severity="error",
    layer="plan",
    title={"zh": "文本含有控制字符", "en": "Control character in text"},
    message={
        "zh": "文本中含有不可打印的控制字符 U+{codepoint}，生成的公文将无法打开",
        "en": "text holds the control character U+{codepoint}; a rendered document would be corrupt",
    },
    hint={
        "zh": "删除该字符（常见于从其他系统复制粘贴的文本）。",
        "en": "Delete it (it usually comes from text pasted from another system).",
    },
    why={
        "zh": "XML 不允许这些字符；Word 会拒绝打开含有它们的 DOCX 文件。",
        "en": "XML forbids these characters; Word refuses a DOCX that contains them.",
    },
    fail='metadata.scope: "适用于清水河\\x07甲县、乙县交界断面上下游发生的突发水污染事件。"',
)

PLACEHOLDER_TEXT = rule(
    code="TXT002",
    name="placeholder-text",
    severity="info",
    layer="plan",
    title={"zh": "占位文本未填写", "en": "Placeholder text"},
    message={
        "zh": "“{text}”仍是占位文本，正式稿（render --final）将拒绝生成",
        "en": "'{text}' is still placeholder text; a final render (render --final) will refuse",
    },
    hint={"zh": "填写实际内容。", "en": "Fill in the real content."},
    why={
        "zh": "签署的正式文本不能含有“待定”“TODO”“【待填：…】”等未完成内容。按完整词语匹配："
        "“不待定级”（不等待定级）是正常表述，不会被误报。",
        "en": "A signed plan cannot contain 'TBD', 'TODO' or a scaffold's 【待填：…】. Matching is "
        "by whole token, so '不待定级' ('without waiting for the grade') is not flagged.",
    },
    fail="parties.0.signatory.name: 待定",
    passes="duties.0.action: 发现污染后不待定级，立即在交界断面上游500米处设置拦截坝，投加活性炭吸附苯胺",
)


def all_strings(ctx: Context, data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Every string of ``data`` with its path, walked once per run and shared by the rules
    that read all text (TXT001, TXT002, TXT003, DOC00x): a plan has ~10,000 of them."""
    key = f"strings:{id(data)}"
    found = ctx.cache.get(key)
    if found is None:
        found = ctx.cache[key] = list(strings(data))
    return found


def joined_text(ctx: Context, data: Any) -> str:
    """:func:`all_text` of ``data``, once per run (shared by the text rules)."""
    key = f"text:{id(data)}"
    found = ctx.cache.get(key)
    if found is None:
        found = ctx.cache[key] = all_text(data)
    return cast(str, found)


def remember_text(ctx: Context, data: Any, text: str) -> None:
    """Hand :func:`joined_text` the text of ``data`` the engine has already joined."""
    ctx.cache[f"text:{id(data)}"] = text


@CONTROL.check
def check_control(ctx: Context) -> Iterator[Problem]:
    if XML_FORBIDDEN.search(joined_text(ctx, ctx.plan.data)) is None:
        return
    for path, text in all_strings(ctx, ctx.plan.data):
        m = XML_FORBIDDEN.search(text)
        if m:
            yield Problem(path, {"codepoint": f"{ord(m.group()):04X}"})


@PLACEHOLDER_TEXT.check
def check_placeholders(ctx: Context) -> Iterator[Problem]:
    # the document as loaded: rules may be handed a view with placeholders taken out
    data = ctx.doc.data if ctx.doc.data is not None else ctx.plan.data
    if not may_hold_placeholder(joined_text(ctx, data)):
        return
    for path, text in all_strings(ctx, data):
        m = PLACEHOLDER.search(text)
        if m:
            yield Problem(path, {"text": text[:40]}, span=(m.start(), len(m.group())))


_NAMES = {
    "\u200b": "ZERO WIDTH SPACE",
    "\u200c": "ZERO WIDTH NON-JOINER",
    "\u200d": "ZERO WIDTH JOINER",
    "\u200e": "LEFT-TO-RIGHT MARK",
    "\u200f": "RIGHT-TO-LEFT MARK",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
    "\u2060": "WORD JOINER",
    "\ufeff": "ZERO WIDTH NO-BREAK SPACE",
}

INVISIBLE_TEXT = rule(
    code="TXT003",
    name="bidi-or-invisible-character",
    severity="warning",
    layer="plan",
    title={
        "zh": "文本含有方向控制或不可见字符",
        "en": "Bidi control or invisible character in text",
    },
    message={
        "zh": "文本第 {offset} 个字符处有不可见字符 U+{codepoint}（{name}），可能使号码或文字倒序显示或被隐藏；正式稿（render --final）将拒绝生成",
        "en": "invisible character U+{codepoint} ({name}) at character {offset}: it can reverse or hide what is shown; a final render (render --final) refuses it",
    },
    hint={
        "zh": "删除该字符（常见于从网页、即时通讯或 Word 复制的文本）；草稿中它显示为 �。",
        "en": "Delete it (it comes with text pasted from web pages, chat or Word); drafts show it as �.",
    },
    why={
        "zh": "方向控制字符能让“13800138000”显示为另一串号码，零宽字符能让两个看似相同的名称不同。签署的文本必须所见即所存。",
        "en": "A bidi override can make one phone number display as another, and zero-width characters make equal-looking names differ. A signed text must read as it is stored.",
    },
    citation="planctl policy",
    fail='parties.0.contacts.0.value: "0351-6000\\u202e001"',
)


@INVISIBLE_TEXT.check
def check_invisible(ctx: Context) -> Iterator[Problem]:
    if INVISIBLE.search(joined_text(ctx, ctx.plan.data)) is None:
        return
    for path, text in all_strings(ctx, ctx.plan.data):
        m = INVISIBLE.search(text)
        if m:
            ch = m.group()
            yield Problem(
                path,
                {
                    "codepoint": f"{ord(ch):04X}",
                    "name": _NAMES.get(ch, "FORMAT CHARACTER"),
                    "offset": m.start() + 1,
                },
                span=(m.start(), 1),
            )
