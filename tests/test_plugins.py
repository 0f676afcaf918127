"""Rule packs (entry point group planctl.rules), and the frozen rule-code list."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
import yaml

from planctl import config as config_mod
from planctl import plugins, profiles
from planctl.check import validate_text
from planctl.examples import base_data
from planctl.rules import registry
from tests.conftest import ROOT, TODAY

PACK = ROOT / "examples" / "rulepack-henan"
needs_pack = pytest.mark.skipif(not PACK.is_dir(), reason="examples/ is not in this source tree")


def plan_text(**changes: object) -> str:
    data = base_data()
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        data[section][key] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_builtin_codes_are_frozen() -> None:
    """A new rule adds its code to data/rule-codes.yaml; a renamed one leaves a redirect."""
    codes, redirects = plugins.frozen_codes()
    builtin = [r.code for r in registry if not plugins.PACK_CODE.match(r.code)]
    assert sorted(builtin) == sorted(codes)
    assert len(set(codes)) == len(codes)
    for old, new in redirects.items():
        assert old not in codes, f"{old} is redirected, so it cannot also be a live code"
        assert new in codes


def test_redirects_reach_explain_config_and_suppressions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    codes, _ = plugins.frozen_codes()
    monkeypatch.setattr(plugins, "frozen_codes", lambda: (codes, {"ACK001": "NOT004"}))
    assert registry.find("ack001") is registry.get("NOT004")
    cfg_file = tmp_path / "planctl.yaml"
    cfg_file.write_text("ignore: [ACK001]\nseverity: {ACK001: error}\n", encoding="utf-8")
    cfg = config_mod.load(cfg_file)
    assert cfg.ignore == ["NOT004"] and cfg.severity == {"NOT004": "error"}
    data = base_data()
    del data["notifications"]["rules"][0]["acknowledge"]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    found = [f for f in validate_text(text, today=TODAY) if f.code == "NOT004"]
    assert found, "the patched plan lacks an acknowledgement"
    line = found[0].line
    lines = text.splitlines()
    lines[line - 1] += "  # planctl: ignore ACK001 -- 电话通报即时确认"
    quiet = validate_text("\n".join(lines) + "\n", today=TODAY)
    assert not [f for f in quiet if f.code in ("NOT004", "SUP001")]


@pytest.fixture
def henan_pack(monkeypatch: pytest.MonkeyPatch):
    """The example pack loaded in-process through a real EntryPoint object."""
    monkeypatch.syspath_prepend(str(PACK / "src"))
    ep = EntryPoint(name="henan-example", value="planctl_rules_henan", group=plugins.GROUP)
    pack = plugins.load_entry_point(ep)
    assert pack is not None, plugins.ERRORS
    yield pack
    plugins._drop(set(pack.codes))
    plugins.PACKS.remove(pack)
    sys.modules.pop("planctl_rules_henan", None)


@needs_pack
def test_pack_rule_fires_and_can_be_silenced(henan_pack: plugins.Pack, tmp_path: Path) -> None:
    assert henan_pack.codes == ["HN-MNT101"]
    rule = registry.find("hn-mnt101")
    assert rule is not None and rule.citation and "示例" in rule.citation
    text = plan_text(maintenance__drill_cycle="P2Y")
    hits = [f for f in validate_text(text, today=TODAY) if f.code == "HN-MNT101"]
    assert len(hits) == 1 and "P2Y" in hits[0].text("zh")
    assert not [f for f in validate_text(plan_text(), today=TODAY) if f.code == "HN-MNT101"]
    # the suppression comment and config prefixes accept the namespaced form
    line = hits[0].line
    lines = text.splitlines()
    lines[line - 1] += "  # planctl: ignore HN-MNT101 -- 两年一次经省应急厅同意"
    assert not [
        f for f in validate_text("\n".join(lines) + "\n", today=TODAY) if f.code == "HN-MNT101"
    ]
    cfg_file = tmp_path / "planctl.yaml"
    cfg_file.write_text("ignore: [HN-]\n", encoding="utf-8")
    cfg = config_mod.load(cfg_file)
    assert not [f for f in validate_text(text, today=TODAY, config=cfg) if f.code.startswith("HN-")]
    # and the pack's legal profile is there, extending a built-in one
    assert "henan-example" in profiles.available()
    prof = profiles.get("henan-example")
    assert prof.id == "henan-example"


def test_pack_without_namespace_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "badpack.py").write_text(
        "from planctl.rules.base import rule\n"
        "rule(code='NOT999', name='x', severity='info', layer='plan',\n"
        "     title={'zh': 'x', 'en': 'x'}, message={'zh': 'x', 'en': 'x'})\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    before = [r.code for r in registry]
    errors = len(plugins.ERRORS)
    ep = EntryPoint(name="bad", value="badpack", group=plugins.GROUP)
    assert plugins.load_entry_point(ep) is None
    assert [r.code for r in registry] == before
    assert "namespaced" in plugins.ERRORS[-1] and len(plugins.ERRORS) == errors + 1
    ep = EntryPoint(name="missing", value="no_such_pack_module", group=plugins.GROUP)
    assert plugins.load_entry_point(ep) is None
    assert "failed to load" in plugins.ERRORS[-1]
    del plugins.ERRORS[errors:]
    sys.modules.pop("badpack", None)


@pytest.mark.slow
@needs_pack
def test_installed_pack_appears_in_rules_and_fires(tmp_path: Path) -> None:
    """A real install: pip builds the example pack and puts it on a path planctl runs with."""
    target = tmp_path / "site"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--disable-pip-version-check",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(PACK),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    env = {**os.environ, "PYTHONPATH": str(target), "NO_COLOR": "1"}
    env.pop("PLANCTL_NO_PLUGINS", None)
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "planctl", *a],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    listed = run("rules", "--lang", "en")
    assert listed.returncode == 0, listed.stderr
    assert "HN-MNT101" in listed.stdout
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_text(maintenance__drill_cycle="P2Y"), encoding="utf-8")
    checked = run("validate", str(plan), "--today", TODAY, "--lang", "en")
    assert "HN-MNT101" in checked.stdout, checked.stdout + checked.stderr
    explained = run("explain", "HN-MNT101", "--lang", "en")
    assert explained.returncode == 0 and "provincial" in explained.stdout
    assert "henan-example" in run("profiles", "--lang", "en").stdout
    env["PLANCTL_NO_PLUGINS"] = "1"
    assert "HN-MNT101" not in run("rules").stdout


def test_pack_search_without_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quick search of entry_points.txt files never misses what importlib.metadata finds."""
    from importlib import metadata

    if list(metadata.entry_points(group=plugins.GROUP)):
        assert plugins._may_have_packs()
    site = tmp_path / "site"
    other = site / "other-1.0.dist-info"
    other.mkdir(parents=True)
    (other / "entry_points.txt").write_text("[console_scripts]\nx = y:z\n", encoding="utf-8")
    (site / "bare-2.0.dist-info").mkdir()  # no entry points at all
    monkeypatch.setattr(sys, "path", [str(site), str(tmp_path / "missing")])
    assert not plugins._may_have_packs()
    assert not list(metadata.entry_points(group=plugins.GROUP))
    pack = site / "demo_pack-1.0.dist-info"
    pack.mkdir()
    (pack / "entry_points.txt").write_text("[planctl.rules]\ndemo = demo_pack\n", encoding="utf-8")
    assert plugins._may_have_packs()
    assert [ep.name for ep in metadata.entry_points(group=plugins.GROUP)] == ["demo"]
    (pack / "entry_points.txt").unlink()
    zipped = tmp_path / "packs.zip"
    zipped.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    monkeypatch.setattr(sys, "path", [str(site), str(zipped)])
    assert plugins._may_have_packs()  # a zip on the path: importlib.metadata decides


def test_validate_does_not_import_importlib_metadata(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_text(), encoding="utf-8")
    code = (
        "import sys\n"
        f"sys.argv = ['planctl', 'validate', {str(plan)!r}, '--today', {TODAY!r}, '--no-cache']\n"
        "from planctl.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('metadata', 'importlib.metadata' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PLANCTL_NO_PLUGINS"}
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert r.stdout.splitlines()[-1] == "metadata False", r.stdout + r.stderr
