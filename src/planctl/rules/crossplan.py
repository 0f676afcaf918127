"""Repository rules: shared registries (REG, PTH002) and checks across plans (XPL).

A province's joint plans share parties, duty lines and stocks. Registry rules
say when a plan's ``use`` of a shared entry cannot be resolved, or a registry
itself is malformed; cross-plan rules (planctl.crossplan) compare the plans of
a repository with each other: one duty line per party, no stock promised twice
over, no two plans in force for the same hazard and area.

Examples of rules that need several files are small repositories
(``repo_fail`` / ``repo_passes``, see planctl.examples), run by the test suite
like the single-plan examples.
"""

from __future__ import annotations

from collections.abc import Iterator

from planctl.crossplan import show_quantity
from planctl.rules.base import Context, Problem, rule

#: the registry every repository example uses (literal file text)
_REGISTRY = """\
planctl-registry: 1
title: 清水河流域共享登记册
parties:
  - id: jia
    name: 甲县人民政府
    short_name: 甲县
    level: county
    signatory: {organ: 甲县人民政府, title: 县长}
    contacts:
      - kind: duty_24h
        channel: phone
        value: 0351-6000001
        unit: 甲县应急管理局值班室
        owner: 甲县应急管理局办公室
        verified_on: 2026-10-08
    backup:
      - {kind: backup, channel: fax, value: 0351-6000002}
resources:
  - id: R-carbon
    kind: supply
    name: 粉末活性炭
    category: 活性炭
    quantity: 50
    unit: 吨
    owner: jia
    location: 甲县应急物资储备库
    readiness: PT2H
"""
#: a plan (a patch to the example base plan) that takes 甲县 and its carbon from the registry
_USES = """\
registries: [../registries/shared.yaml]
parties.0: {use: jia, roles: [upstream]}
resources.0: {use: R-carbon, quantity: 30}
"""
#: a second plan on another river through the same counties (areas do not overlap)
_OTHER_RIVER = """\
metadata.id: example-dan-he
metadata.title: 甲县乙县丹河突发水污染事件联合应急预案
geography.name: 丹河
geography.areas.0.name: 甲县（丹河段）
geography.areas.1.name: 乙县（丹河段）
"""

PATH_OUTSIDE = rule(
    code="PTH002",
    name="registry-outside-repository",
    severity="error",
    layer="repository",
    title={"zh": "登记册在仓库之外", "en": "Registry outside the repository"},
    message={
        "zh": "登记册 {target} 位于仓库之外，未读取",
        "en": "registry {target} lies outside the repository; not read",
    },
    hint={
        "zh": "把登记册放进预案仓库（如 registries/），用相对于本预案的路径引用。",
        "en": "Keep registries in the plan repository (e.g. registries/) and name them "
        "relative to the plan.",
    },
    why={
        "zh": "CI 检查预案仓库时，不应被一份预案引导去读取机器上的其他文件。",
        "en": "CI checking a plan repository must not be led by a plan to read other files "
        "on the machine.",
    },
    citation="planctl policy",
    fail="registries: [/etc/hostname]",
)

DUPLICATE = rule(
    code="REG001",
    name="duplicate-registry-entry",
    severity="error",
    layer="repository",
    title={"zh": "登记册编号重复", "en": "Duplicate registry entry"},
    message={
        "zh": "登记册中{what}编号“{id}”重复（首次出现在第 {first} 行）",
        "en": "{what} id '{id}' appears twice in the registry (first at line {first})",
    },
    hint={
        "zh": "每个编号只登记一次；同一机关的不同单位请用不同编号。",
        "en": "Register each id once; give different units of one organ their own ids.",
    },
    why={
        "zh": "预案按编号引用登记册；编号重复时，引用哪一条全凭顺序，改错一条就没人发现。",
        "en": "Plans use entries by id; with a duplicate, which one is used is an accident of order.",
    },
    citation="planctl policy",
    repo_fail={
        "registries/shared.yaml": _REGISTRY.replace(
            "resources:\n",
            _REGISTRY[_REGISTRY.index("  - id: jia") : _REGISTRY.index("resources:")]
            + "resources:\n",
        ),
    },
    repo_passes={"registries/shared.yaml": _REGISTRY},
)

