"""Repository configuration (planctl.yaml): profile, rule selection, severities.

A plan repository shared by several regions agrees once on how strict CI is;
the file sits at the repository root and is found from the working directory
upwards. Unknown keys are an error, not a silent no-op.

The file is checked against ``schemas/config/config.schema.json`` — the same
schema ``planctl schema config`` gives editors — and only what a schema cannot
know (rule codes, rule packs, profiles, protected codes) is checked here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from planctl.findings import Severity

CONFIG_NAMES = ("planctl.yaml", ".planctl.yaml")


class ConfigError(Exception):
    """The configuration cannot be used; the CLI exits 2 with this message."""


@dataclass
class Config:
    path: Path | None = None
    profile: str | None = None
    fail_on: str = "error"
    lang: str | None = None
    contact_max_age_months: int = 6
    #: policy, not law: a resource stock not counted for this long is stale (RES003)
    inventory_max_age_months: int = 12
    #: policy default joint training cycle where a plan sets none (PRE003)
    training_cycle_months: int = 12
    #: how long before the pollutant arrives a target's owner must be told (TGT001, policy)
    notice_margin: str = "PT1H"
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    #: registries every plan of the repository uses, relative to this file; a plan's
    #: own ``registries:`` add to them (planctl.registry.resolve)
    registries: list[str] = field(default_factory=list)
    #: an office's own letterhead/styles DOCX, relative to this file (``render``)
    reference_docx: str | None = None

    def enabled(self, code: str) -> bool:
        if is_protected(code):  # a file that could not be checked always says so
            return True
        if self.select and not any(code.startswith(s) for s in self.select):
            return False
        return not any(code.startswith(s) for s in self.ignore)


#: a configuration is a few lines; anything larger is not one (and /dev/zero never ends)
MAX_CONFIG_BYTES = 256 * 1024


def search_root(start: Path) -> Path:
    """Where the upward search for a configuration stops.

    At the git root when ``start`` is inside a repository; otherwise at
    ``start`` itself, or at the working directory when that is an ancestor
    of it. A stray planctl.yaml in a shared /tmp must not steer every run below it.
    """
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    cwd = Path.cwd().resolve()
    return cwd if here.is_relative_to(cwd) else here


def find(start: Path | None = None) -> Path | None:
    """The configuration for plans in ``start`` (a folder or a plan file), or None.

    Searched from the plan's own folder upwards to :func:`search_root`. Both
    planctl.yaml and .planctl.yaml in one folder is refused: one would
    silently win. A link to a file outside the search root is refused too.
    """
    start = Path(start) if start is not None else Path.cwd()
    if not start.is_dir():
        start = start.parent
    here = start.resolve()
    root = search_root(here)
    for folder in (here, *here.parents):
        present = [
            folder / n for n in CONFIG_NAMES if (folder / n).is_symlink() or (folder / n).exists()
        ]
        if len(present) > 1:
            raise ConfigError(
                f"{folder}: both planctl.yaml and .planctl.yaml exist; keep one "
                "(两个配置文件并存，请只保留一个)"
            )
        if present:
            found = present[0]
            if found.is_symlink() and not found.resolve().is_relative_to(root):
                raise ConfigError(
                    f"{found}: links to a file outside {root}; not read "
                    "(配置文件链接到仓库之外，未读取)"
                )
            return found
        if folder == root:
            break
    return None


def load(path: Path | None) -> Config:
    if path is None:
        return Config()
    from planctl.loader import load_text, read_plan_bytes
    from planctl.textsafe import escape_terminal

    # a link the user named, or one find() checked stays in the repository, is followed;
    # the file itself is then opened without following links (no swap after this point)
    target = path.resolve() if path.is_symlink() else path
    try:
        raw = read_plan_bytes(target, MAX_CONFIG_BYTES)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror or exc}") from None
    if raw is None:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KB; not a configuration")
    from planctl.loader import LoadProblem, decode

    try:
        text = decode(raw)
    except LoadProblem as err:
        raise ConfigError(
            f"{path}:{err.line}:{err.col}: not UTF-8 text ({err.params.get('encoding')}); "
            "save it as UTF-8 (请以 UTF-8 编码保存)"
        ) from None
    doc = load_text(text, path)  # same loader as plans: duplicate keys and tags are errors
    if doc.error is not None and doc.error.code != "YAML007":
        from planctl.check import load_findings

        [f] = load_findings(doc)
        raise ConfigError(f"{path}:{f.line}:{f.col}: {escape_terminal(f.text('en'))}")
    data = {} if doc.data is None else doc.data
    _check_schema(path, doc, data)
    cfg = Config(path=path, **data)
    from planctl import profiles
    from planctl.plugins import canonical
    from planctl.rules import registry

    def at(where: tuple[str | int, ...], key: bool = False) -> str:
        mark = doc.source.key(where) if key else doc.source.value(where)
        return f"{path}:{mark.line}:{mark.col}"

    # rule codes are only needed to check entries naming them: a configuration without
    # any leaves the rules unloaded (a render served from the cache needs none)
    if cfg.select or cfg.ignore or cfg.severity:
        codes = [r.code for r in registry]
        for key in ("select", "ignore"):
            cleaned = []
            for i, item in enumerate(getattr(cfg, key)):
                text = canonical(item)  # a renamed rule's old code follows its redirect
                # a mistyped entry would silently switch every check on or off
                if not any(code.startswith(text) for code in codes):
                    raise ConfigError(
                        f"{at((key, i))}: {key} entry {item!r} matches no rule (see `planctl rules`)"
                    )
                cleaned.append(text)
            setattr(cfg, key, cleaned)
        severity = {}
        for code, sev in cfg.severity.items():
            if canonical(code) not in codes:
                raise ConfigError(
                    f"{at(('severity', code), key=True)}: severity for unknown rule {code!r}"
                )
            severity[canonical(code)] = sev
        cfg.severity = severity
        _refuse_silencing(at, cfg, {r.code: r.layer for r in registry})
    _check_registries(path, at, cfg)
    if cfg.profile is not None and cfg.profile not in profiles.available():
        raise ConfigError(
            f"{at(('profile',))}: unknown legal profile {cfg.profile!r} "
            f"(available: {', '.join(profiles.available())})"
        )
    return cfg


def _check_registries(path: Path, at: Callable[[tuple[str | int, ...]], str], cfg: Config) -> None:
    """Each listed registry exists and lies inside the repository (the root check of every link).

    A wrong entry here would make every plan's ``use`` fail with the same finding;
    said once, at the configuration's own line, it is one fix.
    """
    base = path.parent
    root = search_root(base)
    for i, rel in enumerate(cfg.registries):
        target = Path(rel) if Path(rel).is_absolute() else base / rel
        try:
            real = target.resolve()
        except (OSError, RuntimeError):  # a link loop
            real = None
        if real is None or not real.is_relative_to(root):
            raise ConfigError(
                f"{at(('registries', i))}: registry {rel!r} lies outside the repository "
                f"({root}); not read (登记册位于仓库之外，未读取)"
            )
        if not real.is_file():
            raise ConfigError(
                f"{at(('registries', i))}: registry {rel!r} does not exist "
                "(登记册文件不存在；路径相对于本配置文件)"
            )


#: findings that mean "this file could not be checked at all": never configurable
PROTECTED_LAYERS = ("yaml", "schema")
#: a plan whose registry entries could not be resolved was not checked either
PROTECTED_CODES = ("PTH001", "INT001", "PTH002", "REG002", "REG003", "REG004")


def is_protected(code: str) -> bool:
    return code.startswith(("YAML", "SCH")) or code in PROTECTED_CODES


def _refuse_silencing(
    at: Callable[[tuple[str | int, ...], bool], str], cfg: Config, layers: dict[str, str]
) -> None:
    """A config must not turn an unreadable or malformed plan into "no problems found".

    YAML and schema errors stop the rules from running; ignoring or
    downgrading them would hide both the error and the fact that nothing was
    checked. The same holds for unreadable paths and internal errors.
    """
    protected = sorted(
        c for c, layer in layers.items() if layer in PROTECTED_LAYERS or is_protected(c)
    )
    for code in protected:
        i = next((i for i, s in enumerate(cfg.ignore) if code.startswith(s)), None)
        if i is not None:
            entry = cfg.ignore[i]
            raise ConfigError(
                f"{at(('ignore', i), False)}: ignore entry {entry!r} would switch off {code}; YAML, schema, path and internal "
                "errors cannot be ignored (YAML/schema 错误不能忽略：它们表示文件无法检查)"
            )
        if code in cfg.severity and cfg.severity[code] != "error":
            raise ConfigError(
                f"{at(('severity', code), True)}: severity of {code} cannot be changed; YAML, schema, path and internal "
                "errors are always errors (YAML/schema 错误不能降级)"
            )


def notice_margin_minutes(cfg: Config) -> float | None:
    """The configured notice margin in minutes; None when it is not a duration."""
    from planctl import durations

    try:
        return durations.minutes(cfg.notice_margin)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def as_dict(cfg: Config) -> dict[str, Any]:
    return {k: getattr(cfg, k) for k in KEYS}


# -- the configuration schema ------------------------------------------------------------
#: the keys a planctl.yaml may have, in the order of the schema
KEYS = tuple(f.name for f in fields(Config) if f.name != "path")


def schema_path() -> Path:
    """``config.schema.json``: inside the installed package, or the source tree."""
    packaged = resources.files("planctl") / "schemas" / "config" / "config.schema.json"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "schemas" / "config" / "config.schema.json"


@lru_cache(maxsize=1)
def config_schema() -> dict[str, Any]:
    """The configuration schema: it checks planctl.yaml and gives editors completion."""
    data: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def _fast() -> Any:
    """A compiled yes/no check (fastjsonschema, as for plans); jsonschema only explains.

    Its code is cached on disk by schema hash, as the plan's: compiling took ~10 ms
    of every run that reads a planctl.yaml."""
    from planctl.fastschema import compiled

    schema = dict(config_schema())
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    schema.pop("$id", None)
    return compiled("config", schema)


def _check_schema(path: Path, doc: Any, data: Any) -> None:
    """Raise ConfigError at file:line:col for the first schema error in the file.

    The wording comes from the schema's ``x-planctl.message`` (English, then
    Chinese), so the file that checks the configuration also says what is wrong;
    an unknown key is named with the allowed keys and a close match.
    """
    try:
        _fast()(data)
        return
    except Exception:  # JsonSchemaException: let jsonschema say where and what
        pass
    import jsonschema

    from planctl.textsafe import escape_terminal

    validator = jsonschema.Draft202012Validator(config_schema())
    located = []
    for err in validator.iter_errors(data):
        where = tuple(err.absolute_path)
        key_name: Any = None
        if "propertyNames" in err.schema_path:
            key_name = err.instance  # a bad key: point at the key itself
            mark = doc.source.key((*where, key_name))
            message = _message(err, where, key_name)
        elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = list(err.schema.get("properties", {}))
            key_name = next(k for k in err.instance if k not in allowed)
            mark = doc.source.key((*where, key_name))
            import difflib  # only for a suggestion: kept off the start-up path

            close = difflib.get_close_matches(str(key_name), allowed, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            message = (
                f"unknown key '{escape_terminal(str(key_name))}'{hint} (allowed: {', '.join(allowed)}) "
                "(未知的配置键)"
            )
        else:
            mark = doc.source.value(where)
            message = _message(err, where, err.instance)
        located.append(((mark.line, mark.col), message, mark))
    if not located:  # the two validators disagree: say so rather than pass silently
        raise ConfigError(f"{path}: does not match the configuration schema")
    (_, message, mark) = min(located, key=lambda x: x[0])
    raise ConfigError(f"{path}:{mark.line}:{mark.col}: {message}")


def _message(err: Any, where: tuple[Any, ...], value: Any) -> str:
    """The failing schema node's own ``x-planctl.message``, filled in; a plain one if none."""
    from planctl.textsafe import escape_terminal

    key = next((str(p) for p in reversed(where) if isinstance(p, str)), "configuration")
    shown = escape_terminal(str(value)[:60])
    text = (
        (err.schema.get("x-planctl") or {}).get("message") if isinstance(err.schema, dict) else None
    )
    if text is None:
        return f"'{key}': {escape_terminal(err.message)}"
    en = text["en"].format(key=key, value=shown)
    zh = text["zh"].format(key=key, value=shown)
    return f"{en} ({zh})"
