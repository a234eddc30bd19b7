"""Load benchmark: N concurrent clients for T seconds against POST /api/ask and, for every
fourth client, POST /v1/chat/completions, on loopback.

Starts `assistant serve` on a free port (or uses --url), waits until /api/health is ready, then
prints requests per second, latency percentiles, the error count and the server's memory growth
(with its course over the run, sampled every 30 s, to tell a plateau from a leak).
Questions rotate through a mix of citizen, enterprise and hotline questions, a fifth of them
follow-ups with history.

    python scripts/loadbench.py [--clients 16] [--seconds 30] [--url http://127.0.0.1:7860]
    python scripts/loadbench.py --clients 64 --seconds 600 --churn 10   # an upload or retire every 10 s
    python scripts/loadbench.py --heavy 8                               # 16 normal clients alone, then
                                                                        # beside 8 with maximal histories

With --churn the server runs on a copy of the corpus and index (the bench changes documents).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "在西安开办企业需要多长时间？", "泾河新城获得电力要多久？", "渭滨区不动产登记多少个工作日办结？",
    "小微企业贷款有哪些支持？", "工程建设项目审批时间压缩到多少天？", "政务服务好差评由哪个部门负责？",
    "企业注销需要多长时间？", "获得用水报装时间是多少？", "12345热线工单多长时间内办结？",
    "纳税缴费时间压减到多少小时？", "跨境贸易通关时间压缩多少？", "招标投标全流程电子化什么时候完成？",
    "咸阳市开办企业时间？", "银川市一件事一次办有哪些事项？", "兰州市优化营商环境的牵头单位是谁？",
]
FOLLOW_UPS = [("泾河新城开办企业要多久？", "那渭滨区呢？"), ("泾河新城开办企业要多久？", "牵头单位是谁？"),
              ("泾河新城开办企业要多久？", "这个什么时候要完成？")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


ADMIN_TOKEN = "loadbench-admin-Gm35cRx8"


def start_server(extra: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    # the bench measures the server, not the per-client limits (all its clients share one address)
    env = {**os.environ, "ASSISTANT_DATA_DIR": os.environ.get("ASSISTANT_DATA_DIR", "/tmp/assistant-loadbench"),
           "ASSISTANT_RATE_LIMIT_ASK": "100000/second", "ASSISTANT_RATE_LIMIT_OTHER": "100000/second",
           "ASSISTANT_RATE_LIMIT_ADMIN": "100000/second", **(extra or {})}
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("server not ready in 180 s")


def payload(i: int) -> dict[str, object]:
    if i % 5 == 4:
        first, second = FOLLOW_UPS[i % len(FOLLOW_UPS)]
        return {"question": second, "history": [{"role": "user", "content": first}]}
    return {"question": QUESTIONS[i % len(QUESTIONS)]}


def heavy_payload(i: int, settings_chars: int = 50_000, turns: int = 100) -> dict[str, object]:
    """A maximal history: 100 messages filling the character cap, the user's questions varied so
    nothing is remembered between requests."""
    size = settings_chars // turns - 8
    history = []
    for k in range(turns):
        question = f"{QUESTIONS[(i + k) % len(QUESTIONS)]}（第{i}-{k}问）"
        history.append({"role": "user" if k % 2 == 0 else "assistant",
                        "content": (question * (size // len(question) + 1))[:size]})
    return {"question": "那渭滨区呢？", "history": history}


def chat_payload(i: int) -> dict[str, object]:
    """The same question as `payload`, as an OpenAI chat completion."""
    body = payload(i)
    history = list(body.get("history") or [])  # type: ignore[call-overload]
    return {"messages": [*history, {"role": "user", "content": body["question"]}]}


async def client(url: str, stop: float, offset: int, latencies: list[float], errors: list[str],
                 heavy: bool = False, openai: bool = False) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        i = offset
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                if openai:
                    response = await http.post("/v1/chat/completions", json=chat_payload(i))
                else:
                    response = await http.post("/api/ask", json=heavy_payload(i) if heavy else payload(i))
                if response.status_code != 200:
                    errors.append(f"{response.status_code}: {response.text[:100]}")
                else:
                    latencies.append((time.perf_counter() - started) * 1000)
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
            i += 1


async def churn(url: str, stop: float, every: float, errors: list[str], done: list[str]) -> None:
    """An upload, then a retire of what was uploaded, in turn, every `every` seconds."""
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(base_url=url, timeout=120, headers=headers) as http:
        k = 0
        last = ""
        while time.perf_counter() + every < stop:
            await asyncio.sleep(every)
            try:
                if k % 2 == 0:
                    text = (f"西安市碑林区优化营商环境措施（第{k}号）\n一、企业开办全流程{k % 5 + 1}个工作日办结。"
                            f"\n二、不动产登记{k % 7 + 2}个工作日办结。\n").encode()
                    response = await http.post("/api/documents", files={"file": (f"churn{k}.txt", text)},
                                               data={"region": "西安", "date": "2025-01-01"})
                    last = response.json().get("document", {}).get("id", "") if response.status_code == 201 else ""
                else:
                    response = await http.post(f"/api/documents/{last}/retire", json={})
                if response.status_code not in (200, 201):
                    errors.append(f"churn {response.status_code}: {response.text[:100]}")
                else:
                    done.append("upload" if k % 2 == 0 else "retire")
            except httpx.HTTPError as exc:
                errors.append(f"churn {type(exc).__name__}")
            k += 1


def rss(pid: int | None) -> int:
    if pid is None:
        return 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def summary(latencies: list[float], errors: list[str], elapsed: float) -> dict[str, object]:
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {"requests": len(latencies) + len(errors), "errors": len(errors), "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(quantiles[49], 1), "p95_ms": round(quantiles[94], 1), "p99_ms": round(quantiles[98], 1),
            "max_ms": round(max(latencies, default=float("nan")), 1), "first_errors": errors[:3]}


async def sample_rss(pid: int | None, stop: float, samples: list[float], every: float = 30.0) -> None:
    """The server's RSS in MB every `every` seconds until `stop`."""
    while pid is not None and time.perf_counter() + every <= stop:
        await asyncio.sleep(every)
        samples.append(round(rss(pid) / 2**20, 1))


