"""Run scheduled work whose record is the database.

Each feature service that has timed work (reminders, poll closes, re-raises) is a `DueSource`:
it can say when its next row falls due, it can atomically claim the rows that are due,
returning plain event objects, and it declares the event types it `emits`. The sources are
listed in one place, `Services.due_sources()` in bot/services/container.py. Cogs register a
handler per event type that renders and sends; `check_handlers()` refuses to start when an
emitted event has no handler. Services call `wake()` after adding or changing timed rows.
APScheduler holds only in-memory jobs derived from the rows; they are rebuilt at start-up,
and anything overdue is handled at once.

An event with a `lane` (an outbox delivery: a person's DMs, or a server's posts) may run
beside events of other lanes, at most `concurrency` at once, and in claim order within its
lane; events without one run one at a time, as they always did. On stop, no new event starts;
those already running finish (within a grace period), and the source is asked to `release`
the ones claimed but not started, so a restart or another process takes them at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime, timedelta
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock

log = logging.getLogger(__name__)

Handler = Callable[[Any], Awaitable[None]]
# Told, after each piece of due work, its event's name and how many seconds late it was done.
LagHook = Callable[[str, float], None]
# Wake-ups within this long of each other are answered by one look at every source.
WAKE_MERGE_SECONDS = 0.02
# Events of different lanes in flight at once (Discord calls; discord.py keeps to its rate
# limits per route, so more in flight only waits in its buckets).
DEFAULT_CONCURRENCY = 8
# How long stop() lets events already started finish before it gives up on them.
STOP_GRACE_SECONDS = 10.0


class DueSource(Protocol):
    """A service with timed work recorded in the database."""

    name: str
    emits: tuple[type, ...]

    async def next_due(self) -> datetime | None:
        """Return when the earliest unclaimed row falls due, or None."""
        ...

    async def take_due(self, now: datetime) -> list[Any]:
        """Claim every row due at `now` (exactly once, atomically) and return events for them."""
        ...


class MissingHandler(RuntimeError):
    """Scheduled work would be claimed and then dropped: an emitted event has no handler."""


class Scheduler:
    """Wake up when rows fall due, claim them through their service, and dispatch events."""

    def __init__(
        self, clock: Clock, sweep_seconds: float = 30.0, concurrency: int = DEFAULT_CONCURRENCY
    ) -> None:
        self.clock = clock
        self.sweep_seconds = sweep_seconds
        self.concurrency = max(concurrency, 1)
        self._stopping = False
        self.sources: list[DueSource] = []
        self.handlers: dict[type, Handler] = {}
        self._aps: AsyncIOScheduler | None = None
        self._lock = asyncio.Lock()
        self._wakes: set[asyncio.Task[None]] = set()
        self._waking = False
        self._wake_again = False
        self.on_ran: LagHook | None = None
        self._planned: datetime | None = None

    def add_source(self, source: DueSource) -> None:
        """Register a service whose rows drive jobs."""
        self.sources.append(source)

    def on(self, event_type: type, handler: Handler) -> None:
        """Register the coroutine that renders and sends one kind of event."""
        self.handlers[event_type] = handler

    def check_handlers(self) -> None:
        """Refuse to start if any source emits an event nothing handles."""
        missing = [
            f"{event.__name__} (from {source.name})"
            for source in self.sources
            for event in source.emits
            if event not in self.handlers
        ]
        if missing:
            raise MissingHandler(
                "scheduled work has no handler, so it would be claimed and lost: "
                + ", ".join(missing)
                + ". Register one with scheduler.on(EventType, handler) in the feature's cog."
            )

    async def start(self) -> None:
        """Handle overdue work now, then keep jobs for every source's next due row."""
        self._aps = AsyncIOScheduler(timezone="UTC")
        self._aps.add_job(
            self.run_pending,
            "interval",
            seconds=self.sweep_seconds,
            id="sweep",
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )
        self._aps.start()
        await self.run_pending()

    async def stop(self) -> None:
        """Stop the in-memory jobs (the rows stay), letting events already started finish."""
        self._stopping = True
        try:  # an event half done would be sent again after its lease: let it record itself
            await asyncio.wait_for(self._lock.acquire(), STOP_GRACE_SECONDS)
        except TimeoutError:
            log.warning("scheduler: work still running after %ss; stopping", STOP_GRACE_SECONDS)
        else:
            self._lock.release()
        if self._wakes:  # a wake-up is a quick read; let it finish rather than cut a query
            await asyncio.wait(list(self._wakes), timeout=2)
        for task in list(self._wakes):
            task.cancel()
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None

    async def poke(self) -> None:
        """Recompute the next wake-up after rows were added or changed."""
        await self._reschedule()

    def wake(self) -> None:
        """Recompute the next wake-up soon; services call this after committing timed rows.

        Wake-ups are merged: a burst of 200 clicks asks every source once or twice, not 200
        times (each ask is a query per source).
        """
        if self._aps is None:
            return  # not started: start() reads every row anyway
        if self._waking:
            self._wake_again = True
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._waking = True
        task = loop.create_task(self._merged_wake())
        self._wakes.add(task)
        task.add_done_callback(self._wakes.discard)

    async def _merged_wake(self) -> None:
        try:
            while True:
                self._wake_again = False
                await asyncio.sleep(WAKE_MERGE_SECONDS)
                await self._reschedule()
                if not self._wake_again:
                    return
        finally:
            self._waking = False

    async def run_pending(self) -> int:
        """Claim and dispatch everything due now; return how many events were handled."""
        async with self._lock:
            handled = 0
            now = self.clock.now()
            # An event that does not say when it was due was due when this run was planned.
            planned = self._planned if self._planned is not None and self._planned <= now else now
            for source in self.sources:
                if self._stopping:
                    break
                try:
                    events = await source.take_due(now)
                except Exception:
                    log.exception("scheduler: %s failed to take due work", source.name)
                    continue
                handled += await self._run_all(source, events, planned)
        await self._reschedule()
        return handled

    async def _run_all(self, source: DueSource, events: list[Any], planned: datetime) -> int:
        """Run one source's claimed events: lane by lane side by side, the rest in turn."""
        lanes: dict[Hashable, list[Any]] = {}
        alone: list[Any] = []
        for event in events:
            lane = getattr(event, "lane", None)
            (alone if lane is None else lanes.setdefault(lane, [])).append(event)
        unstarted: list[Any] = []
        gate = asyncio.Semaphore(self.concurrency)

        async def run(queue: list[Any], limit: asyncio.Semaphore) -> int:
            done = 0
            for index, event in enumerate(queue):
                async with limit:
                    if self._stopping:  # checked once a place is free: nothing new starts
                        unstarted.extend(queue[index:])
                        break
                    done += await self._run_one(event, planned)
            return done

        handled = await run(alone, asyncio.Semaphore(1))
        handled += sum(await asyncio.gather(*(run(q, gate) for q in lanes.values())))
        release = getattr(source, "release", None)
        if unstarted and release is not None:
            try:
                await release(unstarted)
            except Exception:
                log.exception("scheduler: %s could not release unstarted work", source.name)
        return handled

    async def _run_one(self, event: Any, planned: datetime) -> int:
        handled = await self._dispatch(event)
        if self.on_ran is not None:
            due = getattr(event, "due_at", None)
            due = due if isinstance(due, datetime) else planned
            self.on_ran(type(event).__name__, (self.clock.now() - due).total_seconds())
        return handled

    async def _dispatch(self, event: Any) -> int:
        handler = self.handlers.get(type(event))
        if handler is None:
            log.error("scheduler: no handler for %s", type(event).__name__)
            return 0
        try:
            await handler(event)
        except Exception:
            log.exception("scheduler: handler for %s failed", type(event).__name__)
            return 0
        return 1

    async def _reschedule(self) -> None:
        if self._aps is None:
            return
        soonest: datetime | None = None
        for source in self.sources:
            try:
                due = await source.next_due()
            except Exception:
                log.exception("scheduler: %s could not say when work is next due", source.name)
                continue
            if due is not None and (soonest is None or due < soonest):
                soonest = due
        if self._aps is None:  # stopped while we were asking (a shutdown mid-action)
            return
        self._planned = soonest
        if soonest is None:
            if self._aps.get_job("next"):
                self._aps.remove_job("next")
            return
        # The wall clock decides when APScheduler fires; the service clock decides what is due.
        delay = max(self.clock.real_seconds(soonest - self.clock.now()), 0.0)
        run_at = datetime.now(soonest.tzinfo) + timedelta(seconds=delay)
        self._aps.add_job(
            self.run_pending,
            "date",
            run_date=run_at,
            id="next",
            replace_existing=True,
            misfire_grace_time=None,
            # This runs inside the "next" job itself: with the default max_instances=1 the
            # replacement would be skipped while its parent finishes, leaving work to the sweep.
            max_instances=2,
        )
