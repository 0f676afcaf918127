"""render shares validate's result cache and configuration; rules load only when needed.

No timings here (benchmarks/national.py measures render against pandoc): these
tests check that a cached render is the same document, that it really runs no
check, that render and validate read each other's entries, and that a render
served from the cache imports no rule family.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from planctl import check
from planctl.cache import CACHE_DIR, ResultCache
from planctl.check import check_paths, make_options
from planctl.config import Config
from planctl.config import load as load_config
from planctl.examples import base_text, example_text
from planctl.render.api import Outcome, render_many
from planctl.rules import registry

from .conftest import ROOT, TODAY

SAMPLE = ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "plans").mkdir(parents=True)
    shutil.copy(SAMPLE, root / "plans" / SAMPLE.name)
    (root / "planctl.yaml").write_text("fail_on: error\n", encoding="utf-8")
    return root


def _render(plan: Path, out: Path, cfg: Config, cache: bool, final: bool = False) -> Outcome:
    options = make_options(TODAY, None, cfg)
    store = ResultCache.open(plan, options, cfg, False) if cache else None
    [outcome] = render_many(
        [plan], out, jobs=1, final=final, options=options, config=cfg, cache=store
    )
    return outcome


def _count_checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = check.check_document

    def counting(doc: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(doc.path)
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(check, "check_document", counting)
    return seen


def test_render_after_validate_runs_no_check_and_writes_the_same_document(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = load_config(repo / "planctl.yaml")
    plan = repo / "plans" / SAMPLE.name
    uncached = _render(plan, tmp_path / "plain", cfg, cache=False).rendered
    assert uncached is not None
    check_paths([repo], make_options(TODAY, None, cfg), cfg, jobs=1, cache=True)
    seen = _count_checks(monkeypatch)
    cached = _render(plan, tmp_path / "cached", cfg, cache=True).rendered
    assert cached is not None
    assert seen == []  # served by validate's entry
    assert cached.output.read_bytes() == uncached.output.read_bytes()
    assert cached.findings == uncached.findings


def test_validate_after_render_reads_the_entry_render_wrote(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = load_config(repo / "planctl.yaml")
    plan = repo / "plans" / SAMPLE.name
    seen = _count_checks(monkeypatch)
    assert _render(plan, tmp_path / "out", cfg, cache=True).rendered is not None
    assert seen == [plan]
    assert list((repo / CACHE_DIR).rglob("*.json"))
    seen.clear()
    warm = check_paths([repo], make_options(TODAY, None, cfg), cfg, jobs=1, cache=True)
    assert seen == []
    cold = check_paths([repo], make_options(TODAY, None, cfg), cfg, jobs=1)
    assert [r.findings for r in warm.files] == [r.findings for r in cold.files]


def test_an_edited_plan_is_checked_again(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = load_config(repo / "planctl.yaml")
    plan = repo / "plans" / SAMPLE.name
    _render(plan, tmp_path / "a", cfg, cache=True)
    seen = _count_checks(monkeypatch)
    plan.write_text(plan.read_text(encoding="utf-8") + "\n# 修订\n", encoding="utf-8")
    _render(plan, tmp_path / "b", cfg, cache=True)
    assert seen == [plan]


def _final_ready_with_one_error(folder: Path) -> tuple[Path, str]:
    """The example plan (final-ready) with one rule's failing example applied."""
    rule = next(
        r
        for r in registry
        if r.severity == "error" and r.layer == "plan" and example_text(r, "fail") is not None
    )
    text = example_text(rule, "fail")
    assert text is not None and text != base_text()
    plan = folder / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    return plan, rule.code


@pytest.mark.parametrize("cache", [False, True])
def test_final_render_honours_the_configuration(tmp_path: Path, cache: bool) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    plan, code = _final_ready_with_one_error(root)
    (root / "planctl.yaml").write_text("fail_on: error\n", encoding="utf-8")
    refused = _render(plan, tmp_path / "a", load_config(root / "planctl.yaml"), cache, final=True)
    assert refused.refused and any(code in r for r in refused.refused)
    # the office decided this rule does not apply to its plans: validate and render agree
    (root / "planctl.yaml").write_text(f"fail_on: error\nignore: [{code}]\n", encoding="utf-8")
    cfg = load_config(root / "planctl.yaml")
    findings = check_paths([plan], make_options(TODAY, None, cfg), cfg, jobs=1).findings
    errors = [f for f in findings if f.severity == "error"]
    done = _render(plan, tmp_path / "b", cfg, cache, final=True)
    if errors:  # the failing example tripped a second rule as well: then both refuse
        assert done.refused
    else:
        assert done.rendered is not None, done.refused


