"""Document ids and region names on a tiny corpus written on the spot: removing a document leaves
the statuses of documents whose ids merely start with its id; an upload cannot take an id a source
or a split document has (409 `id_taken`, from the service and over HTTP); a region name typed with
an invisible character is the region it looks like."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.errors import IdTaken
from assistant.index.build import build_index
from assistant.index.load import load_index
from assistant.service.assistant import Assistant
from assistant.service.library import Metadata, change
from assistant.settings import Settings
from tests.conftest import error
from tests.slow.tiny_corpus import POOL, tiny_corpus

TOKEN = "ids-secret-Zt83kWq5Lm"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# 西安 with a zero-width space inside, a left-to-right mark before and a BOM and a space after
HIDDEN_XIAN = "\u200e西\u200b安\ufeff "


@pytest.fixture
def tiny(tmp_path: Path) -> Settings:
    return tiny_corpus(tmp_path)


def _entries(settings: Settings) -> dict[str, dict[str, str]]:
    raw = tomllib.loads((settings.corpus_dir / "documents.toml").read_text("utf-8"))
    return raw.get("documents", {})  # type: ignore[no-any-return]


def test_removing_a_document_keeps_the_statuses_of_documents_whose_ids_start_with_its_id(tiny: Settings):
    change(tiny, lambda lib: lib.retire("xa-2"))
    change(tiny, lambda lib: lib.retire("xa-3-p2-01"))
    change(tiny, lambda lib: lib.retire("xa"))
    assert set(_entries(tiny)) == {"xa", "xa-2", "xa-3-p2-01"}

    change(tiny, lambda lib: lib.remove("xa"))
    assert set(_entries(tiny)) == {"xa-2", "xa-3-p2-01"}
    index = load_index(tiny)
    assert index.documents["xa-2"].status == "已废止" and index.documents["xa-3-p2-01"].status == "已废止"
    answer = Assistant(tiny, index).ask("西安不动产转移登记要多久？")
    assert all(c.document.id != "xa-2" for c in answer.citations)  # still retired: not answered

    # removing the split source takes its own entries (a sub-plan's) and nothing else
    change(tiny, lambda lib: lib.remove("xa-3"))
    assert set(_entries(tiny)) == {"xa-2"}
    assert build_index(tiny)["mode"] == "up to date"


@pytest.mark.parametrize("taken", ["xa", "xa-2", "xa-3-p2-01", "xa-3-p1", "xa-3-p7"])
def test_an_upload_cannot_take_the_id_of_a_source_or_of_a_split_document(tiny: Settings, taken: str):
    name, region, text = POOL[0]
    manifest = (tiny.corpus_dir / "documents.toml").read_bytes()
    files = sorted(p.name for p in tiny.corpus_dir.iterdir())
    with pytest.raises(IdTaken, match=f"document id {taken} is taken"):
        Assistant(tiny).add_document(name, text.encode(), Metadata(region=region, doc_id=taken))
    assert (tiny.corpus_dir / "documents.toml").read_bytes() == manifest
    assert sorted(p.name for p in tiny.corpus_dir.iterdir()) == files
    assert load_index(tiny).documents["xa-3-p2-01"].title == "方案一：“开办企业”指标提升方案"


def test_region_names_given_with_invisible_characters_are_the_region_they_look_like(tiny: Settings):
    library = Assistant(tiny)
    name, _region, text = POOL[1]
    spec, _ = library.add_document(name, text.encode(), Metadata(region=HIDDEN_XIAN))
    assert spec.region == "西安"
    assert set(tomllib.loads((tiny.corpus_dir / "documents.toml").read_text("utf-8"))["regions"]) == {
        "陕西", "西安", "咸阳"}
    answer = library.ask("用水报装要多久？", region="西\u200c安\u2069")
    assert answer.citations[0].document.id == spec.id and answer.citations[0].document.region == "西安"
    assert library.search("用水报装", region="\u202a西安\u202c")[0].clause.doc_id == spec.id
    name, _region, text = POOL[2]
    # a new area (not an administrative one: those the region tree knows already)
    new, _ = library.add_document(name, text.encode(), Metadata(region="沣东新城\u200d", region_parent="\u200f咸阳"))
    assert new.region == "沣东新城"
    regions = tomllib.loads((tiny.corpus_dir / "documents.toml").read_text("utf-8"))["regions"]
    assert regions["沣东新城"]["parent"] == "咸阳"


@pytest.fixture
def api(tiny: Settings):  # type: ignore[no-untyped-def]
    from assistant.service.feedback import FeedbackStore
    from web.app import create_app

    settings = tiny.model_copy(update={"admin_token": SecretStr(TOKEN)})
    app = create_app(settings, Assistant(settings), FeedbackStore(settings.data_dir / "feedback.sqlite3"), ui=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, settings


def test_the_api_refuses_a_taken_id_with_409_and_reads_hidden_region_names(api):
    client, settings = api
    name, region, text = POOL[0]
    for taken in ("xa-2", "xa-3-p2-01"):
        response = client.post("/api/documents", files={"file": (name, text.encode())},
                               data={"region": region, "id": taken}, headers=AUTH)
        body = error(response, 409, "id_taken")
        assert taken in body["message_en"] and body["details"]["document"] == taken
    assert not any(p.name.startswith("xa-2_") for p in settings.corpus_dir.iterdir())

    name, _region, text = POOL[1]
    added = client.post("/api/documents", files={"file": (name, text.encode())}, data={"region": HIDDEN_XIAN},
                        headers=AUTH)
    assert added.status_code == 201, added.text
    assert added.json()["document"]["region"] == "西安"
    asked = client.post("/api/ask", json={"question": "用水报装要多久？", "region": "西\u200b安"})
    assert asked.status_code == 200, asked.text
    assert asked.json()["citations"][0]["region"] == "西安"
    found = client.get("/api/search", params={"q": "用水报装", "region": "\u2066西安\u2069"})
    assert found.status_code == 200 and found.json()["hits"][0]["document_id"] == added.json()["document"]["id"]
    error(client.post("/api/ask", json={"question": "用水报装要多久？", "region": "西\u200b京"}), 400, "unknown_region")
