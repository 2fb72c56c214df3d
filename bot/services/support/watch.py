"""How far the safeguarding check has read each watched channel, so downtime leaves no gap.

Only message ids are kept. A watermark only moves forward; reading a message twice is safe
because a flag is raised once per message (`sg:<message id>`).
"""

from __future__ import annotations

from sqlalchemy import case, select

from bot.db.models.support import SupportWatermark
from bot.db.upsert import insert_for
from bot.services.base import Service


class SupportWatch(Service):
    """Remember the newest message seen in each watched channel."""

    async def last_seen(self, channel_ids: list[int]) -> dict[int, int]:
        """Return the newest message id seen in each of these channels (if any)."""
        if not channel_ids:
            return {}
        async with self.db.begin() as s:
            rows = await s.execute(
                select(SupportWatermark.channel_id, SupportWatermark.last_message_id).where(
                    SupportWatermark.channel_id.in_(channel_ids)
                )
            )
            return {int(c): int(m) for c, m in rows}

    async def seen(self, guild_id: int, marks: dict[int, int]) -> None:
        """Move each channel's watermark forward to the given message id (never back)."""
        if not marks:
            return
        async with self.db.begin() as s:
            for channel_id, message_id in sorted(marks.items()):
                statement = insert_for(s, SupportWatermark).values(
                    channel_id=channel_id, guild_id=guild_id, last_message_id=message_id
                )
                newer = statement.excluded.last_message_id
                await s.execute(
                    statement.on_conflict_do_update(
                        index_elements=["channel_id"],
                        set_={
                            "last_message_id": case(
                                (newer > SupportWatermark.last_message_id, newer),
                                else_=SupportWatermark.last_message_id,
                            )
                        },
                    )
                )
