"""Rules about planctl itself and about suppressions; raised by the engine."""

from planctl.rules.base import rule

rule(
    code="INT001",
    name="internal-error",
    severity="error",
    layer="plan",
    title={"zh": "planctl 内部错误", "en": "planctl internal error"},
    message={
        "zh": "检查 {rule} 时 planctl 内部出错（{error}）；其余检查结果仍然有效",
        "en": "planctl failed internally while running {rule} ({error}); other results still hold",
    },
    hint={
        "zh": "请附上该预案文件向 planctl 报告此问题；加 --debug 可查看详细信息。",
        "en": "Please report this with the plan file; --debug shows the details.",
    },
)

rule(
    code="SUP001",
    name="suppression-without-reason",
    severity="warning",
    layer="plan",
    title={"zh": "忽略标记缺少理由", "en": "Suppression without a reason"},
    message={
        "zh": "忽略 {codes} 的行内标记没有写明理由，未生效",
        "en": "inline suppression of {codes} gives no reason and is not applied",
    },
    hint={
        "zh": "写成：# planctl: ignore {codes} -- 理由",
        "en": "Write: # planctl: ignore {codes} -- reason",
    },
    why={
        "zh": "每一次忽略检查都应当留下可审查的理由，评审专家需要看到。",
        "en": "Every silenced check should leave a reason reviewers can read.",
    },
)

rule(
    code="PTH001",
    name="path-outside-repository",
    severity="error",
    layer="yaml",
    title={"zh": "链接指向目录之外", "en": "Link leads outside the directory"},
    message={
        "zh": "该路径是指向检查目录之外的链接（{target}），未读取",
        "en": "this path is a link out of the checked directory ({target}); not read",
    },
    hint={
        "zh": "把预案文件直接放在仓库中，不要用符号链接引用仓库外的文件。",
        "en": "Keep plan files in the repository itself, not as links to files elsewhere.",
    },
    why={
        "zh": "CI 检查预案仓库时，不应被引导去读取机器上的其他文件。",
        "en": "CI checking a plan repository must not be led to read other files on the machine.",
    },
)

rule(
    code="FIL001",
    name="not-a-plan",
    severity="error",
    layer="yaml",
    title={"zh": "不是预案文件（--strict）", "en": "Not a plan file (--strict)"},
    message={
        "zh": "该 YAML 文件不是预案（{reason}），已跳过；--strict 要求每个文件都是预案",
        "en": "this YAML file is not a plan ({reason}) and was skipped; --strict wants every file to be one",
    },
    hint={
        "zh": "若这是预案，在文件开头加上 planctl: 1；否则把它从检查范围中排除（config 的 exclude，或 pre-commit 的 exclude）。",
        "en": "If it is a plan, start it with planctl: 1; otherwise exclude it (config exclude, or the pre-commit hook's exclude).",
    },
    why={
        "zh": "pre-commit 和 CI 会把仓库里所有 YAML 交给 planctl；只有明显不是预案的文件才跳过，--strict 连这些也不放过，防止预案因漏写 planctl: 而漏检。",
        "en": "pre-commit and CI hand planctl every YAML file; only clearly foreign files are skipped, and --strict refuses even those so that a plan missing planctl: is never passed over.",
    },
)
