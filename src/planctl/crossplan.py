"""Checks across the plans of a repository (XPL rules).

Per file, :func:`plan_facts` keeps the little a repository check needs: each
party's 24-hour lines, each commitment of a registry resource, hazards, areas
and validity, every item with its line and column. The record is small and
JSON-serialisable, so a result cache can store it with the file's findings and
a re-run compares plans without parsing unchanged files again.
:func:`check_repository` then compares the records:

- XPL001: one party (by full name) has different 24-hour lines on one channel
  in different files. A file that lists an extra line is no conflict.
- XPL002: a registry resource is committed, in total, beyond its stock by
  plans that could be active at once (one finding per such set of plans, see
  :func:`_committing_groups`).
- XPL003: plans that could be active at once (each such pair told once, at
  most one finding per plan, see :func:`_overlap_groups`).
- XPL004: two plans carry one ``metadata.id`` (a copy), unless they are
  versions of one plan kept side by side (another version, superseded).

"Could be active at once": neither is superseded, they share a hazard, an area
(``geography.areas`` compared by name) and a day of validity (``effective``
to ``valid_until``, which defaults to ``review_due``). A plan without
geography overlaps no other.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from planctl.findings import Finding
from planctl.placeholders import is_placeholder
from planctl.registry import is_quantity

#: bump when the shape of the facts record changes (result caches key on it)
FACTS_VERSION = 2
_PHONE_NOISE = re.compile(r"[\s\-—–－()（）]")
_SPACE = re.compile(r"\s+")


def _text(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip() or is_placeholder(value):
        return None
    return value.strip()


def _date(value: Any) -> str | None:
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    text = _text(value)
    return text[:10] if text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text[:10]) else None


def _at(doc: Any, path: tuple[Any, ...]) -> list[int]:
    mark = doc.source.value(path)
    return [mark.line, mark.col]


def plan_facts(doc: Any) -> dict[str, Any]:
    """What cross-plan checks need from one resolved, schema-valid plan document."""
    data = doc.data if isinstance(doc.data, dict) else {}
    meta_raw = data.get("metadata")
    meta: dict[str, Any] = meta_raw if isinstance(meta_raw, dict) else {}
    facts: dict[str, Any] = {
        "v": FACTS_VERSION,
        "id": _text(meta.get("id")),
        "status": _text(meta.get("status")),
        "version": _text(meta.get("version")),
        "hazards": sorted(h for h in meta.get("hazards") or [] if _text(h)),
        "validity": _validity(data),
        "at": _at(doc, ("metadata", "id")),
        "areas": [],
        "contacts": [],
        "commitments": [],
    }
    geo = data.get("geography")
    if isinstance(geo, dict) and isinstance(geo.get("areas"), list):
        for i, area in enumerate(geo["areas"]):
            name = _text(area.get("name")) if isinstance(area, dict) else None
            if name:
                facts["areas"].append(
                    [_SPACE.sub("", name), *_at(doc, ("geography", "areas", i, "name"))]
                )
    from planctl.registry import entries

    for _, i, party in entries(data, ("parties",)):
        name = _text(party.get("name"))
        if not name:
            continue
        for j, c in enumerate(party.get("contacts") or []):
            if not isinstance(c, dict) or c.get("kind") != "duty_24h":
                continue
            value = _text(c.get("value")) if isinstance(c.get("value"), str) else None
            if value is None:
                continue
            facts["contacts"].append(
                {
                    "party": _SPACE.sub("", name),
                    "channel": _text(c.get("channel")) or "phone",
                    "value": value,
                    "key": _PHONE_NOISE.sub("", value).lower(),
                    "at": _at(doc, ("parties", i, "contacts", j, "value")),
                }
            )
    resources_raw = data.get("resources")
    resources: list[Any] = resources_raw if isinstance(resources_raw, list) else []
    for (section, i), origin in sorted(doc.origins.items(), key=lambda x: str(x[0])):
        stock = origin.get("stock")
        if section != "resources" or not is_quantity(stock) or i >= len(resources):
            continue
        res = resources[i]
        quantity = res.get("quantity")
        facts["commitments"].append(
            {
                "key": f"{origin['path']}#{origin['id']}",
                "registry": f"{origin['registry']}:{origin['line']}",
                "id": origin["id"],
                "name": _text(res.get("name")) or origin["id"],
                "unit": _text(res.get("unit")) or "",
                "stock": stock,
                "quantity": quantity if is_quantity(quantity) else stock,
                "at": _at(doc, ("resources", i, "quantity")),
            }
        )
    return facts


def _validity(data: dict[str, Any]) -> list[str | None]:
    """[first day, last day] in force (``Plan.valid_from`` / ``valid_until``), None if unknown."""
    from planctl.model import Plan

    plan = Plan(data)
    try:
        start, end = plan.valid_from, plan.valid_until
    except (TypeError, ValueError, AttributeError):  # a value the schema let through oddly
        return [None, None]
    return [_date(start), _date(end)]


def _active(facts: dict[str, Any]) -> bool:
    return facts.get("status") != "superseded"


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[str], list[str]] | None:
    """Shared hazards and areas when two plans could be active at once, else None."""
    if not (_active(a) and _active(b)):
        return None
    hazards = sorted(set(a["hazards"]) & set(b["hazards"]))
    areas = sorted({x[0] for x in a["areas"]} & {x[0] for x in b["areas"]})
    if not hazards or not areas:
        return None
    a_start, a_end = a["validity"]
    b_start, b_end = b["validity"]
    if a_start and b_end and b_end < a_start:
        return None
    if b_start and a_end and a_end < b_start:
        return None
    return hazards, areas


def check_repository(
    facts_by_file: dict[str, dict[str, Any]], silenced: Any = None
) -> list[Finding]:
    """Cross-plan findings, each in the file that holds the offending line.

    ``silenced(finding)`` says whether a suppression comment in that file would drop
    it: a finding about a group of plans then goes to the next plan of the group.
    """
    files = {
        f: facts
        for f, facts in sorted(facts_by_file.items())
        if facts and facts.get("v") == FACTS_VERSION
    }
    out: list[Finding] = []
    out += _duplicate_ids(files)
    out += _contact_conflicts(files)
    concurrent: dict[str, dict[str, tuple[list[str], list[str]]]] = defaultdict(dict)
    # only plans that share a hazard and an area can overlap: compare within those
    # buckets, not every pair (1,200 plans are 720,000 pairs, almost all disjoint)
    buckets: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f, facts in files.items():
        if _active(facts):
            for key in {(h, a[0]) for h in facts["hazards"] for a in facts["areas"]}:
                buckets[key].append(f)
    pairs = {(a, b) for names in buckets.values() for a in names for b in names if a < b}
    for a, b in sorted(pairs):
        hit = _overlap(files[a], files[b])
        if hit is not None:
            concurrent[a][b] = hit
            concurrent[b][a] = hit
    out += _over_committed(files, concurrent, silenced)
    out += _overlapping(files, concurrent, silenced)
    return out


def _rule(code: str) -> Any:
    from planctl.rules import registry

    return registry.get(code)


#: other plans named in one finding before "and N more" (the list stays readable)
LISTED = 8


def listing(items: list[str] | list[dict[str, str]], limit: int = LISTED) -> dict[str, str]:
    """``a、b、c 等另 5 份`` / ``a, b, c and 5 more``: the first ``limit`` items, then a
    count (an item is one text, or one per language)."""
    shown, rest = items[:limit], len(items) - limit
    zh = "、".join(x if isinstance(x, str) else x["zh"] for x in shown)
    en = ", ".join(x if isinstance(x, str) else x["en"] for x in shown)
    if rest > 0:
        zh += f" 等另 {rest} 份"
        en += f" and {rest} more"
    return {"zh": zh, "en": en}


def _same_plan_claimed(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two plans with one id clash: unless they are two versions of one plan, an
    older one kept as superseded (``metadata.supersedes`` names its version)."""
    return a.get("version") == b.get("version") or (_active(a) and _active(b))


