"""Atomic writes: a crash never leaves half a file where a good one was.

Write to a temporary file in the same directory, flush and fsync it, then
rename over the target; rename is atomic on POSIX and on Windows (replace).
The replaced file keeps its mode (a 0600 contact directory stays private).
Temporaries carry a recognisable name, are removed on SIGTERM/Ctrl-C, and
ones left by a kill -9 are swept on a later write into the same folder.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

#: temporaries planctl makes: ".NAME.planctl-XXXXXXXX.tmp"
TEMP_RE = re.compile(r"^\..+\.planctl-[A-Za-z0-9_]{8}\.tmp$")
#: a temporary older than this is a leftover of a killed run, not a write in progress
STALE_SECONDS = 3600

_LIVE: set[str] = set()
_SWEPT: set[str] = set()


def live_temporaries() -> set[str]:
    """Temporaries being written now (the signal handler removes them)."""
    return _LIVE


def remove_live_temporaries() -> None:
    for tmp in list(_LIVE):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        _LIVE.discard(tmp)


def sweep_stale(folder: str | Path, now: float | None = None) -> list[Path]:
    """Remove planctl's own leftover temporaries (by name and age) from ``folder``."""
    removed: list[Path] = []
    now = time.time() if now is None else now
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        if not TEMP_RE.match(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_SECONDS:
            continue
        if uid is not None and info.st_uid != uid:
            continue
        try:
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def atomic_write_bytes(path: str | Path, data: bytes, *, durable: bool = True) -> None:
    """Write by rename, keeping the mode of the file it replaces.

    ``durable`` syncs the data to disk before the rename (what users write); caches,
    which are only ever a shortcut, skip that cost.
    """
    commit_staged(stage_bytes(path, data, durable=durable), path)


def stage_bytes(path: str | Path, data: bytes, *, durable: bool = True) -> str:
    """The first half of an atomic write: the data in a temporary beside ``path``.

    A process-pool worker stages its output and the parent commits it
    (:func:`commit_staged`) in input order, so a run over many plans decides which
    file wins a name exactly as a serial run does. The temporary already has the
    mode of the file it will replace. Until committed it is a live temporary of
    the process that staged it; :func:`adopt_staged` hands it to another process.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = str(path.parent.resolve())
    if folder not in _SWEPT:
        _SWEPT.add(folder)
        sweep_stale(path.parent)
    try:
        old = path.lstat()
        mode = stat.S_IMODE(old.st_mode) if stat.S_ISREG(old.st_mode) else None
    except OSError:
        mode = None
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.planctl-", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _about(exc, path) from exc
    _LIVE.add(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # mkstemp creates 0600; keep the replaced file's mode
    except OSError as exc:
        discard_staged(tmp)
        raise _about(exc, path) from exc
    except BaseException:
        discard_staged(tmp)
        raise
    return tmp


def _about(exc: OSError, path: Path | str) -> OSError:
    """The same error, naming the file the user asked for rather than planctl's temporary
    beside it (".x.docx.planctl-1a2b.tmp" means nothing to a user on a read-only disk)."""
    if isinstance(exc.filename, str) and ".planctl-" in exc.filename:
        return OSError(exc.errno, exc.strerror, str(path))  # errno picks the subclass
    return exc


def commit_staged(tmp: str, path: str | Path) -> None:
    """The second half: rename the staged temporary over ``path`` (atomic)."""
    try:
        os.replace(tmp, path)
    except OSError as exc:
        discard_staged(tmp)
        raise _about(exc, path) from exc
    except BaseException:
        discard_staged(tmp)
        raise
    finally:
        _LIVE.discard(tmp)


def discard_staged(tmp: str) -> None:
    """Remove a staged temporary that will not be committed."""
    try:
        os.unlink(tmp)
    except OSError:
        pass
    _LIVE.discard(tmp)


def adopt_staged(tmps: list[str]) -> None:
    """Temporaries staged by a worker become this process's to clean up on an interrupt."""
    _LIVE.update(tmps)


def write_cache_bytes(path: str | Path, data: bytes) -> bool:
    """Best effort, for caches: atomic, and silent when the disk refuses (only slower then)."""
    try:
        atomic_write_bytes(path, data, durable=False)
    except OSError:
        return False
    return True


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def open_regular(path: str | Path) -> BinaryIO:
    """Open a file for reading only if it is a regular file, never through a symlink swap.

    ``O_NOFOLLOW`` refuses a final symlink; ``O_NONBLOCK`` keeps a FIFO from
    hanging the open; the type is checked on the opened descriptor, so a file
    swapped after an earlier check cannot slip through.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(
                21 if stat.S_ISDIR(info.st_mode) else 22,
                "not a regular file (a folder, FIFO or device)",
                str(path),
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
