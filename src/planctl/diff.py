"""``planctl diff``: what changed between two versions of a plan, in plan terms.

A text diff of two YAML files tells a reviewer that line 412 changed; the
reviewer needs to know that the upstream city no longer leads the sampling
duty, or that a notification deadline went from 30 to 60 minutes. This
module compares two plans item by item (matched by id, not by position) and
names each change: added, removed, re-assigned, tightened, loosened,
changed. The same list drives the text, JSON and Markdown outputs and the
draft of the next ``maintenance.revisions`` entry.
"""

from __future__ import annotations

import posixpath
import re
import subprocess
import tempfile
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from planctl import durations
from planctl.loader import Document, load_file, load_text


class DiffError(Exception):
    """A version cannot be read or compared; the message says which and why."""


@dataclass(frozen=True)
class Change:
    #: plan section: metadata, parties, contacts, duties, notifications, limits, levels,
    #: command, resources, mutual_aid, maintenance
    section: str
    #: added, removed, reassigned, tightened, loosened, changed
    kind: str
    #: the id of the item (or the metadata key)
    subject: str
    field: str | None = None
    old: Any = None
    new: Any = None
    #: the party whose duties or contacts this concerns (for per-party grouping)
    party: str | None = None
    #: the registry file the changed party or resource comes from (``use: ID``), if any;
    #: field ``stock``: the registered stock under the plan's own commitment
    registry: str | None = None

    def text(self, lang: str = "zh") -> str:
        said = self._text(lang)
        if self.registry is None:
            return said
        return (
            f"{said}（取自登记册 {self.registry}）"
            if lang == "zh"
            else f"{said} (from registry {self.registry})"
        )

    def _text(self, lang: str) -> str:
        where = f"{self.subject}" + (f".{self.field}" if self.field else "")
        label = _SECTION[self.section][0 if lang == "zh" else 1]
        old, new = _show(self.old, lang), _show(self.new, lang)
        if self.field in _ROLES and self.kind in ("added", "removed"):
            who = self.new if self.kind == "added" else self.old
            role = _ROLES[self.field][0 if lang == "zh" else 1]
            if lang == "zh":
                verb = "新增" if self.kind == "added" else "不再由"
                tail = "" if self.kind == "added" else "担任"
                return (
                    f"{label} {self.subject}：{verb}{who}{tail}{role}"
                    if tail
                    else (f"{label} {self.subject}：{verb}{role} {who}")
                )
            verb = "added as" if self.kind == "added" else "no longer"
            return f"{label} {self.subject}: {who} {verb} {role}"
        if lang == "zh":
            return {
                "added": f"新增{label} {where}",
                "removed": f"删除{label} {where}",
                "reassigned": f"{label} {where} 改由 {new} 牵头（原为 {old}）",
                "tightened": f"{label} {where} 时限收紧：{old} → {new}",
                "loosened": f"{label} {where} 时限放宽：{old} → {new}",
                "changed": f"{label} {where}：{old} → {new}",
            }[self.kind]
        return {
            "added": f"{label} {where} added",
            "removed": f"{label} {where} removed",
            "reassigned": f"{label} {where} re-assigned to {new} (was {old})",
            "tightened": f"{label} {where} deadline tightened: {old} → {new}",
            "loosened": f"{label} {where} deadline loosened: {old} → {new}",
            "changed": f"{label} {where}: {old} → {new}",
        }[self.kind]


_ROLES = {"support": ("配合方", "support"), "inform": ("知会方", "informed")}

_SECTION = {
    "metadata": ("基本信息", "metadata"),
    "parties": ("参与方", "party"),
    "contacts": ("联系方式", "contact"),
    "duties": ("职责", "duty"),
    "notifications": ("通报规则", "notification rule"),
    "limits": ("通报总时限", "end-to-end limit"),
    "levels": ("分级", "level"),
    "command": ("指挥体系", "command"),
    "resources": ("资源", "resource"),
    "mutual_aid": ("相互支援", "mutual aid"),
    "maintenance": ("预案管理", "maintenance"),
}