def _duplicate_ids(files: dict[str, dict[str, Any]]) -> list[Finding]:
    """XPL004 in every plan whose id another plan carries too, naming the others."""
    by_id: dict[str, list[str]] = defaultdict(list)
    for f, facts in files.items():
        if facts.get("id"):
            by_id[facts["id"]].append(f)
    out = []
    for plan_id, names in sorted(by_id.items()):
        if len(names) < 2:
            continue
        for f in names:
            clash = [g for g in names if g != f and _same_plan_claimed(files[f], files[g])]
            if not clash:
                continue
            line, col = files[f]["at"]
            out.append(
                _rule("XPL004").finding(
                    file=f,
                    line=line,
                    col=col,
                    json_path=("metadata", "id"),
                    params={
                        "id": plan_id,
                        "count": len(clash),
                        "others": listing([f"{g}:{files[g]['at'][0]}" for g in clash]),
                    },
                    span=len(plan_id),
                )
            )
    return out


def _contact_conflicts(files: dict[str, dict[str, Any]]) -> list[Finding]:
    groups: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for f, facts in files.items():
        if not _active(facts):
            continue
        for c in facts["contacts"]:
            groups[(c["party"], c["channel"])].setdefault(f, []).append(c)
    out = []
    for (party, channel), by_file in sorted(groups.items()):
        if len(by_file) < 2:
            continue
        sets = {f: frozenset(c["key"] for c in cs) for f, cs in by_file.items()}
        counts = Counter(sets.values())
        if len(counts) == 1:
            continue  # every file agrees (the common case: the line comes from a registry)
        top = max(counts.values())
        agreed = [s for s in counts if counts[s] == top]
        for f, s in sorted(sets.items()):
            # against the lines most files agree on; without a majority, every file is
            # flagged against the first file that disagrees with it
            refs = agreed if len(agreed) == 1 else [sets[g] for g in sorted(sets) if g != f]
            ref = next((r for r in refs if not (s <= r or r <= s)), None)
            if ref is None:
                continue
            ref_file = next(g for g in sorted(sets) if sets[g] == ref and g != f)
            mine = sorted(by_file[f], key=lambda c: c["at"])
            line, col = next(c["at"] for c in mine if c["key"] not in ref)
            out.append(
                _rule("XPL001").finding(
                    file=f,
                    line=line,
                    col=col,
                    params={
                        "party": party,
                        "channel": _CHANNELS.get(channel, {"zh": channel, "en": channel}),
                        "mine": "、".join(sorted({c["value"] for c in mine})),
                        "theirs": "、".join(sorted({c["value"] for c in by_file[ref_file]})),
                        "other": ref_file,
                    },
                )
            )
    return out


