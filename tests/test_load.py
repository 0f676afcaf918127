"""The loader: source positions, duplicate keys, encodings and hostile YAML."""

from __future__ import annotations

import codecs

import pytest

from planctl import loader as load_mod
from planctl.check import load_findings
from planctl.loader import load_text


def test_marks_point_at_keys_and_values() -> None:
    doc = load_text("metadata:\n  id: zz-01\n  hazards: [water_pollution, forest_fire]\n")
    assert doc.source.key(("metadata", "id")).line == 2
    assert doc.source.key(("metadata", "id")).col == 3
    assert doc.source.value(("metadata", "id")).col == 7
    assert doc.source.value(("metadata", "hazards", 1)).line == 3
    assert doc.source.value(("metadata", "hazards", 1)).col == 30


def test_missing_path_falls_back_to_nearest_ancestor() -> None:
    doc = load_text("parties:\n  - id: sx\n")
    assert doc.source.value(("parties", 0, "contacts", 3)).line == 2


def test_dates_stay_text_and_keys_are_strings() -> None:
    doc = load_text("a: 2026-01-05\n1: x\nb: 12\nc: true\nd: ~\n")
    assert doc.data == {"a": "2026-01-05", "1": "x", "b": 12, "c": True, "d": None}


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    doc = load_text("metadata:\n  id: a\n  title: 预案\n  id: b\n")
    [f] = load_findings(doc)
    assert (f.code, f.line, f.col) == ("YAML002", 4, 3)
    assert "line 2" in f.text("en") and "第 2 行" in f.text("zh")
    assert doc.data is None


def test_duplicate_key_detected_in_nested_flow_mapping() -> None:
    doc = load_text("rules:\n  - {id: N-1, to: [a], to: [b]}\n")
    assert [f.code for f in load_findings(doc)] == ["YAML002"]


def test_utf8_bom_and_crlf_are_accepted() -> None:
    raw = codecs.BOM_UTF8 + "metadata:\r\n  id: 浊漳河\r\n".encode()
    text = load_mod.decode(raw)
    doc = load_text(text)
    assert doc.data == {"metadata": {"id": "浊漳河"}}
    assert load_findings(doc) == []


def test_gbk_is_named_with_a_hint(tmp_path) -> None:
    p = tmp_path / "gbk.yaml"
    p.write_bytes("metadata:\n  title: 浊漳河流域突发水污染事件联合应急预案\n".encode("gbk"))
    doc = load_mod.load_file(p)
    [f] = load_findings(doc)
    assert f.code == "YAML003" and f.line == 2
    assert "GBK" in f.text("en") and "iconv" in f.hint_text("zh")


def test_binary_file_is_refused(tmp_path) -> None:
    p = tmp_path / "seal.yaml"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    [f] = load_findings(load_mod.load_file(p))
    assert f.code == "YAML003" and "binary" in f.text("en")


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['ls']\n",
        "a: !!python/name:os.system\n",
        "a: !custom 3\n",
        "a: !!set {x, y}\n",
        "base: &b {x: 1}\nother:\n  <<: *b\n",
    ],
)
def test_tags_and_merge_keys_are_refused(text: str) -> None:
    doc = load_text(text)
    assert [f.code for f in load_findings(doc)] == ["YAML004"]
    assert doc.data is None


