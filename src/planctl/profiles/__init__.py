"""Legal profiles: reporting limits and cycles as data, each with a citation.

Numbers differ by domain and by province and they change with the law, so
they live in YAML files next to this module, never in code. A province
profile ``extends`` the national one; its limits are added to the parent's,
so the stricter number always wins when both apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from planctl import durations


@dataclass(frozen=True)
class Limit:
    within: str
    citation: str
    hazards: tuple[str, ...] = ()
    ranks: tuple[int, ...] = (1, 2, 3, 4)
    channel: str = "phone"
    from_level: tuple[str, ...] = ()
    verify: bool = False
    profile: str = ""

    @property
    def minutes(self) -> float:
        return durations.minutes(self.within)

    def applies(self, hazard: str, rank: int, level: str | None = None) -> bool:
        if self.hazards and hazard not in self.hazards:
            return False
        if rank not in self.ranks:
            return False
        return not (self.from_level and level is not None and level not in self.from_level)

    @property
    def cited(self) -> str:
        return f"{self.citation} [verify]" if self.verify else self.citation


@dataclass(frozen=True)
class Cycle:
    within: str
    citation: str
    verify: bool = False

    @property
    def cited(self) -> str:
        return f"{self.citation} [verify]" if self.verify else self.citation


@dataclass(frozen=True)
class Profile:
    id: str
    name: dict[str, str]
    chain: tuple[Limit, ...] = ()
    hop: tuple[Limit, ...] = ()
    cycles: dict[str, Cycle] = field(default_factory=dict)


class UnknownProfile(KeyError):
    pass


def available() -> list[str]:
    base = resources.files("planctl.profiles")
    return sorted(p.name.removesuffix(".yaml") for p in base.iterdir() if p.name.endswith(".yaml"))


def _limits(raw: list[dict[str, Any]], profile: str) -> tuple[Limit, ...]:
    out = []
    for item in raw or []:
        out.append(
            Limit(
                within=item["within"],
                citation=item["citation"],
                hazards=tuple(item.get("hazards", ())),
                ranks=tuple(item.get("ranks", (1, 2, 3, 4))),
                channel=item.get("channel", "phone"),
                from_level=tuple(item.get("from_level", ())),
                verify=bool(item.get("verify", False)),
                profile=profile,
            )
        )
    return tuple(out)


@cache
def get(profile_id: str) -> Profile:
    """Load a profile by id, following ``extends``."""
    if profile_id not in available():
        raise UnknownProfile(profile_id)
    text = (resources.files("planctl.profiles") / f"{profile_id}.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    parent = get(raw["extends"]) if raw.get("extends") else None
    cycles = dict(parent.cycles) if parent else {}
    for name, c in (raw.get("cycles") or {}).items():
        cycles[name] = Cycle(c["within"], c["citation"], bool(c.get("verify", False)))
    return Profile(
        id=raw["id"],
        name=raw.get("name", {"zh": profile_id, "en": profile_id}),
        chain=(parent.chain if parent else ()) + _limits(raw.get("chain"), raw["id"]),
        hop=(parent.hop if parent else ()) + _limits(raw.get("hop"), raw["id"]),
        cycles=cycles,
    )
