"""`pmf user`, `pmf share` and `pmf token`: people, partners and API tokens on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.cli import main
from pmf.web.accounts.models import Membership, SharingAgreement

pytestmark = pytest.mark.django_db

BASE = "/api/organisations"


def run(*args: str) -> int:
    return main(list(args))


@pytest.fixture
def two_organisations(framework_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(framework_file.read_text().replace("code: TST", "code: OTHER"))
    assert run("framework", "load", str(framework_file)) == 0
    assert run("framework", "load", str(other)) == 0


def test_user_add_prints_a_first_password_that_signs_in(
    two_organisations: None, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run("user", "add", "jo", "-o", "TST", "--role", "command_lead", "--unit", "N") == 0
    out = capsys.readouterr().out
    assert "Added jo: command_lead for North." in out
    password = out.rsplit(": ", 1)[1].strip()
    assert User.objects.get(username="jo").check_password(password)
    assert Membership.objects.get(user__username="jo").unit.code == "N"


def test_user_add_again_changes_the_role_and_keeps_the_password(
    two_organisations: None, capsys: pytest.CaptureFixture[str]
) -> None:
    run("user", "add", "jo", "-o", "TST", "--role", "viewer")
    password = capsys.readouterr().out.rsplit(": ", 1)[1].strip()
    assert run("user", "add", "jo", "-o", "TST", "--role", "owner", "--measure", "ER") == 0
    out = capsys.readouterr().out
    assert "Updated jo: owner for all of Test Force." in out
    assert "password" not in out
    membership = Membership.objects.get(user__username="jo")
    assert [m.code for m in membership.measures.all()] == ["ER"]
    assert User.objects.get(username="jo").check_password(password)
    assert run("user", "list", "-o", "TST") == 0
    assert "TST\tjo\towner\tall" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-o", "NOPE", "--role", "viewer"), "no organisation 'NOPE' (known: OTHER, TST)"),
        (("-o", "TST", "--role", "viewer", "--unit", "Q"), "TST has no unit 'Q'"),
        (("-o", "TST", "--role", "owner", "--measure", "ZZ"), "TST has no measure ZZ"),
        (("-o", "TST", "--role", "viewer", "--measure", "ER"), "--measure is for measure owners"),
    ],
)
def test_user_add_refuses_bad_input_and_changes_nothing(
    args: tuple[str, ...], message: str, two_organisations: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("user", "add", "jo", *args) == 1
    assert message in capsys.readouterr().err
    assert not User.objects.filter(username="jo").exists()


def test_share_add_list_and_end(
    two_organisations: None, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert (
        run(
            "share", "add", "--provider", "TST", "--recipient", "OTHER", "--unit", "N",
            "--area", "FOCUS", "--purpose", "Safer streets", "--starts", "2026-01-01",
        )
        == 0
    )  # fmt: skip
    agreement = SharingAgreement.objects.get()
    assert agreement.unit.code == "N"
    assert [area.code for area in agreement.areas.all()] == ["FOCUS"]
    out = capsys.readouterr().out
    assert "TST shares North (FOCUS) with OTHER, from 2026-01-01, open-ended: Safer streets" in out
    assert run("share", "list") == 0
    assert capsys.readouterr().out.startswith(f"{agreement.pk}\tTST shares North")
    assert run("share", "end", str(agreement.pk)) == 0
    agreement.refresh_from_db()
    assert agreement.ends is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--recipient", "TST"), "--provider and --recipient are the same organisation"),
        (("--recipient", "OTHER", "--area", "NOPE"), "TST has no area NOPE"),
        (("--recipient", "OTHER", "--starts", "1 April"), "--starts '1 April': give a date"),
        (
            ("--recipient", "OTHER", "--starts", "2026-05-01", "--ends", "2026-04-01"),
            "--ends 2026-04-01 is before --starts 2026-05-01",
        ),
    ],
)
def test_share_add_refuses_bad_input_and_stores_nothing(
    args: tuple[str, ...], message: str, two_organisations: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("share", "add", "--provider", "TST", "--purpose", "x", *args) == 1
    assert message in capsys.readouterr().err
    assert not SharingAgreement.objects.exists()


def test_token_command_creates_lists_and_revokes(
    analyst: User, capsys: pytest.CaptureFixture[str]
) -> None:
    from pmf.cli import main

    assert main(["token", "create", "--user", "analyst", "--name", "nightly"]) == 0
    key = capsys.readouterr().out.splitlines()[-1]
    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get(f"{BASE}/TST/units").status_code == 200
    assert main(["token", "list", "--user", "analyst"]) == 0
    listed = capsys.readouterr().out
    assert "nightly" in listed and key[:12] in listed and key not in listed
    assert main(["token", "revoke", "--user", "analyst", "--name", "nightly"]) == 0
    assert api.get(f"{BASE}/TST/units").status_code == 401
    assert main(["token", "revoke", "--user", "analyst", "--name", "nightly"]) == 1
    assert main(["token", "create", "--user", "nobody", "--name", "x"]) == 2
