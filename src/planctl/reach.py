"""Notification reachability: who hears about an event, through whom, by when.

This is the computation behind the aniline lesson. For every place an event
can start, every party there that may learn of it first, every event type and
every level, we take the notification rules that fire, treat them as a graph
of parties with each rule's deadline as the edge weight, and find the fastest
chain to every party that can be affected. Validation, the notification
matrix and the flow figure all read this one result.

A rule counts only once its trigger is met. A rule fires on knowledge of the
event unless its ``when.trigger`` says otherwise: on a level being reached
(met for scenarios at least that severe), on a measured threshold or on a
request (never assumed met: nothing in the plan says it will happen). Free
text in ``when.condition`` that reads as a delay ("污染物流出本行政区域后") is a
trigger nobody can check, so such a rule does not count either — that is the
Changzhi loophole closed.

Cost: the rule graph depends only on which rules fire, so it is built once per
distinct set of firing rules (usually one or two per plan, whatever the number
of levels), deadlines are parsed once, and the fastest-chain tree from each
first-informed party is computed once per graph and shared by every origin,
hazard and level that uses it.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from planctl import durations
from planctl.loader import safe_load
from planctl.model import Plan, message_type

#: rule kinds that carry information about an event (a support request does not)
_INFO_KINDS = {"report", "notify", "warning"}
#: message types that tell of an event (a stand-down ends one, a request asks for help)
_START_MESSAGES = {"warning", "information"}
#: triggers that fire later than knowledge of the event
LATE_TRIGGERS = ("level", "threshold", "request")


@dataclass(frozen=True)
class Origin:
    """A place an event can start, a party there that learns first, and who must hear."""

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


@cache
def delay_phrases() -> tuple[str, ...]:
    raw = safe_load((resources.files("planctl") / "data" / "delay-phrases.yaml").read_text("utf-8"))
    return tuple(sorted(raw["phrases"], key=len, reverse=True))


@cache
def _delay_re() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, delay_phrases())))


def delaying_phrase(text: str | None) -> re.Match[str] | None:
    """The first phrase in a free-text condition that makes a notice wait."""
    if not text or not isinstance(text, str):
        return None
    return _delay_re().search(text)


def trigger(rule: dict[str, Any]) -> dict[str, Any]:
    """The rule's structured trigger; knowledge of the event when none is given."""
    when = rule.get("when") or {}
    t = when.get("trigger")
    return t if isinstance(t, dict) else {"type": "knowledge"}


def is_late(rule: dict[str, Any]) -> bool:
    """Does the rule fire later than knowledge of the event?"""
    if trigger(rule).get("type") in LATE_TRIGGERS:
        return True
    return delaying_phrase((rule.get("when") or {}).get("condition")) is not None


def trigger_met(plan: Plan, rule: dict[str, Any], level: str) -> bool:
    """Is the rule's trigger met in a scenario at ``level``?"""
    if delaying_phrase((rule.get("when") or {}).get("condition")) is not None:
        return False
    t = trigger(rule)
    on = t.get("type", "knowledge")
    if on == "knowledge":
        return True
    if on == "level":
        wanted = plan.level_rank.get(t.get("level", ""))
        actual = plan.level_rank.get(level)
        return wanted is not None and actual is not None and actual <= wanted
    return False  # a threshold or a request may never come


def first_informed(area: dict[str, Any]) -> list[str]:
    """Who may learn of an event in an area first: declared, or every party of the area."""
    declared = area.get("first_informed")
    return list(declared) if declared else list(area.get("parties", []))


def origins(plan: Plan) -> list[Origin]:
    """Every (area, first-informed party) with the parties that must hear (see :func:`_origins`).

    Computed once per plan object, like :func:`network`: target rules ask for
    every area and owner, and each ask walked the geography again.
    """
    cached = plan.__dict__.get("_reach_origins")
    if cached is None:
        cached = tuple(_origins(plan))
        plan.__dict__["_reach_origins"] = cached
    return list(cached)


