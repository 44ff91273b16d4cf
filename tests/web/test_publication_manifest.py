"""The signed manifest of a published site, and ``pmf verify`` checking a site against it."""

from __future__ import annotations

import csv
import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from pmf.cli import main
from pmf.reports.manifest import (
    ManifestError,
    fingerprint,
    load_private_key,
    new_key_pair,
    sources_sha256,
    verify_site,
)
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation
from pmf.web.publishing import NotPublished, publish_cycle
from tests.factories import published

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    new_key_pair(folder)
    return folder


@pytest.fixture
def site(organisation: Organisation, analyst: User, keys: Path, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    key = load_private_key(keys / "pmf-signing-key.pem")
    publish_cycle(published(organisation, analyst), out, signing_key=key)
    return out


def manifest_of(site: Path) -> dict:
    return json.loads((site / "manifest.json").read_text())


def entry(site: Path, unit: str, measure: str) -> dict:
    return next(
        v for v in manifest_of(site)["values"] if v["unit"] == unit and v["measure"] == measure
    )


def test_a_signed_site_verifies_with_the_organisations_key(site: Path, keys: Path) -> None:
    result = verify_site(site, keys / "pmf-signing-key.pub.pem")
    assert result.ok, result.problems
    text = "\n".join(result.checked)
    assert "Signature: good" in text
    assert "data/assessments.csv: " in text and "Pages: " in text
    manifest = manifest_of(site)
    assert manifest["signed"] is True
    key = load_private_key(keys / "pmf-signing-key.pem")
    assert manifest["public_key_sha256"] == fingerprint(key.public_key())
    assert (site / "public-key.pem").read_bytes() == (keys / "pmf-signing-key.pub.pem").read_bytes()
    assert "PRIVATE KEY" not in "".join(
        path.read_text(errors="replace") for path in site.rglob("*") if path.is_file()
    )


def test_each_value_names_the_observation_and_revision_it_came_from(site: Path) -> None:
    north = entry(site, "N", "ER")
    held = Observation.objects.get(
        unit__code="N", measure__code="ER", period=north["period"], superseded_at__isnull=True
    )
    [source] = north["sources"]
    assert (source["observation"], source["revision"]) == (held.pk, held.revision)
    assert source["value"] == held.value == north["value"]
    assert north["origin"] == "reported"
    [place] = north["shown"]
    assert place["page"] == "units/N.html" and place["text"]
    assert north["source_rows_sha256"] == sources_sha256(north["sources"])
    # The force's figure is rolled up from its units': both are its sources.
    force = entry(site, "F", "CR")
    assert force["origin"] == "rolled_up"
    assert {row["unit"] for row in force["sources"]} == {"N", "S"}
    # Every file of the site is hashed, the pages and open data among them.
    files = manifest_of(site)["files"]
    assert {"index.html", "units/N.html", "data/assessments.csv", "SHA256SUMS"} <= set(files)


def test_a_revision_after_the_lock_leaves_the_published_source_as_locked(
    organisation: Organisation, analyst: User, keys: Path, tmp_path: Path
) -> None:
    cycle = published(organisation, analyst)
    held = Observation.objects.get(
        unit__code="N", measure__code="ER", period="2019-07", superseded_at__isnull=True
    )
    from django.utils import timezone

    now = timezone.now()
    Observation.objects.filter(pk=held.pk).update(superseded_at=now)
    Observation.objects.create(
        measure=held.measure,
        unit=held.unit,
        period=held.period,
        value=held.value + 50,
        revision=held.revision + 1,
        recorded_at=now,
    )
    publish_cycle(cycle, tmp_path / "site", signing_key=None)
    [source] = entry(tmp_path / "site", "N", "ER")["sources"]
    assert (source["observation"], source["revision"]) == (held.pk, held.revision)
    assert entry(tmp_path / "site", "N", "ER")["value"] == held.value


def test_publishing_twice_writes_the_same_manifest_and_signature(
    organisation: Organisation, analyst: User, keys: Path, tmp_path: Path
) -> None:
    cycle = published(organisation, analyst)
    key = load_private_key(keys / "pmf-signing-key.pem")
    publish_cycle(cycle, tmp_path / "a", signing_key=key)
    publish_cycle(Cycle.objects.get(pk=cycle.pk), tmp_path / "b", signing_key=key)
    for name in ("manifest.json", "manifest.sig", "SHA256SUMS"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def _rewrite_csv_value(path: Path, unit: str, measure: str, value: str) -> int:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    line = next(
        n for n, row in enumerate(rows, start=2) if (row["unit"], row["measure"]) == (unit, measure)
    )
    rows[line - 2]["value"] = value
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return line


def test_a_value_changed_in_the_open_data_is_named_by_file_and_row(site: Path, keys: Path) -> None:
    line = _rewrite_csv_value(site / "data" / "assessments.csv", "N", "ER", "99.5")
    result = verify_site(site, keys / "pmf-signing-key.pub.pem")
    expected = entry(site, "N", "ER")["value"]
    assert (
        f"data/assessments.csv row {line} (unit N, measure ER, period 2019-07): value 99.5, "
        f"the manifest has {expected}"
    ) in result.problems
    assert any(p.startswith("data/assessments.csv: SHA-256 ") for p in result.problems)


def test_a_value_changed_in_the_json_open_data_is_named_by_item(site: Path, keys: Path) -> None:
    path = site / "data" / "assessments.json"
    records = json.loads(path.read_text())
    index = next(i for i, r in enumerate(records) if (r["unit"], r["measure"]) == ("S", "ER"))
    records[index]["value"] = 1234.0
    path.write_text(json.dumps(records))
    problems = verify_site(site, keys / "pmf-signing-key.pub.pem").problems
    assert any(
        p.startswith(f"data/assessments.json item {index + 1} (unit S, measure ER, period 2019-07)")
        and "value 1234.0" in p
        for p in problems
    ), problems


def test_a_value_changed_on_a_page_is_named_by_page_and_line(site: Path, keys: Path) -> None:
    page = site / "units" / "N.html"
    html = page.read_text()
    [place] = entry(site, "N", "ER")["shown"]
    shown = place["text"]
    marker = f'data-measure="ER" data-period="2019-07">{shown}</data>'
    assert marker in html
    page.write_text(html.replace(marker, marker.replace(f">{shown}<", ">1.0%<")))
    problems = verify_site(site, keys / "pmf-signing-key.pub.pem").problems
    assert any(
        p.startswith("units/N.html line ")
        and f"(unit N, measure ER, period 2019-07): shows '1.0%', the manifest has {shown!r}" in p
        for p in problems
    ), problems
    assert any(p.startswith("units/N.html: SHA-256 ") for p in problems)


def test_a_changed_manifest_fails_its_signature(site: Path, keys: Path) -> None:
    manifest = manifest_of(site)
    manifest["values"][0]["value"] = 0.5
    (site / "manifest.json").write_text(json.dumps(manifest, indent=1))
    problems = verify_site(site, keys / "pmf-signing-key.pub.pem").problems
    assert any(
        p.startswith("manifest.sig: the signature does not match manifest.json") for p in problems
    ), problems


def test_a_changed_signature_fails(site: Path, keys: Path) -> None:
    signature = bytearray((site / "manifest.sig").read_bytes())
    signature[0] ^= 1
    (site / "manifest.sig").write_bytes(bytes(signature))
    problems = verify_site(site, keys / "pmf-signing-key.pub.pem").problems
    assert [p for p in problems if p.startswith("manifest.sig: ")], problems


def test_a_site_re_signed_with_another_key_fails_with_the_organisations_key(
    organisation: Organisation, analyst: User, keys: Path, tmp_path: Path
) -> None:
    new_key_pair(tmp_path / "other")
    other = load_private_key(tmp_path / "other" / "pmf-signing-key.pem")
    publish_cycle(published(organisation, analyst), tmp_path / "forged", signing_key=other)
    # Whole by its own key, which is in the site ...
    assert verify_site(tmp_path / "forged").ok
    # ... but not by the organisation's.
    problems = verify_site(tmp_path / "forged", keys / "pmf-signing-key.pub.pem").problems
    ours = fingerprint(load_private_key(keys / "pmf-signing-key.pem").public_key())
    assert any(
        f"with the key {ours}" in p and f"signed by the key {fingerprint(other.public_key())}" in p
        for p in problems
    ), problems


def test_a_file_added_or_removed_after_publication_is_named(site: Path, keys: Path) -> None:
    (site / "units" / "extra.html").write_text("<p>Not published</p>")
    (site / "open-data.html").unlink()
    problems = verify_site(site, keys / "pmf-signing-key.pub.pem").problems
    assert "units/extra.html: not in the manifest: a file added after publication" in problems
    assert "open-data.html: missing, though the manifest lists it" in problems


def test_an_unsigned_site_says_so_and_verify_refuses_it_unless_allowed(
    organisation: Organisation, analyst: User, tmp_path: Path
) -> None:
    publish_cycle(published(organisation, analyst), tmp_path / "site")
    assert manifest_of(tmp_path / "site")["signed"] is False
    assert not (tmp_path / "site" / "manifest.sig").exists()
    refused = verify_site(tmp_path / "site")
    assert refused.problems == [
        "manifest.json: the site was published unsigned (pmf publish --unsigned): nothing shows "
        "who published it (pass --allow-unsigned to check the rest)"
    ]
    allowed = verify_site(tmp_path / "site", allow_unsigned=True)
    assert allowed.ok and allowed.checked[0].startswith("Signature: none")


def test_a_private_key_is_never_sealed_into_a_site(
    organisation: Organisation, analyst: User, keys: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    shutil.copy(keys / "pmf-signing-key.pem", out / "key.pem")
    with pytest.raises(ManifestError, match="holds a private key"):
        publish_cycle(published(organisation, analyst), out)


def test_pmf_keys_new_writes_a_private_key_readable_by_its_owner_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "new", "--output", str(tmp_path / "k")]) == 0
    out = capsys.readouterr().out
    private = tmp_path / "k" / "pmf-signing-key.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    found = fingerprint(load_private_key(private).public_key())
    assert f"SHA-256 fingerprint: {found}" in out
    assert main(["keys", "new", "--output", str(tmp_path / "k")]) == 1
    assert "exists: pmf never replaces a key" in capsys.readouterr().err
    assert main(["keys", "fingerprint", str(tmp_path / "k" / "pmf-signing-key.pub.pem")]) == 0
    assert found in capsys.readouterr().out


def test_pmf_publish_asks_for_a_key_or_unsigned_and_pmf_verify_checks_the_site(
    organisation: Organisation,
    analyst: User,
    keys: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PMF_SIGNING_KEY", raising=False)
    published(organisation, analyst)
    out = tmp_path / "site"
    assert main(["publish", "-o", "TST", "--out", str(out)]) == 1
    assert "give the organisation's signing key" in capsys.readouterr().err
    key = keys / "pmf-signing-key.pem"
    assert main(["publish", "-o", "TST", "--out", str(out), "--signing-key", str(key)]) == 0
    assert "Signed manifest.json with the key of SHA-256 fingerprint" in capsys.readouterr().out
    public = keys / "pmf-signing-key.pub.pem"
    assert main(["verify", str(out), "--public-key", str(public)]) == 0
    assert "verified; every file and value is as published" in capsys.readouterr().out
    _rewrite_csv_value(out / "data" / "assessments.csv", "S", "CR", "7")
    assert main(["verify", str(out), "--public-key", str(public)]) == 1
    said = capsys.readouterr().out
    assert "- data/assessments.csv row " in said and "(unit S, measure CR, period 2019-07)" in said
    assert main(["publish", "-o", "TST", "--out", str(tmp_path / "u"), "--unsigned"]) == 0
    assert main(["verify", str(tmp_path / "u")]) == 1
    assert main(["verify", str(tmp_path / "u"), "--allow-unsigned"]) == 0


def test_openssl_alone_verifies_the_signature_and_the_fingerprint(site: Path) -> None:
    assert shutil.which("openssl"), "openssl is missing: run scripts/openssl.sh (make pytest does)"
    done = subprocess.run(
        [
            "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "public-key.pem", "-rawin",
            "-in", "manifest.json", "-sigfile", "manifest.sig",
        ],
        cwd=site, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", "public-key.pem", "-outform", "DER"],
        cwd=site, capture_output=True, check=True,
    ).stdout  # fmt: skip
    import hashlib

    assert hashlib.sha256(der).hexdigest() == manifest_of(site)["public_key_sha256"]
    sums = subprocess.run(
        ["sha256sum", "--check", "--quiet", "SHA256SUMS"],
        cwd=site,
        capture_output=True,
        check=False,
    )
    assert sums.returncode == 0, sums.stdout


def test_a_calculated_value_names_its_inputs_by_revision(tmp_path: Path) -> None:
    import datetime as dt

    from pmf.core.framework import load_framework
    from pmf.web.frameworks.services import framework_of, store_framework
    from pmf.web.observations.services import store_observations
    from pmf.web.publication import manifest_body
    from tests.factories import CALCULATED, value_rows

    organisation = store_framework(load_framework(CALCULATED), "framework.yaml")
    stored_at = dt.datetime(2019, 8, 1, 9, 0, tzinfo=dt.UTC)
    rows = value_rows([("N", "STOPS", "2019-07", 30), ("N", "SEARCHES", "2019-07", 10)])
    store_observations(
        organisation, rows, file_name="figures.csv", sha256="ab" * 32, layout="long", now=stored_at
    )
    cycle = Cycle(
        organisation=organisation,
        number=1,
        name="Summer",
        cut_off="2019-07",
        locked_at=stored_at + dt.timedelta(days=1),
    )
    record = {"unit": "N", "measure": "SHARE", "period": "2019-07", "value": 25.0}
    body = manifest_body(cycle, framework_of(organisation), [record], {}, [])
    [share] = body["values"]
    [source] = share["sources"]
    assert source["measure"] == "SHARE" and source["import"]["file"] == "formula of SHARE"
    # SHARE = SEARCHES / ACTIVITY * 100, and ACTIVITY = STOPS + SEARCHES: nested by revision.
    assert [(i["measure"], i["revision"]) for i in source["inputs"]] == [
        ("SEARCHES", 1),
        ("ACTIVITY", 1),
    ]
    searches, activity = source["inputs"]
    assert searches["import"]["file"] == "figures.csv"
    assert searches["import"]["sha256"] == "ab" * 32
    assert [i["measure"] for i in activity["inputs"]] == ["STOPS", "SEARCHES"]
    assert share["source_rows_sha256"] == sources_sha256(share["sources"])


def test_a_folder_holding_files_pmf_did_not_publish_is_refused_and_left_as_it_was(
    organisation: Organisation, analyst: User, keys: Path, tmp_path: Path, capsys
) -> None:
    cycle = published(organisation, analyst)
    out = tmp_path / "site"
    out.mkdir()
    (out / "notes.txt").write_text("not for publication")
    with pytest.raises(NotPublished, match=r"holds files pmf did not publish \(notes\.txt\)"):
        publish_cycle(cycle, out, signing_key=None)
    assert sorted(path.name for path in out.rglob("*")) == ["notes.txt"]
    # The command says the same and fails.
    code = main(["publish", "-o", organisation.code, "--out", str(out), "--unsigned"])
    assert code != 0
    assert "notes.txt" in capsys.readouterr().err
    assert sorted(path.name for path in out.rglob("*")) == ["notes.txt"]
    # A file dropped into a site pmf published earlier is refused too: it would be sealed.
    site = tmp_path / "earlier"
    publish_cycle(cycle, site, signing_key=None)
    (site / "units" / "extra.html").write_text("<p>not pmf's</p>")
    with pytest.raises(NotPublished, match=r"units/extra\.html"):
        publish_cycle(cycle, site, signing_key=None)


def test_publishing_again_removes_the_pages_the_earlier_publication_wrote_and_this_one_does_not(
    organisation: Organisation, analyst: User, keys: Path, tmp_path: Path
) -> None:
    cycle = published(organisation, analyst)
    site = tmp_path / "site"
    key = load_private_key(keys / "pmf-signing-key.pem")
    publish_cycle(cycle, site, signing_key=key)
    # As if an earlier publication had a unit page this one has not (a unit since dropped).
    manifest = manifest_of(site)
    (site / "units" / "OLD.html").write_text("<p>a unit no longer published</p>")
    manifest["files"]["units/OLD.html"] = "0" * 64
    (site / "manifest.json").write_text(json.dumps(manifest))
    publish_cycle(cycle, site, signing_key=key)
    assert not (site / "units" / "OLD.html").exists()
    assert "units/OLD.html" not in manifest_of(site)["files"]
    result = verify_site(site, keys / "pmf-signing-key.pub.pem")
    assert result.ok, result.problems


def test_a_grade_changed_on_the_index_is_named_by_page_line_unit_and_area(
    site: Path, keys: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public = str(keys / "pmf-signing-key.pub.pem")
    graded = next(g for g in manifest_of(site)["grades"] if g["grade"] != "outstanding")
    unit, area, grade = graded["unit"], graded["area"], graded["grade"]
    assert [place["page"] for place in graded["shown"]] == ["index.html", f"units/{unit}.html"]
    [label] = {place["text"] for place in graded["shown"]}
    assert main(["verify", str(site), "--public-key", public]) == 0
    assert " grades on " in capsys.readouterr().out
    index = site / "index.html"
    html = index.read_text(encoding="utf-8")
    marker = f'<data value="{grade}" data-unit="{unit}" data-area="{area}">'
    assert html.count(marker) == 1
    line = html[: html.index(marker)].count("\n") + 1
    start = html.index(marker)
    end = html.index("</data>", start)
    tag = (
        html[start:end].replace(marker, "").replace(f"pmf-grade--{grade}", "pmf-grade--outstanding")
    )
    tag = tag.replace(f">{label}<", ">Outstanding<")
    changed = f'<data value="outstanding" data-unit="{unit}" data-area="{area}">{tag}'
    index.write_text(html[:start] + changed + html[end:], encoding="utf-8")
    assert main(["verify", str(site), "--public-key", public]) == 1
    said = capsys.readouterr().out
    where = f"- index.html line {line} (unit {unit}, area {area})"
    assert f"{where}: grade outstanding, the manifest has {grade}" in said, said
    assert f"{where}: shows 'Outstanding', the manifest has {label!r}" in said, said
    assert "- index.html: SHA-256 " in said


def test_a_manifest_of_the_first_format_is_still_verified(
    organisation: Organisation, analyst: User, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    publish_cycle(published(organisation, analyst), site)
    # As pmf-manifest/1 wrote it: each value's unit page and text, no grade shown anywhere.
    manifest = manifest_of(site)
    manifest["format"] = "pmf-manifest/1"
    for value in manifest["values"]:
        [place] = value.pop("shown")
        value["value_text"], value["page"] = place["text"], place["page"]
    for grade in manifest["grades"]:
        del grade["shown"]
    (site / "manifest.json").write_text(json.dumps(manifest, indent=1))
    result = verify_site(site, allow_unsigned=True)
    assert result.ok, result.problems
    assert any("format pmf-manifest/1, of an earlier pmf" in line for line in result.checked)
    page = site / "units" / "N.html"
    shown = next(v["value_text"] for v in manifest["values"] if v["unit"] == "N")
    page.write_text(page.read_text().replace(f">{shown}</data>", ">1.0%</data>", 1))
    problems = verify_site(site, allow_unsigned=True).problems
    assert any(p.startswith("units/N.html line ") and "shows '1.0%'" in p for p in problems)


def test_a_manifest_of_a_later_format_is_refused_with_what_this_pmf_reads(site: Path) -> None:
    manifest = manifest_of(site)
    manifest["format"] = "pmf-manifest/9"
    (site / "manifest.json").write_text(json.dumps(manifest))
    assert verify_site(site).problems == [
        "manifest.json: format pmf-manifest/9, which this pmf does not read (it reads "
        "pmf-manifest/1, pmf-manifest/2): verify the site with the pmf that published it or a "
        "newer one"
    ]
