"""The manifest of a real build reads back to the same JSON."""

from __future__ import annotations

import pytest

from assistant.index.load import read_manifest
from assistant.index.manifest import BuildManifest

KEYS = ["format_version", "package_version", "corpus_fingerprint", "parser_fingerprint", "tokenizer_fingerprint",
        "tokenizer_base", "extra_words", "regions", "embedding_model", "embedding_model_description",
        "embedder_folder", "embedder_fingerprint", "dimension", "documents", "clauses", "sources", "training", "mode",
        "reuse", "built_at", "build_seconds", "step_seconds", "files"]


pytestmark = pytest.mark.integration


def test_a_real_build_round_trips(built_settings):
    on_disk = read_manifest(built_settings.index_dir)
    build = on_disk.pop("build")
    assert list(on_disk) == KEYS and build
    assert BuildManifest.from_json(on_disk).to_json() == on_disk
