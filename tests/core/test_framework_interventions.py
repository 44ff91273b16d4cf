"""The ``interventions:`` section of the framework file: the menu, its defaults and its checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.core import framework
from pmf.core.framework import load_framework
from tests.factories import GOOD, problems

MENU = (
    "interventions:\n"
    "  categories:\n"
    "    - {code: A, name: Urgent, report_within_months: 1}\n"
    "    - {code: A, name: Later, report_within_months: 0}\n"
    "  actions:\n"
    "    - {code: visit, name: Peer visit, description: Visit a better performing peer.}\n"
)


def test_default_menu_is_hampshires_appendix_two() -> None:
    menu = load_framework(GOOD).model.interventions
    assert [(c.name, c.report_within_months) for c in menu.categories] == [
        ("Category one", 6),
        ("Category two", 3),
        ("Category three", 2),
        ("Category four", 1),
    ]
    names = [action.name for action in menu.actions]
    assert names[0] == "Strategic action plan" and names[-1] == "Resources"
    assert "Peer review" in names and "Mystery shopping" in names
    assert (menu.remind_within_days, menu.data_due_day) == (7, 10)


def test_menu_from_the_file_replaces_the_default() -> None:
    text = GOOD + MENU.replace("report_within_months: 0", "report_within_months: 2").replace(
        "{code: A, name: Later", "{code: B, name: Later"
    )
    menu = load_framework(text).model.interventions
    assert [c.code for c in menu.categories] == ["A", "B"]
    assert [a.description for a in menu.actions] == ["Visit a better performing peer."]


def test_problems_in_the_menu_name_their_lines() -> None:
    lines = (GOOD + MENU).splitlines()
    last = lines.index("    - {code: A, name: Later, report_within_months: 0}") + 1
    assert problems(GOOD + MENU) == [
        f"framework.yaml:{last} interventions.categories[1].report_within_months: "
        "0 must be at least 1"
    ]
    fixed = GOOD + MENU.replace("report_within_months: 0", "report_within_months: 2")
    assert problems(fixed) == [
        f"framework.yaml:{last} interventions.categories[1].code: "
        "'A' is already used by interventions.categories[0]"
    ]


@pytest.mark.parametrize(
    "field",
    sorted(
        {
            name
            for model in (
                framework.Interventions,
                framework.InterventionCategory,
                framework.InterventionAction,
            )
            for name in model.model_fields
        }
        | {"interventions"}
    ),
)
def test_every_interventions_field_is_in_the_reference(field: str) -> None:
    reference = Path(__file__).resolve().parents[2] / "docs" / "framework.md"
    assert f"`{field}`" in reference.read_text(encoding="utf-8")
