"""``planctl new``: a complete plan skeleton for a hazard and a set of parties.

A planner should not start from an empty page or from the exported schema.
The scaffold carries every chapter a joint plan of that hazard needs, worded
like a real plan, with ``【待填：说明；例：值】`` markers wherever only the
parties can know the answer (dates, phone numbers, quantities, thresholds).
The schema accepts the markers, rules treat them as unknown, TXT002 lists
them and ``render --final`` refuses them; replacing each marker with a value
like its example gives a clean plan.

The words live in jinja2 templates under ``templates/scaffolds/``, one per
hazard extending a common skeleton; this module only works out the facts the
templates need (administrative level, short name, region, signatory title,
roles and river order) from what the user typed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jinja2

from planctl import profiles
from planctl.render.templates import template_dir

ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
ROLES = ("lead", "host", "upstream", "downstream", "member", "observer", "chair")


@dataclass(frozen=True)
class Kind:
    """A hazard kind ``new`` knows: its plan hazard, area model and template."""

    key: str
    hazard: str
    geography: str
    zh: str
    en: str
    #: parties are given from upstream to downstream and areas are chained
    river: bool = False


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(
            "water-pollution",
            "water_pollution",
            "river_basin",
            "流域突发水污染",
            "water pollution across a basin",
            river=True,
        ),
        Kind("forest-fire", "forest_fire", "border", "边界森林火灾", "border forest fire"),
        Kind("snow-ice", "snow_ice", "corridor", "高速公路雨雪冰冻", "highway snow and ice"),
        Kind("earthquake", "earthquake", "area", "地震灾害相互支援", "earthquake mutual support"),
        Kind(
            "infectious-disease",
            "public_health",
            "area",
            "传染病联防联控",
            "infectious-disease joint prevention",
        ),
        Kind(
            "hazardous-chemicals",
            "hazardous_chemicals",
            "area",
            "危险化学品事故",
            "hazardous-chemical accident",
        ),
    )
}
#: other spellings users type: the plan's hazard value, underscores, Chinese names
ALIASES: dict[str, str] = {
    "water_pollution": "water-pollution",
    "forest_fire": "forest-fire",
    "snow_ice": "snow-ice",
    "public_health": "infectious-disease",
    "infectious_disease": "infectious-disease",
    "hazardous_chemicals": "hazardous-chemicals",
    "水污染": "water-pollution",
    "森林火灾": "forest-fire",
    "雨雪冰冻": "snow-ice",
    "地震": "earthquake",
    "传染病": "infectious-disease",
    "危险化学品": "hazardous-chemicals",
    "危化品": "hazardous-chemicals",
}


class ScaffoldError(ValueError):
    """What the user asked for cannot be scaffolded; the message says why."""


@dataclass
class Party:
    id: str
    name: str
    roles: list[str] = field(default_factory=list)

    @property
    def level(self) -> str | None:
        return _level(self.name)

    @property
    def short(self) -> str:
        return _short(self.name)

    @property
    def region(self) -> str | None:
        if self.name.endswith("人民政府") and len(self.name) > 4:
            # a government's region is all of it: 重庆市荣昌区, not 重庆市
            return self.name.removesuffix("人民政府")
        m = _REGION.match(self.name)
        return m.group(1) if m else None

    @property
    def place(self) -> str:
        """Where the party acts, for phrases like “甲县境内” (a department: its region)."""
        return self.region or self.short

    @property
    def title(self) -> str | None:
        return _title(self.name, self.level)


def kind(name: str) -> Kind:
    key = name.strip()
    key = ALIASES.get(key, ALIASES.get(key.lower(), key.lower()))
    if key not in KINDS:
        raise ScaffoldError(f"unknown hazard kind {name!r}; one of: {', '.join(KINDS)}")
    return KINDS[key]


def parse_party(spec: str) -> Party:
    """``ID:名称[:role[,role]]`` → Party; full-width colons are accepted too."""
    parts = [p.strip() for p in re.split(r"[:：]", spec.strip())]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ScaffoldError(
            f"--party {spec!r}: write ID:名称[:role], e.g. jia:甲县人民政府:upstream"
        )
    if len(parts) > 3:
        raise ScaffoldError(f"--party {spec!r}: too many ':' (a name cannot contain ':')")
    pid, name = parts[0], parts[1]
    if not ID_RE.match(pid):
        raise ScaffoldError(
            f"--party {spec!r}: id {pid!r} must start with a letter and use letters, "
            "digits, _ . - (at most 64 characters)"
        )
    if any(ord(c) < 32 for c in name) or len(name) > 100:
        raise ScaffoldError(
            f"--party {spec!r}: the name must be one line of at most 100 characters"
        )
    roles: list[str] = []
    if len(parts) == 3 and parts[2]:
        for role in re.split(r"[,，+]", parts[2]):
            role = role.strip().lower()
            if role not in ROLES:
                raise ScaffoldError(
                    f"--party {spec!r}: unknown role {role!r}; one of: {', '.join(ROLES)}"
                )
            if role not in roles:
                roles.append(role)
    return Party(pid, name, roles)


# 州 ends a region only where it is not part of a city's name (滁州市, 杭州市, 通州区)
_REGION = re.compile(r"^(.+?(?:特别行政区|自治区|自治州|自治县|省|市|州(?![市县区])|盟|县|区|旗))")


def _level(name: str) -> str | None:
    if re.search(r"(公司|集团|厂)$", name):
        return "enterprise"
    if re.search(r"(委员会|管理局|管理处)$", name) and re.search(
        r"(流域|水利委员会|河|江|湖)", name
    ):
        return "agency"
    if name.endswith("人民政府"):
        head = name.removesuffix("人民政府")
        if re.search(r"(乡|镇|街道)$", head):
            return "township"
        if re.search(r"(县|区|旗|县级市)$", head) or re.search(r"市.+市$", head):
            return "county"
        if re.search(r"(北京|天津|上海|重庆)市$", head) or re.search(r"(省|自治区)$", head):
            return "province"
        if re.search(r"(市|州|盟)$", head):
            return "city"
        return None
    if re.search(r"(厅|局|委员会|委|办公室|中心|总队|支队|大队|部)$", name):
        return "department"
    return None


def _short(name: str) -> str:
    """甲县人民政府 → 甲县; departments keep their name (it is already what people say)."""
    if name.endswith("人民政府") and len(name) > 4:
        return name.removesuffix("人民政府")
    return name


def _title(name: str, level: str | None) -> str | None:
    if level in ("province", "city", "county", "township") and name.endswith("人民政府"):
        head = name.removesuffix("人民政府")
        if head.endswith("自治区"):
            return "主席"
        for suffix, title in (
            ("省", "省长"),
            ("市", "市长"),
            ("州", "州长"),
            ("盟", "盟长"),
            ("县", "县长"),
            ("区", "区长"),
            ("旗", "旗长"),
            ("乡", "乡长"),
            ("镇", "镇长"),
        ):
            if head.endswith(suffix):
                return title
    for suffix, title in (("厅", "厅长"), ("局", "局长"), ("委员会", "主任"), ("委", "主任")):
        if name.endswith(suffix):
            return title
    if level == "enterprise":
        return "总经理"
    return None


def assign_roles(k: Kind, parties: list[Party]) -> None:
    """Fill in roles the user left out: a river runs from the first party down;
    otherwise the first party leads. Given roles are kept as they are."""
    for i, p in enumerate(parties):
        if p.roles:
            continue
        if k.river:
            p.roles = ["upstream", "chair"] if i == 0 else ["downstream", "member"]
        else:
            p.roles = ["lead", "chair"] if i == 0 else ["member"]


def check_parties(parties: list[Party]) -> None:
    if len(parties) < 2:
        raise ScaffoldError("a joint plan needs at least two parties (--party ID:名称 twice)")
    seen: set[str] = set()
    for p in parties:
        if p.id in seen:
            raise ScaffoldError(f"party id {p.id!r} is given twice")
        seen.add(p.id)
    names = [p.name for p in parties]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ScaffoldError(f"party name {sorted(dup)[0]!r} is given twice")


def _yaml_scalar(value: Any) -> str:
    """A YAML scalar for template output: plain when unambiguous, else double-quoted.

    Double-quoted YAML is a superset of a JSON string, so json.dumps quotes
    anything a user typed (colons, '#', quotes, leading '-') safely.
    """
    text = str(value)
    if re.fullmatch(
        r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffefA-Za-z0-9【】（）《》、·—._\-；]+", text
    ) and not re.fullmatch(r"[-+.\d]+|(?i:yes|no|on|off|true|false|null|y|n|~)", text):
        return text
    return json.dumps(text, ensure_ascii=False)


def fill_in(what: str, example: Any) -> str:
    """The marker text: 【待填：what；例：example】 (the example is what tests fill in)."""
    return f"【待填：{what}；例：{example}】"


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir() / "scaffolds")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["q"] = _yaml_scalar
    env.globals["ph"] = lambda what, example: _yaml_scalar(fill_in(what, example))
    env.globals["fill_in"] = fill_in
    return env


def plan_id(k: Kind, parties: list[Party]) -> str:
    raw = "-".join([k.key, *(p.id for p in parties)])
    raw = re.sub(r"[^A-Za-z0-9_.-]", "-", raw)
    return raw[:64].rstrip("-._") or k.key


def scaffold(hazard: str, parties: list[Party], profile: str = "national") -> str:
    """The YAML text of a new plan for ``hazard`` between ``parties`` (in river order)."""
    k = kind(hazard)
    check_parties(parties)
    assign_roles(k, parties)
    prof = profiles.get(profile)
    review = profiles.strictest_cycle(prof, "review", [k.hazard])
    lead = next((p for p in parties if {"lead", "chair"} & set(p.roles)), parties[0])
    context = {
        "kind": k,
        "hazard": k.hazard,
        "plan_id": plan_id(k, parties),
        "parties": parties,
        "lead": lead,
        "others": [p for p in parties if p is not lead],
        "profile": prof.id,
        # the review cycle the law sets (profile data, with its citation), or ask
        "review_cycle": review.within
        if review is not None
        else _yaml_scalar(fill_in("评估周期", "P3Y")),
        "names": "".join(p.region or p.short for p in _unique_regions(parties)),
        # the same places inside a sentence, where GB/T 15834 wants 顿号 between them
        "names_list": "、".join(p.region or p.short for p in _unique_regions(parties)),
    }
    text = _env().get_template(f"{k.key}.yaml.j2").render(**context)
    # laid out as `planctl fmt` would, so a new repository's fmt --check passes
    from planctl.fmt import format_text

    return format_text(text, "new.yaml")


def _unique_regions(parties: list[Party]) -> list[Party]:
    seen: set[str] = set()
    out = []
    for p in parties:
        key = p.region or p.short
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


MARKER_WITH_EXAMPLE = re.compile(r"【待填[：:][^】\n]*?；例：([^】\n]*)】")


def fill_examples(text: str) -> str:
    """Replace every marker by its example value (what a test, or a demo, fills in)."""
    return MARKER_WITH_EXAMPLE.sub(lambda m: m.group(1), text)
