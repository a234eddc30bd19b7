"""Load benchmark: N concurrent clients for T seconds against POST /api/ask on loopback.

Starts `assistant serve` on a free port (or uses --url), waits until /api/health is ready, then
prints requests per second, latency percentiles and the error count. Questions rotate through a
mix of citizen, enterprise and hotline questions, a fifth of them follow-ups with history.

    python scripts/loadbench.py [--clients 16] [--seconds 30] [--url http://127.0.0.1:7860]
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


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    # the bench measures the server, not the per-client limits (all its clients share one address)
    env = {**os.environ, "ASSISTANT_DATA_DIR": os.environ.get("ASSISTANT_DATA_DIR", "/tmp/assistant-loadbench"),
           "ASSISTANT_RATE_LIMIT_ASK": "100000/second", "ASSISTANT_RATE_LIMIT_OTHER": "100000/second",
           "ASSISTANT_RATE_LIMIT_ADMIN": "100000/second"}
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


async def client(url: str, stop: float, offset: int, latencies: list[float], errors: list[str]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        i = offset
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                response = await http.post("/api/ask", json=payload(i))
                if response.status_code != 200:
                    errors.append(f"{response.status_code}: {response.text[:100]}")
                else:
                    latencies.append((time.perf_counter() - started) * 1000)
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
            i += 1


async def run(url: str, clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    async with httpx.AsyncClient(base_url=url) as http:  # warm the server's caches first
        for i in range(20):
            await http.post("/api/ask", json=payload(i))
    started = time.perf_counter()
    await asyncio.gather(*(client(url, started + seconds, k * 7, latencies, errors) for k in range(clients)))
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {"clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies) + len(errors),
            "errors": len(errors), "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(quantiles[49], 1), "p95_ms": round(quantiles[94], 1), "p99_ms": round(quantiles[98], 1),
            "max_ms": round(max(latencies, default=float("nan")), 1), "first_errors": errors[:3]}  # type: ignore[dict-item]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--url", help="an already running server; default: start one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    proc, url = (None, args.url) if args.url else start_server()
    try:
        result = asyncio.run(run(url, args.clients, args.seconds))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"POST /api/ask, {result['clients']} clients, {result['seconds']} s on {url}")
        print(f"  requests {result['requests']}  errors {result['errors']}  {result['rps']} req/s")
        print(f"  latency p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms  p99 {result['p99_ms']} ms  "
              f"max {result['max_ms']} ms")
        for error in result["first_errors"]:  # type: ignore[attr-defined]
            print(f"  error: {error}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
