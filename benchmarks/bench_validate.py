"""Benchmark: `planctl validate` next to the floor, loading the same files with CSafeLoader.

Prints one table with the absolute times and the ratio planctl / floor, for
the whole pipeline and per layer (compose + source map, schema, rules), so a
regression shows where it came from. Not a test: run it and read it.

    python benchmarks/bench_validate.py [N=200] [REPEAT=3]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
import generate
from timing import best

from planctl import schema
from planctl.check import check_paths, run_rules
from planctl.config import Config
from planctl.loader import load_file
from planctl.rules import Options


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as tmp:
        paths = generate.main(n, Path(tmp))
        size = sum(p.stat().st_size for p in paths)
        opts = Options()
        from datetime import date

        opts.today = date(2026, 11, 28)
        report = check_paths(paths, opts)
        errors = [f for f in report.findings if f.severity == "error"]
        assert not errors, errors[:3]  # we time the full path: every plan is clean

        def floor() -> None:
            for p in paths:
                with open(p, encoding="utf-8") as fh:
                    yaml.load(fh, Loader=yaml.CSafeLoader)

        def pure_python_safe_load() -> None:
            for p in paths:
                with open(p, encoding="utf-8") as fh:
                    yaml.load(fh, Loader=yaml.SafeLoader)

        schema.validator()  # compile once, as a long-running process would

        def load_each() -> None:
            for p in paths:
                load_file(p)  # not kept: holding 200 source maps alive skews the GC

        t_floor = best(floor, repeat)
        t_pyload = best(pure_python_safe_load, repeat)
        t_all = best(lambda: check_paths(paths, opts), repeat)
        t_load = best(load_each, repeat)
        docs = [load_file(p) for p in paths]
        t_schema = best(lambda: [schema.check(d) for d in docs], repeat)
        t_rules = best(lambda: [run_rules(d, opts, Config()) for d in docs], repeat)
        docs.clear()

        t0 = time.perf_counter()
        cli = subprocess.run(
            [sys.executable, "-m", "planctl", "validate", tmp, "--today", "2026-11-28"],
            capture_output=True,
            check=False,
        )
        t_cli = time.perf_counter() - t0
        assert cli.returncode == 0, cli.stdout[-500:]

    print(f"{n} generated plans, {size / 1e6:.1f} MB, best of {repeat}")
    print(f"{'step':<44}{'seconds':>10}{'ms/plan':>10}{'× floor':>10}")
    rows = [
        ("floor: yaml.load CSafeLoader", t_floor),
        ("peer: yaml.load SafeLoader (pure Python)", t_pyload),
        ("planctl load (compose + source map)", t_load),
        ("planctl schema layer", t_schema),
        ("planctl rules layer", t_rules),
        ("planctl validate, library (all layers)", t_all),
        ("planctl validate, CLI process (1 run)", t_cli),
    ]
    for name, t in rows:
        print(f"{name:<44}{t:>10.3f}{t / n * 1000:>10.2f}{t / t_floor:>10.1f}")
    print(f"ratio planctl validate / CSafeLoader floor: {t_all / t_floor:.1f}x")
    print(f"median ms per plan (library): {statistics.median([t_all / n * 1000]):.2f}")


if __name__ == "__main__":
    main()
