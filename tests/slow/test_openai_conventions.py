"""OpenAI's conventions on /v1, through clients nobody here wrote, against the real server: the
`openai` client and LangChain's `ChatOpenAI`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from assistant.settings import REPO_ROOT, Settings
from tests.conftest import serving
from tests.slow.tiny_corpus import tiny_corpus

QUESTION = "企业开办要多久？"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tiny: Settings = tiny_corpus(tmp_path_factory.mktemp("openai"))
    env = {"ASSISTANT_INDEX_DIR": str(tiny.index_dir), "ASSISTANT_CORPUS_DIR": str(tiny.corpus_dir),
           "ASSISTANT_DATA_DIR": str(tiny.data_dir), "PYTHONPATH": str(REPO_ROOT)}
    with serving(env, tiny.corpus_dir.parent / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def client(server: str):  # type: ignore[no-untyped-def]
    from openai import OpenAI

    return OpenAI(base_url=server + "/v1", api_key="not-needed", max_retries=0, timeout=30)


def test_unknown_model_is_not_found_in_openai_shape(client, server):  # type: ignore[no-untyped-def]
    from openai import NotFoundError

    with pytest.raises(NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert caught.value.code == "model_not_found" and caught.value.param == "model"
    assert caught.value.type == "invalid_request_error"
    with pytest.raises(NotFoundError):
        client.models.retrieve("gpt-4o")
    assert client.models.retrieve("policy-assistant").id == "policy-assistant"
    # every /v1 error: OpenAI's type and the field at fault, beside the project's code and messages
    body = httpx.post(server + "/v1/chat/completions", json={"messages": [{"role": "user", "content": " "}]}).json()
    assert body["error"]["type"] == "invalid_request_error" and body["error"]["param"] == "messages"
    assert body["error"]["code"] == "empty_question" and body["error"]["message_zh"]
    body = httpx.post(server + "/v1/chat/completions", json={"messages": [{"role": "robot", "content": "x"}]}).json()
    assert body["error"]["type"] == "invalid_request_error" and body["error"]["param"] == "messages[0].role"
    missing = httpx.get(server + "/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "invalid_request_error"


def test_max_tokens_cuts_the_content_and_n_above_one_is_refused(client):  # type: ignore[no-untyped-def]
    from openai import BadRequestError

    cut = client.chat.completions.create(model="policy-assistant", max_tokens=20,
                                         messages=[{"role": "user", "content": QUESTION}])
    assert cut.choices[0].finish_reason == "length"
    assert len(cut.choices[0].message.content) == 20 and cut.usage.completion_tokens == 20
    whole = client.chat.completions.create(model="policy-assistant", messages=[{"role": "user", "content": QUESTION}])
    assert whole.choices[0].finish_reason == "stop" and whole.choices[0].message.content.startswith(
        cut.choices[0].message.content)
    with pytest.raises(BadRequestError) as caught:
        client.chat.completions.create(model="policy-assistant", n=2, messages=[{"role": "user", "content": QUESTION}])
    assert caught.value.param == "n"


def test_citations_are_annotations_over_their_reference_lines(client, server):  # type: ignore[no-untyped-def]
    completion = client.chat.completions.create(model="policy-assistant",
                                                messages=[{"role": "user", "content": QUESTION}])
    message = completion.choices[0].message
    first = message.annotations[0].url_citation
    assert message.content[first.start_index:first.end_index].startswith("[1] 《西安市企业开办便利化措施》")
    assert first.url.startswith(server + "/api/clauses/xa:")
    clause = httpx.get(first.url).json()
    assert clause["id"] == "xa:一、1." and "0.5个工作日" in clause["text"]


def test_langchain_chat_openai_keeps_the_citations(server):  # type: ignore[no-untyped-def]
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=server + "/v1", api_key="not-needed", model="policy-assistant", max_retries=0,
                     use_responses_api=True)
    reply = llm.invoke(QUESTION)
    assert "0.5个工作日" in reply.text
    annotations = [a for block in reply.content if isinstance(block, dict) for a in block.get("annotations", [])]
    assert annotations and annotations[0]["url"].startswith(server + "/api/clauses/xa:")
    assert "西安市企业开办便利化措施" in annotations[0]["title"]


def test_langchain_chat_openai_streams_and_keeps_the_citations(server):  # type: ignore[no-untyped-def]
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=server + "/v1", api_key="not-needed", model="policy-assistant", max_retries=0,
                     use_responses_api=True)
    chunks = list(llm.stream(QUESTION))
    reply = chunks[0]
    for chunk in chunks[1:]:
        reply = reply + chunk
    assert len(chunks) > 2 and "0.5个工作日" in reply.text
    annotations = [a for block in reply.content if isinstance(block, dict) for a in block.get("annotations", [])]
    assert annotations and annotations[0]["url"].startswith(server + "/api/clauses/xa:")


def test_bodies_match_their_documented_models(server):  # type: ignore[no-untyped-def]
    from web.models.responses import CompletionOut, ResponseOut

    completion = httpx.post(server + "/v1/chat/completions", timeout=30,
                            json={"messages": [{"role": "user", "content": QUESTION}]}).json()
    CompletionOut.model_validate(completion)
    response = httpx.post(server + "/v1/responses", json={"input": QUESTION, "max_output_tokens": 10}, timeout=30)
    body = ResponseOut.model_validate(response.json())
    assert body.status == "incomplete" and len(body.output[0].content[0].text) == 10
    streamed = httpx.post(server + "/v1/responses", json={"input": QUESTION, "stream": True}, timeout=30)
    assert streamed.headers["content-type"].startswith("text/event-stream")
    last = json.loads([line for line in streamed.text.splitlines() if line.startswith("data: ")][-1][len("data: "):])
    assert last["type"] == "response.completed"
    ResponseOut.model_validate(last["response"])  # the stream ends with the documented response


def test_responses_stream_with_the_openai_client(client, server):  # type: ignore[no-untyped-def]
    """`client.responses.create(..., stream=True)`: the events a Responses API stream has, the text
    in several deltas that add up to the final response's text, the citation as an annotation."""
    whole = client.responses.create(model="policy-assistant", input=QUESTION)
    events = list(client.responses.create(model="policy-assistant", input=QUESTION, stream=True))
    kinds = [e.type for e in events]
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    for kind in ("response.output_item.added", "response.content_part.added", "response.output_text.done",
                 "response.output_text.annotation.added", "response.output_item.done"):
        assert kind in kinds
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    final = events[-1].response
    assert len(deltas) > 1 and "".join(deltas) == final.output_text == whole.output_text
    assert "0.5个工作日" in final.output_text
    annotation = next(e for e in events if e.type == "response.output_text.annotation.added").annotation
    assert annotation.type == "url_citation" and annotation.url.startswith(server + "/api/clauses/xa:")
    assert final.output[0].content[0].annotations[0].url == annotation.url
    cut = list(client.responses.create(model="policy-assistant", input=QUESTION, stream=True, max_output_tokens=10))
    assert cut[-1].type == "response.incomplete" and len(cut[-1].response.output_text) == 10
