"""The national benchmark: what a user runs, whole processes, against the best-configured peers.

One command generates the national repository (``generate.py``: 2,400 plans, the
first 1,200 of them the national repository) and prints, in one run:

- ``planctl validate`` on 1,200 plans: uncached serial (``-j 1 --no-cache``), both
  cores without cache, cold cache, warm cache, warm with one plan changed; next to
  the CSafeLoader floor (``yaml.load`` of the same files in one process) and
  check-jsonschema with and without its C YAML extension (``ruamel.yaml.clib``);
  every output is compared byte for byte with the uncached serial run;
- peak RSS, summed over the process tree (workers included);
- the cost per added plan at 10 / 100 / 1,200 / 2,400 plans;
- reachability: one plan of 300 duties and 500 rules, 11 -> 301 parties;
- start-up: ``planctl --version`` and ``validate`` of one small plan;
- ``planctl render`` of a sample next to ``pandoc`` on its Markdown export, whole processes;
- ``planctl render`` of the generated repository, ``-j 1`` against ``-j 2``, outputs compared
  byte for byte (``--render-plans N`` cuts the count; default 1,200).

Every figure is the minimum of REPEAT paired runs: in each round every contender
runs once, back to back, so a busy machine slows all of them alike and the
ratios stay meaningful. The load average is printed with the figures.

    python benchmarks/national.py                 # 1,200 plans, 3 rounds
    python benchmarks/national.py --repeat 1 --plans 300 --skip-peers   # a quick look

The peers live in their own virtual environments (see benchmarks/README.md):
``--peer-c`` and ``--peer-py`` name their ``check-jsonschema`` executables.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

TODAY = "2026-11-28"


# --- measuring whole processes -------------------------------------------------------


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, summed."""
    kids = _children()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss_kb(pid)
        stack.extend(kids.get(pid, ()))
    return total


class Run:
    def __init__(self, seconds: float, cpu: float, peak_kb: int, stdout: bytes, code: int) -> None:
        self.seconds, self.cpu, self.peak_kb = seconds, cpu, peak_kb
        self.stdout, self.code = stdout, code


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Wall time, peak summed RSS (sampled every 20 ms), stdout and exit code of one process."""
    out = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # wait4: the CPU time of the process and of its workers (reaped by it), which a
    # busy machine inflates far less than the wall-clock time
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    out.seek(0)
    return Run(seconds, usage.ru_utime + usage.ru_stime, peak, out.read(), code)


class Series:
    """Min of the rounds for one contender, with its peak memory."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.times: list[float] = []
        self.cpus: list[float] = []
        self.peaks: list[int] = []

    def add(self, r: Run) -> Run:
        self.times.append(r.seconds)
        self.cpus.append(r.cpu)
        self.peaks.append(r.peak_kb)
        return r

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def cpu(self) -> float:
        return min(self.cpus)

    @property
    def peak_mb(self) -> float:
        return max(self.peaks) / 1024


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


# --- the repository ------------------------------------------------------------------


def make_repository(base: Path, sizes: list[int]) -> dict[int, Path]:
    """Folders of the first N generated plans for each size, each a repository of its own."""
    import generate

    biggest = max(sizes)
    source = base / "all"
    paths = generate.main(biggest, source)
    out = {}
    for n in sizes:
        folder = base / f"n{n}"
        folder.mkdir()
        for p in paths[:n]:
            shutil.copy(p, folder / p.name)
        # the repository root: the registries every plan uses, listed once in planctl.yaml
        shutil.copytree(source / "registries", folder / "registries")
        (folder / "planctl.yaml").write_text(generate.config_text(), encoding="utf-8")
        out[n] = folder
    return out


