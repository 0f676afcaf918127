"""One plan's check runs in a forked child while the document is drawn: same result, or none.

No timings (benchmarks/national.py measures): the overlapped render must write
exactly what checking first writes, refuse exactly what it refuses, and fall
back to checking in-process whenever the child cannot answer.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from planctl import pool
from planctl.check import make_options
from planctl.config import Config
from planctl.examples import base_text
from planctl.render import api
from planctl.render.api import Outcome, render_many

from .conftest import FIXTURES, ROOT, TODAY

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or pool.cpu_count() < 2, reason="needs fork and two cores"
)

SAMPLE = ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml"


def _render(plan: Path, out: Path, jobs: int | None, final: bool = False) -> Outcome:
    """jobs None: one plan, so overlapped; jobs 1: checked first, in this process."""
    [outcome] = render_many(
        [plan], out, jobs=jobs, final=final, options=make_options(TODAY, None, Config())
    )
    return outcome


def _forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    started: list[int] = []
    real = pool.Forked.start.__func__  # type: ignore[attr-defined]

    def counting(cls: Any, fn: Any, *args: Any) -> Any:
        child = real(cls, fn, *args)
        started.append(1 if child is not None else 0)
        return child

    monkeypatch.setattr(pool.Forked, "start", classmethod(counting))
    return started


@pytest.mark.parametrize(
    "plan", [SAMPLE, FIXTURES / "broken" / "two-leads.yaml"], ids=["clean", "with-errors"]
)
def test_overlapped_render_writes_what_checking_first_writes(
    plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _forks(monkeypatch)
    first = _render(plan, tmp_path / "serial", jobs=1)
    assert started == []  # -j 1: one process, no child
    both = _render(plan, tmp_path / "overlap", jobs=None)
    assert started == [1]
    assert first.rendered is not None and both.rendered is not None
    assert both.rendered.output.read_bytes() == first.rendered.output.read_bytes()
    assert both.rendered.findings == first.rendered.findings


def test_errors_found_by_the_child_refuse_a_final_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _forks(monkeypatch)
    done = _render(FIXTURES / "broken" / "two-leads.yaml", tmp_path / "out", None, final=True)
    assert started == [1]
    assert done.refused and any("DUTY001" in r for r in done.refused)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_plan_the_schema_refuses_is_refused_not_drawn(tmp_path: Path) -> None:
    """Drawing starts before the verdict; a plan that cannot be drawn is still a refusal."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(base_text().replace("duties:", "duties: 3\nold_duties:", 1), encoding="utf-8")
    done = _render(plan, tmp_path / "out", jobs=None)
    assert done.refused and any("SCH" in r for r in done.refused), done
    assert done.internal is None


def test_a_failed_child_means_checking_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    real = api.check_and_store
    calls: list[int] = []

    def dies_in_the_child(*args: Any) -> Any:
        if os.getpid() != parent:
            os._exit(3)
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(api, "check_and_store", dies_in_the_child)
    done = _render(SAMPLE, tmp_path / "out", jobs=None)
    assert done.rendered is not None and calls == [1]
    reference = _render(SAMPLE, tmp_path / "ref", jobs=1)
    assert reference.rendered is not None
    assert done.rendered.output.read_bytes() == reference.rendered.output.read_bytes()


def _answer(x: int) -> dict[str, int]:
    return {"x": x, "pid": os.getpid()}


def _fails() -> None:
    raise RuntimeError("boom")


def test_forked_returns_the_childs_value_or_none() -> None:
    child = pool.Forked.start(_answer, 41)
    assert child is not None
    got = child.result()
    assert got is not None and got["x"] == 41 and got["pid"] != os.getpid()
    failing = pool.Forked.start(_fails)
    assert failing is not None and failing.result() is None
    big = pool.Forked.start(lambda: "字" * 300_000)  # more than a pipe holds at once
    assert big is not None and big.result() == "字" * 300_000


def test_cancel_stops_and_reaps_the_child() -> None:
    child = pool.Forked.start(time.sleep, 30)
    assert child is not None
    t0 = time.monotonic()
    child.cancel()
    assert time.monotonic() - t0 < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(child._pid, os.WNOHANG)  # already reaped


def test_a_child_reaped_elsewhere_means_no_answer_not_an_error() -> None:
    """With SIGCHLD ignored (a launcher can pass that on) the kernel reaps the child itself."""
    import signal

    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        child = pool.Forked.start(_answer, 1)
        assert child is not None
        assert child.result() is None  # the caller checks in-process instead
        child.cancel()  # never signals a pid that may be another process's now
    finally:
        signal.signal(signal.SIGCHLD, previous)


def test_no_fork_while_other_threads_run() -> None:
    import threading

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert pool.Forked.start(_answer, 1) is None
    finally:
        stop.set()
        worker.join()