def _origins(plan: Plan) -> list[Origin]:
    """Every (area, first-informed party) with the parties that must hear.

    With a geography, each area is an origin and each of its first-informed
    parties (``first_informed``, by default every party of the area) may learn
    first; in a river basin only the area itself and areas downstream are
    affected, elsewhere every area is. Parties in no area (a basin authority,
    a higher-level department) must always hear, and so must the party that
    leads the response for an event in that area (``lead: {by: origin}``),
    even when it sits elsewhere. Without a geography every
    party is an origin and every other party is affected.
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
    origin_specs = [
        lvl.get("lead")
        for lvl in plan.command.get("levels", [])
        if isinstance(lvl.get("lead"), dict) and lvl["lead"].get("by") == "origin"
    ]
    out = []
    for idx, area in enumerate(areas):
        if area.get("origin", True) is False or not area.get("parties"):
            continue
        if geo.get("kind") == "river_basin":
            reached = _downstream(area["id"], by_id)
            affected_areas = [area["id"], *[a["id"] for a in areas if a["id"] in reached]]
        else:
            affected_areas = [a["id"] for a in areas]
        must_hear: list[str] = []
        seen: set[str] = set()
        for aid in affected_areas:
            for pid in by_id[aid].get("parties", []):
                if pid not in seen:
                    seen.add(pid)
                    must_hear.append(pid)
        must_hear += [p for p in floating if p not in seen]
        # whoever leads for an event here must hear of it, wherever it sits
        for spec in origin_specs:
            lead = plan.resolve_lead(spec, area["id"])
            if lead and lead in plan.party and lead not in seen and lead not in must_hear:
                must_hear.append(lead)
        label = area.get("name", area["id"])
        for source in dict.fromkeys(first_informed(area)):
            if source not in plan.party:
                continue  # an unresolved id: REF001 reports it
            affected = tuple(p for p in must_hear if p != source)
            out.append(Origin(area["id"], idx, source, affected, label))
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


def downstream_areas(plan: Plan) -> dict[str, set[str]]:
    """Area id -> every area downstream of it (river basins; empty elsewhere)."""
    geo = plan.geography or {}
    if geo.get("kind") != "river_basin":
        return {}
    by_id = {a["id"]: a for a in geo.get("areas", [])}
    return {aid: _downstream(aid, by_id) for aid in by_id}


def applies(rule: dict[str, Any], hazard: str, level: str, level_kind: str) -> bool:
    """Does a notification rule's scope cover this hazard and level (trigger aside)?"""
    if rule["kind"] not in _INFO_KINDS or message_type(rule) not in _START_MESSAGES:
        return False
    if rule["kind"] == "warning" and level_kind != "warning":
        return False
    when = rule.get("when") or {}
    if when.get("hazards") and hazard not in when["hazards"]:
        return False
    return not (when.get("levels") and level not in when["levels"])


def stand_down_applies(rule: dict[str, Any], hazard: str, level: str, level_kind: str) -> bool:
    """Does a stand-down (解除/终止) rule cover this hazard and level?

    A stand-down is sent when the response ends or the warning is lifted, so
    its trigger is that decision, not knowledge of the event; only its scope counts.
    """
    if message_type(rule) != "stand_down" or rule.get("kind") == "request":
        return False
    if rule.get("kind") == "warning" and level_kind != "warning":
        return False
    when = rule.get("when") or {}
    if when.get("hazards") and hazard not in when["hazards"]:
        return False
    return not (when.get("levels") and level not in when["levels"])


class Tree:
    """Fastest chains from one source over one rule graph (Dijkstra, predecessors kept)."""

    __slots__ = ("_index", "_names", "_pred_node", "_pred_rule", "_weights", "dist", "source")

    def __init__(
        self,
        source: str,
        dist: dict[str, float],
        names: list[str],
        pred_node: list[int],
        pred_rule: list[int],
        weights: list[float | None],
        index: dict[str, int] | None = None,
    ) -> None:
        self.source = source
        self.dist = dist
        self._names = names
        self._pred_node = pred_node
        self._pred_rule = pred_rule
        self._weights = weights
        self._index = {n: i for i, n in enumerate(names)} if index is None else index

    @property
    def pred(self) -> dict[str, Hop]:
        """Predecessor hop of every reached party (built on demand)."""
        out = {}
        for name in self.dist:
            if name != self.source:
                out[name] = self._hop(self._index[name])
        return out

    def _hop(self, v: int) -> Hop:
        u = self._pred_node[v]
        rule = self._pred_rule[v]
        mins = self._weights[rule]
        assert mins is not None
        return Hop(rule, self._names[u], self._names[v], mins)

    def chain(self, target: str) -> Chain | None:
        if target == self.source or target not in self.dist:
            return None
        hops: list[Hop] = []
        v = self._index[target]
        src = self._index[self.source]
        while v != src:
            hop = self._hop(v)
            hops.append(hop)
            v = self._pred_node[v]
        hops.reverse()
        return Chain(self.dist[target], hops)


class _Graph:
    """Parties as integers and, per sender, (receiver, minutes, rule) edges: built once."""

    __slots__ = ("adj", "index", "names")

    def __init__(self, names: list[str], adj: list[list[tuple[int, float, int]]]) -> None:
        self.names = names
        self.index = {n: i for i, n in enumerate(names)}
        self.adj = adj


