"""Executable rule examples.

Each rule's failing and passing example is a short list of changes to one
small, valid base plan (``data/example-base.yaml``)::

    duties.0.action: 积极配合做好应急处置工作   # set a value
    duties.0.within: <delete>                   # remove a key or list item
    notifications.rules.+: {id: N-3, ...}       # append to a list

The same text is shown by ``planctl explain`` and run by the test suite, so
documentation and behaviour cannot drift apart.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from planctl.rules.base import Rule

DELETE = "<delete>"


@lru_cache(maxsize=1)
def base_text() -> str:
    return (resources.files("planctl") / "data" / "example-base.yaml").read_text("utf-8")


def base_data() -> dict[str, Any]:
    from planctl.loader import load_text

    return copy.deepcopy(load_text(base_text()).data)


def apply_patch(data: dict[str, Any], patch: str) -> dict[str, Any]:
    changes = yaml.safe_load(patch) or {}
    out = copy.deepcopy(data)
    for dotted, value in changes.items():
        parts: list[Any] = [int(p) if p.isdigit() else p for p in str(dotted).split(".")]
        node: Any = out
        for part in parts[:-1]:
            node = node[part]
        last = parts[-1]
        if isinstance(value, (dict, list)) or value is None:
            value = _stringify_dates(value)
        elif not isinstance(value, (str, int, float, bool)):
            value = str(value)
        if value == DELETE:
            if isinstance(node, list):
                node.pop(last)
            else:
                node.pop(last, None)
        elif last == "+":
            node.append(value)
        else:
            node[last] = value
    return out


def _stringify_dates(value: Any) -> Any:
    from planctl.loader import map_leaves

    return map_leaves(value, lambda v: v.isoformat() if hasattr(v, "isoformat") else v)


def render(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def example_text(rule: Rule, which: str) -> str | None:
    """The full plan text for a rule's ``fail`` or ``passes`` example.

    YAML-layer examples are literal file text; all others patch the base plan.
    A rule without a passing example passes on the base plan itself.
    """
    patch = rule.fail if which == "fail" else rule.passes
    if rule.layer == "yaml":
        if which == "fail":
            return patch
        return base_text()
    if patch is None:
        return None if which == "fail" else base_text()
    return render(apply_patch(base_data(), patch))


def is_literal(spec: str) -> bool:
    """A repository example file given as its text (a plan or registry), not a patch."""
    first = next((x for x in spec.splitlines() if x.strip() and not x.startswith("#")), "")
    return first.startswith(("planctl:", "planctl-registry:"))


def repo_files(rule: Rule, which: str) -> dict[str, str] | None:
    """The files of a rule's repository example (``repo_fail`` / ``repo_passes``).

    Rules that compare files (registries, cross-plan checks) cannot show their
    problem in one plan. Their example is a small repository: relative path →
    the file's text, or, for a plan, a patch to the example base plan (an empty
    patch is the base plan itself). A repository example always has a root
    (a ``.git`` folder), so registries resolve as in a real repository.
    """
    spec = rule.repo_fail if which == "fail" else rule.repo_passes
    if spec is None:
        return None
    return {
        rel: text if is_literal(text) else render(apply_patch(base_data(), text))
        for rel, text in spec.items()
    }


def run_repo(files: dict[str, str], today: str = "2026-11-28") -> list[Any]:
    """Validate a repository example in a temporary folder; paths shown relative to it."""
    import tempfile
    from dataclasses import replace
    from datetime import date
    from pathlib import Path

    from planctl.check import check_paths
    from planctl.config import Config
    from planctl.rules import Options

    with tempfile.TemporaryDirectory(prefix="planctl-example-") as tmp:
        root = Path(tmp).resolve()
        (root / ".git").mkdir()
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        report = check_paths([root], Options(today=date.fromisoformat(today)), Config())
    prefix = f"{root}/"

    def local(text: str) -> str:
        return text.replace(prefix, "")

    return [
        replace(
            f,
            file=local(f.file),
            message={k: local(v) for k, v in f.message.items()},
        )
        for f in report.findings
    ]
