"""Repository configuration (planctl.yaml): profile, rule selection, severities.

A plan repository shared by several regions agrees once on how strict CI is;
the file sits at the repository root and is found from the working directory
upwards. Unknown keys are an error, not a silent no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planctl.findings import SEVERITIES

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
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    #: an office's own letterhead/styles DOCX, relative to this file (``render``)
    reference_docx: str | None = None

    def enabled(self, code: str) -> bool:
        if is_protected(code):  # a file that could not be checked always says so
            return True
        if self.select and not any(code.startswith(s) for s in self.select):
            return False
        return not any(code.startswith(s) for s in self.ignore)


_KEYS = {
    "profile": str,
    "fail_on": str,
    "lang": str,
    "contact_max_age_months": int,
    "select": list,
    "ignore": list,
    "severity": dict,
    "exclude": list,
    "reference_docx": str,
}


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
    raw = doc.data or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: configuration must be a mapping")
    cfg = Config(path=path)
    for key, value in raw.items():
        if key not in _KEYS:
            raise ConfigError(f"{path}: unknown key '{key}' (allowed: {', '.join(_KEYS)})")
        if not isinstance(value, _KEYS[key]):
            raise ConfigError(f"{path}: '{key}' must be {_KEYS[key].__name__}")
        setattr(cfg, key, value)
    if cfg.fail_on not in SEVERITIES:
        raise ConfigError(f"{path}: fail_on must be one of {', '.join(SEVERITIES)}")
    for code, sev in cfg.severity.items():
        if sev not in SEVERITIES:
            raise ConfigError(f"{path}: severity of {code} must be one of {', '.join(SEVERITIES)}")
    for key in ("select", "ignore", "exclude"):
        if not all(isinstance(x, str) for x in getattr(cfg, key)):
            raise ConfigError(f"{path}: {key} must be a list of text")
    if any(not x.strip() for x in cfg.exclude):
        raise ConfigError(f"{path}: exclude has an empty pattern (an unset variable?)")
    from planctl import profiles
    from planctl.plugins import canonical
    from planctl.rules import registry

    codes = [r.code for r in registry]
    for key in ("select", "ignore"):
        cleaned = []
        for item in getattr(cfg, key):
            text = canonical(str(item))  # a renamed rule's old code follows its redirect
            # an empty or mistyped entry would silently switch every check on or off
            if not text or not any(code.startswith(text) for code in codes):
                raise ConfigError(
                    f"{path}: {key} entry {item!r} matches no rule (see `planctl rules`)"
                )
            cleaned.append(text)
        setattr(cfg, key, cleaned)
    severity = {}
    for code, sev in cfg.severity.items():
        if canonical(str(code)) not in codes:
            raise ConfigError(f"{path}: severity for unknown rule {code!r}")
        severity[canonical(str(code))] = sev
    cfg.severity = severity
    _refuse_silencing(path, cfg, {r.code: r.layer for r in registry})
    if cfg.lang is not None and cfg.lang not in ("zh", "en"):
        raise ConfigError(f"{path}: lang must be zh or en, not {cfg.lang!r}")
    if cfg.profile is not None and cfg.profile not in profiles.available():
        raise ConfigError(
            f"{path}: unknown legal profile {cfg.profile!r} (available: {', '.join(profiles.available())})"
        )
    if isinstance(cfg.contact_max_age_months, bool) or not 1 <= cfg.contact_max_age_months <= 120:
        raise ConfigError(f"{path}: contact_max_age_months must be a whole number from 1 to 120")
    return cfg


#: findings that mean "this file could not be checked at all": never configurable
PROTECTED_LAYERS = ("yaml", "schema")
PROTECTED_CODES = ("PTH001", "INT001")


def is_protected(code: str) -> bool:
    return code.startswith(("YAML", "SCH")) or code in PROTECTED_CODES


def _refuse_silencing(path: Path, cfg: Config, layers: dict[str, str]) -> None:
    """A config must not turn an unreadable or malformed plan into "no problems found".

    YAML and schema errors stop the rules from running; ignoring or
    downgrading them would hide both the error and the fact that nothing was
    checked. The same holds for unreadable paths and internal errors.
    """
    protected = sorted(
        c for c, layer in layers.items() if layer in PROTECTED_LAYERS or is_protected(c)
    )
    for code in protected:
        entry = next((s for s in cfg.ignore if code.startswith(s)), None)
        if entry is not None:
            raise ConfigError(
                f"{path}: ignore entry {entry!r} would switch off {code}; YAML, schema, path and internal "
                "errors cannot be ignored (YAML/schema 错误不能忽略：它们表示文件无法检查)"
            )
        if code in cfg.severity and cfg.severity[code] != "error":
            raise ConfigError(
                f"{path}: severity of {code} cannot be changed; YAML, schema, path and internal "
                "errors are always errors (YAML/schema 错误不能降级)"
            )


def as_dict(cfg: Config) -> dict[str, Any]:
    return {k: getattr(cfg, k) for k in _KEYS}
