"""The document as a list of blocks, built from the plan data alone.

Every sentence comes from a plan field through a sentence template
(templates/text/zh.yaml, rendered in a jinja2 sandbox with the plan's text
passed only as values), so the document never says anything the YAML does
not. DOCX and Markdown are two serialisations of these same blocks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml
from jinja2.sandbox import SandboxedEnvironment

from planctl.model import HAZARDS, Plan
from planctl.render import matrix as mx
from planctl.render.templates import template_dir

GEO_KINDS = {
    "river_basin": "流域",
    "border": "行政交界区域",
    "corridor": "交通走廊",
    "area": "区域",
}
COLORS = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
CONTENT = {
    "event_type": "事件类型",
    "time": "发生时间",
    "location": "地点",
    "source": "事件起因",
    "pollutant": "污染物种类和数量",
    "casualties": "人员伤亡",
    "extent": "影响范围",
    "trend": "发展趋势",
    "measures": "已采取措施",
    "support_request": "请求支援事项",
    "reporter": "报告单位与联系人",
    "contact": "联系方式",
    "monitoring_data": "监测数据",
    "weather": "气象条件",
    "road_status": "道路通行状况",
}
DRILL_KINDS = {
    "tabletop": "桌面推演",
    "functional": "功能演练",
    "full_scale": "综合实战演练",
    "communication_test": "通信测试",
}
PAYERS = {"requesting": "请求方", "providing": "支援方", "shared": "双方分担"}
APPLIES = {"mutual_aid": "相互支援", "requisition": "征用"}
CN_NUM = "一二三四五六七八九十"


# --- blocks ------------------------------------------------------------------
@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    text: str
    style: str | None = None


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: list[float]  # relative column widths
    key_columns: int = 1  # leading columns repeated in every column group
    max_parties: int | None = None  # split party columns into groups of this size


@dataclass
class Annex:
    number: int
    title: str
    landscape: bool = False


@dataclass
class Figure:
    png: bytes
    caption: str


@dataclass
class Signatures:
    parties: list[dict[str, Any]]


@dataclass
class Toc:
    pass


@dataclass
class TitlePage:
    title: str
    parties: list[str]
    version: str
    date: str
    draft: bool
    plan_id: str


Block = Heading | Para | Table | Annex | Figure | Signatures | Toc | TitlePage


@dataclass
class Content:
    plan_id: str
    title: str
    version: str
    digest: str
    draft: bool
    blocks: list[Block] = field(default_factory=list)


# --- helpers -----------------------------------------------------------------
def canonical_digest(data: dict[str, Any]) -> str:
    """SHA-256 of the plan data in canonical JSON: same plan, same hash, any formatting."""
    text = json.dumps(_whole(data), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _whole(value: Any) -> Any:
    """50.0 and 50 are the same quantity: the digest must not tell them apart."""
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


@lru_cache(maxsize=1)
def _sentences() -> dict[str, Any]:
    raw = yaml.safe_load((template_dir() / "text" / "zh.yaml").read_text("utf-8"))
    env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=False)
    return {k: env.from_string(v) for k, v in raw.items()}


def say(key: str, **values: Any) -> str:
    return _sentences()[key].render(**values).strip()


def cn(n: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 (chapter numbers)."""
    if n <= 10:
        return CN_NUM[n - 1]
    if n < 20:
        return "十" + CN_NUM[n - 11]
    return str(n)


def _join(items: list[str]) -> str:
    return "、".join(x for x in items if x)


class _Numbering:
    """一、 （一） 1. （1） numbering, generated as text so every viewer shows it."""

    def __init__(self) -> None:
        self.counts = [0, 0, 0, 0]

    def next(self, level: int) -> str:
        self.counts[level - 1] += 1
        for i in range(level, 4):
            self.counts[i] = 0
        n = self.counts[level - 1]
        return [f"{cn(n)}、", f"（{cn(n)}）", f"{n}.", f"（{n}）"][level - 1]


