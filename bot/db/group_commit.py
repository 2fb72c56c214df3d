"""Group commit: the writes that arrive together go in one transaction, each answered after it.

A burst of clicks (a poll announced to everyone, a session's replies opening) arrives within a
few milliseconds. Writing each in its own transaction costs a BEGIN, a COMMIT and every
statement once per click; the group writes them all with one of each, so a click costs little
more than its row.

How it keeps every guarantee of one transaction per click:
- Hardly anything waits on purpose: a round starts as soon as a millisecond passes with no
  new item (at most GATHER_SECONDS), and whatever arrives while a round is being written goes
  in the next one (so one click alone is delayed by a millisecond, no more).
- A caller is answered only once the round's transaction has committed: a click is never
  confirmed before its write is durable, and a crash or shutdown before the commit answers
  nobody (their futures are cancelled), so nobody is told about a write that may be lost.
- Two items with the same key (one person clicking twice) never share a round: the second
  goes in the next round, so the order of their writes is the order they arrived.
- Items may be kept in lanes (`lane`: one per session or per server): a round holds one lane's
  items only, so its transaction can read and lock that one thing once, and one lane's rounds
  run one after another while different lanes run side by side.
- The round returns, per item, its result or the refusal (a ServiceError) it met while being
  checked; refusals are decided before anything is written, so they never spoil the others.
  Anything else that goes wrong rolls the whole round back, and then each of its items is run
  alone (`alone`, or a round of one), so one bad item fails alone, exactly as it would have
  without the group.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

# A round larger than this is split: it bounds how long one transaction holds the writer.
ROUND_LIMIT = 250
# How long a round may wait for the rest of a burst that is already arriving, and in what steps.
GATHER_SECONDS = 0.02
GATHER_STEP = 0.001


def _one_lane(item: object) -> Hashable:
    return None


class _Lane(Generic[Item, Result]):
    """The items waiting in one lane, and the task writing its rounds."""

    def __init__(self) -> None:
        self.queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self.writer: asyncio.Task[None] | None = None


class GroupCommit(Generic[Item, Result]):
    """Queue items; write each round of them with `together`, answering each after the commit."""

    def __init__(
        self,
        together: Callable[[Sequence[Item]], Awaitable[Sequence[Result | Exception]]],
        alone: Callable[[Item], Awaitable[Result]] | None,
        key: Callable[[Item], Hashable],
        limit: int = ROUND_LIMIT,
        lane: Callable[[Item], Hashable] = _one_lane,
    ) -> None:
        self._together = together
        self._alone = alone
        self._key = key
        self._limit = limit
        self._lane_of = lane
        self._lanes: dict[Hashable, _Lane[Item, Result]] = {}

    async def submit(self, item: Item) -> Result:
        """Write one item with whatever else is waiting in its lane; return it once committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        name = self._lane_of(item)
        lane = self._lanes.get(name)
        if lane is None:
            lane = self._lanes[name] = _Lane()
        lane.queue.append((item, future))
        if lane.writer is None or lane.writer.done():
            # Held in the lane (a strong reference): the loop keeps tasks only weakly.
            lane.writer = asyncio.create_task(self._write_rounds(name, lane))
        return await future

    def writers(self) -> list[asyncio.Task[None]]:
        """Return the tasks writing rounds now (cancelling one answers none of its items)."""
        return [lane.writer for lane in self._lanes.values() if lane.writer is not None]

    def _next_round(self, lane: _Lane[Item, Result]) -> list[tuple[Item, asyncio.Future[Result]]]:
        """Take the next round: up to the limit, each key once, the rest staying in order."""
        taken: list[tuple[Item, asyncio.Future[Result]]] = []
        left: list[tuple[Item, asyncio.Future[Result]]] = []
        keys: set[Hashable] = set()
        for entry in lane.queue:
            if entry[1].done():  # its caller gave up (cancelled) before it was written
                continue
            key = self._key(entry[0])
            if len(taken) >= self._limit or key in keys:
                left.append(entry)
                # Later items with this key must wait behind it, to keep their order.
                keys.add(key)
                continue
            keys.add(key)
            taken.append(entry)
        lane.queue = left
        return taken

    async def _gather(self, lane: _Lane[Item, Result]) -> None:
        """Let the rest of a burst already arriving join the round (at most GATHER_SECONDS).

        Wait in steps of GATHER_STEP while each step brings more items; one quiet step ends
        it, so a click alone waits one step.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GATHER_SECONDS
        size = -1
        while len(lane.queue) != size and len(lane.queue) < self._limit:
            if loop.time() >= deadline:
                return
            size = len(lane.queue)
            await asyncio.sleep(GATHER_STEP)

    async def _write_rounds(self, name: Hashable, lane: _Lane[Item, Result]) -> None:
        entries: list[tuple[Item, asyncio.Future[Result]]] = []
        try:
            while lane.queue:
                await self._gather(lane)
                entries = self._next_round(lane)
                if entries:
                    await self._write_round(entries)
                entries = []
        finally:
            # Stopped (the bot shutting down): whoever still waits is not left waiting forever,
            # and nobody whose round was cut short is told it counted.
            for _, future in entries + lane.queue:
                if not future.done():
                    future.cancel()
            lane.queue = []
            if self._lanes.get(name) is lane:
                del self._lanes[name]

    async def _write_round(self, entries: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._together([item for item, _ in entries])
        except Exception as error:
            if len(entries) == 1 and self._alone is None:
                _answer(entries[0][1], error)
                return
            log.warning("a group of %d writes failed; writing each alone", len(entries))
            await self._each_alone(entries)
            return
        for (_, future), result in zip(entries, results, strict=True):
            _answer(future, result)

    async def _each_alone(self, entries: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        for item, future in entries:
            try:
                result = await self._write_alone(item)
            except Exception as error:
                _answer(future, error)
            else:
                _answer(future, result)

    async def _write_alone(self, item: Item) -> Result:
        if self._alone is not None:
            return await self._alone(item)
        (result,) = await self._together([item])
        if isinstance(result, Exception):
            raise result
        return result


def _answer(future: asyncio.Future[Result], outcome: Result | Exception) -> None:
    """Answer a caller still waiting (one who gave up is not)."""
    if future.done():
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
