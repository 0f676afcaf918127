"""National scale: parallel, streamed and cached runs give exactly the serial, uncached result.

No timings here (benchmarks/national.py measures); these tests check sameness and
that every input of a result invalidates its cache entry.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from planctl import check, output
from planctl.cache import CACHE_DIR, ResultCache, settings_key
from planctl.check import check_paths, iter_checked, make_options
from planctl.config import Config
from planctl.config import load as load_config
from planctl.findings import FileResult
from tests.conftest import FIXTURES, ROOT, TODAY, sample_plans


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A plan repository: the samples, broken fixtures, a foreign YAML file, planctl.yaml."""
    root = tmp_path / "repo"
    plans = root / "plans"
    plans.mkdir(parents=True)
    for p in sample_plans():
        shutil.copy(p, plans / p.name)
    broken = sorted((FIXTURES / "broken").glob("*.yaml"))[:12]
    for p in broken:
        if p.name != "expected.yaml":
            shutil.copy(p, plans / f"broken-{p.name}")
    (plans / "mkdocs.yml").write_text("site_name: x\nnav: []\n", encoding="utf-8")
    (root / "planctl.yaml").write_text("fail_on: error\n", encoding="utf-8")
    return root


def _opts(today: str = TODAY) -> Any:
    return make_options(today, None, Config())


def _same(a: list[FileResult], b: list[FileResult]) -> None:
    assert [r.path for r in a] == [r.path for r in b]
    for x, y in zip(a, b, strict=True):
        assert x.findings == y.findings, x.path
        assert (x.rules_run, x.skipped, x.facts) == (y.rules_run, y.skipped, y.facts)
        assert dict(x.lines) == dict(y.lines)


def _text(results: list[FileResult]) -> str:
    from planctl.findings import Report

    return output.format_report("text", Report(list(results)), output.OutputContext("en"))


def test_parallel_run_equals_serial(repo: Path) -> None:
    cfg = load_config(repo / "planctl.yaml")
    serial = check_paths([repo], _opts(), cfg, jobs=1).files
    parallel = check_paths([repo], _opts(), cfg, jobs=2).files
    assert len(serial) > 10 and any(r.findings for r in serial)
    _same(serial, parallel)
    assert _text(serial) == _text(parallel)


def test_streamed_text_equals_the_report(repo: Path) -> None:
    import io

    # cross-plan findings are merged into each file's part of a report, and follow the
    # per-file parts in streamed text (they need every file first): compared without them
    (repo / "planctl.yaml").write_text("fail_on: error\nignore: [XPL]\n", encoding="utf-8")
    cfg = load_config(repo / "planctl.yaml")
    report = check_paths([repo], _opts(), cfg, jobs=1)
    buf = io.StringIO()
    tally = output.stream_text(iter_checked([repo], _opts(), cfg, jobs=2), "en", buf, False)
    assert buf.getvalue() == _text(report.files)
    assert tally.failed("error") == report.failed("error")
    assert tally.failed("info") == report.failed("info")


def _count_checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = check._check_file

    def counting(job: Any) -> Any:
        seen.append(job[0])
        return real(job)

    monkeypatch.setattr(check, "_check_file", counting)
    return seen


