"""The result cache: a re-run checks only the plans that changed, as ruff does.

Entries live in ``.planctl_cache/`` at the repository root (the git work tree,
else the folder of planctl.yaml); ``planctl init`` lists that folder in
``.gitignore``. One JSON file per checked file holds its findings, the source
lines they point at and the facts cross-plan checks need, so the repository
pass re-runs without parsing unchanged plans. Old entries are pruned
(:meth:`ResultCache.prune`, :meth:`ResultCache.put`).

The key of an entry is the file's path in the repository and its exact bytes,
under a settings key that covers everything else a result depends on:
planctl's version and its own files (an edited rule in a development install
must not be served stale results), the configuration, ``--profile``,
``--today``, ``--strict``, the contact age, every rule pack (name, version,
files, profiles) and the reference DOCX. Files a result depends on besides
the plan itself (shared registries) are recorded in the entry with their hash
and checked on every hit.

Trust: a cache folder that git tracks is never read nor written (anyone can
commit one); a corrupt, truncated or foreign entry is a miss, never an error.
Entries are written atomically (rename), without fsync: a lost entry is only
a miss.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from planctl.findings import FileResult, Finding, display_path

CACHE_DIR = ".planctl_cache"
#: bump when the entry layout changes (2: entries named by path and content, older pruned;
#: 3: plain facts stored as they are, with no decoding walk)
FORMAT = 3
#: settings folders kept besides the current one (another --today, profile, version...)
KEEP_SETTINGS = 3
#: the file whose modification time says when a settings folder was last used
_USED = "used"
#: git said nothing under the cache folder is tracked, for the index with this identity
_UNTRACKED = "untracked"


def repository_root(start: Path, config_path: Path | None) -> Path | None:
    """The git work tree above ``start``, else the folder of the configuration; None if neither."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    if config_path is not None:
        return config_path.resolve().parent
    return None


def tracked_by_git(root: Path) -> bool:
    """Whether git tracks anything under the cache folder (then the cache is never trusted).

    Asks git; when git cannot answer, the index file is searched for the folder's
    name instead (a false alarm only costs the cache). git's "untracked" is
    remembered with the index file's identity (inode, size, nanosecond mtime), and
    the question is not asked again while the index is unchanged: starting git took
    ~3 ms of every cached run. Any ``git add`` or commit changes the index, and a
    memo committed by someone else cannot match this clone's index.
    """
    if not (root / ".git").exists():
        return False
    index = root / ".git" / "index"
    memo = root / CACHE_DIR / _UNTRACKED
    try:
        st = index.stat()
        stamp = f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
    except OSError:  # a worktree or submodule (.git is a file), or no index yet
        stamp = None
    if stamp is not None:
        try:
            if memo.read_text(encoding="ascii") == stamp:
                return False
        except (OSError, UnicodeDecodeError):
            pass
    try:
        r = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--", CACHE_DIR],
            capture_output=True,
            timeout=20,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if r.returncode == 0:
            tracked = bool(r.stdout.strip(b"\0"))
            if not tracked and stamp is not None and memo.parent.is_dir():
                _write(memo, stamp.encode("ascii"))  # best effort: a miss only asks git again
            return tracked
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return (CACHE_DIR + "/").encode() in index.read_bytes()
    except OSError:
        return False


