"""The plan's term: valid_from / valid_until and how the document states it."""

from __future__ import annotations

from datetime import date

from planctl.examples import apply_patch, base_data
from planctl.model import Plan
from planctl.render.chapters import effect_clause


def test_valid_until_defaults_to_review_due() -> None:
    plan = Plan(base_data())
    assert plan.valid_until == date(2029, 3, 2)
    assert plan.valid_from == date(2026, 3, 2)


def test_valid_until_wins_over_review_due() -> None:
    plan = Plan(apply_patch(base_data(), "metadata.valid_until: 2028-12-31"))
    assert plan.valid_until == date(2028, 12, 31)


def test_on_issue_starts_at_issue_date() -> None:
    plan = Plan(apply_patch(base_data(), "metadata.effective: on issue"))
    assert plan.valid_from == date(2026, 3, 2)


def test_placeholder_or_missing_dates_are_none() -> None:
    patch = "metadata.valid_until: 【待填：有效期】\nmetadata.review_due: <delete>"
    plan = Plan(apply_patch(base_data(), patch))
    assert plan.valid_until is None
    assert Plan(apply_patch(base_data(), "metadata.review_due: <delete>")).valid_until is None


def test_effect_clause_states_only_a_stated_validity() -> None:
    meta = base_data()["metadata"]
    assert "有效期" not in effect_clause(meta)
    meta["valid_until"] = "2029-03-01"
    assert effect_clause(meta) == "本预案自2026年3月2日起施行，有效期至2029年3月1日。"
    meta["effective"] = "on issue"
    meta["supersedes"] = {"version": "0.9"}
    assert effect_clause(meta) == "本预案自印发之日起施行，有效期至2029年3月1日，0.9版同时废止。"
