"""The signed manifest of a published site, and its verification without the database.

``pmf publish`` writes four files beside the site's pages and open data (ADR 0058):

- ``SHA256SUMS``: the SHA-256 of every other file of the site, in ``sha256sum``'s format;
- ``manifest.json``: the organisation and cycle; every value published (unit, measure,
  period, the value and each page showing it with the text shown there) with the
  observations it came from (their ids, revisions, import files and, for a calculated value,
  its inputs) and the SHA-256 of those source rows; every grade, with the pages showing it;
  and the SHA-256 of every file, ``SHA256SUMS`` included;
- ``manifest.sig``: the Ed25519 signature of ``manifest.json``'s bytes (64 bytes);
- ``public-key.pem``: the public half of the organisation's key.

``verify_site`` checks a site against its manifest: the signature, every file's hash, no file
outside the manifest, and every value and grade in the open data and on the pages (the unit
pages, the maps, the index) equal to its entry.
It reads files only: anyone holding the site and the organisation's public key can run it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "pmf-manifest/2"
# Formats verify reads: /1 listed each value's text on its unit's page only (``page``,
# ``value_text``); /2 lists every page showing a value or grade and its text there (``shown``).
READS = ("pmf-manifest/1", FORMAT)
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "public-key.pem"
SUMS = "SHA256SUMS"
# Written after the other files' hashes are taken: the manifest lists SHA256SUMS and the
# public key, and is itself covered by the signature.
SEALING = frozenset({MANIFEST, SIGNATURE, SUMS})
PRIVATE_KEY_FILE = "pmf-signing-key.pem"
PUBLIC_KEY_FILE = "pmf-signing-key.pub.pem"
HASHING = (
    "Files: SHA-256 of their bytes. Source rows: SHA-256 of the value's 'sources' as canonical "
    "JSON (UTF-8, keys sorted, no spaces: separators ',' and ':'). Signature: Ed25519 over "
    "the bytes of manifest.json. Key fingerprint: SHA-256 of the public key's DER "
    "SubjectPublicKeyInfo."
)
_PRIVATE_PEM = b"PRIVATE KEY-----"


class ManifestError(ValueError):
    """Raise when a key cannot be made or read, or a site cannot be sealed; says which file."""


def canonical(data: Any) -> bytes:
    """Return ``data`` as canonical JSON: UTF-8, keys sorted, no spaces.

    >>> canonical({"b": 1, "a": [1.5, None, "é"]})
    b'{"a":[1.5,null,"\\xc3\\xa9"],"b":1}'
    """
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 of ``data`` in hexadecimal."""
    return hashlib.sha256(data).hexdigest()


def sources_sha256(sources: list[dict[str, Any]]) -> str:
    """Return the SHA-256 of a value's source rows as canonical JSON."""
    return sha256_hex(canonical(sources))


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """Return the SHA-256 of the key's DER SubjectPublicKeyInfo, as ``openssl`` computes it:
    ``openssl pkey -pubin -in public-key.pem -outform DER | sha256sum``."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return sha256_hex(der)


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    """Return the public key as PEM (SubjectPublicKeyInfo)."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def new_key_pair(folder: Path) -> tuple[Path, Path, str]:
    """Write a new Ed25519 key pair into ``folder``; return both paths and the fingerprint.

    The private key (PKCS#8 PEM) is created readable by its owner only and never replaces a
    file; a folder holding a published site is refused, as the key must never be published.
    """
    if (folder / MANIFEST).exists():
        raise ManifestError(
            f"{folder} holds a published site ({MANIFEST}): keep the private key elsewhere"
        )
    folder.mkdir(parents=True, exist_ok=True)
    private_path, public_path = folder / PRIVATE_KEY_FILE, folder / PUBLIC_KEY_FILE
    for path in (private_path, public_path):
        if path.exists():
            raise ManifestError(f"{path} exists: pmf never replaces a key; choose another folder")
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private)
    public_path.write_bytes(public_pem(key.public_key()))
    return private_path, public_path, fingerprint(key.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read an Ed25519 private key from a PEM file; a clear message naming the file if not."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ManifestError(f"{path}: cannot read the signing key ({error.strerror})") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise ManifestError(
            f"{path}: not an unencrypted private key in PEM (make one with pmf keys new)"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ManifestError(f"{path}: not an Ed25519 key (make one with pmf keys new)")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Read an Ed25519 public key from a PEM file; a clear message naming the file if not."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ManifestError(f"{path}: cannot read the public key ({error.strerror})") from None
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise ManifestError(f"{path}: not a public key in PEM") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ManifestError(f"{path}: not an Ed25519 public key")
    return key


def site_files(site: Path) -> list[str]:
    """Return the path of every file under ``site``, relative and with '/', sorted."""
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file())


