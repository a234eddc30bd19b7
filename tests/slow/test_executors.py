"""The build on Ray Data (a local Ray instance the test starts, 2 CPUs) produces the same build
folder as the local executor: file for file, vectors array-equal, with the model held fixed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.index.executors import LocalExecutor, RayExecutor
from assistant.index.load import read_manifest
from assistant.index.store import IndexStore

pytestmark = pytest.mark.integration


def _double(batch: list[int]) -> list[int]:
    return [x * 2 for x in batch]


def _files(index_dir: Path) -> dict[str, bytes]:
    folder = IndexStore(index_dir).current()
    assert folder is not None
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


@pytest.fixture(scope="module")
def ray_two_cpus():  # type: ignore[no-untyped-def]
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_builds_the_same_folder_as_the_local_executor(built_settings, tmp_path, ray_two_cpus):
    from assistant.index.build import build_index

    executor = RayExecutor()
    assert executor.map(_double, list(range(25)), batch_size=4) == [x * 2 for x in range(25)]  # order kept

    model = IndexStore(built_settings.index_dir).models / read_manifest(built_settings.index_dir)["embedder_folder"]
    built = {}
    for name, chosen in (("local", LocalExecutor()), ("ray", executor)):
        shutil.copytree(built_settings.corpus_dir, tmp_path / name / "corpus")
        settings = built_settings.model_copy(update={"corpus_dir": tmp_path / name / "corpus",
                                                     "index_dir": tmp_path / name / "index",
                                                     "embedding_model": str(model)})
        manifest = build_index(settings, full=True, executor=chosen)
        assert manifest["reuse"]["sources_parsed"] == 5 and manifest["reuse"]["vectors_computed"] > 2000
        built[name] = settings.index_dir
    local, ray = _files(built["local"]), _files(built["ray"])
    assert sorted(local) == sorted(ray)
    for name in local:
        if name.endswith(".npy"):
            left = np.load(built["local"] / "builds" / IndexStore(built["local"]).current_name() / name)
            right = np.load(built["ray"] / "builds" / IndexStore(built["ray"]).current_name() / name)
            assert np.array_equal(left, right), name
        else:
            assert local[name] == ray[name], name
    keep = ("corpus_fingerprint", "documents", "clauses", "dimension", "files", "sources")
    a, b = read_manifest(built["local"]), read_manifest(built["ray"])
    assert json.dumps({k: a[k] for k in keep}, sort_keys=True) == json.dumps({k: b[k] for k in keep}, sort_keys=True)
