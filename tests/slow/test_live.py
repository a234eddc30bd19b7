"""The real server on a loopback port, driven by clients nobody here wrote: `openai` and `gradio_client`."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import LIVE_AUTH

pytestmark = [pytest.mark.integration, pytest.mark.live]

QUESTION = "在西安开办企业需要多长时间？"


@pytest.fixture(scope="module")
def openai_client(live_server):  # type: ignore[no-untyped-def]
    from openai import OpenAI

    return OpenAI(base_url=live_server + "/v1", api_key="not-needed", max_retries=0, timeout=30)


def test_openai_client_gets_the_time_limit_and_the_clause(openai_client):
    completion = openai_client.chat.completions.create(
        model="policy-assistant", messages=[{"role": "user", "content": QUESTION}])
    content = completion.choices[0].message.content or ""
    first = content.split("。")[0]
    assert "0.5个工作日" in first and "[1]" in first
    assert "[1] 《西安市贯彻落实陕西省" in content and "市政办函〔2022〕72号" in content
    citations = completion.model_extra["citations"]  # type: ignore[index]
    assert citations[0]["clause_id"] == "xa2022-72:(三)5.(11)"
    assert [m.id for m in openai_client.models.list()] == ["policy-assistant"]


def test_openai_client_streams_and_follows_up(openai_client):
    messages = [{"role": "user", "content": "泾河新城开办企业要多久？"},
                {"role": "assistant", "content": "泾河新城“开办企业”方案：…"},
                {"role": "user", "content": "这个什么时候要完成？"}]
    stream = openai_client.chat.completions.create(model="policy-assistant", messages=messages, stream=True)
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(chunks) > 3
    assert "2023 年 9 月底前" in text.split("。")[0]
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_openai_client_sees_errors_as_errors(openai_client):
    from openai import BadRequestError

    with pytest.raises(BadRequestError) as caught:
        openai_client.chat.completions.create(model="policy-assistant", messages=[{"role": "user", "content": " "}])
    assert "问题不能为空" in str(caught.value)


def test_gradio_client_asks_through_the_page(live_server):
    from gradio_client import Client

    client = Client(live_server + "/", verbose=False, download_files=False)
    box, chat, cards, _question, state, error = client.predict(question=QUESTION, region="", document="",
                                                               state={"turns": []}, api_name="/ask")
    assert "0.5个工作日" in box and "state-answered" in box and not error
    assert QUESTION in chat and 'class="citation-card' in cards and "市政办函〔2022〕72号" in cards
    assert [t["question"] for t in state["turns"]] == [QUESTION]


def test_feedback_endpoint_on_the_live_server(live_server):
    created = httpx.post(live_server + "/api/feedback", json={"rating": "up", "question": QUESTION, "answer": "…"})
    assert created.status_code == 201
    listed = httpx.get(live_server + "/api/feedback", headers=LIVE_AUTH).json()["feedback"]
    assert listed[0]["id"] == created.json()["id"]
