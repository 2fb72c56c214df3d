"""Group commit: the writes that arrive together go in one transaction, each answered after it.

A burst of clicks (a poll announced to everyone) arrives within a few milliseconds. Writing
each in its own transaction costs a BEGIN, a COMMIT and every statement once per click; the
group writes them all with one of each, so a click costs little more than its row.

How it keeps every guarantee of one transaction per click:
- Hardly anything waits on purpose: a round starts as soon as a millisecond passes with no
  new item (at most GATHER_SECONDS), and whatever arrives while a round is being written goes
  in the next one (so one click alone is delayed by a millisecond, no more).
- A caller is answered only once the round's transaction has committed: a click is never
  confirmed before its write is durable, and a crash before the commit loses only writes
  nobody was told about.
- Two items with the same key (one person clicking twice) never share a round: the second
  goes in the next round, so the order of their writes is the order they arrived.
- The round returns, per item, its result or the refusal (a ServiceError) it met while being
  checked; refusals are decided before anything is written, so they never spoil the others.
  Anything else that goes wrong rolls the whole round back, and then each of its items is run
  alone (`alone`), so one bad item fails alone, exactly as it would have without the group.
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


class GroupCommit(Generic[Item, Result]):
    """Queue items; write each round of them with `together`, answering each after the commit."""

    def __init__(
        self,
        together: Callable[[Sequence[Item]], Awaitable[Sequence[Result | Exception]]],
        alone: Callable[[Item], Awaitable[Result]],
        key: Callable[[Item], Hashable],
        limit: int = ROUND_LIMIT,
    ) -> None:
        self._together = together
        self._alone = alone
        self._key = key
        self._limit = limit
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Write one item with whatever else is waiting; return its result once committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_rounds())
        return await future

    def _next_round(self) -> list[tuple[Item, asyncio.Future[Result]]]:
        """Take the next round: up to the limit, each key once, the rest staying in order."""
        taken: list[tuple[Item, asyncio.Future[Result]]] = []
        left: list[tuple[Item, asyncio.Future[Result]]] = []
        keys: set[Hashable] = set()
        for entry in self._queue:
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
        self._queue = left
        return taken

    async def _gather(self) -> None:
        """Let the rest of a burst already arriving join the round (at most GATHER_SECONDS).

        Wait in steps of GATHER_STEP while each step brings more items; one quiet step ends
        it, so a click alone waits one step.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GATHER_SECONDS
        size = -1
        while len(self._queue) != size and len(self._queue) < self._limit:
            if loop.time() >= deadline:
                return
            size = len(self._queue)
            await asyncio.sleep(GATHER_STEP)

    async def _write_rounds(self) -> None:
        entries: list[tuple[Item, asyncio.Future[Result]]] = []
        try:
            while self._queue:
                await self._gather()
                entries = self._next_round()
                if entries:
                    await self._write_round(entries)
        finally:
            # Stopped (the bot shutting down): whoever still waits is not left waiting forever.
            for _, future in entries + self._queue:
                if not future.done():
                    future.cancel()

    async def _write_round(self, entries: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._together([item for item, _ in entries])
        except Exception:
            log.warning("a group of %d writes failed; writing each alone", len(entries))
            await self._each_alone(entries)
            return
        for (_, future), result in zip(entries, results, strict=True):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def _each_alone(self, entries: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        for item, future in entries:
            try:
                result = await self._alone(item)
            except Exception as error:
                if not future.done():
                    future.set_exception(error)
            else:
                if not future.done():
                    future.set_result(result)
