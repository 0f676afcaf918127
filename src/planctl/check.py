"""The validation engine: YAML, then schema, then rules, per file.

Rules only run on a file whose YAML and schema layers are clean: a rule may
rely on the shape the schema promises, and a plan with a missing section
would otherwise produce a cascade of confusing follow-up findings. The report
says when rules were skipped, so nobody mistakes "no rule findings" for clean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from planctl import profiles, schema
from planctl.config import CONFIG_NAMES, Config, notice_margin_minutes
from planctl.discover import UsageError, discover
from planctl.findings import FileResult, Finding, Report, display_path, lines_for, source_line
from planctl.loader import MAX_BYTES, Document, load_bytes, load_file, load_text, read_plan_bytes
from planctl.model import Plan
from planctl.placeholders import without_placeholders
from planctl.plugins import canonical
from planctl.rules import Context, Options, registry
from planctl.textscan import all_text

_SUPPRESS = re.compile(
    r"#\s*planctl:\s*ignore\s*\[?\s*([A-Za-z]+(?:-[A-Za-z]+)?\d+"
    r"(?:\s*[, ]\s*[A-Za-z]+(?:-[A-Za-z]+)?\d+)*)\s*\]?"
    r"(?:\s*(?:--|—|:|：)?\s*(\S.*?))?\s*$"
)


def _profile(plan: Plan, options: Options) -> profiles.Profile:
    wanted = options.profile or plan.metadata.get("legal_profile") or "national"
    try:
        return profiles.get(wanted)
    except profiles.UnknownProfile:
        return profiles.get("national")


def run_rules(doc: Document, options: Options, config: Config) -> list[Finding]:
    """Run every enabled plan rule; a crashing rule becomes an INT001 finding.

    Rules see the plan with ``【待填：…】`` values absent (unknown, not wrong);
    only rules that look at text as text (``sees_placeholders``) see them.
    """
    from planctl.rules.text import remember_text

    full = Plan(doc.data)
    # one join of every string clears most plans of markers (and of the text rules' work)
    text = all_text(doc.data)
    known = without_placeholders(doc.data) if "待填" in text else doc.data
    plan = full if known is doc.data else Plan(known)
    ctx = Context(doc=doc, plan=plan, profile=_profile(full, options), options=options)
    remember_text(ctx, doc.data, text)
    raw_ctx = ctx if plan is full else replace(ctx, plan=full, cache={})
    out: list[Finding] = []
    for rule in registry.plan_rules():
        if not config.enabled(rule.code):
            continue
        try:
            use = raw_ctx if getattr(rule, "sees_placeholders", False) else ctx
            for problem in rule.check_fn(use):  # type: ignore[misc]
                out.append(rule.locate(ctx, problem))
        except Exception as exc:
            if options.debug:
                raise
            if plan is not full and getattr(rule, "sees_placeholders", False) is False:
                # the rule needed a value still marked 【待填】: it cannot judge yet
                continue
            out.append(
                registry.get("INT001").finding(
                    file=doc.path,
                    line=1,
                    col=1,
                    params={"rule": rule.code, "error": f"{type(exc).__name__}: {exc}"},
                )
            )
    return out


def configured(doc: Document, findings: list[Finding], config: Config) -> list[Finding]:
    """What the user's settings leave of a file's findings, however they were found.

    The configuration's select/ignore and severity overrides, then the file's
    ``# planctl: ignore CODE -- reason`` comments: plans, registries and the
    cross-plan pass all go through here, so a setting means the same everywhere.
    """
    findings = [f for f in findings if config.enabled(f.code)]
    findings = [
        replace(f, severity=config.severity[f.code]) if f.code in config.severity else f
        for f in findings
    ]
    if doc.lines:
        findings = _suppressions(doc, findings)
    return findings


def _suppressions(doc: Document, findings: list[Finding]) -> list[Finding]:
    """Apply ``# planctl: ignore CODE -- reason`` comments on a finding's line."""
    out: list[Finding] = []
    unreasoned: set[int] = set()
    for f in findings:
        line = source_line(doc.lines, f.line) or ""
        m = _SUPPRESS.search(line) if "planctl:" in line else None
        if m and doc.data is not None and f.json_path:
            end = doc.source.end(f.json_path)
            if end is not None and end.line == f.line and m.start() < end.col - 1:
                m = None  # the "comment" is inside the value itself, not a YAML comment
        if m:
            # a renamed rule's old code still silences it
            codes = {canonical(c) for c in m.group(1).replace(",", " ").split()}
            if f.code in codes:
                if m.group(2) and m.group(2).strip():
                    continue
                unreasoned.add(f.line)
        out.append(f)
    for line_no in sorted(unreasoned):
        m = _SUPPRESS.search(source_line(doc.lines, line_no) or "")
        assert m is not None
        out.append(
            registry.get("SUP001").finding(
                file=doc.path,
                line=line_no,
                col=m.start() + 1,
                params={"codes": m.group(1).strip()},
            )
        )
    return out


