"""The key drivers of a calculated redline, beside its chart in the board paper.

One table: a row per component, a column per comparison that splits (since the previous
period, since the same period last year, against the standard), each cell the component's
contribution and its contribution to the percentage change; then the sentence the
rationale says. The split is ``pmf.core.drivers``' of the cycle's assessment as locked.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from django.utils.translation import gettext as _

from pmf.core.drivers import chosen, key_drivers, rows, sentence, shape_for, signed
from pmf.core.framework import Framework, Measure
from pmf.core.periods import ParseError
from pmf.core.text import period_name
from pmf.reports.document import Paragraph, Table
from pmf.web.cycles.models import Cycle
from pmf.web.cycles.services import cycle_assessment


def drivers_assessment(
    cycle: Cycle, framework: Framework, unit: str, measures: Sequence[Measure]
) -> pl.DataFrame | None:
    """Return the cycle's assessment of ``unit`` when one of ``measures`` splits, else None.

    Read once for an area's redlines, and only when the paper has key drivers to show.
    """
    if not any(shape_for(measure) is not None for measure in measures):
        return None
    return cycle_assessment(cycle, units=[unit])


def key_driver_blocks(
    framework: Framework,
    assessment: pl.DataFrame | None,
    unit: str,
    unit_name: str,
    measure: Measure,
) -> list[Paragraph | Table]:
    """Return the key drivers table and sentence of ``measure`` for ``unit``, or nothing.

    Nothing for a measure that is not calculated, whose formula does not split, or without
    a figure in ``assessment`` (the cycle's, at its cut-off).
    """
    shape = shape_for(measure)
    if shape is None or assessment is None:
        return []
    found = key_drivers(framework, assessment, unit, measure.code, shape)
    if found is None:
        return []
    split = [comparison for comparison in found.comparisons if comparison.drivers]
    blocks: list[Paragraph | Table] = []
    if split:
        cells: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for comparison in split:
            for row in rows(framework, measure, comparison):
                key = row["code"] or "unexplained"
                names[key] = row["name"]
                cells.setdefault(key, [""] * len(split))
                cells[key][split.index(comparison)] = (
                    f"{row['contribution_text']} ({row['percent_text']})"
                )
        totals = tuple(
            f"{_change(comparison.change, measure)} ({_percent(comparison.percent)})"
            for comparison in split
        )
        blocks.append(
            Table(
                caption=_(
                    "{measure}, {unit}: key drivers of the change to {period}: each component's "
                    "contribution in the measure's units (and to its percentage change). "
                    "Calculated as {formula}; the method is in methods.md, Key drivers."
                ).format(
                    measure=measure.name,
                    unit=unit_name,
                    period=_period_label(found.period),
                    formula=measure.formula,
                ),
                header=(
                    _("Component"),
                    *(_heading(comparison.label, comparison.against.value) for comparison in split),
                ),
                rows=(
                    *(
                        (names[key], *(cell or "–" for cell in values))
                        for key, values in cells.items()
                    ),
                    (_("{measure} (the change)").format(measure=measure.name), *totals),
                ),
            )
        )
    picked = chosen(framework, found)
    said = sentence(framework, measure, picked) if picked is not None else None
    if said:
        blocks.append(Paragraph(said, lead=_("Key drivers:")))
    unsplit = [comparison for comparison in found.comparisons if not comparison.drivers]
    if unsplit and split:
        blocks.append(
            Paragraph(
                "; ".join(
                    _("against {comparison}, not split: {reason}").format(
                        comparison=_named(comparison.label) or _("the earlier period"),
                        reason=comparison.reason,
                    )
                    for comparison in unsplit
                )
                + "."
            )
        )
    return blocks


def _heading(label: str, against: str) -> str:
    if against == "standard":
        return _("Against {label}").format(label=label)
    return _("Since {label}").format(label=_named(label))


def _named(label: str) -> str:
    """Return a period's label in the reader's language; any other text as it is."""
    try:
        return period_name(label)
    except (ParseError, ValueError):
        return label


def _change(value: float | None, measure: Measure) -> str:
    return "–" if value is None else signed(value, measure.decimals, "")


def _percent(value: float | None) -> str:
    return "–" if value is None else signed(value)


def _period_label(code: str) -> str:

    return period_name(code)
