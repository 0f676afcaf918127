"""The text rules' sieves (one scan of all text) never hide a finding the per-string search makes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from planctl.placeholders import is_placeholder
from planctl.rules.document import _ANNEX_NAME, _ANNEX_NO
from planctl.rules.text import (
    INVISIBLE,
    PLACEHOLDER,
    XML_FORBIDDEN,
    all_text,
    may_hold_placeholder,
    strings,
)

#: the characters the patterns turn on, and a few neighbours
ALPHABET = (
    "待定填写补充确认不无毋TODBFIXMEtodo_＿?？×ＸX【】：: ，。\n\t附件一二3“”《》"
    "\x00\x07\x0b\x1f\ufffe\u200b\u202e\u2066\ufeff\u061c\u180e甲a1"
)
texts = st.text(alphabet=ALPHABET, max_size=14)


@settings(max_examples=3000, deadline=None)
@given(texts)
def test_placeholder_literals_cover_every_match(text: str) -> None:
    if PLACEHOLDER.search(text):
        assert may_hold_placeholder(text), text
    if is_placeholder(text):
        assert "待填" in text


@settings(max_examples=1500, deadline=None)
@given(st.recursive(texts | st.integers() | st.none(), lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4), max_leaves=12))  # fmt: skip
def test_joined_text_holds_a_match_whenever_a_string_does(data: object) -> None:
    joined = all_text(data)
    values = [text for _, text in strings(data)]
    assert sorted(joined.split("\n")) == sorted("\n".join(values).split("\n"))
    for pattern in (XML_FORBIDDEN, INVISIBLE, PLACEHOLDER, _ANNEX_NO, _ANNEX_NAME):
        if any(pattern.search(v) for v in values):
            assert pattern.search(joined), (pattern.pattern, values)
    if any(PLACEHOLDER.search(v) for v in values):
        assert may_hold_placeholder(joined)
    if any("附件" in v for v in values):
        assert "附件" in joined


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["", "a", "planctl: 1", "x  # planctl: ignore TXT002", "planctl:planctl:", "b planctl", ":planctl:"]), max_size=12))  # fmt: skip
def test_comment_lines_found_in_the_joined_text(lines: list[str]) -> None:
    from planctl.check import _comment_lines

    assert _comment_lines(lines) == {n: t for n, t in enumerate(lines, 1) if "planctl:" in t}