def _files_fingerprint(folder: Path, h: Any, suffixes: tuple[str, ...]) -> None:
    """Name, size and mtime of every file below ``folder`` with one of ``suffixes``.

    Walked with ``os.scandir``, bytecode folders skipped: it runs at every cached
    start (Path.rglob over the package took ~2 ms of a ~0.2 s render).
    """
    found: list[tuple[str, int, int]] = []
    pending = [(str(folder), "")]
    try:
        while pending:
            where, rel = pending.pop()
            with os.scandir(where) as entries:
                for entry in entries:
                    name = f"{rel}{entry.name}"
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name != "__pycache__":
                            pending.append((entry.path, f"{name}/"))
                    elif entry.name.endswith(suffixes):
                        try:
                            st = entry.stat()
                        except OSError:
                            continue
                        found.append((name, st.st_size, st.st_mtime_ns))
    except OSError:
        return
    for name, size, mtime in sorted(found):
        h.update(f"{name}\0{size}\0{mtime}\0".encode())


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def settings_key(options: Any, config: Any, strict: bool) -> str:
    """A hash of everything besides the file that a result depends on."""
    import planctl
    from planctl import config as config_mod
    from planctl import plugins
    from planctl.schema import schema_dir

    plugins.load()  # the installed packs are part of the key (loaded with the rules otherwise)
    h = hashlib.sha256()
    h.update(f"{FORMAT}\0{planctl.__version__}\0{sys.version_info[:2]}\0".encode())
    package = Path(planctl.__file__).resolve().parent
    _files_fingerprint(package, h, (".py", ".yaml", ".json"))
    _files_fingerprint(schema_dir(), h, (".json",))
    from planctl.render.templates import template_dir

    # the vocabulary rules read (templates/text/zh.yaml) sits outside the package in a checkout
    _files_fingerprint(template_dir() / "text", h, (".yaml",))
    settings = {
        "config": config_mod.as_dict(config),
        "today": str(options.today),
        "profile": options.profile,
        "contact_max_age_months": options.contact_max_age_months,
        "strict": strict,
        "packs": [
            [p.name, p.module, p.distribution, _pack_version(p.distribution), p.codes]
            for p in plugins.PACKS
        ],
        "pack_errors": list(plugins.ERRORS),
        "no_plugins": os.environ.get("PLANCTL_NO_PLUGINS", ""),
    }
    h.update(json.dumps(settings, sort_keys=True, default=str).encode("utf-8"))
    for pack in plugins.PACKS:
        _pack_files(pack, h)
    reference = getattr(config, "reference_docx", None)
    if reference and getattr(config, "path", None) is not None:
        h.update(str(_file_digest(Path(config.path).parent / reference)).encode())
    return h.hexdigest()


def _pack_version(dist: str | None) -> str | None:
    if not dist:
        return None
    from importlib import metadata

    try:
        return metadata.version(dist)
    except Exception:
        return None


def _pack_files(pack: Any, h: Any) -> None:
    import importlib.util

    try:
        spec = importlib.util.find_spec(pack.module.split(":")[0])
    except (ImportError, ValueError):
        spec = None
    origin = getattr(spec, "origin", None)
    if origin:
        path = Path(origin)
        folder = path.parent if path.name == "__init__.py" else None
        if folder is not None:
            _files_fingerprint(folder, h, (".py", ".yaml", ".json"))
        else:
            st = path.stat() if path.exists() else None
            h.update(f"{path}\0{st.st_size if st else 0}\0{st.st_mtime_ns if st else 0}".encode())
    if pack.profiles is not None:
        _files_fingerprint(Path(pack.profiles), h, (".yaml",))


