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
from importlib import resources
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
    if not _may_have_packs():
        return
    try:
        from importlib import metadata

        eps = list(metadata.entry_points(group=GROUP))
    except Exception as exc:  # a broken installation must not stop planctl
        ERRORS.append(f"cannot list rule packs: {exc}")
        return
    for ep in sorted(eps, key=lambda e: e.name):
        load_entry_point(ep)


def _may_have_packs() -> bool:
    """False only when no installed distribution can declare a ``planctl.rules`` entry point.

    ``importlib.metadata`` (and the email parser it imports) cost ~8 ms of every
    start for the usual answer, none. The installed distributions' own
    ``entry_points.txt`` files are searched for the group's name instead; anything
    that search cannot see through (a zip or egg on the path, a finder of
    distributions other than the standard one) answers True, and
    ``importlib.metadata`` then decides as before.
    """
    import sys

    try:
        for finder in sys.meta_path:
            if hasattr(finder, "find_distributions") and not _standard_finder(finder):
                return True
        for entry in sys.path:
            folder = entry or "."
            if not os.path.isdir(folder):
                if os.path.exists(folder):
                    return True  # a zip or an egg file
                continue
            with os.scandir(folder) as it:
                for item in it:
                    name = item.name
                    if name.endswith(".egg"):
                        return True
                    if not name.endswith((".dist-info", ".egg-info")):
                        continue
                    if not item.is_dir():
                        return True  # an egg-info file: let importlib.metadata read it
                    try:
                        with open(os.path.join(item.path, "entry_points.txt"), "rb") as fh:
                            if GROUP.encode() in fh.read():
                                return True
                    except FileNotFoundError:
                        continue
    except OSError:
        return True
    return False


def _standard_finder(finder: Any) -> bool:
    """The interpreter's path finder (the one that reads sys.path's dist-info folders)."""
    import importlib.machinery

    return finder is importlib.machinery.PathFinder or (
        getattr(finder, "__module__", "") == "_frozen_importlib_external"
        and getattr(finder, "__name__", "") == "PathFinder"
    )


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
