"""Run the requests that arrive while a transaction is busy together, in the next one.

A burst (two hundred members pressing Going when a session opens) would otherwise be two
hundred transactions queueing on one row (PostgreSQL) or on SQLite's one writer, each paying
for its own BEGIN, reads and COMMIT. Here the first request of a key runs at once; those that
arrive meanwhile wait for it and then run together in one transaction, in arrival order. Each
caller is answered only after the transaction holding its write has committed, so nobody is
told "done" for a write that could still be lost; a request the batch refuses gets its own
error, and a batch that fails for any other reason is run again one request at a time, so one
bad request never takes the others down with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
T = TypeVar("T")

# Enough to amortise a transaction; few enough that the first in a batch is not kept waiting.
MAX_BATCH = 200
# How long a batch waits for more of the burst it is part of before it starts: clicks of one
# burst reach the bot a fraction of a millisecond apart, and a transaction costs far more.
GATHER_SECONDS = 0.002


@dataclass
class Outcomes(Generic[T]):
    """What a batch decided for each request: a result, or the error to raise to its caller."""

    results: dict[int, T] = field(default_factory=dict)
    errors: dict[int, BaseException] = field(default_factory=dict)


@dataclass(frozen=True)
class Batch(Generic[K, R]):
    """Requests for one key, in arrival order, to run in one transaction."""

    key: K
    requests: list[R]


Runner = Callable[[Batch[K, R]], Awaitable[Outcomes[T]]]


class GroupCommit(Generic[K, R, T]):
    """Run requests for a key one batch at a time; answer each after its batch committed."""

    def __init__(self, run: Runner[K, R, T], max_batch: int = MAX_BATCH) -> None:
        self._run = run
        self._max = max_batch
        self._waiting: dict[K, list[tuple[R, asyncio.Future[T]]]] = {}
        self._busy: set[K] = set()
        # Strong references: a task the loop only holds weakly can vanish mid-batch.
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, key: K, request: R) -> T:
        """Queue a request behind the batch running for its key; return its own result."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append((request, future))
        if key not in self._busy:
            self._busy.add(key)
            task = asyncio.create_task(self._drain(key))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        # Shielded: a caller giving up must not cancel the batch the others wait on.
        return await asyncio.shield(future)

    async def _drain(self, key: K) -> None:
        try:
            while key in self._waiting:
                await asyncio.sleep(GATHER_SECONDS)
                queue = self._waiting.pop(key)
                taken, rest = queue[: self._max], queue[self._max :]
                if rest:
                    self._waiting[key] = rest
                await self._settle(key, taken)
        finally:
            self._busy.discard(key)
            # Only when cancelled (shutting down) is anyone still waiting: never answered.
            for _, future in self._waiting.pop(key, []):
                future.cancel()

    async def _settle(self, key: K, taken: list[tuple[R, asyncio.Future[T]]]) -> None:
        try:
            outcomes = await self._run(Batch(key, [request for request, _ in taken]))
        except asyncio.CancelledError:
            # Shutting down mid-batch: nobody may be told their press counted.
            for _, future in taken:
                future.cancel()
            raise
        except Exception as exc:
            if len(taken) == 1:
                if not taken[0][1].done():
                    taken[0][1].set_exception(exc)
                return
            # Something unexpected (not a refusal) failed the whole transaction and rolled it
            # back: run each alone, so only the request that causes it fails.
            for one in taken:
                await self._settle(key, [one])
            return
        for index, (_, future) in enumerate(taken):
            if future.done():
                continue  # only a cancelled caller's future is done already
            if index in outcomes.results:
                future.set_result(outcomes.results[index])
            else:
                missing = RuntimeError(f"batch {key!r} decided nothing for request {index}")
                future.set_exception(outcomes.errors.get(index, missing))
