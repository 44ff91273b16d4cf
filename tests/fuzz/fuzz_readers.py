"""Coverage-guided fuzzing of the CSV, XLSX and YAML readers with atheris; run by hand, not in CI.

    .venv/bin/python tests/fuzz/fuzz_readers.py csv -atheris_runs=100000
    .venv/bin/python tests/fuzz/fuzz_readers.py xlsx -max_total_time=300
    .venv/bin/python tests/fuzz/fuzz_readers.py yaml -max_len=4096

Any exception other than the readers' own refusals is a bug: atheris stops and writes the
input that caused it (crash-...) to the current folder.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path


def main() -> None:
    import atheris

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for tests.*

    with atheris.instrument_imports():
        from pmf.core.framework import FrameworkError, load_framework
        from pmf.sources.importer import MappingError, check_table
        from pmf.sources.readers import ReadError, read_csv_bytes, read_table
        from tests.factories import GOOD

    framework = load_framework(GOOD)
    folder = Path(tempfile.mkdtemp())

    def csv(data: bytes) -> None:
        with contextlib.suppress(ReadError, MappingError):
            check_table(read_csv_bytes(data, "fuzz.csv"), framework, source="fuzz.csv")

    def xlsx(data: bytes) -> None:
        path = folder / "fuzz.xlsx"
        path.write_bytes(data)
        with contextlib.suppress(ReadError, MappingError):
            check_table(read_table(path), framework, source="fuzz.xlsx")

    def yaml(data: bytes) -> None:
        text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
        with contextlib.suppress(FrameworkError):
            load_framework(text, "fuzz.yaml")

    targets = {"csv": csv, "xlsx": xlsx, "yaml": yaml}
    if len(sys.argv) < 2 or sys.argv[1] not in targets:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(targets)}}} [atheris options]")
    target = targets[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
