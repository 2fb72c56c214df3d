"""Where support spaces open, Discord's limits, and how far safeguarding has read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import OutboxItem
from bot.services.container import Services
from bot.services.support import Usage
from bot.services.support.spaces import warnings_for
from tests.conftest import GUILD


def test_warnings_come_before_each_limit_not_at_it() -> None:
    assert warnings_for(Usage(channels=449, in_category=44, active_threads=899)) == []
    keys = [key for key, _text in warnings_for(Usage(450, 45, 900))]
    assert keys == ["channels", "category", "threads"]
    [(_key, text)] = warnings_for(Usage(480, 10, 10))
    assert "480 of Discord's limit of 500 channels in the server" in text


async def test_a_limit_warning_is_owed_once_a_day(
    services: Services, sessions, clock: ManualClock
) -> None:
    near = Usage(channels=470, in_category=3, active_threads=5)
    assert await services.support.spaces.check_limits(GUILD, near) == 1
    await services.support.spaces.check_limits(GUILD, near)
    clock.advance(timedelta(days=1))
    await services.support.spaces.check_limits(GUILD, near)
    async with sessions() as s:
        kinds = list(await s.scalars(select(OutboxItem.kind)))
    assert kinds == ["support.limit_warning", "support.limit_warning"]


async def test_the_spaces_channel_is_remembered(services: Services) -> None:
    assert await services.support.spaces.parent(GUILD) is None
    await services.support.spaces.set_parent(GUILD, 4001)
    await services.support.spaces.set_parent(GUILD, 4002)
    assert await services.support.spaces.parent(GUILD) == 4002


async def test_watermarks_only_move_forward(services: Services) -> None:
    watch = services.support.watch
    await watch.seen(GUILD, {10: 500, 11: 700})
    await watch.seen(GUILD, {10: 400})  # an older message read late changes nothing
    await watch.seen(GUILD, {11: 900})
    assert await watch.last_seen([10, 11, 12]) == {10: 500, 11: 900}
