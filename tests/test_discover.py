"""Directory discovery (planctl.discover): which files a command works on, in which order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planctl.config import Config
from planctl.discover import Discovery, Skipped, UsageError, discover


def _touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("planctl: 1\n", encoding="utf-8")


def test_directory_gives_yaml_files_in_a_stable_order(tmp_path: Path) -> None:
    _touch(tmp_path, "b.yaml", "a.yml", "sub/c.yaml", "notes.txt", "README.md")
    found = discover([tmp_path])
    assert isinstance(found, Discovery)
    assert [p.relative_to(tmp_path).as_posix() for p in found.files] == [
        "a.yml",
        "b.yaml",
        "sub/c.yaml",
    ]
    assert found.skipped == []
    assert found.linked == frozenset()


def test_hidden_entries_configs_and_excludes_are_left_out(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "plan.yaml",
        ".hidden.yaml",
        ".github/workflows/ci.yml",
        "planctl.yaml",
        "drafts/old.yaml",
    )
    found = discover([tmp_path], Config(exclude=["drafts/*"]))
    assert [p.name for p in found.files] == ["plan.yaml"]


def test_a_named_file_is_taken_whatever_its_suffix(tmp_path: Path) -> None:
    _touch(tmp_path, "plan.txt")
    assert discover([tmp_path / "plan.txt"]).files == [tmp_path / "plan.txt"]


def test_the_same_file_reached_twice_is_listed_once(tmp_path: Path) -> None:
    _touch(tmp_path, "plan.yaml")
    found = discover([tmp_path, tmp_path / "plan.yaml", str(tmp_path / "plan.yaml")])
    assert found.files == [tmp_path / "plan.yaml"]


def test_links_leading_out_are_skipped_with_a_reason(tmp_path: Path) -> None:
    repo, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    _touch(repo, "plan.yaml", "inner.yaml")
    _touch(elsewhere, "secret.yaml", "more/x.yaml")
    (repo / "evil.yaml").symlink_to(elsewhere / "secret.yaml")
    (repo / "linked").symlink_to(elsewhere / "more", target_is_directory=True)
    (repo / "alias.yaml").symlink_to(repo / "inner.yaml")
    found = discover([repo])
    assert Skipped(repo / "evil.yaml", "outside") in found.skipped
    assert Skipped(repo / "linked", "outside") in found.skipped
    assert all(s.reason == "outside" for s in found.skipped)
    names = [p.name for p in found.files]
    assert "evil.yaml" not in names and "x.yaml" not in names
    # a link inside the repository is fine, once: it reaches a file already listed
    assert names == ["alias.yaml", "plan.yaml"]
    assert found.follow_links(repo / "alias.yaml")
    assert not found.follow_links(repo / "plan.yaml")


def test_only_links_outside_is_not_an_empty_run(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _touch(tmp_path, "secret.yaml")
    (repo / "evil.yaml").symlink_to(tmp_path / "secret.yaml")
    found = discover([repo])
    assert found.files == [] and [s.path.name for s in found.skipped] == ["evil.yaml"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "empty path"),
        ("   ", "empty path"),
        ("missing.yaml", "no such file"),
    ],
)
def test_unusable_paths_are_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=message):
        discover([given])


def test_a_directory_without_plans_is_a_usage_error(tmp_path: Path) -> None:
    _touch(tmp_path, "notes.txt")
    with pytest.raises(UsageError, match="no plan files"):
        discover([tmp_path])


def test_check_still_exports_usage_error() -> None:
    """cli.py, benchmarks and plugins catch ``planctl.check.UsageError``: one class."""
    from planctl import check

    assert check.UsageError is UsageError


def test_render_and_fmt_say_which_links_they_did_not_follow(tmp_path: Path, base_text: str) -> None:
    from typer.testing import CliRunner

    from planctl.cli import app

    repo, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    repo.mkdir()
    elsewhere.mkdir()
    (repo / "plan.yaml").write_text(base_text, encoding="utf-8")
    (elsewhere / "secret.yaml").write_text(base_text, encoding="utf-8")
    (repo / "evil.yaml").symlink_to(elsewhere / "secret.yaml")
    runner = CliRunner()
    r = runner.invoke(
        app, ["render", str(repo), "-o", str(tmp_path / "out"), "--lang", "en", "-f", "md"]
    )
    assert r.exit_code == 0, r.output
    assert "evil.yaml: skipped (a link leading out of the given folder; not read)" in r.output
    assert [p.name for p in (tmp_path / "out").glob("*.md")] != []
    assert not any("secret" in p.name or "evil" in p.name for p in (tmp_path / "out").iterdir())
    r = runner.invoke(app, ["fmt", "--check", str(repo)])
    assert "evil.yaml: skipped" in r.output


@pytest.mark.parametrize("target", ["moved.yaml", "loop.yaml"])
def test_a_broken_link_to_a_plan_is_named_not_passed_over(tmp_path: Path, target: str) -> None:
    """A plan file that is a link to nothing (the plan moved) or to itself was silently
    left out of a folder's check: CI passed without checking it."""
    (tmp_path / "good.yaml").write_text("planctl: 1\n", encoding="utf-8")
    (tmp_path / "gone.yaml").symlink_to(target)  # loop.yaml: a link to itself
    if target == "loop.yaml":
        (tmp_path / "loop.yaml").symlink_to("gone.yaml")
    with pytest.raises(UsageError, match="broken link"):
        discover([tmp_path])
    # an excluded link is not looked at
    found = discover([tmp_path], Config(exclude=["gone.yaml", "loop.yaml"]))
    assert [p.name for p in found.files] == ["good.yaml"]


