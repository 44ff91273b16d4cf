"""Read framework files from disk."""

from __future__ import annotations

from pathlib import Path

from pmf.core.framework import Framework, FrameworkError, Problem, load_framework


def read_framework_file(path: Path) -> Framework:
    """Read and validate a framework file and its returns' templates; raise ``FrameworkError``.

    Each problem names the file and line (or the template and cell).
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise FrameworkError(
            [Problem(str(path), 0, "", f"cannot be read: {error.strerror}")]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise FrameworkError(
            [Problem(str(path), line, "", "is not UTF-8 text; save it as UTF-8 and try again")]
        ) from None
    from pmf.sources.boundaries import with_boundaries
    from pmf.sources.returns import read_templates

    return with_boundaries(read_templates(load_framework(text, str(path)), path), path)