def load_findings(doc: Document) -> list[Finding]:
    """The loader's plain error (if any) as a located finding of its YAML rule.

    The loader reports a :class:`~planctl.loader.LoadError` and knows no rules;
    turning it into a bilingual finding happens here, in the engine.
    """
    err = doc.error
    if err is None:
        return []
    rule = registry.get(err.code)
    return [
        rule.finding(file=doc.path, line=err.line, col=err.col, json_path=(), params=err.params)
    ]


def check_document(
    doc: Document, options: Options | None = None, config: Config | None = None
) -> FileResult:
    options = options or Options()
    config = config or Config()
    findings = load_findings(doc)
    rules_run = False
    if doc.data is not None:
        from planctl.registry import annotate, resolve

        findings += resolve(doc, config)  # entries a plan uses from shared registries
        findings += schema.check(doc)
        if not findings:
            findings += run_rules(doc, options, config)
            rules_run = True
        findings = annotate(doc, findings)
    findings = configured(doc, findings, config)
    # resolved once per file, not per finding (58,000 resolve() calls on a national run)
    shown = {str(doc.path): display_path(doc.path)}
    findings = [replace(f, file=_shown(shown, f.file)) for f in findings]
    findings.sort(key=Finding.sort_key)
    # only the lines findings point at are kept (the report outlives the document), and
    # the lines with a suppression comment: cross-plan findings come later and honour them
    kept = lines_for(findings, doc.lines)
    if rules_run:
        kept.update(_comment_lines(doc.lines))
    return FileResult(shown[str(doc.path)], findings, rules_run, kept)


def _comment_lines(lines: list[str]) -> dict[int, str]:
    """The lines holding ``planctl:`` (the marker, suppression comments), by number.

    Found in the joined text rather than by a test per line: a plan has ~1,000
    lines and a handful of these. (Lines from ``splitlines`` hold no line break,
    so the breaks joined in count the lines.)
    """
    text = "\n".join(lines)
    out: dict[int, str] = {}
    line, counted = 1, 0
    at = text.find("planctl:")
    while at >= 0:
        line += text.count("\n", counted, at)
        counted = at
        out[line] = lines[line - 1]
        at = text.find("planctl:", at + 1)
    return out


def _shown(memo: dict[str, str], file: str | Path) -> str:
    key = str(file)
    if key not in memo:
        memo[key] = display_path(file)
    return memo[key]


#: the top-level sections of a plan; a file with two of them and no ``planctl:`` is a
#: plan that lacks or misspells its marker, not a foreign file (Kubernetes manifests
#: have ``metadata`` alone, so one is not enough)
PLAN_SECTIONS = frozenset(
    (
        "metadata",
        "parties",
        "geography",
        "levels",
        "notifications",
        "command",
        "duties",
        "resources",
        "mutual_aid",
        "maintenance",
    )
)
SKIP_REASONS = {
    "config": {
        "zh": "仓库配置文件，不是预案",
        "en": "repository configuration, not a plan",
    },
    "foreign": {
        "zh": "没有 planctl: 键，也不像预案",
        "en": "no planctl: key and nothing plan-like",
    },
    "registry": {
        "zh": "共享登记册，不是预案",
        "en": "shared registry, not a plan",
    },
}


