"""Benchmark: the flow charts of each sample, of full meshes and of dense tiers.

For each sample plan, a 34-party full mesh (every party notifies every other;
with and without a geography) and a plan whose senders each send several
rules with different deadlines (tests/plans.py, shared with the tests),
prints the time of ``flow_charts`` (all charts of the plan), best of REPEAT,
and how many charts came out and were drawn.

    python benchmarks/bench_figure.py [REPEAT=3]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.plans import dense_tiers, mesh
from timing import best

from planctl.loader import load_file
from planctl.model import Plan
from planctl.render import matrix as mx
from planctl.render.figure import flow_charts

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    cases = [
        (p.stem, Plan(load_file(p).data)) for p in sorted((ROOT / "sample-plans").glob("*.yaml"))
    ]
    cases += [
        ("34-party mesh, areas", mesh(34, True)),
        ("34-party mesh, no geography", mesh(34, False)),
        ("dense tiers (seed 1)", dense_tiers(1)),
    ]
    print(f"best of {repeat}")
    print(f"{'plan':<32}{'arrows':>8}{'charts s':>10}{'charts':>8}{'drawn':>7}")
    for name, plan in cases:
        _, edges = mx.flow_edges(plan)
        out = flow_charts(plan)
        t = best(lambda p=plan: flow_charts(p), repeat)
        drawn = sum(1 for c in out if c.emf)
        print(f"{name:<32}{len(edges):>8}{t:>10.3f}{len(out):>8}{drawn:>7}")


if __name__ == "__main__":
    main()
