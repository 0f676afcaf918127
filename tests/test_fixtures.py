"""Each broken fixture reports its code at the expected line, and never crashes."""

from __future__ import annotations

import pytest
import yaml

from planctl.check import check_paths
from planctl.rules import Options

from .conftest import FIXTURES, TODAY

EXPECTED = yaml.safe_load((FIXTURES / "broken" / "expected.yaml").read_text("utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_reports_code_at_line(name: str) -> None:
    from datetime import date

    report = check_paths([FIXTURES / "broken" / name], Options(today=date.fromisoformat(TODAY)))
    got = {(f.code, f.line) for f in report.findings}
    for entry in EXPECTED[name]:
        code, line = entry.split("@")
        assert (code, int(line)) in got, f"{name}: expected {entry}, got {sorted(got)}"
    assert "INT001" not in {f.code for f in report.findings}
    for f in report.findings:
        assert f.file and f.line >= 1 and f.col >= 1
        assert f.text("zh") and f.text("en")