async def run(url: str, clients: int, seconds: float, heavy: int = 0, every: float = 0.0,
              pid: int | None = None) -> dict[str, object]:
    latencies: list[float] = []
    errors: list[str] = []
    heavy_latencies: list[float] = []
    heavy_errors: list[str] = []
    churned: list[str] = []
    async with httpx.AsyncClient(base_url=url) as http:  # warm the server's caches first
        for i in range(20):
            await http.post("/api/ask", json=payload(i))
    before = rss(pid)
    started = time.perf_counter()
    stop = started + seconds
    course: list[float] = [round(before / 2**20, 1)]
    tasks = [client(url, stop, k * 7, latencies, errors, openai=k % 4 == 3) for k in range(clients)]
    tasks.append(sample_rss(pid, stop, course))
    tasks += [client(url, stop, 1000 + k * 13, heavy_latencies, heavy_errors, heavy=True) for k in range(heavy)]
    if every:
        tasks.append(churn(url, stop, every, errors, churned))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    result: dict[str, object] = {"clients": clients, "seconds": round(elapsed, 1), **summary(latencies, errors, elapsed),
                                 "rss_growth_mb": round((rss(pid) - before) / 2**20, 1) if pid else None,
                                 "rss_mb_every_30s": course if pid else None}
    if heavy:
        result["heavy"] = {"clients": heavy, **summary(heavy_latencies, heavy_errors, elapsed)}
    if every:
        result["churn"] = {"every_s": every, "uploads": churned.count("upload"), "retires": churned.count("retire")}
    return result


def copy_of_corpus() -> dict[str, str]:
    """A copy of the corpus and index in a temporary folder, for a bench that changes documents."""
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="loadbench-"))
    shutil.copytree(ROOT / "corpus", root / "corpus")
    shutil.copytree(ROOT / "index", root / "index", ignore=shutil.ignore_patterns(".lock"))
    return {"ASSISTANT_CORPUS_DIR": str(root / "corpus"), "ASSISTANT_INDEX_DIR": str(root / "index"),
            "ASSISTANT_DATA_DIR": str(root / "data"), "ASSISTANT_ADMIN_TOKEN": ADMIN_TOKEN}


def show(result: dict[str, object], url: str) -> None:
    print(f"POST /api/ask and /v1/chat/completions, {result['clients']} clients, {result['seconds']} s on {url}")
    print(f"  requests {result['requests']}  errors {result['errors']}  {result['rps']} req/s")
    print(f"  latency p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms  p99 {result['p99_ms']} ms  "
          f"max {result['max_ms']} ms")
    if result.get("rss_growth_mb") is not None:
        print(f"  server memory growth {result['rss_growth_mb']} MB")
        print(f"  server RSS every 30 s (MB): {result['rss_mb_every_30s']}")
    if "heavy" in result:
        heavy = result["heavy"]
        print(f"  beside {heavy['clients']} clients with maximal histories: {heavy['rps']} req/s, "  # type: ignore[index]
              f"p50 {heavy['p50_ms']} ms, errors {heavy['errors']}")  # type: ignore[index]
    if "churn" in result:
        print(f"  churn: {result['churn']}")
    for error in result["first_errors"]:  # type: ignore[attr-defined]
        print(f"  error: {error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--heavy", type=int, default=0,
                        help="run the normal clients alone, then beside this many with maximal histories")
    parser.add_argument("--churn", type=float, default=0.0, help="an upload or retire every this many seconds")
    parser.add_argument("--url", help="an already running server; default: start one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    extra = copy_of_corpus() if args.churn else {}
    proc, url = (None, args.url) if args.url else start_server(extra)
    pid = proc.pid if proc is not None else None
    try:
        results = []
        if args.heavy:
            results.append(asyncio.run(run(url, args.clients, args.seconds, pid=pid)))
        results.append(asyncio.run(run(url, args.clients, args.seconds, args.heavy, args.churn, pid)))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], ensure_ascii=False))
    else:
        for result in results:
            show(result, url)
        if args.heavy:
            kept = float(results[1]["rps"]) / max(float(results[0]["rps"]), 1e-9)  # type: ignore[arg-type]
            print(f"the normal clients keep {kept:.0%} of their throughput beside {args.heavy} with maximal histories")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
