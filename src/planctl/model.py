"""A typed, read-only view over a schema-valid plan.

Rules ask questions like "which parties exist", "what rank is level II",
"who owns resource R-T-03". Answering them in one place keeps each rule a few
lines long and keeps id lookup semantics identical everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from importlib import resources
from typing import Any

from planctl.loader import safe_load

PathT = tuple[str | int, ...]


def _hazards() -> dict[str, dict[str, str]]:
    """Event types in scope of a plan: short name for findings, the phrase used in documents.

    Kept in the house style (templates/text/zh.yaml) with the rest of the document's
    vocabulary, so an office rewording "突发水污染事件" edits one file.
    """
    from planctl.render.templates import house_style_data

    hazards: dict[str, dict[str, str]] = house_style_data()["vocabulary"]["hazards"]
    return hazards


HAZARDS: dict[str, dict[str, str]] = _hazards()


#: roles of a party that is kept informed but takes no duty and does not sign
NON_SIGNING_ROLES = frozenset({"observer", "informed"})
_GOVERNMENT_LEVELS = ("national", "province", "city", "county", "township")
_MUNICIPALITIES = re.compile(r"^(北京|天津|上海|重庆)市")


@cache
def _data(name: str) -> dict[str, Any]:
    return safe_load((resources.files("planctl") / "data" / name).read_text("utf-8"))


@cache
def hazard_category(hazard: str) -> str | None:
    """事故灾难/自然灾害/公共卫生/社会安全 key of a hazard (data/hazards.yaml), or None."""
    return (_data("hazards.yaml")["hazards"].get(hazard) or {}).get("category")


def hazard_bases(hazard: str, kind: str) -> list[str]:
    """Legal bases of one kind (``notify``, ``duty_line``) for a hazard, from data."""
    return list((_data("hazards.yaml")["hazards"].get(hazard) or {}).get(kind, []))


def category_name(category: str, lang: str = "zh") -> str:
    return _data("hazards.yaml")["categories"][category][lang]


@dataclass(frozen=True)
class PartyInfo:
    """What legal limits bind by: kind, sector and tier, stated or inferred.

    Kinds: government, department, enterprise, basin_agency, agency, other.
    "Observer" and "informed" are roles, not kinds.
    """

    id: str
    kind: str
    sector: str | None
    tier: str | None
    roles: frozenset[str]

    @property
    def signs(self) -> bool:
        return not (self.roles & NON_SIGNING_ROLES)


@cache
def infer_party(
    name: str, level: str, kind: str | None, sector: str | None, tier: str | None
) -> tuple[str, str | None, str | None]:
    """(kind, sector, tier) from what the plan states, else from level and name."""
    rules = _data("parties.yaml")
    if kind is None:
        for entry in rules["kind_by_name"]:
            if re.search(entry["pattern"], name):
                kind = entry["kind"]
                break
        if kind is None:
            kind = rules["kind_by_level"].get(level, "other")
        if level == "enterprise":
            kind = "enterprise"
    if sector is None and kind in ("department", "agency", "basin_agency"):
        for entry in rules["sector_by_name"]:
            if re.search(entry["pattern"], name):
                sector = entry["sector"]
                break
    if tier is None:
        if kind == "government" and level in _GOVERNMENT_LEVELS:
            tier = level
        elif kind in ("government", "department", "agency"):
            tier = _tier_from_name(name, rules)
    return kind, sector, tier


def _tier_from_name(name: str, rules: dict[str, Any]) -> str | None:
    if re.search(rules["tier_national"], name):
        return "national"
    if _MUNICIPALITIES.match(name) and not re.search(r"市.+[区县]", name):
        return "province"
    suffixes = sorted(rules["tier_by_suffix"], key=len, reverse=True)
    best: tuple[int, str] | None = None
    for suffix in suffixes:
        pos = name.rfind(suffix)
        if suffix == "区" and name.rfind("自治区") == pos - 2 and pos >= 2:
            continue  # 自治区 is matched as a whole
        if pos >= 0 and (best is None or pos > best[0]):
            best = (pos, rules["tier_by_suffix"][suffix])
    return best[1] if best else None


def _day(value: Any) -> date | None:
    """A schema-valid date field as a date; None for absent or placeholder values."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


#: message types of a notification rule, the analogue of CAP 1.2 msgType
MESSAGE_TYPES = ("warning", "information", "request", "stand_down")


def message_type(rule: dict[str, Any]) -> str:
    """The rule's message type; inferred from its kind when the plan does not say.

    Plans written before ``message`` existed keep their meaning: a warning rule
    carries a warning, a request a request, every other rule information.
    """
    stated = rule.get("message")
    if stated in MESSAGE_TYPES:
        return stated
    return {"warning": "warning", "request": "request"}.get(rule.get("kind", ""), "information")


