"""Text hygiene: characters a signed document cannot carry, and unfinished text.

XML 1.0 forbids most C0 control characters; one of them in a plan would make
the rendered DOCX unreadable in Word. A YAML double-quoted string can smuggle
them in ("\\x01"), so we check the data, not just the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from planctl.rules.base import Context, Problem, rule

#: characters XML 1.0 does not allow (tab, LF and CR are fine)
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: unfinished text; case-sensitive so ordinary words ("xxx" in a URL, "todo" in prose) pass
PLACEHOLDER = re.compile(
    r"TODO|TBD|FIXME|XXX|ＸＸＸ|××|待定|待补充|待填写|待确认|_{4,}|＿{4,}|\?{3,}|？{2,}"
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
        "zh": "签署的正式文本不能含有“待定”“TODO”等未完成内容。",
        "en": "A signed plan cannot contain 'TBD' or 'TODO'.",
    },
    fail="parties.0.signatory.name: 待定",
)


def strings(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from strings(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from strings(v, (*path, i))
    elif isinstance(data, str):
        yield path, data


@CONTROL.check
def check_control(ctx: Context) -> Iterator[Problem]:
    for path, text in strings(ctx.plan.data):
        m = XML_FORBIDDEN.search(text)
        if m:
            yield Problem(path, {"codepoint": f"{ord(m.group()):04X}"})


@PLACEHOLDER_TEXT.check
def check_placeholders(ctx: Context) -> Iterator[Problem]:
    for path, text in strings(ctx.plan.data):
        m = PLACEHOLDER.search(text)
        if m:
            yield Problem(path, {"text": text[:40]}, span=(m.start(), len(m.group())))


def sanitize(data: Any) -> Any:
    """A copy of the data with XML-forbidden characters replaced by U+FFFD."""
    if isinstance(data, dict):
        return {k: sanitize(v) for k, v in data.items()}
    if isinstance(data, list):
        return [sanitize(v) for v in data]
    if isinstance(data, str):
        return XML_FORBIDDEN.sub("\ufffd", data)
    return data