def _top_keys(doc: Document) -> set[str] | None:
    """The top-level keys of a YAML mapping, or None when the file must be checked as is.

    A file the loader refused only for its tags (``!!python/name:`` in mkdocs.yml,
    ``!reference`` in .gitlab-ci.yml) is composed again here without building
    anything, so that such a file can be recognised as foreign. Syntax and encoding
    errors stay findings: unknown input fails loudly.
    """
    if doc.data is not None:
        if isinstance(doc.data, dict):
            return {str(k) for k in doc.data}
        return set()  # a list or a scalar at the top: certainly not a plan
    if doc.error is None or doc.error.code != "YAML004":
        return None
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose("\n".join(doc.lines), Loader=loader_cls)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode):
        return set()
    return {str(k.value) for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def _looks_like_marker(key: str) -> bool:
    """``plantcl``, ``PlanCtl``, ``plan_ctl``: a misspelt ``planctl:`` still marks a plan."""
    import difflib

    norm = re.sub(r"[\s_\-]", "", key.lower())
    return norm == "planctl" or difflib.SequenceMatcher(None, norm, "planctl").ratio() >= 0.8


def recognize(doc: Document) -> str | None:
    """None when ``doc`` is to be checked as a plan, else why it is skipped (SKIP_REASONS).

    Plans carry ``planctl:``; a file with plan sections but a missing or misspelt
    marker is checked (the schema then says what is wrong); a planctl.yaml is
    configuration; any other YAML (CI files, mkdocs.yml, .pre-commit-config.yaml)
    is skipped, because pre-commit and CI hand planctl every YAML file.
    """
    if doc.path.name in CONFIG_NAMES:
        return "config"
    keys = _top_keys(doc)
    if keys is not None and "planctl-registry" in keys:
        return "registry"
    if keys is None or "planctl" in keys:
        return None
    if any(_looks_like_marker(k) for k in keys) or len(keys & PLAN_SECTIONS) >= 2:
        return None
    return "foreign"


def split_plans(files: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Plans to work on, and the files passed over with their SKIP_REASONS key.

    For commands that act on plans (render) rather than report on every file:
    ``planctl render .`` in a repository that also holds mkdocs.yml renders the plans.
    An unreadable file is kept, so the command reports it.
    """
    plans: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path in files:
        try:
            reason = recognize(load_file(path))
        except OSError:
            reason = None
        if reason is None:
            plans.append(path)
        else:
            skipped.append((path, reason))
    return plans, skipped


#: one unit of work: (path, follow links, options, config, strict)
_Job = tuple[Path, bool, Options, Config, bool]


def _check_file(job: _Job) -> tuple[FileResult, bytes | None, list[Path]]:
    """The result, the exact bytes checked (None when over the size limit) and the
    other files the result depends on (shared registries), for the cache."""
    path, follow_links, options, config, strict = job
    target = path.resolve() if follow_links and path.is_symlink() else path
    raw = read_plan_bytes(target, MAX_BYTES)
    doc = load_bytes(raw, path)
    reason = recognize(doc)
    if reason == "registry":
        from planctl.registry import check_registry

        return check_registry(doc, config), raw, []
    if reason is not None:
        findings = []
        if strict:
            findings.append(
                registry.get("FIL001").finding(
                    file=display_path(path),
                    line=1,
                    col=1,
                    params={"reason": SKIP_REASONS[reason]},
                )
            )
        shown = display_path(path)
        return (
            FileResult(shown, findings, False, lines_for(findings, doc.lines), skipped=reason),
            raw,
            [],
        )
    result, deps = _check_plan(doc, options, config)
    return result, raw, deps


def _check_plan(doc: Document, options: Options, config: Config) -> tuple[FileResult, list[Path]]:
    """A plan's result as the cache stores it: findings, cross-plan facts, dependencies."""
    result = check_document(doc, options, config)
    if result.rules_run:
        result.facts = plan_facts(doc)
    return result, dependencies(doc)


def cached_result(doc: Document, raw: bytes | None, cache: Any) -> FileResult | None:
    """The cache's result for exactly these bytes under its settings, or None.

    ``raw`` is the exact bytes ``doc`` was loaded from (the entry is named by them).
    The entry is the one ``validate`` reads and writes, so a render after a
    validate of the same plan under the same settings runs no rule.
    """
    if cache is None or raw is None:
        return None
    found: FileResult | None = cache.get(cache.key(doc.path, raw), doc.path)
    return found


def check_and_store(
    doc: Document, raw: bytes | None, options: Options, config: Config, cache: Any
) -> FileResult:
    """Check a loaded plan; with a cache, store the result under the bytes it was loaded from."""
    if cache is None or raw is None:
        return check_document(doc, options, config)
    result, deps = _check_plan(doc, options, config)
    cache.put(cache.key(doc.path, raw), result, deps)
    return result


def _check_job_and_store(item: tuple[_Job, Any]) -> tuple[FileResult, list[Path]]:
    """One file checked and its cache entry written, where it was checked.

    In a pool that is the worker: entries are written on every core, and the
    file's bytes (hashed for the entry's name) need not travel back to the parent.
    """
    job, cache = item
    result, raw, deps = _check_file(job)
    if cache is not None and raw is not None:
        cache.put(cache.key(job[0], raw), result, deps)
    return result, deps


def plan_facts(doc: Document) -> dict[str, Any] | None:
    """The record cross-plan checks need, from ``planctl.crossplan`` once it exists.

    Hook for the repository pass (issue #13): computed per file (in the worker that
    parsed it) and cached with the findings, so unchanged plans are not parsed again.
    """
    crossplan = _optional("planctl.crossplan")
    facts = getattr(crossplan, "plan_facts", None)
    return facts(doc) if facts is not None else None


def dependencies(doc: Document) -> list[Path]:
    """Files besides the plan that its result depends on (shared registries), for the cache."""
    registry_paths = getattr(_optional("planctl.registry"), "registry_paths", None)
    if registry_paths is None:
        return []
    return [Path(p) for p in registry_paths(doc)]


def _optional(name: str) -> Any:
    """A module another part of planctl adds (cross-plan checks, registries), or None."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _entries_once(results: Iterable[FileResult]) -> Iterator[FileResult]:
    """Each result, a finding on a shared registry entry told in the first plan only
    (:func:`planctl.crossplan.once_per_entry`)."""
    from planctl.crossplan import once_per_entry

    keep = once_per_entry()
    for result in results:
        result.findings = keep(result.findings)
        yield result


def repository_pass(report: Report, config: Config) -> None:
    """Cross-plan checks over every file's facts, after the per-file pass (hook for #13)."""
    apply = getattr(_optional("planctl.crossplan"), "apply_repository", None)
    if apply is None:
        return
    facts = {r.path: r.facts for r in report.files if r.facts is not None}
    apply(report, facts, config)


def iter_results(
    files: list[Path],
    follow: Any,
    options: Options,
    config: Config,
    strict: bool = False,
    jobs: int | None = 1,
    cache: Any = None,
) -> Iterator[FileResult]:
    """Results for ``files`` in their order: from the cache, else checked (over a pool).

    ``follow(path)`` says whether a link may be followed (discovery's verdict);
    ``jobs`` None chooses by the amount of work, 0 means every core. Results are
    yielded as they are ready, so a caller can write them out file by file.
    """
    import gc

    from planctl import pool

    # The loader makes and drops ~100,000 objects per plan; with the default thresholds
    # the collector ran a full collection every few plans and took a third of a national
    # run. Everything loaded so far (rules, schemas) is frozen out of the collector's
    # sight and young collections run less often; restored when the run ends.
    thresholds = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], 20_000), max(thresholds[1], 50), max(thresholds[2], 100))
    try:
        yield from _results(files, follow, options, config, strict, jobs, cache, pool)
    finally:
        gc.set_threshold(*thresholds)
        if not frozen_before:
            gc.unfreeze()