UNUSABLE = rule(
    code="REG002",
    name="registry-unusable",
    severity="error",
    layer="repository",
    title={"zh": "登记册无法使用", "en": "Registry cannot be used"},
    message={
        "zh": "登记册 {target} 无法使用：{reason}",
        "en": "registry {target} cannot be used: {reason}",
    },
    hint={
        "zh": "检查路径（相对于本预案文件）；登记册以 planctl-registry: 1 开头，且须先通过 planctl validate。",
        "en": "Check the path (relative to this plan); a registry starts with "
        "planctl-registry: 1 and must validate clean first.",
    },
    why={
        "zh": "引用的参与方和资源取自登记册；读不到或有错时，预案的这些部分无法检查。",
        "en": "Parties and resources come from the registry; when it cannot be read the plan "
        "cannot be checked.",
    },
    citation="planctl policy",
    fail="registries: [registries/no-such-registry.yaml]",
)

UNKNOWN = rule(
    code="REG003",
    name="unknown-registry-entry",
    severity="error",
    layer="repository",
    title={"zh": "登记册中没有该编号", "en": "No such registry entry"},
    message={
        "zh": "登记册中没有{what}“{id}”（{searched}）{suggest_zh}",
        "en": "no {what} '{id}' in the registries ({searched}){suggest_en}",
    },
    hint={
        "zh": "核对编号，或在 registries 中列出登记该编号的登记册。",
        "en": "Check the id, or list the registry that holds it under registries.",
    },
    why={
        "zh": "use 引用的条目必须存在，否则预案缺少该参与方或资源的全部信息。",
        "en": "An entry used must exist, or the plan lacks everything about that party or resource.",
    },
    citation="planctl policy",
    fail="parties.1: {use: yi, roles: [downstream]}",
)

AMBIGUOUS = rule(
    code="REG004",
    name="ambiguous-registry-entry",
    severity="error",
    layer="repository",
    title={"zh": "编号在多个登记册中", "en": "Entry in several registries"},
    message={
        "zh": "{what}“{id}”同时登记在 {files} 中，无法确定引用哪一条",
        "en": "{what} '{id}' is registered in {files}; which one is meant is unclear",
    },
    hint={
        "zh": "只在一个登记册中登记该编号，或从 registries 中去掉其中一个。",
        "en": "Register the id in one registry only, or drop one of them from registries.",
    },
    why={
        "zh": "两条同号登记可能内容不同；预案不能凭文件顺序决定用哪一条。",
        "en": "Two entries with one id may differ; order of files must not decide.",
    },
    citation="planctl policy",
    repo_fail={
        "registries/shared.yaml": _REGISTRY,
        "registries/copy.yaml": _REGISTRY.replace("清水河流域", "甲县"),
        "plans/qingshui.yaml": _USES.replace(
            "[../registries/shared.yaml]", "[../registries/shared.yaml, ../registries/copy.yaml]"
        ),
    },
    repo_passes={"registries/shared.yaml": _REGISTRY, "plans/qingshui.yaml": _USES},
)

