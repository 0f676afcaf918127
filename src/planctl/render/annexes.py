"""The generated annexes as the document prints them.

``planctl matrix`` and its CSV/XLSX outputs keep ids (they are planctl's own
outputs); the document's annexes number rows 序号 1、2、3, name parties by
their short name, merge repeated cells, and print every number with its unit.
The responsibility matrix is laid out by width: party columns are as wide as
their short name (never broken inside a name), split into column groups that
each drop rows where no party of the group has a role, and past the point
where marks stop being readable it switches to the office form
"序号｜职责任务｜牵头单位｜配合单位｜时限".
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from planctl.model import Plan
from planctl.render import matrix as mx
from planctl.render import mechanisms as mech
from planctl.render import river
from planctl.render.blocks import Table
from planctl.render.style import join, normalize, sentence, strip_end, vocab

#: landscape type area width (A4 297 mm less the 37 mm and 35 mm portrait top/bottom margins)
LANDSCAPE_MM = 225.0
#: table text is 小四 (12 pt): one CJK character is 4.23 mm, a digit or Latin letter about half
CJK_MM, LATIN_MM, CELL_PAD_MM = 4.3, 2.3, 4.0
#: the duty column needs this much room to stay readable next to the party columns
TASK_MIN_MM = 80.0
#: more column groups than this and the matrix is no longer readable: use the office form
MAX_GROUPS = 2

ANNEX_KEYS = ("responsibility", "notification", "command", "resources", "contacts")


@dataclass
class AnnexPlan:
    """Which annexes the document has, in order, and their numbers."""

    keys: list[str]  # generated, in order ("flow" when a figure is drawn)
    titles: dict[str, str]
    declared: list[str]  # titles of attachments the plan declares (另附)

    @property
    def numbers(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys, 1)}

    def all_titles(self) -> list[str]:
        return [self.titles[k] for k in self.keys] + self.declared


def annex_plan(plan: Plan, with_figure: bool) -> AnnexPlan:
    titles = dict(mx.TABLE_TITLES) | {"flow": "信息报告与通报流程图"}
    keys = list(ANNEX_KEYS) + river.annex_keys(plan) + (["flow"] if with_figure else [])
    titles |= river.ANNEX_TITLES
    declared = [a["title"] for a in plan.metadata.get("attachments", [])]
    return AnnexPlan(keys, titles, declared)


def text_mm(text: str) -> float:
    """Printed width of ``text`` in the table font.

    Word and LibreOffice add about a quarter em between CJK and Latin/digit runs
    ("2026年10月12日" has four such gaps), so each change of script counts too.
    """
    wide = [ord(ch) >= 0x2000 for ch in text]
    gaps = sum(1 for a, b in pairwise(wide) if a != b)
    return sum(CJK_MM if w else LATIN_MM for w in wide) + 1.1 * gaps


def _short(plan: Plan, pid: str) -> str:
    p = plan.party.get(pid)
    return (p.get("short_name") or p["name"]) if p else pid


def responsibility(plan: Plan) -> Table:
    """附件1: the matrix in column groups, or the office form past MAX_GROUPS groups."""
    from planctl.render.chapters import duty_task

    m = mx.responsibility(plan)
    duties = {d["id"]: d for d in plan.duties}
    phases = vocab("phases")
    # a party with no role in any duty (an informed provincial department, an operator
    # that is only told) would get a blank column, and past one group a page of header only
    parties = [
        (pid, _short(plan, pid)) for pid, _ in m.parties if any(r.cells.get(pid) for r in m.rows)
    ]
    widths_mm = [max(12.0, text_mm(name) + CELL_PAD_MM) for _, name in parties]
    key_mm = [12.0, 22.0]  # 序号, 阶段
    room = LANDSCAPE_MM - sum(key_mm) - TASK_MIN_MM
    groups: list[list[int]] = [[]]
    used = 0.0
    for i, w in enumerate(widths_mm):
        if groups[-1] and used + w > room:
            groups.append([])
            used = 0.0
        groups[-1].append(i)
        used += w
    if len(groups) > MAX_GROUPS:
        return office_form(plan)
    if len(groups) > 1:  # balance the groups: 11 parties → 6 + 5, not 9 + 2
        size = -(-len(parties) // len(groups))
        groups = [list(range(i, min(i + size, len(parties)))) for i in range(0, len(parties), size)]
        if any(sum(widths_mm[i] for i in g) > room for g in groups):
            groups = [
                list(range(i, min(i + size - 1, len(parties))))
                for i in range(0, len(parties), size - 1)
            ]
            if len(groups) > MAX_GROUPS:
                return office_form(plan)
    header = ["序号", "阶段", "职责任务", *[name for _, name in parties]]
    rows = [
        [
            str(n),
            phases[r.phase],
            duty_task(duties.get(r.duty_id) or {"action": r.action}),  # as the body says it
            *[r.cells.get(pid, "") for pid, _ in parties],
        ]
        for n, r in enumerate(m.rows, 1)
    ]
    task = LANDSCAPE_MM - sum(key_mm) - max(sum(widths_mm[i] for i in g) for g in groups)
    widths = [*key_mm, max(task, TASK_MIN_MM), *widths_mm]
    return Table(
        header,
        rows,
        widths,
        key_columns=3,
        groups=[[3 + i for i in g] for g in groups],
        merge=(1,),
        drop_empty=True,
    )


def _trigger_cell(d: dict[str, Any]) -> str:
    """A duty without a deadline shows its trigger as its 时限 ("每年10月1日至次年4月30日
    防火期"), unless the 职责任务 cell opens with it already."""
    from planctl.render.chapters import duty_when

    trigger = d.get("trigger")
    if not isinstance(trigger, str) or duty_when(d)[0]:
        return ""
    return strip_end(trigger)


def office_form(plan: Plan) -> Table:
    """序号｜职责任务｜牵头单位｜配合单位｜时限: readable at any party count."""
    from planctl.render.chapters import duty_task

    phases = vocab("phases")
    rows = []
    order = {k: i for i, (k, _) in enumerate(mx.PHASES)}
    for n, d in enumerate(sorted(plan.duties, key=lambda d: order[d["phase"]]), 1):
        rows.append(
            [
                str(n),
                phases[d["phase"]],
                duty_task(d),
                mech.lead_short(plan, d["lead"]),
                join([_short(plan, x) for x in d.get("support", [])]) or "—",
                mx.duration_zh(d.get("within")) or _trigger_cell(d) or "—",
            ]
        )
    return Table(
        ["序号", "阶段", "职责任务", "牵头单位", "配合单位", "时限"],
        rows,
        [12, 22, 95, 30, 44, 22],
        merge=(1,),
    )


def notification(plan: Plan) -> Table:
    """附件2: one row per rule in plan order; the sender merged over its rules."""
    from planctl.render.chapters import level_scope

    kinds = vocab("rule_kinds_short")
    channels = vocab("channels")
    rows = []
    for n, r in enumerate(plan.rules, 1):
        when = r.get("when") or {}
        deadline = mx.duration_zh(r["within"]) + "内"
        if r.get("written_within"):
            deadline += f"；书面{mx.duration_zh(r['written_within'])}内"
        ack = mx.duration_zh(r["acknowledge"]["within"]) + "内" if r.get("acknowledge") else "—"
        follow = []
        if r.get("follow_up"):
            follow.append(normalize(f"每{mx.duration_zh(r['follow_up'])}续报"))  # 每小时
        if r.get("final_report"):
            follow.append(f"结束后{mx.duration_zh(r['final_report'])}内终报")
        rows.append(
            [
                str(n),
                _short(plan, r["from"]),
                join([_short(plan, t) for t in r["to"]]),
                river.message_label(r, kinds),
                level_scope(plan, when.get("levels", [])) or "各级",
                deadline,
                join([channels[c] for c in r["channels"]]),
                ack,
                "；".join(follow) or "—",
            ]
        )
    return Table(
        ["序号", "发送方", "接收方", "类型", "适用级别", "时限", "方式", "回执", "续报/终报"],
        rows,
        [12, 26, 42, 18, 34, 28, 22, 16, 27],
        merge=(1,),
    )


def command(plan: Plan) -> Table:
    """附件3: levels × working groups, the level's cells merged over its groups."""
    groups = {g["id"]: g for g in plan.groups}
    responses = {r["id"]: r["name"] for r in plan.responses}
    rows = []
    for lvl in plan.command.get("levels", []):
        for gid in lvl.get("groups", []) or [None]:
            g = groups.get(gid) if gid else None
            rows.append(
                [
                    responses.get(lvl["response"], ""),
                    mech.lead_short(plan, lvl["lead"]),
                    lvl["hq"],
                    g["name"] if g else "—",
                    mech.lead_short(plan, g["lead"]) if g else "—",
                    _members_cell(plan, g.get("members", [])) if g else "—",
                ]
            )
    return Table(
        ["响应级别", "牵头单位", "联合指挥机构", "工作组", "工作组牵头单位", "成员单位"],
        rows,
        [30, 26, 50, 28, 28, 63],
        merge=(0, 1, 2),
    )


def _members_cell(plan: Plan, ids: list[str]) -> str:
    """成员单位: members, then observers marked as such (never listed as plain members)."""
    from planctl.render.chapters import split_observers

    members, observers = split_observers(plan, ids)
    cell = join([_short(plan, x) for x in members])
    if observers:
        cell += ("；" if cell else "") + join([_short(plan, x) for x in observers]) + "（观察单位）"
    return cell


def _quantity(value: Any, unit: str | None, kind: str) -> str:
    from planctl.render.chapters import quantity

    return quantity(value, unit, kind) or "—"


def resources(plan: Plan) -> Table:
    """附件4: resources in the plan's order, 序号, a unit beside every number."""
    kinds = vocab("resource_kinds")
    committed: dict[str, list[str]] = {}
    for c in plan.mutual_aid.get("commitments", []):
        res = plan.resource.get(c["resource"], {})
        to = join([_short(plan, t) for t in c.get("to", [])])
        qty = (
            _quantity(c.get("quantity"), res.get("unit"), res.get("kind", ""))
            if c.get("quantity")
            else ""
        )
        committed.setdefault(c["resource"], []).append(
            f"{to}{qty and '（' + qty + '）'}，{mx.duration_zh(c['within'])}内到达"
        )
    rows = []
    for n, r in enumerate(plan.resources, 1):
        rows.append(
            [
                str(n),
                _short(plan, r["owner"]),
                kinds[r["kind"]],
                # "装备（湖南）" + "（单套扬程300米）" reads "装备（湖南，单套扬程300米）"
                normalize(
                    strip_end(r["name"])
                    + (f"（{strip_end(r['capacity'])}）" if r.get("capacity") else "")
                ),
                _quantity(r.get("quantity"), r.get("unit"), r["kind"]),
                r["location"],
                mx.duration_zh(r["readiness"]) + "内",
                "；".join(committed.get(r["id"], [])) or "—",
            ]
        )
    return Table(
        ["序号", "归属单位", "类别", "名称", "数量", "驻地或存放地点", "响应时间", "承诺支援"],
        rows,
        [12, 26, 14, 56, 20, 36, 20, 41],
        merge=(1,),
        nowrap=(4,),
    )


def contacts(plan: Plan) -> Table:
    """附件5: numbers and dates never wrap; 维护部门 holds an office, not a person."""
    channels = vocab("channels")
    rows = []
    for p in plan.parties:
        backup = (  # one channel a line, so a number is never split across lines
            "\n".join(f"{channels[b['channel']]} {b['value']}" for b in p.get("backup", [])) or "—"
        )
        for c in p.get("contacts", []) or [None]:
            rows.append(
                [
                    p["name"],
                    (c or {}).get("unit", "—"),
                    channels[c["channel"]] if c else "—",
                    c["value"] if c else "—",
                    (c or {}).get("owner", "—"),
                    mx.date_zh((c or {}).get("verified_on")) or "—",
                    backup,
                ]
            )
    return Table(
        ["单位", "值守机构", "方式", "号码", "维护部门", "核验日期", "备用渠道"],
        rows,
        [28, 34, 12, 30, 28, 30, 50],
        merge=(0, 6),
        nowrap=(2, 3, 5),
    )


def tables(plan: Plan) -> dict[str, Table]:
    return {
        "responsibility": responsibility(plan),
        "notification": notification(plan),
        "command": command(plan),
        "resources": resources(plan),
        "contacts": contacts(plan),
    } | river.tables(plan)


__all__ = ["AnnexPlan", "annex_plan", "sentence", "tables", "text_mm"]
