"""Drive the real bot through the local Discord stand-in (the demo and the e2e tests use this)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bot.clock import ManualClock
from bot.runtime import Runtime, build_runtime
from bot.sandbox.fakediscord import FakeDiscord, Interaction
from bot.settings import Settings

TOKEN = "sandbox-token"
_running: list[BotHarness] = []


class BotHarness:
    """Start, stop and restart the real bot against a FakeDiscord and a database."""

    def __init__(self, fake: FakeDiscord, settings: Settings, clock: ManualClock) -> None:
        self.fake = fake
        self.settings = settings
        self.clock = clock
        self.runtime: Runtime | None = None
        self._task: asyncio.Task[None] | None = None
        self.starts = 0

    @property
    def bot(self) -> Any:
        """Return the running bot."""
        assert self.runtime is not None, "the bot is not running"
        return self.runtime.bot

    @property
    def services(self) -> Any:
        """Return the running bot's services."""
        assert self.runtime is not None, "the bot is not running"
        return self.runtime.services

    async def start(self) -> None:
        """Connect a fresh bot (new objects, same database) and wait until it is ready."""
        self.runtime = await build_runtime(self.settings, self.clock, migrate=self.starts == 0)
        _running[:] = [self]
        self.starts += 1
        bot = self.runtime.bot
        task = asyncio.create_task(bot.start(TOKEN))
        self._task = task

        def ready() -> bool:
            if task.done():
                task.result()
            return bool(bot.is_ready()) and self.fake.commands(self.settings.discord_guild_id) != []

        await self.fake.wait_for(ready, timeout=15)
        # Scheduled work starts just after ready (overdue rows are handled then): wait for it
        # so that what a script sees next does not depend on timing.
        starting = getattr(bot, "_scheduler_task", None)
        if starting is not None:
            await asyncio.wait_for(asyncio.shield(starting), 15)

    async def stop(self) -> None:
        """Disconnect the bot as a shutdown would (rows stay)."""
        if self.runtime is None:
            return
        # Let handlers still at work (the last DM after a click) finish, as a calm shutdown
        # would; a test's loop closing under them would break whatever test runs next.
        store = self.runtime.bot._connection._view_store
        busy = [t for t in getattr(store, "_ViewStore__tasks", ()) if not t.done()]
        if busy:
            await asyncio.wait(busy, timeout=5)
        await self.runtime.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, 5)
        self.runtime = None
        self._task = None

    async def restart(self) -> None:
        """Stop and start again, like a restart of the process."""
        await self.stop()
        await self.start()

    async def run_due(self) -> int:
        """Run the scheduler now (callers move the ManualClock instead of waiting)."""
        assert self.runtime is not None
        return await self.runtime.scheduler.run_pending()


def custom_ids(message: dict[str, Any]) -> list[str]:
    """Return every component custom_id on a message."""
    found: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if "custom_id" in item:
                found.append(item["custom_id"])
            walk(item.get("components") or [])
            if isinstance(item.get("component"), dict):
                walk([item["component"]])

    walk(message.get("components") or [])
    return found


def listening(message: dict[str, Any] | None) -> bool:
    """Tell whether the running bot will handle clicks on every component of a message.

    The bot registers a view only after it reads Discord's answer to its callback, so a script
    (much faster than a person) waits for that before clicking.
    """
    if not message or not _running or _running[0].runtime is None:
        return True
    store = _running[0].bot._connection._view_store
    static = store._views.get(int(message["id"]), {})
    for cid in custom_ids(message):
        if any(key[1] == cid for key in static):
            continue
        if any(pattern.fullmatch(cid) for pattern in store._dynamic_items):
            continue
        return False
    return True


async def answered(handle: Interaction, wait: float = 5.0) -> Interaction:
    """Wait for the bot's first answer (and for it to listen to its buttons); return the handle."""
    await handle.response(wait)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    for message in (handle.original, *handle.followups):
        while not listening(message) and loop.time() < deadline:
            await asyncio.sleep(0.01)
    modal = handle.modal
    if modal is not None and _running and _running[0].runtime is not None:
        modals = _running[0].bot._connection._view_store._modals
        while modal.custom_id not in modals and loop.time() < deadline:
            await asyncio.sleep(0.01)
    return handle


def attachments_of(handle: Interaction) -> list[dict[str, Any]]:
    """Return every attachment the bot sent in answer to an interaction."""
    messages = [m for m in (handle.original, *handle.followups) if m]
    return [a for m in messages for a in m.get("attachments") or []]


def everything_text(message: dict[str, Any] | None) -> str:
    """Return a message's content plus its embeds' text."""
    if not message:
        return ""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(p for p in parts if p)


def button_on(message: dict[str, Any], prefix: str) -> str:
    """Return the custom_id on a message that starts with prefix."""
    for cid in custom_ids(message):
        if cid.startswith(prefix):
            return cid
    raise AssertionError(f"no component {prefix!r} on message: {custom_ids(message)}")


async def press(
    fake: FakeDiscord, user_id: int, message: dict[str, Any], prefix: str
) -> Interaction:
    """Click the component whose custom_id starts with prefix and wait for the answer."""
    return await answered(await fake.click(user_id, int(message["id"]), button_on(message, prefix)))


async def command(
    fake: FakeDiscord,
    user_id: int,
    guild_id: int | None,
    name: str,
    options: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Interaction:
    """Run a slash command as a user and wait for the first answer."""
    return await answered(await fake.invoke(user_id, guild_id, name, options, **kwargs))
