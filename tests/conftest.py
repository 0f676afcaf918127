from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = ROOT / "sample-plans"
TODAY = "2026-11-28"  # the date the sample plans and fixtures were written against


@pytest.fixture(autouse=True)
def _stable_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Messages default to the locale; tests choose explicitly.
    for var in ("PLANCTL_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE", "FORCE_COLOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def sample_plans() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*.yaml") if p.name != "planctl.yaml")


@pytest.fixture
def base_text() -> str:
    from planctl.examples import base_text as text

    return text()


def pytest_report_header(config: pytest.Config) -> str:
    import planctl

    return f"planctl {planctl.__version__} from {Path(planctl.__file__).parent}"


os.environ.setdefault("PYTHONIOENCODING", "utf-8")
