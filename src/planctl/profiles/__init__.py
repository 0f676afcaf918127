"""Legal profiles: reporting limits and cycles as data, each with its citation and scope.

Numbers differ by domain and by province and they change with the law, so
they live in YAML files next to this module, never in code. A limit says
whom it binds — sender and receiver (kind, sector, tier), rule kind (upward
report or horizontal notification), hazards or categories, ranks — and when
its clock starts, because a limit applied beyond its scope raises errors on
lawful plans. A province profile ``extends`` the national one; its limits are
added to the parent's, so the stricter number wins where both apply.

Profile files are validated against ``schemas/profiles/profile.schema.json``
when loaded: a misspelt key is an error, never "applies to everything".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planctl import durations
from planctl.loader import safe_load
from planctl.model import HAZARDS, PartyInfo, category_name, hazard_category

if TYPE_CHECKING:  # imported only to explain an invalid profile (~40 ms)
    import jsonschema

#: markers for a number not confirmed from an official text
VERIFY = {"zh": "[待核]", "en": "[verify]"}
ALL_RANKS = (1, 2, 3, 4)


class UnknownProfile(KeyError):
    pass


class InvalidProfile(ValueError):
    """A profile file that does not match its schema (a bug in planctl's data)."""


@dataclass(frozen=True)
class Selector:
    """A party condition: every listed attribute must match."""

    kinds: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()

    def matches(self, party: PartyInfo) -> bool:
        if self.kinds and party.kind not in self.kinds:
            return False
        if self.sectors and party.sector not in self.sectors:
            return False
        return not (self.tiers and party.tier not in self.tiers)

    def describe(self, lang: str) -> str:
        names = _NAMES[lang]
        parts = []
        if self.tiers:
            parts.append("/".join(names["tier"][t] for t in self.tiers))
        if self.sectors:
            parts.append("/".join(names["sector"][s] for s in self.sectors))
        if self.kinds:
            parts.append("/".join(names["kind"][k] for k in self.kinds))
        return ("" if lang == "zh" else " ").join(parts)


def _selectors(raw: Any) -> tuple[Selector, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    return tuple(
        Selector(tuple(i.get("kinds", ())), tuple(i.get("sectors", ())), tuple(i.get("tiers", ())))
        for i in items
    )


def _any(selectors: tuple[Selector, ...], party: PartyInfo | None) -> bool:
    if not selectors:
        return True
    return party is not None and any(s.matches(party) for s in selectors)


@dataclass(frozen=True)
class Scoped:
    """What limits and cycles share: an id, a citation, a basis and a hazard scope."""

    id: str
    within: str
    citation: str
    basis: str = "law"
    verify: bool = False
    hazards: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    profile: str = ""
    note: str | None = None

    @cached_property
    def minutes(self) -> float:
        return durations.minutes(self.within)

    def covers(self, hazard: str) -> bool:
        if self.hazards and hazard not in self.hazards:
            return False
        return not (self.categories and hazard_category(hazard) not in self.categories)

    @property
    def is_policy(self) -> bool:
        return self.basis == "policy"

    def cited_in(self, lang: str) -> str:
        return f"{self.citation} {VERIFY[lang]}" if self.verify else self.citation

    @property
    def cited(self) -> str:
        """The citation as a finding carries it (citations are Chinese legal text)."""
        return self.cited_in("zh")

    def hazard_scope(self, lang: str) -> str:
        if self.hazards:
            return _sep(lang).join(HAZARDS[h][lang] for h in self.hazards)
        if self.categories:
            return _sep(lang).join(category_name(c, lang) for c in self.categories)
        return "所有事件类型" if lang == "zh" else "every hazard"


@dataclass(frozen=True)
class Limit(Scoped):
    ranks: tuple[int, ...] = ALL_RANKS
    channel: str = "phone"
    rule_kinds: tuple[str, ...] = ("report", "notify")
    sender: tuple[Selector, ...] = ()
    receiver: tuple[Selector, ...] = ()
    clock: str = "knowledge"

    def applies(self, hazard: str, rank: int | None) -> bool:
        return self.covers(hazard) and (rank is None or rank in self.ranks)

    def binds(self, rule_kind: str, sender: PartyInfo | None, receiver: PartyInfo | None) -> bool:
        """Does the limit bind a rule of this kind between these parties?"""
        if rule_kind not in self.rule_kinds:
            return False
        return _any(self.sender, sender) and _any(self.receiver, receiver)

    def describe(self, lang: str, events: bool = True) -> str:
        """Whom it binds, which rule kind, which hazards and ranks, and the clock start."""
        names = _NAMES[lang]
        who = " / ".join(s.describe(lang) for s in self.sender) or names["anyone"]
        to = " / ".join(s.describe(lang) for s in self.receiver) or names["anyone"]
        kinds = _sep(lang).join(names["rule_kind"][k] for k in self.rule_kinds)
        ranks = (
            names["all_ranks"]
            if tuple(sorted(self.ranks)) == ALL_RANKS
            else _sep(lang).join(names["rank"][r] for r in self.ranks)
        )
        if lang == "zh":
            ev = f"事件：{self.hazard_scope(lang)}，{ranks}；" if events else ""
            return f"约束：{who} → {to}；规则类型：{kinds}；{ev}起算：{names['clock'][self.clock]}"
        ev = f"events: {self.hazard_scope(lang)}, {ranks}; " if events else ""
        return f"binds: {who} → {to}; rule kind: {kinds}; {ev}clock: {names['clock'][self.clock]}"


@dataclass(frozen=True)
class Cycle(Scoped):
    binds: tuple[Selector, ...] = ()
    enforced: bool = True

    def binds_any(self, parties: list[PartyInfo]) -> bool:
        return not self.binds or any(_any(self.binds, p) for p in parties)

    def describe(self, lang: str) -> str:
        names = _NAMES[lang]
        who = " / ".join(s.describe(lang) for s in self.binds) or names["anyone"]
        shown = "" if self.enforced else names["info_only"]
        if lang == "zh":
            return f"约束：{who}；事件：{self.hazard_scope(lang)}{shown}"
        return f"binds: {who}; events: {self.hazard_scope(lang)}{shown}"


@dataclass(frozen=True)
class Filing:
    within_working_days: int
    citation: str
    copy_to: str | None = None
    verify: bool = False

    def cited_in(self, lang: str) -> str:
        return f"{self.citation} {VERIFY[lang]}" if self.verify else self.citation

    @property
    def cited(self) -> str:
        return self.cited_in("zh")


@dataclass(frozen=True)
class Unchecked:
    text: dict[str, str]
    citation: str
    rule: str | None = None
    verify: bool = False

    def cited_in(self, lang: str) -> str:
        return f"{self.citation} {VERIFY[lang]}" if self.verify else self.citation


@dataclass(frozen=True)
class Profile:
    id: str
    name: dict[str, str]
    chain: tuple[Limit, ...] = ()
    hop: tuple[Limit, ...] = ()
    cycles: dict[str, tuple[Cycle, ...]] = field(default_factory=dict)
    filing: Filing | None = None
    unchecked: tuple[Unchecked, ...] = ()


def strictest_cycle(
    profile: Profile,
    kind: str,
    hazards: list[str],
    parties: list[PartyInfo] | None = None,
) -> Cycle | None:
    """The shortest enforced ``kind`` cycle ("drill", "review") covering any of ``hazards``.

    A multi-hazard plan is held to the strictest cycle among its hazards; with
    ``parties``, only cycles that bind one of them count (an enterprise's
    six-month drill binds its own plan, not a joint plan of governments).
    """
    found = [
        c
        for c in profile.cycles.get(kind, ())
        if c.enforced
        and any(c.covers(h) for h in (hazards or ["other"]))
        and (parties is None or c.binds_any(parties))
    ]
    return min(found, key=lambda c: c.minutes) if found else None


def _sep(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def schema_path() -> Path:
    """The profile schema, inside the installed package or the source tree."""
    packaged = resources.files("planctl") / "schemas" / "profiles" / "profile.schema.json"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "schemas" / "profiles" / "profile.schema.json"


@cache
def _schema() -> dict[str, Any]:
    return json.loads(schema_path().read_text("utf-8"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema

    return jsonschema.Draft202012Validator(_schema())


@cache
def _fast_validator() -> Any:
    """The profile schema compiled (cached by hash): every run loads a profile."""
    from planctl.fastschema import compiled

    def draft07() -> dict[str, Any]:
        schema = dict(_schema())
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        schema.pop("$id", None)
        return schema

    return compiled("profile", draft07, sources=[schema_path(), Path(__file__)])


def check_profile_data(raw: Any) -> list[str]:
    """Schema errors of one profile document, as readable lines (empty when valid)."""
    try:
        _fast_validator()(raw)
        return []
    except Exception:  # invalid, or a construct the fast path cannot judge: ask jsonschema
        pass
    errors = sorted(_validator().iter_errors(raw), key=lambda e: list(e.absolute_path))
    return [f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]


def available() -> list[str]:
    base = resources.files("planctl.profiles")
    found = {p.name.removesuffix(".yaml") for p in base.iterdir() if p.name.endswith(".yaml")}
    return sorted(found | set(_pack_profiles()))


def _pack_profiles() -> dict[str, Path]:
    """Profiles added by rule packs; a pack cannot replace a built-in profile."""
    from planctl.plugins import load, profile_dirs

    load()

    out: dict[str, Path] = {}
    for folder in profile_dirs():
        for p in sorted(folder.glob("*.yaml")):
            out.setdefault(p.stem, p)
    return out


def _common(item: dict[str, Any], profile: str) -> dict[str, Any]:
    return {
        "id": item["id"],
        "within": item["within"],
        "citation": item["citation"],
        "basis": item["basis"],
        "verify": bool(item.get("verify", False)),
        "hazards": tuple(item.get("hazards", ())),
        "categories": tuple(item.get("categories", ())),
        "profile": profile,
        "note": item.get("note"),
    }


def _limits(raw: list[dict[str, Any]] | None, profile: str) -> tuple[Limit, ...]:
    return tuple(
        Limit(
            **_common(item, profile),
            ranks=tuple(item.get("ranks", ALL_RANKS)),
            channel=item.get("channel", "phone"),
            rule_kinds=tuple(item.get("rule_kinds", ("report", "notify"))),
            sender=_selectors(item.get("sender")),
            receiver=_selectors(item.get("receiver")),
            clock=item.get("clock", "knowledge"),
        )
        for item in raw or []
    )


def _cycles(raw: list[dict[str, Any]] | None, profile: str) -> tuple[Cycle, ...]:
    return tuple(
        Cycle(
            **_common(item, profile),
            binds=_selectors(item.get("binds")),
            enforced=bool(item.get("enforced", True)),
        )
        for item in raw or []
    )


def parse(raw: Any, parent: Profile | None = None) -> Profile:
    """Build a profile from its YAML data; raises :class:`InvalidProfile` on schema errors."""
    errors = check_profile_data(raw)
    if errors:
        raise InvalidProfile("; ".join(errors[:5]))
    pid = raw["id"]
    cycles = dict(parent.cycles) if parent else {}
    for name, items in (raw.get("cycles") or {}).items():
        cycles[name] = cycles.get(name, ()) + _cycles(items, pid)
    filing = parent.filing if parent else None
    if raw.get("filing"):
        f = raw["filing"]
        filing = Filing(
            int(f["within_working_days"]), f["citation"], f.get("copy_to"), bool(f.get("verify"))
        )
    unchecked = tuple(
        Unchecked(u["text"], u["citation"], u.get("rule"), bool(u.get("verify")))
        for u in raw.get("unchecked") or []
    )
    return Profile(
        id=pid,
        name=raw["name"],
        chain=(parent.chain if parent else ()) + _limits(raw.get("chain"), pid),
        hop=(parent.hop if parent else ()) + _limits(raw.get("hop"), pid),
        cycles=cycles,
        filing=filing,
        unchecked=(parent.unchecked if parent else ()) + unchecked,
    )


def load_raw(profile_id: str) -> Any:
    """A profile file as parsed (a fresh copy: callers may change it)."""
    builtin = resources.files("planctl.profiles") / f"{profile_id}.yaml"
    if builtin.is_file():
        text = builtin.read_text("utf-8")
    else:
        text = _pack_profiles()[profile_id].read_text("utf-8")
    return safe_load(text)


@cache
def _parsed(profile_id: str) -> Any:
    # parsed once per process, only read: a profile that others extend (national) was
    # parsed again for each of them
    return load_raw(profile_id)


@cache
def get(profile_id: str, _seen: tuple[str, ...] = ()) -> Profile:
    """Load a profile by id, following ``extends``."""
    if profile_id not in available():
        raise UnknownProfile(profile_id)
    if profile_id in _seen:
        raise InvalidProfile(f"profile {profile_id!r} extends itself")
    raw = _parsed(profile_id)
    if isinstance(raw, dict) and raw.get("id") != profile_id:
        raise InvalidProfile(f"profile file {profile_id}.yaml has id {raw.get('id')!r}")
    parent_id = raw.get("extends") if isinstance(raw, dict) else None
    parent = get(parent_id, (*_seen, profile_id)) if parent_id else None
    return parse(raw, parent)


_NAMES: dict[str, dict[str, Any]] = {
    "zh": {
        "kind": {
            "government": "人民政府",
            "department": "部门",
            "enterprise": "企业",
            "basin_agency": "流域管理机构",
            "agency": "直属机构",
            "other": "其他",
        },
        "sector": {
            "emergency_management": "应急管理",
            "ecology_environment": "生态环境",
            "water_resources": "水利",
            "forestry": "林业和草原",
            "transport": "交通运输",
            "public_security": "公安",
            "health": "卫生健康",
            "meteorology": "气象",
            "fire_rescue": "消防救援",
            "natural_resources": "自然资源",
            "agriculture": "农业农村",
            "housing": "住房城乡建设",
            "other": "其他",
        },
        "tier": {
            "national": "国家级",
            "province": "省级",
            "city": "市级",
            "county": "县级",
            "township": "乡级",
        },
        "rule_kind": {"report": "向上报告", "notify": "横向通报"},
        "rank": {1: "特别重大", 2: "重大", 3: "较大", 4: "一般"},
        "all_ranks": "所有级别",
        "clock": {"knowledge": "发送方获知时", "event": "事件发生时（沿通报链累计）"},
        "anyone": "任何一方",
        "info_only": "（联合预案中仅作提示，不检查）",
        "law": "法定",
        "policy": "planctl 政策（非法律规定）",
    },
    "en": {
        "kind": {
            "government": "government",
            "department": "department",
            "enterprise": "enterprise",
            "basin_agency": "river-basin agency",
            "agency": "agency",
            "other": "other",
        },
        "sector": {
            "emergency_management": "emergency management",
            "ecology_environment": "ecology and environment",
            "water_resources": "water resources",
            "forestry": "forestry and grassland",
            "transport": "transport",
            "public_security": "public security",
            "health": "health",
            "meteorology": "meteorology",
            "fire_rescue": "fire and rescue",
            "natural_resources": "natural resources",
            "agriculture": "agriculture",
            "housing": "housing",
            "other": "other",
        },
        "tier": {
            "national": "national",
            "province": "provincial",
            "city": "city",
            "county": "county",
            "township": "township",
        },
        "rule_kind": {"report": "upward report", "notify": "horizontal notification"},
        "rank": {1: "I", 2: "II", 3: "III", 4: "IV"},
        "all_ranks": "every grade",
        "clock": {
            "knowledge": "the sender's knowledge",
            "event": "the event (cumulative along the chain)",
        },
        "anyone": "anyone",
        "info_only": " (information in a joint plan, not checked)",
        "law": "law",
        "policy": "planctl policy (not law)",
    },
}


def basis_label(item: Scoped, lang: str) -> str:
    return _NAMES[lang]["policy" if item.is_policy else "law"]


def describe_profile(profile: Profile, lang: str) -> list[str]:
    """Every limit and cycle of a profile with its binding scope, for people to read."""
    from planctl.durations import humanize

    out = [f"{profile.id} — {profile.name[lang]}"]
    for kind, limits in (("chain", profile.chain), ("hop", profile.hop)):
        for lim in limits:
            which = ""
            if kind == "hop":
                which = (
                    (" 书面" if lim.channel == "written" else " 首报")
                    if lang == "zh"
                    else (" written" if lim.channel == "written" else " first")
                )
            head = f"  {kind:<5} {lim.id}:{which} {humanize(lim.minutes, lang)}"
            out.append(f"{head} [{basis_label(lim, lang)}]")
            if kind == "hop":
                out.append(f"        {lim.describe(lang)}")
            else:
                ranks = _sep(lang).join(_NAMES[lang]["rank"][r] for r in lim.ranks)
                scope = (
                    f"{lim.hazard_scope(lang)}，{ranks}"
                    if lang == "zh"
                    else (f"{lim.hazard_scope(lang)}, {ranks}")
                )
                label = "范围：" if lang == "zh" else "scope: "
                out.append(f"        {label}{scope}")
            out.append(f"        {'依据：' if lang == 'zh' else 'basis: '}{lim.cited_in(lang)}")
    for name, cycles in profile.cycles.items():
        for cyc in cycles:
            out.append(f"  cycle {name} {cyc.id}: {cyc.within} [{basis_label(cyc, lang)}]")
            out.append(f"        {cyc.describe(lang)}")
            out.append(f"        {'依据：' if lang == 'zh' else 'basis: '}{cyc.cited_in(lang)}")
    if profile.filing:
        f = profile.filing
        days = f.within_working_days
        text = f"{days}个工作日内" if lang == "zh" else f"within {days} working days"
        out.append(f"  filing: {text}")
        out.append(f"        {'依据：' if lang == 'zh' else 'basis: '}{f.cited_in(lang)}")
    for u in profile.unchecked:
        label = "不检查" if lang == "zh" else "not checked"
        out.append(f"  {label}: {u.text[lang]}")
        out.append(f"        {'依据：' if lang == 'zh' else 'basis: '}{u.cited_in(lang)}")
    return out


#: which part of the profiles each rule reads
_RULE_PARTS = {
    "NOT002": "chain",
    "NOT003": "hop",
    "NOT005": "chain",
    "MNT001": "drill",
    "MNT002": "review",
    "MNT004": "filing",
    "MNT005": "filing",
}


def explain_scope(code: str, lang: str) -> list[str]:
    """Lines for `planctl explain CODE`: the profile entries the rule checks, with their scope."""
    part = _RULE_PARTS.get(code)
    unchecked = [(pid, u) for pid in available() for u in get(pid).unchecked if u.rule == code]
    if part is None and not unchecked:
        return []
    head = (
        "法定配置中的时限及其约束范围："
        if lang == "zh"
        else "limits in the legal profiles, with whom they bind:"
    )
    out = [head]
    seen: set[tuple[str, str]] = set()
    for pid in available():
        prof = get(pid)
        items: list[Any]
        if part in ("chain", "hop"):
            items = list(getattr(prof, part))
        elif part in ("drill", "review"):
            items = list(prof.cycles.get(part, ()))
        else:
            items = []
        for item in items:
            if (item.profile, item.id) in seen:
                continue
            seen.add((item.profile, item.id))
            label = f"  [{item.profile}] {item.id}: {item.within} ({basis_label(item, lang)})"
            out.append(label)
            if isinstance(item, (Limit, Cycle)) and (part != "chain"):
                out.append(f"      {item.describe(lang)}")
            elif isinstance(item, Limit):
                out.append(f"      {item.hazard_scope(lang)}")
            out.append(f"      {item.cited_in(lang)}")
        if part == "filing" and prof.filing and pid == "national":
            f = prof.filing
            days = (
                f"{f.within_working_days}个工作日"
                if lang == "zh"
                else f"{f.within_working_days} working days"
            )
            out.append(f"  [{pid}] filing: {days}")
            out.append(f"      {f.cited_in(lang)}")
    for pid, u in unchecked:
        label = "不检查" if lang == "zh" else "not checked"
        out.append(f"  [{pid}] {label}: {u.text[lang]}")
        out.append(f"      {u.cited_in(lang)}")
    return out
