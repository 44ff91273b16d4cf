"""Shape the entry pages: the data-entry form, the import page and a background import's job."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmf.core.framework import Measure
from pmf.core.periods import Period
from pmf.core.text import format_count, format_value
from pmf.web.accounts.models import Membership
from pmf.web.entry.models import ImportJob
from pmf.web.entry.services import (
    IGNORE,
    PERIOD_COLUMN,
    Review,
    enterable_measures,
    job_progress,
    recent_jobs,
)
from pmf.web.frameworks.models import Organisation, Unit
from pmf.web.frameworks.services import framework_of
from pmf.web.observations.services import held_observations

STATUSES = (
    ("provisional", gettext_lazy("Provisional")),
    ("validated", gettext_lazy("Validated")),
    ("signed_off", gettext_lazy("Signed off")),
)


def entry_page(
    organisation: Organisation,
    unit: Unit,
    membership: Membership,
    period: Period | None,
    typed: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Return the form's rows: one per measure reported by the period's kind.

    ``typed`` holds what the person entered, by measure, to show again after a problem
    instead of the figures held.
    """
    rows = []
    if period is not None:
        held = held_observations(organisation).filter(
            (pl.col("unit") == unit.code) & (pl.col("period") == period.code)
        )
        current = {row["measure"]: row for row in held.iter_rows(named=True)}
        framework = framework_of(organisation)
        for measure in enterable_measures(membership):
            if measure.frequency != period.kind.value:
                continue
            held_observation = {
                key: _input_text(value, framework.measure(measure.code) if key == "value" else None)
                for key, value in current.get(measure.code, {}).items()
                if key in ("value", "numerator", "denominator")
            }
            shown = {
                **current.get(measure.code, {}),
                **held_observation,
                **(typed or {}).get(measure.code, {}),
            }
            rows.append(
                {
                    "code": measure.code,
                    "name": measure.name,
                    "ratio": bool(measure.denominator),
                    "value": shown.get("value"),
                    "numerator": shown.get("numerator"),
                    "denominator": shown.get("denominator"),
                    "status": shown.get("status", "provisional"),
                    "note": shown.get("note", ""),
                    "revision": current.get(measure.code, {}).get("revision"),
                }
            )
    statuses = [
        (code, str(label))
        for code, label in STATUSES
        if code != "signed_off" or membership.may_sign_off
    ]
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "unit": {"code": unit.code, "name": unit.name},
        "period": {"code": period.code, "label": period.label} if period else None,
        "rows": rows,
        "statuses": statuses,
    }


# What a column of an imported file may hold, as the mapping form offers it.
COLUMN_CHOICES = (
    ("unit", gettext_lazy("Unit")),
    ("measure", gettext_lazy("Measure")),
    ("period", gettext_lazy("Period")),
    ("value", gettext_lazy("Value")),
    ("numerator", gettext_lazy("Numerator")),
    ("denominator", gettext_lazy("Denominator")),
    ("status", gettext_lazy("Status")),
    ("note", gettext_lazy("Note")),
    ("source", gettext_lazy("Source")),
    ("age_band", gettext_lazy("Age band (a standardised measure)")),
    (PERIOD_COLUMN, gettext_lazy("A period (wide layout)")),
    (IGNORE, gettext_lazy("Leave it out")),
)
PREVIEW_COLUMNS = ("unit", "measure", "period", "value", "numerator", "denominator", "status")


