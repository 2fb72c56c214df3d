"""Raise unclaimed requests again, once per interval, however often the scheduler asks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from bot.db.models import GuildConfig, SupportRequest
from bot.services.base import Service, claim, view_from
from bot.services.support.owed import RERAISE
from bot.services.support.records import SupportRaised
from bot.services.support.rows import reraise_interval, where_to_post


class SupportReraise(Service):
    """The timed half of support: each raise is owed to the outbox (the facade is the source).

    `take_due` returns what it raised, for tests and figures; the post itself is an outbox
    delivery, so a failed post is retried and never lost.
    """

    async def next_due(self) -> datetime | None:
        """Return when the next unclaimed request should be raised again."""
        async with self.db.begin() as s:
            return await s.scalar(
                select(func.min(SupportRequest.next_raise_at)).where(
                    SupportRequest.status == "open", SupportRequest.next_raise_at.is_not(None)
                )
            )

    async def take_due(self, now: datetime) -> list[SupportRaised]:
        """Claim every overdue re-raise atomically and return one event per request."""
        events: list[SupportRaised] = []
        async with self.db.begin() as s:
            rows = (
                await s.execute(
                    select(
                        SupportRequest.id, SupportRequest.created_at, SupportRequest.guild_id
                    ).where(
                        SupportRequest.status == "open",
                        SupportRequest.next_raise_at <= now,
                    )
                )
            ).all()
            configs: dict[int, GuildConfig | None] = {}
            for request_id, created_at, guild_id in rows:
                interval = reraise_interval(self.settings_for(guild_id))
                # Intervals are counted from creation: after downtime the request is raised
                # once for the interval we are in, not once for every interval missed.
                number = max(1, int((now - created_at) / interval))
                won = await claim(
                    s,
                    update(SupportRequest)
                    .where(
                        SupportRequest.id == request_id,
                        SupportRequest.status == "open",
                        SupportRequest.raised_interval < number,
                    )
                    .values(
                        raised_interval=number, next_raise_at=created_at + interval * (number + 1)
                    ),
                )
                if not won:
                    continue  # another worker raised this interval already
                row = await s.get(SupportRequest, request_id)
                assert row is not None
                await s.refresh(row)
                if row.guild_id not in configs:
                    configs[row.guild_id] = await s.get(GuildConfig, row.guild_id)
                await self.owe(
                    s,
                    guild_id=row.guild_id,
                    kind=RERAISE,
                    payload={"request_id": row.id, "times_raised": number},
                    dedup_key=f"{RERAISE}:{row.id}:{number}",
                )
                events.append(
                    view_from(
                        SupportRaised,
                        row,
                        request_id=row.id,
                        waiting_minutes=int((now - row.created_at).total_seconds() // 60),
                        times_raised=number,
                        **where_to_post(configs[row.guild_id]),
                    )
                )
        if events:
            self.wake()
        return events