def _show(value: Any, lang: str) -> str:
    if value is None:
        return "无" if lang == "zh" else "none"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v, lang) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v, lang)}" for k, v in value.items()) + "}"
    text = str(value)
    if isinstance(value, str) and re.fullmatch(r"P[\dYMWDTHS]+", value):
        try:
            human = durations.humanize(durations.minutes(value), lang)
        except Exception:
            return text
        return f"{human}（{value}）" if lang == "zh" else f"{human} ({value})"
    return text if len(text) <= 60 else text[:57] + "…"


# -- reading versions ---------------------------------------------------------------

_REV = re.compile(r"^(?P<rev>[^:\s][^:]*):(?P<path>.+)$")


def read_version(spec: str, cwd: Path | None = None) -> Document:
    """A plan (or registry) file, or ``REV:path`` read from git (``HEAD~1:plans/x.yaml``).

    An existing file wins over the git reading, so ``C:...``-like names and
    files with colons still work. The revision is passed to git as one
    argument and may not start with ``-``: it can only name a blob.

    A plan comes back with the registry entries it uses merged in (as
    ``validate`` sees it), so two versions are compared on the parties and
    resources they really name. A git version is resolved against the
    registries and planctl.yaml *of the same revision*: the plan, the
    configuration found above it and the registries either lists are read
    from git into a scratch folder laid out like the repository, and resolved
    there (nothing outside the repository is read, as for ``validate``).
    """
    p = Path(spec)
    if p.is_file():
        doc = load_file(p)
        _loaded(doc, spec)
        _resolve(doc, spec)
        return doc
    m = _REV.match(spec)
    if not m or m.group("rev").startswith("-"):
        raise DiffError(f"no such file: {spec} (a git version is written REV:path)")
    rev, path = m.group("rev"), m.group("path")
    rel = _repo_path(path, cwd)
    text = _git_show(rev, rel if rel is not None else path, cwd, spec)
    assert text is not None
    if rel is None or not _needs_registries(text):
        doc = load_text(text, spec)
        _loaded(doc, spec)
        return doc
    with tempfile.TemporaryDirectory(prefix="planctl-diff-") as tmp:
        root = Path(tmp).resolve()
        (root / ".git").mkdir()  # the repository root, for the root check of every link
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        doc = load_text(text, target)
        _loaded(doc, spec)
        _fetch_registries(doc, rev, rel, root, cwd)
        try:
            _resolve(doc, spec)
        finally:
            from planctl import registry

            registry.clear_cache()  # the scratch files go; so do their parsed copies
        for origin in doc.origins.values():  # name the registry as it is in git
            shown = Path(origin["path"])
            if shown.is_relative_to(root):
                origin["registry"] = f"{rev}:{shown.relative_to(root).as_posix()}"
                origin["path"] = origin["registry"]
        doc.path = Path(spec)
    return doc


def _loaded(doc: Document, spec: str) -> None:
    if doc.error is not None:
        from planctl.check import load_findings

        [f] = load_findings(doc)
        raise DiffError(f"{spec}:{f.line}:{f.col}: {f.code} {f.text('en')}")
    if not isinstance(doc.data, dict):
        raise DiffError(f"{spec} is not a plan (not a mapping)")


def is_registry(doc: Document) -> bool:
    from planctl.registry import is_registry_data

    return is_registry_data(doc.data)


def _resolve(doc: Document, spec: str) -> None:
    """Merge the registry entries the plan uses; one that cannot be had stops the diff."""
    if is_registry(doc):
        return
    from planctl.registry import resolve

    problems = resolve(doc)
    if problems:
        f = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DiffError(
            f"{spec}:{f.line}:{f.col}: {f.code} {f.text('en')}{more}; "
            "the entries it uses cannot be compared"
        )