_CHANNELS = {
    "phone": {"zh": "电话", "en": "phone"},
    "fax": {"zh": "传真", "en": "fax"},
    "mobile": {"zh": "手机", "en": "mobile"},
}


def _over_committed(
    files: dict[str, dict[str, Any]],
    concurrent: dict[str, dict[str, tuple[list[str], list[str]]]],
    silenced: Any = None,
) -> list[Finding]:
    """XPL002, one per set of plans that could be active at once and together commit a
    registry resource beyond its stock (:func:`_committing_groups`), in its first plan.

    As XPL003: the first plan in path order whose commitment line does not silence the
    finding carries it and names the others with their lines and amounts. Telling it in
    every committing plan, each naming all the others, printed 50 findings for one
    stock promised by 50 plans of one river.
    """
    by_key: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for f, facts in files.items():
        if not _active(facts):
            continue
        for c in facts["commitments"]:
            by_key[c["key"]].setdefault(f, []).append(c)
    out = []
    for _, by_file in sorted(by_key.items()):
        if len(by_file) < 2:
            continue  # one plan over the stock is REG005, said in that plan
        firsts = {g: min(cs, key=lambda c: c["at"]) for g, cs in by_file.items()}
        amounts = {g: sum(c["quantity"] for c in cs) for g, cs in by_file.items()}
        # the registry's stock: one number, whichever plan's record carries it
        stock = firsts[min(by_file)]["stock"]
        for group in _committing_groups(concurrent, amounts, stock):
            for anchor in group:
                finding = _stock_finding(firsts, amounts, anchor, group)
                if silenced is None or not silenced(finding):
                    out.append(finding)
                    break
    return out


#: steps the clique search may take for one resource before it falls back to each
#: plan with all its neighbours (a repository built to make the search explode)
CLIQUE_BUDGET = 20_000


def _committing_groups(
    concurrent: dict[str, dict[str, tuple[list[str], list[str]]]],
    amounts: dict[str, float],
    stock: float,
) -> list[list[str]]:
    """Largest sets of committing plans of which every two could be active at once and
    whose commitments together exceed ``stock``, each sorted, in path order.

    "Could be active at once" is a property of pairs, so the sets that could all be
    active together are the cliques of the overlap graph; each maximal one over the
    stock is one over-commitment (A, B and C, 20 t each of 50 t, when A and B overlap
    C and D too is two: ABC and ABD). A chain (A with B, B with C, not A with C) is no
    set of three. Bron-Kerbosch with a pivot, iterative (a clique of 1,200 copies is
    1,200 levels deep), pruning any branch whose plans cannot exceed the stock. Past
    :data:`CLIQUE_BUDGET` steps each plan is told with all the committing plans it
    overlaps, a coarser but bounded answer.
    """
    members = sorted(amounts)
    nb = {f: {g for g in concurrent.get(f, {}) if g in amounts} for f in members}
    degree = {f: len(nb[f]) for f in members}
    reach = {f: max(amounts[f], 0) for f in members}  # the most a plan can add to a total
    found: list[list[str]] = []
    steps = 0
    stack: list[tuple[frozenset[str], set[str], set[str]]] = [
        (frozenset(), {f for f in members if nb[f]}, set())
    ]
    while stack:
        steps += 1
        if steps > CLIQUE_BUDGET:
            return _neighbourhoods(nb, amounts, stock)
        r, p, x = stack.pop()
        if not p:
            if not x and len(r) > 1:
                found.append(sorted(r))
            continue
        if sum(reach[f] for f in r) + sum(reach[f] for f in p) <= stock:
            continue  # nothing under this branch exceeds the stock
        # any pivot is correct; the best-connected one leaves the fewest branches
        pivot = max(p | x, key=lambda f: (degree[f], f))
        branch = sorted(p - nb[pivot], reverse=True)
        for v in branch:
            stack.append((r | {v}, p & nb[v], x & nb[v]))
            p = p - {v}
            x = x | {v}
    over = [g for g in found if sum(amounts[f] for f in g) > stock]
    return sorted(over)


