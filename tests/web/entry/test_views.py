from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.observations.models import Observation

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_value(page: str, name: str) -> str:
    """Return the value a page's input of that name shows (whatever the order of attributes)."""
    import re

    field = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert field is not None, name
    value = re.search(r'\bvalue="([^"]*)"', field.group(0))
    return value.group(1) if value else ""


def test_owner_sees_only_their_measures_for_the_period(owner: User) -> None:
    page = client_for(owner).get("/TST/units/N/enter/", {"period": "2019-07"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Emergency response within target" in text
    assert "Crimes per 1,000" not in text
    assert 'value="75.0"' in text
    assert "Signed off" not in text  # owners cannot sign figures off


def test_owner_corrects_a_figure_as_a_new_revision_with_who_and_why(owner: User) -> None:
    response = client_for(owner).post(
        "/TST/units/N/enter/",
        {
            "period": "2019-07",
            "measure": "ER",
            "value-ER": "77.5",
            "status-ER": "validated",
            "note-ER": "late returns added",
        },
    )
    assert response.status_code == 302
    held = Observation.objects.get(
        unit__code="N", measure__code="ER", period="2019-07", superseded_at__isnull=True
    )
    assert (held.value, held.revision, held.status) == (77.5, 2, "validated")
    assert (held.recorded_by, held.note) == (owner, "late returns added")
    assert held.source == "entered by owner"
    assert Observation.objects.filter(unit__code="N", measure__code="ER").count() == 2


def test_text_in_a_number_is_refused_and_nothing_changes(owner: User) -> None:
    response = client_for(owner).post(
        "/TST/units/N/enter/",
        {"period": "2019-07", "measure": "ER", "value-ER": "seventy", "status-ER": "validated"},
    )
    assert response.status_code == 400
    assert "Emergency response within target, value &#x27;seventy&#x27;: is not a number" in (
        response.content.decode()
    )
    assert Observation.objects.filter(unit__code="N", measure__code="ER").count() == 1
    # What the person typed is shown again, not the figure held.
    assert 'value="seventy"' in response.content.decode()


def test_owner_cannot_enter_a_measure_they_do_not_own(owner: User) -> None:
    response = client_for(owner).post(
        "/TST/units/N/enter/",
        {"period": "2019-07", "measure": "CR", "numerator-CR": "1", "denominator-CR": "10"},
    )
    assert response.status_code == 400
    assert "CR: you do not own this measure" in response.content.decode()


# Every spelling the import reads as signed off (pmf.sources.importer.status_code).
SIGNED_OFF_SPELLINGS = ["signed_off", "Signed Off", "SIGNED_OFF", "signed-off", " signed off "]


@pytest.mark.parametrize("spelling", SIGNED_OFF_SPELLINGS)
def test_owner_cannot_sign_off_in_any_spelling(owner: User, spelling: str) -> None:
    held = Observation.objects.count()
    response = client_for(owner).post(
        "/TST/units/N/enter/",
        {"period": "2019-07", "measure": "ER", "value-ER": "75", "status-ER": spelling},
    )
    assert response.status_code == 400
    assert "only an analyst may sign figures off" in response.content.decode()
    assert Observation.objects.count() == held
    assert not Observation.objects.filter(status="signed_off").exists()


def test_owner_cannot_enter_outside_their_unit(owner: User) -> None:
    assert client_for(owner).get("/TST/units/S/enter/").status_code == 404


def test_command_lead_without_measures_may_not_enter(command_lead: User) -> None:
    assert client_for(command_lead).get("/TST/units/N/enter/").status_code == 403


def test_analyst_may_sign_off(analyst: User) -> None:
    response = client_for(analyst).post(
        "/TST/units/S/enter/",
        {"period": "2019-07", "measure": "ER", "value-ER": "85", "status-ER": "signed_off"},
    )
    assert response.status_code == 302
    held = Observation.objects.get(unit__code="S", measure__code="ER", superseded_at__isnull=True)
    assert held.status == "signed_off"


def test_the_form_shows_whole_numbers_without_a_point_nought(analyst: User) -> None:
    # The crime rate's numerator and denominator are held as 8.0 and 1000.0.
    text = client_for(analyst).get("/TST/units/N/enter/", {"period": "2018-07"}).content.decode()
    assert field_value(text, "numerator-CR") == "8"
    assert field_value(text, "denominator-CR") == "1000"


def test_a_value_keeps_every_digit_the_measure_cannot_show_so_a_save_changes_nothing(
    analyst: User,
) -> None:
    client = client_for(analyst)
    form = {"period": "2019-07", "measure": "ER", "status-ER": "provisional"}
    client.post("/TST/units/N/enter/", {**form, "value-ER": "70.62937063"})
    text = client.get("/TST/units/N/enter/", {"period": "2019-07"}).content.decode()
    assert field_value(text, "value-ER") == "70.62937063"
    saved = client.post("/TST/units/N/enter/", {**form, "value-ER": "70.62937063"}, follow=True)
    assert "No figures changed." in saved.content.decode()


def test_saving_one_changed_figure_says_which_in_the_forms_words(analyst: User) -> None:
    client = client_for(analyst)
    form = {
        "period": "2019-07",
        "measure": ["ER", "CR"],
        "value-ER": "75.0",
        "status-ER": "provisional",
        "numerator-CR": "6",
        "denominator-CR": "1000",
        "status-CR": "provisional",
    }
    unchanged = client.post("/TST/units/N/enter/", form, follow=True).content.decode()
    assert "No figures changed." in unchanged
    assert "rows read" not in unchanged
    changed = client.post(
        "/TST/units/N/enter/", {**form, "numerator-CR": "7"}, follow=True
    ).content.decode()
    assert "1 figure revised: Crimes per 1,000, July 2019." in changed
    assert "rows read" not in changed and "already held" not in changed
    added = client.post(
        "/TST/units/N/enter/", {**form, "period": "2019-08"}, follow=True
    ).content.decode()
    assert (
        "2 figures added: Emergency response within target, August 2019; Crimes per 1,000, "
        in added
    )


def test_a_scoped_owner_cannot_enter_figures_of_an_external_comparator(owner: User) -> None:
    held = Observation.objects.count()
    client = client_for(owner)
    assert client.get("/TST/units/X/enter/").status_code == 403
    response = client.post(
        "/TST/units/X/enter/", {"period": "2019-07", "measure": "ER", "value-ER": "75"}
    )
    assert response.status_code == 403
    assert Observation.objects.count() == held


def test_a_note_over_the_limit_is_refused_with_its_length_and_nothing_changes(
    owner: User,
) -> None:
    response = client_for(owner).post(
        "/TST/units/N/enter/",
        {"period": "2019-07", "measure": "ER", "value-ER": "77.5", "note-ER": "x" * 2_001},
    )
    assert response.status_code == 400
    assert (
        "Emergency response within target, note &#x27;"
        + "x" * 200
        + "…&#x27;: is 2,001 characters long; a note may have at most 2,000 characters"
    ) in response.content.decode()
    assert Observation.objects.filter(unit__code="N", measure__code="ER").count() == 1


@pytest.mark.parametrize("character", ["\u202e", "\u2066", "\x1b"])
def test_a_note_with_a_text_direction_or_control_character_is_refused(
    owner: User, character: str
) -> None:
    response = client_for(owner).post(
        "/TST/units/N/enter/",
        {"period": "2019-07", "measure": "ER", "value-ER": "77.5", "note-ER": f"ok {character}"},
    )
    assert response.status_code == 400
    code = f"U+{ord(character):04X}"
    assert f"holds the control character {code}; a note may not hold" in response.content.decode()
    assert Observation.objects.filter(unit__code="N", measure__code="ER").count() == 1
