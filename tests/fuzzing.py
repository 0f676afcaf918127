"""Mutators shared by the fuzz tests and the long fuzz run (benchmarks/fuzz.py).

Structural mutations work on the loaded data (delete, duplicate, retype,
reorder nodes) and are dumped back to YAML; textual ones work on the raw text
(random unicode, deleted or duplicated lines, stray indentation), which also
exercises the YAML layer.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import yaml

ODD_VALUES: list[Any] = [
    None,
    "",
    " ",
    0,
    -1,
    3.5,
    True,
    [],
    {},
    "PT",
    "P1Y2M3DT4H5M6S",
    "2026-02-30",
    "{{ 7*7 }}",
    "\x07bell",
    "<w:p>&amp;",
    "积极配合",
    "待定",
    "a" * 5000,
    ["jia"],
    {"id": "x"},
    "jia",
    "I",
    "L1",
    "\u202eRTL",
    "𠀀𠀁",
    "\ufeff",
    "NaN",
    float("inf"),
    10**30,
    # issue #9: control characters, bidi/zero-width, huge and non-ASCII numbers, YAML 1.1 traps
    "\x1b[31m\x1b]0;title\x07",
    "a\n::error::forged\n::add-mask::x",
    "\x85\u2028\u2029",
    "0351-6000\u202e001",
    "甲\u200b县",
    "\u2066\u2069",
    "PT" + "9" * 400 + "M",
    "P" + "9" * 40 + "Y",
    "9" * 5000,
    -(10**200),
    1e308,
    "١.٠",
    "PT٣٠M",
    "22:30",
    "0755",
]

#: raw text a hostile plan can carry (inserted by :func:`mutate_text`)
HOSTILE_SNIPPETS = [
    "\x00",
    "\x1b[2J",
    "\x07",
    "\x7f",
    "\x85",
    "\u202e",
    "\u200b",
    "\u2028",
    "\ufeff",
    "：",
    "9" * 400,
    "1" * 5000,
    "٣٠",
    " *a",
    " &a [*a]",
    "\n::error::x\n",
]

#: file names that broke output before issue #9 (bytes: not all are valid UTF-8)
HOSTILE_NAMES = [
    "预案.yaml".encode("gbk"),
    b"plan\x1b[31m.yaml",
    b"plan\n::error::x.yaml",
    b"-rf.yaml",
    "\u202eplan.yaml".encode(),
    b"a" * 200 + b".yaml",
    b"plan\xff\xfe.yaml",
]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        node = node[p]
    return node


def mutate_data(data: dict[str, Any], rng: random.Random, steps: int = 3) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for _ in range(steps):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = rng.choice(paths)
        parent = _get(data, path[:-1])
        key = path[-1]
        op = rng.randrange(5)
        if op == 0:  # delete
            del parent[key]
        elif op == 1:  # duplicate a list item or copy a value elsewhere
            if isinstance(parent, list):
                parent.insert(key, copy.deepcopy(parent[key]))
            else:
                parent[key + "_copy"] = copy.deepcopy(parent[key])
        elif op == 2:  # retype
            parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif op == 3 and isinstance(parent, list):  # reorder
            rng.shuffle(parent)
        else:  # swap in a value from elsewhere in the plan
            other = _get(data, rng.choice(paths))
            parent[key] = copy.deepcopy(other)
    return data


def mutate_text(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    op = rng.randrange(7)
    if op == 5:  # a hostile character or number at a random place
        pos = rng.randrange(len(text) + 1)
        return text[:pos] + rng.choice(HOSTILE_SNIPPETS) + text[pos:]
    if op == 6:  # a number or a key separator turned into something else
        import re

        spots = [m.span() for m in re.finditer(r"\d+|: ", text)]
        if spots:
            a, b = rng.choice(spots)
            new = rng.choice(["9" * 400, "١٢", "：", "0755", "22:30", "yes", "1e999"])
            return text[:a] + new + text[b:]
    if op == 0 and lines:
        del lines[rng.randrange(len(lines))]
    elif op == 1 and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif op == 2 and lines:
        i = rng.randrange(len(lines))
        lines[i] = rng.choice(["\t", "  ", "- ", ": ", "&a ", "*a ", "!!str ", "? "]) + lines[i]
    elif op == 3:
        pos = rng.randrange(len(text) + 1)
        junk = "".join(
            chr(
                rng.choice(
                    [
                        rng.randrange(32, 127),
                        rng.randrange(0x4E00, 0x9FA5),
                        rng.randrange(0, 32),
                        rng.randrange(0x10000, 0x10FFFF),
                    ]
                )
            )
            for _ in range(rng.randint(1, 8))
        )
        return text[:pos] + junk + text[pos:]
    else:
        cut = rng.randrange(len(text) + 1)
        return text[:cut]
    return "".join(lines)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
