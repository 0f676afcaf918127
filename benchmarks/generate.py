"""Generate N realistic, valid joint river-basin plans for benchmarking.

Each plan has 6-14 parties along a river (a city government and an ecology-
environment department per area, plus a basin authority), notification rules
from every area to everyone downstream, 30-60 duties and 20-40 resources: the
size of a real joint plan. Deterministic for a given seed.

The plans share registries, as a province's plans do: ``registries/parties.yaml``
holds every city government, ecology-environment bureau and the basin agency
with one 24-hour line each, ``registries/resources.yaml`` each city's stock of
activated carbon and oil boom, listed once in the repository's ``planctl.yaml``
(``registries:``); a plan ``use``s its parties and commits part of its cities'
stock. Each plan covers its own river reach, so the repository is
clean across plans too (no two plans in force for one hazard and area).
``--inline`` writes the parties into every plan instead (the same lines).

    python benchmarks/generate.py 200 /tmp/plans [--inline]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import yaml

RIVERS = ["浊漳河", "清漳河", "卫河", "滏阳河", "沁河", "丹河", "汾河", "涑水河", "淇河", "安阳河"]
CITIES = [
    ("长治", "山西", "0355", "changzhi"),
    ("晋城", "山西", "0356", "jincheng"),
    ("邯郸", "河北", "0310", "handan"),
    ("邢台", "河北", "0319", "xingtai"),
    ("安阳", "河南", "0372", "anyang"),
    ("鹤壁", "河南", "0392", "hebi"),
    ("新乡", "河南", "0373", "xinxiang"),
    ("焦作", "河南", "0391", "jiaozuo"),
    ("濮阳", "河南", "0393", "puyang"),
    ("聊城", "山东", "0635", "liaocheng"),
    ("德州", "山东", "0534", "dezhou"),
]
#: registry stock per city (REG005/XPL002 compare commitments with it)
STOCK = {"carbon": ("粉末活性炭", "活性炭", 200, "吨"), "boom": ("围油栏", "围油栏", 3000, "米")}
BASIN = {
    "id": "basin",
    "name": "海河水利委员会漳卫南运河管理局",
    "short_name": "漳卫南局",
    "level": "agency",
    "signatory": {"organ": "海河水利委员会漳卫南运河管理局", "title": "局长"},
    "contacts": [
        {
            "kind": "duty_24h",
            "channel": "phone",
            "value": "0534-2400000",
            "unit": "漳卫南局防汛值班室",
            "owner": "漳卫南局办公室",
            "verified_on": "2026-10-20",
        }
    ],
    "backup": [{"kind": "backup", "channel": "satellite_phone", "value": "1740-0000-001"}],
}


def city_party(n: int, kind: str) -> dict:
    """A city's government ("gov") or ecology-environment bureau ("eco"): one line each, always."""
    city, prov, code, py = CITIES[n]
    name = f"{city}市人民政府" if kind == "gov" else f"{city}市生态环境局"
    level = "city" if kind == "gov" else "department"
    number = 2000000 + 7919 * (2 * n + (kind == "eco")) % 6999999
    return {
        "id": f"{py}-{kind}",
        "name": name,
        "short_name": name.replace("人民政府", ""),
        "level": level,
        "region": f"{prov}省{city}市",
        "signatory": {"organ": name, "title": "市长" if level == "city" else "局长"},
        "contacts": [
            {
                "kind": "duty_24h",
                "channel": "phone",
                "value": f"{code}-{number}",
                "unit": f"{name}总值班室",
                "owner": f"{name}办公室",
                "verified_on": "2026-10-15",
            }
        ],
        "backup": [{"kind": "backup", "channel": "fax", "value": f"{code}-{number + 1}"}],
    }


def city_stock(n: int, what: str) -> dict:
    city, _, _, py = CITIES[n]
    name, category, quantity, unit = STOCK[what]
    return {
        "id": f"R-{py}-{what}",
        "kind": "supply" if what == "carbon" else "equipment",
        "name": f"{city}市{name}",
        "category": category,
        "quantity": quantity,
        "unit": unit,
        "owner": f"{py}-eco",
        "location": f"{city}市应急物资储备库",
        "readiness": "PT2H",
    }