def _rglob_walk(root: Path, config: Config) -> tuple[list[Path], list[Skipped]]:
    """The walk as it was written first (rglob, then dropping hidden paths): the reference."""
    from planctl.config import CONFIG_NAMES
    from planctl.discover import PLAN_SUFFIXES, _hidden

    found: list[Path] = []
    skipped: list[Skipped] = []
    inside = root.resolve()
    children = sorted(root.rglob("*"))
    for link in children:
        if link.is_symlink() and link.is_dir():
            if not _hidden(link.relative_to(root)) and not link.resolve().is_relative_to(inside):
                skipped.append(Skipped(link, "outside"))
    for child in children:
        if _hidden(child.relative_to(root)):
            continue
        if child.suffix not in PLAN_SUFFIXES or not child.is_file():
            continue
        if child.name in CONFIG_NAMES or any(child.match(g) for g in config.exclude):
            continue
        if not child.resolve().is_relative_to(inside):
            skipped.append(Skipped(child, "outside"))
            continue
        found.append(child)
    return found, skipped


def test_the_walk_skips_hidden_folders_and_finds_what_rglob_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hidden folders (.git, the result cache) are not entered; the files found, the
    links refused and what discovery learnt of each file are as before."""
    import os

    from planctl import discover as discover_mod

    out = tmp_path / "outside"
    (out / "d").mkdir(parents=True)
    (out / "o.yaml").write_text("x", "utf-8")
    (out / "d" / "p.yaml").write_text("x", "utf-8")
    repo = tmp_path / "repo"
    for folder in ("a/b", ".hidden/deep", "ex", "dir.yaml", ".planctl_cache/v3/ab"):
        (repo / folder).mkdir(parents=True)
    for name in (
        "p.yaml", "planctl.yaml", "a/b/c.yml", "a/.dot.yaml", "a/x.txt", "ex/e.yaml",
        ".hidden/deep/h.yaml", ".planctl_cache/v3/ab/e.json",
    ):  # fmt: skip
        (repo / name).write_text("x", "utf-8")
    try:
        os.symlink(out, repo / "linkdir")
        os.symlink(out / "o.yaml", repo / "linkfile.yaml")
        os.symlink(repo / "a", repo / "inlink")
        os.symlink(repo / "p.yaml", repo / "in.yaml")
        os.symlink(repo / "a", repo / ".hidlink")
    except (OSError, NotImplementedError):
        pytest.skip("no symbolic links here")
    config = Config(exclude=["ex/*"])
    monkeypatch.chdir(tmp_path)
    for root in (repo, repo / "a", Path("repo")):
        found: list[Path] = []
        skipped: list[Skipped] = []
        known: dict[Path, tuple[Path, bool]] = {}
        discover_mod._walk(root, config, found, skipped, known)
        assert (found, skipped) == _rglob_walk(root, config)
        assert {f: (f.resolve(), f.is_symlink()) for f in found} == known
    scanned: list[str] = []
    real_scandir = os.scandir

    def scandir(folder: Any) -> Any:
        scanned.append(str(folder))
        return real_scandir(folder)

    monkeypatch.setattr(discover_mod.os, "scandir", scandir)
    assert [p.name for p in discover([repo], config).files] == ["c.yml", "in.yaml"]
    inside = [Path(s).relative_to(repo).parts for s in scanned]
    assert inside and not [p for p in inside if any(x.startswith(".") for x in p)], scanned
    assert discover([repo], config).linked == {repo / "in.yaml"}
