"""The monthly bulletin: preview, a worker's note, and sending once a month across restarts.

Each server has one `BulletinIssue` row per UK month (unique on server and month). Sending
claims the row's `sent_at` with a conditional update, stores exactly what went out, and owes
the announcements post and each opted-in member's DM in the outbox with dedup keys, all in one
transaction: a restart, a second process or a second run in the month sends nothing more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BulletinIssue, GuildConfig, Member
from bot.services.access import Actor, require_worker
from bot.services.base import Service, claim, insert_once
from bot.services.bulletin.contents import BulletinContents, gather
from bot.services.bulletin.schedule import in_window, next_month, this_month
from bot.services.errors import NotFound
from bot.services.text import clean_text

log = logging.getLogger(__name__)

POST = "bulletin.post"
DM = "bulletin.dm"
NOTE_MAX = 500


@dataclass(frozen=True)
class BulletinSent:
    """A month's bulletin was decided for a server: its post and DMs are owed in the outbox."""

    guild_id: int
    month: str
    issue_id: int
    recipients: int


@dataclass(frozen=True)
class BulletinPreview:
    """The next bulletin as it would look now, and when it goes."""

    contents: BulletinContents
    due_at: datetime
    recipients: int


class BulletinService(Service):
    """The monthly digest: built from the other features' tables, sent once a month."""

    name = "bulletin"
    emits: tuple[type, ...] = (BulletinSent,)

    async def _upcoming(self, s: AsyncSession, guild_id: int) -> tuple[str, datetime]:
        """Return the month and due time of the server's next bulletin still to go."""
        now = self.clock.now()
        month, due = this_month(now, self.settings_for(guild_id))
        if now < due:
            return month, due
        if in_window(now, due, self.settings_for(guild_id)):
            sent = await s.scalar(
                select(BulletinIssue.sent_at).where(
                    BulletinIssue.guild_id == guild_id, BulletinIssue.month == month
                )
            )
            config = await s.get(GuildConfig, guild_id)
            eligible = config is not None and config.setup_at is not None and config.setup_at <= due
            if sent is None and eligible:
                return month, now
        return next_month(now, self.settings_for(guild_id))

    async def _since(self, s: AsyncSession, guild_id: int) -> datetime | None:
        last: datetime | None = await s.scalar(
            select(func.max(BulletinIssue.sent_at)).where(BulletinIssue.guild_id == guild_id)
        )
        return last

    async def _recipients(self, s: AsyncSession, guild_id: int) -> list[Member]:
        return list(
            await s.scalars(
                select(Member)
                .where(
                    Member.guild_id == guild_id,
                    Member.status == "approved",
                    Member.dm_opt_in.is_(True),
                )
                .order_by(Member.id)
            )
        )

    async def preview(self, actor: Actor) -> BulletinPreview:
        """Show a worker the next bulletin as it would go now, with its note (workers only)."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            month, due = await self._upcoming(s, actor.guild_id)
            note = await s.scalar(
                select(BulletinIssue.note).where(
                    BulletinIssue.guild_id == actor.guild_id, BulletinIssue.month == month
                )
            )
            contents = await gather(
                s,
                actor.guild_id,
                month,
                max(now, due),
                self.settings_for(actor.guild_id),
                since=await self._since(s, actor.guild_id),
                note=note,
            )
            recipients = len(await self._recipients(s, actor.guild_id))
        return BulletinPreview(contents, due, recipients)

    async def set_note(self, actor: Actor, text: str | None) -> BulletinPreview:
        """Add (or, with no text, remove) the worker's short note for the next bulletin."""
        note = clean_text(
            text, field="the note", max_length=NOTE_MAX, required=False, multiline=True
        )
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            month, _ = await self._upcoming(s, actor.guild_id)
            await insert_once(
                s,
                BulletinIssue,
                ["guild_id", "month"],
                guild_id=actor.guild_id,
                month=month,
                created_at=now,
            )
            await claim(
                s,
                update(BulletinIssue)
                .where(
                    BulletinIssue.guild_id == actor.guild_id,
                    BulletinIssue.month == month,
                    BulletinIssue.sent_at.is_(None),
                )
                .values(note=note, note_by=actor.user_id),
                "That bulletin has just gone out. Please try again to add it to the next one.",
            )
            self.audit(s, actor, "bulletin.note", detail=f"month {month}")
        return await self.preview(actor)

    async def contents_of(self, guild_id: int, issue_id: int) -> BulletinContents:
        """Return exactly what a sent bulletin said (for its post and every DM)."""
        async with self.db.begin() as s:
            row = await s.get(BulletinIssue, issue_id)
            if row is None or row.guild_id != guild_id or row.contents is None:
                raise NotFound("That bulletin is no longer there.")
            return BulletinContents.from_json(row.contents)

    async def dm_user(self, guild_id: int, member_id: int | None) -> int | None:
        """Return whom to DM a bulletin now, or None if they left, paused, opted out or erased."""
        async with self.db.begin() as s:
            member = await s.get(Member, member_id) if member_id is not None else None
            if member is None or member.guild_id != guild_id:
                return None
            if member.status != "approved" or not member.dm_opt_in:
                return None
            return member.user_id

    # ---- scheduled -------------------------------------------------------------------------

    async def _eligible(self, s: AsyncSession, now: datetime) -> list[tuple[int, str, datetime]]:
        """Return (server, month, due) for each server in its bulletin's window, not yet sent.

        Only servers set up before their due time count; each has its own day and time.
        """
        configs = (
            await s.execute(
                select(GuildConfig.guild_id, GuildConfig.setup_at).where(
                    GuildConfig.setup_at.is_not(None)
                )
            )
        ).all()
        found: list[tuple[int, str, datetime]] = []
        for guild_id, setup_at in configs:
            here = self.settings_for(guild_id)
            month, due = this_month(now, here)
            if due <= now and in_window(now, due, here) and setup_at <= due:
                found.append((guild_id, month, due))
        if not found:
            return []
        sent = set(
            (
                await s.execute(
                    select(BulletinIssue.guild_id, BulletinIssue.month).where(
                        BulletinIssue.month.in_({month for _, month, _ in found}),
                        BulletinIssue.sent_at.is_not(None),
                    )
                )
            ).all()
        )
        return [(g, month, due) for g, month, due in found if (g, month) not in sent]

    async def next_due(self) -> datetime | None:
        """Return when the next bulletin falls due (now, if one is due and not sent).

        Each server may have its own day and time, so this is the soonest of them.
        """
        now = self.clock.now()
        async with self.db.begin() as s:
            waiting = await self._eligible(s, now)
            if waiting:
                return min(due for _, _, due in waiting)
            guilds = list(
                await s.scalars(
                    select(GuildConfig.guild_id).where(GuildConfig.setup_at.is_not(None))
                )
            )
        return min(
            (self._next_for(now, guild_id) for guild_id in guilds),
            default=next_month(now, self.settings)[1],
        )

    def _next_for(self, now: datetime, guild_id: int) -> datetime:
        """Return when a server's next bulletin is due, after any in its window now."""
        month, due = this_month(now, self.settings_for(guild_id))
        return due if now < due else next_month(now, self.settings_for(guild_id))[1]

    async def take_due(self, now: datetime) -> list[BulletinSent]:
        """Send this month's bulletin in every server where it is due and not yet sent."""
        async with self.db.begin() as s:
            guilds = await self._eligible(s, now)
        sent: list[BulletinSent] = []
        for guild_id, month, _ in guilds:
            async with self.db.begin() as s:
                event = await self._send(s, guild_id, month, now)
            if event is not None:
                sent.append(event)
                log.info("bulletin %s sent in guild %s to %s", month, guild_id, event.recipients)
        if sent:
            self.wake()
        return sent

    async def _send(
        self, s: AsyncSession, guild_id: int, month: str, now: datetime
    ) -> BulletinSent | None:
        """Claim one server's bulletin for the month and owe its post and DMs; None if gone."""
        await insert_once(
            s, BulletinIssue, ["guild_id", "month"], guild_id=guild_id, month=month, created_at=now
        )
        since = await self._since(s, guild_id)
        won = await claim(
            s,
            update(BulletinIssue)
            .where(
                BulletinIssue.guild_id == guild_id,
                BulletinIssue.month == month,
                BulletinIssue.sent_at.is_(None),
            )
            .values(sent_at=now),
        )
        if not won:
            return None
        row = await s.scalar(
            select(BulletinIssue).where(
                BulletinIssue.guild_id == guild_id, BulletinIssue.month == month
            )
        )
        assert row is not None
        await s.refresh(row)
        contents = await gather(
            s, guild_id, month, now, self.settings_for(guild_id), since=since, note=row.note
        )
        members = await self._recipients(s, guild_id)
        row.contents = contents.to_json()
        row.recipients = len(members)
        config = await s.get(GuildConfig, guild_id)
        channel_id = config.announcements_channel_id if config else None
        about = {"issue_id": row.id}
        await self.owe_once(
            s, POST, row.id, guild_id=guild_id, payload=about | {"channel_id": channel_id}
        )
        for member in members:
            await self.owe_once(
                s, DM, row.id, guild_id=guild_id, payload=about, member_id=member.id
            )
        return BulletinSent(guild_id, month, row.id, len(members))
