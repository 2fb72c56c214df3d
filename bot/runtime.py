"""Assemble the bot from settings: database, services, scheduler, Discord client."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import ParticipationBot, ShardedParticipationBot
from bot.clock import Clock, ScaledClock
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.discord_target import point_discord_py_at
from bot.ops import OpsServer, start_ops
from bot.scheduler import Scheduler
from bot.services.container import Services, build_services
from bot.settings import Settings
from bot.shards import plan_for


@dataclass
class Runtime:
    """Everything a running bot holds, so that it can be closed cleanly."""

    bot: ParticipationBot
    engine: AsyncEngine
    services: Services
    scheduler: Scheduler
    ops: OpsServer | None = None

    async def close(self) -> None:
        """Disconnect and release the database."""
        if not self.bot.is_closed():
            await self.bot.close()
        if self.ops is not None:
            await self.ops.stop()
        await self.engine.dispose()


async def build_runtime(
    settings: Settings, clock: Clock | None = None, *, migrate: bool = True
) -> Runtime:
    """Upgrade the database, then build services, scheduler and bot (not yet connected)."""
    url = settings.database_url.get_secret_value()
    if migrate:
        await upgrade(url)
    point_discord_py_at(settings.discord_api_base, settings.discord_gateway_url)
    engine = create_engine(url)
    if clock is None:
        clock = Clock()
        if settings.clock_speed != 1.0:
            start, anchor = settings.clock_start or clock.now(), settings.clock_anchor
            clock = ScaledClock(start, settings.clock_speed, anchor)
    scheduler = Scheduler(clock, concurrency=settings.outbox_concurrency)
    services = build_services(settings, create_sessionmaker(engine), clock, scheduler.wake)
    plan = plan_for(settings.shards, settings.shard_count)
    if plan is None:
        bot = ParticipationBot(settings, services, scheduler)
    else:
        bot = ShardedParticipationBot(
            settings, services, scheduler, shard_ids=list(plan.ids), shard_count=plan.count
        )
    ops = await start_ops(settings, bot, engine, clock, scheduler)
    return Runtime(bot=bot, engine=engine, services=services, scheduler=scheduler, ops=ops)