def published_before(site: Path) -> frozenset[str]:
    """Return the files an earlier publication into ``site`` listed in its manifest.

    None when ``site`` has no manifest, or one that is not a pmf manifest.
    """
    try:
        listed = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    if not isinstance(listed, dict) or listed.get("format") not in READS:
        return frozenset()
    files = listed.get("files")
    return (
        frozenset(name for name in files if isinstance(name, str))
        if isinstance(files, dict)
        else frozenset()
    )


def foreign_files(site: Path) -> list[str]:
    """Return the files under ``site`` that no earlier publication there wrote.

    Publishing seals every file of its folder, so a file pmf did not write (a note, another
    site, a copy) would be signed as part of the scorecard: ``pmf publish`` refuses a folder
    holding one.
    """
    if not site.is_dir():
        return []
    ours = published_before(site) | SEALING | {PUBLIC_KEY}
    return [name for name in site_files(site) if name not in ours]


def stale_files(site: Path, before: frozenset[str], written: set[str]) -> list[str]:
    """Remove the files an earlier publication wrote that this one did not; return them.

    A unit no longer published, or a page this cycle has none of (its maps), would otherwise
    stay in the folder and be sealed with the new site.
    """
    removed = []
    for name in sorted(before - written - SEALING - {PUBLIC_KEY}):
        path = site / name
        if path.is_file():
            path.unlink()
            removed.append(name)
    return removed


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _holds_private_key(path: Path) -> bool:
    with path.open("rb") as handle:
        return _PRIVATE_PEM in handle.read()


def refuse_private_key(path: Path) -> None:
    """Raise ManifestError when the file at ``path`` holds a private key."""
    if _holds_private_key(path):
        raise ManifestError(f"{path} holds a private key: it must never be published")


