"""Escaping for every place planctl echoes text it did not write.

Plan keys and values, file names and messages built from them reach a
terminal, a CI log (where a line starting with ``::`` is a GitHub workflow
command), Markdown and spreadsheets. Each sink needs its own form, but one
module decides what is dangerous, so every formatter escapes the same set.
"""

from __future__ import annotations

import re

#: C0 controls, DEL and C1 controls (ESC, BEL, CSI ... and the line breaks among them)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
#: Unicode line and paragraph separators: also line breaks to many viewers
LINE_SEPARATORS = "\u2028\u2029"
#: bidirectional overrides/isolates and invisible characters that can hide or reorder text
INVISIBLE = re.compile(
    "[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u180e\u00ad]"
)
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\u180e]"
)
# structural newlines of indented JSON stay; json.dumps already escapes C0 inside strings
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u180e]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _visible(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_terminal(text: str) -> str:
    """One line of terminal-safe text: controls, line breaks and bidi shown as escapes."""
    return _UNSAFE.sub(lambda m: _visible(m.group()), text)


def escape_source_line(text: str) -> str:
    """A source line shown under a finding: unsafe characters become U+FFFD.

    One replacement character per unsafe one keeps the caret under the column.
    """
    return _UNSAFE.sub("\ufffd", text.replace("\t", " "))


def clean_path(path: object) -> str:
    """A file name as printable UTF-8 text.

    A name that is not valid UTF-8 (a GBK name from a Windows zip) arrives
    with surrogate escapes; printed as is it crashes any UTF-8 stream. Its
    bytes are shown as ``\\xNN`` instead.
    """
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a surrogate that is no escaped byte
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return escape_terminal(text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MD_SPECIAL = str.maketrans(
    {c: "\\" + c for c in "\\`*_[]#|!~"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
)
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)](?:\s|$)))", re.MULTILINE)


def escape_markdown(text: str, *, inline: bool = False) -> str:
    """Plan text shown literally in Markdown (render -f md and matrix -f md).

    No HTML, links, emphasis, headings, lists or code blocks can be smuggled
    in: every special character is escaped, controls and invisible characters
    become U+FFFD, and a line break either becomes a space (headings, table
    cells: ``inline``) or a hard break whose next line cannot start a block.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for sep in LINE_SEPARATORS + "\x85":
        text = text.replace(sep, "\n")
    text = _UNSAFE.sub(lambda m: m.group() if m.group() == "\n" else "\ufffd", text)
    text = text.translate(_MD_SPECIAL)
    if inline:
        return " ".join(text.split("\n"))
    lines = [line.strip() for line in text.split("\n")]
    lines = [_MD_LINE_START.sub(_block_escape, line, count=1) for line in lines]
    return "\\\n".join(lines)


def _block_escape(m: re.Match[str]) -> str:
    mark = m.group(2)
    return mark + "\\" if mark[0].isdigit() else "\\" + mark


def escape_json_text(text: str) -> str:
    """JSON text with C1 controls, DEL and bidi characters as \\u escapes.

    ``json.dumps(ensure_ascii=False)`` escapes C0 but leaves these raw; a
    terminal showing the JSON would still act on them. The data is unchanged.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
