"""`planctl diff`: hand-made version pairs, and exactly the changes made."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from planctl import cli
from planctl.diff import compare, draft_revision, read_version, to_markdown, to_text
from planctl.examples import base_data
from tests.conftest import SAMPLES

runner = CliRunner()


def keys(changes: list) -> set[tuple]:
    return {(c.section, c.kind, c.subject, c.field) for c in changes}


def test_identical_versions_have_no_changes() -> None:
    data = base_data()
    assert compare(data, copy.deepcopy(data)) == []
    assert "没有差异" in to_text([])


def test_duties_per_party() -> None:
    old = base_data()
    new = copy.deepcopy(old)
    new["duties"][0]["lead"] = "yi"  # re-assigned
    new["duties"][0]["support"] = []  # yi no longer supports
    new["duties"][1]["support"] = ["jia"]  # unchanged
    new["duties"][1]["inform"] = ["jia"]  # jia now informed
    new["duties"].append(
        {"id": "D-03", "phase": "recovery", "action": "联合评估", "lead": "jia", "within": "P30D"}
    )
    changes = compare(old, new)
    assert keys(changes) == {
        ("duties", "reassigned", "D-01", "lead"),
        ("duties", "removed", "D-01", "support"),
        ("duties", "added", "D-02", "inform"),
        ("duties", "added", "D-03", None),
    }
    reassigned = next(c for c in changes if c.kind == "reassigned")
    assert (reassigned.old, reassigned.new) == ("jia", "yi")
    text = to_text(changes, "en")
    assert "re-assigned to yi (was jia)" in text
    assert "by party:" in text and "  jia:" in text and "  yi:" in text


def test_deadlines_tightened_and_loosened() -> None:
    old = base_data()
    new = copy.deepcopy(old)
    new["notifications"]["rules"][0]["within"] = "PT15M"
    new["notifications"]["rules"][1]["acknowledge"]["within"] = "PT1H"
    new["duties"][0]["within"] = "PT360M"  # the same 6 hours, written differently
    new["notifications"]["limits"][0]["within"] = "PT45M"
    new["mutual_aid"]["request"]["answer_within"] = "PT4H"
    changes = compare(old, new)
    assert keys(changes) == {
        ("notifications", "tightened", "N-jia-yi", "within"),
        ("notifications", "loosened", "N-yi-jia.acknowledge", "within"),
        ("duties", "changed", "D-01", "within"),
        ("limits", "tightened", "I+II+III+IV", "within"),
        ("mutual_aid", "loosened", "request", "answer_within"),
    }


def test_parties_contacts_resources_rules_levels() -> None:
    old = base_data()
    new = copy.deepcopy(old)
    new["parties"][0]["signatory"]["title"] = "代县长"
    new["parties"][1]["contacts"][0]["value"] = "0310-7000099"
    new["parties"][1]["backup"].append(
        {"kind": "backup", "channel": "satellite_phone", "value": "1"}
    )
    new["resources"][0]["quantity"] = 80
    new["resources"][0]["readiness"] = "PT1H"
    new["notifications"]["rules"].pop(1)
    new["notifications"]["rules"][0]["to"] = ["yi", "jia"]
    new["levels"]["grades"][3]["criteria"] = ["发生污染物入河"]
    new["levels"]["responses"].append(
        {"id": "L3", "name": "三级响应", "rank": 3, "activation": "a", "stand_down": "b"}
    )
    new["command"]["levels"][1]["lead"] = "yi"
    new["metadata"]["version"] = "1.1"
    changes = compare(old, new)
    assert keys(changes) == {
        ("metadata", "changed", "metadata", "version"),
        ("parties", "changed", "jia.signatory", "title"),
        ("contacts", "changed", "yi.contacts[duty_24h/phone]", "value"),
        ("contacts", "added", "yi.backup[backup/satellite_phone]", None),
        ("resources", "changed", "R-carbon", "quantity"),
        ("resources", "tightened", "R-carbon", "readiness"),
        ("notifications", "removed", "N-yi-jia", None),
        ("notifications", "changed", "N-jia-yi", "to"),
        ("levels", "changed", "IV", "criteria"),
        ("levels", "added", "L3", None),
        ("command", "changed", "L2", "lead"),
    }
    md = to_markdown(changes, "zh")
    assert md.count("| 变更 | 对象 | 原值 | 新值 |") == len({c.section for c in changes})
    assert "`yi.contacts[duty_24h/phone].value` | 0310-7000001 | 0310-7000099" in md


def test_revision_draft() -> None:
    old = base_data()
    new = copy.deepcopy(old)
    new["notifications"]["rules"][0]["within"] = "PT15M"
    entry = draft_revision(compare(old, new), old, new, date(2026, 11, 28))
    assert entry["version"] == "1.1" and entry["date"] == "2026-11-28"
    assert entry["summary"] == "修改通报规则1处，收紧通报规则时限1处"
    assert "N-jia-yi" not in entry["summary"]  # printed in the 修订记录: no internal ids
    plan = copy.deepcopy(new)
    plan["maintenance"]["revisions"] = [entry]
    from planctl.check import validate_text

    text = yaml.safe_dump(plan, allow_unicode=True, sort_keys=False)
    assert [f.code for f in validate_text(text, today="2026-11-28")] == []


def test_samples_against_themselves_and_each_other() -> None:
    plans = sorted(SAMPLES.glob("*.yaml"))
    a, b = (read_version(str(p)).data for p in plans[:2])
    assert compare(a, copy.deepcopy(a)) == []
    changes = compare(a, b)
    assert any(c.kind == "removed" and c.section == "parties" for c in changes)
    to_markdown(changes, "en")  # renders without error on real plans


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_cli_reads_git_revisions(tmp_path: Path) -> None:
    plan = tmp_path / "plans" / "x.yaml"
    plan.parent.mkdir()
    data = base_data()
    plan.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "."], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], cwd=tmp_path, check=True)
    data["duties"][0]["lead"] = "yi"
    plan.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    import os

    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = runner.invoke(cli.app, ["diff", "HEAD:plans/x.yaml", "plans/x.yaml", "-f", "json"])
        assert r.exit_code == 0, r.output
        out = json.loads(r.stdout)
        assert [(c["section"], c["kind"], c["subject"]) for c in out["changes"]] == [
            ("duties", "reassigned", "D-01")
        ]
        r = runner.invoke(cli.app, ["diff", "HEAD~5:plans/x.yaml", "plans/x.yaml"])
        assert r.exit_code == 2 and "git cannot read" in r.output
        r = runner.invoke(cli.app, ["diff", "--", "--output=/tmp/x:y", "plans/x.yaml"])
        assert r.exit_code == 2 and "no such file" in r.output
        r = runner.invoke(
            cli.app,
            [
                "diff",
                "HEAD:plans/x.yaml",
                "plans/x.yaml",
                "-f",
                "markdown",
                "--draft-revision",
                "--today",
                "2026-11-28",
            ],
        )
        assert r.exit_code == 0 and "```yaml" in r.stdout and "date: 2026-11-28" in r.stdout
    finally:
        os.chdir(here)


def test_unreadable_versions_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1\n", encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(base_data(), allow_unicode=True), encoding="utf-8")
    r = runner.invoke(cli.app, ["diff", str(bad), str(good)])
    assert r.exit_code == 2 and "YAML001" in r.output
    lst = tmp_path / "list.yaml"
    lst.write_text("- 1\n", encoding="utf-8")
    r = runner.invoke(cli.app, ["diff", str(lst), str(good)])
    assert r.exit_code == 2 and "not a plan" in r.output


# -- through registries ----------------------------------------------------------------


def _registry_repo(root: Path) -> tuple[str, str]:
    """A repository whose plan takes 甲县 and its carbon from a registry listed in planctl.yaml."""
    from planctl.examples import apply_patch, render, repo_files
    from planctl.rules import registry as rules

    reg = repo_files(rules.get("REG005"), "passes")["registries/shared.yaml"]
    uses = rules.get("REG005").repo_passes["plans/qingshui.yaml"]
    uses = uses.replace("registries: [../registries/shared.yaml]\n", "")
    plan = render(apply_patch(base_data(), uses))
    (root / "registries").mkdir(parents=True)
    (root / "plans").mkdir()
    (root / "planctl.yaml").write_text("registries: [registries/shared.yaml]\n", "utf-8")
    (root / "registries" / "shared.yaml").write_text(reg, "utf-8")
    (root / "plans" / "a.yaml").write_text(plan, "utf-8")
    return reg, plan


def test_a_registry_change_shows_in_the_plans_diff_naming_the_registry(tmp_path: Path) -> None:
    from planctl.diff import compare_versions

    for side in ("old", "new"):
        (tmp_path / side / ".git").mkdir(parents=True)
        reg, _ = _registry_repo(tmp_path / side)
    changed = reg.replace("value: 0351-6000001", "value: 0351-6000009")
    (tmp_path / "new" / "registries" / "shared.yaml").write_text(changed, "utf-8")
    old = read_version(str(tmp_path / "old" / "plans" / "a.yaml"))
    new = read_version(str(tmp_path / "new" / "plans" / "a.yaml"))
    # the plan files are identical: only the resolved entry differs
    plan_file = Path("plans") / "a.yaml"
    assert (tmp_path / "old" / plan_file).read_text("utf-8") == (
        tmp_path / "new" / plan_file
    ).read_text("utf-8")
    changes = compare_versions(old, new)
    assert keys(changes) == {("contacts", "changed", "jia.contacts[duty_24h/phone]", "value")}
    [c] = changes
    assert (c.old, c.new) == ("0351-6000001", "0351-6000009")
    assert c.registry is not None and c.registry.endswith("new/registries/shared.yaml")
    assert "from registry" in c.text("en") and "取自登记册" in c.text("zh")


def _git(root: Path, *args: str) -> None:
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_versions_resolve_the_registries_of_their_own_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg, plan = _registry_repo(tmp_path)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "v1")
    # v2: the registry's duty line and stock change; the plan itself commits less carbon
    (tmp_path / "registries" / "shared.yaml").write_text(
        reg.replace("value: 0351-6000001", "value: 0351-6000009").replace(
            "quantity: 50", "quantity: 80"
        ),
        "utf-8",
    )
    (tmp_path / "plans" / "a.yaml").write_text(
        plan.replace("quantity: 30", "quantity: 20"), "utf-8"
    )
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli.app, ["diff", "HEAD:plans/a.yaml", "plans/a.yaml", "-f", "json"])
    assert r.exit_code == 0, r.output
    got = {
        (c["section"], c["kind"], c["subject"], c["field"], c["old"], c["new"], c["registry"])
        for c in json.loads(r.stdout)["changes"]
    }
    shared = str(Path("registries") / "shared.yaml")
    assert got == {
        (
            "contacts",
            "changed",
            "jia.contacts[duty_24h/phone]",
            "value",
            "0351-6000001",
            "0351-6000009",
            shared,
        ),
        # the plan writes its commitment itself: a change of the plan, not of the registry
        ("resources", "changed", "R-carbon", "quantity", 30, 20, None),
        # ...and the registered stock under it changed in the registry
        ("resources", "changed", "R-carbon", "stock", 50, 80, shared),
    }
    _git(tmp_path, "commit", "-qam", "v2")
    # both sides from git: each resolved against its own revision's registry
    r = runner.invoke(cli.app, ["diff", "HEAD~1:plans/a.yaml", "HEAD:plans/a.yaml", "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "0351-6000001 → 0351-6000009 (from registry HEAD:registries/shared.yaml)" in r.output
    assert "quantity: 30 → 20" in r.output
    # the registry file itself, between the two revisions: the stock and the line
    r = runner.invoke(
        cli.app, ["diff", "HEAD~1:registries/shared.yaml", "registries/shared.yaml", "-f", "json"]
    )
    assert r.exit_code == 0, r.output
    assert {
        (c["section"], c["subject"], c["field"], c["old"], c["new"])
        for c in json.loads(r.stdout)["changes"]
    } == {
        ("contacts", "jia.contacts[duty_24h/phone]", "value", "0351-6000001", "0351-6000009"),
        ("resources", "R-carbon", "quantity", 50, 80),
    }
    md = runner.invoke(
        cli.app, ["diff", "HEAD~1:plans/a.yaml", "plans/a.yaml", "-f", "markdown", "--lang", "zh"]
    )
    assert "（登记册 registries/shared.yaml）" in md.stdout
    # a registry is not compared with a plan, and has no revision entry to draft
    r = runner.invoke(cli.app, ["diff", "registries/shared.yaml", "plans/a.yaml"])
    assert r.exit_code == 2 and "like with like" in r.output
    r = runner.invoke(
        cli.app,
        ["diff", "HEAD:registries/shared.yaml", "registries/shared.yaml", "--draft-revision"],
    )
    assert r.exit_code == 2 and "a registry has none" in r.output
    # a version whose entries cannot be resolved is refused with the finding, not guessed at
    (tmp_path / "plans" / "a.yaml").write_text(plan.replace("use: jia", "use: jai"), "utf-8")
    r = runner.invoke(cli.app, ["diff", "HEAD:plans/a.yaml", "plans/a.yaml"])
    assert r.exit_code == 2 and "REG003" in r.output and "'jia'" in r.output
