"""The plan's JSON Schema, compiled once, with errors mapped back to the source.

jsonschema reports errors as paths into the data; users need file:line:col
and one sentence per problem. For ``required`` we point at the mapping that
lacks the key, for an unknown key at the key itself, and anyOf/oneOf groups are
reduced with ``best_match`` so one mistake gives one message, not five.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planctl.findings import Finding
from planctl.loader import Document
from planctl.rules import registry

if TYPE_CHECKING:  # jsonschema (~40 ms to import) is loaded only for a plan that is invalid
    import jsonschema
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

_TYPE_NAMES = {
    "object": {"zh": "映射（键: 值）", "en": "a mapping"},
    "array": {"zh": "列表", "en": "a list"},
    "string": {"zh": "文本", "en": "text"},
    "integer": {"zh": "整数", "en": "an integer"},
    "number": {"zh": "数字", "en": "a number"},
    "boolean": {"zh": "true/false", "en": "true/false"},
    "null": {"zh": "空值", "en": "null"},
}


def schema_dir() -> Path:
    """Where the schemas are: inside the installed package, or the source tree."""
    packaged = resources.files("planctl") / "schemas"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "schemas"


@lru_cache(maxsize=1)
def _documents() -> dict[str, dict[str, Any]]:
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(schema_dir().glob("*.schema.json"))
    }


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Any], Registry]:
    from referencing import Registry, Resource

    docs = _documents()
    registry_ = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc)) for doc in docs.values()
    )
    return docs["plan.schema.json"], registry_


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft202012Validator:
    import jsonschema

    schema, reg = _load()
    return jsonschema.Draft202012Validator(
        schema, registry=reg, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


#: the documents a file can be: a plan, or a shared registry (planctl.registry)
ROOTS = ("plan", "registry")


def bundled_schema(root: str = "plan") -> dict[str, Any]:
    """One self-contained schema document for editors (all sections under $defs)."""
    docs = _documents()
    out = dict(docs[f"{root}.schema.json"])
    defs: dict[str, Any] = {}
    for name, doc in docs.items():
        if name.removesuffix(".schema.json") in ROOTS:
            continue
        defs[name.removesuffix(".schema.json")] = doc
    out["$defs"] = defs

    def rewrite(node: Any, current: str) -> Any:
        if isinstance(node, dict):
            new = {}
            for k, v in node.items():
                if k == "$ref" and isinstance(v, str):
                    new[k] = _rewrite_ref(v, current, root)
                elif k in ("$id", "$schema") and node is not out:
                    continue
                else:
                    new[k] = rewrite(v, current)
            return new
        if isinstance(node, list):
            return [rewrite(x, current) for x in node]
        return node

    out["properties"] = rewrite(out["properties"], root)
    out["$defs"] = {name: rewrite(doc, name) for name, doc in defs.items()}
    return out


#: what ``planctl schema KIND`` prints: the plan, planctl.yaml, or a legal profile file
SCHEMA_KINDS = ("plan", "config", "profile", "registry")


def editor_schema(kind: str = "plan") -> dict[str, Any]:
    """One self-contained schema document of ``kind`` (see :data:`SCHEMA_KINDS`).

    The same files check the input, so completion in an editor and ``validate``
    cannot disagree about what a plan, a configuration or a profile may hold.
    """
    if kind in ("plan", "registry"):
        return bundled_schema(kind)
    if kind == "config":
        from planctl.config import config_schema

        return dict(config_schema())
    if kind == "profile":
        from planctl.profiles import schema_path

        data: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
        return data
    raise ValueError(f"unknown schema kind {kind!r} (one of: {', '.join(SCHEMA_KINDS)})")


def _rewrite_ref(ref: str, current: str, root: str = "plan") -> str:
    target, _, frag = ref.partition("#")
    name = target.removesuffix(".schema.json") if target else current
    if name == root:
        return f"#{frag}" if frag else "#"
    return f"#/$defs/{name}{frag}"


def _where(path: tuple[Any, ...]) -> dict[str, str]:
    if not path:
        return {"zh": "预案顶层", "en": "the plan "}
    p = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in path).lstrip(".")
    return {"zh": f"{p} ", "en": f"{p} "}


def _type_of(value: Any) -> dict[str, str]:
    if isinstance(value, bool):
        return _TYPE_NAMES["boolean"]
    if isinstance(value, dict):
        return _TYPE_NAMES["object"]
    if isinstance(value, list):
        return _TYPE_NAMES["array"]
    if isinstance(value, int):
        return _TYPE_NAMES["integer"]
    if isinstance(value, float):
        return _TYPE_NAMES["number"]
    if value is None:
        return _TYPE_NAMES["null"]
    return {"zh": f"文本“{str(value)[:40]}”", "en": f"text '{str(value)[:40]}'"}


def _flatten(errors: list[ValidationError]) -> list[ValidationError]:
    """Replace anyOf/oneOf errors by their single most relevant sub-error."""
    from jsonschema.exceptions import best_match

    out = []
    for err in errors:
        while err.validator in ("anyOf", "oneOf") and err.context:
            # every typed field also accepts a 【待填：…】 marker; a wrong value
            # is explained by the field's real type, never by the marker's pattern
            real = [e for e in err.context if not _is_marker_branch(e)]
            err = best_match(real or err.context)
        out.append(err)
    return out


def _is_marker_branch(err: ValidationError) -> bool:
    return pattern_kind(err.schema) == "placeholder"


#: what a ``pattern`` in the schemas is for, named by its ``"x-planctl": {"kind": KIND}``
#: annotation: the wording of a mismatch follows the annotation, never the regex's text,
#: so rewriting a regex cannot silently change (or lose) the message
PATTERN_KINDS = ("placeholder", "id", "date", "duration", "version", "blank")


def pattern_kind(schema: Any) -> str | None:
    """The ``x-planctl.kind`` annotation of a schema node, if it has one."""
    if not isinstance(schema, dict):
        return None
    note = schema.get("x-planctl")
    kind = note.get("kind") if isinstance(note, dict) else None
    return kind if isinstance(kind, str) else None


@lru_cache(maxsize=1)
def fast_validator() -> Any:
    """A compiled validity check, ~15x faster than jsonschema on a valid plan.

    fastjsonschema generates Python code for the schema but speaks draft-07
    and gives terse errors; every construct our schemas use means the same in
    draft-07. So it answers only "valid?"; when the answer is no, jsonschema
    produces the readable, located findings. Tests assert both agree.

    The compiled code is cached by schema hash (:mod:`planctl.fastschema`): compiling
    it took ~100 ms of every process's start.
    """
    try:
        from planctl.fastschema import compiled
    except ImportError:  # pragma: no cover - optional speed-up
        return None
    files = sorted(schema_dir().glob("*.schema.json"))
    return compiled("plan", fast_schema, sources=[*files, Path(__file__)])


def fast_schema() -> dict[str, Any]:
    """The bundled schema as the draft-07 document fastjsonschema compiles."""
    bundled = bundled_schema()
    bundled["$schema"] = "http://json-schema.org/draft-07/schema#"
    bundled.pop("$id", None)
    return bundled


def is_valid_fast(data: Any) -> bool | None:
    """True/False from the fast validator, None when it is unavailable."""
    fast = fast_validator()
    if fast is None:
        return None
    try:
        fast(data)
    except Exception:  # JsonSchemaException, or anything odd: let jsonschema decide
        return False
    return True


def check(doc: Document) -> list[Finding]:
    """Validate a loaded document against the plan schema."""
    if doc.data is None:
        return []
    if is_valid_fast(doc.data):
        return []
    errors = _flatten(list(validator().iter_errors(doc.data)))
    findings: list[Finding] = []
    seen: set[tuple[Any, ...]] = set()
    for err in errors:
        for f in _to_findings(doc, err):
            key = (f.code, f.line, f.col, f.message["en"])
            if key not in seen:
                seen.add(key)
                findings.append(f)
    return findings


def _to_findings(doc: Document, err: ValidationError) -> list[Finding]:
    path = tuple(err.absolute_path)
    src = doc.source
    kind = err.validator
    instance = err.instance
    value: Any = err.validator_value  # typed Unset-or-Any by jsonschema; set on every error
    node: Any = err.schema

    def make(code: str, p: tuple[Any, ...], params: dict[str, Any], at_key: bool) -> Finding:
        mark = src.key(p) if at_key else src.value(p)
        span = len(str(p[-1])) if at_key and p and isinstance(p[-1], str) else 1
        return registry.get(code).finding(
            file=doc.path, line=mark.line, col=mark.col, json_path=p, params=params, span=span
        )

    if kind == "required" and isinstance(instance, dict):
        missing = [k for k in value if k not in instance]
        return [
            make("SCH001", path, {"where": _where(path), "field": k}, at_key=bool(path))
            for k in missing
        ]
    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        allowed = sorted(node.get("properties", {}))
        extras = [k for k in instance if k not in allowed]
        out = []
        for k in extras:
            import difflib  # only for a suggestion: kept off the start-up path

            close = difflib.get_close_matches(k, allowed, n=1, cutoff=0.6)
            params = {
                "field": k,
                "suggest_zh": f"，是否应为“{close[0]}”？" if close else "",
                "suggest_en": f"; did you mean '{close[0]}'?" if close else "",
                "allowed": ", ".join(allowed),
            }
            out.append(make("SCH002", (*path, k), params, at_key=True))
        return out
    note = _yaml11_note(doc, path, instance)
    if kind == "type":
        names = value if isinstance(value, list) else [value]
        exp = {
            lang: " / ".join(_TYPE_NAMES.get(n, {"zh": n, "en": n})[lang] for n in names)
            for lang in ("zh", "en")
        }
        actual = _overlong_number(doc, path, instance) or _type_of(instance)
        if note:
            actual = {lang: f"{actual[lang]}{note[lang]}" for lang in ("zh", "en")}
        return [make("SCH003", path, {"expected": exp, "actual": actual}, False)]
    zh, en, hint_zh, hint_en = _describe(err)
    if note:
        zh, en = zh + note["zh"], en + note["en"]
    params = {"detail_zh": zh, "detail_en": en, "hint_zh": hint_zh, "hint_en": hint_en}
    return [make("SCH004", path, params, False)]


_BOOL_WORDS = {"true", "false"}


def _overlong_number(doc: Document, path: tuple[Any, ...], value: Any) -> dict[str, str] | None:
    """Name a plain number the loader kept as text: an integer for its length
    (loader.MAX_INT_DIGITS), a float for being infinite or not a number. "got text
    '99999…'" hid that the user wrote a number, only far too long."""
    from planctl.loader import MAX_INT_DIGITS

    node = doc.source.nodes.get(tuple(path))
    if not isinstance(value, str) or node is None or getattr(node, "style", None) not in (None, ""):
        return None
    if getattr(node, "tag", None) == "tag:yaml.org,2002:float":  # .inf, .nan, 1e999
        return {"zh": f"{value}（不是有限的数）", "en": f"{value}, not a finite number"}
    if getattr(node, "tag", None) != "tag:yaml.org,2002:int":
        return None
    digits = sum(c.isdigit() for c in value)
    if digits <= MAX_INT_DIGITS:
        return None
    return {
        "zh": f"一个 {digits} 位的数字，位数过长（最多 {MAX_INT_DIGITS} 位）",
        "en": f"a number of {digits:,} digits, too long (at most {MAX_INT_DIGITS})",
    }


