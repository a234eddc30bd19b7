"""Serving on Milvus: the clauses of a build in a Milvus collection, searched by BM25 (Milvus's own
jieba analyzer, given the project's domain dictionary as its custom dictionary) and by the
build's dense vectors, with region, document and status as scalar filters.

`ASSISTANT_SEARCH_BACKEND=milvus` turns it on; `ASSISTANT_MILVUS_URI` is a local file path (Milvus
Lite, in-process: what the tests use) or an `http(s)://` address of a Milvus standalone server or
cluster, with the same code.

The build folder stays the source of truth (clauses, documents, manifest); Milvus holds what is
searched. One writer publishes builds to Milvus (`MilvusStore.attach` with `write=True`): the
collection for the build, then the alias (`ASSISTANT_MILVUS_COLLECTION`, default `clauses`):

- the first time, or when the embedder or the analyzer changed, a new collection is written and
  the alias is switched to it at once, as `CURRENT` is switched today; a question meanwhile
  searches the old collection;
- otherwise (an upload, a retire, a removal) the rows that changed are upserted and the rows that
  went are deleted, by clause id;
- the collection records the build it holds (the collection property `assistant.build`), and a
  build older than, or the same as, the one the alias holds is never written: a process that
  loads an older build cannot move the alias back.

Who writes: `ASSISTANT_MILVUS_WRITER`, by default the process that opens a Milvus Lite file (it is
the only one that can) and, on a Milvus server, no serving process: there `assistant build` and
the corpus commands publish on the build host, with `ASSISTANT_MILVUS_WRITER=true`. A reader only
reads: it searches through the alias when the alias's collection has its build's layout (an older
or newer build's rows: the loaded build drops the hits it lacks), and otherwise, or when nothing
is published yet, its own build is searched in process (`None` from `attach`).

Each list comes from its own search (BM25, then dense, both filtered) and the two are fused by the
same weighted reciprocal-rank fusion as in process: Milvus's RRF ranker weighs its lists equally,
and the dense list here weighs 0.05 (see `Settings.dense_weight`). A hit whose clause the loaded
build lacks, or that the build's own scope mask excludes, is dropped: the build decides.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from assistant.errors import SearchUnavailable
from assistant.index.load import LoadedIndex, index_text
from assistant.lexicon.tokenize import normalize
from assistant.retrieval.base import Candidates, FusedBackend, Mode, Scope, SearchRequest
from assistant.settings import Settings

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
BATCH = 2_000
BUILD_PROPERTY = "assistant.build"  # the collection property naming the build its rows match


def analyzer_params(index: LoadedIndex, dictionary_words: list[str]) -> dict[str, Any]:
    """jieba in search mode with the domain dictionary and the region and indicator names."""
    words = sorted({normalize(w) for w in [*dictionary_words, *index.manifest.get("extra_words", ())] if w.strip()})
    return {"tokenizer": {"type": "jieba", "dict": ["_default_", *words], "mode": "search", "hmm": True},
            "filter": ["lowercase", "removepunct"]}


def dictionary_words(index: LoadedIndex, settings: Settings) -> list[str]:
    from assistant.index.store import IndexStore

    path = IndexStore(settings.index_dir).builds / index.build / "domain_dict.txt"
    if not path.is_file():
        return []
    return [line.split()[0] for line in path.read_text(encoding="utf-8").splitlines() if line.split()]


def _expr_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def filter_expression(scope: Scope) -> str:
    """The scope as a Milvus boolean expression: `region in [...] and in_force == true`."""
    parts = []
    if scope.regions:
        parts.append(f"region in {_expr_list(scope.regions)}")
    if scope.documents:
        parts.append(f"doc_id in {_expr_list(scope.documents)}")
    if scope.in_force_only:
        parts.append("in_force == true")
    return " and ".join(parts)



def connect(uri: str, settings: Settings) -> Any:
    """A MilvusClient for `uri` with the settings' credentials and database; one clear error (not a
    traceback) when the server cannot be reached."""
    from pymilvus import MilvusClient

    options: dict[str, Any] = {}
    if settings.milvus_token is not None:
        options["token"] = settings.milvus_token.get_secret_value()
    if settings.milvus_user:
        options["user"] = settings.milvus_user
        options["password"] = settings.milvus_password.get_secret_value() if settings.milvus_password else ""
    if settings.milvus_db_name:
        options["db_name"] = settings.milvus_db_name
    try:
        return MilvusClient(uri, **options)
    except Exception as exc:  # pymilvus raises its own MilvusException or a gRPC error
        where = uri.split("@")[-1]
        raise SearchUnavailable(f"cannot reach Milvus at {where}: {str(exc).splitlines()[0][:200]}") from exc

class MilvusStore:
    """One Milvus connection; writes and switches collections, thread-safe."""

    def __init__(self, settings: Settings) -> None:
        uri = settings.milvus_uri or str(settings.data_dir / "milvus.db")
        if "://" not in uri:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            # Milvus Lite's in-process gRPC server lacks AllocTimestamp, which pymilvus's query
            # iterator asks for first and then does without: an ERROR with a traceback, and a
            # WARNING, for nothing wrong.
            logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
            logging.getLogger("pymilvus").setLevel(logging.ERROR)
        self.uri = uri
        self.alias = settings.milvus_collection
        self.client = connect(uri, settings)
        self._lock = threading.Lock()
        # The one writer publishes builds; by default the process holding a Milvus Lite file (no
        # other can open it), and no serving process of a Milvus server (the build host does).
        self.writes = settings.milvus_writer if settings.milvus_writer is not None else "://" not in uri

    # -- layout ---------------------------------------------------------------------------------
    def _schema(self, dimension: int, analyzer: dict[str, Any]) -> Any:
        from pymilvus import DataType, Function, FunctionType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=512)
        schema.add_field("text", DataType.VARCHAR, max_length=65_535, enable_analyzer=True, analyzer_params=analyzer)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dimension)
        schema.add_field("region", DataType.VARCHAR, max_length=256)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=256)
        schema.add_field("topic", DataType.VARCHAR, max_length=256)
        schema.add_field("in_force", DataType.BOOL)
        schema.add_field("row_hash", DataType.VARCHAR, max_length=64)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                     output_field_names=["sparse"]))
        return schema

    def _index_params(self) -> Any:
        params = self.client.prepare_index_params()
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                         params={"bm25_k1": 1.2, "bm25_b": 0.6})  # as bm25s in process
        params.add_index("dense", index_type="FLAT" if "://" not in self.uri else "AUTOINDEX", metric_type="IP")
        return params

    @staticmethod
    def layout_key(index: LoadedIndex, analyzer: dict[str, Any]) -> str:
        """What the collection's rows depend on besides each clause: the embedder and the analyzer."""
        digest = hashlib.sha256(json.dumps([SCHEMA_VERSION, index.manifest.get("embedder_fingerprint"),
                                            index.manifest.get("dimension"), analyzer], ensure_ascii=False,
                                           sort_keys=True).encode())
        return digest.hexdigest()[:12]

    # -- rows -----------------------------------------------------------------------------------
    @staticmethod
    def rows(index: LoadedIndex, have: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """The build's rows, streamed; with `have` (id → row hash in the collection) only those
        that differ, and every id seen is removed from `have` (what is left went)."""
        docs = index.documents
        vectors = index.dense.vectors
        for position, clause in enumerate(index.clauses):
            doc = docs[clause.doc_id]
            text = normalize(index_text(clause, doc))
            row = {"id": clause.id, "text": text[:20_000], "region": doc.region, "doc_id": doc.id,
                   "topic": doc.topic, "in_force": doc.in_force}  # 20,000 characters fit the 65,535 bytes
            vector = np.asarray(vectors[position], dtype=np.float32)
            row["row_hash"] = hashlib.sha256(json.dumps(row, ensure_ascii=False, sort_keys=True).encode()
                                             + vector.tobytes()).hexdigest()[:32]
            if have is not None and have.pop(clause.id, None) == row["row_hash"]:
                continue
            row["dense"] = vector.tolist()
            yield row

    def _insert(self, collection: str, rows: Iterator[dict[str, Any]], upsert: bool = False) -> int:
        batch: list[dict[str, Any]] = []
        count = 0
        write = self.client.upsert if upsert else self.client.insert
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                write(collection, batch)
                count += len(batch)
                batch = []
        if batch:
            write(collection, batch)
            count += len(batch)
        return count

    def _serving(self) -> str | None:
        for collection in self.client.list_collections():
            if self.alias in (self.client.list_aliases(collection).get("aliases") or []):
                return str(collection)
        return None

    def _hashes(self, collection: str) -> dict[str, str]:
        out: dict[str, str] = {}
        iterator = self.client.query_iterator(collection, batch_size=BATCH, filter="", output_fields=["id", "row_hash"])
        try:
            while page := iterator.next():
                out.update((r["id"], r["row_hash"]) for r in page)
        finally:
            iterator.close()
        return out

    def published(self) -> tuple[str, str] | None:
        """The collection the alias points to and the build it holds, or None before any."""
        serving = self._serving()
        if serving is None:
            return None
        properties = self.client.describe_collection(serving).get("properties") or {}
        # a collection written before builds were recorded: the build it was created for
        build = properties.get(BUILD_PROPERTY) or "_".join(serving.split("_")[-2:]).replace("_", "-")
        return serving, str(build)

    def _mark(self, collection: str, build: str) -> None:
        self.client.alter_collection_properties(collection, properties={BUILD_PROPERTY: build})

    # -- publish and attach ------------------------------------------------------------------------
    def attach(self, index: LoadedIndex, settings: Settings, *, write: bool | None = None) -> str | None:
        """The collection to search for the loaded build, or None when its own build is to be
        searched in process. With `write` (default: `self.writes`), a build newer than the alias's
        is published first; an older or the same build never writes, whoever asks."""
        write = self.writes if write is None else write
        with self._lock:
            analyzer = analyzer_params(index, dictionary_words(index, settings))
            key = self.layout_key(index, analyzer)
            own_layout = f"{self.alias}_{key}_"
            current = self.published()
            if write and (current is None or current[1] < index.build):
                if current is not None and current[0].startswith(own_layout):
                    self.client.load_collection(current[0])  # a reopened Milvus Lite file starts released
                    self._update(current[0], index)
                    self._mark(current[0], index.build)
                    return current[0]
                return self._create(index, analyzer, key)
            if current is None:
                log.warning("milvus: nothing published under %s yet: build %s is searched in process until "
                            "the writer publishes it", self.alias, index.build)
                return None
            serving, build = current
            if not serving.startswith(own_layout):
                log.warning("milvus: %s holds build %s, written with another embedder or analyzer than build %s: "
                            "that build is searched in process", self.alias, build, index.build)
                return None
            self.client.load_collection(serving)
            if build != index.build:
                log.warning("milvus: %s holds build %s and this process loaded build %s: searching it through the "
                            "alias, not writing it (%s)", self.alias, build, index.build,
                            "an older build is never written back" if build > index.build
                            else "the writer publishes builds")
            return serving

    def _create(self, index: LoadedIndex, analyzer: dict[str, Any], key: str) -> str:
        name = f"{self.alias}_{key}_{index.build.replace('-', '_')}"
        if self.client.has_collection(name):
            self.client.drop_collection(name)
        self.client.create_collection(name, schema=self._schema(int(index.manifest["dimension"]), analyzer),
                                      index_params=self._index_params())
        count = self._insert(name, self.rows(index))
        self.client.flush(name)  # sealed segments with their indexes; unflushed rows are scanned per search
        self._mark(name, index.build)
        self.client.load_collection(name)
        previous = self._serving()
        if previous is None:
            self.client.create_alias(name, self.alias)
        else:
            self.client.alter_alias(name, self.alias)  # atomic: a search sees the old or the new collection
        # The previous collection stays one generation (a request in flight may still read it);
        # older ones of this alias's own naming go. Other deployments' collections are not touched.
        own = re.compile(rf"^{re.escape(self.alias)}_\w{{1,24}}_\d{{8}}T\d+_\d+$")
        for other in self.client.list_collections():
            if own.match(other) and other not in (name, previous):
                self.client.drop_collection(other)
        log.info("milvus: collection %s written (%d clauses) and %s switched to it", name, count, self.alias)
        return name

    def _update(self, collection: str, index: LoadedIndex) -> None:
        have = self._hashes(collection)
        changed = self._insert(collection, self.rows(index, have), upsert=True)  # streamed: only what differs
        gone = sorted(have)  # ids the build no longer has
        for start in range(0, len(gone), BATCH):
            self.client.delete(collection, ids=gone[start : start + BATCH])
        if changed or gone:
            self.client.flush(collection)
        log.info("milvus: %s updated for build %s (%d upserted, %d deleted)", collection, index.build, changed,
                 len(gone))


class MilvusBackend(FusedBackend):
    """Lexical and dense candidates from the Milvus collection `store.attach` gave for the build."""

    def __init__(self, index: LoadedIndex, settings: Settings, store: MilvusStore, collection: str,
                 mode: Mode = "fused") -> None:
        super().__init__(index, settings, mode)
        self.store = store
        self.collection = collection  # the alias's when attached; searches go through the alias

    def _candidates(self, request: SearchRequest, mask: np.ndarray | None, scope: Scope, n: int) -> Candidates:
        expr = filter_expression(scope)
        positions = self.index.positions
        lists: dict[str, list[int]] = {}
        scores: dict[str, dict[int, float]] = {}
        requests: list[tuple[str, Any]] = []
        if self.mode in ("fused", "lexical"):
            tokens = self.index.lexical.tokenizer.query(request.text, self.index.lexical.glossary)
            if tokens:
                requests.append(("lexical", (" ".join(tokens), "sparse")))
            else:
                lists["lexical"], scores["lexical"] = [], {}
        if self.mode in ("fused", "dense"):
            vector = self.index.dense.encode(request.dense_text or request.text)
            requests.append(("dense", (vector.tolist(), "dense")))
        for name, (data, field) in requests:
            # through the alias: after a switch an engine still answering searches the new
            # collection, and its own build drops what it does not hold
            found = self.store.client.search(self.store.alias, data=[data], anns_field=field, limit=n,
                                             filter=expr, output_fields=[])
            ranked: list[int] = []
            values: dict[int, float] = {}
            for hit in found[0]:
                i = positions.get(str(hit["id"]))
                if i is None or (mask is not None and not mask[i]):
                    continue  # not in the loaded build, or outside its scope: the build decides
                ranked.append(i)
                values[i] = abs(float(hit["distance"])) if name == "lexical" else float(hit["distance"])
            lists[name], scores[name] = ranked, values

        def score_of(name: str) -> Callable[[np.ndarray], np.ndarray]:
            return lambda chosen: np.array([scores[name].get(int(i), 0.0) for i in chosen], dtype=np.float32)

        return lists, {name: score_of(name) for name in lists}
