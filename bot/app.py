"""The Bot subclass: builds nothing itself, loads the feature cogs, syncs, starts the scheduler."""

from __future__ import annotations

import asyncio
import gc
import logging
import pkgutil
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

import cogs
from bot.delivery import Deliveries
from bot.scheduler import Scheduler
from bot.services.container import Services
from bot.services.outbox import Delivery
from bot.settings import Settings
from bot.ui.persistent import PersistentForm
from bot.ui.replies import report_error

log = logging.getLogger(__name__)

# The collector's first generation runs after this many new objects instead of 700 (see below).
GC_YOUNG_THRESHOLD = 50_000


def settle_collector() -> None:
    """Freeze what start-up built and collect less often; once per process (idempotent).

    Why: after start-up the process holds hundreds of thousands of long-lived objects (loaded
    code, the ORM's mappings, discord.py's cache of members and channels). Each full
    collection walked all of them again, and at the default thresholds a burst of clicks
    (each allocating a few thousand short-lived objects) ran collections constantly. Measured
    with bench/bench_bursts.py, freezing them and a first-generation threshold of 50,000 cut
    the CPU per click from 1.21 to 0.80 ms (RSVP) and from 1.34 to 0.99 ms (support claim).
    Frozen objects are never freed, which is right for what lives as long as the process.
    """
    global _collector_settled
    if _collector_settled:
        return
    _collector_settled = True
    gc.collect()  # what start-up left as garbage is freed now, not frozen for ever
    gc.freeze()
    # The older generations are collected more rarely too (defaults 10 and 10).
    gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 100)


_collector_settled = False

EXPIRED_FORM = (
    "Sorry, this form has expired (it was open too long, or the bot restarted). Nothing from "
    "it was saved: please run the command again."
)


def intents() -> discord.Intents:
    """Return the gateway intents the bot needs (see the README for why each)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.members = True  # approval gives roles; DMs and reminders find members
    wanted.guild_messages = True  # safeguarding checks peer-support messages
    wanted.dm_messages = True  # /support by DM
    wanted.message_content = True  # the safeguarding check needs the words (never stored)
    wanted.guild_scheduled_events = True
    return wanted


def feature_extensions() -> list[str]:
    """Return every cog package under cogs/ (each has a setup())."""
    return sorted(
        f"cogs.{module.name}" for module in pkgutil.iter_modules(cogs.__path__) if module.ispkg
    )


def _usable_in_dms(command: Any) -> bool:
    """Tell whether a command says it may be used in a DM with the bot."""
    contexts = getattr(command, "allowed_contexts", None)
    return bool(contexts is not None and contexts.dm_channel)


def _kind(command: Any) -> discord.AppCommandType:
    """Return a command's type (slash commands and groups have no attribute for it)."""
    kind: discord.AppCommandType = getattr(command, "type", discord.AppCommandType.chat_input)
    return kind


class ParticipationTree(app_commands.CommandTree["ParticipationBot"]):
    """The command tree, with the one error handler every command shares."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """Reply privately with the service's message, or a reference for the unexpected."""
        await report_error(interaction, error)