def test_cli_render_no_cache_leaves_no_cache(repo: Path, tmp_path: Path) -> None:
    plan = repo / "plans" / SAMPLE.name
    run = [sys.executable, "-m", "planctl", "render", str(plan), "--today", TODAY]
    r = subprocess.run(
        [*run, "-o", str(tmp_path / "a"), "--no-cache"], capture_output=True, text=True, cwd=repo
    )
    assert r.returncode == 0, r.stderr
    assert not (repo / CACHE_DIR).exists()
    r = subprocess.run([*run, "-o", str(tmp_path / "b")], capture_output=True, text=True, cwd=repo)
    assert r.returncode == 0, r.stderr
    assert list((repo / CACHE_DIR).rglob("*.json"))
    assert (tmp_path / "a" / "zhuozhang-jjy-water-2026-v2.0-draft.docx").read_bytes() == (
        tmp_path / "b" / "zhuozhang-jjy-water-2026-v2.0-draft.docx"
    ).read_bytes()


_SHOW_RULE_MODULES = (
    "import sys\n"
    "from planctl._entry import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "import planctl.rules as rules\n"
    "loaded = sorted(n for n in rules.FAMILIES if f'planctl.rules.{n}' in sys.modules)\n"
    "print(' '.join(loaded), file=sys.stderr)\n"
)


def _families_loaded(argv: list[str], cwd: Path) -> set[str]:
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.argv = {['planctl', *argv]!r}\n" + _SHOW_RULE_MODULES,
        ],
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    return set(r.stderr.strip().splitlines()[-1].split()) if r.stderr.strip() else set()


def test_a_render_served_from_the_cache_loads_no_rule(repo: Path, tmp_path: Path) -> None:
    plan = repo / "plans" / SAMPLE.name
    # -j 1: checked in this process (one plan is otherwise checked in a forked child)
    args = [
        "render",
        str(plan),
        "-o",
        str(tmp_path / "out"),
        "--today",
        TODAY,
        "--force",
        "-j",
        "1",
    ]
    cold = _families_loaded(args, repo)
    assert {"duties", "document", "structure"} <= cold  # a miss runs every rule
    warm = _families_loaded(args, repo)
    # only the families whose helpers the renderer itself uses (river annex)
    assert warm <= {"messages", "notification", "targets"}, warm
    # the registry still lists every rule when asked, in code order
    codes = [r.code for r in registry]
    assert codes == sorted(codes) and {"DUTY001", "TXT001", "YAML001"} <= set(codes)


def test_one_plan_render_gives_the_collector_back(repo: Path, tmp_path: Path) -> None:
    """The collector is off while one plan renders, and on again afterwards (library callers,
    CliRunner in a test process), whether the render succeeds or is refused."""
    import gc

    from typer.testing import CliRunner

    from planctl.cli import app

    plan = repo / "plans" / SAMPLE.name
    assert gc.isenabled()
    for extra in ([], ["--final"]):  # the sample is approved: --final renders as well
        r = CliRunner().invoke(
            app, ["render", str(plan), "-o", str(tmp_path / "out"), "--today", TODAY, *extra]
        )
        assert r.exit_code == 0, r.output
        assert gc.isenabled()
    broken = repo / "plans" / "broken.yaml"
    broken.write_text("metadata: [\n", encoding="utf-8")
    r = CliRunner().invoke(
        app, ["render", str(broken), "-o", str(tmp_path / "out"), "--today", TODAY, "--final"]
    )
    assert r.exit_code != 0
    assert gc.isenabled()
    options = make_options(TODAY, None, Config())
    [done] = render_many([plan], tmp_path / "lib", options=options)
    assert done.rendered is not None and gc.isenabled()


def test_a_failed_rule_load_is_tried_again() -> None:
    from planctl.rules.base import Registry, Rule

    reg = Registry()
    attempts: list[int] = []

    def loader() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise KeyboardInterrupt  # Ctrl-C while the families were being imported
        reg.add(Rule("ABC001", "demo", "info", "plan", {"zh": "", "en": ""}, {"zh": "", "en": ""}))
        assert len(reg) == 1  # the loader may read the registry while it loads

    reg.loader = loader
    with pytest.raises(KeyboardInterrupt):
        len(reg)
    assert [r.code for r in reg] == ["ABC001"] and len(attempts) == 2
    assert len(reg) == 1 and len(attempts) == 2  # loaded once, then kept
