"""YAML layer: problems found before the plan can be read at all.

These have no check function; the loader raises them. They are declared here
so that `planctl explain` and `planctl rules` know them like any other rule.
"""

from planctl.rules.base import rule

rule(
    code="YAML001",
    name="yaml-syntax",
    severity="error",
    layer="yaml",
    title={"zh": "YAML 语法错误", "en": "YAML syntax error"},
    message={"zh": "YAML 语法错误：{problem}", "en": "YAML syntax error: {problem}"},
    hint={
        "zh": "检查缩进（只用空格）、冒号后的空格和引号是否成对。",
        "en": "Check indentation (spaces only), a space after each colon, and matching quotes.",
    },
    why={
        "zh": "文件无法解析时，其余检查都无从进行。",
        "en": "Nothing else can be checked until the file parses.",
    },
    fail="metadata.title: '浊漳河流域联合应急预案",
)

rule(
    code="YAML002",
    name="duplicate-key",
    severity="error",
    layer="yaml",
    title={"zh": "重复的键", "en": "Duplicate key"},
    message={
        "zh": "键“{key}”重复出现（第 {first} 行已定义）",
        "en": "key '{key}' appears twice (first defined on line {first})",
    },
    hint={
        "zh": "合并两处内容或删除其一；YAML 解析器会静默丢弃先出现的那一个。",
        "en": "Merge the two or delete one; YAML parsers silently drop the first.",
    },
    why={
        "zh": "PyYAML 等解析器遇到重复键时只保留最后一个，前一条通报规则或职责会悄无声息地消失。",
        "en": "PyYAML keeps only the last of duplicate keys, so an earlier rule or duty vanishes silently.",
    },
    fail="planctl: 1\nmetadata:\n  id: zhuozhang-2025\n  title: 浊漳河流域联合应急预案\n  id: zhuozhang-2026\n",
)

rule(
    code="YAML003",
    name="encoding",
    severity="error",
    layer="yaml",
    title={"zh": "文件编码不是 UTF-8", "en": "File is not UTF-8"},
    message={
        "zh": "文件不是 UTF-8 编码（看起来是 {encoding}）",
        "en": "file is not UTF-8 encoded (it looks like {encoding})",
    },
    hint={
        "zh": "用编辑器另存为 UTF-8（GBK 文件可运行：iconv -f GB18030 -t UTF-8 原文件 > 新文件）；"
        "只有个别字节损坏的，在所指位置重新输入这几个字",
        "en": "Save it as UTF-8 in your editor (for GBK: iconv -f GB18030 -t UTF-8 old > new); "
        "where only a few bytes are damaged, retype the characters at the position shown",
    },
    why={
        "zh": "GBK 文件在其他电脑上会变成乱码；预案文本必须在各方之间原样传递。",
        "en": "GBK files turn into mojibake elsewhere; plan text must travel between parties unchanged.",
    },
)

rule(
    code="YAML004",
    name="unsafe-tag",
    severity="error",
    layer="yaml",
    title={"zh": "不允许的 YAML 标签", "en": "YAML tag not allowed"},
    message={
        "zh": "不允许使用 YAML 标签或合并键 {tag}",
        "en": "YAML tag or merge key {tag} is not allowed",
    },
    hint={
        "zh": "删除标签，直接写出取值；预案只能包含普通数据。",
        "en": "Remove the tag and write the value plainly; a plan holds plain data only.",
    },
    why={
        "zh": "标签可以让解析器构造任意对象，是已知的安全隐患，也让预案含义不透明。",
        "en": "Tags can make a parser construct objects: a known security hole, and opaque to readers.",
    },
    fail='planctl: 1\nmetadata: !!python/object/apply:os.system ["rm -rf /"]\n',
)

rule(
    code="YAML005",
    name="alias-bomb",
    severity="error",
    layer="yaml",
    title={"zh": "别名展开过大", "en": "Alias expansion too large"},
    message={
        "zh": "文件超过 {limit} 个节点{cause_zh}，已拒绝读取",
        "en": "the document has more than {limit} nodes{cause_en}; refused",
    },
    hint={
        "zh": "不要用锚点和别名层层嵌套引用；直接写出内容。",
        "en": "Do not nest anchors and aliases; write the content out.",
    },
    fail="a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
)

rule(
    code="YAML006",
    name="too-deep",
    severity="error",
    layer="yaml",
    title={"zh": "嵌套过深", "en": "Nesting too deep"},
    message={
        "zh": "嵌套层级超过 {depth} 层，已拒绝读取",
        "en": "nesting deeper than {depth} levels; refused",
    },
    hint={
        "zh": "预案结构不会这么深，检查文件是否损坏。",
        "en": "No plan nests this deep; check the file.",
    },
    fail="planctl: " + "[" * 300 + "]" * 300 + "\n",
)

rule(
    code="YAML007",
    name="empty",
    severity="error",
    layer="yaml",
    title={"zh": "空文件", "en": "Empty file"},
    message={"zh": "文件为空，没有预案内容", "en": "the file is empty"},
    hint={
        "zh": "用 planctl new 生成预案骨架，或删除该文件。",
        "en": "Start from a scaffold, or delete the file.",
    },
    fail="# 浊漳河流域联合应急预案（待编写）\n",
)

rule(
    code="YAML008",
    name="multiple-documents",
    severity="error",
    layer="yaml",
    title={"zh": "一个文件包含多个 YAML 文档", "en": "More than one YAML document"},
    message={
        "zh": "文件包含多个 YAML 文档（---），每个文件只能写一个预案：{problem}",
        "en": "the file holds more than one YAML document (---); one plan per file: {problem}",
    },
    hint={
        "zh": "把每个预案拆成单独的文件。",
        "en": "Split each plan into its own file.",
    },
    fail="planctl: 1\nmetadata: {id: plan-a}\n---\nplanctl: 1\nmetadata: {id: plan-b}\n",
)

rule(
    code="YAML009",
    name="too-large",
    severity="error",
    layer="yaml",
    title={"zh": "文件过大", "en": "File too large"},
    message={
        "zh": "文件大小 {size} 字节，超过上限 {limit} 字节",
        "en": "file is {size} bytes, over the {limit}-byte limit",
    },
    hint={
        "zh": "预案文件通常小于 2 MB；检查是否误放了其他文件。",
        "en": "Plans are normally under 2 MB; check this is really a plan.",
    },
)
