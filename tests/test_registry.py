"""Shared registries and checks across the plans of a repository (issue #13)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from planctl import crossplan, registry
from planctl.check import check_paths, recognize, split_plans
from planctl.config import Config
from planctl.examples import apply_patch, base_data, render, repo_files, run_repo
from planctl.loader import load_file, load_text
from planctl.rules import Options
from planctl.rules import registry as rules

from .conftest import FIXTURES, TODAY

REPO = FIXTURES / "repository"
EXPECTED = yaml.safe_load((REPO / "expected.yaml").read_text("utf-8"))
REPO_RULES = [r for r in rules if r.repo_fail is not None]
OPTIONS = Options(today=date.fromisoformat(TODAY))


def _check(root: Path, config: Config | None = None):
    return check_paths([root], OPTIONS, config or Config())


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / ".git").mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tmp_path


def _codes(report) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for result in report.files:
        out[result.path] = [(f.code, f.line) for f in result.findings]
    return out


# -- the documented repository examples --------------------------------------------


@pytest.mark.parametrize("rule", REPO_RULES, ids=lambda r: r.code)
def test_repository_example_fails(rule) -> None:
    files = repo_files(rule, "fail")
    assert files is not None
    assert rule.code in {f.code for f in run_repo(files)}


@pytest.mark.parametrize("rule", REPO_RULES, ids=lambda r: r.code)
def test_repository_example_passes(rule) -> None:
    files = repo_files(rule, "passes")
    assert files is not None, f"{rule.code} needs a passing repository example"
    found = run_repo(files)
    assert rule.code not in {f.code for f in found}
    assert "INT001" not in {f.code for f in found}


def test_new_rules_are_declared_completely() -> None:
    for code in (
        "PTH002",
        *(f"REG00{i}" for i in range(1, 7)),
        "XPL001",
        "XPL002",
        "XPL003",
        "XPL004",
    ):
        rule = rules.get(code)
        assert rule.hint and rule.why and rule.citation, code
        assert rule.fail is not None or rule.repo_fail is not None, code


# -- the fixture repository ----------------------------------------------------------


def test_fixture_repository_reports_each_code_at_its_line() -> None:
    report = _check(REPO)
    got = {Path(r.path).resolve(): r for r in report.files if r.skipped is None}
    assert len(got) == len(EXPECTED)
    for rel, entries in EXPECTED.items():
        result = got[(REPO / rel).resolve()]
        codes = {(f.code, f.line) for f in result.findings}
        wanted = {(e.split("@")[0], int(e.split("@")[1])) for e in entries}
        assert codes == wanted, f"{rel}: expected {sorted(wanted)}, got {sorted(codes)}"
        for f in result.findings:
            assert f.text("zh") and f.text("en") and f.col >= 1


def test_registry_files_are_recognised_and_not_rendered() -> None:
    reg = load_file(REPO / "registries" / "qingshui.yaml")
    assert recognize(reg) == "registry"
    plans, skipped = split_plans(sorted(REPO.rglob("*.yaml")))
    assert {p.name for p, why in skipped if why == "registry"} == {"qingshui.yaml", "broken.yaml"}
    assert all(p.parent.name == "plans" for p in plans)


# -- resolution --------------------------------------------------------------------

_REGISTRY = repo_files(rules.get("REG005"), "passes")["registries/shared.yaml"]  # type: ignore[index]
_USES = rules.get("REG005").repo_passes["plans/qingshui.yaml"]  # type: ignore[index]


def _plan(patch: str = "") -> str:
    return render(apply_patch(base_data(), _USES + patch))


def test_a_plan_using_the_registry_is_clean_and_sees_the_whole_party(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"registries/shared.yaml": _REGISTRY, "plans/a.yaml": _plan()})
    report = _check(root)
    assert report.findings == []
    doc = load_file(root / "plans" / "a.yaml")
    assert registry.resolve(doc) == []
    jia = doc.data["parties"][0]
    assert jia["name"] == "甲县人民政府" and jia["roles"] == ["upstream"] and jia["id"] == "jia"
    assert doc.data["resources"][0]["quantity"] == 30  # the plan's commitment
    assert doc.origins[("resources", 0)]["stock"] == 50  # the registry's stock


def test_finding_on_a_registry_field_points_at_the_use_line_and_names_the_entry(
    tmp_path: Path,
) -> None:
    stale = _REGISTRY.replace("verified_on: 2026-10-08", "verified_on: 2024-01-05")
    plan = _plan()
    root = _repo(tmp_path, {"registries/shared.yaml": stale, "plans/a.yaml": plan})
    [f] = [f for f in _check(root).findings if f.code == "CON002"]
    use_line = plan.splitlines().index("- use: jia") + 1
    assert f.file.endswith("plans/a.yaml") and f.line == use_line
    reg_line = stale.splitlines().index("        verified_on: 2024-01-05") + 1
    assert f"registries/shared.yaml:{reg_line}" in f.text("en") and "'jia'" in f.text("en")
    assert "取自登记册" in f.text("zh")


def test_fields_written_in_the_plan_override_the_registry(tmp_path: Path) -> None:
    patch = "parties.0: {use: jia, roles: [upstream], short_name: 甲县政府}\n"
    root = _repo(tmp_path, {"registries/shared.yaml": _REGISTRY, "plans/a.yaml": _plan(patch)})
    doc = load_file(root / "plans" / "a.yaml")
    registry.resolve(doc)
    assert doc.data["parties"][0]["short_name"] == "甲县政府"


def test_registry_is_parsed_once_per_run(tmp_path: Path, monkeypatch) -> None:
    files = {"registries/shared.yaml": _REGISTRY}
    for i in range(4):
        files[f"plans/p{i}.yaml"] = _plan(f"metadata.id: plan-{i}\ngeography.name: 河{i}\n")
    root = _repo(tmp_path, files)
    registry.clear_cache()
    calls: list[Path] = []
    real = registry.load_file

    def counting(path, *a, **kw):
        calls.append(Path(path))
        return real(path, *a, **kw)

    monkeypatch.setattr(registry, "load_file", counting)
    _check(root)
    assert calls.count((root / "registries" / "shared.yaml").resolve()) == 1


def test_a_changed_registry_is_read_again(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"registries/shared.yaml": _REGISTRY, "plans/a.yaml": _plan()})
    assert _check(root).findings == []
    (root / "registries" / "shared.yaml").write_text(
        _REGISTRY.replace("quantity: 50", "quantity: 5"), encoding="utf-8"
    )
    assert "REG005" in {f.code for f in _check(root).findings}


def test_a_registry_with_a_bad_field_is_reported_at_its_line_and_blocks_its_plans(
    tmp_path: Path,
) -> None:
    bad = _REGISTRY.replace("    level: county\n", "    level: kounty\n")
    root = _repo(tmp_path, {"registries/shared.yaml": bad, "plans/a.yaml": _plan()})
    by_file = _codes(_check(root))
    line = bad.splitlines().index("    level: kounty") + 1
    [reg] = [v for k, v in by_file.items() if k.endswith("shared.yaml")]
    assert ("SCH004", line) in reg
    [plan] = [v for k, v in by_file.items() if k.endswith("a.yaml")]
    assert [c for c, _ in plan] == ["REG002"]


def test_a_registry_outside_the_repository_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "shared.yaml").write_text(_REGISTRY, encoding="utf-8")
    root = _repo(tmp_path / "repo", {"plans/a.yaml": _plan()})
    (root / "registries").mkdir()
    (root / "registries" / "shared.yaml").symlink_to(outside / "shared.yaml")
    report = _check(root / "plans")
    codes = [f.code for f in report.findings]
    assert codes == ["PTH002"]  # and the entries it would have given are not guessed at
    # the same text written as an absolute path outside the root
    text = _plan(f"registries: [{outside / 'shared.yaml'}]\n")
    (root / "plans" / "a.yaml").write_text(text, encoding="utf-8")
    assert "PTH002" in [f.code for f in _check(root / "plans").findings]


def test_unresolved_use_is_protected_from_ignore(tmp_path: Path) -> None:
    from planctl.config import ConfigError, load

    (tmp_path / "planctl.yaml").write_text("ignore: [REG003]\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load(tmp_path / "planctl.yaml")


def test_hostile_registry_values_give_findings_not_tracebacks(tmp_path: Path) -> None:
    for registries in ("[42]", "['']", "x", "['../../../../../../etc/passwd']", "['.']"):
        root = _repo(tmp_path, {"registries/shared.yaml": _REGISTRY, "plans/a.yaml": _plan()})
        text = (root / "plans" / "a.yaml").read_text("utf-8")
        text = text.replace(
            "registries:\n- ../registries/shared.yaml\n", f"registries: {registries}\n"
        )
        (root / "plans" / "a.yaml").write_text(text, encoding="utf-8")
        report = _check(root)
        assert "INT001" not in {f.code for f in report.findings}
        assert report.findings, registries
    doc = load_text("planctl: 1\nparties: [{use: [1]}, {use: jia}, 3]\nresources: {use: x}\n")
    assert {f.code for f in registry.resolve(doc)} <= {"REG003"}


def test_editor_schemas_accept_use_entries_and_cover_registries() -> None:
    import jsonschema

    from planctl.schema import bundled_schema

    plan = yaml.safe_load(_plan())
    plan_schema = bundled_schema()
    jsonschema.Draft202012Validator(plan_schema).validate(json.loads(json.dumps(plan, default=str)))
    reg_schema = bundled_schema("registry")
    assert "planctl-registry" in reg_schema["properties"]
    assert "registry" not in plan_schema["$defs"]
    data = json.loads(json.dumps(yaml.safe_load(_REGISTRY), default=str))
    jsonschema.Draft202012Validator(reg_schema).validate(data)
    data["parties"][0]["level"] = "kounty"
    assert list(jsonschema.Draft202012Validator(reg_schema).iter_errors(data))


def test_schema_command_prints_the_registry_schema() -> None:
    from typer.testing import CliRunner

    from planctl import cli

    result = CliRunner().invoke(cli.app, ["schema", "registry"])
    assert result.exit_code == 0
    assert "planctl-registry" in json.loads(result.stdout)["properties"]


def test_render_uses_the_resolved_parties(tmp_path: Path) -> None:
    from planctl.render.api import render_file

    root = _repo(tmp_path, {"registries/shared.yaml": _REGISTRY, "plans/a.yaml": _plan()})
    out = render_file(root / "plans" / "a.yaml", tmp_path / "out", fmt="md", options=OPTIONS)
    text = Path(out.output).read_text("utf-8")
    assert "甲县应急管理局值班室" in text and "0351-6000001" in text


def test_verify_and_matrix_see_the_registry_entries(tmp_path: Path) -> None:
    from planctl.integrity import verify_docx
    from planctl.render.api import render_file
    from planctl.render.tables import plan_tables

    root = _repo(tmp_path, {"registries/shared.yaml": _REGISTRY, "plans/a.yaml": _plan()})
    out = render_file(root / "plans" / "a.yaml", tmp_path / "out", options=OPTIONS)
    check = verify_docx(out.output, root / "plans" / "a.yaml")
    assert check.unchanged and check.plan_matches, check.plan_changes
    plan, _ = plan_tables(root / "plans" / "a.yaml")
    assert plan.party["jia"]["name"] == "甲县人民政府"


# -- cross-plan checks -------------------------------------------------------------


def _facts(text: str, name: str) -> dict:
    doc = load_text(text, name)
    registry.resolve(doc)
    return crossplan.plan_facts(doc)


def test_facts_are_small_json_and_give_the_same_findings_after_a_round_trip() -> None:
    report = _check(REPO)
    facts = {}
    for path in sorted((REPO / "plans").glob("*.yaml")):
        if path.name in ("bad-refs.yaml", "typo.yaml"):
            continue  # its references do not resolve: rules and cross-plan checks skip it
        doc = load_file(path)
        registry.resolve(doc)
        facts[str(path)] = crossplan.plan_facts(doc)
    text = json.dumps(facts, ensure_ascii=False)
    assert len(text) < 20_000
    again = crossplan.check_repository(json.loads(text))
    assert {(Path(f.file).name, f.code, f.line) for f in again} == {
        (Path(f.file).name, f.code, f.line) for f in report.findings if f.code.startswith("XPL")
    }


def test_an_extra_duty_line_is_no_conflict_and_superseded_plans_are_left_out() -> None:
    base = render(base_data())
    extra = render(
        apply_patch(
            base_data(),
            "metadata.id: b\ngeography.name: 丹河\ngeography.areas.0.name: 甲县（丹河）\n"
            "geography.areas.1.name: 乙县（丹河）\n"
            "parties.0.contacts.+: {kind: duty_24h, channel: phone, value: 0351-6000009, "
            "unit: 值班室, owner: 办公室, verified_on: 2026-10-08}\n",
        )
    )
    facts = {"a.yaml": _facts(base, "a.yaml"), "b.yaml": _facts(extra, "b.yaml")}
    assert crossplan.check_repository(facts) == []
    other = render(apply_patch(base_data(), "metadata.id: c\nparties.0.contacts.0.value: 0351-1\n"))
    facts["c.yaml"] = _facts(other, "c.yaml")
    assert {f.code for f in crossplan.check_repository(facts)} >= {"XPL001", "XPL003"}
    facts["c.yaml"]["status"] = "superseded"
    assert crossplan.check_repository(facts) == []


def test_plans_whose_validity_does_not_overlap_are_not_flagged() -> None:
    a = _facts(render(base_data()), "a.yaml")
    later = render(
        apply_patch(
            base_data(),
            "metadata.id: b\nmetadata.effective: 2029-03-03\nmetadata.issued: 2029-03-03\n"
            "metadata.review_due: 2032-03-03\n",
        )
    )
    b = _facts(later, "b.yaml")
    assert crossplan.check_repository({"a.yaml": a, "b.yaml": b}) == []
    b["validity"] = ["2029-03-02", None]  # the last day of a is the first of b
    found = crossplan.check_repository({"a.yaml": a, "b.yaml": b})
    assert [(f.code, f.file) for f in found] == [("XPL003", "a.yaml")]  # one pair, told once
    assert "b.yaml:" in found[0].message["en"]


def test_cross_plan_findings_follow_config_and_suppression(tmp_path: Path) -> None:
    files = repo_files(rules.get("XPL003"), "fail")
    assert files is not None
    root = _repo(tmp_path, files)
    assert "XPL003" in {f.code for f in _check(root).findings}
    assert "XPL003" not in {f.code for f in _check(root, Config(ignore=["XPL"])).findings}
    graded = _check(root, Config(severity={"XPL003": "error"}))
    assert {f.severity for f in graded.findings if f.code == "XPL003"} == {"error"}
    path = root / "plans" / "qingshui-2.yaml"
    text = path.read_text("utf-8").replace(
        "  name: 甲县\n", "  name: 甲县  # planctl: ignore XPL003 -- 旧预案年底废止\n", 1
    )
    path.write_text(text, encoding="utf-8")
    shown = {Path(f.file).name for f in _check(root).findings if f.code == "XPL003"}
    assert shown == {"qingshui.yaml"}


# -- registries listed once for the repository (planctl.yaml) -------------------------

_NO_LIST = _USES.replace("registries: [../registries/shared.yaml]\n", "")


def _plan_without_list(patch: str = "") -> str:
    return render(apply_patch(base_data(), _NO_LIST + patch))


def test_planctl_yaml_lists_the_registries_every_plan_uses(tmp_path: Path) -> None:
    from planctl import config as config_mod

    root = _repo(
        tmp_path,
        {
            "planctl.yaml": "registries: [registries/shared.yaml]\n",
            "registries/shared.yaml": _REGISTRY,
            "plans/a.yaml": _plan_without_list(),
        },
    )
    assert "registries" not in yaml.safe_load((root / "plans" / "a.yaml").read_text("utf-8"))
    cfg = config_mod.load(root / "planctl.yaml")
    assert cfg.registries == ["registries/shared.yaml"]
    assert _check(root, cfg).findings == []
    # a library caller without a configuration file: the one beside the plans is found
    assert _check(root).findings == []
    doc = load_file(root / "plans" / "a.yaml")
    assert registry.resolve(doc) == []
    assert doc.data["parties"][0]["name"] == "甲县人民政府"
    assert doc.origins[("parties", 0)]["registry"].endswith("registries/shared.yaml")
    # without the configuration the entries are unknown, and the finding says where it looked
    (root / "planctl.yaml").write_text("lang: en\n", encoding="utf-8")
    [f, *_] = [f for f in _check(root).findings if f.code == "REG003"]
    assert "neither the plan nor planctl.yaml declares registries" in f.text("en")


def test_a_plans_own_registries_add_to_the_repositorys(tmp_path: Path) -> None:
    local = _REGISTRY.replace("id: jia", "id: jia-local").replace(
        "name: 甲县人民政府", "name: 甲县水利局"
    )
    plan = _plan_without_list(
        "registries: [local.yaml, ../registries/shared.yaml]\n"
        "parties.1: {use: jia-local, roles: [downstream]}\n"
    )
    root = _repo(
        tmp_path,
        {
            "planctl.yaml": "registries: [registries/shared.yaml]\n",
            "registries/shared.yaml": _REGISTRY,
            "plans/local.yaml": local.replace("  - id: R-carbon", "  - id: R-carbon-local"),
            "plans/a.yaml": plan,
        },
    )
    doc = load_file(root / "plans" / "a.yaml")
    # the shared file, named in both lists, is read once: 'jia' is not ambiguous
    assert [f.code for f in registry.resolve(doc)] == []
    assert doc.data["parties"][0]["name"] == "甲县人民政府"
    assert doc.data["parties"][1]["name"] == "甲县水利局"
    assert doc.origins[("parties", 1)]["registry"].endswith("plans/local.yaml")


def test_a_broken_repository_registry_is_told_at_the_first_use_line(tmp_path: Path) -> None:
    plan = _plan_without_list()
    root = _repo(
        tmp_path,
        {
            "planctl.yaml": "registries: [registries/shared.yaml]\n",
            "registries/shared.yaml": _REGISTRY.replace("planctl-registry: 1\n", ""),
            "plans/a.yaml": plan,
        },
    )
    findings = _check(root).findings
    [f] = [f for f in findings if f.file.endswith("a.yaml")]
    assert f.code == "REG002" and f.line == plan.splitlines().index("- use: jia") + 1
    assert "planctl.yaml: registries/shared.yaml" in f.text("en") and "not a registry" in f.text(
        "en"
    )
    # a configuration that cannot be read is a finding for a library caller, not a traceback
    (root / "registries" / "shared.yaml").write_text(_REGISTRY, encoding="utf-8")
    (root / "planctl.yaml").write_text("registries: [nowhere.yaml]\n", encoding="utf-8")
    registry.clear_cache()
    doc = load_file(root / "plans" / "a.yaml")
    [f] = registry.resolve(doc)
    assert f.code == "REG002" and "does not exist" in f.text("en")


def test_a_configuration_of_another_repository_lends_no_registries(tmp_path: Path) -> None:
    """--config naming another repository's planctl.yaml: its registries lie outside this
    plan's repository, and are not read (the root check of every link)."""
    from planctl import config as config_mod

    other = _repo(
        tmp_path / "other",
        {
            "planctl.yaml": "registries: [registries/shared.yaml]\n",
            "registries/shared.yaml": _REGISTRY,
        },
    )
    here = _repo(tmp_path / "here", {"plans/a.yaml": _plan_without_list()})
    cfg = config_mod.load(other / "planctl.yaml")
    codes = [f.code for f in _check(here, cfg).findings]
    assert codes == ["PTH002"], codes


