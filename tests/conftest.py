"""Fixtures: isolated paths for every test, and one real index built per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import REPO_ROOT, Settings, get_settings

DEV_SET = REPO_ROOT.parent / "shared" / "eval" / "dev.jsonl"


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes into the repository: the default index lives in a temp folder."""
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real corpus, the real trained embedder, built once into a temp folder."""
    from assistant.index import build_index

    settings = Settings(index_dir=tmp_path_factory.mktemp("built") / "index")
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def assistant(built_settings: Settings):  # type: ignore[no-untyped-def]
    from assistant.service import Assistant

    return Assistant(built_settings)


@pytest.fixture
def use_built_index(built_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(built_settings.index_dir))
    get_settings.cache_clear()
    return built_settings
