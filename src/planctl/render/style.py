"""The house style: sentence patterns, vocabulary, names and punctuation.

Everything a reader sees in the rendered plan passes through here, so the
document speaks with one voice: sentences come from templates/text/zh.yaml,
parties are named in full once with "（以下简称“…”）" and by their short name
after, and a normaliser removes the stacked punctuation that appears when
free plan text ("…水源。") is dropped into a sentence pattern ("…{{ x }}。").
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from planctl.render.templates import house_style_data

CN_NUM = "一二三四五六七八九十"


def house_style() -> dict[str, Any]:
    """templates/text/zh.yaml, parsed once (shared with the model's vocabulary)."""
    return house_style_data()


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2.sandbox import SandboxedEnvironment  # only for a template the formatter cannot fill

    return SandboxedEnvironment(autoescape=False, keep_trailing_newline=False)


@cache
def _jinja(key: str) -> Any:
    return _environment().from_string(house_style()["sentences"][key])


@lru_cache(maxsize=1)
def _sentences() -> dict[str, Sentence | None]:
    """Every house-style sentence prepared for the formatter (None: jinja2 fills it)."""
    return {k: Sentence.parse(v) for k, v in house_style()["sentences"].items()}


def vocab(group: str) -> Any:
    """One vocabulary table of the house style (channels, colours, payers …)."""
    return house_style()["vocabulary"][group]


def fill(key: str, **values: Any) -> str:
    """A house-style sentence with plan values filled in, as jinja2 renders it.

    The templates are plain substitutions and ``if`` blocks; a small formatter
    fills them. Compiling all of them with jinja2 took ~60 ms in every process,
    more than the rest of the text. A template that uses anything more (a filter,
    a loop, a comment), or a value the formatter would treat differently, is
    rendered by jinja2's sandbox (tests/test_render_paths.py compares the two).
    """
    sentence = _sentences()[key]
    if sentence is not None:
        try:
            return sentence.render(values)
        except _Unsupported:
            pass
    return str(_jinja(key).render(**values))


def say(key: str, **values: Any) -> str:
    """One sentence of the house style, with plan values filled in and punctuation normalised."""
    return normalize(fill(key, **values).strip())


# --- the sentence formatter -------------------------------------------------------
class _Unsupported(Exception):
    """Outside what the formatter does exactly as jinja2 does: jinja2 takes over."""


class _Missing:
    """A value the caller did not pass: jinja2's default Undefined (prints nothing, false)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return ""

    def __iter__(self) -> Any:
        return iter(())

    def __contains__(self, item: object) -> bool:
        return False

    def __getitem__(self, item: object) -> Any:
        raise _Unsupported  # jinja2 raises UndefinedError: let it say so

    def __len__(self) -> int:
        return 0


_MISSING = _Missing()
_TAG = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'[^'\\]*'|\"[^\"\\]*\")|(?P<num>\d+)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[\[\]():]))"
)
_OPERATORS = {"and", "or", "not", "in"}
#: jinja2 words that are not variables there: such a template goes to jinja2
_RESERVED = {"true", "false", "none", "True", "False", "None", "is", "if", "else", "loop"}


def _expression(text: str) -> Any:
    """A jinja2 expression of names, string literals, and/or/not/in and [:n] as Python code."""
    out: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise _Unsupported(text)
        pos = m.end()
        if m.group("name"):
            name = m.group("name")
            if name in _OPERATORS:
                out.append(f" {name} ")
            elif name in _RESERVED:
                raise _Unsupported(name)
            else:
                out.append(f"_v({name!r})")
        else:
            out.append(m.group("str") or m.group("num") or m.group("op"))
    if not out:
        raise _Unsupported(text)
    try:
        return compile("".join(out).strip(), "<house style>", "eval")
    except SyntaxError:
        raise _Unsupported(text) from None


class Sentence:
    """A parsed house-style template: text, ``{{ expr }}`` and ``{% if %}`` blocks."""

    def __init__(self, nodes: list[Any]) -> None:
        self.nodes = nodes

    @classmethod
    def parse(cls, source: str) -> Sentence | None:
        if "{#" in source or "\r" in source:
            return None
        if source.endswith("\n"):  # jinja2 drops one trailing newline
            source = source[:-1]
        root: list[Any] = []
        # open blocks: (branches [(condition, nodes)], the nodes being filled)
        stack: list[tuple[list[tuple[Any, list[Any]]], list[Any]]] = []
        current = root
        pos = 0
        try:
            for m in _TAG.finditer(source):
                if m.start() > pos:
                    current.append(source[pos : m.start()])
                pos = m.end()
                out, stmt = m.group(1), m.group(2)
                if out is not None:
                    if out.startswith("-") or out.endswith("-"):
                        return None
                    current.append(_expression(out))
                    continue
                if stmt.startswith("-") or stmt.endswith("-") or stmt.startswith("+"):
                    return None
                word, _, rest = stmt.strip().partition(" ")
                if word == "if":
                    branches: list[tuple[Any, list[Any]]] = [(_expression(rest), [])]
                    current.append(branches)
                    stack.append((branches, current))
                    current = branches[0][1]
                elif word in ("elif", "else") and stack:
                    branches = stack[-1][0]
                    if branches[-1][0] is None:  # a branch after else
                        return None
                    branches.append((_expression(rest) if word == "elif" else None, []))
                    current = branches[-1][1]
                elif word == "endif" and stack and not rest.strip():
                    current = stack.pop()[1]
                else:
                    return None
        except _Unsupported:
            return None
        if stack or "{{" in source[pos:] or "{%" in source[pos:]:
            return None
        if pos < len(source):
            current.append(source[pos:])
        return cls(root)

    def render(self, values: dict[str, Any]) -> str:
        scope = {"__builtins__": {}, "_v": lambda name: values.get(name, _MISSING)}
        parts: list[str] = []
        self._emit(self.nodes, scope, parts)
        return "".join(parts)

    def _emit(self, nodes: list[Any], scope: dict[str, Any], parts: list[str]) -> None:
        for node in nodes:
            if isinstance(node, str):
                parts.append(node)
            elif isinstance(node, list):
                for condition, body in node:
                    if condition is None or _value(condition, scope):
                        self._emit(body, scope, parts)
                        break
            else:
                value = _value(node, scope)
                parts.append(str(value))


def _value(code: Any, scope: dict[str, Any]) -> Any:
    try:
        # the code was built by _expression from vetted tokens: names, literals, operators
        return eval(code, scope)
    except _Unsupported:
        raise
    except Exception:
        raise _Unsupported from None  # jinja2 decides what such a value does


def cn(n: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一, 21 → 二十一 (chapter numbers)."""
    if n <= 10:
        return CN_NUM[n - 1]
    if n < 20:
        return "十" + CN_NUM[n - 11]
    if n < 100:
        return CN_NUM[n // 10 - 1] + "十" + (CN_NUM[n % 10 - 1] if n % 10 else "")
    return str(n)


def roman(rank: int) -> str:
    """Rank 1 → Ⅰ (grade and response levels are printed from the rank, never from an id)."""
    table = vocab("roman")
    return table[rank - 1] if 1 <= rank <= len(table) else str(rank)


def level_name(plan: Any, level: str) -> str:
    """A response, warning or grade named as the body names it, without its parenthesised
    gloss: 一级响应 (so a chart never says Ⅰ级响应 where the text says 一级响应)."""
    for item in [*plan.responses, *plan.warnings, *plan.grades]:
        if isinstance(item, dict) and item.get("id") == level:
            return str(item.get("name", level)).split("（")[0]
    return level


def join(items: list[str], sep: str = "、") -> str:
    return sep.join(x for x in items if x)


# --- punctuation --------------------------------------------------------------
_END = "。；，、：！？"
_STACKED = re.compile(f"[{_END}]+(?=[{_END}])")
_CLOSE_STACK = re.compile(f"[{_END}]+(?=[）」』”])")


def strip_end(text: str) -> str:
    """A value about to be embedded in a sentence: no final punctuation of its own."""
    return text.strip().rstrip("。；;，,、.：:！!？? \n")


def normalize(text: str) -> str:
    """Remove doubled and stacked punctuation produced by filling patterns with plan text.

    "。；" → "；", "。。" → "。", "。）" → "）", "（）" → "", "）（" → "，"-joined;
    the last mark of a run wins because patterns put the structural mark last. Words
    the house style lists under ``no_doubles`` ("为为", "培训培训") are printed once.
    """
    text = re.sub(r"（\s*）", "", text)
    text = _CLOSE_STACK.sub("", text)
    text = _STACKED.sub("", text)
    text = text.replace("）（", "，")
    text = re.sub(r"[ \t]+([，。；、：）])", r"\1", text)
    text = re.sub(r"每1(?=[年月日天周季个]|小时)", "每", text)
    text = text.replace("每个月", "每月")
    # GB/T 15834-2011 4.5.3.5: no 顿号 between titles in 书名号 standing side by side
    text = text.replace("》、《", "》《")
    for word in vocab("no_doubles"):
        text = text.replace(word + word, word)
    return text


def sentence(text: str) -> str:
    """User text printed as a paragraph of its own ends like a sentence."""
    text = normalize(text.strip())
    if text and text[-1] not in "。！？；.!?;）)”":
        text += "。"
    return text


# --- names --------------------------------------------------------------------
class Namer:
    """Party names as a 公文 prints them.

    Full name with "（以下简称“short”）" at first mention, the short name after. The
    builder produces blocks in reading order, so "first call" is "first in the text".
    """

    def __init__(self, parties: list[dict[str, Any]]) -> None:
        self.parties = {p["id"]: p for p in parties}
        self.introduced: set[str] = set()

    def __call__(self, pid: str) -> str:
        p = self.parties.get(pid)
        if p is None:
            return pid
        short = p.get("short_name")
        if not short or short == p["name"]:
            return p["name"]
        if pid in self.introduced:
            return short
        self.introduced.add(pid)
        return f"{p['name']}（以下简称“{short}”）"

    def short(self, pid: str) -> str:
        """For table cells in annexes, after the body introduced every party."""
        p = self.parties.get(pid)
        if p is None:
            return pid
        return p.get("short_name") or p["name"]

    def many(self, ids: list[str]) -> str:
        return join([self(x) for x in ids])

    def owned(self, pid: str, thing: str, sep: str = "") -> str:
        """``thing`` held by party ``pid``: "南京市防爆倒罐泵", but a thing whose name already
        says whose it is ("南京市消防救援支队……") is not prefixed again ("南京市南京市……")."""
        p = self.parties.get(pid)
        if p is not None:
            names = [p.get("name"), p.get("short_name"), p.get("region")]
            if any(isinstance(n, str) and n and thing.startswith(n) for n in names):
                return thing
        return f"{self(pid)}{sep}{thing}"


# --- cover title ----------------------------------------------------------------
def title_phrases() -> list[str]:
    """The words a title line may not be broken inside, longest first.

    The house style's list plus every hazard's name and event name
    (model.HAZARDS), which chart and cover titles are built from.
    """
    from planctl.model import HAZARDS

    words = list(house_style().get("title_phrases", []))
    for h in HAZARDS.values():
        words += [h["zh"], h["event"]]
    return sorted(set(words), key=len, reverse=True)


#: a title may break after an enumeration or a clause, and before a bracketed qualifier
_BREAK_AFTER = "、，；）》"
_BREAK_BEFORE = "（《"


def title_lines(title: str, declared: list[str] | None, width: int = 16) -> list[str]:
    """Break a title into lines of at most ``width`` characters, at word boundaries.

    The cover title and the flow-chart titles both break here, so that no title is
    cut inside a word. ``declared`` (metadata.title_lines) wins when it spells the
    title. Otherwise the break points are the ends of house-style phrases and
    punctuation (after "、", before "（"); a title with no usable break point stays
    on one line (Word wraps it) rather than being cut inside a word.
    """
    if declared and "".join(declared) == title:
        return list(declared)
    if len(title) <= width:
        return [title]
    phrases = title_phrases()
    cuts: set[int] = {i + 1 for i, ch in enumerate(title) if ch in _BREAK_AFTER}
    cuts |= {i for i, ch in enumerate(title) if ch in _BREAK_BEFORE}
    for ph in phrases:
        start = 0
        while (i := title.find(ph, start)) >= 0:
            cuts.add(i)  # before a phrase
            cuts.add(i + len(ph))  # after a phrase
            start = i + 1
    # a cut may not fall inside another phrase occurrence
    inside: set[int] = set()
    for ph in phrases:
        start = 0
        while (i := title.find(ph, start)) >= 0:
            inside.update(range(i + 1, i + len(ph)))
            start = i + 1
    good = sorted(c for c in cuts if 0 < c < len(title) and c not in inside)
    lines: list[str] = []
    pos = 0
    while len(title) - pos > width:
        options = [c for c in good if pos < c <= pos + width]
        if not options:
            break
        cut = max(options)
        lines.append(title[pos:cut])
        pos = cut
    lines.append(title[pos:])
    # balance: avoid a last line of one or two characters by moving the previous cut left
    return lines
