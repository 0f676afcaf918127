"""Shared registries: parties and resources defined once, used by many plans.

A province keeps dozens of joint plans that name the same parties, the same
duty lines and the same stocks. Written out in every plan they drift apart
(one plan keeps last year's duty phone) and the stock is promised five times
over. A registry is a YAML file marked ``planctl-registry: 1`` that holds
``parties`` and ``resources`` in exactly the plan's own shape; a plan lists the
registries it uses under ``registries:`` (paths relative to the plan) and
writes ``- use: ID`` where it would write the whole entry. Fields written next
to ``use`` override the registry's (a plan's ``roles``, or the ``quantity`` it
commits out of the registry's stock).

The entries are merged into the plan's data before the schema and the rules
run, so every rule, the renderer and ``diff`` see one complete plan. A finding
on a merged field points at the plan's ``use`` line and names the registry
entry (file, line and id). A registry is read only inside the repository
(the same root as the configuration search), and parsed once per run.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from planctl.findings import FileResult, Finding, display_path
from planctl.loader import Document, PathT, SourceMap, load_file
from planctl.placeholders import is_placeholder

#: the top-level key that marks a registry file (``planctl:`` marks a plan)
MARKER = "planctl-registry"
#: the sections a registry holds, in the plan's own shape
SECTIONS = ("parties", "resources")
_WORD = {
    "parties": {"zh": "参与方", "en": "party"},
    "resources": {"zh": "资源", "en": "resource"},
}


@dataclass
class RegistryFile:
    """One parsed registry: its entries by id, where they are, and its own problems."""

    path: Path
    shown: str
    is_registry: bool
    #: section -> id -> index of the entry in that section
    index: dict[str, dict[str, int]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    source: SourceMap = field(default_factory=SourceMap)
    #: problems of the file itself (YAML, schema, duplicates), found once
    findings: list[Finding] = field(default_factory=list)

    def entry(self, section: str, entry_id: str) -> dict[str, Any]:
        return self.data[section][self.index[section][entry_id]]

    def line_of(self, section: str, entry_id: str, rest: PathT = ()) -> int:
        return self.source.value((section, self.index[section][entry_id], *rest)).line


#: resolved path -> (stat key, parsed registry); a registry is parsed once per run
_CACHE: dict[Path, tuple[tuple[int, int, int], RegistryFile]] = {}


def entries(
    data: Any, sections: tuple[str, ...] = SECTIONS
) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """Each mapping under ``parties`` and ``resources`` of a plan or a registry, with its
    section and index: the one walk that registry checks, ``use`` resolution and the
    cross-plan facts share. What is not a mapping is passed over (the schema reports it)."""
    if not isinstance(data, dict):
        return
    for section in sections:
        items = data.get(section)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    yield section, i, item


def is_registry_data(data: Any) -> bool:
    return isinstance(data, dict) and MARKER in data


def check_registry_doc(doc: Document) -> list[Finding]:
    """Problems of a registry file at its own lines: YAML, schema, duplicate ids, ``use``."""
    from planctl.check import load_findings
    from planctl.rules import registry as rules

    findings = load_findings(doc)
    if doc.data is None:
        return findings
    findings += _schema_findings(doc)
    first: dict[tuple[str, str], int] = {}  # (section, id) -> index of its first entry
    for section, i, item in entries(doc.data):
        if "use" in item:
            mark = doc.source.key((section, i, "use"))
            findings.append(
                rules.get("REG006").finding(
                    file=doc.path,
                    line=mark.line,
                    col=mark.col,
                    json_path=(section, i, "use"),
                    params={"id": str(item["use"])},
                    span=3,
                )
            )
        entry_id = item.get("id")
        if not isinstance(entry_id, str) or is_placeholder(entry_id):
            continue
        if (section, entry_id) in first:
            mark = doc.source.value((section, i, "id"))
            findings.append(
                rules.get("REG001").finding(
                    file=doc.path,
                    line=mark.line,
                    col=mark.col,
                    json_path=(section, i, "id"),
                    params={
                        "id": entry_id,
                        "what": _WORD[section],
                        "first": doc.source.value((section, first[(section, entry_id)], "id")).line,
                    },
                    span=len(entry_id),
                )
            )
        else:
            first[(section, entry_id)] = i
    return findings


def _schema_findings(doc: Document) -> list[Finding]:
    from planctl import schema

    if is_valid_fast(doc.data):
        return []  # jsonschema (~50 ms to import, slow to walk) only words the errors
    errors = schema._flatten(list(registry_validator().iter_errors(doc.data)))
    out: list[Finding] = []
    seen: set[tuple[Any, ...]] = set()
    for err in errors:
        for f in schema._to_findings(doc, err):
            key = (f.code, f.line, f.col, f.message["en"])
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def is_valid_fast(data: Any) -> bool:
    """Whether ``data`` passes the registry schema, by the compiled check plans use
    (:func:`planctl.schema.fast_validator`); False when unsure (jsonschema decides)."""
    global _FAST
    try:
        if _FAST is None:
            from planctl import schema
            from planctl.fastschema import compiled

            bundled = schema.bundled_schema("registry")
            bundled["$schema"] = "http://json-schema.org/draft-07/schema#"
            bundled.pop("$id", None)
            _FAST = compiled("registry", bundled)
        _FAST(data)
    except Exception:  # invalid, or no compiled check: the full validator answers
        return False
    return True


_FAST: Any = None


def registry_validator() -> Any:
    """The registry schema (schemas/registry.schema.json) with the plan's section schemas."""
    global _VALIDATOR
    if _VALIDATOR is None:
        import jsonschema

        from planctl import schema

        _, reg = schema._load()
        root = reg.contents("https://planctl.dev/schemas/registry.schema.json")
        _VALIDATOR = jsonschema.Draft202012Validator(
            root, registry=reg, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
    return _VALIDATOR


_VALIDATOR: Any = None


def check_registry(doc: Document, config: Any = None) -> FileResult:
    """A registry file checked in its own right (``planctl validate`` of a repository)."""
    from planctl.check import configured
    from planctl.config import Config

    config = config or Config()
    raw = check_registry_doc(doc)
    checked = not any(f.code.startswith(("YAML", "SCH")) for f in raw)
    findings = configured(doc, raw, config)
    findings = sorted(
        (replace(f, file=display_path(f.file)) for f in findings), key=Finding.sort_key
    )
    return FileResult(display_path(doc.path), findings, checked, doc.lines)


def load(path: Path) -> RegistryFile:
    """The registry at ``path`` (resolved, inside the repository), parsed once per run."""
    st = path.stat()
    key = (st.st_mtime_ns, st.st_size, st.st_ino)
    hit = _CACHE.get(path)
    if hit is not None and hit[0] == key:
        return hit[1]
    doc = load_file(path)
    reg = RegistryFile(path=path, shown=display_path(path), is_registry=is_registry_data(doc.data))
    if reg.is_registry:
        reg.findings = [f for f in check_registry_doc(doc) if f.severity == "error"]
        reg.source = doc.source
        for section in SECTIONS:
            items = doc.data.get(section)
            reg.data[section] = items if isinstance(items, list) else []
            reg.index[section] = {}
        for section, i, item in entries(doc.data):
            if isinstance(item.get("id"), str):
                reg.index[section].setdefault(item["id"], i)
    elif doc.error is not None:
        from planctl.check import load_findings

        reg.findings = load_findings(doc)
    _CACHE[path] = (key, reg)
    return reg


def _root(folder: Path) -> Path:
    from planctl.config import search_root

    return search_root(folder if str(folder) else Path("."))


def resolve(doc: Document, config: Any = None) -> list[Finding]:
    """Merge the registry entries a plan uses into its data, in place; problems as findings.

    The registries searched are the repository's (``registries:`` in planctl.yaml,
    relative to that file: ``config`` when it was read from a file, else the
    configuration found from the plan's folder) followed by the plan's own
    ``registries:`` (relative to the plan). The plan's list adds to the
    repository's, it does not replace it; a file named in both is read once.

    Idempotent: a document is resolved once, and a later call returns the same
    findings (render resolves the plan before it is checked, here or in a forked
    child, or served from the cache). Entries that cannot be resolved stay as
    written (``use`` only), so the schema accepts them and the REG finding is the
    one message.
    """
    if doc.resolved:
        return list(doc.resolve_findings)
    if not isinstance(doc.data, dict):
        return []
    doc.resolved = True
    doc.resolve_findings = _resolve(doc, config)
    return list(doc.resolve_findings)


def _resolve(doc: Document, config: Any) -> list[Finding]:
    data = doc.data
    findings: list[Finding] = []
    used = _uses(data)
    declared = data.get("registries")
    if not used and not declared:
        return []
    registries: list[tuple[int, RegistryFile]] = []
    seen: set[Path] = set()
    failed = False
    if used:
        # the repository's registries matter only to a plan that uses an entry; their
        # problems are told at the first ``use`` line (the plan names no file itself)
        section, i, _ = used[0]
        where: PathT = (section, i, "use")
        before = len(findings)
        base, listed, shown = _repository_registries(doc, config, where, findings)
        failed = len(findings) > before  # the configuration itself could not be read
        for rel in listed:
            assert base is not None
            got = _open(doc, where, rel, base, findings, shown=f"{shown}: {rel}")
            if got is not None and got.path not in seen:
                seen.add(got.path)
                registries.append((-1, got))
            failed = failed or got is None
    if isinstance(declared, list):
        for i, rel in enumerate(declared):
            if not isinstance(rel, str) or not rel.strip() or is_placeholder(rel):
                continue
            got = _open(doc, ("registries", i), rel, doc.path.parent, findings)
            if got is not None and got.path not in seen:
                seen.add(got.path)
                registries.append((i, got))
            failed = failed or got is None
    for section, i, wanted in used:
        hits = [(n, r) for n, r in registries if wanted in r.index.get(section, {})]
        if not hits and failed:
            continue  # it may be in the registry that could not be read: one finding says so
        if len(hits) != 1:
            findings.append(_unresolved(doc, section, i, wanted, [r for _, r in hits], registries))
            continue
        _, reg = hits[0]
        _merge(doc, section, i, wanted, reg)
    return findings


#: configuration file -> (stat key, folder its registries are relative to, the list, shown)
_REPO_CACHE: dict[Path, tuple[tuple[int, int, int], Path, list[str], str]] = {}


def _repository_registries(
    doc: Document, config: Any, where: PathT, findings: list[Finding]
) -> tuple[Path | None, list[str], str]:
    """The registries the repository's planctl.yaml lists for this plan.

    ``config`` when it was read from a file (the run's configuration); else the
    one found from the plan's folder (a library caller, ``render``, ``diff``).
    """
    if config is not None and getattr(config, "path", None) is not None:
        return config.path.parent, list(config.registries), display_path(config.path)
    from planctl import config as config_mod

    folder = doc.path.parent if str(doc.path.parent) else Path(".")
    try:
        found = config_mod.find(folder)
        if found is None:
            return None, [], ""
        st = found.stat()
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        hit = _REPO_CACHE.get(found)
        if hit is None or hit[0] != key:
            cfg = config_mod.load(found)
            hit = (key, found.parent, list(cfg.registries), display_path(found))
            _REPO_CACHE[found] = hit
    except (config_mod.ConfigError, OSError) as exc:
        reason = {"zh": f"配置文件有误：{exc}", "en": f"the configuration is wrong: {exc}"}
        findings.append(
            _finding(doc, "REG002", where, {"target": "planctl.yaml", "reason": reason})
        )
        return None, [], ""
    return hit[1], hit[2], hit[3]


def _uses(data: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [
        (section, i, item["use"])
        for section, i, item in entries(data)
        if isinstance(item.get("use"), str) and not is_placeholder(item["use"])
    ]


def _finding(doc: Document, code: str, path: PathT, params: dict[str, Any]) -> Finding:
    from planctl.rules import registry as rules

    mark = doc.source.value(path)
    end = doc.source.end(path)
    span = end.col - mark.col if end is not None and end.line == mark.line else 1
    return rules.get(code).finding(
        file=doc.path, line=mark.line, col=mark.col, json_path=path, params=params, span=span
    )


def _open(
    doc: Document,
    where: PathT,
    rel: str,
    base: Path,
    findings: list[Finding],
    shown: str | None = None,
) -> RegistryFile | None:
    """The registry ``rel`` (relative to ``base``), or None with the finding (at ``where``)
    that says why. ``shown`` names it in that finding (the configuration's entry)."""
    target = Path(rel) if Path(rel).is_absolute() else base / rel
    root = _root(doc.path.parent)  # the plan's repository, wherever the list was written
    try:
        real = target.resolve()
    except (OSError, RuntimeError):  # a link loop
        real = None
    if real is None or not real.is_relative_to(root.resolve()):
        findings.append(_finding(doc, "PTH002", where, {"target": shown or rel}))
        return None
    reason: dict[str, str] | None = None
    reg: RegistryFile | None = None
    if not real.is_file():
        reason = {"zh": "文件不存在", "en": "no such file"}
    else:
        try:
            reg = load(real)
        except OSError as exc:
            reason = {"zh": f"无法读取（{exc.strerror}）", "en": f"cannot be read ({exc.strerror})"}
        else:
            if reg.findings:
                first = reg.findings[0]
                reason = {
                    "zh": f"登记册本身有 {len(reg.findings)} 处错误，首处在第 {first.line} 行"
                    f"（{first.code}）；请先修正登记册",
                    "en": f"the registry has {len(reg.findings)} error(s), the first at line "
                    f"{first.line} ({first.code}); fix the registry first",
                }
            elif not reg.is_registry:
                reason = {
                    "zh": f"不是登记册（缺少 {MARKER}: 1）",
                    "en": f"not a registry (no {MARKER}: 1)",
                }
    if reason is not None:
        findings.append(_finding(doc, "REG002", where, {"target": shown or rel, "reason": reason}))
        return None
    return reg


def _unresolved(
    doc: Document,
    section: str,
    i: int,
    wanted: str,
    hits: list[RegistryFile],
    registries: list[tuple[int, RegistryFile]],
) -> Finding:
    where: PathT = (section, i, "use")
    if hits:
        return _finding(
            doc,
            "REG004",
            where,
            {"id": wanted, "what": _WORD[section], "files": "、".join(r.shown for r in hits)},
        )
    known = [k for _, r in registries for k in r.index.get(section, {})]
    import difflib  # only for a suggestion: kept off the start-up path

    close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.6)
    if not registries:
        searched = {
            "zh": "本预案和 planctl.yaml 均未声明 registries",
            "en": "neither the plan nor planctl.yaml declares registries",
        }
    else:
        names = ", ".join(r.shown for _, r in registries)
        searched = {"zh": f"已查找 {names}", "en": f"searched {names}"}
    return _finding(
        doc,
        "REG003",
        where,
        {
            "id": wanted,
            "what": _WORD[section],
            "searched": searched,
            "suggest_zh": f"，是否应为“{close[0]}”？" if close else "",
            "suggest_en": f"; did you mean '{close[0]}'?" if close else "",
        },
    )


def _merge(doc: Document, section: str, i: int, wanted: str, reg: RegistryFile) -> None:
    item = doc.data[section][i]
    entry = reg.entry(section, wanted)
    merged = copy.deepcopy(entry)
    own = {k: v for k, v in item.items() if k != "use"}
    merged.update(own)
    merged.setdefault("id", wanted)
    doc.data[section][i] = merged
    origin: dict[str, Any] = {
        "registry": reg.shown,
        "path": str(reg.path),
        "id": wanted,
        "index": reg.index[section][wanted],
        "line": reg.line_of(section, wanted),
    }
    if section == "resources" and is_quantity(entry.get("quantity")):
        origin["stock"] = entry["quantity"]  # REG005 and XPL002 compare commitments with it
    doc.origins[(section, i)] = origin


def is_quantity(value: Any) -> bool:
    """A number that can be a stock or a commitment (not a bool, not a placeholder)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def annotate(doc: Document, findings: list[Finding]) -> list[Finding]:
    """Name the registry entry in findings on a field the plan took from a registry.

    Such a finding points at the plan's ``use`` line (the nearest place the
    plan wrote); the note says which registry line holds the value.
    """
    if not doc.origins:
        return findings
    out = []
    for f in findings:
        origin = doc.origins.get(tuple(f.json_path[:2])) if len(f.json_path) >= 2 else None
        if origin is None or tuple(f.json_path) in doc.source.nodes or f.code.startswith("REG"):
            out.append(f)
            continue
        section, _ = f.json_path[:2]
        rest = tuple(f.json_path[2:])
        line = origin["line"]
        hit = _CACHE.get(Path(origin["path"]))
        if hit is not None:
            line = hit[1].source.value((section, origin["index"], *rest)).line
        where = f"{origin['registry']}:{line}"
        message = {
            "zh": f"{f.message['zh']}（取自登记册 {where} 的“{origin['id']}”）",
            "en": f"{f.message['en']} (from registry entry '{origin['id']}', {where})",
        }
        out.append(replace(f, message=message))
    return out


def registry_paths(doc: Document) -> list[str]:
    """Resolved paths of the registries a resolved plan used (for result caches)."""
    return sorted({o["path"] for o in doc.origins.values()})


def clear_cache() -> None:
    """Forget parsed registries and configurations (tests, long-running editors)."""
    _CACHE.clear()
    _REPO_CACHE.clear()


__all__ = [
    "MARKER",
    "RegistryFile",
    "annotate",
    "check_registry",
    "check_registry_doc",
    "clear_cache",
    "entries",
    "is_registry_data",
    "load",
    "resolve",
]
