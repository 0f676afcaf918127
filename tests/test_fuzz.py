"""Fuzzing: mutated sample plans never crash planctl, and every finding is located.

The default run is short so the suite stays fast; PLANCTL_FUZZ_EXAMPLES raises
it, and benchmarks/fuzz.py runs 10,000 cases and reports.
"""

from __future__ import annotations

import os
import random
import signal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planctl.check import validate
from planctl.examples import base_text
from planctl.loader import load_file, load_text

from .conftest import TODAY, sample_plans
from .fuzzing import dump, mutate_data, mutate_text

EXAMPLES = int(os.environ.get("PLANCTL_FUZZ_EXAMPLES", "60"))
CORPUS = [base_text()] + [p.read_text("utf-8") for p in sample_plans()]
DATA = [load_text(t).data for t in CORPUS]


class Hang(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - only on a hang
    raise Hang()


def check_no_crash(text: str) -> None:
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(20)  # a hang, not a speed target: speed is in benchmarks/
    try:
        findings = validate(load_text(text, "fuzz.yaml"), today=TODAY)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    for f in findings:
        assert f.code != "INT001", f.text("en")
        assert f.file == "fuzz.yaml" and f.line >= 1 and f.col >= 1
        assert f.text("zh") and f.text("en")


common = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


@common
@given(
    seed=st.integers(0, 2**32 - 1), which=st.integers(0, len(CORPUS) - 1), steps=st.integers(1, 6)
)
def test_structural_mutations(seed: int, which: int, steps: int) -> None:
    check_no_crash(dump(mutate_data(DATA[which], random.Random(seed), steps)))


@common
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, len(CORPUS) - 1))
def test_textual_mutations(seed: int, which: int) -> None:
    check_no_crash(mutate_text(CORPUS[which], random.Random(seed)))


@common
@given(text=st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    check_no_crash(text)


@pytest.mark.parametrize("path", sample_plans(), ids=lambda p: p.stem)
def test_every_single_deletion_of_a_sample_is_handled(path) -> None:
    """Delete each top-level section and each first list item in turn."""
    data = load_file(path).data
    for key in list(data):
        broken = {k: v for k, v in data.items() if k != key}
        check_no_crash(dump(broken))
