"""The cross-region matrices, computed once and fed to every output.

DOCX annexes, ``planctl matrix`` in the terminal, CSV, XLSX and Markdown all
read these structures, so a cell can never say 牵头 in one output and 配合 in
another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from planctl import durations
from planctl.model import Plan
from planctl.placeholders import is_placeholder
from planctl.render.style import vocab

T = TypeVar("T")

# the vocabulary lives in the house style (templates/text/zh.yaml), shared with the document
PHASES = list(vocab("phases").items())
PHASE_NAMES = dict(PHASES)
LEAD, SUPPORT, INFORM = "牵头", "配合", "知会"
CHANNELS: dict[str, str] = vocab("channels")
KINDS: dict[str, str] = vocab("resource_kinds")
RULE_KINDS: dict[str, str] = vocab("rule_kinds_short")


def duration_zh(value: str | None) -> str:
    if is_placeholder(value):
        return str(value)  # a draft shows its 【待填：…】 marker as it is
    return durations.humanize(durations.minutes(value), "zh") if value else ""


def number(value: object) -> str:
    """50.0 → "50"; a draft's 【待填：…】 marker is shown as it is."""
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def date_zh(value: str | None) -> str:
    """2024-01-05 → 2024年1月5日 (GB/T 9704: full Arabic digits, no padding)."""
    if not value:
        return ""
    if is_placeholder(value):
        return value
    y, m, d = value.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def balanced_chunks(items: list[T], max_size: int) -> list[list[T]]:
    """Split into the fewest chunks of at most ``max_size``, as equal as possible (11 → 6 + 5)."""
    n = len(items)
    if n <= max_size:
        return [list(items)]
    size = -(-n // -(-n // max_size))
    return [list(items[i : i + size]) for i in range(0, n, size)]


@dataclass
class MatrixRow:
    duty_id: str
    phase: str
    action: str
    cells: dict[str, str]
    deadline: str


@dataclass
class Matrix:
    """A table with a fixed first column and one column per party."""

    title: str
    parties: list[tuple[str, str]]  # (id, short name)
    rows: list[MatrixRow] = field(default_factory=list)

    def column_groups(self, max_parties: int) -> list[list[tuple[str, str]]]:
        """Split the party columns so no page needs unreadably small text.

        Pan-Pearl-River has 11 members; we split into balanced groups that each
        repeat the duty column rather than shrinking the type.
        """
        return balanced_chunks(self.parties, max_parties)

    def table(
        self, parties: list[tuple[str, str]] | None = None
    ) -> tuple[list[str], list[list[str]]]:
        parties = parties if parties is not None else self.parties
        header = ["阶段", "编号", "职责任务", *[name for _, name in parties]]
        body = [
            [
                PHASE_NAMES[r.phase],
                r.duty_id,
                r.action,
                *[r.cells.get(pid, "") for pid, _ in parties],
            ]
            for r in self.rows
        ]
        return header, body


def responsibility(plan: Plan) -> Matrix:
    """Duties grouped by phase × parties: 牵头 / 配合 / 知会."""
    m = Matrix("跨区域职责分工矩阵", [(p["id"], plan.name(p["id"])) for p in plan.parties])
    order = {k: i for i, (k, _) in enumerate(PHASES)}
    for duty in sorted(plan.duties, key=lambda d: order[d["phase"]]):
        cells: dict[str, str] = {}
        for pid in duty.get("inform", []):
            cells[pid] = INFORM
        for pid in duty.get("support", []):
            cells[pid] = SUPPORT
        for pid in plan.lead_parties(duty["lead"]):
            cells[pid] = LEAD
        deadline = duration_zh(duty.get("within")) or duty.get("trigger", "")
        m.rows.append(MatrixRow(duty["id"], duty["phase"], duty["action"], cells, deadline))
    return m


def level_names(plan: Plan, ids: list[str]) -> str:
    names = {x["id"]: x["name"] for x in [*plan.grades, *plan.warnings, *plan.responses]}
    return "、".join(f"{names.get(i, i)}" for i in ids)


def notification_rows(plan: Plan) -> tuple[list[str], list[list[str]]]:
    header = ["编号", "类型", "发送方", "接收方", "适用级别", "时限", "方式", "回执", "续报/终报"]
    rows = []
    for r in plan.rules:
        when = r.get("when") or {}
        levels = level_names(plan, when.get("levels", [])) or "各级"
        deadline = duration_zh(r["within"])
        if r.get("written_within"):
            deadline += f"（书面{duration_zh(r['written_within'])}）"
        ack = duration_zh(r["acknowledge"]["within"]) + "内" if r.get("acknowledge") else "—"
        follow = []
        if r.get("follow_up"):
            follow.append(f"每{duration_zh(r['follow_up'])}续报")
        if r.get("final_report"):
            follow.append(f"{duration_zh(r['final_report'])}内终报")
        rows.append(
            [
                r["id"],
                RULE_KINDS[r["kind"]],
                plan.name(r["from"]),
                "、".join(plan.name(t) for t in r["to"]),
                levels,
                deadline,
                "、".join(CHANNELS[c] for c in r["channels"]),
                ack,
                "；".join(follow) or "—",
            ]
        )
    return header, rows


def _lead_cell(plan: Plan, spec: Any) -> str:
    from planctl.render.mechanisms import lead_short  # mechanisms imports this module

    return lead_short(plan, spec)


def command_rows(plan: Plan) -> tuple[list[str], list[list[str]]]:
    header = ["响应级别", "牵头方", "联合指挥机构", "工作组", "工作组牵头", "成员"]
    groups = {g["id"]: g for g in plan.groups}
    responses = {r["id"]: r["name"] for r in plan.responses}
    rows = []
    for lvl in plan.command.get("levels", []):
        first = True
        for gid in lvl.get("groups", []) or [None]:
            g = groups.get(gid) if gid else None
            rows.append(
                [
                    responses.get(lvl["response"], lvl["response"]) if first else "",
                    _lead_cell(plan, lvl["lead"]) if first else "",
                    lvl["hq"] if first else "",
                    g["name"] if g else "—",
                    _lead_cell(plan, g["lead"]) if g else "—",
                    "、".join(plan.name(x) for x in g.get("members", [])) if g else "—",
                ]
            )
            first = False
    return header, rows


def resource_rows(plan: Plan) -> tuple[list[str], list[list[str]]]:
    header = ["编号", "归属方", "类别", "名称", "数量", "驻地/存放", "响应时间", "承诺支援"]
    committed: dict[str, list[str]] = {}
    for c in plan.mutual_aid.get("commitments", []):
        to = "、".join(plan.name(t) for t in c.get("to", []))
        qty = f"{number(c['quantity'])}" if c.get("quantity") else ""
        committed.setdefault(c["resource"], []).append(
            f"{to}{qty and '（' + qty + '）'}，{duration_zh(c['within'])}内到达"
        )
    rows = []
    owner_order = {p["id"]: i for i, p in enumerate(plan.parties)}
    for r in sorted(plan.resources, key=lambda r: (owner_order.get(r["owner"], 99), r["kind"])):
        qty = (
            f"{number(r['quantity'])}{r.get('unit', '')}" if r.get("quantity") is not None else "—"
        )
        rows.append(
            [
                r["id"],
                plan.name(r["owner"]),
                KINDS[r["kind"]],
                r["name"] + (f"（{r['capacity']}）" if r.get("capacity") else ""),
                qty,
                r["location"],
                duration_zh(r["readiness"]),
                "；".join(committed.get(r["id"], [])) or "—",
            ]
        )
    return header, rows


def contact_rows(plan: Plan) -> tuple[list[str], list[list[str]]]:
    header = ["参与方", "值守单位", "方式", "号码", "维护责任人", "核验日期", "备用渠道"]
    rows = []
    for p in plan.parties:
        backup = (
            "；".join(f"{CHANNELS[b['channel']]} {b['value']}" for b in p.get("backup", [])) or "—"
        )
        contacts = p.get("contacts", []) or [None]
        for i, c in enumerate(contacts):
            rows.append(
                [
                    p["name"] if i == 0 else "",
                    (c or {}).get("unit", "—"),
                    CHANNELS[c["channel"]] if c else "—",
                    c["value"] if c else "—",
                    (c or {}).get("owner", "—"),
                    date_zh((c or {}).get("verified_on")) or "—",
                    backup if i == 0 else "",
                ]
            )
    return header, rows


def flow_edges(plan: Plan) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Nodes and labelled edges of the notification flow figure."""
    used: list[str] = []
    edges: list[tuple[str, str, str]] = []
    for r in plan.rules:
        if r["kind"] == "request":
            continue
        for t in r["to"]:
            edges.append((r["from"], t, duration_zh(r["within"])))
            for pid in (r["from"], t):
                if pid not in used:
                    used.append(pid)
    order = {p["id"]: i for i, p in enumerate(plan.parties)}
    used.sort(key=lambda x: order.get(x, 999))
    return [(pid, plan.name(pid)) for pid in used], edges


def all_tables(plan: Plan) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Every matrix as (header, rows), keyed by a stable name (for CSV/XLSX/terminal)."""
    return {
        "responsibility": responsibility(plan).table(),
        "notification": notification_rows(plan),
        "command": command_rows(plan),
        "resources": resource_rows(plan),
        "contacts": contact_rows(plan),
    }


TABLE_TITLES: dict[str, str] = {
    "responsibility": "跨区域职责分工矩阵",
    "notification": "信息报告与通报矩阵",
    "command": "分级指挥体系与工作组",
    "resources": "应急资源承诺一览表",
    "contacts": "24小时值守通讯录",
}