# --- entries ---------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """JSON with tuples kept apart from lists (a finding's json_path is a tuple)."""
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value) or "__tuple__" in value:
            raise TypeError("cannot cache a mapping with non-text keys")
        return {k: _encode(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__tuple__"}:
            return tuple(_decode(v) for v in value["__tuple__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


_FIELDS = tuple(f.name for f in dataclasses.fields(Finding) if f.name != "file")


def _plain(value: Any) -> bool:
    """JSON gives it back unchanged: no tuple (it would come back a list), text keys only."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return True
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _rows(findings: list[Finding]) -> tuple[list[list[Any]], list[str]]:
    """Findings as rows of their fields; tuple fields (json_path) stored as lists and named."""
    tuples: set[str] = set()
    lists: set[str] = set()
    rows = []
    for f in findings:
        row = []
        for name in _FIELDS:
            value = getattr(f, name)
            if isinstance(value, tuple):
                tuples.add(name)
                value = list(value)
            else:
                lists.add(name)
            if not _plain(value):
                raise TypeError(f"cannot cache {name}={value!r}")
            row.append(value)
        rows.append(row)
    if tuples & lists:
        raise TypeError("a field is a tuple in one finding and not in another")
    return rows, sorted(tuples)


def encode_result(result: FileResult, deps: list[tuple[str, str]]) -> str | None:
    """The entry for one result; None when it cannot be cached faithfully."""
    if any(f.file != result.path for f in result.findings):
        return None  # a finding about another file: recompute rather than guess its path
    try:
        rows, tuples = _rows(result.findings)
        body = {
            "format": FORMAT,
            "fields": list(_FIELDS),
            "tuples": tuples,
            "findings": rows,
            "rules_run": result.rules_run,
            "lines": [[int(n), str(t)] for n, t in _line_items(result.lines)],
            "skipped": result.skipped,
            # facts are plain JSON as planctl.crossplan makes them: stored as they are
            # and given back by json.loads alone (a decoding walk over 1,200 entries was
            # a third of a warm run); anything else keeps its tuples apart
            **(
                {"facts": result.facts}
                if _plain(result.facts)
                else {"facts_encoded": _encode(result.facts)}
            ),
            "deps": [list(d) for d in deps],
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return None


def _line_items(lines: Any) -> list[tuple[int, str]]:
    if isinstance(lines, dict):
        return sorted(lines.items())
    return list(enumerate(lines, 1))


def decode_result(
    text: str,
    path: Path,
    root: Path,
    digest: Any = None,
    shown: str | None = None,
) -> FileResult | None:
    """A result from an entry, or None when the entry is unusable or a dependency changed.

    ``digest(path)`` gives a dependency's current hash (a run memoises it: 1,200
    plans share two registries); ``shown`` is the path as reports print it.
    """
    digest = digest or _file_digest
    try:
        body = json.loads(text)
        if body.get("format") != FORMAT:
            return None
        for rel, recorded in body["deps"]:
            if digest(root / rel) != recorded:
                return None
        if body["fields"] != list(_FIELDS):
            return None  # written by a planctl whose Finding had other fields
        if shown is None:
            shown = display_path(path)
        tuples = [_FIELDS.index(name) for name in body["tuples"]]
        findings = []
        for row in body["findings"]:
            for i in tuples:
                row[i] = tuple(row[i])
            findings.append(Finding(file=shown, **dict(zip(_FIELDS, row, strict=True))))
        lines = {int(n): str(t) for n, t in body["lines"]}
        facts = body["facts"] if "facts" in body else _decode(body["facts_encoded"])
        return FileResult(
            shown,
            findings,
            bool(body["rules_run"]),
            lines,
            skipped=body["skipped"],
            facts=facts,
        )
    except Exception:  # corrupt, truncated, from an older layout: a miss
        return None


class ResultCache:
    """Read and write entries under ``root/.planctl_cache``."""

    def __init__(self, root: Path, settings: str) -> None:
        self.root = root
        self.folder = root / CACHE_DIR / f"v{FORMAT}" / settings[:24]
        self.hits = 0
        self.misses = 0
        #: per run: the hash of each dependency (shared registries), by path
        self._digests: dict[Path, str | None] = {}
        #: per run: each file's path as reports print it, found while naming its entry
        self._shown: dict[Path, str] = {}
        self._cwd: Path | None = None

    @classmethod
    def open(cls, start: Path, options: Any, config: Any, strict: bool) -> ResultCache | None:
        """The cache for plans under ``start``, None when there is none to trust."""
        root = repository_root(start, getattr(config, "path", None))
        if root is None or tracked_by_git(root):
            return None
        cache = cls(root, settings_key(options, config, strict))
        cache.prune()
        return cache

    def prune(self) -> None:
        """Keep the cache from growing forever.

        The settings key changes with every ``--today`` (the default is the day of
        the run), profile, configuration and planctl version, so old settings
        folders pile up: this run's folder is marked used, the KEEP_SETTINGS most
        recently used others stay, older ones and other entry formats are removed.
        (Within a folder, an entry replaces the entries of the file's older
        contents: see :meth:`put`.) Best effort: a failure only leaves files behind.
        """
        import shutil

        base = self.root / CACHE_DIR
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / _USED).touch()
            formats = [p for p in base.iterdir() if p.is_dir() and p.name[:1] == "v"]
            here = self.folder.parent
            for other in formats:
                if other != here and other.name[1:].isdigit():
                    shutil.rmtree(other, ignore_errors=True)
            others = []
            for folder in here.iterdir():
                if folder == self.folder or not folder.is_dir():
                    continue
                stamp = folder / _USED
                used = stamp.stat().st_mtime if stamp.exists() else folder.stat().st_mtime
                others.append((used, folder.name, folder))
        except OSError:
            return
        others.sort(reverse=True)
        for _, _, folder in others[KEEP_SETTINGS:]:
            shutil.rmtree(folder, ignore_errors=True)

    def __getstate__(self) -> dict[str, Any]:
        """What a worker needs (the memos are per process: a worker fills its own)."""
        state = dict(self.__dict__)
        state.update(_digests={}, _shown={}, _cwd=None)
        return state

    def digest(self, path: Path) -> str | None:
        """The hash of a dependency, read once per run."""
        try:
            return self._digests[path]
        except KeyError:
            found = self._digests[path] = _file_digest(path)
            return found

    def key(self, path: Path, raw: bytes) -> str:
        """``<hash of the path>.<hash of path and bytes>``: the entry's name says both."""
        try:
            resolved = path.resolve()
        except (
            OSError,
            RuntimeError,
        ):  # a link loop: the path as given (shown as display_path does)
            resolved = path.absolute()
        else:
            self._remember_shown(path, resolved)
        try:
            rel = str(resolved.relative_to(self.root))
        except ValueError:
            rel = str(resolved)
        name = rel.encode("utf-8", "surrogateescape") + b"\0"
        h = hashlib.sha256(name)
        h.update(raw)
        return f"{hashlib.sha256(name).hexdigest()[:32]}.{h.hexdigest()}"

    def _remember_shown(self, path: Path, resolved: Path) -> None:
        """The path as :func:`planctl.findings.display_path` prints it, from the resolved
        path the key needed anyway (display_path would resolve the file and the
        working directory once more, for every hit)."""
        from planctl.textsafe import clean_path

        try:
            if self._cwd is None:
                self._cwd = Path.cwd().resolve()
            text = str(resolved.relative_to(self._cwd))
        except ValueError:
            text = str(path)
        except OSError:  # no working directory: display_path decides, per file
            return
        self._shown[path] = clean_path(text)

    def _entry(self, key: str) -> Path:
        where, _, what = key.partition(".")
        return self.folder / where[:2] / f"{where[2:]}-{what}.json"

    def has(self, key: str) -> bool:
        """Whether an entry exists (it may still turn out unusable when read)."""
        return self._entry(key).is_file()

    def get(self, key: str, path: Path) -> FileResult | None:
        try:
            text = self._entry(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            self.misses += 1
            return None
        result = decode_result(text, path, self.root, self.digest, self._shown.get(path))
        if result is None:
            self.misses += 1
        else:
            self.hits += 1
        return result

    def put(self, key: str, result: FileResult, deps: list[Path]) -> None:
        recorded: list[tuple[str, str]] = []
        for dep in deps:
            digest = self.digest(dep)
            try:
                rel = str(dep.resolve().relative_to(self.root))
            except (ValueError, OSError):
                return  # a dependency outside the repository: not cached
            if digest is None:
                return
            recorded.append((rel, digest))
        text = encode_result(result, recorded)
        if text is None:
            return
        entry = self._entry(key)
        if _write(entry, text.encode("utf-8")):
            # the entries of this file's older contents will not be asked for again
            # (an edit made them stale); a branch switched back is checked once more
            same_file = entry.name.split("-", 1)[0] + "-"
            try:
                with os.scandir(entry.parent) as found:
                    stale = [
                        e.path
                        for e in found
                        if e.name.startswith(same_file)
                        and e.name.endswith(".json")
                        and e.name != entry.name
                    ]
                for old in stale:
                    os.unlink(old)
            except OSError:
                pass


_NEW = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)


def _write(path: Path, data: bytes) -> bool:
    """Atomic (rename) and silent: a cache that cannot be written is only slower.

    Leaner than :func:`planctl.write.write_cache_bytes` (no random name, mode
    keeping or folder sweep: an entry is written once per checked plan, and those
    steps were half the cost of a cold run's writing). The temporary is named by
    the process, which alone writes it; one left by a crash is replaced on the
    next write of that entry and never read (only ``*.json`` is).
    """
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        try:
            fd = os.open(tmp, _NEW, 0o666)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, _NEW, 0o666)
        except FileExistsError:
            os.unlink(tmp)
            fd = os.open(tmp, _NEW, 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException as exc:  # an interrupt too: no temporary is left behind
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            return False
        raise
    return True
