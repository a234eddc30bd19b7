"""Named answer templates (`templates.toml`), one syntax: Python format fields."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

_PATH = Path(__file__).with_name("templates.toml")


@lru_cache(maxsize=1)
def templates() -> dict[str, str]:
    data = tomllib.loads(_PATH.read_text(encoding="utf-8"))
    return {name: str(value) for name, value in data.items()}


def render(name: str, **fields: Any) -> str:
    try:
        template = templates()[name]
    except KeyError:
        raise KeyError(f"no answer template named {name!r}; have {sorted(templates())}") from None
    return template.format(**fields)