OVER_STOCK = rule(
    code="REG005",
    name="commitment-over-registry-stock",
    severity="error",
    layer="repository",
    title={"zh": "承诺数量超过登记底数", "en": "Commitment over the registered stock"},
    message={
        "zh": "本预案承诺资源“{id}” {committed}{unit}，超过登记册 {registry} 登记的底数 {stock}{unit}",
        "en": "this plan commits {committed} {unit} of '{id}', more than the {stock} {unit} "
        "registered in {registry}",
    },
    hint={
        "zh": "按实际可调用数量填写 quantity，或先在登记册中更新底数。",
        "en": "Commit what can really be sent, or update the stock in the registry first.",
    },
    why={
        "zh": "资源底数不清是跨区域联合处置的常见短板：承诺的物资在需要时并不存在。",
        "en": "Unclear stocks are a known weakness of joint response: promised supplies are not there.",
    },
    citation="planctl policy",
    repo_fail={
        "registries/shared.yaml": _REGISTRY,
        "plans/qingshui.yaml": _USES.replace("quantity: 30", "quantity: 80"),
    },
    repo_passes={"registries/shared.yaml": _REGISTRY, "plans/qingshui.yaml": _USES},
)


@OVER_STOCK.check
def check_over_stock(ctx: Context) -> Iterator[Problem]:
    for (section, i), origin in sorted(ctx.doc.origins.items(), key=lambda x: x[0][1]):
        stock = origin.get("stock")
        if (
            section != "resources"
            or not isinstance(i, int)
            or stock is None
            or i >= len(ctx.plan.resources)
        ):
            continue
        res = ctx.plan.resources[i]
        committed = res.get("quantity")
        if isinstance(committed, bool) or not isinstance(committed, (int, float)):
            continue
        if committed > stock:
            yield Problem(
                path=("resources", i, "quantity"),
                params={
                    "id": origin["id"],
                    "committed": show_quantity(committed),
                    "stock": show_quantity(stock),
                    "unit": str(res.get("unit") or ""),
                    "registry": f"{origin['registry']}:{origin['line']}",
                },
            )


USE_IN_REGISTRY = rule(
    code="REG006",
    name="use-inside-registry",
    severity="error",
    layer="repository",
    title={"zh": "登记册中使用了 use", "en": "use inside a registry"},
    message={
        "zh": "登记册中的条目须写全，不能再引用其他条目（use: {id}）",
        "en": "a registry entry is written out in full; it cannot use another (use: {id})",
    },
    hint={
        "zh": "删去 use，写出该条目的全部字段。",
        "en": "Remove use and write the entry's fields.",
    },
    why={
        "zh": "登记册是参与方和资源的唯一出处；条目再引用条目会让出处无从查找。",
        "en": "A registry is the single source of an entry; entries that use entries hide it.",
    },
    citation="planctl policy",
    repo_fail={
        "registries/shared.yaml": _REGISTRY.replace("  - id: R-carbon\n", "  - use: R-carbon\n"),
    },
    repo_passes={"registries/shared.yaml": _REGISTRY},
)

CONTACT_CONFLICT = rule(
    code="XPL001",
    name="duty-line-differs-between-plans",
    severity="error",
    layer="repository",
    title={
        "zh": "同一参与方的24小时值守号码在各预案中不一致",
        "en": "Duty line differs between plans",
    },
    message={
        "zh": "“{party}”的24小时值守{channel}在本预案为 {mine}，在 {other} 中为 {theirs}",
        "en": "the 24-hour {channel} of '{party}' is {mine} here but {theirs} in {other}",
    },
    hint={
        "zh": "核实后统一各预案中的号码；最好在共享登记册中登记一次，各预案用 use 引用。",
        "en": "Confirm the right number and use it everywhere; better, register the party once "
        "in a shared registry and use it.",
    },
    why={
        "zh": "1986 年桑多兹事故中，报警号码变更未通知各方，国际警报迟发约一天；"
        "同一值班室在两份预案中号码不同，至少有一份是错的。",
        "en": "Sandoz 1986: a changed number nobody was told of delayed the alarm by a day; "
        "two numbers for one duty room mean one plan is wrong.",
    },
    citation="planctl policy，参照生产安全事故应急条例 第十四条（应急值班）",
    repo_fail={
        "plans/qingshui.yaml": "metadata.version: '1.0'\n",
        "plans/danhe.yaml": _OTHER_RIVER + "parties.0.contacts.0.value: 0351-6999999\n",
        "plans/weihe.yaml": _OTHER_RIVER.replace("丹河", "卫河").replace("dan-he", "wei-he"),
    },
    repo_passes={
        "plans/qingshui.yaml": "metadata.version: '1.0'\n",
        "plans/danhe.yaml": _OTHER_RIVER,
        "plans/weihe.yaml": _OTHER_RIVER.replace("丹河", "卫河").replace("dan-he", "wei-he"),
    },
)

