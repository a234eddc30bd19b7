"""Random sequences of add / update / retire / reinstate / remove on a tiny corpus: after each
sequence the incremental build that serves equals a full build of the same corpus (manifest less
its times and build names, documents with their titles, regions and statuses, clauses, tokens,
vectors), no clause id is used twice, and the next build is "up to date". A change refused on the
way (a taken id, a file already in the corpus, the last source removed) leaves the corpus and the
serving build as they were.

`PROPERTY_SEQUENCES` sets how many sequences run (default 200: about 65 s on two cores),
`PROPERTY_SEED` the seed.
"""

from __future__ import annotations

import os
import random
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import AssistantError
from assistant.index.build import build_index
from assistant.index.load import read_manifest
from assistant.index.store import IndexStore
from assistant.service.library import Library, Metadata, change
from assistant.settings import Settings
from tests.slow.test_updates import _index_files
from tests.slow.tiny_corpus import POOL, fixed_model, tiny_corpus

SEQUENCES = int(os.environ.get("PROPERTY_SEQUENCES", "200"))
SEED = int(os.environ.get("PROPERTY_SEED", "19"))
# What may differ between two builds of the same corpus: when and how they were made.
VOLATILE = ("build", "built_at", "build_seconds", "step_seconds", "mode", "reuse")
HIDDEN = ("", "", "\u200b", "\u200f", " ")
# Why a drawn change may be refused: a taken id; the same file twice, a split document removed or a
# document superseding itself; the last source removed (no clauses left).
REFUSALS = {"id_taken", "invalid_request", "corpus_error"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The tiny corpus, built with its trained embedder fixed as a model folder (so a full build
    does not refit it)."""
    settings = fixed_model(tiny_corpus(tmp_path_factory.mktemp("template")))
    build_index(settings, full=True)
    return settings


def _fresh(template: Settings, root: Path) -> Settings:
    shutil.copytree(template.corpus_dir, root / "corpus")
    shutil.copytree(template.index_dir, root / "index")
    return template.model_copy(update={"corpus_dir": root / "corpus", "index_dir": root / "index",
                                       "data_dir": root / "data"})


def _edit(rng: random.Random, library: Library, counter: int) -> tuple[str, Callable[[Library], object]]:
    """One change, drawn at random from what the corpus holds now."""
    sources = sorted(s.id for s in library.manifest().sources)
    documents = sorted(library.document_ids())
    kind = rng.choice(("add", "add", "update", "retire", "retire", "reinstate", "remove"))
    if not sources:  # every document removed: an empty corpus (it builds), where only an add can follow
        kind = "add"
    if kind == "add":
        name, region, text = rng.choice(POOL)
        taken = rng.choice(documents) if documents else ""
        doc_id = rng.choice(("", "", f"new-{counter}", taken))  # sometimes a taken one
        if rng.random() < 0.2:
            region, parent = rng.choice(HIDDEN) + "新城区", rng.choice(("", "西安"))
        else:
            region, parent = rng.choice(HIDDEN) + region + rng.choice(HIDDEN), ""
        meta = Metadata(region=region, region_parent=parent, doc_id=doc_id)
        return f"add {name} id={doc_id!r} region={region!r}", lambda lib: lib.add(name, text.encode(), meta)
    if kind == "update":
        target = rng.choice(sources)
        spec = library.manifest().source(target)
        assert spec is not None
        old = (library.dir / spec.file).read_text("utf-8")
        new = old + f"{counter + 3}. 新增事项{counter}个工作日办结。\n"
        return f"update {target}", lambda lib: lib.update(target, f"{target}.txt", new.encode())
    if kind == "retire":
        target, by = rng.choice(documents), rng.choice(("", "", rng.choice(documents)))
        return f"retire {target} by={by!r}", lambda lib: lib.retire(target, by)
    target = rng.choice(sources if kind == "remove" else documents)
    if kind == "remove":
        return f"remove {target}", lambda lib: lib.remove(target)
    return f"reinstate {target}", lambda lib: lib.reinstate(target)


def _apply(settings: Settings, what: str, edit: Callable[[Library], object]) -> str:
    """Run one change; a refused one must leave the corpus and the serving build as they were."""
    toml = (settings.corpus_dir / "documents.toml").read_bytes()
    files = sorted(p.name for p in settings.corpus_dir.iterdir())
    serving = IndexStore(settings.index_dir).current_name()
    try:
        change(settings, edit)
    except AssistantError as exc:
        assert (settings.corpus_dir / "documents.toml").read_bytes() == toml, what
        assert sorted(p.name for p in settings.corpus_dir.iterdir()) == files, what
        assert IndexStore(settings.index_dir).current_name() == serving, what
        assert exc.code in REFUSALS, (what, exc)
        return f"{what}: refused ({exc.code})"
    return what


def _check_same(settings: Settings, root: Path, done: list[str]) -> None:
    incremental = read_manifest(settings.index_dir)
    assert build_index(settings)["mode"] == "up to date", done
    full = settings.model_copy(update={"index_dir": root / "full"})
    build_index(full, full=True)
    strip = lambda m: {k: v for k, v in m.items() if k not in VOLATILE}  # noqa: E731
    if not incremental["clauses"]:  # an empty corpus: two builds of nothing
        assert strip(incremental) == strip(read_manifest(full.index_dir)), done
        return
    a, b = _index_files(settings.index_dir), _index_files(full.index_dir)
    for name in ("documents", "clauses", "clause_ids", "clause_docs", "clause_offsets", "tokens"):
        assert a[name] == b[name], (name, done)
    assert np.array_equal(a["vectors"], b["vectors"]) and np.array_equal(a["faiss"], b["faiss"]), done
    ids = str(a["clause_ids"]).split()
    assert len(ids) == len(set(ids)), ("a clause id used twice", done)
    assert strip(incremental) == strip(read_manifest(full.index_dir)), done


def test_incremental_builds_equal_full_builds_after_random_changes(template: Settings, tmp_path: Path):
    rng = random.Random(SEED)
    kinds: Counter[str] = Counter()
    for number in range(SEQUENCES):
        root = tmp_path / f"s{number}"
        settings = _fresh(template, root)
        done: list[str] = []
        for step in range(rng.randint(2, 6)):
            what, edit = _edit(rng, Library(settings), step)
            done.append(_apply(settings, what, edit))
        kinds.update(d.split()[0] + (" refused" if "refused" in d else "") for d in done)
        _check_same(settings, root, done)
        shutil.rmtree(root)
    # every kind of change was made, and some were refused (a taken id above all)
    assert all(kinds[k] for k in ("add", "update", "retire", "reinstate", "remove", "add refused")), kinds
    print(f"{SEQUENCES} sequences: {dict(kinds)}")  # noqa: T201
