"""The local executor of the build keeps order across batches (the Ray build is in tests/slow/)."""

from __future__ import annotations

from assistant.index.executors import LocalExecutor


def test_the_local_executor_keeps_order_across_batches():
    assert LocalExecutor().map(lambda batch: [x * 2 for x in batch], list(range(10)), batch_size=3) == \
        [x * 2 for x in range(10)]