OVER_COMMITTED = rule(
    code="XPL002",
    name="stock-over-committed",
    severity="error",
    layer="repository",
    title={"zh": "资源底数被重复承诺", "en": "Stock committed beyond what exists"},
    message={
        "zh": "资源“{name}”（{registry}，底数 {stock}{unit}）在 {count} 份可能同时启动的预案中共承诺 "
        "{total}{unit}：本预案 {mine}{unit}，{others}",
        "en": "'{name}' ({registry}, stock {stock} {unit}) is committed {total} {unit} in total "
        "by {count} plans that could be active at once: {mine} {unit} here, {others}",
    },
    hint={
        "zh": "按底数重新分配各预案的承诺数量，或补充储备后更新登记册。",
        "en": "Share the stock out between the plans, or add to the stock and update the registry.",
    },
    why={
        "zh": "同一批活性炭写进五份预案，事件同时发生时只能送到一处（“资源底数不清”）。"
        "同一灾种、区域重叠、有效期重叠的预案可能同时启动。"
        "一组两两可能同时启动、合计承诺超过底数的预案是一个问题，只报一次：报在这组中按路径排第一的"
        "预案的承诺行，列出其余预案（路径:行号 承诺数量）；甲、乙、丙两两重叠而丁只与甲、乙重叠时，"
        "甲乙丙、甲乙丁各是一组。在本预案该行用 # planctl: ignore XPL002 -- 理由 消除后，"
        "这一条改报在组内下一份预案中。",
        "en": "The same carbon promised in five plans reaches one place when events coincide. "
        "Plans for one hazard with overlapping areas and validity could be active at once. "
        "A set of plans of which every two could be active at once and whose commitments "
        "together exceed the stock is one problem and is reported once: at the commitment "
        "line of the set's first plan by path, naming the others (path:line amount). When A, "
        "B and C overlap each other and D overlaps A and B only, ABC and ABD are two sets. A "
        "plan that silences it on its line (# planctl: ignore XPL002 -- reason) hands it on "
        "to the next plan of the set.",
    },
    citation="planctl policy",
    repo_fail={
        "registries/shared.yaml": _REGISTRY,
        "plans/qingshui.yaml": _USES,
        "plans/qingshui-chem.yaml": _USES + "metadata.id: example-qingshui-chem\n",
    },
    repo_passes={
        "registries/shared.yaml": _REGISTRY,
        "plans/qingshui.yaml": _USES,
        "plans/qingshui-chem.yaml": _USES.replace("quantity: 30", "quantity: 20")
        + "metadata.id: example-qingshui-chem\n",
    },
)

