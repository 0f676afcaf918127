"""Directory discovery (planctl.discover): which files a command works on, in which order."""

from __future__ import annotations

from pathlib import Path

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
