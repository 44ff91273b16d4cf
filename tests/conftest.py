from __future__ import annotations

from pathlib import Path

import pytest

from pmf.core.framework import Framework, load_framework
from tests.core.test_framework import GOOD


@pytest.fixture
def framework() -> Framework:
    return load_framework(GOOD)


@pytest.fixture
def framework_file(tmp_path: Path) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path
