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


def chart_digest_in_fresh_process(path: Path, chart_bytes: str) -> str:
    """sha256 of the flow charts of ``path`` drawn by another process under another hash
    seed; ``chart_bytes`` is the expression giving a chart ``c``'s bytes (``c.emf``)."""
    import os
    import subprocess
    import sys

    code = (
        "import hashlib, sys; from planctl.loader import load_file; from planctl.model import Plan; "
        "from planctl.render.figure import flow_charts; "
        f"cs = flow_charts(Plan(load_file({str(path)!r}).data)); "
        f"sys.stdout.write(hashlib.sha256(b''.join({chart_bytes} for c in cs)).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242", "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout
