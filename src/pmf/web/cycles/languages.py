"""pmf's own texts on a cycle's grades in every language of the site, and the one a reader sees.

At the lock pmf writes each grade's rationale, the reasons for its recommended grade and the
recommendation's summary in English (the grade's and the step's own fields, which the JSON
API and the audit trail's record hold) and in every other language of ``settings.LANGUAGES``
(their ``translations``, by language: ``{"cy": {"rationale_generated": ..., "reasons":
[...]}}`` on the grade, ``{"cy": {"text": ...}}`` on the step). A reader sees pmf's texts in
their own language.

A text a person wrote is theirs: it is shown as written in every language, unless they gave a
version of it in the reader's language too (``translations[language]["rationale"]``, from the
rationale's edit form). So whether the rationale was edited is judged in the reader's
language: the text shown against pmf's own text in that language.

A cycle locked before pmf kept its texts in every language has them in English only; its
readers see the English, and the pages say it is English (:func:`rationale_in_english`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl
from django.conf import settings
from django.utils import translation

from pmf.core.framework import Framework
from pmf.core.grading import recommend_grades
from pmf.core.rationale import rationale
from pmf.web.cycles.models import AreaGrade, GradeEvent

# A grade's fields whose text pmf may have written, with their translation's key: a person
# who writes one of these fields makes pmf's translation of it no longer apply.
GENERATED_FIELDS = ("agreed_rationale",)
# The steps whose text pmf writes: the recommendation, and the example history's agreement.
PMF_STEPS = (GradeEvent.Step.RECOMMENDED, GradeEvent.Step.AGREED)


def same_text(typed: str, stored: str) -> bool:
    """Say whether text typed in a form is ``stored`` as it was: the same lines, whatever ends
    them (a browser sends CR LF) and whatever spaces end them or the text."""

    def lines(text: str) -> list[str]:
        return [line.rstrip() for line in text.strip().splitlines()]

    return bool(stored) and lines(typed) == lines(stored)


def other_languages() -> list[str]:
    """Return the site's languages other than English (the fields' own), as ``LANGUAGES``."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def reader_language() -> str | None:
    """Return the reader's language when it is one of :func:`other_languages`, else None."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    for code in other_languages():
        if language in (code, code.split("-")[0]) or language.split("-")[0] == code:
            return code
    return None


def texts_by_grade(
    framework: Framework,
    assessment: pl.DataFrame,
    previous: pl.DataFrame | None,
    language: str,
) -> dict[tuple[str, str], dict[str, Any]]:
    """Return pmf's texts of every recommended grade in ``language``, by (unit, area).

    Each as the lock writes it in English: the rationale (``rationale_generated``), the
    reasons' sentences (``reasons``) and the recommendation's summary (``summary``), from the
    same assessment, with the framework's names as that language's readers see them.
    """
    with translation.override(language):
        shown = framework.english.in_language(language)
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for recommendation in recommend_grades(shown, assessment):
            text = rationale(
                shown, assessment, recommendation.unit, recommendation.area, previous=previous
            ).text
            found[(recommendation.unit, recommendation.area)] = {
                "rationale_generated": text,
                "reasons": [reason.text for reason in recommendation.reasons],
                "summary": recommendation.summary,
            }
    return found


def in_every_language(english: str, message: str) -> dict[str, dict[str, str]]:
    """Return a catalogue message's text in every other language: ``{"cy": {"text": ...}}``.

    ``message`` is the message as marked (English); ``english`` the text stored.
    """
    found = {}
    for language in other_languages():
        with translation.override(language):
            text = translation.gettext(message)
        if text != english:
            found[language] = {"text": text}
    return found


def _own(texts: dict[str, Any] | None, language: str | None) -> dict[str, Any]:
    if language is None or not isinstance(texts, dict):
        return {}
    found = texts.get(language)
    return found if isinstance(found, dict) else {}


def generated_rationale(grade: AreaGrade) -> str:
    """Return the rationale pmf generated, in the reader's language where it was kept."""
    return generated_in(grade, reader_language())


def generated_in(grade: AreaGrade, language: str | None) -> str:
    """Return the rationale pmf generated in ``language`` (None: English) where it was kept."""
    text = _own(grade.translations, language).get("rationale_generated")
    return text if isinstance(text, str) else grade.rationale_generated


