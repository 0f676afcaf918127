"""A generated repository of 50 plans sharing registries: clean, then seeded defects found.

The acceptance test of issue #13: benchmarks/generate.py writes 50 plans that
use shared registries of parties and stock (listed once, in planctl.yaml); the repository validates clean as
a whole; then a contact conflict, an over-committed resource and overlapping
plans are seeded, and each is reported at the line where it was seeded.
"""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest
import yaml

from planctl.check import check_paths
from planctl.config import Config
from planctl.rules import Options

from .conftest import ROOT, TODAY


def _generator():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check(root: Path):
    return check_paths([root], Options(today=date.fromisoformat(TODAY)), Config())


def _line(path: Path, needle: str, after: str | None = None) -> int:
    """1-based number of the first line holding ``needle`` (after the line holding ``after``)."""
    lines = path.read_text("utf-8").splitlines()
    start = next(i for i, x in enumerate(lines) if after in x) if after else 0
    return next(i for i, x in enumerate(lines) if i >= start and needle in x) + 1


def _codes(report) -> set[tuple[str, str, int]]:
    return {(Path(f.file).name, f.code, f.line) for f in report.findings}


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("national")
    (root / ".git").mkdir()  # the repository root registries must stay inside
    _generator().main(50, root)
    return root


def test_generated_repository_shares_registries_and_is_clean(repository: Path) -> None:
    plans = sorted(repository.glob("plan-*.yaml"))
    assert len(plans) == 50
    first = yaml.safe_load(plans[0].read_text("utf-8"))
    # the registries are listed once, in planctl.yaml, and every plan uses their entries
    assert "registries" not in first and any("use" in p for p in first["parties"])
    config = yaml.safe_load((repository / "planctl.yaml").read_text("utf-8"))
    assert config["registries"] == ["registries/parties.yaml", "registries/resources.yaml"]
    report = _check(repository)
    assert [f"{f.code} {f.file}:{f.line}" for f in report.findings] == []
    assert len(report.files) == 52  # 50 plans and the two registries, all checked
    assert all(r.rules_run for r in report.files)


def test_seeded_cross_plan_defects_are_found_at_their_lines(
    repository: Path, tmp_path: Path
) -> None:
    import shutil

    root = tmp_path / "seeded"
    shutil.copytree(repository, root)
    gen = _generator()

    # 1. a contact conflict: plan 7 writes its first party's duty line itself, wrongly
    p7 = root / "plan-0007.yaml"
    data = yaml.safe_load(p7.read_text("utf-8"))
    party = data["parties"][0]
    entry = next(x for x in gen.registries()["parties.yaml"]["parties"] if x["id"] == party["use"])
    wrong = dict(entry["contacts"][0], value=entry["contacts"][0]["value"][:5] + "9999999")
    party["contacts"] = [wrong]
    p7.write_text(gen.dump(data), "utf-8")

    # 2. overlapping plans: plan 21 is written again as a second plan for the same reach
    p21 = root / "plan-0021.yaml"
    twin = yaml.safe_load(p21.read_text("utf-8"))
    twin["metadata"]["id"] = "bench-0021-chemical-park"
    twin["metadata"]["title"] = "化工园区" + twin["metadata"]["title"]
    # 3. ...and commits so much of the first city's carbon that the two exceed the stock
    use = next(r for r in twin["resources"] if "use" in r)
    original = next(
        r for r in yaml.safe_load(p21.read_text("utf-8"))["resources"] if r.get("use") == use["use"]
    )
    use["quantity"] = gen.STOCK["carbon"][2] - original["quantity"] + 1
    p21b = root / "plan-0021b.yaml"
    p21b.write_text(gen.dump(twin), "utf-8")

    got = _codes(_check(root))
    seeded = {
        ("plan-0007.yaml", "XPL001", _line(p7, wrong["value"])),
        # one set of plans over the stock, told once in its first plan, naming the other
        ("plan-0021.yaml", "XPL002", _line(p21, "quantity:", after=f"use: {use['use']}")),
        # one group of overlapping plans, told once in its first plan, naming the other
        ("plan-0021.yaml", "XPL003", _line(p21, "name: ", after="areas:")),
    }
    assert got == seeded