def user_env() -> dict[str, str]:
    """The environment a user's processes run in: bytecode written and read, no colour.

    A shell with PYTHONDONTWRITEBYTECODE compiles every module from source in every
    process (~60 ms of start-up); pip compiles at install, so users never pay that.
    """
    env = {**os.environ, "NO_COLOR": "1", "PYTHONHASHSEED": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_like_pip(executables: list[str]) -> None:
    """Byte-compile planctl's sources and each contender's site-packages, as pip does."""
    import compileall
    import sysconfig

    folders = [ROOT / "src", Path(sysconfig.get_paths()["purelib"])]
    for exe in executables:
        # a venv's console script sits in bin/; its packages in lib/pythonX.Y/site-packages
        folders.extend(Path(exe).resolve().parent.parent.glob("lib/python*/site-packages"))
    for folder in folders:
        compileall.compile_dir(str(folder), quiet=2, workers=0)


def planctl(*args: str) -> list[str]:
    return [sys.executable, "-m", "planctl", *args]


def floor_cmd(folder: Path) -> list[str]:
    code = (
        "import sys, yaml, pathlib\n"
        "for p in sorted(pathlib.Path(sys.argv[1]).glob('plan-*.yaml')):\n"
        "    with open(p, encoding='utf-8') as fh:\n"
        "        yaml.load(fh, Loader=yaml.CSafeLoader)\n"
    )
    return [sys.executable, "-c", code, str(folder)]


def peer_cmd(exe: str, schema: Path, folder: Path) -> list[str]:
    files = [str(p) for p in sorted(folder.glob("plan-*.yaml"))]
    return [exe, "--schemafile", str(schema), *files]


# --- sections ------------------------------------------------------------------------


def validate_section(
    repo: Path, schema: Path, repeat: int, peers: dict[str, str], env: dict[str, str]
) -> None:
    n = len(list(repo.glob("plan-*.yaml")))
    args = ["validate", str(repo), "--today", TODAY]
    series = {
        name: Series(name)
        for name in (
            "floor: yaml.load CSafeLoader, one process",
            "planctl -j 1 --no-cache (serial, uncached)",
            "planctl --no-cache (both cores)",
            "planctl, cold cache",
            "planctl, warm cache",
            "planctl, warm cache, one plan changed",
            *peers,
        )
    }
    s = list(series.values())
    cache = repo / ".planctl_cache"
    changed = sorted(repo.glob("plan-*.yaml"))[n // 2]
    original = changed.read_bytes()
    reference: bytes | None = None
    for round_ in range(repeat):
        s[0].add(run(floor_cmd(repo), env=env))
        serial = s[1].add(run(planctl(*args, "-j", "1", "--no-cache"), env=env))
        if reference is None:
            reference = serial.stdout
        outputs = [serial.stdout]
        outputs.append(s[2].add(run(planctl(*args, "--no-cache"), env=env)).stdout)
        shutil.rmtree(cache, ignore_errors=True)
        outputs.append(s[3].add(run(planctl(*args), env=env)).stdout)
        outputs.append(s[4].add(run(planctl(*args), env=env)).stdout)
        changed.write_bytes(original + f"\n# round {round_}\n".encode())
        try:
            # a comment added: the findings, and so the output, are the serial run's
            outputs.append(s[5].add(run(planctl(*args), env=env)).stdout)
        finally:
            changed.write_bytes(original)
        for name, exe in peers.items():
            series[name].add(run(peer_cmd(exe, schema, repo), env=env))
        for i, o in enumerate(outputs):
            if o != reference:
                raise SystemExit(f"output of '{s[1 + i].name}' differs from the serial run")
    print(f"\n## validate, {n} plans (min of {repeat} paired rounds; outputs byte-identical)")
    floor = s[0].best
    best = min(s[2].best, s[3].best)  # what a user gets on a fresh checkout
    print(
        f"{'run':<46}{'wall s':>8}{'ms/plan':>9}{'x floor':>9}{'cpu s':>8}{'x floor':>9}"
        f"{'peak MB':>9}"
    )
    for x in s:
        print(
            f"{x.name:<46}{x.best:>8.2f}{x.best / n * 1000:>9.1f}"
            f"{x.best / floor:>9.2f}{x.cpu:>8.2f}{x.cpu / s[0].cpu:>9.2f}{x.peak_mb:>9.0f}"
        )
    print(f"planctl (both cores, uncached) / floor, wall: {best / floor:.2f}x   target <= 1.5x")
    print(f"planctl serial / floor, cpu: {s[1].cpu / s[0].cpu:.2f}x")
    for name in peers:
        peer = series[name]
        target = "0.15" if "C extension" in name else "0.1"
        print(
            f"planctl / {name}: wall {best / peer.best:.2f}x, serial cpu "
            f"{s[1].cpu / peer.cpu:.2f}x   target <= {target}x"
        )
    print(
        f"warm cache, one plan changed / cold: wall {s[5].best / s[3].best:.2f}x, "
        f"cpu {s[5].cpu / s[3].cpu:.2f}x   target <= 0.1x"
    )
    print(f"both cores / serial, wall: {s[2].best / s[1].best:.2f}x")


def scaling_section(repos: dict[int, Path], repeat: int, env: dict[str, str]) -> None:
    print(f"\n## cost per added plan (--no-cache, default jobs; min of {repeat})")
    times: dict[int, Series] = {n: Series(str(n)) for n in repos}
    for _ in range(repeat):
        for n, folder in repos.items():
            times[n].add(
                run(planctl("validate", str(folder), "--today", TODAY, "--no-cache"), env=env)
            )
    print(
        f"{'plans':>7}{'wall s':>8}{'ms/plan':>9}{'cpu s':>8}{'cpu ms/added plan':>19}"
        f"{'peak MB':>9}"
    )
    prev: tuple[int, float] | None = None
    added: dict[int, float] = {}
    for n, x in times.items():
        extra = ""
        if prev is not None:
            # CPU time (workers included): the wall clock of a shared machine is noise
            added[n] = (x.cpu - prev[1]) / (n - prev[0]) * 1000
            extra = f"{added[n]:.1f}"
        print(
            f"{n:>7}{x.best:>8.2f}{x.best / n * 1000:>9.1f}{x.cpu:>8.2f}{extra:>19}"
            f"{x.peak_mb:>9.0f}"
        )
        prev = (n, x.cpu)
    sizes = sorted(added)
    if len(sizes) >= 2:
        first, last = added[sizes[0]], added[sizes[-1]]
        print(f"added-plan cost at {sizes[-1]} / at {sizes[0]}: {last / first:.2f}   target <= 1.2")


def reach_section(repeat: int) -> None:
    from bench_reach import scaled
    from timing import best

    from planctl.check import check_document
    from planctl.examples import render
    from planctl.loader import load_text
    from planctl.rules import Options

    print(f"\n## reachability: one plan, 300 duties, 500 rules (in process, min of {repeat})")
    print(f"{'parties':>8}{'whole check s':>15}{'x prev':>8}")
    options = Options()
    prev = None
    for n in (11, 76, 151, 301):
        doc = load_text(render(scaled(n)), f"scaled-{n}.yaml")
        t = best(lambda d=doc: check_document(d, options), repeat)
        print(f"{n:>8}{t:>15.3f}{(f'{t / prev:.1f}x' if prev else '-'):>8}")
        prev = t
    print("target: 301 parties <= 1.5 s, no worse than quadratic (x4 per doubling)")


def startup_section(repeat: int, env: dict[str, str], tmp: Path) -> None:
    from planctl.examples import base_text

    small = tmp / "small.yaml"
    small.write_text(base_text(), encoding="utf-8")
    rows = {
        "python -c pass (the floor)": [sys.executable, "-c", "pass"],
        "planctl --version": planctl("--version"),
        "planctl validate one small plan": planctl(
            "validate", str(small), "--today", TODAY, "--no-cache"
        ),
    }
    series = {name: Series(name) for name in rows}
    for _ in range(repeat):
        for name, cmd in rows.items():
            series[name].add(run(cmd, cwd=tmp, env=env))
    print(f"\n## start-up (whole process, min of {repeat})")
    for name, x in series.items():
        print(f"{name:<40}{x.best:>8.3f} s wall{x.cpu:>8.3f} s cpu{x.peak_mb:>7.0f} MB")
    print("targets: --version <= 0.08 s, one small plan <= 0.2 s")


def render_section(repeat: int, env: dict[str, str], tmp: Path, plans: int) -> None:
    render_sample_section(repeat, env, tmp)
    if plans > 0:
        render_national_section(repeat, env, tmp, plans)


def render_sample_section(repeat: int, env: dict[str, str], tmp: Path) -> None:
    """One sample to DOCX, whole process, next to pandoc on planctl's Markdown export of it."""
    print(f"\n## render one sample, whole process (min of {repeat})")
    render_vs_pandoc(ROOT / "sample-plans" / "zhuozhang-water-pollution.yaml", repeat, env, tmp)


def render_vs_pandoc(plan: Path, repeat: int, env: dict[str, str], tmp: Path) -> None:
    """``planctl render PLAN`` and pandoc on its Markdown export, paired rounds, with the ratios.

    Three honest cases, in a git repository of their own (as plan repositories
    are; the cache's trust check asks git). Cold: ``--no-cache``, the plan is
    checked before it is written (a first render). Just edited: default flags,
    the plan changed since the last run, so the check runs and its cache entry
    is written. After validate: the plan was validated (as CI does before
    rendering), so render reuses that result and runs no rule.
    """
    pandoc = shutil.which("pandoc")
    repo = tmp / "render-one"
    (repo / "plans").mkdir(parents=True)
    (repo / "planctl.yaml").write_text("fail_on: error\n", encoding="utf-8")
    plan = Path(shutil.copy(plan, repo / "plans" / plan.name))
    text = plan.read_text(encoding="utf-8")
    if shutil.which("git"):
        for cmd in (["init", "-q"], ["add", "."]):
            subprocess.run(["git", "-C", str(repo), *cmd], check=True, capture_output=True)
    md_dir = tmp / "md"
    subprocess.run(
        planctl(
            "render", str(plan), "-o", str(md_dir), "-f", "md", "--today", TODAY, "--no-progress"
        ),
        env=env,
        check=True,
        capture_output=True,
        cwd=repo,
    )
    md = next(md_dir.glob("*.md"))
    cold = Series("planctl render --no-cache")
    edited = Series("planctl render, plan just edited")
    warm = Series("planctl render, after validate")
    theirs = Series("pandoc (Markdown -> DOCX)")
    for i in range(repeat):
        args = ["--today", TODAY, "--no-progress", "--force"]
        cold.add(
            run(
                planctl("render", str(plan), "-o", str(tmp / f"cold-{i}"), *args, "--no-cache"),
                cwd=repo,
                env=env,
            )
        )
        plan.write_text(f"{text}\n# 修订 {i}\n", encoding="utf-8")  # a comment: same document
        edited.add(
            run(
                planctl("render", str(plan), "-o", str(tmp / f"edited-{i}"), *args),
                cwd=repo,
                env=env,
            )
        )
        # the result render reuses: validate's, under the same settings
        checked = subprocess.run(
            planctl("validate", str(plan), "--today", TODAY), env=env, cwd=repo, capture_output=True
        )
        if checked.returncode not in (0, 1):
            raise SystemExit(f"validate failed: {checked.stderr.decode(errors='replace')}")
        warm.add(
            run(
                planctl("render", str(plan), "-o", str(tmp / f"warm-{i}"), *args), cwd=repo, env=env
            )
        )
        if pandoc:
            theirs.add(run([pandoc, str(md), "-o", str(tmp / f"p{i}.docx")], cwd=md_dir, env=env))
    same = _written(tmp / "cold-0") == _written(tmp / "warm-0") == _written(tmp / "edited-0")
    entries = len(list((repo / ".planctl_cache").rglob("*.json")))
    for series in (cold, edited, warm, *((theirs,) if pandoc else ())):
        print(f"{series.name:<32}{series.best:>8.3f} s wall{series.cpu:>8.3f} s cpu")
    print(f"cold, edited and cached renders byte-identical: {'yes' if same else 'NO'}")
    print(f"cache entries for the plan: {entries} (one: the edited plan's latest)")
    if pandoc:
        for series in (cold, edited, warm):
            print(
                f"{series.name} / pandoc: wall {series.best / theirs.best:.2f}x, "
                f"cpu {series.cpu / theirs.cpu:.2f}x   target <= 1.0x"
            )
    else:
        print("pandoc is not installed: no ratio (apt-get install pandoc)")


def _written(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def render_national_section(repeat: int, env: dict[str, str], tmp: Path, plans: int) -> None:
    """The generated repository rendered serially and with -j 2, outputs compared byte for byte."""
    base = tmp / "render-repository"
    base.mkdir()
    repo = make_repository(base, [plans])[plans]
    serial, pooled = Series("planctl render -j 1 (serial)"), Series("planctl render -j 2")
    for i in range(repeat):
        outs = []
        for series, jobs in ((serial, "1"), (pooled, "2")):
            out = tmp / f"render-{jobs}-{i}"
            r = series.add(
                run(
                    planctl(
                        "render",
                        str(repo),
                        "-o",
                        str(out),
                        "-j",
                        jobs,
                        "--today",
                        TODAY,
                        "--no-progress",
                    ),
                    env=env,
                )
            )
            if r.code not in (0, 1):
                raise SystemExit(f"render -j {jobs} failed with exit code {r.code}")
            outs.append((r.stdout.replace(str(out).encode(), b"OUT"), _written(out)))
            shutil.rmtree(out)
        if outs[0] != outs[1]:
            raise SystemExit("render -j 2 wrote other files or output than render -j 1")
    print(
        f"\n## render the generated repository, {plans} plans, whole processes "
        f"(min of {repeat}; outputs byte-identical)"
    )
    print(f"{'run':<32}{'wall s':>8}{'ms/plan':>9}{'cpu s':>8}{'peak MB':>9}")
    for x in (serial, pooled):
        print(
            f"{x.name:<32}{x.best:>8.2f}{x.best / plans * 1000:>9.1f}{x.cpu:>8.2f}{x.peak_mb:>9.0f}"
        )
    print(f"-j 2 / serial, wall: {pooled.best / serial.best:.2f}x   target <= 0.6x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plans", type=int, default=1200, help="the national repository's size")
    ap.add_argument("--sizes", default="10,100,1200,2400", help="sizes for the per-plan cost")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--peer-c", default=os.environ.get("PEER_C", "/tmp/bench-cjs-c/bin/check-jsonschema")
    )
    ap.add_argument(
        "--peer-py", default=os.environ.get("PEER_PY", "/tmp/bench-cjs-py/bin/check-jsonschema")
    )
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--only", default="validate,scaling,reach,startup,render")
    ap.add_argument(
        "--render-plans",
        type=int,
        default=1200,
        help="plans of the generated repository to render serially and with -j 2 "
        "(default 1,200, as in the issue: ~4 min a round on 2 cores; 0 skips it)",
    )
    a = ap.parse_args()
    only = set(a.only.split(","))
    sizes = sorted({int(x) for x in a.sizes.split(",")} | {a.plans})
    peers = {}
    if not a.skip_peers:
        for name, exe in (
            ("check-jsonschema with C extension", a.peer_c),
            ("check-jsonschema, pure Python", a.peer_py),
        ):
            if shutil.which(exe):
                peers[name] = exe
            else:
                print(f"(no {name}: {exe} not found; see benchmarks/README.md)")
    env = user_env()
    compile_like_pip(list(peers.values()))
    print("# planctl national benchmark")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {load()}")
    with tempfile.TemporaryDirectory(prefix="planctl-national-") as t:
        tmp = Path(t)
        if only & {"validate", "scaling"}:
            repos = make_repository(tmp, sizes)
            schema = tmp / "plan.bundled.schema.json"
            schema.write_bytes(
                subprocess.run(planctl("schema"), check=True, capture_output=True, env=env).stdout
            )
            if "validate" in only:
                validate_section(repos[a.plans], schema, a.repeat, peers, env)
            if "scaling" in only:
                scaling_section({n: repos[n] for n in sorted(set(sizes))}, a.repeat, env)
        if "reach" in only:
            reach_section(a.repeat)
        if "startup" in only:
            startup_section(max(a.repeat, 5), env, tmp)
        if "render" in only:
            render_section(a.repeat, env, tmp, a.render_plans)
    print(f"\nend: {load()}")


if __name__ == "__main__":
    main()
