"""``planctl init``: a plan repository that checks itself from the first commit.

It writes ``planctl.yaml`` (which lists the registries once for every plan),
the shared registries under ``registries/`` (the first plan's parties and
resources, which the plan then ``use``s, so the next plan can use them too), one plan from ``planctl new`` under ``plans/``, a
``.pre-commit-config.yaml`` whose hooks call the installed planctl (so the
first ``pre-commit run`` works offline; the remote form is documented in the
file), CI files for GitHub Actions and GitLab CI, and ``.planctl_cache/`` in
``.gitignore``. Nothing that exists is replaced unless asked: the command
lists every file in the way and writes none of them; ``.gitignore`` is only
ever appended to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from planctl import __version__
from planctl.scaffold import Party, _env, kind, scaffold
from planctl.write import atomic_write_text

PLANS_DIR = "plans"
IGNORED = (".planctl_cache/",)


@dataclass
class Created:
    path: Path
    action: str  # "wrote", "replaced", "appended", "kept"


def layout(hazard: str, parties: list[Party], profile: str = "national") -> dict[str, str]:
    """Relative path → text of every file ``init`` writes (``.gitignore`` apart)."""
    from planctl.scaffold import plan_id

    plan, registries = share(scaffold(hazard, parties, profile), listed=False)
    k = kind(hazard)
    env = _env()
    context = {
        "version": _release(),
        "plans_dir": PLANS_DIR,
        "profile": profile,
        "registries": list(registries),
    }
    return {
        "planctl.yaml": env.get_template("repo/planctl.yaml.j2").render(**context),
        **registries,
        f"{PLANS_DIR}/{plan_id(k, parties)}.yaml": plan,
        ".pre-commit-config.yaml": env.get_template("repo/pre-commit-config.yaml.j2").render(
            **context
        ),
        ".github/workflows/plans.yml": env.get_template("repo/github-plans.yml.j2").render(
            **context
        ),
        ".gitlab-ci.yml": env.get_template("repo/gitlab-ci.yml.j2").render(**context),
    }


#: the registries ``init`` lays out beside the plans (relative to the repository root)
REGISTRIES_DIR = "registries"
_ITEM = re.compile(r"^  - id: (\S+)\s*$")


def share(plan: str, plans_dir: str = PLANS_DIR, listed: bool = True) -> tuple[str, dict[str, str]]:
    """Move a scaffold's parties and resources into registries; the plan then uses them.

    Works on the scaffold's text, so its layout and comments stay: each entry
    under ``parties:`` and ``resources:`` moves to ``registries/parties.yaml`` or
    ``registries/resources.yaml`` and leaves ``- use: ID`` behind, with the
    party's ``roles`` (they belong to this plan, not to the party). With
    ``listed`` the plan names the registries itself (``registries:``); ``init``
    lists them once in planctl.yaml instead, for every plan of the repository.
    """
    lines = plan.splitlines(keepends=True)
    registries: dict[str, list[str]] = {}
    out: list[str] = []
    i = 0
    while i < len(lines):
        section = lines[i].rstrip("\n")
        if section not in ("parties:", "resources:"):
            out.append(lines[i])
            i += 1
            continue
        name = section[:-1]
        out.append(lines[i])
        moved: list[str] = []
        i += 1
        while i < len(lines) and (lines[i].startswith((" ", "#")) or not lines[i].strip()):
            m = _ITEM.match(lines[i])
            if m:
                out.append(f"  - use: {m.group(1)}\n")
            elif lines[i].startswith("    roles:"):
                out.append(lines[i])
                i += 1
                continue
            moved.append(lines[i])
            i += 1
        while moved and not moved[-1].strip():
            out.append(moved.pop())  # the blank lines after the section stay in the plan
        registries[name] = moved
    text = "".join(out)
    if listed:
        rel = "../" * len(Path(plans_dir).parts) + REGISTRIES_DIR
        names = [f"{rel}/{name}.yaml" for name in registries]
        text = text.replace("planctl: 1\n", f"planctl: 1\nregistries: [{', '.join(names)}]\n", 1)
    files = {
        f"{REGISTRIES_DIR}/{name}.yaml": _env()
        .get_template("repo/registry.yaml.j2")
        .render(section=name)
        + f"{name}:\n"
        + "".join(body)
        for name, body in registries.items()
    }
    return text, files


def _release() -> str:
    """The version to pin in CI: this one when it is a release, else the first release."""
    v = str(__version__)
    return v if v[:1].isdigit() and "+" not in v and "dev" not in v else "0.1.0"


class InitError(Exception):
    """The repository cannot be laid out as asked; nothing was written."""


def init(
    root: Path, hazard: str, parties: list[Party], profile: str = "national", force: bool = False
) -> list[Created]:
    files = layout(hazard, parties, profile)
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise InitError(f"{root} is not a directory")
    taken = [rel for rel in files if (root / rel).exists()]
    dirs = [rel for rel in taken if (root / rel).is_dir()]
    if dirs:
        raise InitError("a folder is where a file should go: " + ", ".join(dirs))
    if taken and not force:
        raise InitError(
            "these files exist and would be replaced: "
            + ", ".join(taken)
            + " (use --force to replace them)"
        )
    out = []
    for rel, text in files.items():
        target = root / rel
        existed = target.exists()
        atomic_write_text(target, text)
        out.append(Created(target, "replaced" if existed else "wrote"))
    out.append(_gitignore(root / ".gitignore"))
    return out


def _gitignore(path: Path) -> Created:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = {line.strip() for line in text.splitlines()}
    template = _env().get_template("repo/gitignore.j2").render()
    missing = [line for line in template.splitlines() if line.strip() and line.strip() not in lines]
    if not missing or all(m.startswith("#") for m in missing):
        return Created(path, "kept")
    joined = ("" if not text or text.endswith("\n") else "\n") + "\n".join(missing) + "\n"
    atomic_write_text(path, text + joined)
    return Created(path, "appended" if text else "wrote")
