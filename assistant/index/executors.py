"""Where the build's heavy stages run: parse, tokenize, embed.

`LocalExecutor` (the default) runs them in this process. `RayExecutor` runs them on Ray Data
(`assistant build --executor ray`, PyPI `ray[data]`, the `ray` extra): a local Ray instance by
default, or the cluster at `ASSISTANT_RAY_ADDRESS` ("auto" joins the one this machine belongs to).
Both apply the same functions to the same batches and return results in input order, so the two
produce the same build folder (`tests/slow/test_executors.py` checks this file for file).

A stage's function takes a list of items and returns one result per item; it must be picklable
(a module-level function, arguments bound with `functools.partial`).
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from assistant.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    name: str

    def map(self, fn: Callable[[list[T]], list[R]], items: Sequence[T], batch_size: int) -> list[R]: ...


def _batches(items: Sequence[T], size: int) -> list[list[T]]:
    return [list(items[k : k + size]) for k in range(0, len(items), max(1, size))]


class LocalExecutor:
    name = "local"

    def map(self, fn: Callable[[list[T]], list[R]], items: Sequence[T], batch_size: int) -> list[R]:
        out: list[R] = []
        for batch in _batches(items, batch_size):
            out.extend(fn(batch))
        return out


def _apply(rows: dict[str, Any], fn: Callable[[list[Any]], list[Any]]) -> dict[str, Any]:
    """One Ray Data batch of (k, pickled items) rows → (k, pickled results) rows."""
    keys = list(rows["k"])
    results = [pickle.dumps(fn(pickle.loads(payload))) for payload in rows["payload"]]
    return {"k": keys, "result": results}


class RayExecutor:
    """The stages on Ray Data: each batch of items is one row; rows are mapped in parallel by
    Ray's workers and gathered back in order."""

    name = "ray"

    def __init__(self, address: str = "", num_cpus: int | None = None) -> None:
        try:
            import ray
        except ImportError as exc:  # an optional extra
            from assistant.errors import AssistantError

            raise AssistantError("the Ray executor needs Ray: pip install 'policy-assistant[ray]'",
                                 "Ray 执行器需要安装 Ray：pip install 'policy-assistant[ray]'") from exc
        if not ray.is_initialized():
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                       "ignore_reinit_error": True}
            if address:
                options["address"] = address
            elif num_cpus:
                options["num_cpus"] = num_cpus
            ray.init(**options)
            log.info("ray: %s", ray.cluster_resources())
        self._ray = ray

    def map(self, fn: Callable[[list[T]], list[R]], items: Sequence[T], batch_size: int) -> list[R]:
        batches = _batches(items, batch_size)
        if not batches:
            return []
        rows = [{"k": k, "payload": pickle.dumps(batch)} for k, batch in enumerate(batches)]
        dataset = self._ray.data.from_items(rows, override_num_blocks=len(rows))
        apply: Any = _apply
        mapped = dataset.map_batches(apply, fn_kwargs={"fn": fn}, batch_size=1, batch_format="numpy")
        done = sorted(mapped.take_all(), key=lambda row: int(row["k"]))
        out: list[R] = []
        for row in done:
            out.extend(pickle.loads(row["result"]))
        return out


def make_executor(settings: Settings, name: str | None = None) -> Executor:
    chosen = name or settings.build_executor
    if chosen == "ray":
        return RayExecutor(settings.ray_address)
    return LocalExecutor()
