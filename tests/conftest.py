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


CLEAN = FIXTURES / "clean"


def clean_plans() -> list[Path]:
    """The samples and the clean fixtures: plans written independently of planctl's authors
    (tests/fixtures/clean/, names not all confirmed, so not samples) that must validate clean
    and read well too."""
    return sample_plans() + sorted(CLEAN.glob("*.yaml"))


@pytest.fixture
def base_text() -> str:
    from planctl.examples import base_text as text

    return text()


def pytest_report_header(config: pytest.Config) -> str:
    import planctl

    return f"planctl {planctl.__version__} from {Path(planctl.__file__).parent}"


os.environ.setdefault("PYTHONIOENCODING", "utf-8")


def soffice() -> str | None:
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: Path, workdir: Path) -> Path:
    """Open a DOCX in LibreOffice (its own profile, headless) and return the PDF it wrote."""
    import subprocess

    office = soffice()
    assert office, "CI must install LibreOffice (see .ci/run)"
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{workdir}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return workdir / (docx.stem + ".pdf")