def _needs_registries(text: str) -> bool:
    """Whether a version could use registry entries (cheap: a full parse follows)."""
    return "use:" in text or "registries" in text


def _git(args: list[str], cwd: Path | None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], capture_output=True, cwd=cwd, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DiffError(f"cannot run git: {exc}") from None


def _repo_path(path: str, cwd: Path | None) -> str | None:
    """``path`` as git reads it after ``REV:`` (from the repository root, or from the
    working directory when it starts with ./ or ../), relative to the root; None
    when it leaves the repository or git cannot say."""
    rel = path
    if path.startswith(("./", "../")):
        r = _git(["rev-parse", "--show-prefix"], cwd)
        if r.returncode != 0:
            return None
        rel = posixpath.join(r.stdout.decode("utf-8", "replace").strip(), path)
    rel = posixpath.normpath(rel)
    if rel.startswith("..") or rel.startswith("/") or rel == ".":
        return None
    return rel


def _git_show(rev: str, rel: str, cwd: Path | None, spec: str | None = None) -> str | None:
    """The text of ``rev:rel``; None when there is no such file (a DiffError when ``spec``
    names what the user asked for)."""
    r = _git(["show", "--no-textconv", f"{rev}:{rel}"], cwd)
    if r.returncode != 0:
        if spec is None:
            return None
        msg = r.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffError(f"git cannot read {spec}: {msg[-1] if msg else 'failed'}")
    try:
        return r.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        if spec is None:
            return None
        raise DiffError(f"{spec} is not UTF-8 text") from None


def _fetch_registries(doc: Document, rev: str, rel: str, root: Path, cwd: Path | None) -> None:
    """Write the planctl.yaml above the plan and the registries it and the plan list,
    as of ``rev``, into the scratch repository at ``root``."""
    import yaml

    from planctl.config import CONFIG_NAMES

    wanted: list[tuple[str, Any]] = []
    folder = posixpath.dirname(rel)
    while True:
        found = False
        for name in CONFIG_NAMES:
            where = posixpath.join(folder, name) if folder else name
            text = _git_show(rev, where, cwd)
            if text is None:
                continue
            (root / where).parent.mkdir(parents=True, exist_ok=True)
            (root / where).write_text(text, encoding="utf-8")
            try:
                cfg = yaml.safe_load(text)
            except yaml.YAMLError:
                cfg = None  # resolve reads it again and says what is wrong
            if isinstance(cfg, dict) and isinstance(cfg.get("registries"), list):
                wanted += [(folder, r) for r in cfg["registries"]]
            found = True
        if found or not folder:
            break
        folder = posixpath.dirname(folder)
    own = doc.data.get("registries") if isinstance(doc.data, dict) else None
    if isinstance(own, list):
        wanted += [(posixpath.dirname(rel), r) for r in own]
    for base, listed in wanted:
        if not isinstance(listed, str) or not listed.strip() or listed.startswith("/"):
            continue
        target = posixpath.normpath(posixpath.join(base, listed))
        if target.startswith("..") or target == ".":
            continue  # outside the repository: resolve says PTH002
        text = _git_show(rev, target, cwd)
        if text is not None:
            (root / target).parent.mkdir(parents=True, exist_ok=True)
            (root / target).write_text(text, encoding="utf-8")


# -- comparing ------------------------------------------------------------------------


