"""planctl.yaml is checked by schemas/config/config.schema.json, the file editors complete from.

Messages point at file:line:col and say what to write; the schema's ``x-planctl``
annotations carry the wording, so changing the schema cannot silently change it.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import jsonschema
import pytest

from planctl import config as config_mod

from .conftest import ROOT


def _load(tmp_path: Path, text: str) -> config_mod.Config:
    path = tmp_path / "planctl.yaml"
    path.write_text(text, encoding="utf-8")
    return config_mod.load(path)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("fail_on: error\nignor: [DUTY]\n", "2:1", "unknown key 'ignor'; did you mean 'ignore'?"),
        ("lang: fr\n", "1:7", "lang must be zh or en"),
        ("fail_on: fatal\n", "1:10", "fail_on must be one of error, warning, info"),
        ("contact_max_age_months: 0\n", "1:25", "whole number from 1 to 120"),
        ("contact_max_age_months: true\n", "1:25", "whole number from 1 to 120"),
        ("contact_max_age_months: 6.5\n", "1:25", "whole number from 1 to 120"),
        ("exclude:\n  - drafts/*\n  - ''\n", "3:5", "empty pattern"),
        ("exclude: drafts/*\n", "1:10", "exclude must be a list of text"),
        ("select: NOT\n", "1:9", "select must be a list of rule codes"),
        ('ignore: [NOT, ""]\n', "1:15", "matches no rule"),
        ("select: [ZZZ]\n", "1:10", "select entry 'ZZZ' matches no rule"),
        ("severity: {DUTY003: fatal}\n", "1:21", "a severity must be one of error, warning"),
        ("severity:\n  'no code': error\n", "2:3", "'no code' is not a rule code"),
        ("severity: [DUTY003]\n", "1:11", "severity must be a mapping"),
        ("severity: {NOPE001: error}\n", "1:12", "severity for unknown rule 'NOPE001'"),
        ("severity: {SCH002: warning}\n", "1:12", "cannot be changed"),
        ("ignore: [CON, YAML]\n", "1:15", "cannot be ignored"),
        ("profile: nope\n", "1:10", "unknown legal profile 'nope'"),
        ("reference_docx: 3\n", "1:17", "reference_docx must be the path of a DOCX file"),
        ("registries: registries/parties.yaml\n", "1:13", "registries must be a list"),
        ("registries: [3]\n", "1:14", "each registries entry must be the path"),
        ("registries: [a.yaml, a.yaml]\n", "1:13", "no repeats"),
        ("registries: [no-such.yaml]\n", "1:14", "registry 'no-such.yaml' does not exist"),
        ("registries: [/etc/hostname]\n", "1:14", "lies outside the repository"),
        ("registries: [../../../../../etc/hostname]\n", "1:14", "lies outside the repository"),
        ("- lang: zh\n", "1:1", "configuration must be a mapping"),
        ("lang: zh\nlang: en\n", "2:1", "twice"),
    ],
)
def test_bad_configuration_is_located_and_explained(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    with pytest.raises(config_mod.ConfigError) as exc:
        _load(tmp_path, text)
    said = str(exc.value)
    assert said.startswith(f"{tmp_path / 'planctl.yaml'}:{where}: "), said
    assert message in said, said


def test_the_first_problem_in_the_file_is_the_one_reported(tmp_path: Path) -> None:
    with pytest.raises(config_mod.ConfigError, match=r":2:7: lang must be") as exc:
        _load(tmp_path, "fail_on: error\nlang: fr\nfail_on_: x\nexclude: 3\n")
    assert "Traceback" not in str(exc.value)


def test_good_configurations_load(tmp_path: Path) -> None:
    cfg = _load(
        tmp_path,
        "profile: national\nfail_on: warning\nlang: zh\ncontact_max_age_months: 12\n"
        "select: [NOT, DUTY]\nignore: [DUTY003]\nseverity: {NOT004: error}\n"
        "exclude: [drafts/*]\nreference_docx: letterhead.docx\n",
    )
    assert (cfg.profile, cfg.fail_on, cfg.lang, cfg.contact_max_age_months) == (
        "national",
        "warning",
        "zh",
        12,
    )
    assert cfg.select == ["NOT", "DUTY"] and cfg.severity == {"NOT004": "error"}
    assert _load(tmp_path, "").fail_on == "error"  # an empty file is the defaults
    assert _load(tmp_path, "# comments only\n").lang is None


def test_shipped_configurations_are_valid(tmp_path: Path) -> None:
    """The one `planctl init` writes (with its commented-out keys switched on)."""
    from planctl.repo import layout
    from planctl.scaffold import parse_party

    files = layout("water-pollution", [parse_party("jia:甲市"), parse_party("yi:乙市")])
    text = files["planctl.yaml"]
    for rel, body in files.items():  # the registries it lists are laid out beside it
        if rel.startswith("registries/"):
            (tmp_path / rel).parent.mkdir(exist_ok=True)
            (tmp_path / rel).write_text(body, encoding="utf-8")
    assert _load(tmp_path, text).fail_on == "error"
    switched_on = text.replace("# profile:", "profile:").replace("# ignore:", "ignore:")
    cfg = _load(tmp_path, switched_on)
    assert cfg.profile == "national" and cfg.ignore == ["NOT005"]


def test_schema_and_config_class_name_the_same_keys() -> None:
    """One source of truth: a key added to Config without the schema (or back) fails here."""
    schema = config_mod.config_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    names = [f.name for f in fields(config_mod.Config) if f.name != "path"]
    assert list(schema["properties"]) == names == list(config_mod.KEYS)
    assert schema["additionalProperties"] is False


def test_editor_gets_the_very_schema_that_checks(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from planctl.cli import app

    r = CliRunner().invoke(app, ["schema", "config"])
    assert r.exit_code == 0
    shipped = json.loads((ROOT / "schemas" / "config" / "config.schema.json").read_text("utf-8"))
    assert json.loads(r.output) == shipped == config_mod.config_schema()
    out = tmp_path / "config.schema.json"
    assert CliRunner().invoke(app, ["schema", "profile", "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text("utf-8"))["properties"]["id"]


def test_fast_and_full_validators_agree_on_the_examples(tmp_path: Path) -> None:
    """The compiled check says yes/no, jsonschema explains: they must agree."""
    validator = jsonschema.Draft202012Validator(config_mod.config_schema())
    samples = [
        {},
        {"lang": "zh"},
        {"lang": "fr"},
        {"select": ["NOT"]},
        {"select": "NOT"},
        {"select": [""]},
        {"severity": {"DUTY003": "info"}},
        {"severity": {"bad key": "info"}},
        {"exclude": [" "]},
        {"contact_max_age_months": True},
        {"contact_max_age_months": 121},
        {"unknown": 1},
        [],
    ]
    for data in samples:
        try:
            config_mod._fast()(data)
            fast_ok = True
        except Exception:
            fast_ok = False
        assert fast_ok == validator.is_valid(data), data


@pytest.mark.parametrize("command", [["explain", "NOT001"], ["rules"], ["profiles"]])
def test_lang_in_the_configuration_sets_the_language_of_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """README: --lang, else lang: in planctl.yaml, else the locale — for these commands too."""
    from typer.testing import CliRunner

    from planctl.cli import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    monkeypatch.setenv("PLANCTL_LANG", "en")
    outputs = {}
    for lang in ("zh", "en"):
        (tmp_path / "planctl.yaml").write_text(f"lang: {lang}\n", encoding="utf-8")
        r = CliRunner().invoke(app, command)
        assert r.exit_code == 0, r.output
        outputs[lang] = r.output
    cjk = [sum("\u4e00" <= c <= "\u9fff" for c in outputs[lang]) for lang in ("zh", "en")]
    assert cjk[0] > cjk[1], command
    assert CliRunner().invoke(app, [*command, "--lang", "zh"]).output == outputs["zh"]
    (tmp_path / "planctl.yaml").write_text("lang: fr\n", encoding="utf-8")
    r = CliRunner().invoke(app, command)
    assert r.exit_code == 2 and "lang must be zh or en" in r.output
