"""A published site's key and its check: ``pmf keys new`` and ``pmf verify SITE`` (ADR 0058).

Neither needs the database: ``pmf verify`` reads the site's files and a public key only, so
anyone who downloads a published scorecard can run it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pmf.cli.base import EXIT_OK, EXIT_PROBLEMS, CommandError, Needs, actions, command, register


def _keys_arguments(keys: argparse.ArgumentParser) -> None:
    group = actions(keys)
    new = command(
        group,
        "new",
        "Make a key pair for signing published sites: the private key readable by you only, "
        "the public key to publish, and its fingerprint.",
        "pmf keys new --output /etc/pmf/keys",
    )
    new.add_argument(
        "--output",
        required=True,
        type=Path,
        metavar="DIR",
        help="the folder for pmf-signing-key.pem and pmf-signing-key.pub.pem (never the site)",
    )
    show = command(
        group,
        "fingerprint",
        "Print the SHA-256 fingerprint of a public or private key.",
        "pmf keys fingerprint public/public-key.pem",
    )
    show.add_argument("file", type=Path, help="a PEM key file")


@register(
    "keys",
    "Make the key pair that signs a published site's manifest.",
    "pmf keys new --output /etc/pmf/keys",
    arguments=_keys_arguments,
    needs=Needs.NOTHING,
)
def keys(args: argparse.Namespace) -> int:
    """Run ``pmf keys new`` or ``pmf keys fingerprint``."""
    from pmf.reports import manifest

    try:
        if args.action == "new":
            private, public, found = manifest.new_key_pair(args.output)
            print(f"Wrote {private} (the private key: keep it secret, never publish it).")
            print(f"Wrote {public} (the public key: publish it where readers can find it).")
            print(f"SHA-256 fingerprint: {found}")
            return EXIT_OK
        try:
            found = manifest.fingerprint(manifest.load_public_key(args.file))
        except manifest.ManifestError:
            found = manifest.fingerprint(manifest.load_private_key(args.file).public_key())
        print(f"SHA-256 fingerprint: {found}")
        return EXIT_OK
    except manifest.ManifestError as error:
        raise CommandError(str(error)) from None


def _verify_arguments(verify: argparse.ArgumentParser) -> None:
    verify.add_argument("site", type=Path, help="the published site's folder")
    verify.add_argument(
        "--public-key",
        type=Path,
        metavar="FILE",
        help="the organisation's public key, obtained from the organisation (default: the "
        "public-key.pem published in the site, which shows the site is whole, not who made it)",
    )
    verify.add_argument(
        "--allow-unsigned",
        action="store_true",
        help="check an unsigned site's files and values instead of refusing it",
    )


@register(
    "verify",
    "Check a published site against its signed manifest.",
    "pmf verify public/ --public-key mps-public-key.pem",
    arguments=_verify_arguments,
    description="Check a published site against its signed manifest: the signature, the "
    "SHA-256 of every file, and every value in the open data and on the pages. Needs no "
    "database; exits with 1 naming each file and row that differs.",
    needs=Needs.NOTHING,
)
def verify(args: argparse.Namespace) -> int:
    """Run ``pmf verify``."""
    from pmf.reports.manifest import verify_site

    if not args.site.is_dir():
        raise CommandError(f"{args.site}: no such folder")
    result = verify_site(args.site, args.public_key, allow_unsigned=args.allow_unsigned)
    for line in result.checked:
        print(line)
    if result.ok:
        print(f"{args.site}: verified; every file and value is as published.")
        return EXIT_OK
    print(f"{args.site}: {len(result.problems)} problem(s):")
    for problem in result.problems:
        print(f"- {problem}")
    return EXIT_PROBLEMS


def _accessibility_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="the organisation's accessibility file (default: the file PMF_ACCESSIBILITY names)",
    )
    parser.add_argument(
        "--site",
        choices=["app", "public"],
        default="app",
        help="the statement of the application (default) or of the published scorecards",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write the statement as a plain HTML page, to put on the organisation's own site",
    )


@register(
    "accessibility",
    "Check the accessibility file and write the accessibility statement.",
    "pmf accessibility --config examples/police/accessibility.yaml --output accessibility.html",
    arguments=_accessibility_arguments,
    description="Check the organisation's accessibility file (each problem named by line and "
    "key) and print the compliance status derived from pmf's axe-core results; with --output, "
    "write the statement as an HTML page.",
    needs=Needs.DJANGO,
)
def accessibility(args: argparse.Namespace) -> int:
    """Run ``pmf accessibility``."""
    from django.template.loader import render_to_string

    from pmf.web.accessibility.config import (
        ENVIRONMENT,
        ConfigProblem,
        load_config,
        named_file,
    )
    from pmf.web.accessibility.notice import notice_context

    path = args.config or named_file()
    if path is None:
        raise CommandError(f"give --config FILE, or name the file in {ENVIRONMENT}")
    try:
        config = load_config(path)
    except ConfigProblem as problem:
        raise CommandError(str(problem)) from None
    context = notice_context(config, args.site)
    found = context["tested"]
    print(f"{path}: checked.")
    print(
        f"Accessibility statement for {context['site_name']}: {context['status']} compliant "
        f"with WCAG 2.2 AA; {len(config.non_compliance)} non-compliance(s) listed by the "
        f"organisation; axe-core {found.axe_core} found {len(found.failures)} failing rule(s) "
        f"on the {len(found.pages)} pages of this site tested."
    )
    if args.output is not None:
        page = render_to_string("accessibility/standalone.html", {"a11y": context})
        args.output.write_text(page, encoding="utf-8")
        print(f"Wrote {args.output}.")
    return EXIT_OK