def test_alias_bomb_is_refused_quickly() -> None:
    text = "a: &a [" + ", ".join(["笑"] * 10) + "]\n"
    for i in range(1, 10):
        text += f"l{i}: &l{i} [" + ", ".join([f"*{'a' if i == 1 else f'l{i - 1}'}"] * 10) + "]\n"
    doc = load_text(text)
    assert [f.code for f in load_findings(doc)] == ["YAML005"]


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    doc = load_text("a: " + "[" * 10000 + "]" * 10000)
    assert [f.code for f in load_findings(doc)] == ["YAML006"]
    doc = load_text("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 400)))
    assert [f.code for f in load_findings(doc)] == ["YAML006"]


def test_empty_and_comment_only_files() -> None:
    assert [f.code for f in load_findings(load_text(""))] == ["YAML007"]
    assert [f.code for f in load_findings(load_text("# 预案\n"))] == ["YAML007"]


def test_multiple_documents_are_refused() -> None:
    doc = load_text("a: 1\n---\nb: 2\n")
    [f] = load_findings(doc)
    assert f.code == "YAML008" and f.line == 2


def test_syntax_error_points_at_the_opening_quote() -> None:
    doc = load_text("metadata:\n  title: '浊漳河\n  id: x\n")
    [f] = load_findings(doc)
    assert (f.code, f.line, f.col) == ("YAML001", 2, 10)


def test_tab_indentation_is_a_syntax_error_with_position() -> None:
    doc = load_text("metadata:\n\tid: x\n")
    [f] = load_findings(doc)
    assert f.code == "YAML001" and f.line == 2


def test_oversized_file_is_refused_before_parsing(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(load_mod, "MAX_BYTES", 1000)
    p = tmp_path / "big.yaml"
    p.write_text("a: " + "x" * 2000 + "\n", encoding="utf-8")
    [f] = load_findings(load_mod.load_file(p))
    assert f.code == "YAML009"


def test_folded_chinese_text_has_no_stray_spaces() -> None:
    doc = load_text(
        "a: >-\n  接报后立即联合启动，\n  成立联合指挥部。\n  Joint HQ\n  opens.\nb: |\n  第一行\n  第二行\n"
    )
    assert doc.data["a"] == "接报后立即联合启动，成立联合指挥部。 Joint HQ opens."
    assert doc.data["b"] == "第一行\n第二行\n"


def test_the_loader_reports_a_plain_error_and_never_imports_the_rules() -> None:
    """No loader ↔ rules cycle: the loader's error is data; the engine makes the finding."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from planctl.loader import LoadError, load_text\n"
        "doc = load_text('a: 1\\na: 2\\n')\n"
        "assert isinstance(doc.error, LoadError), doc.error\n"
        "assert (doc.error.code, doc.error.line, doc.error.col) == ('YAML002', 2, 1)\n"
        "assert doc.data is None\n"
        "assert not any(m.startswith('planctl.rules') for m in sys.modules), 'rules imported'\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert load_text("a: 1\n").error is None


def test_the_engine_turns_the_load_error_into_a_located_finding() -> None:
    from planctl.check import check_document

    doc = load_text("metadata:\n  id: a\n  id: b\n", "plan.yaml")
    [f] = check_document(doc).findings
    assert (f.code, f.line, f.col, f.file) == ("YAML002", 3, 3, "plan.yaml")
    assert f.severity == "error" and "line 2" in f.text("en")


def test_memoised_tags_are_the_safe_resolvers() -> None:
    """The loader's tag memo answers what PyYAML's safe resolver answers, node by node."""
    import yaml

    from tests.conftest import FIXTURES, SAMPLES

    def tags(root: yaml.Node) -> list[str]:
        out: list[str] = []
        seen: set[int] = set()  # each node once: an alias bomb is a few hundred nodes
        stack = [root]
        while stack:
            node = stack.pop()
            out.append(node.tag)
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                stack.extend(x for pair in node.value for x in pair)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
        return out

    traps = (
        "a: [yes, no, on, off, y, n, Yes, NO, true, False, ~, null, Null, '', \"\"]\n"
        "b: [0x1F, 0o17, 017, 1_000, 1:20, 190:20:30, -0, +1, .5, 1e3, 1.0e+3, .inf, -.Inf, .NaN]\n"
        "c: [2026-01-05, 2026-1-5 1:2:3, 2026-01-05T10:00:00Z, =, <<, '1', \"yes\", ! 12]\n"
        "d: !!str 12\ne: !!int '7'\nf: |\n  yes\ng: >\n  no\n? [complex]\n: x\n"
        "h: &a {k: 1}\ni: *a\nj: 【待填：数量】\nk: 0b101\nl: 12.5.3\n"
    )
    texts = [traps, traps]  # twice: the second run answers from the memo
    for folder in (SAMPLES, FIXTURES / "broken"):
        texts += [p.read_text("utf-8", "replace") for p in sorted(folder.glob("*.yaml"))]
    checked = 0
    for text in texts:
        try:
            stock = yaml.compose(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            continue
        node = load_mod._Loader(text).get_single_node()
        assert (None if stock is None else tags(stock)) == (None if node is None else tags(node))
        checked += stock is not None
    assert checked >= len(texts) // 2


def test_source_map_finds_what_recording_every_node_found() -> None:
    """The node index answers, for every path, what a record made while building held."""
    import yaml

    from tests.conftest import FIXTURES, SAMPLES

    def record(node, path, nodes, keys, depth=0):  # the former builder's bookkeeping
        nodes[path] = node
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                child = (*path, str(k.value))
                keys[child] = k
                record(v, child, nodes, keys, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                record(item, (*path, i), nodes, keys, depth + 1)

    texts = [p.read_text("utf-8") for p in sorted(SAMPLES.glob("*.yaml"))]
    texts += [
        "a: &x {k: [1, {m: 2}]}\nb: *x\nc: [*x, 3]\n'1': one\nd: |\n  text\ne: \"q\"\n",
        "- 1\n- [2, {a: b}]\n",
        "plain scalar\n",
    ]
    for p in sorted((FIXTURES / "broken").glob("*.yaml")):
        doc = load_text(p.read_text("utf-8", "replace"))
        if doc.data is not None:
            texts.append(p.read_text("utf-8", "replace"))
    for text in texts:
        doc = load_text(text)
        assert doc.data is not None
        nodes: dict = {}
        keys: dict = {}
        record(doc.source.nodes.root, (), nodes, keys)
        probes = [*nodes, ("nope",), (0,), ("a", 99), ("a", "k", -1), ("a", "k", True)]
        for path in probes:
            assert doc.source.nodes.get(path) is nodes.get(path), path
            assert doc.source.key_nodes.get(path) is keys.get(path), path
            assert (path in doc.source.nodes) == (path in nodes)
            assert doc.source.value(path) == (
                load_mod.Mark.of(nodes[path].start_mark)
                if path in nodes
                else doc.source.value(path)
            )
            assert doc.source.end(path) == (
                load_mod.Mark.of(nodes[path].end_mark) if path in nodes else None
            )
    missing = load_text("a: 1\n")
    with pytest.raises(KeyError):
        missing.source.nodes[("b",)]
    assert load_mod.SourceMap().value(("x",)) == load_mod.Mark(1, 1)


def test_a_tab_indent_is_named_as_a_tab() -> None:
    """PyYAML says "found character that cannot start any token"; the user needs "tab"."""
    [f] = load_findings(load_mod.load_text("planctl: 1\nmetadata:\n\tid: x\n"))
    assert f.code == "YAML001" and (f.line, f.col) == (3, 1)
    assert "tab" in f.text("en") and "制表符" in f.text("zh")


def test_a_damaged_byte_in_a_utf8_file_is_not_called_gbk_or_binary(tmp_path) -> None:
    """One broken sequence in a UTF-8 plan (a bad paste) was "binary" with an iconv-from-GBK
    hint that would garble every other character of the file."""
    text = "planctl: 1\nmetadata:\n  title: 浊漳河流域突发水污染事件联合应急预案\n  scope: 长治市\n"
    raw = text.encode("utf-8").replace("长治".encode(), b"\xe9\x95")
    p = tmp_path / "plan.yaml"
    p.write_bytes(raw)
    [f] = load_findings(load_mod.load_file(p))
    assert f.code == "YAML003" and (f.line, f.col) == (4, 10)
    assert "damaged" in f.text("en") and "损坏" in f.text("zh"), f.text("en")
