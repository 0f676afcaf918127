"""Benchmark: the flow charts (per level and origin) against the single legacy figure.

For each sample plan and for a 34-party full mesh (every party notifies every
other; with and without a geography), prints the time of the legacy
``flow_png`` (one tangle of every arrow) and of ``flow_charts`` (all charts of
the plan), best of REPEAT, and how many charts came out.

    python benchmarks/bench_figure.py [REPEAT=3]
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from timing import best

from planctl.loader import load_file
from planctl.model import Plan
from planctl.render import matrix as mx
from planctl.render.figure import flow_charts, flow_png

ROOT = Path(__file__).resolve().parents[1]


def mesh(n: int = 34, geography: bool = True) -> Plan:
    """The river sample grown to ``n`` parties, each notifying every other."""
    data = copy.deepcopy(load_file(ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml").data)
    k = 0
    while len(data["parties"]) < n:
        k += 1
        data["parties"].append(
            {"id": f"county-{k:02d}", "name": f"第{k}县人民政府", "short_name": f"第{k}县"}
        )
    ids = [p["id"] for p in data["parties"]]
    for i, pid in enumerate(ids):
        data["notifications"]["rules"].append(
            {
                "id": f"M-{i:02d}",
                "kind": "notify",
                "from": pid,
                "to": [x for x in ids if x != pid],
                "channels": ["phone"],
                "within": "PT30M",
            }
        )
    if not geography:
        data.pop("geography")
    return Plan(data)


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    cases = [
        (p.stem, Plan(load_file(p).data)) for p in sorted((ROOT / "sample-plans").glob("*.yaml"))
    ]
    cases += [
        ("34-party mesh, areas", mesh(34, True)),
        ("34-party mesh, no geography", mesh(34, False)),
    ]
    print(f"best of {repeat}; legacy skipped above 160 arrows (the renderer never drew those)")
    print(f"{'plan':<32}{'arrows':>8}{'legacy s':>10}{'charts s':>10}{'charts':>8}{'drawn':>7}")
    for name, plan in cases:
        nodes, edges = mx.flow_edges(plan)
        legacy = (
            best(lambda n=nodes, e=edges: flow_png(n, e), repeat)
            if len(edges) <= 160
            else float("nan")
        )
        out = flow_charts(plan)
        t = best(lambda p=plan: flow_charts(p), repeat)
        drawn = sum(1 for c in out if c.png)
        print(f"{name:<32}{len(edges):>8}{legacy:>10.3f}{t:>10.3f}{len(out):>8}{drawn:>7}")


if __name__ == "__main__":
    main()
