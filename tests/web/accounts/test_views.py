"""Password reset by email, password change, API tokens that end with the password, lockout."""

from __future__ import annotations

import io
import re
from unittest import mock

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client

from pmf.web.api.services import issue_token

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a much longer new passphrase"


def reset_link(email: str) -> str:
    client = Client()
    response = client.post("/accounts/password_reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your pmf password"
    assert message.to == [email]
    found = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_a_reset_link_by_email_sets_a_new_password(analyst: User) -> None:
    analyst.email = "analyst@example.org"
    analyst.save()
    link = reset_link("analyst@example.org")
    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert Client().login(username="analyst", password=NEW_PASSWORD)
    # The link works once.
    again = Client().get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_an_unknown_email_gets_the_same_answer_and_no_email(analyst: User) -> None:
    response = Client().post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_a_weak_new_password_is_refused_with_a_message(analyst: User) -> None:
    analyst.email = "analyst@example.org"
    analyst.save()
    link = reset_link("analyst@example.org")
    client = Client()
    form = client.get(link, follow=True)
    refused = client.post(
        form.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "There is a problem" in page
    assert "This password is too common" in page
    assert Client().login(username="analyst", password="correct horse battery staple")


def test_a_member_changes_their_password(analyst: User) -> None:
    client = Client()
    client.force_login(analyst)
    assert client.get("/accounts/password_change/").status_code == 200
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "correct horse battery staple",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert Client().login(username="analyst", password=NEW_PASSWORD)


def test_the_sign_in_page_offers_a_password_reset() -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in page


# --------------------------------------------------------------------------------------------
# API tokens end with the password they were issued under (issue 15, item 1.10)
# --------------------------------------------------------------------------------------------


def token_works(key: str) -> bool:
    api = Client(headers={"Authorization": f"Bearer {key}"})
    return api.get("/api/organisations/TST/units").status_code == 200


def test_changing_your_password_stops_your_api_tokens(analyst: User) -> None:
    _, key = issue_token(analyst, "nightly")
    assert token_works(key)
    client = Client()
    client.force_login(analyst)
    client.post(
        "/accounts/password_change/",
        {
            "old_password": "correct horse battery staple",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert not token_works(key)
    # A token issued after the change works.
    _, fresh = issue_token(User.objects.get(pk=analyst.pk), "after")
    assert token_works(fresh)


def test_a_password_reset_by_email_stops_the_api_tokens(analyst: User) -> None:
    analyst.email = "analyst@example.org"
    analyst.save()
    _, key = issue_token(analyst, "nightly")
    link = reset_link("analyst@example.org")
    client = Client()
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert not token_works(key)


def test_a_password_set_by_an_administrator_or_command_stops_the_api_tokens(
    analyst: User,
) -> None:
    _, key = issue_token(analyst, "nightly")
    user = User.objects.get(pk=analyst.pk)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert not token_works(key)
    _, second = issue_token(user, "second")
    # Django's changepassword command asks twice on a terminal; it sets it the same way.
    with mock.patch("getpass.getpass", return_value="yet another long passphrase"):
        call_command("changepassword", "analyst", stdout=io.StringIO())
    assert not token_works(second)


def test_a_stronger_rehash_on_sign_in_keeps_the_api_tokens(analyst: User, settings: object) -> None:
    # Hash with a cheaper hasher first, so that sign-in re-hashes with the preferred one.
    settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    User.objects.filter(pk=analyst.pk).update(
        password=make_password("correct horse battery staple", hasher="md5")
    )
    _, key = issue_token(analyst, "nightly")
    assert Client().login(username="analyst", password="correct horse battery staple")
    assert User.objects.get(pk=analyst.pk).password.startswith("pbkdf2_sha256$")
    assert token_works(key)


def test_the_password_forms_say_that_a_new_password_revokes_the_tokens(analyst: User) -> None:
    client = Client()
    client.force_login(analyst)
    page = client.get("/accounts/password_change/").content.decode()
    assert "revokes your API tokens" in page


# --------------------------------------------------------------------------------------------
# Repeated failed sign-ins lock the username
# --------------------------------------------------------------------------------------------


def test_repeated_failed_sign_ins_lock_the_username(analyst: User) -> None:
    from django.core.cache import caches

    cache = caches["shared"]

    cache.clear()
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "analyst", "password": "no"})
        assert response.status_code == 200
    locked = client.post(
        "/accounts/login/", {"username": "analyst", "password": "correct horse battery staple"}
    )
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    cache.clear()


def test_a_successful_sign_in_clears_the_failures(analyst: User) -> None:
    from django.core.cache import caches

    cache = caches["shared"]

    cache.clear()
    client = Client()
    for _ in range(4):
        client.post("/accounts/login/", {"username": "analyst", "password": "no"})
    good = {"username": "analyst", "password": "correct horse battery staple"}
    assert client.post("/accounts/login/", good).status_code == 302
    client.logout()
    for _ in range(4):
        client.post("/accounts/login/", {"username": "analyst", "password": "no"})
    assert client.post("/accounts/login/", good).status_code == 302
    cache.clear()


def test_a_look_alike_spelling_of_a_locked_username_is_locked_too(analyst: User) -> None:
    from django.core.cache import caches

    cache = caches["shared"]
    cache.clear()
    client = Client()
    # Full-width and upper-case spellings: Django signs each of them in as "analyst".
    for spelling in ("ａｎａｌｙｓｔ", "ANALYST", "analyst", "Ａnalyst", "analyst"):
        response = client.post("/accounts/login/", {"username": spelling, "password": "no"})
        assert response.status_code == 200
    good = {"username": "ａｎａｌｙｓｔ", "password": "correct horse battery staple"}
    assert client.post("/accounts/login/", good).status_code == 429
    cache.clear()


def test_failed_sign_ins_are_counted_over_the_whole_window(analyst: User) -> None:
    from django.core.cache import caches
    from django.db import connection

    from pmf.web.accounts.views import WINDOW_SECONDS, _key

    cache = caches["shared"]
    cache.clear()
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"username": "analyst", "password": "no"})
    # The count must outlive the cache's default five minutes: it lasts the window.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT expires FROM pmf_cache WHERE cache_key = %s",
            [cache.make_key(_key("analyst"))],
        )
        (expires,) = cursor.fetchone()
    import datetime as dt

    from django.utils import timezone

    if isinstance(expires, str):
        expires = dt.datetime.fromisoformat(expires)
    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, dt.UTC)
    left = (expires - timezone.now()).total_seconds()
    assert left > WINDOW_SECONDS - 60
    assert cache.get(_key("analyst")) == 2
    cache.clear()
