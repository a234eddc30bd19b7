"""BuildManifest: the same manifest.json keys and values as the dict builds have always written."""

from __future__ import annotations

import json

from assistant.index.manifest import BuildManifest

KEYS = ["format_version", "package_version", "corpus_fingerprint", "parser_fingerprint", "tokenizer_fingerprint",
        "tokenizer_base", "extra_words", "regions", "embedding_model", "embedding_model_description",
        "embedder_folder", "embedder_fingerprint", "dimension", "documents", "clauses", "sources", "training", "mode",
        "reuse", "built_at", "build_seconds", "step_seconds", "files"]


def test_a_manifest_written_before_reads_back_to_the_same_json():
    written = {key: f"value of {key}" for key in KEYS}
    written["reuse"] = {"sources_parsed": 5, "sources_reused": 0}
    manifest = BuildManifest.from_json({**written, "build": "20260101T000000-1"})
    assert manifest.reuse == {"sources_parsed": 5, "sources_reused": 0}
    assert json.dumps(manifest.to_json()) == json.dumps(written)  # same keys, same order, same values


def test_an_older_manifest_without_digests_or_training_still_reads():
    manifest = BuildManifest.from_json({"format_version": 3, "embedder_fingerprint": "abc", "mode": "full"})
    assert (manifest.format_version, manifest.embedder_fingerprint, manifest.mode) == (3, "abc", "full")
    assert manifest.files == {} and manifest.training == {} and manifest.extra_words == []
