"""Schema layer: the plan does not have the shape the JSON Schema describes.

Raised by :mod:`planctl.schema`; declared here for `explain` and `rules`.
"""

from planctl.rules.base import rule

rule(
    code="SCH001",
    name="missing-field",
    severity="error",
    layer="schema",
    title={"zh": "缺少必填项", "en": "Required field missing"},
    message={
        "zh": "{where}缺少必填项“{field}”",
        "en": "{where}is missing required field '{field}'",
    },
    hint={
        "zh": "补上“{field}”；编辑器加载 planctl 的 JSON Schema 后会自动提示。",
        "en": "Add '{field}'; an editor with planctl's JSON Schema will suggest it.",
    },
    why={
        "zh": "预案的每一部分都有法定或实践中必不可少的要素，缺一项就可能在实战中卡住。",
        "en": "Each part of a plan has elements the law or practice requires; a gap stalls a real response.",
    },
    fail="metadata.hazards: <delete>",
)

rule(
    code="SCH002",
    name="unknown-field",
    severity="error",
    layer="schema",
    title={"zh": "未知字段", "en": "Unknown field"},
    message={"zh": "未知字段“{field}”{suggest_zh}", "en": "unknown field '{field}'{suggest_en}"},
    hint={
        "zh": "检查拼写；允许的字段：{allowed}",
        "en": "Check the spelling; allowed fields: {allowed}",
    },
    why={
        "zh": "拼错的字段会被静默忽略，作者以为写了的时限或职责实际上不存在。",
        "en": "A misspelt field would be silently ignored: a deadline the author thinks is set is not.",
    },
    fail="duties.0.deadline: PT2H",
)

rule(
    code="SCH003",
    name="wrong-type",
    severity="error",
    layer="schema",
    title={"zh": "类型不符", "en": "Wrong type"},
    message={"zh": "应为{expected}，实际是{actual}", "en": "expected {expected}, got {actual}"},
    hint={
        "zh": "按字段说明改写取值；列表用 [a, b] 或“- ”逐行书写。",
        "en": "Rewrite the value as documented; lists are [a, b] or one '- ' item per line.",
    },
    fail="parties.0.contacts: 0351-6000001",
)

rule(
    code="SCH004",
    name="invalid-value",
    severity="error",
    layer="schema",
    title={"zh": "取值无效", "en": "Invalid value"},
    message={"zh": "取值无效：{detail_zh}", "en": "invalid value: {detail_en}"},
    hint={"zh": "{hint_zh}", "en": "{hint_en}"},
    why={
        "zh": "时限、日期、级别等必须是机器能读懂的取值，才能计算通报链条和到期日。",
        "en": "Deadlines, dates and levels must be machine-readable to compute chains and due dates.",
    },
    fail="notifications.rules.0.within: 30分钟",
)