OVERLAPPING = rule(
    code="XPL003",
    name="overlapping-plans",
    severity="warning",
    layer="repository",
    title={
        "zh": "同一灾种、同一区域有两份同时有效的预案",
        "en": "Two plans in force for one hazard and area",
    },
    message={
        "zh": "本预案（有效期 {mine}）与另外 {count} 份预案可能同时启动{mutual}：同为{hazard}预案，"
        "区域重叠（{areas}），有效期重叠——{others}",
        "en": "this plan (in force {mine}) could be active at once with {count} other plan(s){mutual}: "
        "all {hazard} plans with overlapping areas ({areas}) and validity — {others}",
    },
    hint={
        "zh": "合并两份预案，或把旧预案的状态改为 superseded，或调整有效期。",
        "en": "Merge the plans, mark the older one superseded, or adjust their validity.",
    },
    why={
        "zh": "同一事件同时适用两份预案时，由谁指挥、按哪份通报都不确定。"
        "每两份可能同时启动的预案只报一次：按路径顺序，每份预案列出与它重叠、尚未报过的其余预案"
        "（路径:行号、编号、有效期），这些预案两两之间也重叠时一并报过；每份预案至多一条。"
        "同一预案复制 31 份是一条，而不是 930 条；甲、乙、丙两两重叠而丁只与甲、乙重叠时，"
        "报两条：甲与乙、丙、丁，乙与丙、丁。"
        "在本预案该行用 # planctl: ignore XPL003 -- 理由 消除后，其中各对改报在对方预案中。",
        "en": "When two plans apply to one event, who leads and whose notification rules hold is "
        "unclear. Each pair of plans that could be active at once is told once: in path order, "
        "each plan names the plans it overlaps that no finding has named it with yet (path:line, "
        "id, validity), and when those overlap each other too, their pairs are told with it; at "
        "most one finding per plan. 31 copies of one plan are one finding, not 930. When A, B "
        "and C overlap each other and D overlaps A and B only, two findings: A with B, C, D and "
        "B with C, D. A plan that silences it on its line (# planctl: ignore XPL003 -- reason) "
        "hands each of its pairs on to the other plan.",
    },
    citation="planctl policy",
    repo_fail={
        "plans/qingshui.yaml": "metadata.version: '1.0'\n",
        "plans/qingshui-2.yaml": "metadata.id: example-qingshui-2\n",
    },
    repo_passes={
        "plans/qingshui.yaml": "metadata.version: '1.0'\n",
        "plans/qingshui-2.yaml": "metadata.id: example-qingshui-2\nmetadata.status: superseded\n",
    },
)

DUPLICATE_PLAN_ID = rule(
    code="XPL004",
    name="duplicate-plan-id",
    severity="error",
    layer="repository",
    title={"zh": "两份预案编号相同", "en": "Two plans share one id"},
    message={
        "zh": "预案编号“{id}”另有 {count} 份预案在用：{others}",
        "en": "plan id '{id}' is used by {count} other plan(s) too: {others}",
    },
    hint={
        "zh": "复制来的预案请改用新的 metadata.id；同一预案的旧版本请保留不同的 version "
        "并把 status 改为 superseded。",
        "en": "Give a copied plan a metadata.id of its own; keep an older version of the same "
        "plan with its own version and status: superseded.",
    },
    why={
        "zh": "预案编号是一份预案在仓库中的身份：跨预案检查、相关预案引用、渲染文档的标识"
        "都按编号区分预案。两份预案同号（多为复制后忘了改），引用指向哪一份全凭顺序，"
        "修改一份时另一份的问题也就看不见了。同一预案的新旧版本可以同号并存："
        "版本号不同，且旧版本的状态为 superseded（已废止）。本问题在每份同号预案中各报一次，"
        "列出其他同号预案的位置。",
        "en": "A plan's id is its identity in the repository: cross-plan checks, references "
        "to related plans and the rendered document's identifier tell plans apart by it. "
        "Two plans with one id (mostly a copy whose id was not changed) make which one is "
        "meant an accident of order. Versions of one plan may share the id side by side: "
        "their versions differ and the older one is superseded. Reported in each plan that "
        "carries the id, naming where the others are.",
    },
    citation="planctl policy",
    repo_fail={
        "plans/qingshui.yaml": "metadata.version: '1.0'\n",
        "plans/danhe.yaml": _OTHER_RIVER.replace("metadata.id: example-dan-he\n", ""),
    },
    repo_passes={
        "plans/qingshui.yaml": "metadata.version: '1.0'\n",
        "plans/danhe.yaml": _OTHER_RIVER,
        # an older version of the same plan, kept as superseded, may keep its id
        "plans/qingshui-0.9.yaml": "metadata.version: '0.9'\nmetadata.status: superseded\n",
    },
)
