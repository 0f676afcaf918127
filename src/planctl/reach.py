"""Notification reachability: who hears about an event, through whom, by when.

This is the computation behind the aniline lesson. For every place an event
can start, every event type and every level, we take the notification rules
that apply, treat them as a graph of parties with each rule's deadline as the
edge weight, and find the fastest chain from the party that learns first to
every party that can be affected. Validation, the notification matrix and the
flow figure all read this one result.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from planctl import durations
from planctl.model import Plan

#: rule kinds that carry information about an event (a support request does not)
_INFO_KINDS = {"report", "notify", "warning"}


@dataclass(frozen=True)
class Origin:
    """A place an event can start: the party that learns first and who must hear."""

    area: str | None
    area_index: int | None
    source: str
    affected: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class Hop:
    rule_index: int
    sender: str
    receiver: str
    minutes: float


@dataclass
class Chain:
    minutes: float
    hops: list[Hop] = field(default_factory=list)

    @property
    def parties(self) -> list[str]:
        if not self.hops:
            return []
        return [self.hops[0].sender] + [h.receiver for h in self.hops]


def origins(plan: Plan) -> list[Origin]:
    """Every origin with its affected parties.

    With a geography, each area is an origin and its first party learns first;
    in a river basin only areas downstream are affected, elsewhere every area
    is. Parties in no area (a basin authority, a higher-level department) must
    always hear. Without a geography every party is an origin and every other
    party is affected.
    """
    all_ids = [p["id"] for p in plan.parties]
    geo = plan.geography
    if not geo:
        return [
            Origin(None, None, pid, tuple(x for x in all_ids if x != pid), plan.name(pid))
            for pid in all_ids
        ]
    areas = geo.get("areas", [])
    by_id = {a["id"]: a for a in areas}
    in_area = {pid for a in areas for pid in a.get("parties", [])}
    floating = [pid for pid in all_ids if pid not in in_area]
    out = []
    for idx, area in enumerate(areas):
        if area.get("origin", True) is False or not area.get("parties"):
            continue
        source = area["parties"][0]
        if geo.get("kind") == "river_basin":
            reached = _downstream(area["id"], by_id)
            affected_areas = [area["id"], *[a["id"] for a in areas if a["id"] in reached]]
        else:
            affected_areas = [a["id"] for a in areas]
        affected: list[str] = []
        for aid in affected_areas:
            for pid in by_id[aid].get("parties", []):
                if pid != source and pid not in affected:
                    affected.append(pid)
        affected += [p for p in floating if p != source and p not in affected]
        out.append(Origin(area["id"], idx, source, tuple(affected), area.get("name", area["id"])))
    return out


def _downstream(area_id: str, by_id: dict[str, dict[str, Any]]) -> set[str]:
    seen: set[str] = set()
    stack = list(by_id.get(area_id, {}).get("downstream", []))
    while stack:
        aid = stack.pop()
        if aid in seen or aid not in by_id:
            continue
        seen.add(aid)
        stack.extend(by_id[aid].get("downstream", []))
    seen.discard(area_id)
    return seen


def applies(rule: dict[str, Any], hazard: str, level: str, level_kind: str) -> bool:
    """Does a notification rule fire for this hazard and level?"""
    if rule["kind"] not in _INFO_KINDS:
        return False
    if rule["kind"] == "warning" and level_kind != "warning":
        return False
    when = rule.get("when") or {}
    if when.get("hazards") and hazard not in when["hazards"]:
        return False
    return not (when.get("levels") and level not in when["levels"])


def fastest_chains(
    plan: Plan, hazard: str, level: str, level_kind: str, source: str
) -> dict[str, Chain]:
    """Dijkstra over the applicable rules from ``source``; deadlines add up."""
    edges: dict[str, list[Hop]] = {}
    for i, rule in enumerate(plan.rules):
        if not applies(rule, hazard, level, level_kind):
            continue
        mins = durations.minutes(rule["within"])
        for receiver in rule["to"]:
            edges.setdefault(rule["from"], []).append(Hop(i, rule["from"], receiver, mins))
    best: dict[str, Chain] = {source: Chain(0.0)}
    queue: list[tuple[float, int, str]] = [(0.0, 0, source)]
    counter = 1
    done: set[str] = set()
    while queue:
        dist, _, node = heapq.heappop(queue)
        if node in done:
            continue
        done.add(node)
        for hop in edges.get(node, []):
            nd = dist + hop.minutes
            current = best.get(hop.receiver)
            if current is None or nd < current.minutes:
                best[hop.receiver] = Chain(nd, [*best[node].hops, hop])
                heapq.heappush(queue, (nd, counter, hop.receiver))
                counter += 1
    best.pop(source, None)
    return best


@dataclass(frozen=True)
class Outcome:
    origin: Origin
    hazard: str
    level: str
    level_kind: str
    target: str
    chain: Chain | None


def outcomes(plan: Plan) -> Iterator[Outcome]:
    """Every (origin, hazard, level, affected party) with its fastest chain or None."""
    for origin in origins(plan):
        for hazard in plan.hazards:
            for level, kind in plan.scenario_levels():
                chains = fastest_chains(plan, hazard, level, kind, origin.source)
                for target in origin.affected:
                    yield Outcome(origin, hazard, level, kind, target, chains.get(target))