def _yaml11_note(doc: Document, path: tuple[Any, ...], value: Any) -> dict[str, str] | None:
    """Say so when YAML 1.1 turned what the user typed into something else.

    ``yes`` becomes true, ``22:30`` the number 1350 (base 60), ``0755`` the
    number 493 (octal). Reporting ``'True'`` or ``1350`` alone leaves the
    author puzzled; the fix is to quote the value.
    """
    node = doc.source.nodes.get(tuple(path))
    if (
        node is None
        or getattr(node, "style", None) not in (None, "")
        or not isinstance(node.value, str)
    ):
        return None
    text = node.value
    if len(text) > 40:
        return None
    if isinstance(value, bool) and text.lower() not in _BOOL_WORDS:
        shown = "true" if value else "false"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        plain = text.lstrip("+-")
        if not (
            ":" in plain
            or "_" in plain
            or plain[:2].lower() in ("0x", "0b", "0o")
            or (len(plain) > 1 and plain[0] == "0" and plain[1].isdigit())
        ):
            return None
        shown = str(value)
    else:
        return None
    return {
        "zh": f"（YAML 1.1 把 {text} 读作 {shown}；如需原样文本请加引号：'{text}'）",
        "en": f" (YAML 1.1 reads {text} as {shown}; quote it to keep the text: '{text}')",
    }


