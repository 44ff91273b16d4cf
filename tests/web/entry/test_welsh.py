"""The import page's mapping form and a job's progress, in Welsh for a Welsh reader."""

from __future__ import annotations

from django.utils import translation

from pmf.web.entry.services import ColumnMapping, FieldProblem


def test_the_mapping_forms_problems_name_each_column_in_welsh() -> None:
    mapping = ColumnMapping(("Ardal", "Mesur", "201907"), ("unit", "unit", ""), "long")
    with translation.override("cy"):
        problems = mapping.problems()
    assert problems == [
        FieldProblem(
            "column-1", "‘Mesur’: dim ond un golofn a all ddal unit, ac mae ‘Ardal’ yn gwneud hynny"
        ),
        FieldProblem("column-2", "Dewiswch beth sydd yn y golofn ‘201907’"),
    ]
    # In English, as before.
    assert mapping.problems()[1] == FieldProblem(
        "column-2", "Choose what the column ‘201907’ holds"
    )


def test_a_layout_left_unchosen_is_asked_for_in_welsh() -> None:
    with translation.override("cy"):
        problems = ColumnMapping(("unit",), ("unit",), "").problems()
    assert problems == [FieldProblem("layout", "Dewiswch a yw'r ffeil yn hir neu'n llydan")]