def _neighbourhoods(
    nb: dict[str, set[str]], amounts: dict[str, float], stock: float
) -> list[list[str]]:
    """Each plan with every committing plan it overlaps, where they exceed the stock
    (the fallback of :func:`_committing_groups`; one set is told once)."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for f in sorted(nb):
        group = tuple(sorted({f, *nb[f]}))
        if len(group) > 1 and group not in seen and sum(amounts[g] for g in group) > stock:
            seen.add(group)
            out.append(list(group))
    return out


def _stock_finding(
    firsts: dict[str, dict[str, Any]],
    amounts: dict[str, float],
    anchor: str,
    group: list[str],
) -> Finding:
    first = firsts[anchor]
    unit = first["unit"]
    named = [
        {"zh": f"{g}:{line} {amount}{unit}", "en": f"{g}:{line} {amount} {unit}"}
        for g in group
        if g != anchor
        for line, amount in [(firsts[g]["at"][0], show_quantity(amounts[g]))]
    ]
    return _rule("XPL002").finding(
        file=anchor,
        line=first["at"][0],
        col=first["at"][1],
        params={
            "name": first["name"],
            "registry": first["registry"],
            "stock": show_quantity(first["stock"]),
            "unit": unit,
            "total": show_quantity(sum(amounts[g] for g in group)),
            "count": len(group),
            "mine": show_quantity(amounts[anchor]),
            "others": listing(named),
        },
    )


def show_quantity(value: float) -> str:
    """A quantity as the document prints it: 100, not 100.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _overlap_groups(
    concurrent: dict[str, dict[str, tuple[list[str], list[str]]]],
    keep: Any = None,
) -> list[tuple[str, list[str], bool]]:
    """Plans that could be active at once, told so that each such pair is told once:
    ``(plan, others, mutual)`` per finding, in path order.

    Each plan in path order tells every plan it overlaps that no finding has named it
    with yet; when those plans also overlap each other (``mutual``), their pairs are
    told too. 31 copies of one plan are one finding (which of them leads?), not 930
    pairs, nor 30. A, B, C overlapping each other and D overlapping A and B (not C)
    are two: A with B, C, D, and B with C, D. A chain (A with B, B with C) is A with
    B and B with C. At most one finding per plan, whatever the repository: cutting a
    dense overlap graph into groups in which every two overlap gave a national
    repository 22,514 findings for 1,200 plans.

    ``keep(plan, others, mutual)`` says whether the finding is told; one that is not
    (a suppression comment on the plan's line) tells none of its pairs, so each is
    told from the other plan's side instead.
    """
    told: dict[str, set[str]] = defaultdict(set)
    out: list[tuple[str, list[str], bool]] = []
    for f in sorted(concurrent):
        others = sorted(set(concurrent[f]) - told[f])
        if not others:
            continue
        group = set(others)
        mutual = len(others) > 1 and all(
            group - {g} <= concurrent[g].keys() and not (told[g] & group) for g in others
        )
        if keep is not None and not keep(f, others, mutual):
            continue
        out.append((f, others, mutual))
        for g in others:
            told[f].add(g)
            told[g].add(f)
            if mutual:
                told[g] |= group - {g}
    return out


def _overlapping(
    files: dict[str, dict[str, Any]],
    concurrent: dict[str, dict[str, tuple[list[str], list[str]]]],
    silenced: Any = None,
) -> list[Finding]:
    """XPL003, at most one per plan (:func:`_overlap_groups`), naming the others.

    A plan whose line silences the finding (``silenced(finding)``: a suppression
    comment there, see apply_repository) hands its pairs on: each is then told in
    the other plan, as each plan of a pair used to have its own.
    """
    out: list[Finding] = []

    def keep(anchor: str, others: list[str], mutual: bool) -> bool:
        finding = _group_finding(files, concurrent, anchor, others, mutual)
        if silenced is not None and silenced(finding):
            return False
        out.append(finding)
        return True

    _overlap_groups(concurrent, keep)
    return out


