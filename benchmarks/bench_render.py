"""Benchmark: `planctl render` of one plan next to pandoc, whole processes, and where the time goes.

What a user runs: ``planctl render PLAN -o DIR`` as a process (start-up, imports,
validation, flow charts, DOCX, integrity record, atomic write) next to ``pandoc``
converting planctl's Markdown export of the same plan to DOCX, both with bytecode
as pip installs it, min of REPEAT paired rounds, wall and CPU time (user+sys, the
steadier figure on a shared machine). Then the steps of one render in process,
warm, so the gap can be read: what is start-up and what is work.

    python benchmarks/bench_render.py [PLAN=sample-plans/zhuozhang-water-pollution.yaml] [REPEAT=5]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from national import (  # noqa: E402
    ROOT,
    Series,
    compile_like_pip,
    render_vs_pandoc,
    run,
    user_env,
)


def whole_process(plan_path: Path, repeat: int, out: Path) -> None:
    env = user_env()
    compile_like_pip([])
    print(f"plan: {plan_path.name}, whole processes, min of {repeat}")
    render_vs_pandoc(plan_path, repeat, env, out)
    floor = Series("python -c pass")
    imports = Series("python: import what a render imports")
    code = (
        "import planctl.cli, planctl.render.api, planctl.render.docx, planctl.render.figure.charts, "
        "planctl.render.figure.emf, planctl.check, planctl.integrity"
    )
    for _ in range(repeat):
        floor.add(run([sys.executable, "-c", "pass"], env=env))
        imports.add(run([sys.executable, "-c", code], env=env))
    for x in (floor, imports):
        print(f"{x.name:<40}{x.cpu:>8.3f} s cpu")


def in_process(plan_path: Path, repeat: int) -> None:
    from timing import best

    from planctl.check import check_document
    from planctl.integrity import stamp_parts
    from planctl.loader import load_file
    from planctl.render.api import document_figures
    from planctl.render.content import build
    from planctl.render.docx import render_docx_parts, zip_parts
    from planctl.rules import Options

    opts = Options(today=date(2026, 11, 28))
    doc = load_file(plan_path)
    figures = document_figures(doc.data)
    content = build(doc.data, draft=True, figure=figures)
    order, parts = render_docx_parts(content)
    steps = [
        ("load (YAML with marks)", lambda: load_file(plan_path)),
        ("check (schema and every rule)", lambda: check_document(load_file(plan_path), opts)),
        ("flow charts (layout and EMF)", lambda: document_figures(doc.data)),
        ("content (house-style text)", lambda: build(doc.data, draft=True, figure=figures)),
        ("DOCX parts", lambda: render_docx_parts(content)),
        (
            "integrity record and zip",
            lambda: stamp_parts(list(order), dict(parts), plan_digest="0" * 64, final=False),
        ),
        ("  of which the zip alone", lambda: zip_parts(order, parts)),
    ]
    print(f"\nsteps of one render in process, warm (best of {repeat}; load includes in check)")
    for name, fn in steps:
        print(f"{name:<40}{best(fn, repeat) * 1000:>8.1f} ms")


def main() -> None:
    plan_path = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml"
    )
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with tempfile.TemporaryDirectory(prefix="planctl-bench-render-") as tmp:
        t0 = time.perf_counter()
        whole_process(plan_path, repeat, Path(tmp))
        in_process(plan_path, repeat)
        print(f"\n(benchmark took {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