def seal(site: Path, body: dict[str, Any], key: Ed25519PrivateKey | None) -> list[Path]:
    """Write SHA256SUMS, manifest.json and, with a key, manifest.sig and public-key.pem.

    ``body`` is the manifest without its files and signing fields; every file under ``site``
    is hashed, whoever wrote it (``pmf publish`` refuses a folder holding files it did not
    write: :func:`foreign_files`). A site without a key is sealed as unsigned (``"signed":
    false``) and an earlier signature or public key in the folder is removed. Returns the
    files written.
    """
    for stale in (SIGNATURE, PUBLIC_KEY):
        (site / stale).unlink(missing_ok=True)
    written: list[Path] = []
    if key is not None:
        (site / PUBLIC_KEY).write_bytes(public_pem(key.public_key()))
        written.append(site / PUBLIC_KEY)
    files: dict[str, str] = {}
    for name in site_files(site):
        if name in SEALING:
            continue
        refuse_private_key(site / name)
        files[name] = _file_sha256(site / name)
    sums = "".join(f"{digest}  {name}\n" for name, digest in files.items())
    (site / SUMS).write_text(sums, encoding="utf-8")
    written.append(site / SUMS)
    files[SUMS] = sha256_hex(sums.encode())
    manifest = {
        "format": FORMAT,
        **body,
        "hashing": HASHING,
        "signed": key is not None,
        "public_key_sha256": fingerprint(key.public_key()) if key is not None else None,
        "files": dict(sorted(files.items())),
    }
    data = (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode()
    (site / MANIFEST).write_bytes(data)
    written.append(site / MANIFEST)
    if key is not None:
        (site / SIGNATURE).write_bytes(key.sign(data))
        written.append(site / SIGNATURE)
    return written


# --------------------------------------------------------------------------------------------
# Verification: files only, no database.
# --------------------------------------------------------------------------------------------


@dataclass
class Verification:
    """What ``verify_site`` checked (one line each) and every problem found."""

    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether nothing was wrong."""
        return not self.problems


Key = tuple[str, str, str]


def verify_site(
    site: Path, public_key: Path | None = None, *, allow_unsigned: bool = False
) -> Verification:
    """Check a published site against its manifest; list what was checked and what is wrong.

    ``public_key`` is the organisation's key as obtained from the organisation; without it
    the key published in the site is used, which shows the site is whole but not who made it.
    """
    result = Verification()
    try:
        data = (site / MANIFEST).read_bytes()
        manifest = json.loads(data)
    except OSError:
        result.problems.append(f"{MANIFEST}: missing from {site}: nothing to verify against")
        return result
    except ValueError as error:
        result.problems.append(f"{MANIFEST}: not JSON ({error})")
        return result
    found = manifest.get("format") if isinstance(manifest, dict) else None
    if not isinstance(manifest, dict) or not str(found).startswith("pmf-manifest/"):
        result.problems.append(f"{MANIFEST}: not a pmf manifest (format {FORMAT})")
        return result
    if found not in READS:
        result.problems.append(
            f"{MANIFEST}: format {found}, which this pmf does not read (it reads "
            f"{', '.join(READS)}): verify the site with the pmf that published it or a newer one"
        )
        return result
    _check_signature(site, data, manifest, public_key, allow_unsigned, result)
    _check_files(site, manifest, result)
    values = _manifest_values(manifest, result)
    _check_open_data(site, values, result)
    # pmf-manifest/1 lists no grade on a page: a page's grades are then left to its hash.
    grades = _manifest_grades(manifest) if found == FORMAT else None
    _check_pages(site, values, grades, result)
    _check_grades(site, manifest, result)
    if found != FORMAT:
        result.checked.append(
            f"{MANIFEST}: format {found}, of an earlier pmf: it lists the values on the unit "
            "pages only, so the maps and the grades on the pages were checked by their files' "
            "SHA-256 alone"
        )
    return result


def _check_signature(
    site: Path,
    data: bytes,
    manifest: dict[str, Any],
    public_key: Path | None,
    allow_unsigned: bool,
    result: Verification,
) -> None:
    if not manifest.get("signed"):
        if allow_unsigned:
            result.checked.append(
                "Signature: none (published with --unsigned; accepted by --allow-unsigned): "
                "the files match the manifest, but nothing shows who published them"
            )
        else:
            result.problems.append(
                f"{MANIFEST}: the site was published unsigned (pmf publish --unsigned): "
                "nothing shows who published it (pass --allow-unsigned to check the rest)"
            )
        return
    where = str(public_key) if public_key is not None else f"{PUBLIC_KEY} in the site"
    try:
        key = load_public_key(public_key if public_key is not None else site / PUBLIC_KEY)
    except ManifestError as error:
        result.problems.append(str(error))
        return
    try:
        signature = (site / SIGNATURE).read_bytes()
    except OSError:
        result.problems.append(f"{SIGNATURE}: missing, though {MANIFEST} says it is signed")
        return
    found = fingerprint(key)
    try:
        key.verify(signature, data)
    except InvalidSignature:
        other = (
            f"; the manifest was signed by the key {manifest.get('public_key_sha256')}"
            if manifest.get("public_key_sha256") != found
            else ""
        )
        result.problems.append(
            f"{SIGNATURE}: the signature does not match {MANIFEST} with the key {found} "
            f"({where}): the manifest was changed after signing or signed with another key"
            f"{other}"
        )
        return
    line = f"Signature: good, by the key with SHA-256 fingerprint {found} ({where})"
    if public_key is None:
        line += (
            "; compare the fingerprint with the one the organisation publishes, or pass "
            "--public-key with its key"
        )
    result.checked.append(line)


def _check_files(site: Path, manifest: dict[str, Any], result: Verification) -> None:
    files = manifest.get("files")
    if not isinstance(files, dict):
        result.problems.append(f"{MANIFEST}: no list of files")
        return
    present = set(site_files(site))
    for name, expected in sorted(files.items()):
        if name not in present:
            result.problems.append(f"{name}: missing, though the manifest lists it")
            continue
        found = _file_sha256(site / name)
        if found != expected:
            result.problems.append(
                f"{name}: SHA-256 {found}, the manifest has {expected}: the file was changed"
            )
    for name in sorted(present - set(files) - {MANIFEST, SIGNATURE}):
        result.problems.append(f"{name}: not in the manifest: a file added after publication")
    for name in sorted(present):
        if _holds_private_key(site / name):
            result.problems.append(f"{name}: holds a private key, which must never be published")
    result.checked.append(f"Files: {len(files)} checked against their SHA-256 in the manifest")


def _manifest_values(manifest: dict[str, Any], result: Verification) -> dict[Key, dict[str, Any]]:
    values: dict[Key, dict[str, Any]] = {}
    for entry in manifest.get("values", []):
        key = (str(entry["unit"]), str(entry["measure"]), str(entry["period"]))
        if "shown" not in entry:  # pmf-manifest/1: the unit's page only
            page = entry.get("page")
            shown = [{"page": page, "text": entry.get("value_text")}] if page else []
            entry = {**entry, "shown": shown}
        values[key] = entry
        if sources_sha256(entry.get("sources", [])) != entry.get("source_rows_sha256"):
            result.problems.append(
                f"{MANIFEST}: value {_named(key)}: its source rows do not hash to "
                "source_rows_sha256"
            )
    result.checked.append(
        f"Values: {len(values)} in the manifest, each with its source rows' SHA-256"
    )
    return values


def _manifest_grades(manifest: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (str(g["unit"]), str(g["area"])): g
        for g in manifest.get("grades", [])
        if isinstance(g, dict)
    }


def _named(key: tuple[str, ...]) -> str:
    if len(key) == 2:
        return f"unit {key[0]}, area {key[1]}"
    return f"unit {key[0]}, measure {key[1]}, period {key[2]}"


def _number(text: Any) -> float | None:
    if text is None or text == "":
        return None
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b or (math.isnan(a) and math.isnan(b))


def _check_rows(
    name: str,
    rows: list[tuple[str, dict[str, Any]]],
    values: dict[Key, dict[str, Any]],
    result: Verification,
) -> None:
    seen: set[Key] = set()
    for where, row in rows:
        key = (str(row.get("unit", "")), str(row.get("measure", "")), str(row.get("period", "")))
        entry = values.get(key)
        if entry is None:
            result.problems.append(f"{name} {where} ({_named(key)}): not in the manifest")
            continue
        seen.add(key)
        published = _number(row.get("value"))
        if not _same(published, entry.get("value")):
            result.problems.append(
                f"{name} {where} ({_named(key)}): value {row.get('value')}, the manifest has "
                f"{entry.get('value')}"
            )
    for key in sorted(set(values) - seen):
        result.problems.append(f"{name}: no row for {_named(key)}, which the manifest lists")
    result.checked.append(f"{name}: {len(rows)} values equal to the manifest's")


def _check_open_data(site: Path, values: dict[Key, dict[str, Any]], result: Verification) -> None:
    path = site / "data" / "assessments.csv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [(f"row {n}", row) for n, row in enumerate(csv.DictReader(handle), start=2)]
        _check_rows("data/assessments.csv", rows, values, result)
    path = site / "data" / "assessments.json"
    if path.exists():
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:
            result.problems.append(f"data/assessments.json: not JSON ({error})")
        else:
            rows = [(f"item {n}", row) for n, row in enumerate(records, start=1)]
            _check_rows("data/assessments.json", rows, values, result)


class _PublishedValues(HTMLParser):
    """Collect the ``<data>`` elements a published page marks its values and grades with."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, dict[str, str | None], str]] = []
        self._open: tuple[int, dict[str, str | None]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "data" and ("data-measure" in named or "data-area" in named):
            self._open = (self.getpos()[0], named)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "data" and self._open is not None:
            self.found.append((*self._open, "".join(self._text).strip()))
            self._open = None


def _shown_on(entry: dict[str, Any]) -> dict[str, Any]:
    """Return the pages an item is shown on, each with the text shown there."""
    return {
        str(place["page"]): place.get("text")
        for place in entry.get("shown") or []
        if isinstance(place, dict) and place.get("page")
    }


def _check_pages(
    site: Path,
    values: dict[Key, dict[str, Any]],
    grades: dict[tuple[str, str], dict[str, Any]] | None,
    result: Verification,
) -> None:
    """Check every value and grade marked on a page against its item: the value and the text.

    Values are marked ``<data value data-unit data-measure data-period>``, grades ``<data
    value data-unit data-area>``; each page must show every item the manifest lists for it.
    ``grades`` None: the manifest lists no grade on a page (pmf-manifest/1), nor are they checked.
    """
    items: dict[tuple[str, ...], dict[str, Any]] = {}
    for listed in (values, grades or {}):
        items.update(listed.items())
    pages: dict[str, set[tuple[str, ...]]] = {}
    for item, entry in items.items():
        for page in _shown_on(entry):
            pages.setdefault(page, set()).add(item)
    counted = {"values": 0, "grades": 0}
    for page in sorted(pages):
        path = site / page
        if not path.exists():
            continue  # missing: reported with the files
        parser = _PublishedValues()
        parser.feed(path.read_text(encoding="utf-8"))
        seen: set[tuple[str, ...]] = set()
        for line, attrs, text in parser.found:
            grade = "data-measure" not in attrs
            if grade and grades is None:
                continue
            key: tuple[str, ...] = (
                (str(attrs.get("data-unit")), str(attrs.get("data-area")))
                if grade
                else (
                    str(attrs.get("data-unit")),
                    str(attrs.get("data-measure")),
                    str(attrs.get("data-period")),
                )
            )
            found = items.get(key)
            where = f"{page} line {line} ({_named(key)})"
            shown = _shown_on(found) if found is not None else {}
            if page not in shown:
                result.problems.append(f"{where}: not in the manifest for this page")
                continue
            assert found is not None
            seen.add(key)
            if grade:
                counted["grades"] += 1
                if str(attrs.get("value") or "") != str(found.get("grade") or ""):
                    result.problems.append(
                        f"{where}: grade {attrs.get('value')}, the manifest has "
                        f"{found.get('grade')}"
                    )
            else:
                counted["values"] += 1
                if not _same(_number(attrs.get("value")), found.get("value")):
                    result.problems.append(
                        f"{where}: value {attrs.get('value')}, the manifest has "
                        f"{found.get('value')}"
                    )
            if text != shown[page]:
                result.problems.append(f"{where}: shows {text!r}, the manifest has {shown[page]!r}")
        for key in sorted(pages[page] - seen):
            result.problems.append(f"{page}: does not show {_named(key)}, which the manifest lists")
    result.checked.append(
        f"Pages: {counted['values']} values and {counted['grades']} grades on {len(pages)} "
        "pages equal to the manifest's"
    )


def _check_grades(site: Path, manifest: dict[str, Any], result: Verification) -> None:
    grades = _manifest_grades(manifest)
    sources: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = []
    path = site / "data" / "grades.csv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [(f"row {n}", row) for n, row in enumerate(csv.DictReader(handle), start=2)]
        sources.append(("data/grades.csv", rows))
    path = site / "data" / "grades.json"
    if path.exists():
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:
            result.problems.append(f"data/grades.json: not JSON ({error})")
            records = []
        sources.append(("data/grades.json", [(f"item {n}", r) for n, r in enumerate(records, 1)]))
    for name, rows in sources:
        seen = set()
        for where, row in rows:
            key = (str(row.get("unit", "")), str(row.get("area", "")))
            entry = grades.get(key)
            if entry is None:
                result.problems.append(
                    f"{name} {where} (unit {key[0]}, area {key[1]}): not in the manifest"
                )
                continue
            seen.add(key)
            if str(row.get("grade") or "") != str(entry.get("grade") or ""):
                result.problems.append(
                    f"{name} {where} (unit {key[0]}, area {key[1]}): grade {row.get('grade')}, "
                    f"the manifest has {entry.get('grade')}"
                )
        for key in sorted(set(grades) - seen):
            result.problems.append(
                f"{name}: no row for unit {key[0]}, area {key[1]}, which the manifest lists"
            )
        result.checked.append(f"{name}: {len(rows)} grades equal to the manifest's")
