"""Draw the data-quality spot checks' sample, and say how many of its figures were verified.

The sample is reproducible by anyone with the figures' keys and the seed: each key is hashed
with SHA-256 after the seed, and the figures with the smallest hashes are drawn. Adding or
removing a figure changes the sample by at most that figure, and the order the keys come in
does not matter. See ``docs/methods.md``, "Data-quality spot checks".
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence

from pmf.core.i18n import gettext as _
from pmf.core.i18n import ngettext

# 5 % of the figures, at least SAMPLE_MIN (all of them when fewer), at most SAMPLE_MAX.
SAMPLE_SHARE = 0.05
SAMPLE_MIN = 10
SAMPLE_MAX = 30


def sample_size(population: int) -> int:
    """Return how many figures to draw from ``population``.

    >>> sample_size(4), sample_size(150), sample_size(300), sample_size(5000)
    (4, 10, 15, 30)
    """
    share = math.ceil(population * SAMPLE_SHARE)
    return min(population, max(SAMPLE_MIN, min(SAMPLE_MAX, share)))


def draw_key(seed: str, key: str) -> str:
    """Return the hash that orders ``key`` in the draw seeded with ``seed`` (hex SHA-256).

    >>> draw_key("TST cycle 1", "N|CR|2019-07")[:12]
    'fa9324ab4bbc'
    """
    return hashlib.sha256(f"{seed}\n{key}".encode()).hexdigest()


def draw_sample(keys: Iterable[str], seed: str, size: int | None = None) -> list[str]:
    """Return a reproducible random sample of ``keys``, in the order drawn.

    ``size`` defaults to ``sample_size`` of the keys given; duplicates count once.

    >>> keys = [f"N|CR|2019-{month:02d}" for month in range(1, 13)]
    >>> draw_sample(keys, "TST cycle 1", 3) == draw_sample(reversed(keys), "TST cycle 1", 3)
    True
    """
    unique = sorted(set(keys))
    count = sample_size(len(unique)) if size is None else min(size, len(unique))
    return sorted(unique, key=lambda key: draw_key(seed, key))[:count]


def verified_summary(results: Sequence[tuple[str, str, str]]) -> str:
    """Return the share verified in words, from each sampled figure's (label, result, note).

    ``result`` is "verified", "discrepancy" or "" (not yet checked).

    >>> verified_summary([("A", "verified", ""), ("B", "discrepancy", "typed 71 for 17"),
    ...                   ("C", "", "")]).split("; ")  # doctest: +NORMALIZE_WHITESPACE
    ['1 of 3 sampled figures verified against source', '1 discrepancy: B (typed 71 for 17)',
     '1 not yet checked.']
    >>> verified_summary([])
    'No figures were sampled for checking against source.'
    """
    if not results:
        return _("No figures were sampled for checking against source.")
    verified = sum(1 for _label, result, _note in results if result == "verified")
    found = [(label, note) for label, result, note in results if result == "discrepancy"]
    waiting = sum(1 for _label, result, _note in results if not result)
    parts = [
        ngettext(
            "{verified} of {count} sampled figure verified against source",
            "{verified} of {count} sampled figures verified against source",
            len(results),
        ).format(verified=verified, count=f"{len(results):,}")
    ]
    if found:
        listed = "; ".join(
            f"{label} ({note.strip().rstrip('.')})" if note.strip() else label
            for label, note in found
        )
        parts.append(
            ngettext(
                "{count} discrepancy: {listed}", "{count} discrepancies: {listed}", len(found)
            ).format(count=len(found), listed=listed)
        )
    if waiting:
        parts.append(
            ngettext("{count} not yet checked", "{count} not yet checked", waiting).format(
                count=waiting
            )
        )
    return "; ".join(parts) + "."