def _results(
    files: list[Path],
    follow: Any,
    options: Options,
    config: Config,
    strict: bool,
    jobs: int | None,
    cache: Any,
    pool: Any,
) -> Iterator[FileResult]:
    todo: list[int] = []
    keys: dict[int, str] = {}
    for i, path in enumerate(files):
        # every file is read once before any result is given out: an unreadable one is a
        # usage error before the report starts, and the cache needs the bytes' hash
        try:
            target = path.resolve() if follow(path) and path.is_symlink() else path
            raw = read_plan_bytes(target, MAX_BYTES)
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
        if cache is not None and raw is not None:
            keys[i] = cache.key(path, raw)
            if cache.has(keys[i]):
                continue  # read when its turn comes: hits are not all held at once
        todo.append(i)
    jobs_n = pool.auto_jobs(len(todo), jobs)
    work = [((files[i], follow(files[i]), options, config, strict), cache) for i in todo]
    checked = pool.ordered_map(_check_job_and_store, work, jobs_n)
    pending = set(todo)
    for i, path in enumerate(files):
        result = None
        if i in keys and i not in pending:
            result = cache.get(keys[i], path)
        if result is None:
            job = (path, follow(path), options, config, strict)
            try:
                # a file to check (its entry written where it is checked), or one whose
                # entry turned out unusable (corrupt, a registry changed)
                result, _ = next(checked) if i in pending else _check_job_and_store((job, cache))
            except OSError as exc:
                raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
        yield result
    next(checked, None)  # run the pool's generator to its end: it shuts the workers down


