"""Reachability scaling: one plan, 300 duties, 500 notification rules, 11 -> 301 parties.

The notification rules (NOT001/NOT002/NOT003/NOT008) trace chains from every
party that may learn first in every area, for every hazard and level. This
measures the whole rule run on one generated plan as the party count grows,
and prints the time per doubling so a super-quadratic step shows.

    python benchmarks/bench_reach.py            # 11, 76, 151, 301 parties
    python benchmarks/bench_reach.py 301 601    # chosen sizes

Every area has two parties (a city government and its ecology-environment
bureau) and no `first_informed`, so both may learn first: the worst case for
tracing. Rules: each area reports locally, notifies downstream and the basin
authority, plus random cross-area rules up to 500.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import plan as generated_plan
from timing import best

from planctl import reach
from planctl.check import check_document
from planctl.examples import render
from planctl.loader import load_text
from planctl.model import Plan
from planctl.rules import Options


def scaled(parties: int, rules: int = 500, duties: int = 300, seed: int = 7) -> dict:
    """A valid river-basin plan with ``parties`` parties (odd: pairs plus a basin authority)."""
    rng = random.Random(seed)
    base = generated_plan(0, random.Random(seed), shared=False)  # parties written out
    template = next(p for p in base["parties"] if p["id"].endswith("-gov"))
    n_areas = max(1, (parties - 1) // 2)
    out_parties, areas = [], []
    for k in range(n_areas):
        for pid, name, level in (
            (f"c{k}-gov", f"第{k}市人民政府", "city"),
            (f"c{k}-eco", f"第{k}市生态环境局", "department"),
        ):
            p = dict(template, id=pid, name=name, short_name=name[:6], level=level)
            p["signatory"] = {"organ": name, "title": "负责人"}
            out_parties.append(p)
        areas.append({"id": f"a{k}", "name": f"第{k}市", "parties": [f"c{k}-gov", f"c{k}-eco"]})
        if k + 1 < n_areas:
            areas[-1]["downstream"] = [f"a{k + 1}"]
    basin = next(p for p in base["parties"] if p["id"] == "basin")
    out_parties.append(basin)
    ids = [p["id"] for p in out_parties]
    out_rules = []
    for k in range(n_areas):
        down = [p for j in range(k + 1, n_areas) for p in (f"c{j}-gov", f"c{j}-eco")]
        out_rules.append(
            {
                "id": f"N-{k}-up",
                "kind": "report",
                "from": f"c{k}-eco",
                "to": [f"c{k}-gov"],
                "channels": ["phone"],
                "within": "PT15M",
            }
        )
        out_rules.append(
            {
                "id": f"N-{k}-down",
                "kind": "notify",
                "from": f"c{k}-gov",
                "to": [*down, "basin", f"c{k}-eco"],
                "channels": ["phone", "fax"],
                "within": "PT30M",
                "acknowledge": {"within": "PT15M"},
            }
        )
    while len(out_rules) < rules:
        sender = rng.choice(ids)
        to = sorted(set(rng.sample(ids, min(len(ids), rng.randint(1, 40)))) - {sender}) or ["basin"]
        out_rules.append(
            {
                "id": f"N-x{len(out_rules)}",
                "kind": "notify",
                "from": sender,
                "to": to,
                "channels": ["phone"],
                "within": rng.choice(["PT20M", "PT30M", "PT45M"]),
                "acknowledge": {"within": "PT15M"},
            }
        )
    out_duties = []
    for d in range(duties):
        k = d % n_areas
        lead = f"c{k}-{'gov' if d % 2 else 'eco'}"
        out_duties.append(
            {
                "id": f"D-{d:03d}",
                "phase": "response",
                "lead": lead,
                "support": [f"c{(k + 1) % n_areas}-gov"] if n_areas > 1 else ["basin"],
                "action": f"在第{k}市出境断面布设{d % 5 + 2}个应急监测点位，每2小时采样一次并共享监测数据",
                "within": "PT2H",
            }
        )
    out_duties.append(
        {
            "id": "D-basin",
            "phase": "response",
            "lead": "basin",
            "action": "调度水库下泄流量，按联合指挥部指令在2小时内调整闸门开度",
            "within": "PT2H",
        }
    )
    data = dict(base)
    data["parties"] = out_parties
    data["geography"] = {"kind": "river_basin", "name": "测试河", "areas": areas}
    data["notifications"] = {"limits": base["notifications"]["limits"], "rules": out_rules}
    data["duties"] = out_duties
    data["resources"] = []
    drills = [dict(d, participants=ids) for d in base["maintenance"]["drills"]]
    data["maintenance"] = dict(base["maintenance"], drills=drills)
    warnings = [dict(w, issuer="c0-gov") for w in base["levels"]["warnings"]]
    data["levels"] = dict(base["levels"], warnings=warnings)
    data["aftermath"] = {
        "investigation": dict(base["aftermath"]["investigation"], lead="c0-gov", **{"with": []})
    }
    data["mutual_aid"] = {k: v for k, v in base["mutual_aid"].items() if k != "commitments"}
    data["command"] = {
        "body": {"name": "联席会议", "chair": "c0-gov", "members": ids},
        "levels": [
            {"response": r["id"], "lead": "c0-gov", "hq": "联合指挥部", "groups": ["g-mon"]}
            for r in base["levels"]["responses"]
        ],
        "groups": [
            {
                "id": "g-mon",
                "name": "应急监测组",
                "lead": "c0-eco",
                "members": ids[1:],
                "tasks": ["每2小时在交界断面采样"],
            }
        ],
    }
    return data


def main(sizes: list[int]) -> None:
    options = Options()
    print(f"{'parties':>8} {'origins':>8} {'reach s':>9} {'all rules s':>12} {'x prev':>7}")
    prev = None
    for n in sizes:
        doc = load_text(render(scaled(n)), f"scaled-{n}.yaml")
        found = check_document(doc, options).findings
        assert not any(f.code.startswith(("YAML", "SCH")) for f in found), found[:3]
        plan = Plan(doc.data)
        origins = len(reach.origins(plan))
        t_reach = best(lambda d=doc: list(reach.scenarios(Plan(d.data))), 3)
        t_all = best(lambda d=doc: check_document(d, options), 3)
        ratio = f"{t_all / prev:6.1f}x" if prev else "      -"
        print(f"{n:>8} {origins:>8} {t_reach:>9.3f} {t_all:>12.3f} {ratio}")
        prev = t_all


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [11, 76, 151, 301])