def kept_generated(grade: AreaGrade, language: str) -> str:
    """Return the rationale pmf generated in ``language`` ("" when it was not kept)."""
    text = _own(grade.translations, language).get("rationale_generated")
    return text if isinstance(text, str) else ""


def person_version(grade: AreaGrade, language: str) -> str:
    """Return a person's version of the rationale in ``language`` ("" when none was given)."""
    text = _own(grade.translations, language).get("rationale")
    return text if isinstance(text, str) else ""


def shown_rationale(grade: AreaGrade) -> str:
    """Return the rationale as the reader reads it.

    pmf's text in the reader's language while nobody edited it; once a person edited it,
    their text as written, or the version they gave in the reader's language.
    """
    language = reader_language()
    if language is None:
        return grade.rationale
    version = person_version(grade, language)
    if version:
        return version
    if grade.rationale != grade.rationale_generated:
        return grade.rationale
    return generated_rationale(grade)


def rationale_edited(grade: AreaGrade) -> bool:
    """Say whether the rationale the reader reads is not pmf's own, in the reader's language."""
    return shown_rationale(grade) != generated_rationale(grade)


def in_english_only(grade: AreaGrade) -> bool:
    """Say whether pmf's texts on the grade are English only for this reader.

    True for a reader of another language when the cycle was locked before pmf kept its
    texts in every language: the reader is shown pmf's English, marked as English.
    """
    language = reader_language()
    return language is not None and "rationale_generated" not in _own(grade.translations, language)


def rationale_in_english(grade: AreaGrade) -> bool:
    """Say whether the rationale shown is pmf's English for want of the reader's language."""
    return in_english_only(grade) and shown_rationale(grade) == grade.rationale_generated


def event_in_english(event: GradeEvent) -> bool:
    """Say whether a step's text shown is pmf's English for want of the reader's language."""
    language = reader_language()
    return (
        language is not None
        and event.step in PMF_STEPS
        and "text" not in _own(event.translations, language)
        and bool(event.text)
    )


def shown_reasons(grade: AreaGrade) -> list[dict[str, Any]]:
    """Return the recommended grade's reasons, each sentence in the reader's language."""
    texts = _own(grade.translations, reader_language()).get("reasons")
    reasons: list[dict[str, Any]] = list(grade.reasons)
    if not isinstance(texts, list) or len(texts) != len(reasons):
        return reasons
    return [{**reason, "text": text} for reason, text in zip(reasons, texts, strict=True)]


def shown_field(grade: AreaGrade, field: str) -> str:
    """Return a text field of the grade (``GENERATED_FIELDS``) in the reader's language.

    Its translation is kept only while the field holds pmf's text.
    """
    text = _own(grade.translations, reader_language()).get(field)
    return text if isinstance(text, str) else str(getattr(grade, field))


def event_text(event: GradeEvent) -> str:
    """Return a step's text in the reader's language where pmf kept it, else as written."""
    text = _own(event.translations, reader_language()).get("text")
    return text if isinstance(text, str) else event.text


def forget_generated(grade: AreaGrade, field: str) -> list[str]:
    """Drop pmf's translations of ``field`` (a person writes it); return the fields to save."""
    changed = False
    for texts in (grade.translations or {}).values():
        if isinstance(texts, dict) and field in texts:
            del texts[field]
            changed = True
    return ["translations"] if changed else []


def shown_words(grades: Iterable[AreaGrade]) -> dict[str, str]:
    """Return pmf's English texts on these grades with the reader's text for each.

    The generated rationale, a generated agreed rationale and the recommendation's summary,
    for the audit trail, whose record holds the English: a value that is exactly one of
    these texts is pmf's, and is shown in the reader's language.
    """
    language = reader_language()
    if language is None:
        return {}
    found: dict[str, str] = {}
    for grade in grades:
        own = _own(grade.translations, language)
        pairs = [(grade.rationale_generated, own.get("rationale_generated"))]
        pairs += [(str(getattr(grade, field)), own.get(field)) for field in GENERATED_FIELDS]
        pairs += [
            (event.text, _own(event.translations, language).get("text"))
            for event in grade.events.all()
            if event.step in PMF_STEPS
        ]
        for english, text in pairs:
            if english and isinstance(text, str):
                found[english] = text
    return found
