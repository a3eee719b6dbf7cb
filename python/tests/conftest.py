"""Fixtures: the golden vectors and the small topology of `support`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import DUAL, VECTORS


@pytest.fixture(scope="session")
def vectors() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))
    assert data["format"] == 1
    return data


@pytest.fixture()
def dual_text() -> str:
    return DUAL