# --- the builder -------------------------------------------------------------
def build(data: dict[str, Any], *, draft: bool, figure: bytes | None = None) -> Content:
    from planctl.rules.text import sanitize

    digest = canonical_digest(data)
    data = sanitize(data)  # a stray control character must not corrupt the DOCX
    plan = Plan(data)
    meta = plan.metadata
    c = Content(meta["id"], meta["title"], meta["version"], digest, draft)
    b = c.blocks
    num = _Numbering()
    name = plan.name

    def h(level: int, text: str) -> None:
        b.append(Heading(level, num.next(level) + text))

    def p(text: str, style: str | None = None) -> None:
        if text:
            b.append(Para(text, style))

    def items(lines: list[str]) -> None:
        for i, line in enumerate(lines, 1):
            p(f"{i}. {line}")

    def duty_line(d: dict[str, Any]) -> str:
        leads = d["lead"] if isinstance(d["lead"], list) else [d["lead"]]
        res = [plan.resource[r]["name"] for r in d.get("resources", []) if r in plan.resource]
        return say(
            "duty",
            action=d["action"].rstrip("。；;"),
            lead=_join([name(x) for x in leads]),
            support=_join([name(x) for x in d.get("support", [])]),
            inform=_join([name(x) for x in d.get("inform", [])]),
            deadline=mx.duration_zh(d.get("within")),
            trigger=d.get("trigger", ""),
            resources=_join(res),
        )

    b.append(
        TitlePage(
            meta["title"],
            [p_["name"] for p_ in plan.parties if p_["id"] in (meta.get("issuers") or [])]
            or [p_["name"] for p_ in plan.parties],
            meta["version"],
            mx.date_zh(meta.get("issued") or meta.get("effective")),
            draft,
            meta["id"],
        )
    )
    b.append(Toc())

    # 一、总则
    h(1, "总则")
    if meta.get("purpose"):
        h(2, "编制目的")
        p(meta["purpose"])
    h(2, "编制依据")
    basis = []
    for cit in meta["legal_basis"]:
        text = f"《{cit['title']}》" + (cit.get("article") or "")
        if cit.get("number"):
            text += f"（{cit['number']}）"
        basis.append(text)
    p(say("legal_basis_intro", items=_join(basis)))
    h(2, "适用范围")
    p(meta["scope"])
    p(say("hazards", hazards=_join([HAZARDS[x]["event"] for x in plan.hazards])))
    geo = plan.geography
    if geo:
        p(
            say(
                "geography",
                name=geo.get("name", ""),
                kind=GEO_KINDS[geo["kind"]],
                areas=_join([a["name"] for a in geo["areas"]]),
            )
        )
        if geo.get("description"):
            p(geo["description"])
        areas = {a["id"]: a["name"] for a in geo["areas"]}
        for a in geo["areas"]:
            if a.get("downstream"):
                p(
                    say(
                        "downstream",
                        area=a["name"],
                        down=_join([areas.get(x, x) for x in a["downstream"]]),
                    )
                )
    if meta.get("principles"):
        h(2, "工作原则")
        for pr in meta["principles"]:
            p(f"{pr['name']}。{pr['text']}")

    # 二、组织指挥体系
    h(1, "组织指挥体系")
    body = plan.command["body"]
    h(2, body["name"])
    p(say("body", name=body["name"], members=_join([name(x) for x in body.get("members", [])])))
    if body.get("chair"):
        p(say("chair", chair=name(body["chair"])))
    if body.get("rotation"):
        rot = body["rotation"]
        p(
            say(
                "rotation",
                order=_join([name(x) for x in rot["order"]]),
                cycle=_cycle_zh(rot["cycle"]),
                start=mx.date_zh(rot.get("start")),
            )
        )
    if body.get("office"):
        p(say("office", office=name(body["office"])))
    if body.get("duties"):
        items(body["duties"])
    if body.get("meetings"):
        p(body["meetings"])
    h(2, "分级指挥")
    groups = {g["id"]: g for g in plan.groups}
    responses = {r["id"]: r["name"] for r in plan.responses}
    for lvl in plan.command["levels"]:
        p(
            say(
                "command_level",
                response=responses.get(lvl["response"], lvl["response"]),
                lead=name(lvl["lead"]),
                hq=lvl["hq"],
                location=lvl.get("location", ""),
                deputies=_join([name(x) for x in lvl.get("deputies", [])]),
                groups=_join([groups[g]["name"] for g in lvl.get("groups", []) if g in groups]),
            )
        )
        if lvl.get("note"):
            p(lvl["note"])
    if plan.groups:
        h(2, "工作组")
        items(
            [
                say(
                    "group",
                    name=g["name"],
                    lead=name(g["lead"]),
                    members=_join([name(x) for x in g.get("members", [])]),
                    tasks="；".join(t.rstrip("。；") for t in g["tasks"]) + "。",
                )
                for g in plan.groups
            ]
        )
    if plan.command.get("liaisons"):
        h(2, "联络员")
        for li in plan.command["liaisons"]:
            person = li.get("person") or {}
            p(
                say(
                    "liaison",
                    party=name(li["party"]),
                    role=li["role"],
                    person=" ".join(x for x in (person.get("name"), person.get("phone")) if x),
                )
            )

    # 三、风险防控与监测预警
    h(1, "风险防控与监测预警")
    h(2, "事件分级")
    for g in plan.grades:
        p(
            say(
                "grade",
                name=g["name"],
                id=g["id"],
                criteria="；".join(g["criteria"]),
                response=responses.get(g["response"], g["response"]),
            )
        )
    if plan.warnings:
        h(2, "预警分级")
        for w in plan.warnings:
            p(
                say(
                    "warning",
                    name=w["name"],
                    color=COLORS[w["color"]],
                    criteria="；".join(w["criteria"]),
                    response=responses.get(w.get("response", ""), ""),
                    issuer=name(w["issuer"]) if w.get("issuer") else "",
                )
            )
    for phase, title in (("prevention", "联合风险防控"), ("warning", "预警响应措施")):
        duties = [d for d in plan.duties if d["phase"] == phase]
        if duties:
            h(2, title)
            items([duty_line(d) for d in duties])

    # 四、信息报告与通报
    h(1, "信息报告与通报")
    if plan.limits:
        h(2, "通报时限")
        for lim in plan.limits:
            p(
                say(
                    "limit",
                    levels=mx.level_names(plan, lim["levels"]),
                    within=mx.duration_zh(lim["within"]),
                    note=lim.get("note", ""),
                )
            )
    h(2, "报告与通报规则")
    lines = []
    for r in plan.rules:
        when = r.get("when") or {}
        lines.append(
            say(
                "rule",
                sender=name(r["from"]),
                levels=mx.level_names(plan, when.get("levels", [])) or "各级",
                within=mx.duration_zh(r["within"]),
                channels=_join([mx.CHANNELS[x] for x in r["channels"]]),
                receivers=_join([name(x) for x in r["to"]]),
                kind={
                    "report": "报告",
                    "notify": "通报",
                    "warning": "通报预警信息",
                    "request": "提出支援请求",
                }[r["kind"]],
                written=mx.duration_zh(r.get("written_within")),
                content=_join([CONTENT[x] for x in r.get("content", [])]),
                ack=mx.duration_zh((r.get("acknowledge") or {}).get("within")),
                follow=mx.duration_zh(r.get("follow_up")),
                final=mx.duration_zh(r.get("final_report")),
                condition=when.get("condition", ""),
            )
        )
    items(lines)

    # 五、应急响应
    h(1, "应急响应")
    h(2, "分级响应")
    for r in plan.responses:
        p(
            say(
                "response",
                name=r["name"],
                activation=r["activation"].rstrip("。"),
                stand_down=r["stand_down"].rstrip("。"),
            )
        )
    response_duties = [d for d in plan.duties if d["phase"] == "response"]
    if response_duties:
        h(2, "联动处置措施")
        items([duty_line(d) for d in response_duties])
    recovery = [d for d in plan.duties if d["phase"] == "recovery"]

    # 六、后期处置
    if recovery:
        h(1, "后期处置")
        items([duty_line(d) for d in recovery])

    # 七、应急保障
    h(1, "应急保障")
    for kind, title in (
        ("team", "应急队伍"),
        ("equipment", "应急装备"),
        ("supply", "应急物资"),
        ("expert", "专家"),
    ):
        res = [r for r in plan.resources if r["kind"] == kind]
        if not res:
            continue
        h(2, title)
        by_owner: dict[str, list[str]] = {}
        for r in res:
            qty = (
                f"{mx.number(r['quantity'])}{r.get('unit', '')}"
                if r.get("quantity") is not None
                else ""
            )
            extra = f"（{r['speciality']}）" if r.get("speciality") else ""
            by_owner.setdefault(r["owner"], []).append(f"{r['name']}{qty}{extra}")
        for owner, things in by_owner.items():
            p(f"{name(owner)}：{_join(things)}。")
        p("详见附件“应急资源承诺一览表”。")
    aid = plan.mutual_aid
    h(2, "相互支援")
    req = aid["request"]
    p(
        say(
            "request",
            procedure=req["procedure"].rstrip("。"),
            answer=mx.duration_zh(req["answer_within"]),
            channels=_join([mx.CHANNELS[x] for x in req.get("channels", [])]),
        )
    )
    terms_name = {t["id"]: t["id"] for t in aid["compensation"]}
    for cm in aid.get("commitments", []):
        res = plan.resource.get(cm["resource"], {})
        qty = f"{mx.number(cm['quantity'])}{res.get('unit', '')}" if cm.get("quantity") else ""
        p(
            say(
                "commitment",
                owner=name(res.get("owner", "")),
                to=_join([name(x) for x in cm["to"]]),
                resource=res.get("name", cm["resource"]),
                quantity=qty,
                within=mx.duration_zh(cm["within"]),
                terms=terms_name.get(cm.get("terms") or aid.get("default_terms", ""), ""),
            )
        )
    for rq in aid.get("requisitions", []):
        p(
            say(
                "requisition",
                by=name(rq["by"]),
                **{"from": rq["from"]},
                what=rq["what"],
                terms=rq.get("terms") or aid.get("default_terms", ""),
            )
        )
    h(2, "补偿与结算")
    for t in aid["compensation"]:
        payer = PAYERS.get(t["payer"]) or name(t["payer"])
        p(
            say(
                "compensation",
                id=t["id"],
                applies=_join([APPLIES[x] for x in t["applies_to"]]),
                payer=payer,
                rate=t["rate_basis"].rstrip("。"),
                settle=mx.duration_zh(t["settle_within"]),
                disputes=t.get("disputes", "").rstrip("。"),
            )
        )

    # 八、预案管理
    mnt = plan.maintenance
    h(1, "预案管理")
    h(2, "演练")
    p(say("drill_cycle", cycle=_cycle_zh(mnt["drill_cycle"])))
    for d in mnt.get("drills", []):
        p(
            say(
                "drill",
                date=mx.date_zh(d["date"]),
                participants=_join([name(x) for x in d["participants"]]),
                kind=DRILL_KINDS[d["kind"]],
                scenario=d["scenario"],
                findings="；".join(d.get("findings", [])),
            )
        )
    h(2, "评估与修订")
    p(
        say(
            "review_cycle",
            cycle=_cycle_zh(mnt["review_cycle"]),
            due=mx.date_zh(meta.get("review_due")),
        )
    )
    for r in mnt.get("revisions", []):
        p(say("revision", version=r["version"], date=mx.date_zh(r["date"]), summary=r["summary"]))
    if mnt.get("filing"):
        h(2, "备案")
        for f in mnt["filing"]:
            p(say("filing", date=mx.date_zh(f["date"]), to=f["to"], number=f.get("number", "")))

    # 九、附则
    h(1, "附则")
    items(
        meta.get("supplementary", [])
        + ([say("effective", date=mx.date_zh(meta["effective"]))] if meta.get("effective") else [])
    )

    # annexes
    annex = 0

    def start_annex(title: str, landscape: bool) -> None:
        nonlocal annex
        annex += 1
        b.append(Annex(annex, title, landscape))

    resp = mx.responsibility(plan)
    header, rows = resp.table()
    start_annex(mx.TABLE_TITLES["responsibility"], True)
    p(
        "说明：“牵头”指负总责并组织实施，“配合”指按牵头方要求提供支持，“知会”指应及时获知进展。",
        "Plan Note",
    )
    b.append(
        Table(
            header,
            rows,
            [1.6, 1.7, 9, *[1.6] * len(resp.parties)],
            key_columns=3,
            max_parties=8,
        )
    )
    header, rows = mx.notification_rows(plan)
    start_annex(mx.TABLE_TITLES["notification"], True)
    b.append(Table(header, rows, [1.5, 1.4, 2.6, 4.5, 2.6, 2, 2, 1.6, 2.6]))
    header, rows = mx.command_rows(plan)
    start_annex(mx.TABLE_TITLES["command"], True)
    b.append(Table(header, rows, [1.6, 2.2, 3.2, 2.2, 2.2, 5]))
    header, rows = mx.resource_rows(plan)
    start_annex(mx.TABLE_TITLES["resources"], True)
    b.append(Table(header, rows, [1.4, 2.2, 1.1, 3.6, 1.5, 3.4, 1.5, 4]))
    header, rows = mx.contact_rows(plan)
    start_annex(mx.TABLE_TITLES["contacts"], True)
    b.append(Table(header, rows, [3.6, 3.4, 1.2, 2.6, 2.8, 1.9, 3.4]))
    if figure is not None:
        import struct

        px_w, px_h = struct.unpack(">II", figure[16:24])  # PNG IHDR
        start_annex("信息通报流程图", px_w >= px_h)  # a tall figure reads better upright
        b.append(Figure(figure, "箭头表示通报方向，标注为获知后的通报时限"))
    start_annex("联合签署页", False)
    b.append(Signatures(plan.parties))
    return c


def _sentence(text: str) -> str:
    """User text dropped into a generated paragraph must end like a sentence."""
    text = text.strip()
    if text and text[-1] not in "。！？；.!?;）)":
        text += "。"
    return text


def _cycle_zh(value: str) -> str:
    """P1Y → 1年, P6M → 6个月 (calendar cycles, not minutes)."""
    from planctl import durations

    d = durations.parse(value)
    if d.years and not (d.months or d.days):
        return f"{d.years}年"
    if d.months and not (d.years or d.days):
        return f"{d.months}个月"
    return mx.duration_zh(value)