def _describe(err: ValidationError) -> tuple[str, str, str, str]:
    """Bilingual detail and hint for value-level schema errors."""
    kind, inst = err.validator, err.instance
    value: Any = err.validator_value  # typed Unset-or-Any by jsonschema; set on every error
    shown = str(inst)[:60]
    if kind == "enum":
        opts = ", ".join(str(v) for v in value)
        return (
            f"“{shown}”不在允许的取值中",
            f"'{shown}' is not one of the allowed values",
            f"可选：{opts}",
            f"Allowed: {opts}",
        )
    if kind == "const":
        return (f"应为 {value}", f"must be {value}", f"写作 {value}", f"Write {value}")
    if kind == "pattern":
        what = pattern_kind(err.schema)
        if what == "duration" and re.search(r"[0-9]{7}", str(inst)):
            return (
                f"“{shown}”数值过大",
                f"'{shown}' is too large",
                "时长每一项最多 6 位数字，如 PT30M、P5D",
                "Each part of a duration has at most 6 digits (PT30M, P5D)",
            )
        if what == "duration":
            return (
                f"“{shown}”不是 ISO 8601 时长",
                f"'{shown}' is not an ISO 8601 duration",
                "时长写作 PT30M（30分钟）、PT2H（2小时）、P1D（1天）、P3Y（3年）",
                "Write durations as PT30M (30 min), PT2H (2 h), P1D (1 day), P3Y (3 years)",
            )
        if what == "date":
            return (
                f"“{shown}”不是日期",
                f"'{shown}' is not a date",
                "日期写作 2024-01-05",
                "Write dates as 2024-01-05",
            )
        if what == "version":
            return (
                f"“{shown}”不是版本号",
                f"'{shown}' is not a version",
                "版本号用半角数字，如 1.0、2.1.3",
                "Write versions with ASCII digits, e.g. 1.0 or 2.1.3",
            )
        if what == "id":
            return (
                f"“{shown}”不能作为标识符",
                f"'{shown}' is not a valid id",
                "标识符以字母开头，只含字母、数字、_ . -，如 hb-eco、N-01",
                "Ids start with a letter and use letters, digits, _ . - (e.g. hb-eco, N-01)",
            )
        if what == "blank":
            return ("不能只有空白", "must not be blank", "填写具体内容", "Fill in the text")
        return (
            f"“{shown}”格式不符（{value}）",
            f"'{shown}' does not match {value}",
            "按字段说明改写",
            "Rewrite as documented",
        )
    if kind == "format":
        return (
            f"“{shown}”不是有效的{value}",
            f"'{shown}' is not a valid {value}",
            "日期写作 2024-01-05，且须真实存在",
            "Write a real calendar date, e.g. 2024-01-05",
        )
    if kind in ("minItems", "maxItems"):
        n = len(inst) if isinstance(inst, list) else 0
        more = "至少" if kind == "minItems" else "至多"
        word = "at least" if kind == "minItems" else "at most"
        return (
            f"列表有 {n} 项，应{more} {value} 项",
            f"the list has {n} item(s), needs {word} {value}",
            "补充或删减列表项",
            "Add or remove items",
        )
    if kind == "uniqueItems":
        return ("列表中有重复项", "the list has duplicate items", "删除重复项", "Remove duplicates")
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return (
            f"{shown} 超出允许范围（{kind} {value}）",
            f"{shown} is out of range ({kind} {value})",
            "填写合理的数值",
            "Use a value in range",
        )
    if kind == "minLength":
        return ("不能为空", "must not be empty", "填写具体内容", "Fill in the text")
    return (err.message, err.message, "按字段说明改写", "Rewrite as documented")