@dataclass
class Plan:
    data: dict[str, Any]

    # -- sections ---------------------------------------------------------
    @property
    def metadata(self) -> dict[str, Any]:
        return self.data.get("metadata", {})

    @property
    def parties(self) -> list[dict[str, Any]]:
        return self.data.get("parties", [])

    @property
    def duties(self) -> list[dict[str, Any]]:
        return self.data.get("duties", [])

    @property
    def resources(self) -> list[dict[str, Any]]:
        return self.data.get("resources", [])

    @property
    def rules(self) -> list[dict[str, Any]]:
        return self.data.get("notifications", {}).get("rules", [])

    @property
    def stand_downs(self) -> list[tuple[int, dict[str, Any]]]:
        """(index, rule) of every stand-down (解除/终止) message rule."""
        return [(i, r) for i, r in enumerate(self.rules) if message_type(r) == "stand_down"]

    @property
    def limits(self) -> list[dict[str, Any]]:
        return self.data.get("notifications", {}).get("limits", [])

    @property
    def command(self) -> dict[str, Any]:
        return self.data.get("command", {})

    @property
    def groups(self) -> list[dict[str, Any]]:
        return self.command.get("groups", [])

    @property
    def levels(self) -> dict[str, Any]:
        return self.data.get("levels", {})

    @property
    def grades(self) -> list[dict[str, Any]]:
        return self.levels.get("grades", [])

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return self.levels.get("warnings", [])

    @property
    def responses(self) -> list[dict[str, Any]]:
        return self.levels.get("responses", [])

    @property
    def mutual_aid(self) -> dict[str, Any]:
        return self.data.get("mutual_aid", {})

    @property
    def maintenance(self) -> dict[str, Any]:
        return self.data.get("maintenance", {})

    @property
    def public_info(self) -> dict[str, Any] | None:
        """信息发布 section, or None when the plan says nothing about public information."""
        return self.data.get("public_info")

    @property
    def aftermath(self) -> dict[str, Any]:
        return self.data.get("aftermath", {})

    @property
    def links(self) -> dict[str, Any]:
        return self.data.get("links", {})

    @property
    def commitments(self) -> list[dict[str, Any]]:
        return self.mutual_aid.get("commitments", [])

    @property
    def geography(self) -> dict[str, Any] | None:
        return self.data.get("geography")

    @property
    def targets_section(self) -> dict[str, Any]:
        """The ``targets`` section: protected targets and the notice parameters."""
        section = self.data.get("targets")
        return section if isinstance(section, dict) else {}

    @property
    def targets(self) -> list[dict[str, Any]]:
        return self.targets_section.get("items", [])

    @property
    def monitoring(self) -> dict[str, Any]:
        section = self.data.get("monitoring")
        return section if isinstance(section, dict) else {}

    @property
    def monitoring_sections(self) -> list[dict[str, Any]]:
        return self.monitoring.get("sections", [])

    @property
    def hazards(self) -> list[str]:
        return self.metadata.get("hazards", [])

    # -- validity ---------------------------------------------------------
    @property
    def valid_from(self) -> date | None:
        """First day in force: ``effective``, or ``issued`` when it takes effect on issue."""
        meta = self.metadata
        eff = meta.get("effective")
        return _day(eff if eff and eff != "on issue" else meta.get("issued"))

    @property
    def valid_until(self) -> date | None:
        """Last day in force: ``metadata.valid_until``, defaulting to ``review_due``.

        Rotation and cross-plan checks need an end to the plan's term; most plans
        state none and are meant to hold until their next review. None when the
        date is missing or still a placeholder.
        """
        meta = self.metadata
        return _day(meta.get("valid_until") or meta.get("review_due"))

    # -- lookups ----------------------------------------------------------
    @cached_property
    def party(self) -> dict[str, dict[str, Any]]:
        return {p["id"]: p for p in self.parties}

    @cached_property
    def resource(self) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.resources}

    @cached_property
    def level_rank(self) -> dict[str, int]:
        """Rank of every grade, warning and response id (1 = most severe)."""
        out: dict[str, int] = {}
        for item in [*self.grades, *self.warnings, *self.responses]:
            out.setdefault(item["id"], item["rank"])
        return out

    @cached_property
    def compensation(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.mutual_aid.get("compensation", [])}

    @cached_property
    def party_info(self) -> dict[str, PartyInfo]:
        """Kind, sector and tier of every party, inferred where the plan is silent."""
        out = {}
        for p in self.parties:
            kind, sector, tier = infer_party(
                p.get("name", ""),
                p.get("level", "other"),
                p.get("kind"),
                p.get("sector"),
                p.get("tier"),
            )
            out[p["id"]] = PartyInfo(p["id"], kind, sector, tier, frozenset(p.get("roles", [])))
        return out

    def is_informed_only(self, party_id: str) -> bool:
        """An observer or informed party: told, but holds no duty and does not sign."""
        info = self.party_info.get(party_id)
        return info is not None and not info.signs

    def outside_mainland(self, party_id: str) -> bool:
        """A party outside mainland law (a SAR, a neighbouring country): no mainland limit binds it.

        Said by ``jurisdiction: sar | foreign``, or by ``legal_profile: none``.
        """
        p = self.party.get(party_id) or {}
        return p.get("jurisdiction") in ("sar", "foreign") or p.get("legal_profile") == "none"

    def signing_parties(self) -> list[dict[str, Any]]:
        """Parties that sign the plan: not observer/informed, and with a signatory."""
        return [
            p for p in self.parties if p.get("signatory") and not self.is_informed_only(p["id"])
        ]

    # -- leads that depend on where the event starts or on the day -------
    @cached_property
    def area(self) -> dict[str, dict[str, Any]]:
        return {a["id"]: a for a in (self.geography or {}).get("areas", [])}

    def origin_keys(self) -> list[str]:
        """Where an event can start: origin areas of the geography, else every signing party.

        Without a geography an observer or informed party is told, not a place
        of its own, so no lead is owed for it.
        """
        if not self.geography:
            return [p["id"] for p in self.parties if not self.is_informed_only(p["id"])]
        return [
            a["id"]
            for a in self.geography.get("areas", [])
            if a.get("origin", True) is not False and a.get("parties")
        ]

    def area_party(self, area_id: str) -> str | None:
        """ "The party of the area" (事发地一方): its one government, else its one party.

        An area shared by a city and a county government, or by several
        departments, has no single such party; the plan must then name it in
        ``lead.areas``. Without a geography an origin is a party itself.
        """
        if not self.geography:
            return area_id if area_id in self.party and not self.is_informed_only(area_id) else None
        area = self.area.get(area_id) or {}
        members = [
            p for p in area.get("parties", []) if p in self.party and not self.is_informed_only(p)
        ]
        govs = [p for p in members if self.party_info[p].kind == "government"]
        if len(govs) == 1:
            return govs[0]
        return members[0] if len(members) == 1 else None

    def resolve_lead(
        self, spec: Any, origin: str | None = None, day: date | None = None
    ) -> str | None:
        """The one party that leads under ``spec`` for an event at ``origin`` on ``day``.

        ``spec`` is a party id, ``{by: origin, areas: {area: party}}`` (the party
        of the area where the event starts, unless ``areas`` names another) or
        ``{by: chair}`` (whoever convenes the joint body that day). None when it
        cannot be told; rules CMD004 and ROT003 say why.
        """
        if isinstance(spec, str):
            return spec
        if not isinstance(spec, dict):
            return None
        if spec.get("by") == "origin":
            if origin is None:
                return None
            named = (spec.get("areas") or {}).get(origin)
            return named if isinstance(named, str) else self.area_party(origin)
        if spec.get("by") == "chair":
            from planctl import rotation  # rotation imports this module

            return rotation.chair_on(self, day)
        return None

    def lead_slots(self) -> list[tuple[PathT, Any]]:
        """(path, lead spec) of every place a plan names who leads, decides or convenes."""
        out: list[tuple[PathT, Any]] = []
        body = self.command.get("body") or {}
        if "office" in body:
            out.append((("command", "body", "office"), body["office"]))
        for i, lvl in enumerate(self.command.get("levels", [])):
            out.append((("command", "levels", i, "lead"), lvl.get("lead")))
        for i, g in enumerate(self.groups):
            out.append((("command", "groups", i, "lead"), g.get("lead")))
        for i, d in enumerate(self.duties):
            out.append((("duties", i, "lead"), d.get("lead")))
        for i, a in enumerate(self.command.get("activation", [])):
            for key in ("request_to", "decided_by", "announce"):
                if key in a:
                    out.append((("command", "activation", i, key), a[key]))
            if "lead" in (a.get("fallback") or {}):
                out.append(
                    (("command", "activation", i, "fallback", "lead"), a["fallback"]["lead"])
                )
        return out

    def lead_parties(self, spec: Any) -> list[str]:
        """Every party that may lead under ``spec`` (matrices mark each as 牵头)."""
        if isinstance(spec, str):
            return [spec]
        if isinstance(spec, list):
            return [x for x in spec if isinstance(x, str)]
        if not isinstance(spec, dict):
            return []
        out: list[str] = []
        if spec.get("by") == "origin":
            named = spec.get("areas") or {}
            for key in self.origin_keys():
                who = named.get(key) if isinstance(named.get(key), str) else self.area_party(key)
                if who:
                    out.append(who)
            out += [v for v in named.values() if isinstance(v, str)]
        elif spec.get("by") == "chair":
            from planctl import rotation

            body = self.command.get("body") or {}
            out = rotation.order(self) or ([body["chair"]] if body.get("chair") else [])
        return list(dict.fromkeys(out))

    def name(self, party_id: str) -> str:
        p = self.party.get(party_id)
        if not p:
            return party_id
        return p.get("short_name") or p["name"]

    def scenario_levels(self) -> list[tuple[str, str]]:
        """(level id, "grade"|"warning") for every level notification must cover."""
        return [(g["id"], "grade") for g in self.grades] + [
            (w["id"], "warning") for w in self.warnings
        ]