class ParticipationBot(commands.Bot):
    """The participation bot; everything it needs is passed in."""

    def __init__(
        self, settings: Settings, services: Services, scheduler: Scheduler, **sharding: Any
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            tree_cls=ParticipationTree,
            allowed_mentions=discord.AllowedMentions(everyone=False, users=True, roles=True),
            guild_ready_timeout=settings.guild_ready_timeout,
            **sharding,
        )
        self.settings = settings
        self.services = services
        self.scheduler = scheduler
        # What the outbox owes Discord; each feature's cog registers its senders here.
        self.deliveries = Deliveries(services.outbox)
        self._orphans: set[int] = set()
        self._persistent_forms: list[type[PersistentForm]] = []

    async def setup_hook(self) -> None:
        """Load every feature, sync commands, and start scheduled work (once per process)."""
        self.scheduler.on(Delivery, self.deliveries.deliver)
        self._watch_for_orphans()
        for extension in feature_extensions():
            await self.load_extension(extension)
        for source in self.services.due_sources():
            self.scheduler.add_source(source)
        self.scheduler.check_handlers()
        guild_id = self.settings.discord_guild_id
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            # Discord never offers a server's commands in DMs, so commands allowed in DMs
            # (/support) stay global only; the rest are the server's, so nothing shows twice.
            in_dms = [c for c in self.tree.get_commands() if _usable_in_dms(c)]
            for command in in_dms:
                self.tree.remove_command(command.name, guild=guild, type=_kind(command))
            await self.tree.sync(guild=guild)
            if in_dms:
                for command in self.tree.get_commands():
                    if command not in in_dms:
                        self.tree.remove_command(command.name, type=_kind(command))
                await self.tree.sync()
        else:
            await self.tree.sync()
        # setup_hook runs before the gateway connects: start scheduled work (including what
        # fell due while the bot was down) only once the cache of channels and members is
        # filled, or sends at start-up would find nothing to send to.
        self._scheduler_task = asyncio.create_task(self._start_scheduler_when_ready())
        log.info("bot ready to serve: %d extensions", len(self.extensions))

    def add_persistent_forms(self, *kinds: type[PersistentForm]) -> None:
        """Route submits of these forms by custom id, even after a restart."""
        self._persistent_forms.extend(kinds)

    def _watch_for_orphans(self) -> None:
        """Note, as Discord delivers it, each button or form that nothing in this process handles.

        discord.py looks for a handler while it parses INTERACTION_CREATE and then says nothing
        when there is none; this looks at the same moment (before any handler runs), so a slow
        handler is never mistaken for a missing one.
        """
        parsers = self._connection.parsers
        original = parsers["INTERACTION_CREATE"]

        def parse(data: Any) -> None:
            if data.get("type") in (3, 5) and not self._has_handler(data):
                self._orphans.add(int(data["id"]))
            original(data)

        parsers["INTERACTION_CREATE"] = parse

    def _has_handler(self, data: Any) -> bool:
        store = self._connection._view_store
        inner = data.get("data") or {}
        custom_id = str(inner.get("custom_id", ""))
        if data.get("type") == 5:
            if custom_id in store._modals:
                return True
            for kind in self._persistent_forms:
                form = kind.rebuild(custom_id)
                if form is not None:  # sent before a restart: what was typed is still saved
                    store.add_view(form)
                    return True
            return False
        if any(pattern.fullmatch(custom_id) for pattern in store._dynamic_items):
            return True
        key = (int(inner.get("component_type") or 0), custom_id)
        message_id = (data.get("message") or {}).get("id")
        views = store._views
        item = views.get(int(message_id) if message_id else None, {}).get(key)
        item = item or views.get(None, {}).get(key)
        return item is not None and item.view is not None and not item.view.is_finished()

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Answer a button or form nothing handles (e.g. one shown before a restart) at once.

        Every interaction is noted first: until it is answered, deliveries make way for it.
        """
        if not interaction.response.is_done():
            self.deliveries.awaiting_answer(interaction)
        if interaction.id not in self._orphans:
            return
        self._orphans.discard(interaction.id)
        try:
            await interaction.response.send_message(EXPIRED_FORM, ephemeral=True)
        except discord.HTTPException:
            log.info("could not answer an expired form")

    def _stop_open_forms(self) -> None:
        """Stop in-memory views so their timers end with the bot (their forms expire)."""
        store = getattr(self._connection, "_view_store", None)
        for items in list(getattr(store, "_views", {}).values()):
            for item in list(items.values()):
                view = getattr(item, "view", None)
                if view is not None and not view.is_finished():
                    view.stop()

    async def _start_scheduler_when_ready(self) -> None:
        await self.wait_until_ready()
        await self.scheduler.start()
        # Start-up is over (the cache of members and channels is filled): see settle_collector.
        settle_collector()

    async def close(self) -> None:
        """Stop the scheduler (rows stay in the database), then disconnect."""
        self._stop_open_forms()
        # Deliveries under way finish and record themselves before the task is cancelled and
        # the HTTP session closes (a send cut short would go out again after its lease).
        await self.scheduler.stop()
        task = getattr(self, "_scheduler_task", None)
        if task is not None and not task.done():
            task.cancel()
        await super().close()


class ShardedParticipationBot(ParticipationBot, commands.AutoShardedBot):
    """The same bot connecting only the shards this process owns (`run --shards`)."""
