"""Machine outputs read by CI tools: SARIF, JUnit, GitLab Code Quality, GitHub annotations."""

from __future__ import annotations

import json

from planctl.check import check_paths, make_options
from planctl.config import Config
from planctl.output import to_sarif

from .conftest import FIXTURES, TODAY

BROKEN = FIXTURES / "broken"


def _report(*names: str):
    cfg = Config()
    return check_paths([BROKEN / n for n in names], make_options(TODAY, None, cfg), cfg)


def test_sarif_rules_carry_inline_help_and_no_links() -> None:
    sarif = to_sarif(_report("two-leads.yaml", "bad-duration.yaml"), "zh")
    text = json.dumps(sarif, ensure_ascii=False)
    assert "informationUri" not in text and "helpUri" not in text
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"DUTY001", "SCH004"}
    for r in rules:
        assert r["id"] in r["help"]["text"] and r["help"]["markdown"].startswith("**")
    [duty] = [r for r in rules if r["id"] == "DUTY001"]
    assert "严重程度: 错误" in duty["help"]["text"]
    assert "```yaml" in duty["help"]["markdown"]


def test_explain_text_is_the_library_text() -> None:
    from typer.testing import CliRunner

    from planctl.cli import app
    from planctl.explain import explain_text
    from planctl.rules import registry

    out = CliRunner().invoke(app, ["explain", "DUTY001", "--lang", "zh"]).output
    assert out.rstrip("\n") == explain_text(registry.get("DUTY001"), "zh")
    assert "严重程度: 错误" in out and "severity: error" not in out
