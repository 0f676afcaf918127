"""Rule packs: a province's or an agency's own rules and legal profiles, as a package.

A pack is an ordinary Python distribution that declares an entry point in the
``planctl.rules`` group::

    [project.entry-points."planctl.rules"]
    henan = "planctl_rules_henan"

Importing the named module registers its rules with the same
:func:`planctl.rules.base.rule` call the built-in rules use; a module-level
``PROFILES`` (a directory of profile YAML files) adds legal profiles. Pack
codes carry a namespace, ``HN-MNT101``: upper-case letters and digits, a
hyphen, then a code like the built-in ones. The suppression comment, config
``select``/``ignore`` prefixes (``HN-`` selects the whole pack) and
``planctl explain`` accept that form; a pack cannot take or shadow a built-in
code. A pack that fails to load is reported, never fatal:
the built-in rules still run. ``PLANCTL_NO_PLUGINS=1`` skips packs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from planctl.loader import safe_load

GROUP = "planctl.rules"
#: a pack's code: NAMESPACE-CODE, e.g. HN-MNT101
PACK_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,7}-[A-Z]{1,8}\d{1,4}$")


@dataclass
class Pack:
    name: str
    module: str
    distribution: str | None
    codes: list[str] = field(default_factory=list)
    profiles: Path | None = None


PACKS: list[Pack] = []
ERRORS: list[str] = []
_STATE = {"loaded": False}


def load() -> None:
    """Load every installed pack once (called when planctl.rules is imported)."""
    if _STATE["loaded"]:
        return
    _STATE["loaded"] = True
    if os.environ.get("PLANCTL_NO_PLUGINS", "").strip() not in ("", "0"):
        return
    try:
        eps = list(metadata.entry_points(group=GROUP))
    except Exception as exc:  # a broken installation must not stop planctl
        ERRORS.append(f"cannot list rule packs: {exc}")
        return
    for ep in sorted(eps, key=lambda e: e.name):
        load_entry_point(ep)


def load_entry_point(ep: Any) -> Pack | None:
    from planctl.rules.base import registry

    before = {r.code for r in registry}
    dist = getattr(getattr(ep, "dist", None), "name", None)
    where = f"rule pack {ep.name!r}" + (f" ({dist})" if dist else "")
    try:
        obj = ep.load()
        if callable(obj) and not hasattr(obj, "__path__") and not hasattr(obj, "__file__"):
            obj = obj() or obj  # a register() function instead of a module
    except Exception as exc:
        _drop(set(r.code for r in registry) - before)
        ERRORS.append(f"{where} failed to load: {type(exc).__name__}: {exc}")
        return None
    new = [r.code for r in registry if r.code not in before]
    bad = [c for c in new if not PACK_CODE.match(c)]
    if bad:
        _drop(set(new))
        ERRORS.append(
            f"{where}: codes must be namespaced like HN-MNT101, not {', '.join(bad)}; pack not loaded"
        )
        return None
    profiles = getattr(obj, "PROFILES", None)
    pack = Pack(ep.name, ep.value, dist, new, Path(profiles) if profiles else None)
    if pack.profiles is not None and not pack.profiles.is_dir():
        ERRORS.append(f"{where}: PROFILES {pack.profiles} is not a directory; profiles ignored")
        pack.profiles = None
    PACKS.append(pack)
    return pack


def _drop(codes: set[str]) -> None:
    from planctl.rules.base import registry

    for code in codes:
        registry._rules.pop(code, None)


def profile_dirs() -> list[Path]:
    """Directories of legal profiles added by packs (after the built-in ones)."""
    return [p.profiles for p in PACKS if p.profiles is not None]


@lru_cache(maxsize=1)
def frozen_codes() -> tuple[tuple[str, ...], dict[str, str]]:
    """planctl's own codes, frozen, and the redirects of renamed ones."""
    raw = safe_load((resources.files("planctl") / "data" / "rule-codes.yaml").read_text("utf-8"))
    return tuple(raw["codes"]), dict(raw.get("redirects") or {})


def canonical(code: str) -> str:
    """The code a user's (possibly old) code means today."""
    key = code.strip().upper()
    return frozen_codes()[1].get(key, key)