def registries() -> dict[str, dict]:
    """The shared registries, by file name under registries/."""
    parties = [city_party(n, kind) for n in range(len(CITIES)) for kind in ("gov", "eco")]
    return {
        "parties.yaml": {
            "planctl-registry": 1,
            "title": "海河流域南系跨市突发水污染事件联防联控共享参与方登记册",
            "parties": [*parties, BASIN],
        },
        "resources.yaml": {
            "planctl-registry": 1,
            "title": "海河流域南系应急物资储备登记册",
            "resources": [city_stock(n, w) for n in range(len(CITIES)) for w in STOCK],
        },
    }


TEAMS = ["环境应急监测队", "危险化学品救援队", "水上搜救队", "综合性消防救援队伍", "医疗救治队"]
EQUIP = [
    ("应急监测车", "台"),
    ("便携式水质分析仪", "台"),
    ("围油栏", "米"),
    ("大功率水泵", "台"),
    ("发电车", "台"),
]
SUPPLY = [("活性炭", "吨"), ("吸附棉", "吨"), ("饮用水", "吨"), ("聚合氯化铝", "吨")]
ACTIONS = [
    "在{a}出境断面布设{n}个应急监测点位，每{h}小时采样一次并共享监测数据",
    "在{a}境内{river}干流设置{n}道拦截坝，投加粉末活性炭吸附特征污染物",
    "组织{a}沿河{n}座水厂启动深度处理工艺，每{h}小时报告一次出厂水质",
    "对{a}沿河{n}家涉危险化学品企业开展排查，{h}小时内报送排查清单",
    "向{a}沿河群众发布停止取用河水公告，{h}小时内覆盖沿河{n}个乡镇",
]


