"""The Responses API's event stream made from a finished response, on an inline response of its own."""

from __future__ import annotations

import json
from typing import Any

from web.routes.openai import response_events

TEXT = "开办企业0.5个工作日办结。\n\n参考条款：\n[1] 《西安市企业开办便利化措施》 一、1."
LINE = "[1] 《西安市企业开办便利化措施》 一、1."


def response(status: str = "completed") -> dict[str, Any]:
    start = TEXT.index(LINE)
    annotation = {"type": "url_citation", "url": "http://x/api/clauses/xa:一、1.", "title": "t",
                  "start_index": start, "end_index": start + len(LINE), "clause_id": "xa:一、1."}
    return {"id": "resp_1", "object": "response", "created_at": 1, "model": "policy-assistant", "status": status,
            "incomplete_details": None if status == "completed" else {"reason": "max_output_tokens"}, "error": None,
            "output": [{"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                        "content": [{"type": "output_text", "text": TEXT, "annotations": [annotation]}]}],
            "usage": {"input_tokens": 8, "output_tokens": len(TEXT), "total_tokens": 8 + len(TEXT)},
            "citations": [{"clause_id": "xa:一、1."}], "abstained": False}


def parse(stream: str) -> list[dict[str, Any]]:
    events = []
    for block in stream.split("\n\n"):
        if not block:
            continue
        kind, data = block.split("\n")
        assert kind.startswith("event: ") and data.startswith("data: ")
        event = json.loads(data[len("data: "):])
        assert event["type"] == kind[len("event: "):]
        events.append(event)
    return events


def test_the_stream_opens_sends_the_text_in_deltas_and_ends_with_the_whole_response():
    full = response()
    events = parse("".join(response_events(full)))
    kinds = [e["type"] for e in events]
    assert kinds[:4] == ["response.created", "response.in_progress", "response.output_item.added",
                         "response.content_part.added"]
    assert kinds[-5:] == ["response.output_text.annotation.added", "response.output_text.done",
                          "response.content_part.done", "response.output_item.done", "response.completed"]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert events[0]["response"]["status"] == "in_progress" and events[0]["response"]["output"] == []
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert len(deltas) > 1 and "".join(e["delta"] for e in deltas) == TEXT
    assert all(e["item_id"] == "msg_1" and e["output_index"] == 0 and e["content_index"] == 0 for e in deltas)
    added = events[kinds.index("response.output_text.annotation.added")]
    annotation = added["annotation"]
    assert added["annotation_index"] == 0 and TEXT[annotation["start_index"]:annotation["end_index"]] == LINE
    assert events[kinds.index("response.output_text.done")]["text"] == TEXT
    assert events[-1]["response"] == full  # citations and all, as the non-streamed answer


def test_a_cut_response_ends_as_incomplete():
    events = parse("".join(response_events(response("incomplete"))))
    assert events[-1]["type"] == "response.incomplete"
    assert events[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
