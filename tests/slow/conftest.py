"""Every test under tests/slow is marked `slow`: it builds its own index, runs the long property
checks, or drives a live server, a browser, schemathesis or `assistant eval`. `make test` runs
them with the rest; `make test-fast` runs tests/unit only; `-m "not slow"` leaves them out."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.slow)
