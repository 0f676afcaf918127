"""Rendering a directory over a process pool gives exactly what a serial run gives.

No timings here (benchmarks/national.py measures the speed-up); these tests check
that the files written, the output folder's manifest, stdout, stderr and the exit
code of ``-j 2`` are byte for byte those of ``-j 1``, and that one bad plan in the
directory is reported cleanly while the others are rendered.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planctl.render import api
from planctl.rules import Options
from tests.conftest import FIXTURES, TODAY, sample_plans


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    """Samples, a copy of one (same id and version), a schema-broken plan, bad YAML, mkdocs.yml."""
    folder = tmp_path / "plans"
    folder.mkdir()
    samples = sample_plans()
    for p in samples:
        shutil.copy(p, folder / p.name)
    shutil.copy(samples[-1], folder / "zz-copy-of-the-last.yaml")  # its name is taken
    shutil.copy(FIXTURES / "broken" / "bad-enum.yaml", folder / "broken-enum.yaml")
    (folder / "broken-syntax.yaml").write_text("planctl: 1\nmetadata: [\n", encoding="utf-8")
    (folder / "mkdocs.yml").write_text("site_name: x\nnav: []\n", encoding="utf-8")
    return folder


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planctl", "render", *args, "--today", TODAY],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["docx", "md"])
def test_pooled_render_is_byte_identical_to_serial(plans: Path, fmt: str) -> None:
    serial = _cli(plans.parent, "plans", "-o", "serial", "-f", fmt, "-j", "1")
    pooled = _cli(plans.parent, "plans", "-o", "pooled", "-f", fmt, "-j", "2")
    assert serial.returncode == pooled.returncode == 1, serial.stderr
    assert pooled.stdout.replace("pooled", "serial") == serial.stdout
    assert pooled.stderr.replace("pooled", "serial") == serial.stderr
    written = _files(plans.parent / "serial")
    assert written == _files(plans.parent / "pooled")
    # every sample written once, in input order; the copy refused as taken
    assert len([n for n in written if n.endswith(f".{fmt}")]) == len(sample_plans())
    lines = serial.stdout.splitlines()
    assert [line.split(" -> ")[0] for line in lines] == [
        f"plans/{p.name}" for p in sorted(sample_plans())
    ]
    assert "zz-copy-of-the-last.yaml" in serial.stderr and "same id and version" in serial.stderr
    # no temporaries left behind
    assert not [n for n in written if n.endswith(".tmp")]


def test_a_broken_plan_in_the_directory_is_a_clean_error(plans: Path) -> None:
    r = _cli(plans.parent, "plans", "-o", "out", "-j", "2")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "refused to render plans/broken-enum.yaml" in r.stderr
    assert "refused to render plans/broken-syntax.yaml" in r.stderr
    assert "plans/mkdocs.yml: skipped" in r.stderr
    assert r.stdout.count(" -> ") == len(sample_plans())


def test_an_internal_error_in_a_worker_is_reported_for_its_plan(
    plans: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug hit by one plan ends neither the batch nor the pool, and shows no traceback."""
    real = api.build

    def build(data, **kwargs):  # type: ignore[no-untyped-def]
        if data["metadata"]["id"].startswith("taipu"):
            raise RuntimeError("boom")
        return real(data, **kwargs)

    monkeypatch.setattr(api, "build", build)  # forked workers inherit the patch
    files = [p for p in sorted(plans.iterdir()) if not p.name.startswith(("broken", "zz"))]
    outcomes = list(
        api.render_many(
            files, tmp_path / "out", jobs=2, options=Options(today=None), with_figure=False
        )
    )
    assert [o.path for o in outcomes] == files
    bad = [o for o in outcomes if o.internal is not None]
    assert len(bad) == 1 and bad[0].path.name.startswith("taipu")
    assert "RuntimeError: boom" in bad[0].internal[0]  # type: ignore[index]
    assert "Traceback" in bad[0].internal[1]  # type: ignore[index]
    assert [o.path.name for o in outcomes if o.skipped] == ["mkdocs.yml"]
    assert len([o for o in outcomes if o.rendered]) == len(sample_plans()) - 1