def _group_finding(
    files: dict[str, dict[str, Any]],
    concurrent: dict[str, dict[str, tuple[list[str], list[str]]]],
    anchor: str,
    others: list[str],
    mutual: bool,
) -> Finding:
    from planctl.model import HAZARDS

    hazards = sorted({h for g in others for h in concurrent[anchor][g][0]})
    areas = sorted({a for g in others for a in concurrent[anchor][g][1]})
    mine = files[anchor]

    def area_at(facts: dict[str, Any], shared: list[str]) -> list[int]:
        return next(a[1:] for a in facts["areas"] if a[0] in shared)

    line, col = area_at(mine, areas)
    named = []
    for g in others:
        theirs = files[g]
        at = area_at(theirs, concurrent[anchor][g][1])[0]
        plan_id, window = theirs.get("id") or "?", _window(theirs)
        named.append(
            {"zh": f"{g}:{at}（{plan_id}，{window}）", "en": f"{g}:{at} ({plan_id}, {window})"}
        )
    return _rule("XPL003").finding(
        file=anchor,
        line=line,
        col=col,
        params={
            "count": len(others),
            "others": listing(named),
            "hazard": {
                lang: "、".join(HAZARDS.get(h, {}).get(lang, h) for h in hazards)
                for lang in ("zh", "en")
            },
            "areas": "、".join(areas),
            "mine": _window(mine),
            "mutual": _MUTUAL if mutual else {"zh": "", "en": ""},
        },
    )


_MUTUAL = {"zh": "（这些预案两两之间也都可能同时启动）", "en": " (every two of them could be, too)"}


def _window(facts: dict[str, Any]) -> str:
    start, end = facts["validity"]
    return f"{start or '…'}—{end or '…'}"


#: the note planctl.registry.annotate adds to a finding on a value taken from a registry
_FROM_ENTRY = re.compile(r" \(from registry entry '[^']*', [^()]*\)$")
_ONCE = {
    "zh": "（引用同一条目的其他预案不再重复报告）",
    "en": " (not repeated for other plans that use the entry)",
}


def once_per_entry() -> Any:
    """A filter that tells a finding on a shared registry entry once per run.

    A stale duty line in the registry is one problem with one place to fix, but
    every plan that uses the entry reported it (registry.annotate names the entry):
    a 200-plan repository checked two years on printed 2,020 CON002 warnings for 23
    registry lines. The first plan in path order keeps it, saying so; the same
    finding (code and text) in a later plan is dropped. Results pass through in
    order, so the streamed text report and the collected one agree.
    """
    seen: set[tuple[str, str]] = set()

    def keep(findings: list[Finding]) -> list[Finding]:
        out = []
        for f in findings:
            en = f.message.get("en", "")
            if f.code.startswith(("REG", "XPL")) or not _FROM_ENTRY.search(en):
                out.append(f)
                continue
            if (f.code, en) in seen:
                continue
            seen.add((f.code, en))
            message = {lang: f.message.get(lang, en) + _ONCE[lang] for lang in ("zh", "en")}
            out.append(replace(f, message=message))
        return out

    return keep


def apply_repository(report: Any, facts_by_file: dict[str, dict[str, Any]], config: Any) -> None:
    """Run the cross-plan checks and file each finding with its plan's result.

    The configuration applies as to any finding (select, ignore, severity), and a
    ``# planctl: ignore XPL001 -- reason`` comment on the line silences it.
    """
    from planctl.check import configured
    from planctl.loader import Document, SourceMap

    if len(facts_by_file) < 2:
        return
    results = {r.path: r for r in report.files}
    docs: dict[str, Any] = {}

    def doc_of(path: str) -> Any:
        if path not in docs:
            docs[path] = Document(Path(path), None, SourceMap(), results[path].lines)
        return docs[path]

    def silenced(finding: Finding) -> bool:
        if finding.file not in results:
            return False
        kept = configured(doc_of(finding.file), [finding], config)
        return not any(f.code == finding.code for f in kept)

    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in check_repository(facts_by_file, silenced):
        by_file[f.file].append(f)
    for result in report.files:
        extra = by_file.get(result.path)
        if not extra:
            continue
        doc = doc_of(result.path)
        extra = [replace(f, file=result.path) for f in configured(doc, extra, config)]
        result.findings = sorted([*result.findings, *extra], key=Finding.sort_key)