def import_page(
    organisation: Organisation,
    membership: Membership,
    review: Review | None = None,
    problems: list[str] | None = None,
) -> dict[str, Any]:
    """Return the import page: the upload form, or a file's mapping with its preview or problems.

    The recent background imports listed are the member's own when they are scoped to a unit,
    as the job pages are.
    """
    data: dict[str, Any] = {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "problems": list(problems or []),
        "column_choices": [(code, str(label)) for code, label in COLUMN_CHOICES],
        "review": None,
        "jobs": [job_summary(job) for job in recent_jobs(organisation, membership)],
    }
    if review is None:
        return data
    from pmf.web.entry.services import warning_rows

    errors = {problem.field: problem.message for problem in review.field_problems}
    result = review.result
    row_problems = result.problems if result is not None else []
    preview = result.observations.head(20).to_dicts() if result is not None and result.ok else []
    framework = framework_of(organisation) if preview else None
    data["review"] = {
        "token": review.token,
        "name": review.name,
        "layout": review.mapping.layout,
        "layout_error": errors.get("layout", ""),
        "columns": [
            {
                "id": f"column-{index}",
                "name": column,
                "choice": choice,
                "samples": ", ".join(samples),
                "error": errors.get(f"column-{index}", ""),
            }
            for index, (column, choice, samples) in enumerate(
                zip(review.mapping.columns, review.mapping.choices, review.samples, strict=True)
            )
        ],
        "field_problems": [
            {"field": problem.field, "message": problem.message}
            for problem in review.field_problems
        ],
        "file_problem": review.file_problem,
        "warnings": warning_rows(review.warnings) if review.warnings is not None else [],
        "ready": review.ready,
        "background": review.background,
        "figures": review.observation_count,
        # False: only the top of a large workbook was read; it holds at least ``figures``.
        "counted": review.counted,
        "preview": [
            {
                "row": row["row"],
                **{name: _cell(row.get(name)) for name in PREVIEW_COLUMNS},
                # As the pages show them: the measure's decimals, counts with separators.
                "value": _preview_value(row.get("value"), row.get("measure"), framework),
                "numerator": _count(row.get("numerator")),
                "denominator": _count(row.get("denominator")),
                "note": row.get("note") or "",
            }
            for row in preview
        ],
        "row_problems": row_problems[:200],
        "problem_count": len(row_problems),
    }
    return data


def job_summary(job: ImportJob) -> dict[str, Any]:
    """Return one line about a job for the list of recent imports."""
    return {
        "id": job.pk,
        "file_name": job.file_name,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "created_at": job.created_at,
    }


def job_page(job: ImportJob) -> dict[str, Any]:
    """Return a background import as its page, its progress fragment and its JSON show it."""
    done, total = job_progress(job)
    measured = job.status == ImportJob.Status.IMPORTING or job.finished
    percent = round(100 * done / total) if measured and total else (100 if job.finished else 0)
    return {
        "organisation": {"code": job.organisation.code, "name": job.organisation.name},
        "id": job.pk,
        "file_name": job.file_name,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "finished": job.finished,
        "rows_done": done,
        "rows_total": total,
        "percent": percent,
        # The progress bar shows how far it is only while storing; before that it is busy.
        "measured": measured,
        "count": _("{done} of {total} rows ({percent}%)").format(
            done=f"{done:,}", total=f"{total:,}", percent=percent
        )
        if measured
        else _("{total} rows").format(total=f"{total:,}"),
        "message": _job_message(job, done, total),
        "summary": job.summary,
        "problems": job.problems,
        "problem_count": job.problem_count,
        "created_by": job.created_by.get_username() if job.created_by else None,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def _job_message(job: ImportJob, done: int, total: int) -> str:
    # Said by screen readers as the status changes: one sentence per stage, not per chunk.
    if job.status == ImportJob.Status.QUEUED:
        return _("Waiting for the worker to start the import.")
    if job.status == ImportJob.Status.CHECKING:
        return _("Checking every row of {file}.").format(file=job.file_name)
    if job.status == ImportJob.Status.IMPORTING:
        return _("Storing {count} figures.").format(count=f"{total:,}")
    if job.status == ImportJob.Status.DONE:
        return _("Done. {summary}").format(summary=job.summary)
    return _("Failed: {summary}").format(summary=job.summary)


def _input_text(value: object, measure: Measure | None = None) -> str:
    """Return a held figure as a form field shows it: "683", not "683.0".

    A value the measure's decimals hold exactly is written with them ("12.50" for a measure
    of two decimals); any other keeps every digit, so that saving the form unchanged changes
    no figure.
    """
    if value is None:
        return ""
    if not isinstance(value, float):
        return str(value)
    if measure is not None and round(value, measure.decimals) == value:
        return f"{value:.{measure.decimals}f}"
    if value.is_integer():
        return str(int(value))
    return repr(value)


def _preview_value(value: object, code: object, framework: Any) -> str:
    if not isinstance(value, (int, float)):
        return _cell(value)
    try:
        measure = framework.measure(code)
    except (AttributeError, KeyError):
        return _cell(value)
    return format_value(float(value), measure)


def _count(value: object) -> str:
    if not isinstance(value, (int, float)):
        return _cell(value)
    if float(value).is_integer():
        return format_count(float(value))
    return f"{value:,}"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.10g}"
    return str(value)
