"""The reader chooses English or Cymraeg: a cookie, a signed-in user's preference, safe returns."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client
from django.utils import translation

from pmf.core.framework import load_framework
from pmf.web.accounts.models import LanguagePreference
from pmf.web.cache import cached
from pmf.web.frameworks.services import store_framework
from pmf.web.i18n import language_for
from tests.factories import GOOD

# The test framework with Welsh names for a measure, an area and a unit.
WELSH_NAMES = (
    GOOD.replace(
        "name: Emergency response within target\n",
        "name: Emergency response within target\n    name_cy: Ymateb brys o fewn y targed\n",
    )
    .replace("{code: N, name: North,", "{code: N, name: North, name_cy: Gogledd,")
    .replace(
        "{code: PEOPLE, name: INNOVATION}", "{code: PEOPLE, name: INNOVATION, name_cy: ARLOESI}"
    )
)

pytestmark = pytest.mark.django_db


def test_anyone_may_choose_welsh_on_the_sign_in_page_and_it_is_served_in_welsh() -> None:
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en-GB"' in page
    # The switcher: each language named in itself, the other a link back to this page.
    assert 'href="/i18n/?language=cy&amp;next=/accounts/login/"' in page
    assert 'lang="cy" hreflang="cy"' in page
    assert '<span aria-current="true" lang="en-GB">English</span>' in page
    response = client.get("/i18n/", {"language": "cy", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "cy"
    assert cookie["samesite"] == "Lax"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    welsh = client.get("/accounts/login/").content.decode()
    assert '<html lang="cy"' in welsh
    assert 'lang="en-GB" hreflang="en-GB"' in welsh
    assert '<span aria-current="true" lang="cy">Cymraeg</span>' in welsh
    back = client.get("/i18n/", {"language": "en-gb", "next": "/accounts/login/"})
    assert back.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en-gb"
    assert '<html lang="en-GB"' in client.get("/accounts/login/").content.decode()


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)", ""],
)
def test_choosing_a_language_returns_only_to_a_page_of_this_site(next_url: str) -> None:
    response = Client().get("/i18n/", {"language": "cy", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"


def test_a_language_the_site_does_not_offer_changes_nothing() -> None:
    response = Client().get("/i18n/", {"language": "fr", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_form_may_choose_too_with_its_csrf_token(analyst: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    refused = client.post("/i18n/", {"language": "cy", "next": "/"})
    assert refused.status_code == 403
    assert not LanguagePreference.objects.exists()


def test_a_signed_in_users_choice_is_remembered_for_their_emails_and_papers(
    analyst: User, viewer: User
) -> None:
    assert language_for(analyst) == "en-gb"
    client = Client()
    client.force_login(analyst)
    client.get("/i18n/", {"language": "cy", "next": "/TST/"})
    assert language_for(analyst) == "cy"
    assert language_for(viewer) == "en-gb"  # only the one who chose
    assert language_for(AnonymousUser()) == "en-gb"
    assert language_for(None) == "en-gb"
    client.get("/i18n/", {"language": "en-gb"})
    assert language_for(analyst) == "en-gb"
    assert LanguagePreference.objects.filter(user=analyst).count() == 1


def test_a_cached_result_is_kept_apart_for_each_language() -> None:
    computed: list[str] = []

    def compute() -> str:
        computed.append(translation.get_language())
        return translation.gettext("Welsh")

    with translation.override("en-gb"):
        english = cached("v1", "words", ("x",), compute)
    with translation.override("cy"):
        welsh = cached("v1", "words", ("x",), compute)
    with translation.override("en-gb"):
        again = cached("v1", "words", ("x",), compute)
    assert computed == ["en-gb", "cy"]  # once per language, then from the cache
    assert english == again == "Welsh"
    assert welsh == "Cymraeg"  # Django's own Welsh catalogue


def test_a_welsh_scorecard_is_never_served_to_an_english_reader(analyst: User) -> None:
    store_framework(load_framework(WELSH_NAMES), "framework.yaml")
    client = Client()
    client.force_login(analyst)
    english = client.get("/TST/units/N/").content.decode()
    client.get("/i18n/", {"language": "cy"})
    welsh = client.get("/TST/units/N/").content.decode()
    client.get("/i18n/", {"language": "en-gb"})
    english_again = client.get("/TST/units/N/").content.decode()
    assert '<html lang="cy"' in welsh
    assert '<html lang="en-GB"' in english_again
    assert "Emergency response within target" in english
    assert "Ymateb brys o fewn y targed" not in english
    assert "Ymateb brys o fewn y targed" in welsh
    assert "Emergency response within target" not in welsh
    assert without_tokens(english_again) == without_tokens(english)


def without_tokens(page: str) -> str:
    """Return the page without its CSRF tokens, which change with every answer."""
    return re.sub(r'(Token": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", page)


def test_a_cycle_locked_by_a_welsh_reader_keeps_the_framework_as_written(
    analyst: User, organisation: object
) -> None:
    from pmf.web.cycles import services

    store_framework(load_framework(WELSH_NAMES), "framework.yaml")
    cycle = services.create_cycle(organisation, number=1, name="Summer 2019", cut_off="2019-07")
    with translation.override("cy"):
        services.lock_cycle(cycle, analyst.membership)  # type: ignore[attr-defined]
        shown = services.cycle_framework(cycle)
    stored = {measure["code"]: measure for measure in cycle.framework["measures"]}
    assert stored["ER"]["name"] == "Emergency response within target"
    assert stored["ER"]["name_cy"] == "Ymateb brys o fewn y targed"
    assert shown.measure("ER").name == "Ymateb brys o fewn y targed"
    with translation.override("en-gb"):
        assert services.cycle_framework(cycle).measure("ER").name == (
            "Emergency response within target"
        )


def test_stored_units_areas_and_measures_give_their_name_in_the_readers_language(
    organisation: object,
) -> None:
    from pmf.web.frameworks.models import Area, Measure, Unit

    store_framework(load_framework(WELSH_NAMES), "framework.yaml")
    north = Unit.objects.get(code="N")
    south = Unit.objects.get(code="S")
    measure = Measure.objects.get(code="ER")
    area = Area.objects.get(code="PEOPLE")
    with translation.override("cy"):
        assert north.shown_name == "Gogledd"
        assert south.shown_name == "South"  # no Welsh name: the English one
        assert measure.shown_name == "Ymateb brys o fewn y targed"
        assert area.shown_name == "ARLOESI"
    with translation.override("en-gb"):
        assert north.shown_name == "North"
        assert measure.shown_name == "Emergency response within target"