class Network:
    """The plan's rules as graphs, built once per distinct set of firing rules."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._minutes: list[float | None] = []
        for rule in plan.rules:
            try:
                self._minutes.append(durations.minutes(rule["within"]))
            except (KeyError, TypeError, ValueError):
                self._minutes.append(None)
        self._signature: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._graphs: dict[tuple[int, ...], _Graph] = {}
        self._trees: dict[tuple[tuple[int, ...], str], Tree] = {}

    def firing(self, hazard: str, level: str, level_kind: str) -> tuple[int, ...]:
        """Indices of the rules that fire in this scenario (scope and trigger)."""
        key = (hazard, level, level_kind)
        sig = self._signature.get(key)
        if sig is None:
            sig = tuple(
                i
                for i, rule in enumerate(self.plan.rules)
                if self._minutes[i] is not None
                and applies(rule, hazard, level, level_kind)
                and trigger_met(self.plan, rule, level)
            )
            self._signature[key] = sig
        return sig

    def stand_down_firing(self, hazard: str, level: str, level_kind: str) -> tuple[int, ...]:
        """Indices of the stand-down rules in scope of this scenario.

        Graphs and trees are cached by rule set, so stand-down chains reuse
        the same integer-indexed machinery as information chains.
        """
        key = ("stand_down", hazard, level, level_kind)
        sig = self._signature.get(key)
        if sig is None:
            sig = tuple(
                i
                for i, rule in enumerate(self.plan.rules)
                if self._minutes[i] is not None
                and stand_down_applies(rule, hazard, level, level_kind)
            )
            self._signature[key] = sig
        return sig

    def _graph(self, sig: tuple[int, ...]) -> _Graph:
        graph = self._graphs.get(sig)
        if graph is None:
            names: list[str] = [p["id"] for p in self.plan.parties]
            index = {n: i for i, n in enumerate(names)}

            def node(name: str) -> int:
                if name not in index:  # an unresolved id (REF001 reports it)
                    index[name] = len(names)
                    names.append(name)
                return index[name]

            fastest: dict[tuple[int, int], tuple[float, int]] = {}
            for i in sig:
                rule = self.plan.rules[i]
                mins = self._minutes[i]
                assert mins is not None
                u = node(rule["from"])
                for receiver in rule["to"]:
                    v = node(receiver)
                    old = fastest.get((u, v))
                    if old is None or mins < old[0]:
                        fastest[(u, v)] = (mins, i)
            adj: list[list[tuple[int, float, int]]] = [[] for _ in names]
            for (u, v), (mins, i) in fastest.items():
                adj[u].append((v, mins, i))
            graph = _Graph(names, adj)
            self._graphs[sig] = graph
        return graph

    def tree(self, sig: tuple[int, ...], source: str) -> Tree:
        key = (sig, source)
        found = self._trees.get(key)
        if found is None:
            found = self._dijkstra(self._graph(sig), source)
            self._trees[key] = found
        return found

    def _dijkstra(self, graph: _Graph, source: str) -> Tree:
        names = graph.names
        n = len(names)
        inf = float("inf")
        dist = [inf] * n
        pred_node = [-1] * n
        pred_rule = [-1] * n
        s = graph.index.get(source)
        if s is None:
            return Tree(source, {source: 0.0}, names, pred_node, pred_rule, self._minutes)
        dist[s] = 0.0
        done = [False] * n
        adj = graph.adj
        queue: list[tuple[float, int]] = [(0.0, s)]
        pop, push = heapq.heappop, heapq.heappush
        while queue:
            d, u = pop(queue)
            if done[u]:
                continue
            done[u] = True
            for v, mins, i in adj[u]:
                nd = d + mins
                if nd < dist[v]:
                    dist[v] = nd
                    pred_node[v] = u
                    pred_rule[v] = i
                    push(queue, (nd, v))
        reached = {names[v]: dist[v] for v in range(n) if dist[v] != inf}
        return Tree(source, reached, names, pred_node, pred_rule, self._minutes, graph.index)

    def scenario_tree(self, hazard: str, level: str, level_kind: str, source: str) -> Tree:
        return self.tree(self.firing(hazard, level, level_kind), source)


def network(plan: Plan) -> Network:
    """The plan's shared :class:`Network` (one per plan object)."""
    cached = plan.__dict__.get("_reach_network")
    if cached is None:
        cached = Network(plan)
        plan.__dict__["_reach_network"] = cached
    return cached


def fastest_chains(
    plan: Plan, hazard: str, level: str, level_kind: str, source: str
) -> dict[str, Chain]:
    """Fastest chain from ``source`` to every party it reaches; deadlines add up."""
    tree = network(plan).scenario_tree(hazard, level, level_kind, source)
    out = {}
    for target in tree.dist:
        chain = tree.chain(target)
        if chain is not None:
            out[target] = chain
    return out


@dataclass(frozen=True)
class Scenario:
    """One origin, hazard and level, with the fastest-chain tree from the origin's source."""

    origin: Origin
    hazard: str
    level: str
    level_kind: str
    tree: Tree


def scenarios(plan: Plan) -> Iterator[Scenario]:
    """Every (origin, hazard, level) with its tree; targets are ``origin.affected``."""
    net = network(plan)
    levels = plan.scenario_levels()
    for origin in origins(plan):
        for hazard in plan.hazards:
            for level, kind in levels:
                yield Scenario(
                    origin,
                    hazard,
                    level,
                    kind,
                    net.scenario_tree(hazard, level, kind, origin.source),
                )


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
    for sc in scenarios(plan):
        for target in sc.origin.affected:
            yield Outcome(
                sc.origin, sc.hazard, sc.level, sc.level_kind, target, sc.tree.chain(target)
            )