def _items(data: Any, *path: str) -> dict[str, dict[str, Any]]:
    node: Any = data
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    out: dict[str, dict[str, Any]] = {}
    for item in node if isinstance(node, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            out.setdefault(item["id"], item)
    return out


def _minutes(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return durations.minutes(value)
    except Exception:
        return None


def _field_changes(
    section: str,
    subject: str,
    old: dict[str, Any],
    new: dict[str, Any],
    skip: tuple[str, ...] = ("id",),
    party: str | None = None,
) -> list[Change]:
    out = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key in skip:
            continue
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        ma, mb = _minutes(a), _minutes(b)
        if ma is not None and mb is not None and ma != mb:
            kind = "tightened" if mb < ma else "loosened"
        elif isinstance(a, dict) and isinstance(b, dict):
            out += _field_changes(section, f"{subject}.{key}", a, b, skip=(), party=party)
            continue
        else:
            kind = "changed"
        out.append(Change(section, kind, subject, key, a, b, party))
    return out


def _id_section(
    section: str,
    old: dict[str, dict[str, Any]],
    new: dict[str, dict[str, Any]],
    skip: tuple[str, ...] = ("id",),
) -> list[Change]:
    out = [Change(section, "removed", k) for k in old if k not in new]
    out += [Change(section, "added", k) for k in new if k not in old]
    for k in old:
        if k in new:
            out += _field_changes(section, k, old[k], new[k], skip=skip)
    return out


def _lead(duty: dict[str, Any]) -> Any:
    lead = duty.get("lead")
    return lead[0] if isinstance(lead, list) and len(lead) == 1 else lead


def _duties(old: Any, new: Any) -> list[Change]:
    a, b = _items(old, "duties"), _items(new, "duties")
    out = []
    for k in a:
        if k not in b:
            out.append(Change("duties", "removed", k, party=_str(_lead(a[k]))))
    for k in b:
        if k not in a:
            out.append(Change("duties", "added", k, party=_str(_lead(b[k]))))
    for k in a:
        if k not in b:
            continue
        la, lb = _lead(a[k]), _lead(b[k])
        if la != lb:
            out.append(Change("duties", "reassigned", k, "lead", la, lb, party=_str(lb)))
        for role in ("support", "inform"):
            sa, sb = _list(a[k].get(role)), _list(b[k].get(role))
            for pid in sb:
                if pid not in sa:
                    out.append(Change("duties", "added", k, role, None, pid, party=pid))
            for pid in sa:
                if pid not in sb:
                    out.append(Change("duties", "removed", k, role, pid, None, party=pid))
        out += _field_changes(
            "duties", k, a[k], b[k], skip=("id", "lead", "support", "inform"), party=_str(lb)
        )
    return out


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _contacts(old: Any, new: Any) -> list[Change]:
    """Contacts have no ids: a party's line is known by its kind and channel."""
    out = []
    pa, pb = _items(old, "parties"), _items(new, "parties")
    for pid in pa:
        if pid not in pb:
            continue
        for section in ("contacts", "backup"):
            ca = _keyed_contacts(pa[pid].get(section))
            cb = _keyed_contacts(pb[pid].get(section))
            for key in [*ca, *(k for k in cb if k not in ca)]:
                subject = f"{pid}.{section}[{key}]"
                if key not in cb:
                    out.append(Change("contacts", "removed", subject, party=pid))
                elif key not in ca:
                    out.append(Change("contacts", "added", subject, party=pid))
                else:
                    out += _field_changes("contacts", subject, ca[key], cb[key], (), pid)
    return out


def _keyed_contacts(items: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for c in items if isinstance(items, list) else []:
        if not isinstance(c, dict):
            continue
        base = f"{c.get('kind')}/{c.get('channel')}"
        key, n = base, 2
        while key in out:
            key, n = f"{base}#{n}", n + 1
        out[key] = c
    return out


def _limits(old: Any, new: Any) -> list[Change]:
    def keyed(data: Any) -> dict[str, dict[str, Any]]:
        limits = data.get("notifications", {}) if isinstance(data, dict) else {}
        limits = limits.get("limits", []) if isinstance(limits, dict) else []
        out = {}
        for lim in limits if isinstance(limits, list) else []:
            if isinstance(lim, dict):
                out["+".join(map(str, _list(lim.get("levels"))))] = lim
        return out

    return _id_section("limits", keyed(old), keyed(new), skip=("levels",))


def _command_levels(data: Any) -> dict[str, dict[str, Any]]:
    cmd = data.get("command") if isinstance(data, dict) else None
    levels = cmd.get("levels") if isinstance(cmd, dict) else None
    out = {}
    for lv in levels if isinstance(levels, list) else []:
        if isinstance(lv, dict) and isinstance(lv.get("response"), str):
            out[lv["response"]] = lv
    return out


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new``, section by section, in plan order."""
    out: list[Change] = []
    ma = old["metadata"] if isinstance(old.get("metadata"), dict) else {}
    mb = new["metadata"] if isinstance(new.get("metadata"), dict) else {}
    out += _field_changes("metadata", "metadata", ma, mb, skip=())
    pa, pb = _items(old, "parties"), _items(new, "parties")
    out += _id_section("parties", pa, pb, skip=("id", "contacts", "backup"))
    out += _contacts(old, new)
    if old.get("geography") != new.get("geography"):
        ga = old.get("geography") if isinstance(old.get("geography"), dict) else {}
        gb = new.get("geography") if isinstance(new.get("geography"), dict) else {}
        out += _id_section("parties", _items(ga, "areas"), _items(gb, "areas"))
    for part in ("grades", "warnings", "responses"):
        out += _id_section("levels", _items(old, "levels", part), _items(new, "levels", part))
    out += _limits(old, new)
    out += _id_section(
        "notifications",
        _items(old, "notifications", "rules"),
        _items(new, "notifications", "rules"),
    )
    ca = old["command"] if isinstance(old.get("command"), dict) else {}
    cb = new["command"] if isinstance(new.get("command"), dict) else {}
    if isinstance(ca.get("body"), dict) and isinstance(cb.get("body"), dict):
        out += _field_changes("command", "body", ca["body"], cb["body"], skip=())
    out += _id_section("command", _command_levels(old), _command_levels(new), skip=("response",))
    out += _id_section("command", _items(ca, "groups"), _items(cb, "groups"))
    out += _duties(old, new)
    out += _id_section("resources", _items(old, "resources"), _items(new, "resources"))
    aa = old["mutual_aid"] if isinstance(old.get("mutual_aid"), dict) else {}
    ab = new["mutual_aid"] if isinstance(new.get("mutual_aid"), dict) else {}
    if isinstance(aa.get("request"), dict) and isinstance(ab.get("request"), dict):
        out += _field_changes("mutual_aid", "request", aa["request"], ab["request"], skip=())
    for part in ("commitments", "requisitions", "compensation"):
        out += _id_section("mutual_aid", _items(aa, part), _items(ab, part))
    xa = old["maintenance"] if isinstance(old.get("maintenance"), dict) else {}
    xb = new["maintenance"] if isinstance(new.get("maintenance"), dict) else {}
    out += _field_changes(
        "maintenance", "maintenance", xa, xb, skip=("revisions",)
    )  # drills, reviews, cycles and filing; revisions are the record of this very diff
    return out


def compare_registries(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from one version of a registry file to the next: parties, contacts, stock."""
    out = _id_section(
        "parties", _items(old, "parties"), _items(new, "parties"), skip=("id", "contacts", "backup")
    )
    out += _contacts(old, new)
    out += _id_section("resources", _items(old, "resources"), _items(new, "resources"))
    return out


def compare_versions(old: Document, new: Document) -> list[Change]:
    """Two versions read by :func:`read_version`: two plans, or two registries.

    A change to a party or resource a plan takes from a registry names that
    registry (``Change.registry``): the plan did not change, the shared entry did.
    """
    if is_registry(old) != is_registry(new):
        raise DiffError("one version is a registry and the other a plan; compare like with like")
    if is_registry(old):
        return compare_registries(old.data, new.data)
    changes = compare(old.data, new.data)
    a, b = _sources(old), _sources(new)
    if not a and not b:
        return changes
    out = []
    for c in changes:
        key: tuple[str, str] | None = None
        own: str | None = c.field  # the entry's own key that changed (None: the whole entry)
        head, _, rest = c.subject.partition(".")
        if c.section in ("parties", "resources"):
            key = (c.section, head)
            own = rest.split(".")[0] if rest else c.field
        elif c.section == "contacts" and c.party:
            key, own = ("parties", c.party), rest.split("[")[0]
        hit = (b.get(key) or a.get(key)) if key is not None else None
        if hit is None:
            out.append(c)
            continue
        shown, i, doc = hit
        if own is not None and (key[0], i, own) in doc.source.nodes:  # type: ignore[index]
            out.append(c)  # the plan writes this field itself, beside its ``use``
            continue
        out.append(replace(c, registry=shown))
    return out + _stock_changes(a, b)


def _stock_changes(
    a: dict[tuple[str, str], tuple[str, int, Document]],
    b: dict[tuple[str, str], tuple[str, int, Document]],
) -> list[Change]:
    """A registry stock that changed under a plan's commitment ("资源底数").

    A plan that commits part of a registered stock writes its own ``quantity``, so
    the stock itself is not in the plan's data; it changed all the same, and a
    commitment that fitted may no longer fit (REG005, XPL002).
    """
    out = []
    for key, (shown, i, new_doc) in b.items():
        if key[0] != "resources" or key not in a:
            continue
        _, j, old_doc = a[key]
        before = old_doc.origins.get(("resources", j), {}).get("stock")
        after = new_doc.origins.get(("resources", i), {}).get("stock")
        own = ("resources", i, "quantity") in new_doc.source.nodes
        if own and before is not None and after is not None and before != after:
            out.append(Change("resources", "changed", key[1], "stock", before, after, None, shown))
    return out


def _sources(doc: Document) -> dict[tuple[str, str], tuple[str, int, Document]]:
    """(section, id) -> (registry, index, doc) of each entry a resolved plan took from one."""
    out: dict[tuple[str, str], tuple[str, int, Document]] = {}
    for (section, i), origin in doc.origins.items():
        items = doc.data.get(section) if isinstance(doc.data, dict) else None
        if isinstance(items, list) and isinstance(i, int) and i < len(items):
            item = items[i]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                out[(str(section), item["id"])] = (str(origin["registry"]), i, doc)
    return out


# -- outputs ---------------------------------------------------------------------------


def to_json(changes: list[Change], lang: str = "zh") -> list[dict[str, Any]]:
    return [{**asdict(c), "text": c.text(lang)} for c in changes]


def to_text(changes: list[Change], lang: str = "zh") -> str:
    if not changes:
        return (
            "两个版本在预案内容上没有差异" if lang == "zh" else "no change in plan content"
        ) + "\n"
    lines = []
    current = None
    for c in changes:
        if c.section != current:
            current = c.section
            label = _SECTION[c.section][0 if lang == "zh" else 1]
            lines.append(f"{label}:" if lang == "en" else f"{label}：")
        lines.append(f"  {_MARK[c.kind]} {c.text(lang)}")
    by_party = _per_party(changes)
    if by_party:
        lines.append("按参与方：" if lang == "zh" else "by party:")
        for pid, items in by_party.items():
            lines.append(f"  {pid}: " + "; ".join(c.text(lang) for c in items))
    return "\n".join(lines) + "\n"


_MARK = {
    "added": "+",
    "removed": "-",
    "reassigned": "~",
    "tightened": "↓",
    "loosened": "↑",
    "changed": "~",
}


def _per_party(changes: list[Change]) -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = {}
    for c in changes:
        if c.section == "duties" and c.party:
            out.setdefault(c.party, []).append(c)
            if c.kind == "reassigned" and isinstance(c.old, str):
                out.setdefault(c.old, []).append(c)
    return out


def to_markdown(changes: list[Change], lang: str = "zh", title: str | None = None) -> str:
    """For a merge-request comment: one table per section, values escaped."""
    head = title or ("预案变更" if lang == "zh" else "Plan changes")
    lines = [f"### {_md(head)}", ""]
    if not changes:
        lines.append(
            "两个版本在预案内容上没有差异。" if lang == "zh" else "No change in plan content."
        )
        return "\n".join(lines) + "\n"
    current = None
    for c in changes:
        if c.section != current:
            current = c.section
            label = _SECTION[c.section][0 if lang == "zh" else 1]
            cols = (
                ("变更", "对象", "原值", "新值")
                if lang == "zh"
                else ("change", "item", "old", "new")
            )
            lines += [
                "",
                f"**{_md(label)}**",
                "",
                "| " + " | ".join(cols) + " |",
                "|---|---|---|---|",
            ]
        where = c.subject + (f".{c.field}" if c.field else "")
        source = ""
        if c.registry:
            source = (" （登记册 " if lang == "zh" else " (registry ") + _md(c.registry)
            source += "）" if lang == "zh" else ")"
        old = "" if c.old is None else _show(c.old, lang)
        new = "" if c.new is None else _show(c.new, lang)
        code = re.sub(r"[\x00-\x1f\x7f`]", " ", where).replace("|", "\\|")
        lines.append(f"| {_KIND[c.kind][lang]} | `{code}`{source} | {_md(old)} | {_md(new)} |")
    return "\n".join(lines) + "\n"


_KIND = {
    "added": {"zh": "新增", "en": "added"},
    "removed": {"zh": "删除", "en": "removed"},
    "reassigned": {"zh": "改派", "en": "re-assigned"},
    "tightened": {"zh": "收紧", "en": "tightened"},
    "loosened": {"zh": "放宽", "en": "loosened"},
    "changed": {"zh": "修改", "en": "changed"},
}


def _md(text: str) -> str:
    text = re.sub(r"[\x00-\x1f\x7f]", " ", str(text))
    return re.sub(r"([\\`*_{}\[\]<>|#!])", r"\\\1", text)


# -- the next revision entry --------------------------------------------------------------


def draft_revision(
    changes: list[Change], old: dict[str, Any], new: dict[str, Any], today: date
) -> dict[str, Any]:
    """The ``maintenance.revisions`` entry this change deserves (for the planner to edit).

    Its fields are the columns of the rendered 修订记录 (版本号, 修订日期, 修订原因
    from ``trigger``, 主要修订内容 from ``summary``), so the summary names sections and
    counts, never an internal id that would then be printed in the document.
    """
    va = str((old.get("metadata") or {}).get("version", ""))
    vb = str((new.get("metadata") or {}).get("version", ""))
    version = vb if vb and vb != va else _bump(vb or va)
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.section] = counts.get(c.section, 0) + 1
    parts = [
        f"{_SECTION[s][0]}{n}处" for s, n in counts.items() if s not in ("metadata", "maintenance")
    ]
    tight = [c for c in changes if c.kind == "tightened"]
    if tight:  # by section, not by id: the entry is printed in the 修订记录 table
        where = "、".join(dict.fromkeys(_SECTION[c.section][0] for c in tight))
        parts.append(f"收紧{where}时限{len(tight)}处")
    summary = "修改" + "，".join(parts) if parts else "文字修改"
    sections = set(counts)
    if sections & {"command", "parties"} or any(c.kind == "reassigned" for c in changes):
        trigger = "command"
    elif "resources" in sections or "mutual_aid" in sections:
        trigger = "resources"
    else:
        trigger = "other"
    return {"version": version, "date": today.isoformat(), "summary": summary, "trigger": trigger}


def _bump(version: str) -> str:
    m = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if not m:
        return "1.0"
    major, minor = int(m.group(1)), int(m.group(2) or 0)
    return f"{major}.{minor + 1}"


def revision_yaml(entry: dict[str, Any]) -> str:
    import json

    return (
        "# maintenance.revisions 的下一条（请核对后粘贴）\n"
        f'- version: "{entry["version"]}"\n'
        f"  date: {entry['date']}\n"
        f"  summary: {json.dumps(entry['summary'], ensure_ascii=False)}\n"
        f"  trigger: {entry['trigger']}\n"
    )
