"""Benchmark: `planctl render` next to pandoc converting the same content to DOCX.

planctl renders a sample plan to DOCX (GB/T 9704 layout, matrices, figure);
pandoc converts planctl's Markdown export of the same plan to DOCX. Both in
one run, best of REPEAT, with the ratio. Then renders every sample plan with
a progress bar, as a repository keeper would.

    python benchmarks/bench_render.py [PLAN=sample-plans/zhuozhang-water-pollution.yaml] [REPEAT=5]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).parent))
from timing import best

from planctl.loader import load_file
from planctl.model import Plan
from planctl.render.api import render_file
from planctl.render.content import build
from planctl.render.docx import render_docx
from planctl.render.markdown import render_markdown
from planctl.rules import Options

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    plan_path = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml"
    )
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    opts = Options(today=date(2026, 11, 28))
    data = load_file(plan_path).data
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t_planctl = best(
            lambda: render_file(plan_path, out / "a", options=opts, force=True), repeat
        )
        try:
            from planctl.render.figure import flow_charts

            t_figure = best(lambda: flow_charts(Plan(data), max_height_mm=150), repeat)
        except ImportError:
            t_figure = float("nan")
        content = build(data, draft=True)
        t_docx_only = best(lambda: render_docx(content), repeat)
        md = out / "plan.md"
        md.write_text(render_markdown(content), encoding="utf-8")
        pandoc = shutil.which("pandoc")
        print(
            f"plan: {plan_path.name} ({plan_path.stat().st_size / 1024:.0f} KB), best of {repeat}"
        )
        print(f"{'step':<52}{'seconds':>10}")
        print(f"{'planctl render (validate + content + figure + DOCX)':<52}{t_planctl:>10.3f}")
        print(f"{'  of which the flow figure':<52}{t_figure:>10.3f}")
        print(f"{'  of which content → DOCX only':<52}{t_docx_only:>10.3f}")
        if pandoc:
            t_pandoc = best(
                lambda: subprocess.run(
                    [pandoc, str(md), "-o", str(out / "pandoc.docx")], check=True
                ),
                repeat,
            )
            print(f"{'pandoc: Markdown export → DOCX':<52}{t_pandoc:>10.3f}")
            print(f"ratio planctl render (end to end) / pandoc: {t_planctl / t_pandoc:.2f}x")
            print(f"ratio planctl content → DOCX / pandoc:      {t_docx_only / t_pandoc:.2f}x")
        else:
            print("pandoc not installed (apt-get install pandoc); no ratio")

        samples = sorted((ROOT / "sample-plans").glob("*.yaml"))
        t0 = time.perf_counter()
        with Progress() as bar:
            task = bar.add_task("rendering sample plans", total=len(samples))
            for p in samples:
                render_file(p, out / "all", options=opts, force=True)
                bar.advance(task)
        print(f"rendered {len(samples)} sample plans in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
