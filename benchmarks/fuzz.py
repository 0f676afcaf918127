"""The long fuzz run: N mutated plans (default 10,000), zero tracebacks expected.

Mutates the sample plans and the example base plan structurally and
textually (tests/fuzzing.py), validates each, and counts: cases, findings by
layer, internal errors, unlocated findings, and the slowest case. With
``--render K`` every K-th case is also rendered to a draft DOCX (a refusal is
an answer, a traceback is not) and the DOCX verified against its plan: it must
be unchanged and match.

    python benchmarks/fuzz.py [N=10000] [SEED=1] [--render K]
"""

from __future__ import annotations

import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzzing import HOSTILE_NAMES, dump, mutate_data, mutate_text  # noqa: E402

from planctl.check import validate  # noqa: E402
from planctl.examples import base_text  # noqa: E402
from planctl.loader import load_text  # noqa: E402


def output_all_formats(text: str, name: bytes) -> None:
    """Write ``text`` under a hostile name, check the folder, render every format as UTF-8."""
    import os
    import tempfile

    from planctl.check import UsageError, check_paths
    from planctl.output import FORMATTERS, OutputContext, format_report

    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(os.fsencode(tmp), name), "wb") as fh:
            fh.write(text.encode("utf-8", "surrogatepass"))
        try:
            report = check_paths([tmp])
        except UsageError:
            return  # e.g. a name the file system refused: a clear message, not a crash
        for fmt in FORMATTERS:
            out = format_report(fmt, report, OutputContext(lang="zh"))
            out.encode("utf-8")  # strict: a lone surrogate here would crash a UTF-8 stdout


def render_and_verify(text: str) -> str:
    """Render ``text`` as a draft DOCX and verify it: "refused", "rendered", or raise."""
    import tempfile

    from planctl.render.api import RenderRefused, render_file, verify

    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "fuzz.yaml"
        plan.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            done = render_file(plan, Path(tmp) / "out", with_figure=False)
        except RenderRefused:
            return "refused"
        v = verify(done.output, plan)
        if not v.unchanged or v.plan_matches is False:
            raise AssertionError(f"fresh render does not verify: {v.changes or v.plan_changes}")
        return "rendered"


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", nargs="?", type=int, default=10_000, help="number of cases")
    ap.add_argument("seed", nargs="?", type=int, default=1, help="random seed")
    ap.add_argument(
        "--render",
        type=int,
        default=0,
        metavar="K",
        help="also render and verify every K-th case (0: never; rendering is slow)",
    )
    args = ap.parse_args(argv)
    n = args.n
    rng = random.Random(args.seed)
    renders: Counter[str] = Counter()
    corpus = [base_text()] + [
        p.read_text("utf-8") for p in sorted((ROOT / "sample-plans").glob("*.yaml"))
    ]
    data = [load_text(t).data for t in corpus]
    codes: Counter[str] = Counter()
    crashes = unlocated = internal = 0
    slowest = (0.0, "")
    t_start = time.perf_counter()
    for i in range(n):
        k = rng.randrange(len(corpus))
        if rng.random() < 0.5:
            text = dump(mutate_data(data[k], rng, rng.randint(1, 6)))
        else:
            text = mutate_text(corpus[k], rng)
        t0 = time.perf_counter()
        try:
            findings = validate(load_text(text, "fuzz.yaml"), today="2026-11-28")
        except Exception:
            crashes += 1
            if crashes <= 5:
                traceback.print_exc()
            continue
        if i % 50 == 0:  # a hostile file name through discovery and every output format
            try:
                output_all_formats(text, HOSTILE_NAMES[(i // 50) % len(HOSTILE_NAMES)])
            except Exception:
                crashes += 1
                if crashes <= 5:
                    traceback.print_exc()
                continue
        if args.render and i % args.render == 0:
            try:
                renders[render_and_verify(text)] += 1
            except Exception:
                crashes += 1
                if crashes <= 5:
                    traceback.print_exc()
                continue
        dt = time.perf_counter() - t0
        if dt > slowest[0]:
            slowest = (dt, f"case {i}")
        for f in findings:
            codes[f.code[:3]] += 1
            internal += f.code == "INT001"
            unlocated += not (f.file and f.line >= 1 and f.col >= 1)
        if (i + 1) % 1000 == 0:
            print(f"{i + 1} cases, {crashes} tracebacks, {internal} internal errors", flush=True)
    total = time.perf_counter() - t_start
    print(
        f"cases: {n}  tracebacks: {crashes}  internal errors (INT001): {internal}  unlocated findings: {unlocated}"
    )
    print(f"findings by family: {dict(sorted(codes.items()))}")
    if args.render:
        print(f"render and verify: {dict(sorted(renders.items()))}")
    print(f"time: {total:.1f} s total, slowest case {slowest[0] * 1000:.0f} ms ({slowest[1]})")
    return 1 if crashes or internal or unlocated else 0


if __name__ == "__main__":
    sys.exit(main())
