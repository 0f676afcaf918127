"""Plans built from the samples for tests and benchmarks (one place, so both measure the same).

``mesh`` grows the river sample into a full mesh (every party notifies every
other), the densest notification graph a plan can have; ``dense_tiers`` gives
each of a few senders several rules with different deadlines, so many stems
leave one tier side by side: the case where arrow labels crowd each other.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from planctl.loader import load_file
from planctl.model import Plan

ROOT = Path(__file__).resolve().parents[1]
RIVER = ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml"


def river() -> dict[str, Any]:
    return copy.deepcopy(load_file(RIVER).data)


def mesh(n: int = 34, geography: bool = True) -> Plan:
    """The river sample grown to ``n`` parties, each notifying every other (a full mesh)."""
    data = river()
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


def dense_tiers(seed: int, senders: int = 3, per_sender: int = 3, extra: int = 6) -> Plan:
    """The river sample with ``extra`` more parties and, from each of ``senders`` parties,
    ``per_sender`` rules with different deadlines to different receivers (seeded)."""
    import random

    rnd = random.Random(seed)
    data = river()
    data.pop("geography", None)
    for k in range(extra):
        data["parties"].append(
            {"id": f"x-{k:02d}", "name": f"第{k + 1}县人民政府", "short_name": f"第{k + 1}县"}
        )
    ids = [p["id"] for p in data["parties"]]
    deadlines = ["PT10M", "PT15M", "PT20M", "PT30M", "PT45M", "PT1H", "PT2H"]
    written = [None, "PT1H", "PT2H", "PT35M"]
    for s in rnd.sample(ids, senders):
        others = [x for x in ids if x != s]
        for j in range(per_sender):
            rule: dict[str, Any] = {
                "id": f"D-{s}-{j}",
                "kind": "notify",
                "from": s,
                "to": rnd.sample(others, rnd.randint(1, 4)),
                "channels": ["phone"],
                "within": rnd.choice(deadlines),
            }
            w = rnd.choice(written)
            if w:
                rule["channels"] = ["phone", "fax"]
                rule["written_within"] = w
            data["notifications"]["rules"].append(rule)
    return Plan(data)