def plan(i: int, rng: random.Random, shared: bool = True) -> dict:
    # each plan its own reach: plans for one hazard whose areas overlap are XPL003
    river = RIVERS[i % len(RIVERS)]
    reach = f"{river}第{i // len(RIVERS) + 1}段" if i >= len(RIVERS) else river
    n_areas = rng.randint(3, 6)
    picked = rng.sample(range(len(CITIES)), n_areas)
    cities = [CITIES[n] for n in picked]
    parties, areas = [], []
    gov = [f"{CITIES[n][3]}-gov" for n in picked]
    eco = [f"{CITIES[n][3]}-eco" for n in picked]
    for k, n in enumerate(picked):
        city, prov, _, _ = CITIES[n]
        for kind in ("gov", "eco"):
            parties.append({"use": f"{CITIES[n][3]}-{kind}"} if shared else city_party(n, kind))
        areas.append(
            {
                "id": f"a{k}",
                "name": f"{prov}省{city}市（{reach}）",
                "parties": [gov[k], eco[k]],
                "first_informed": [gov[k]],  # the city duty office receives first reports
            }
        )
    for k in range(n_areas - 1):
        areas[k]["downstream"] = [f"a{k + 1}"]
    parties.append({"use": "basin"} if shared else dict(BASIN))
    ids = [*(p for pair in zip(gov, eco, strict=True) for p in pair), "basin"]
    rules = []
    for k in range(n_areas):
        gid, eid = gov[k], eco[k]
        down = [p for j in range(k + 1, n_areas) for p in (gov[j], eco[j])]
        rules.append(
            {
                "id": f"N-{k}-local",
                "kind": "report",
                "from": gid,
                "to": [eid],
                "channels": ["phone", "written"],
                "within": "PT15M",
                "content": ["event_type", "time", "location", "pollutant"],
            }
        )
        rules.append(
            {
                "id": f"N-{k}-down",
                "kind": "notify",
                "from": eid,
                "to": [*down, "basin"],
                "channels": ["phone", "fax"],
                "within": "PT30M",
                "content": ["event_type", "time", "location", "pollutant", "extent", "measures"],
                "acknowledge": {"within": "PT15M"},
                "follow_up": "PT4H",
                "final_report": "P5D",
            }
        )
        # the stand-down (解除/终止) goes back along the same two paths
        rules.append(
            {
                "id": f"S-{k}-local",
                "kind": "report",
                "message": "stand_down",
                "from": gid,
                "to": [eid],
                "channels": ["phone", "written"],
                "within": "PT1H",
            }
        )
        rules.append(
            {
                "id": f"S-{k}-down",
                "kind": "notify",
                "message": "stand_down",
                "from": eid,
                "to": [*down, "basin"],
                "channels": ["phone", "fax"],
                "within": "PT1H",
                "acknowledge": {"within": "PT15M"},
            }
        )
    duties, resources = [], []
    for k in range(n_areas):
        owner = eco[k]
        for t in range(rng.randint(4, 7)):
            kind = ["team", "equipment", "supply"][t % 3]
            name, unit = (
                (rng.choice(TEAMS), "人")
                if kind == "team"
                else rng.choice(EQUIP if kind == "equipment" else SUPPLY)
            )
            r = {
                "id": f"R-{k}-{t}",
                "kind": kind,
                "name": f"{cities[k][0]}市{name}",
                "category": name,
                "quantity": rng.randint(2, 80),
                "unit": unit,
                "owner": owner,
                "location": f"{cities[k][0]}市应急物资储备库",
                "readiness": rng.choice(["PT1H", "PT2H", "PT4H"]),
            }
            if kind == "team":
                r["contact"] = {"name": "王建国", "phone": "13900000000"}
            resources.append(r)
    phases = ["prevention", "warning", "response", "response", "recovery"]
    for d in range(rng.randint(30, 60)):
        k = d % n_areas
        pair = [gov[k], eco[k]]
        lead = pair[(d // n_areas) % 2]  # both parties of an area lead something
        support = sorted(({rng.choice(ids) for _ in range(2)} | set(pair)) - {lead})
        # a duty uses its own lead's resources (another party's would need a commitment, AID002)
        res = [r["id"] for r in resources if r["owner"] == lead][:2]
        duties.append(
            {
                "id": f"D-{d:03d}",
                "phase": phases[d % 5],
                "lead": lead,
                "support": support or ["basin"],
                "action": rng.choice(ACTIONS).format(
                    a=cities[k][0] + "市", n=rng.randint(2, 6), h=rng.choice([2, 4, 6]), river=river
                ),
                "within": rng.choice(["PT2H", "PT4H", "PT6H", "PT12H"]),
                "resources": res,
            }
        )
    if shared:  # part of each city's registered stock, well within it
        for n in picked:
            resources.append({"use": f"R-{CITIES[n][3]}-carbon", "quantity": rng.randint(10, 60)})
    duties.append(
        {
            "id": "D-basin",
            "phase": "response",
            "lead": "basin",
            "action": "调度岳城水库下泄流量，按联合指挥部指令在2小时内调整闸门开度",
            "within": "PT2H",
        }
    )
    out: dict = {"planctl": 1}
    return out | {
        "metadata": {
            "id": f"bench-{i:04d}",
            "title": f"{reach}{'、'.join(c[0] for c in cities)}突发水污染事件联合应急预案",
            "version": "1.0",
            "status": "approved",
            "issued": "2026-03-01",
            "effective": "2026-03-01",
            "review_due": "2029-03-01",
            "hazards": ["water_pollution"],
            "legal_profile": "national",
            "scope": f"适用于{reach}流域跨市界突发水污染事件。",
            "legal_basis": [{"title": "中华人民共和国突发事件应对法", "article": "第十八条"}],
        },
        "parties": parties,
        "geography": {"kind": "river_basin", "name": reach, "areas": areas},
        "levels": {
            "grades": [
                {
                    "id": "I",
                    "name": "特别重大",
                    "rank": 1,
                    "response": "L1",
                    "criteria": ["集中式饮用水水源地取水中断超过24小时"],
                },
                {
                    "id": "II",
                    "name": "重大",
                    "rank": 2,
                    "response": "L1",
                    "criteria": ["跨省界断面特征污染物超标10倍以上"],
                },
                {
                    "id": "III",
                    "name": "较大",
                    "rank": 3,
                    "response": "L2",
                    "criteria": ["跨市界断面特征污染物超标"],
                },
                {
                    "id": "IV",
                    "name": "一般",
                    "rank": 4,
                    "response": "L2",
                    "criteria": ["污染物入河但交界断面未超标"],
                },
            ],
            "warnings": [
                {
                    "id": "W-red",
                    "name": "红色预警",
                    "color": "red",
                    "rank": 1,
                    "response": "L1",
                    "issuer": gov[0],
                    "criteria": ["预计跨省界断面特征污染物超标10倍以上"],
                },
                {
                    "id": "W-orange",
                    "name": "橙色预警",
                    "color": "orange",
                    "rank": 2,
                    "issuer": gov[0],
                    "criteria": ["预计跨市界断面特征污染物超标"],
                },
            ],
            "responses": [
                {
                    "id": "L1",
                    "name": "一级响应",
                    "rank": 1,
                    "activation": "各方会商后联合启动",
                    "stand_down": "交界断面连续72小时达标",
                },
                {
                    "id": "L2",
                    "name": "二级响应",
                    "rank": 2,
                    "activation": "事发地启动并通报下游",
                    "stand_down": "交界断面连续24小时达标",
                },
            ],
        },
        "notifications": {
            "limits": [
                {"levels": ["I", "II", "III", "IV"], "within": "PT2H"},
                {"levels": ["W-red", "W-orange"], "within": "PT2H"},
            ],
            "rules": rules,
        },
        "command": {
            "body": {"name": f"{reach}流域联防联控联席会议", "chair": gov[0], "members": ids},
            "levels": [
                {
                    "response": "L1",
                    "lead": gov[0],
                    "hq": f"{reach}联合指挥部",
                    "groups": ["g-mon"],
                },
                {"response": "L2", "lead": eco[0], "hq": "事发地现场指挥部", "groups": ["g-mon"]},
            ],
            "groups": [
                {
                    "id": "g-mon",
                    "name": "应急监测组",
                    "lead": eco[0],
                    "members": ids[1:],
                    "tasks": ["每2小时在交界断面采样"],
                }
            ],
        },
        "duties": duties,
        "resources": resources,
        "mutual_aid": {
            "request": {
                "procedure": "请求方书面提出，被请求方2小时内答复",
                "answer_within": "PT2H",
            },
            "default_terms": "C-1",
            "compensation": [
                {
                    "id": "C-1",
                    "applies_to": ["mutual_aid", "requisition"],
                    "payer": "requesting",
                    "rate_basis": "按实际消耗据实结算",
                    "settle_within": "P90D",
                }
            ],
        },
        "public_info": {
            "releaser": "origin",
            "first_within": "PT5H",
            "follow_up": "P1D",
            "channels": ["政府网站", "政务新媒体"],
            "wording": "发布前各方相互通报发布内容，统一口径",
        },
        "aftermath": {
            "investigation": {
                "lead": gov[0],
                "with": gov[1:],
                "within": "P30D",
                "report_to": "共同的上一级人民政府",
            }
        },
        "maintenance": {
            "drill_cycle": "P1Y",
            "review_cycle": "P3Y",
            "drills": [
                {
                    "date": "2026-06-18",
                    "kind": "tabletop",
                    "scenario": "上游苯胺泄漏入河",
                    "participants": ids,
                }
            ],
        },
    }


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)


def config_text(shared: bool = True) -> str:
    """The repository's planctl.yaml: it lists the shared registries once for every plan."""
    text = "fail_on: error\n"
    if shared:
        text += "registries:\n" + "".join(f"  - registries/{name}\n" for name in registries())
    return text


def main(n: int, out: Path, seed: int = 2012, shared: bool = True) -> list[Path]:
    """Write n plans (and the registries and planctl.yaml they share) to ``out``; the plans' paths."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    if shared:
        (out / "registries").mkdir(exist_ok=True)
        for name, data in registries().items():
            (out / "registries" / name).write_text(dump(data), "utf-8")
        (out / "planctl.yaml").write_text(config_text(), "utf-8")
    paths = []
    for i in range(n):
        p = out / f"plan-{i:04d}.yaml"
        p.write_text(dump(plan(i, rng, shared)), "utf-8")
        paths.append(p)
    return paths


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--inline"]
    main(
        int(args[0]) if args else 100,
        Path(args[1] if len(args) > 1 else "bench-plans"),
        shared="--inline" not in sys.argv,
    )
