"""Which files a command works on: paths and directories expanded into plan files.

Discovery only looks at names and links; it reads no file. Whether a YAML file
is a plan, a configuration or something foreign is decided after loading
(``planctl.check.recognize``), because that needs its keys. Keeping the walk
apart lets every command (validate, render, fmt) and a process pool share one
list of files in one stable order.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from planctl.config import CONFIG_NAMES, Config

PLAN_SUFFIXES = (".yaml", ".yml")


#: what a skipped path's ``reason`` means, for commands that say so (render, fmt)
WHY_SKIPPED = {
    "outside": {
        "zh": "链接指向所给目录之外，未读取",
        "en": "a link leading out of the given folder; not read",
    },
}


class UsageError(Exception):
    """Input planctl cannot work with at all (missing path, no plan files)."""


@dataclass(frozen=True)
class Skipped:
    """A path discovery found but will not hand on, and why.

    ``reason`` is ``"outside"``: a link that leads out of the directory given
    (reported as PTH001 by validate).
    """

    path: Path
    reason: str


@dataclass(frozen=True)
class Discovery:
    """The files to check, in a stable order, and the paths passed over.

    ``linked`` holds the files that were symbolic links when discovery saw them:
    only those may be opened through a link (a file swapped for a link later is
    refused by the loader).
    """

    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    linked: frozenset[Path] = frozenset()

    def follow_links(self, path: Path) -> bool:
        """Whether ``path`` may be opened through a link (it was one when discovered)."""
        return path in self.linked


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def _walk(
    root: Path,
    config: Config,
    found: list[Path],
    skipped: list[Skipped],
    known: dict[Path, tuple[Path, bool]] | None = None,
) -> None:
    """Plan files under ``root``; hidden folders and files, configs and excludes left out.

    A link that leads out of ``root`` is not followed: a plan repository must not
    make CI read files elsewhere on the machine.
    """
    inside = root.resolve()
    children = sorted(_tree(root))
    for link, is_link in children:
        if is_link and link.is_dir():
            if not link.resolve().is_relative_to(inside):
                skipped.append(Skipped(link, "outside"))  # a linked folder elsewhere
    for child, is_link in children:
        if child.suffix not in PLAN_SUFFIXES:
            continue
        if child.name in CONFIG_NAMES or any(child.match(g) for g in config.exclude):
            continue
        if is_link and not child.exists():
            # a link to a plan that moved, or a loop: named, never silently passed over
            raise UsageError(f"broken link (its target is missing, or links loop): {child}")
        if not child.is_file():
            continue
        # the walk enters no linked folder: only a link itself can lead out of root, and
        # any other file resolves to its place below the resolved root
        resolved = child.resolve() if is_link else inside / child.relative_to(root)
        if not resolved.is_relative_to(inside):
            skipped.append(Skipped(child, "outside"))
            continue
        found.append(child)
        if known is not None:
            known[child] = (resolved, is_link)


def _tree(root: Path) -> list[tuple[Path, bool]]:
    """Every path below ``root`` that is not hidden, and whether it is a link.

    What ``root.rglob("*")`` lists less the hidden names (``.git``, the result
    cache's ``.planctl_cache``: thousands of entries walked only to be dropped).
    Like rglob, the walk does not enter linked folders; an unreadable folder is
    passed over.
    """
    out: list[tuple[Path, bool]] = []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as found:
                entries = list(found)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            try:
                is_link = entry.is_symlink()
                is_dir = not is_link and entry.is_dir()
            except OSError:
                is_link = is_dir = False
            out.append((path, is_link))
            if is_dir:
                folders.append(path)
    return out


def discover(paths: Iterable[str | Path], config: Config | None = None) -> Discovery:
    """Expand files and directories (recursively) into plan files, in a stable order.

    A file named on the command line is always taken (recognition decides later
    whether it is a plan); inside a directory only ``*.yaml``/``*.yml`` are. The
    same file reached twice is listed once. Raises :class:`UsageError` for an
    empty or missing path, and when nothing at all was found.
    """
    config = config or Config()
    paths = list(paths)
    found: list[Path] = []
    skipped: list[Skipped] = []
    #: what the walk learnt of each file it found: its resolved path, whether a link
    known: dict[Path, tuple[Path, bool]] = {}
    for raw in paths:
        if not str(raw).strip():
            # `planctl validate "$PLAN"` with an unset variable must not check the cwd
            raise UsageError("empty path given (an unset variable?)")
        p = Path(raw)
        if not p.exists():
            raise UsageError(f"no such file or directory: {raw}")
        if p.is_dir():
            _walk(p, config, found, skipped, known)
        elif p.is_file():
            found.append(p)
        else:
            raise UsageError(f"not a regular file: {raw}")
    seen: set[Path] = set()
    files: list[Path] = []
    for f in found:
        key = known[f][0] if f in known else f.resolve()
        if key not in seen:
            seen.add(key)
            files.append(f)
    if not files and not skipped:
        raise UsageError("no plan files (*.yaml, *.yml) found in: " + ", ".join(map(str, paths)))
    # links as discovery saw them
    linked = frozenset(f for f in files if (known[f][1] if f in known else f.is_symlink()))
    return Discovery(files, skipped, linked)
