"""The MCP edge through the `mcp` SDK's own client: `assistant mcp` over stdio, and `/mcp` on the
real server over streamable HTTP. Both list the tools and get a cited answer; a write tool without
the admin token is refused, with it it works."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError

from assistant.settings import REPO_ROOT, Settings
from tests.conftest import serving
from tests.slow.tiny_corpus import tiny_corpus

TOKEN = "mcp-secret-Zt84qLw2Rk"
TOOLS = {"ask", "search", "get_clause", "list_documents", "list_regions", "retire_document", "reinstate_document"}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return tiny_corpus(tmp_path_factory.mktemp("mcp"))


def env_of(settings: Settings, token: str = TOKEN) -> dict[str, str]:
    return {"ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
            "ASSISTANT_DATA_DIR": str(settings.data_dir), "ASSISTANT_ADMIN_TOKEN": token,
            "PYTHONPATH": str(REPO_ROOT)}


@pytest.fixture(scope="module")
def server(tiny: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(env_of(tiny), tmp_path_factory.mktemp("mcp-log") / "server.log") as url:
        yield url


def payload(result: Any) -> Any:
    assert not result.is_error, result
    return json.loads(result.content[0].text)


async def exercise(client: Client) -> dict[str, Any]:
    """What a client does first: list tools, resources and prompts; ask; read a cited clause."""
    names = {t.name for t in (await client.list_tools()).tools}
    answer = payload(await client.call_tool("ask", {"question": "企业开办要多久？"}))
    cited = answer["citations"][0]
    clause = await client.read_resource(cited["uri"])
    prompts = {p.name for p in (await client.list_prompts()).prompts}
    prompt = await client.get_prompt("hotline_answer", {"question": "企业开办要多久？", "region": "西安"})
    documents = payload(await client.call_tool("list_documents", {}))["documents"]
    regions = payload(await client.call_tool("list_regions", {}))["regions"]
    hits = payload(await client.call_tool("search", {"query": "不动产登记", "k": 3}))["hits"]
    return {"names": names, "answer": answer, "clause": json.loads(clause.contents[0].text), "prompts": prompts,
            "prompt": prompt.messages[0].content.text, "documents": documents, "regions": regions, "hits": hits}


def check(seen: dict[str, Any]) -> None:
    assert TOOLS <= seen["names"]
    answer = seen["answer"]
    assert answer["state"] == "answered" and "0.5个工作日" in answer["answer"]
    cited = answer["citations"][0]
    assert cited["clause_id"] == "xa:一、1." and cited["uri"] == "policy://clause/xa:一、1."
    assert cited["document"] == "西安市企业开办便利化措施" and cited["line_start"] == 3
    assert seen["clause"]["id"] == cited["clause_id"] and "0.5个工作日" in seen["clause"]["text"]
    assert "hotline_answer" in seen["prompts"] and "企业开办要多久" in seen["prompt"] and "西安" in seen["prompt"]
    assert {d["id"] for d in seen["documents"]} >= {"xa", "xa-2", "xa-3"}
    assert {r["region"] for r in seen["regions"]} >= {"西安"}
    assert seen["hits"][0]["document_id"] == "xa-2" and seen["hits"][0]["uri"].startswith("policy://clause/xa-2:")


def test_stdio_lists_tools_answers_with_citations_and_guards_writes(tiny: Settings) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "assistant.cli", "mcp"],
                                   env={**os.environ, **env_of(tiny)}, cwd=str(REPO_ROOT))

    async def run() -> tuple[dict[str, Any], Any, Any, Any, Any]:
        async with Client(params) as client:
            seen = await exercise(client)
            refused = await client.call_tool("retire_document", {"document_id": "xa-2"})
            wrong = await client.call_tool("retire_document", {"document_id": "xa-2", "admin_token": "nope"})
            retired = await client.call_tool("retire_document", {"document_id": "xa-2", "admin_token": TOKEN})
            missing = await client.call_tool("get_clause", {"clause_id": "no-such:1."})
            with pytest.raises(MCPError, match="未找到文件"):
                await client.read_resource("policy://document/no-such")
            await client.call_tool("reinstate_document", {"document_id": "xa-2", "admin_token": TOKEN})
            return seen, refused, wrong, retired, missing

    seen, refused, wrong, retired, missing = asyncio.run(run())
    check(seen)
    assert refused.is_error and "unauthorized" in refused.content[0].text
    assert wrong.is_error and "unauthorized" in wrong.content[0].text
    assert payload(retired)["status"] == "已废止"
    assert missing.is_error and "未找到" in missing.content[0].text


def test_http_on_the_server_lists_tools_answers_and_takes_the_token_from_the_header(server: str) -> None:
    async def run(headers: dict[str, str] | None = None, call: tuple[str, dict[str, Any]] | None = None) -> Any:
        transport = streamable_http_client(server + "/mcp", http_client=create_mcp_http_client(headers=headers))
        async with Client(transport) as client:
            if call is None:
                return await exercise(client)
            return await client.call_tool(*call)

    check(asyncio.run(run()))
    refused = asyncio.run(run(call=("reinstate_document", {"document_id": "xa"})))
    assert refused.is_error and "unauthorized" in refused.content[0].text
    done = asyncio.run(run({"Authorization": f"Bearer {TOKEN}"}, ("reinstate_document", {"document_id": "xa"})))
    assert payload(done)["status"] == "现行"
    # the guards of the rest of the server stand in front of /mcp too
    big = httpx.post(server + "/mcp", content=b"x" * (2 * 1024 * 1024), headers={"Content-Type": "application/json"})
    assert big.status_code == 413 and big.json()["error"]["code"] == "body_too_large"

