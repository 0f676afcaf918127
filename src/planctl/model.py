"""A typed, read-only view over a schema-valid plan.

Rules ask questions like "which parties exist", "what rank is level II",
"who owns resource R-T-03". Answering them in one place keeps each rule a few
lines long and keeps id lookup semantics identical everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

PathT = tuple[str | int, ...]

#: Event types in scope of a plan: short name for findings, the phrase used in documents.
HAZARDS: dict[str, dict[str, str]] = {
    "water_pollution": {"zh": "突发水污染", "en": "water pollution", "event": "突发水污染事件"},
    "air_pollution": {"zh": "大气污染", "en": "air pollution", "event": "突发大气污染事件"},
    "hazardous_chemicals": {
        "zh": "危险化学品",
        "en": "hazardous chemicals",
        "event": "危险化学品事故",
    },
    "forest_fire": {"zh": "森林火灾", "en": "forest fire", "event": "森林火灾"},
    "grassland_fire": {"zh": "草原火灾", "en": "grassland fire", "event": "草原火灾"},
    "snow_ice": {"zh": "雨雪冰冻", "en": "snow and ice", "event": "雨雪冰冻灾害"},
    "road_traffic": {"zh": "道路交通", "en": "road traffic", "event": "道路交通突发事件"},
    "flood": {"zh": "洪涝", "en": "flood", "event": "洪涝灾害"},
    "drought": {"zh": "干旱", "en": "drought", "event": "干旱灾害"},
    "geological": {"zh": "地质灾害", "en": "geological hazard", "event": "地质灾害"},
    "earthquake": {"zh": "地震", "en": "earthquake", "event": "地震灾害"},
    "public_health": {"zh": "公共卫生", "en": "public health", "event": "突发公共卫生事件"},
    "animal_epidemic": {"zh": "动物疫情", "en": "animal epidemic", "event": "动物疫情"},
    "production_safety": {"zh": "生产安全", "en": "production safety", "event": "生产安全事故"},
    "other": {"zh": "其他", "en": "other", "event": "其他突发事件"},
}


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
    def geography(self) -> dict[str, Any] | None:
        return self.data.get("geography")

    @property
    def hazards(self) -> list[str]:
        return self.metadata.get("hazards", [])

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
