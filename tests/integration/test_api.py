"""Every HTTP endpoint and every error case, through FastAPI's TestClient on the real index."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.service.assistant import Assistant
from assistant.service.feedback import FeedbackStore
from assistant.settings import Settings
from tests.conftest import error
from web.app import create_app

pytestmark = pytest.mark.integration

ASK = "/api/ask"
OPENING = "泾河新城开办企业要多久？"
ADMIN = "api-secret-Rf63nWp8"
AUTH = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def client(built_settings: Settings, assistant: Assistant, data_dir: Path):  # type: ignore[no-untyped-def]
    settings = built_settings.model_copy(update={"data_dir": data_dir, "admin_token": SecretStr(ADMIN),
                                                 "rate_limit_ask": "1000/second", "rate_limit_other": "1000/second"})
    app = create_app(settings, Assistant(settings), FeedbackStore(data_dir / "feedback.sqlite3"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


# -- /api/ask -------------------------------------------------------------------------------------
def test_ask_returns_the_cli_contract(client):
    body = client.post(ASK, json={"question": "在泾河新城注册公司要多久？"}).json()
    assert "1 个工作日" in body["answer"].split("。")[0]
    assert not body["abstained"] and body["follow_up"] is None
    top = body["citations"][0]
    assert top["doc_number"] == "陕泾河发〔2023〕15号" and top["path"] == "二、(一)1."
    for key in ("clause_id", "document", "date", "page", "source_file", "line_start", "text", "score"):
        assert key in top
    assert body["facts"] and body["facts"][0]["clause_id"] == top["clause_id"]


def test_ask_filters(client):
    body = client.post(ASK, json={"question": "企业开办需要几个工作日？", "region": "渭滨区"}).json()
    # the region and the regions containing it (a 陕西 rule applies in 渭滨区), never a neighbour's
    assert body["citations"][0]["region"] == "渭滨区"
    assert {c["region"] for c in body["citations"]} <= {"渭滨区", "宝鸡", "陕西"}
    body = client.post(ASK, json={"question": "企业开办需要几个工作日？", "document": "jh2023-15-p2-01"}).json()
    assert {c["document_id"] for c in body["citations"]} == {"jh2023-15-p2-01"}


def _follow(client, *questions: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    history = []
    for q in questions[:-1]:
        answer = client.post(ASK, json={"question": q, "history": history}).json()["answer"]
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": answer}]
    response = client.post(ASK, json={"question": questions[-1], "history": history})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_region_follow_up(client):
    body = _follow(client, OPENING, "那渭滨区呢？")
    assert body["follow_up"] == "region" and "渭滨区" in body["interpreted_as"]
    assert {c["region"] for c in body["citations"]} == {"渭滨区"}
    assert "1个工作日" in body["answer"].split("。")[0]


def test_clause_follow_up_asks_for_the_department(client):
    body = _follow(client, OPENING, "牵头单位是谁？")
    assert body["follow_up"] == "clause"
    assert body["citations"][0]["clause_id"] == "jh2023-15-p2-01:二、(一)1."
    assert "市监分局" in body["answer"].split("。")[0]


def test_clause_follow_up_asks_for_the_deadline_after_another_follow_up(client):
    body = _follow(client, OPENING, "牵头单位是谁？", "这个什么时候要完成？")
    assert body["citations"][0]["clause_id"] == "jh2023-15-p2-01:二、(一)1."
    assert "2023 年 9 月底前" in body["answer"].split("。")[0]


def test_topic_follow_up_keeps_the_region(client):
    body = _follow(client, OPENING, "那获得电力呢？")
    assert body["follow_up"] == "topic"
    top = body["citations"][0]
    assert top["region"] == "泾河新城" and top["topic"] == "获得电力"


def test_a_new_subject_is_not_a_follow_up(client):
    body = _follow(client, OPENING, "渭滨区热线工单直派机制是哪个单位牵头？")
    assert body["follow_up"] is None
    assert "区城市治理指挥中心" in body["answer"].split("。")[0]


@pytest.mark.parametrize(("payload", "code"), [
    ({"question": ""}, "empty_question"),
    ({"question": "  \n\t "}, "empty_question"),
    ({"question": "开" * 1001}, "question_too_long"),
    ({"question": "开办企业", "region": "火星"}, "unknown_region"),
    ({"question": "开办企业", "document": "no-such-doc"}, "unknown_document"),
    ({}, "invalid_request"),
    ({"question": 42}, "invalid_request"),
    ({"question": ["开办企业"]}, "invalid_request"),
    ({"question": "开办企业", "regoin": "西安"}, "invalid_request"),
    ({"question": "开办企业", "history": [{"role": "wizard", "content": "x"}]}, "invalid_request"),
    ({"question": "开办企业", "history": "not a list"}, "invalid_request"),
    ([1, 2, 3], "invalid_request"),
    ("just a string", "invalid_request"),
])
def test_ask_errors(client, payload, code):
    body = error(client.post(ASK, json=payload), 400, code)
    if code == "unknown_region":
        assert "西安" in body["details"]["valid"] and "西安" in body["message_en"]
    if code == "unknown_document":
        assert "xa2022-72" in body["details"]["valid"]


def test_malformed_json_body(client):
    error(client.post(ASK, content=b'{"question": "\xe5\xbc', headers={"content-type": "application/json"}),
          400, "invalid_request")
    error(client.post(ASK, content=b"question=x", headers={"content-type": "application/x-www-form-urlencoded"}),
          400, "invalid_request")


# -- search, documents, clauses, health --------------------------------------------------------------
def test_search_returns_ranked_clauses_without_answer_text(client):
    body = client.get("/api/search", params={"q": "用电报装", "k": 7, "region": "渭滨区"}).json()
    hits = body["hits"]
    assert len(hits) == 7 and "answer" not in body
    assert [h["rank"] for h in hits] == list(range(1, 8))
    assert all(a["score"] >= b["score"] for a, b in zip(hits, hits[1:], strict=False))
    assert hits[0]["region"] == "渭滨区" and {h["region"] for h in hits} <= {"渭滨区", "宝鸡", "陕西"}
    assert "lexical" in hits[0]["scores"]


@pytest.mark.parametrize(("params", "code"), [
    ({"q": "", "k": 5}, "empty_question"),
    ({"q": "用电", "k": 0}, "invalid_request"),
    ({"q": "用电", "k": 51}, "invalid_request"),
    ({"q": "用电", "k": "ten"}, "invalid_request"),
    ({"q": "用电", "region": "Atlantis"}, "unknown_region"),
    ({"q": "用电", "document": "zz"}, "unknown_document"),
])
def test_search_errors(client, params, code):
    error(client.get("/api/search", params=params), 400, code)


def test_documents(client):
    body = client.get("/api/documents").json()
    docs = {d["id"]: d for d in body["documents"]}
    assert len(docs) == 67 and "西安" in body["regions"]
    # in the order of the region tree: a province, then what lies inside it
    regions = body["regions"]
    assert regions[:3] == ["陕西", "西安", "泾河新城"] and regions.index("渭滨区") < regions.index("宁夏")
    assert regions.index("甘肃") < regions.index("兰州") < regions.index("新疆")
    xa = docs["xa2022-72"]
    assert xa["doc_number"] == "市政办函〔2022〕72号" and xa["issuer"] and xa["date"] == "2022-07-27"
    assert xa["clauses"] > 50
    assert sum(d["clauses"] for d in docs.values()) == 2163


def test_clause_in_context(client):
    cid = "jh2023-15-p2-01:二、(一)1."
    body = client.get("/api/clauses/" + quote(cid)).json()
    assert body["id"] == cid and body["headings"] == ["主要任务", "提升市场主体登记注册效率"]
    assert body["fields"]["牵头单位"] == "市监分局"
    assert {f["type"] for f in body["facts"]} >= {"time_limit", "deadline"}
    assert body["previous_id"] and body["next_id"] == "jh2023-15-p2-01:二、(一)2."
    assert body["next"]["text"] and body["document"]["doc_number"] == "陕泾河发〔2023〕15号"
    assert "page" in body and body["line_start"] > 0
    nxt = client.get("/api/clauses/" + quote(body["next_id"])).json()
    assert nxt["previous_id"] == cid


def test_unknown_clause_is_404(client):
    error(client.get("/api/clauses/" + quote("xa2022-72:九十九、")), 404, "unknown_clause")


def test_health_reports_the_manifest(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ready"
    manifest = body["manifest"]
    assert manifest["clauses"] == 2163 and manifest["embedding_model"] == "trained"
    assert manifest["corpus_fingerprint"] and manifest["built_at"]


def test_unknown_paths_and_methods(client):
    error(client.get("/api/nope"), 404, "not_found")
    body = error(client.get(ASK), 405, "method_not_allowed")
    assert body["details"]["allowed"] == ["POST"]
    error(client.delete("/api/health"), 405, "method_not_allowed")


# -- feedback ---------------------------------------------------------------------------------------
def test_feedback_is_stored_and_survives_a_restart(client, built_settings, assistant, data_dir):
    row = {"rating": "down", "question": "开办企业要多久？", "answer": "…", "comment": "引用的条款不对",
           "clause_ids": ["xa2022-72:(三)5.(11)"]}
    created = client.post("/api/feedback", json=row)
    assert created.status_code == 201 and created.json()["id"] > 0
    settings = built_settings.model_copy(update={"data_dir": data_dir, "admin_token": SecretStr(ADMIN)})
    with TestClient(create_app(settings, Assistant(settings), ui=False)) as again:  # a new app, a new store
        listed = again.get("/api/feedback", params={"rating": "down"}, headers=AUTH).json()["feedback"]
    assert listed[0]["comment"] == "引用的条款不对" and listed[0]["clause_ids"] == row["clause_ids"]


@pytest.mark.parametrize("payload", [
    {"rating": "meh", "question": "q"},
    {"rating": "up"},
    {"rating": "up", "question": "   "},
    {"rating": "up", "question": "q", "comment": "长" * 2001},
])
def test_feedback_errors(client, payload):
    error(client.post("/api/feedback", json=payload), 400, "invalid_request")


def test_feedback_list_errors(client):
    error(client.get("/api/feedback", params={"limit": 0}, headers=AUTH), 400, "invalid_request")
    error(client.get("/api/feedback", params={"rating": "sideways"}, headers=AUTH), 400, "invalid_request")
    error(client.get("/api/feedback"), 401, "unauthorized")  # other users' comments are not public


# -- OpenAI-compatible ------------------------------------------------------------------------------
def test_models(client):
    body = client.get("/v1/models").json()
    assert body["object"] == "list" and body["data"][0]["id"] == "policy-assistant"


def test_chat_completion(client):
    body = client.post("/v1/chat/completions", json={
        "model": "policy-assistant", "temperature": 0.2,
        "messages": [{"role": "system", "content": "你是助手"}, {"role": "user", "content": "在西安开办企业需要多长时间？"}],
    }).json()
    content = body["choices"][0]["message"]["content"]
    assert body["object"] == "chat.completion" and body["choices"][0]["finish_reason"] == "stop"
    assert "工作日" in content.split("。")[0] and "参考条款" in content and "[1] 《" in content
    assert body["citations"][0]["clause_id"] and body["usage"]["total_tokens"] > 0


def test_chat_completion_stream_and_follow_up(client):
    messages = [{"role": "user", "content": OPENING}, {"role": "assistant", "content": "…"},
                {"role": "user", "content": [{"type": "text", "text": "牵头单位是谁？"}]}]
    with client.stream("POST", "/v1/chat/completions", json={"messages": messages, "stream": True}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in r.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "市监分局" in text.split("。")[0]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)


@pytest.mark.parametrize(("payload", "code"), [
    ({"messages": []}, "invalid_request"),
    ({"messages": [{"role": "user", "content": ""}]}, "empty_question"),
    ({"messages": [{"role": "user", "content": "x" * 1001}]}, "question_too_long"),
    ({"messages": [{"role": "user", "content": "开办企业"}, {"role": "assistant", "content": "好"}]},
     "invalid_request"),
    ({"messages": [{"role": "user", "content": "开办企业"}], "region": "火星"}, "unknown_region"),
    ({"messages": "hello"}, "invalid_request"),
    ({"model": "x"}, "invalid_request"),
])
def test_chat_completion_errors(client, payload, code):
    error(client.post("/v1/chat/completions", json=payload), 400, code)


# -- the page and the docs ------------------------------------------------------------------------------
def test_page_and_docs_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/ask", "/api/search", "/api/documents", "/api/clauses/{clause_id}", "/api/health",
                 "/api/feedback", "/v1/chat/completions", "/v1/models"):
        assert path in paths


WEIRD = [None, 0, -1, 1e308, True, "", "\x00", "\ud800", "🙂" * 500, [], {}, [{}], {"a": {"b": {"c": []}}},
         "开" * 5000, {"role": "user"}, [None, None]]


@pytest.mark.parametrize("value", WEIRD)
def test_nothing_a_client_sends_is_a_500(client, value):
    for path, payload in [
        (ASK, {"question": value}), (ASK, {"question": "开办企业", "region": value}),
        (ASK, {"question": "开办企业", "history": value}), (ASK, value),
        ("/api/feedback", {"rating": "up", "question": value}),
        ("/v1/chat/completions", {"messages": value}),
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": value}]}),
    ]:
        try:
            response = client.post(path, json=payload)
        except (TypeError, ValueError, UnicodeEncodeError):
            continue  # not representable as JSON: a client cannot send it
        assert response.status_code < 500, (path, payload, response.text)
    for params in ({"q": value}, {"q": "用电", "k": value}, {"q": "用电", "region": value}):
        if isinstance(value, list | dict) or value is None:
            continue
        try:
            response = client.get("/api/search", params=params)
        except UnicodeEncodeError:
            continue  # a lone surrogate cannot be put in a URL
        assert response.status_code < 500, (params, response.text)


# -- the OpenAPI document types every response ----------------------------------------------------
def test_every_route_documents_its_success_body(client):
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            ok = operation["responses"].get("200") or operation["responses"].get("201")
            schema = ok["content"]["application/json"]["schema"]
            assert "$ref" in schema, (method, path)  # a named model, not an untyped object


def test_the_response_models_keep_every_field_the_contract_builds(assistant):
    """Validating a real body through its model drops nothing and adds nothing: the models and
    `assistant.service.contract` describe the same JSON (extra fields would be a 500 at serving time)."""
    from assistant.service.contract import answer_json, clause_json, document_json, hit_json
    from web.models.responses import AnswerOut, ClauseOut, HitOut, ListedDocumentOut

    answer = assistant.ask("泾河新城开办企业要多久，牵头部门是哪个？")
    assert answer.citations and answer.departments
    engine = assistant.engine()
    hit = assistant.search_in(engine, "开办企业", 1)[0]
    bodies = [(AnswerOut, answer_json(answer)), (ClauseOut, clause_json(assistant.clause(hit.clause.id))),
              (HitOut, hit_json(hit, engine.index.documents[hit.clause.doc_id])),
              (ListedDocumentOut, document_json(engine.index.documents[hit.clause.doc_id], 3))]
    for model, body in bodies:
        assert model.model_validate(body).model_dump(mode="json") == json.loads(json.dumps(body)), model
