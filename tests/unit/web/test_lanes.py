"""The long-history lane: a long conversation rests only while others are being answered."""

from __future__ import annotations

import time


def test_a_long_history_waits_in_its_lane_only_while_others_are_answered():
    import asyncio

    from assistant.understand.conversation import Turn
    from web.lanes import LongLane

    lane = LongLane(share=0.1, turns=3, chars=3000)
    short, long_ = [Turn("user", "开办企业要多久？")], [Turn("user", f"问题{i}") for i in range(5)]
    assert not lane.is_long(short) and lane.is_long(long_) and lane.is_long([Turn("user", "长" * 3001)])

    async def scenario() -> tuple[float, float]:
        async def long_request() -> None:
            async with lane.enter(long_):
                await asyncio.sleep(0.05)  # its work

        await long_request()
        started = time.monotonic()
        await long_request()  # idle server: no rest
        idle = time.monotonic() - started

        async def short_request() -> None:
            async with lane.enter(short):
                await asyncio.sleep(0.6)

        busy = asyncio.create_task(short_request())
        await asyncio.sleep(0.01)
        started = time.monotonic()
        await long_request()  # others are answered: it rests ~9× its work first
        waited = time.monotonic() - started
        await busy
        return idle, waited

    idle, waited = asyncio.run(scenario())
    assert idle < 0.2 and waited > 0.4
