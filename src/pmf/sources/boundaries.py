"""Read the units' boundary file named in the framework (``maps``) from beside it.

The file is read and checked when the framework is read (``pmf load``), all or nothing,
by ``pmf.core.boundaries``; what is kept is stored with the framework, so that no page
reads the file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pmf.core.boundaries import MAX_BOUNDARY_BYTES, BoundaryError, read_boundaries, too_large
from pmf.core.framework import Framework, FrameworkError, Problem, map_units
from pmf.core.i18n import gettext as _


def with_boundaries(framework: Framework, path: Path) -> Framework:
    """Return ``framework`` with its units' boundaries read from beside ``path``.

    Raise ``FrameworkError`` naming the boundary file and the feature of every problem.
    """
    settings = framework.model.maps
    if settings is None:
        return framework
    file = path.parent / settings.boundaries
    where = "maps.boundaries"
    try:
        size = file.stat().st_size
        raw = file.read_bytes() if size <= MAX_BOUNDARY_BYTES else b""
    except OSError as error:
        raise FrameworkError(
            [
                Problem(
                    str(path),
                    0,
                    where,
                    _("{file}: cannot be read: {error}").format(file=file, error=error.strerror),
                )
            ]
        ) from None
    if size > MAX_BOUNDARY_BYTES:
        raise FrameworkError([Problem(str(path), 0, where, too_large(str(file), size))])
    codes = {
        unit.ons_code: f"{unit.name} ({unit.code})"
        for unit in map_units(framework.model)
        if unit.ons_code is not None
    }
    try:
        boundaries = read_boundaries(
            raw,
            str(file),
            settings.code_property,
            codes,
            topology_object=settings.object,
        )
    except BoundaryError as error:
        raise FrameworkError(
            [Problem(str(path), 0, where, line) for line in error.problems]
        ) from None
    return replace(framework, boundaries=boundaries)
