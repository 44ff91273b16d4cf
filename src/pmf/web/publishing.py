"""Publish a cycle: open data (CSV and JSON with metadata) and a static public scorecard site.

``publish_cycle(cycle, out)`` writes, from a published cycle as its data were locked:

- ``index.html``: the organisation's grades by unit and area, the changes since the last
  cycle and the tube map; a page per unit with its scorecard (``units/CODE.html``);
- ``maps.html``, where the framework has boundaries: each redline's map of the published
  units with its table (``pmf.web.maps.published``);
- ``data/``: ``assessments.csv|json`` (every unit and measure as assessed at the cut-off),
  ``grades.csv|json``, ``measures.json`` (definitions, standards, sources) and
  ``metadata.json`` (publisher, licence, cycle, cut-off, when the figures were locked,
  methods), described on ``open-data.html``;
- ``assets/``: the style sheets and images the pages use.

The site needs no sign-in and no server: open ``index.html`` or copy the folder to any web
host. Nothing is published from a cycle that is not published.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from pmf.core.history import changes_summary, grade_changes
from pmf.core.periods import parse_period
from pmf.core.scorecard import (
    build_scorecard,
    mark_words_translated,
    marks_legend,
    met_words,
    variation_words,
)
from pmf.core.text import period_name
from pmf.reports import manifest
from pmf.reports.charts.tube import tube_map_svg
from pmf.sources.exporters import neutralise
from pmf.web.accessibility.config import AccessibilityConfig
from pmf.web.accessibility.notice import notice_context
from pmf.web.accessibility.views import current_config
from pmf.web.cycles.models import Cycle
from pmf.web.cycles.presenters import grade_text, scale_words
from pmf.web.cycles.services import (
    cycle_assessment,
    cycle_framework,
    grade_history,
    previous_cycle,
)
from pmf.web.frameworks.services import grade_scale
from pmf.web.maps.published import published_maps
from pmf.web.observations.marks import marks_for
from pmf.web.publication import manifest_body
from pmf.web.scores.presenters import scores_of_scorecard

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


class NotPublished(ValueError):
    """Raise when a cycle that is not published is asked to be published."""


def publish_cycle(
    cycle: Cycle,
    out: Path,
    *,
    signing_key: Ed25519PrivateKey | None = None,
    accessibility: AccessibilityConfig | None = None,
) -> list[Path]:
    """Write the cycle's public site and open data into ``out``; return the files written.

    The site is sealed with its manifest (``pmf.web.publication``): signed with
    ``signing_key``, or marked unsigned without one. Its accessibility statement
    (``accessibility.html``) is written from ``accessibility``, or from the file
    ``PMF_ACCESSIBILITY`` names; with neither, the site has none.
    """
    if cycle.state != Cycle.State.PUBLISHED:
        raise NotPublished(
            f"cycle {cycle.number} is {cycle.get_state_display().lower()}: only a published "
            "cycle is published"
        )
    foreign = manifest.foreign_files(out)
    for name in foreign:
        manifest.refuse_private_key(out / name)
    if foreign:
        named = ", ".join(foreign[:5]) + (
            f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise NotPublished(
            f"{out} holds files pmf did not publish ({named}): every file of the folder is "
            "sealed with the site, so publish into an empty folder or the folder of an earlier "
            "pmf publish"
        )
    organisation = cycle.organisation
    framework = cycle_framework(cycle)
    internal = [unit for unit in framework.units if not unit.external]
    assessment = cycle_assessment(cycle, units=[unit.code for unit in internal])
    label = parse_period(cycle.cut_off).label
    grades = list(cycle.grades.select_related("unit", "area"))
    previous = previous_cycle(cycle)
    before = list(previous.grades.select_related("unit", "area")) if previous else []
    current = {(g.unit.code, g.area.code): g.grade for g in grades}
    earlier = {(g.unit.code, g.area.code): g.grade for g in before}
    tops = framework.roots()
    scale = grade_scale(organisation)
    context: dict[str, Any] = {
        "organisation": {"code": organisation.code, "name": organisation.name},
        # The cut-off in the site's language (``label`` is the English the scorecard reads).
        "cycle": {
            "number": cycle.number,
            "name": cycle.name,
            "data_to": period_name(cycle.cut_off),
        },
        "licence": organisation.licence or LICENCE,
        "source": organisation.source,
        "areas": [{"code": a.code, "title": a.title} for a in framework.areas],
        "scale": scale_words(scale),
    }
    a11y = accessibility if accessibility is not None else current_config()
    context["accessibility"] = a11y is not None
    published = manifest.published_before(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "units").mkdir(exist_ok=True)
    (out / "data").mkdir(exist_ok=True)
    written: list[Path] = []

    def write(path: str, text: str) -> None:
        target = out / path
        target.write_text(text, encoding="utf-8")
        written.append(target)

    # Where each value and grade is shown, and as what: the manifest's items (ADR 0058).
    shown: dict[tuple[str, str, str], dict[str, str]] = {}
    grades_shown: dict[tuple[str, str], dict[str, str]] = {}

    def graded(unit: str, area: str, page: str) -> dict[str, str]:
        grade = grade_text(current.get((unit, area)), scale=scale)
        if grade["value"]:
            grades_shown.setdefault((unit, area), {})[page] = grade["label"]
        return {**grade, "unit": unit, "area": area}

    depth: dict[str, int] = {}
    rows = []
    for unit in internal:
        depth[unit.code] = depth[unit.parent] + 1 if unit.parent in depth else 0
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "level": depth[unit.code],
                "grades": [graded(unit.code, a.code, "index.html") for a in framework.areas],
            }
        )
    summary = (
        changes_summary(
            grade_changes(earlier, current, scale),
            top_unit=tops[0].code if tops else "",
            unit_names={unit.code: unit.name for unit in framework.units},
            area_names={area.code: area.name for area in framework.areas},
        ).as_dict()
        if previous
        else None
    )
    maps = published_maps(organisation, framework, assessment)
    write(
        "index.html",
        render_to_string(
            "publish/index.html",
            {
                **context,
                "root": "",
                "units": rows,
                "changes": summary,
                "previous": previous.number if previous else None,
                "tube_map": _tube_map(cycle, framework),
                "has_maps": bool(maps),
            },
        ),
    )
    # Each figure's marks as it was locked: provisional, stored with accepted warnings.
    marks = marks_for(
        organisation,
        framework,
        as_at=cycle.locked_at,
        periods=set(assessment["period"].to_list()),
    )
    for unit in internal:
        scorecard = build_scorecard(framework, assessment, unit.code, as_at=label, marks=marks)
        for section in scorecard.sections:
            for row in section.rows:
                if row.value is None:
                    continue
                page = f"units/{unit.code}.html"
                shown.setdefault((unit.code, row.measure, row.period), {})[page] = row.value_text
        write(
            f"units/{unit.code}.html",
            render_to_string(
                "publish/unit.html",
                {
                    **context,
                    "root": "../",
                    "unit": {"code": unit.code, "name": unit.name},
                    "grades": [
                        {
                            "area": a.title,
                            "grade": graded(unit.code, a.code, f"units/{unit.code}.html"),
                        }
                        for a in framework.areas
                    ],
                    "sections": [
                        {
                            "title": section.title,
                            "rows": [
                                {
                                    **row.as_dict(),
                                    "period_label": period_name(row.period),
                                    "met_text": met_words(row.met_text),
                                    "variation_text": variation_words(row.variation),
                                    "standard_text": row.standard_text,
                                    "mark": row.mark,
                                    "mark_words": mark_words_translated(
                                        row.provisional, row.warned
                                    ),
                                }
                                for row in section.rows
                            ],
                        }
                        for section in scorecard.sections
                    ],
                    "has_marks": scorecard.has_marks,
                    "marks_legend": marks_legend(),
                    "scores": scores_of_scorecard(framework, scorecard),
                },
            ),
        )
    if maps:
        for found in maps:
            for row in found["rows"]:
                if row["value"] is not None:
                    key = (row["unit"], found["measure_code"], found["period_code"])
                    shown.setdefault(key, {})["maps.html"] = row["value_text"]
        write(
            "maps.html",
            render_to_string("publish/maps.html", {**context, "root": "", "maps": maps}),
        )
    write("open-data.html", render_to_string("publish/open_data.html", {**context, "root": ""}))
    if a11y is not None:
        a11y_page = {**context, "root": "", "a11y": notice_context(a11y, "public")}
        write("accessibility.html", render_to_string("publish/accessibility.html", a11y_page))
    records = [
        {"organisation": organisation.code, "cycle": cycle.number, **record}
        for record in assessment.drop("spc_points").to_dicts()
    ]
    write("data/assessments.csv", _csv(records))
    write("data/assessments.json", json.dumps(records, indent=1, default=str, ensure_ascii=False))
    grade_records = [
        {
            "organisation": organisation.code,
            "cycle": cycle.number,
            "unit": g.unit.code,
            "area": g.area.code,
            "grade": g.grade,
            # The open data stay in English, whatever the pages' language.
            "grade_label": _english(scale.label, g.grade),
            "recommended": g.recommended,
        }
        for g in grades
    ]
    write("data/grades.csv", _csv(grade_records))
    write("data/grades.json", json.dumps(grade_records, indent=1, ensure_ascii=False))
    measures = [
        {
            **measure.model_dump(mode="json", exclude={"standard"}),
            "standards": [standard.model_dump(mode="json") for standard in measure.standard],
        }
        for measure in framework.measures
    ]
    write("data/measures.json", json.dumps(measures, indent=1, ensure_ascii=False))
    metadata = {
        "title": f"{organisation.name}: scorecard, cycle {cycle.number} ({cycle.name})",
        "publisher": organisation.name,
        "licence": organisation.licence or LICENCE,
        "licence_url": LICENCE_URL,
        "source": organisation.source,
        "cycle": cycle.number,
        "data_to": cycle.cut_off,
        "figures_locked_at": cycle.locked_at.isoformat() if cycle.locked_at else None,
        "methods": "pmf's docs/methods.md: every statistic, its source and every deviation",
        "grade_scale": scale.as_dict(),
        "files": {
            "assessments.csv": "every unit and measure as assessed at the cut-off",
            "grades.csv": "each unit's grade for each area",
            "measures.json": "measure definitions, standards and sources",
        },
    }
    write("data/metadata.json", json.dumps(metadata, indent=1, ensure_ascii=False))
    assets = out / "assets"
    static = Path(settings.BASE_DIR) / "static"
    shutil.copytree(
        static / "vendor" / "govuk-frontend", assets / "govuk-frontend", dirs_exist_ok=True
    )
    shutil.copy2(static / "pmf" / "pmf.css", assets / "pmf.css")
    shutil.copy2(static / "pmf" / "favicon.svg", assets / "favicon.svg")
    body = manifest_body(cycle, framework, records, shown, grade_records, grades_shown)
    copied = {path.relative_to(out).as_posix() for path in assets.rglob("*") if path.is_file()}
    now = {path.relative_to(out).as_posix() for path in written} | copied
    manifest.stale_files(out, published, now)
    written += manifest.seal(out, body, signing_key)
    return written


def _csv(records: list[dict[str, Any]]) -> str:
    if not records:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: neutralise(value) for key, value in record.items()})
    return buffer.getvalue()


def _tube_map(cycle: Cycle, framework: Any) -> str:
    cycles = list(
        cycle.organisation.cycles.filter(
            number__lte=cycle.number, state=Cycle.State.PUBLISHED
        ).order_by("number")
    )
    labels, grades = grade_history(cycles)
    areas = [(area.code, area.title) for area in framework.areas]
    scale = grade_scale(cycle.organisation)
    return tube_map_svg(labels, areas, grades, title=_("Grades by cycle"), scale=scale)


def _english(say: Callable[[str], str], value: str) -> str:
    """Return ``say(value)`` in British English, for the open data, whatever the site's language."""
    from django.utils import translation

    with translation.override("en-gb"):
        return say(value)