def check_paths(
    paths: Iterable[str | Path],
    options: Options | None = None,
    config: Config | None = None,
    strict: bool = False,
    *,
    jobs: int | None = 1,
    cache: bool = False,
) -> Report:
    """Check every plan under ``paths``; foreign YAML is skipped (an FIL001 error if ``strict``).

    ``jobs``: processes to use (1: this one; 0: every core; None: by the number of
    files). ``cache``: reuse and store results in the repository's ``.planctl_cache/``.
    Either way the report is the same as a serial, uncached run.
    """
    options = options or Options()
    config = config or Config()
    found = discover(list(paths), config)
    report = Report()
    report.files.extend(_entries_once(_per_file(found, options, config, strict, jobs, cache)))
    repository_pass(report, config)
    report.files.extend(_refused(found))
    return report


def iter_checked(
    paths: Iterable[str | Path],
    options: Options | None = None,
    config: Config | None = None,
    strict: bool = False,
    *,
    jobs: int | None = 1,
    cache: bool = False,
) -> Iterator[FileResult]:
    """:func:`check_paths` as a stream: each file's result as soon as it is ready.

    Nothing is kept, so memory does not grow with the number of plans. The
    findings of the cross-plan pass follow the per-file results (as results of
    their own). Discovery errors (:class:`UsageError`) are raised by this call,
    before anything is yielded.
    """
    options = options or Options()
    config = config or Config()
    found = discover(list(paths), config)
    results = _per_file(found, options, config, strict, jobs, cache)
    return _stream(found, results, config)


def _stream(found: Any, results: Iterator[FileResult], config: Config) -> Iterator[FileResult]:
    shadow = Report()
    for result in _entries_once(results):
        yield result
        shadow.files.append(
            FileResult(
                result.path, [], result.rules_run, result.lines, result.skipped, result.facts
            )
        )
    repository_pass(shadow, config)
    for extra in shadow.files:
        if extra.findings:
            yield extra
    yield from _refused(found)


def _per_file(
    found: Any, options: Options, config: Config, strict: bool, jobs: int | None, cache: bool
) -> Iterator[FileResult]:
    store = None
    if cache and found.files:
        from planctl.cache import ResultCache

        store = ResultCache.open(found.files[0], options, config, strict)
    return iter_results(found.files, found.follow_links, options, config, strict, jobs, store)


def _refused(found: Any) -> list[FileResult]:
    out = []
    for skip in found.skipped:  # a link leading out of the directory
        path = skip.path
        finding = registry.get("PTH001").finding(
            file=display_path(path), line=1, col=1, params={"target": str(path.resolve())}
        )
        out.append(FileResult(display_path(path), [finding], False))
    return out


def validate(
    target: str | Path | Document | Iterable[str | Path],
    *,
    today: date | str | None = None,
    profile: str | None = None,
    config: Config | None = None,
    contact_max_age_months: int | None = None,
    strict: bool = False,
) -> list[Finding]:
    """Validate a plan file, a directory of plans, or a loaded :class:`Document`.

    >>> import planctl
    >>> findings = planctl.validate("sample-plans/")          # doctest: +SKIP
    >>> [f.code for f in findings if f.severity == "error"]   # doctest: +SKIP
    []
    """
    config = config or Config()
    options = make_options(today, profile, config, contact_max_age_months)
    if isinstance(target, Document):
        return check_document(target, options, config).findings
    targets = [target] if isinstance(target, (str, Path)) else list(target)
    return check_paths(targets, options, config, strict).findings


def validate_text(text: str, path: str = "<string>", **kwargs: Any) -> list[Finding]:
    """Validate YAML text (handy in tests and editor integrations)."""
    return validate(load_text(text, path), **kwargs)


def make_options(
    today: date | str | None,
    profile: str | None,
    config: Config,
    contact_max_age_months: int | None = None,
) -> Options:
    if isinstance(today, str):
        today = date.fromisoformat(today)
    return Options(
        today=today or date.today(),
        profile=profile or config.profile,
        contact_max_age_months=contact_max_age_months or config.contact_max_age_months,
        inventory_max_age_months=config.inventory_max_age_months,
        training_cycle_months=config.training_cycle_months,
        notice_margin_minutes=notice_margin_minutes(config) or 0.0,
    )