def test_cache_reuses_and_invalidates(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = load_config(repo / "planctl.yaml")
    baseline = check_paths([repo], _opts(), cfg, jobs=1).files
    seen = _count_checks(monkeypatch)

    def run(today: str = TODAY, config: Config = cfg, **kw: Any) -> list[FileResult]:
        seen.clear()
        return check_paths([repo], _opts(today), config, jobs=1, cache=True, **kw).files

    _same(run(), baseline)  # cold: every file checked, entries written
    n = len(seen)
    assert n == len(baseline)
    assert (repo / CACHE_DIR).is_dir()
    _same(run(), baseline)  # warm: nothing checked again
    assert seen == []

    # one plan changed: only that plan is checked again
    plan = sorted((repo / "plans").glob("*.yaml"))[0]
    plan.write_text(plan.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    run()
    assert seen == [plan]

    # --today, --profile, --strict and the configuration each invalidate everything
    run(today="2027-06-01")
    assert len(seen) == n
    seen.clear()
    check_paths([repo], make_options(TODAY, "henan", cfg), cfg, jobs=1, cache=True)
    assert len(seen) == n
    run(strict=True)
    assert len(seen) == n
    (repo / "planctl.yaml").write_text("fail_on: error\nignore: [CON002]\n", encoding="utf-8")
    changed = load_config(repo / "planctl.yaml")
    results = run(config=changed)
    assert len(seen) == n
    _same(results, check_paths([repo], _opts(), changed, jobs=1).files)


def test_rule_pack_changes_the_settings_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from planctl import plugins

    before = settings_key(_opts(), Config(), False)
    monkeypatch.setattr(plugins, "PACKS", [plugins.Pack("demo", "demo_pack", "demo-pack")])
    assert settings_key(_opts(), Config(), False) != before


def test_corrupt_entries_are_misses_not_errors(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = load_config(repo / "planctl.yaml")
    baseline = check_paths([repo], _opts(), cfg, jobs=1).files
    check_paths([repo], _opts(), cfg, jobs=1, cache=True)
    entries = sorted((repo / CACHE_DIR).rglob("*.json"))
    assert entries
    garbage = [b"", b"{", b'{"format": 1}', b"\xff\xfe", json.dumps({"format": 99}).encode()]
    for i, entry in enumerate(entries):
        entry.write_bytes(garbage[i % len(garbage)])
    _same(check_paths([repo], _opts(), cfg, jobs=1, cache=True).files, baseline)


def test_tracked_cache_is_never_trusted(repo: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    cfg = load_config(repo / "planctl.yaml")
    assert ResultCache.open(repo / "plans", _opts(), cfg, False) is not None
    (repo / CACHE_DIR).mkdir(exist_ok=True)
    (repo / CACHE_DIR / "planted.json").write_text("{}", encoding="utf-8")
    subprocess.run(["git", "-C", str(repo), "add", "-f", CACHE_DIR], check=True)
    assert ResultCache.open(repo / "plans", _opts(), cfg, False) is None


def test_git_is_asked_again_only_when_its_index_changes(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    from planctl import cache as cache_mod

    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "planctl.yaml"], check=True)  # an index
    cfg = load_config(repo / "planctl.yaml")
    asked: list[list[str]] = []
    real = subprocess.run

    def counting(cmd: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(list(cmd))
        return real(cmd, *args, **kwargs)

    monkeypatch.setattr(cache_mod.subprocess, "run", counting)
    assert ResultCache.open(repo / "plans", _opts(), cfg, False) is not None
    assert ResultCache.open(repo / "plans", _opts(), cfg, False) is not None
    assert len(asked) == 2  # the first run made the cache folder; the second remembered
    assert ResultCache.open(repo / "plans", _opts(), cfg, False) is not None
    assert len(asked) == 2  # index unchanged: git not started
    (repo / CACHE_DIR / "planted.json").write_text("{}", encoding="utf-8")
    real(["git", "-C", str(repo), "add", "-f", CACHE_DIR], check=True)  # not counted
    assert ResultCache.open(repo / "plans", _opts(), cfg, False) is None  # the index changed
    assert len(asked) == 3


def test_dependency_change_is_a_miss(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    registry = tmp_path / "registry.yaml"
    registry.write_text("planctl-registry: 1\n", encoding="utf-8")
    store = ResultCache(tmp_path, "0" * 64)
    plan = tmp_path / "p.yaml"
    plan.write_text("planctl: 1\n", encoding="utf-8")
    result = FileResult(str(plan), [], True, {}, facts={"areas": ["a"], "n": (1, 2)})
    key = store.key(plan, plan.read_bytes())
    store.put(key, result, [registry])
    again = store.get(key, plan)
    assert again is not None and again.facts == {"areas": ["a"], "n": (1, 2)}
    registry.write_text("planctl-registry: 1\nparties: []\n", encoding="utf-8")
    # a registry's hash is read once per run: the next run (a new store) sees the change
    assert ResultCache(tmp_path, "0" * 64).get(key, plan) is None


def test_cli_parallel_and_cached_output_is_byte_identical(repo: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "planctl", "validate", "plans", "--today", TODAY, *args],
            capture_output=True,
            text=True,
            cwd=repo,
            timeout=600,
        )

    reference = cli("-j", "1", "--no-cache")
    assert reference.returncode in (0, 1), reference.stderr
    assert "Checked" in reference.stdout or "检查了" in reference.stdout
    assert not (repo / CACHE_DIR).exists()
    for args in (("-j", "2", "--no-cache"), ("-j", "2"), ("-j", "1"), ("-f", "json", "-j", "2")):
        r = cli(*args)
        assert r.returncode == reference.returncode, r.stderr
        if "json" not in args:
            assert r.stdout == reference.stdout, args
    assert (repo / CACHE_DIR).is_dir()
    serial_json = cli("-f", "json", "-j", "1", "--no-cache")
    assert cli("-f", "json").stdout == serial_json.stdout


def test_library_default_writes_no_cache(repo: Path) -> None:
    check_paths([repo], _opts(), load_config(repo / "planctl.yaml"))
    assert not (repo / CACHE_DIR).exists()


def test_auto_jobs() -> None:
    from planctl import pool

    assert pool.auto_jobs(3, None) == 1
    assert pool.auto_jobs(100, 1) == 1
    assert pool.auto_jobs(100, 3) == 3
    assert pool.auto_jobs(2, 8) == 2
    assert 1 <= pool.auto_jobs(100, 0) <= pool.cpu_count()


def test_ordered_map_keeps_order() -> None:
    from planctl import pool

    assert list(pool.ordered_map(abs, list(range(-50, 50)), 2)) == [abs(i) for i in range(-50, 50)]


def test_date_default_is_in_the_key() -> None:
    a = settings_key(make_options(date(2026, 1, 1), None, Config()), Config(), False)
    b = settings_key(make_options(date(2026, 1, 2), None, Config()), Config(), False)
    assert a != b


def test_init_ignores_the_cache_folder() -> None:
    from planctl.repo import IGNORED

    assert f"{CACHE_DIR}/" in IGNORED
    assert ROOT.joinpath(".gitignore").read_text(encoding="utf-8").count(CACHE_DIR) >= 1


def test_cache_does_not_grow_forever(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Older contents of a file, old settings (another --today) and old formats are pruned."""
    import os

    from planctl import cache as cache_mod

    cfg = load_config(repo / "planctl.yaml")
    base = repo / CACHE_DIR
    current = base / f"v{cache_mod.FORMAT}"
    stale_format = base / "v1" / "abc"
    stale_format.mkdir(parents=True)
    (stale_format / "x.json").write_text("{}", encoding="utf-8")

    def entries() -> list[Path]:
        return sorted(base.rglob("*.json"))

    check_paths([repo], _opts(), cfg, jobs=1, cache=True)
    assert not (base / "v1").exists()
    first = entries()
    assert first and all(current in p.parents for p in first)
    plan = sorted((repo / "plans").glob("*.yaml"))[0]
    for n in range(3):  # three edits: still one entry per file
        plan.write_text(plan.read_text(encoding="utf-8") + f"\n# edit {n}\n", encoding="utf-8")
        check_paths([repo], _opts(), cfg, jobs=1, cache=True)
    assert len(entries()) == len(first)

    days = [f"2027-01-{d:02d}" for d in range(1, 8)]
    for i, day in enumerate(days):
        check_paths([repo], _opts(day), cfg, jobs=1, cache=True)
        folder = ResultCache(repo, settings_key(_opts(day), cfg, False)).folder
        os.utime(folder / "used", (2_000_000_000 + i, 2_000_000_000 + i))  # the order of use
    kept = {f.name for f in current.iterdir()}
    expected = {
        ResultCache(repo, settings_key(_opts(d), cfg, False)).folder.name for d in days[-4:]
    }
    assert kept == expected and len(kept) == 1 + cache_mod.KEEP_SETTINGS
    seen = _count_checks(monkeypatch)
    cached = check_paths([repo], _opts(days[-2]), cfg, jobs=1, cache=True).files
    assert seen == []  # a kept folder still answers for every file
    _same(cached, check_paths([repo], _opts(days[-2]), cfg, jobs=1).files)


def test_hits_print_paths_as_a_checked_run(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hit's path is found from the resolved path its entry's name needed: it must read
    as display_path prints it, relative to the working directory or as given."""
    cfg = load_config(repo / "planctl.yaml")
    for cwd, target in ((repo, Path("plans")), (repo / "plans", Path(".")), (ROOT, repo)):
        monkeypatch.chdir(cwd)
        baseline = check_paths([target], _opts(), cfg, jobs=1).files
        check_paths([target], _opts(), cfg, jobs=1, cache=True)
        seen = _count_checks(monkeypatch)
        warm = check_paths([target], _opts(), cfg, jobs=1, cache=True).files
        assert seen == []
        _same(warm, baseline)
        monkeypatch.undo()


def test_plan_facts_are_stored_plain(repo: Path) -> None:
    """Cross-plan facts are plain JSON: stored and read back without a decoding walk."""
    cfg = load_config(repo / "planctl.yaml")
    check_paths([repo], _opts(), cfg, jobs=1, cache=True)
    bodies = [json.loads(p.read_text(encoding="utf-8")) for p in (repo / CACHE_DIR).rglob("*.json")]
    with_facts = [b for b in bodies if b.get("facts")]
    assert with_facts and not any("facts_encoded" in b for b in bodies)


def test_registry_is_hashed_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from planctl import cache as cache_mod

    registry = tmp_path / "registry.yaml"
    registry.write_text("planctl-registry: 1\n", encoding="utf-8")
    store = ResultCache(tmp_path, "0" * 64)
    calls: list[Path] = []
    real = cache_mod._file_digest

    def counting(path: Path) -> str | None:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(cache_mod, "_file_digest", counting)
    assert store.digest(registry) == store.digest(registry) == real(registry)
    assert calls == [registry]