@pytest.mark.parametrize("mode", ["checked-first", "overlapped", "after-validate"])
def test_every_render_path_draws_the_registry_entries(tmp_path: Path, mode: str) -> None:
    """A render whose check runs in a forked child, or comes from validate's cache, draws the
    plan with its registry entries merged in, exactly as checking first does (and verify agrees)."""
    import subprocess
    import sys

    from planctl.integrity import verify_docx

    root = _repo(tmp_path, {"registries/shared.yaml": _REGISTRY, "plans/a.yaml": _plan()})
    plan = root / "plans" / "a.yaml"

    def planctl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "planctl", *args, "--today", "2026-11-28"],
            capture_output=True,
            text=True,
            cwd=root,
        )

    reference = planctl("render", str(plan), "-o", str(tmp_path / "ref"), "-j", "1", "--no-cache")
    assert reference.returncode == 0, reference.stderr
    if mode == "after-validate":
        assert planctl("validate", str(plan)).returncode in (0, 1)
    extra = {"checked-first": ["-j", "1"], "overlapped": ["--no-cache"], "after-validate": []}
    r = planctl("render", str(plan), "-o", str(tmp_path / "out"), *extra[mode])
    assert r.returncode == 0, r.stderr
    [ref] = (tmp_path / "ref").glob("*.docx")
    [out] = (tmp_path / "out").glob("*.docx")
    assert out.read_bytes() == ref.read_bytes()
    check = verify_docx(out, plan)
    assert check.unchanged and check.plan_matches, check.plan_changes
