"""Sentences that were pieced together in English, now translated whole for Welsh readers."""

from __future__ import annotations

import pytest
from django.utils import translation

from pmf.core.history import GradeChange, changes_summary, grade_changes
from tests.core.test_history import AREAS, CYCLE_1, CYCLE_2, UNITS


@pytest.fixture(autouse=True)
def _django_translates_the_core() -> None:
    """The web application installs Django's translator when it starts (AccountsConfig)."""
    from pmf.web.i18n import install_core_translations

    install_core_translations()


def _summary(changes: list[GradeChange]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    summary = changes_summary(changes, top_unit="FORCE", unit_names=UNITS, area_names=AREAS)
    return summary.command_level, summary.top_level


def test_the_changes_in_grades_are_whole_welsh_sentences_with_welsh_grade_names() -> None:
    changes = grade_changes(CYCLE_1, CYCLE_2)
    with translation.override("cy"):
        command_level, top_level = _summary(changes)
        text = changes_summary(changes, top_unit="FORCE", unit_names=UNITS, area_names=AREAS).text

    assert command_level == (
        "Dau welliant, y ddau yn South LPA (AG i Da ar gyfer FOCUS a SERVICE USER).",
        "Chwech o israddiadau, pedwar yn PROCESS.",
    )
    assert top_level == (
        "Un newid: israddiad o Da i AG ar gyfer PROCESS.",
        "Dim gradd ar gyfer INNOVATION (graddiwyd yn Da yn y cylch diwethaf).",
    )
    assert text.startswith("- Lefel yr unedau rheoli:\n")
    # The English is as it was, word for word, once Welsh is no longer active.
    assert _summary(changes)[0][1] == "Six downgrades, four in PROCESS."


def test_each_kind_and_count_of_change_in_grades_reads_in_welsh() -> None:
    changes = [
        GradeChange("NORTH", "FOCUS", "good", "requires_improvement"),
        GradeChange("SOUTH", "FOCUS", "good", "requires_improvement"),
        GradeChange("WEST", "FOCUS", "good", "inadequate"),
        GradeChange("NORTH", "INNOVATION", "no_grade", "good"),
        GradeChange("FORCE", "FOCUS", "requires_improvement", "good"),
        GradeChange("FORCE", "SERVICE", "requires_improvement", "good"),
    ]
    with translation.override("cy"):
        command_level, top_level = _summary(changes)
        nothing = _summary([])

    assert command_level == (
        "Tri o israddiadau, pob un yn FOCUS (Da i AG yn North LPA a South LPA; "
        "Da i Annigonol yn West LPA).",
        "Un radd newydd, yn North LPA (dim gradd i Da ar gyfer INNOVATION).",
    )
    assert top_level == ("Dau o newidiadau: gwelliannau o AG i Da ar gyfer FOCUS a SERVICE USER.",)
    assert nothing == (("Dim newidiadau.",), ("Dim newidiadau.",))
