"""What engagement owes Discord: notices, level roles, cards for workers, decisions DMs, notes.

Each is written to the outbox in the same transaction as the decision that causes it and sent
by the engagement cog's senders (see bot/delivery.py), so a 503 or a restart delays it but never
loses it. Cards and notes in #worker-log hold ids only: the sender reads the record as it sends,
so a person erased before it went out is never named. A DM's payload may hold its text, which is
only ever about the person it goes to, and is wiped when they are erased.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    ExpenseClaim,
    GuildConfig,
    LevelNotice,
    LevelRole,
    Member,
    MentorRequest,
    OutboxItem,
)
from bot.services.base import ERASED as ERASED
from bot.services.base import Service, of_guild
from bot.services.base import forget_owed as stop_owed
from bot.services.engagement.common import LadderService, OwnedT, with_owner
from bot.services.membership import StaffNotes, owe_about
from bot.services.outbox import FAILED

if TYPE_CHECKING:
    from bot.services.engagement.expenses import ClaimView

DrawnT = TypeVar("DrawnT")

NOTICE = "engagement.notice"
LEVEL_ROLES = "engagement.level_roles"
DM = "engagement.dm"
PAIRING_DM = "engagement.pairing_dm"
CLAIM_CARD = "engagement.claim_card"
# A claim decided anywhere (a command, say) redraws its card, so no stale button stays on it.
CLAIM_REDRAW = "engagement.claim_redraw"
MOVE_CARD = "engagement.move_card"
# A move-up request taken back: its card loses the buttons and says so.
MOVE_CARD_REDRAW = "engagement.move_card_redraw"
MENTOR_CARD = "engagement.mentor_card"
STAFF_NOTE = "engagement.staff_note"
# Posts in #worker-log that name a person: redacted when they are erased.
POSTS_ABOUT_PERSON = (CLAIM_CARD, MOVE_CARD, MENTOR_CARD, STAFF_NOTE)
# What a staff note says could not be done, by the `about` of the DM that failed.
ABOUT = {
    "move_up": "that their move up a level was confirmed",
    "move_declined": "that their move up a level was not confirmed for now, and why",
    "claim": "about the latest step of their expenses claim",
    "payment": "that their payment was made",
    "pairing": "about their mentoring pairing",
    "roles": "their new level role",
}


@dataclass(frozen=True)
class NoticeToSend:
    """The eligibility notice as it should be sent now."""

    notice_id: int
    user_id: int
    text: str


@dataclass(frozen=True)
class MoveCard:
    """A member asking to move up, for the card workers confirm from."""

    notice_id: int
    user_id: int
    preferred_name: str
    level_name: str


@dataclass(frozen=True)
class MentorCard:
    """A mentoring request, for the card in #worker-log."""

    request_id: int
    user_id: int
    preferred_name: str
    level_name: str
    note: str | None


@dataclass(frozen=True)
class LevelRoles:
    """The level role a member should hold now, and every level role of the server."""

    user_id: int
    wanted_role_id: int | None
    level_role_ids: frozenset[int]


@dataclass(frozen=True)
class StaffNote:
    """A note for workers: something for a member could not be done, and why."""

    user_id: int
    preferred_name: str
    about: str
    reason: str
    channel_id: int | None


def _draw_note(member: Member, about: str, reason: str, channel_id: int | None) -> StaffNote:
    return StaffNote(member.user_id, member.preferred_name, about, reason, channel_id)


async def owe_dm(
    service: Service, s: AsyncSession, member: Member, text: str, about: str, key: str | None
) -> None:
    """Owe a member a DM about their own record (a decision they are waiting for)."""
    payload = {"member_id": member.id, "text": text[:2000], "about": about}
    await owe_about(service, s, DM, member, payload, key)


async def owe_card(
    service: Service,
    s: AsyncSession,
    kind: str,
    member: Member,
    key: str | None = None,
    **ids: int | None,
) -> None:
    """Owe a card in #worker-log about a member (the sender reads the record when it posts)."""
    config = await s.get(GuildConfig, member.guild_id)
    channel_id = config.worker_log_channel_id if config else None
    await owe_about(service, s, kind, member, {**ids, "channel_id": channel_id}, key)


async def owe_claim_redraw(service: Service, s: AsyncSession, claim: ExpenseClaim) -> None:
    """Owe a redraw of a claim's card after a decision (its buttons must match its step)."""
    await service.owe(
        s,
        guild_id=claim.guild_id,
        kind=CLAIM_REDRAW,
        payload={"claim_id": claim.id},
        dedup_key=f"{CLAIM_REDRAW}:{claim.id}:{claim.status}",
        subject_member_id=claim.member_id,
    )


async def owe_move_card_redraw(
    service: Service, s: AsyncSession, member: Member, notice_id: int
) -> None:
    """Owe an edit of the latest card for a move-up request the member has taken back."""
    card = await s.scalar(
        select(func.max(OutboxItem.id)).where(
            OutboxItem.guild_id == member.guild_id,
            OutboxItem.kind == MOVE_CARD,
            OutboxItem.subject_member_id == member.id,
            OutboxItem.payload["notice_id"].as_integer() == notice_id,
        )
    )
    if card is not None:
        payload = {"notice_id": notice_id, "card_item_id": int(card)}
        await owe_about(service, s, MOVE_CARD_REDRAW, member, payload, card)


async def owe_level_roles(service: Service, s: AsyncSession, member: Member, change: int) -> None:
    """Owe the level role swap for a level change (the sender sets the level held now)."""
    await owe_about(service, s, LEVEL_ROLES, member, {"member_id": member.id}, change)


async def level_role(s: AsyncSession, guild_id: int, level_key: str) -> int | None:
    """Return the Discord role that stands for a level in a server, if there is one."""
    row = await s.get(LevelRole, (guild_id, level_key))
    return row.role_id if row else None


async def undelivered_notices(s: AsyncSession, guild_id: int) -> set[int]:
    """Return the ids of level notices in a server that could not be sent (DMs closed)."""
    keys = await s.scalars(
        select(OutboxItem.dedup_key).where(
            OutboxItem.guild_id == guild_id, OutboxItem.kind == NOTICE, OutboxItem.status == FAILED
        )
    )
    return {int(key.rsplit(":", 1)[1]) for key in keys if key}


async def forget_owed(s: AsyncSession, guild_id: int, member_id: int, now: datetime) -> None:
    """Stop what engagement still owes about an erased person and wipe the words it held."""
    await stop_owed(s, "engagement", guild_id, member_id, now)
    await s.execute(
        update(OutboxItem)
        .where(
            OutboxItem.guild_id == guild_id,
            OutboxItem.subject_member_id == member_id,
            OutboxItem.kind.like("engagement.%"),
        )
        .values(payload={})
    )


class EngagementOwed(LadderService):
    """What the engagement senders read and record while delivering."""

    async def notice(self, guild_id: int, notice_id: int) -> NoticeToSend | None:
        """Return the notice to DM now, or None if it no longer applies (erased, answered)."""
        from bot.services.engagement.progression import notice_text  # it owes through here

        def draw(notice: LevelNotice, member: Member) -> NoticeToSend | None:
            below = self.ladder_for(member.guild_id).below(notice.level_key)
            if below is None or member.level_key != below.key:
                return None
            text = notice_text(
                member.preferred_name, self.ladder_for(member.guild_id), notice.level_key
            )
            return NoticeToSend(notice.id, member.user_id, text)

        return await self._drawn(LevelNotice, notice_id, guild_id, draw)

    async def level_roles(self, guild_id: int, member_id: int) -> LevelRoles | None:
        """Return the level role a member should hold now, or None once they are erased."""
        async with self.db.begin() as s:
            member = await of_guild(s, Member, member_id, guild_id)
            if member is None:
                return None
            roles = {
                r.level_key: r.role_id
                for r in await s.scalars(select(LevelRole).where(LevelRole.guild_id == guild_id))
            }
            wanted = roles.get(member.level_key or "")
            return LevelRoles(member.user_id, wanted, frozenset(roles.values()))

    async def recipient(self, guild_id: int, member_id: int) -> int | None:
        """Return the Discord id of the member a DM is for, or None once they are erased."""
        async with self.db.begin() as s:
            member = await s.get(Member, member_id)
            return member.user_id if member and member.guild_id == guild_id else None

    async def pairing(self, guild_id: int, request_id: int, side: str) -> tuple[int, str] | None:
        """Return (who to DM, what to say) about a mentoring pairing, or None if it has ended."""
        from bot.services.engagement.training import pairing_texts  # it owes through here

        async with self.db.begin() as s:
            request = await of_guild(s, MentorRequest, request_id, guild_id)
            if request is None or request.status != "paired":
                return None
            mentee = await s.get(Member, request.member_id)
            mentor = await s.get(Member, request.mentor_member_id or 0)
            if mentee is None or mentor is None:
                return None
            mentee_text, mentor_text = pairing_texts(self.ladder_for(guild_id), mentee, mentor)
            if side == "mentee":
                return mentee.user_id, f"{mentee_text}\nYour mentor: <@{mentor.user_id}>"
            return mentor.user_id, f"{mentor_text}\nYour mentee: <@{mentee.user_id}>"

    async def claim_card(self, guild_id: int, claim_id: int) -> ClaimView | None:
        """Return a claim as its card should show it now, or None once its owner is erased."""
        from bot.services.engagement.expenses import claim_view  # expenses owes through here

        return await self._drawn(ExpenseClaim, claim_id, guild_id, claim_view)

    async def claim_card_at(self, guild_id: int, claim_id: int) -> tuple[int, int] | None:
        """Return (channel id, message id) of a claim's card, or None if it is not posted."""
        async with self.db.begin() as s:
            row = (
                await s.execute(
                    select(OutboxItem.channel_id, OutboxItem.message_id).where(
                        OutboxItem.dedup_key == f"{CLAIM_CARD}:{claim_id}",
                        OutboxItem.guild_id == guild_id,
                    )
                )
            ).first()
        if row is None or not row.channel_id or not row.message_id:
            return None
        return int(row.channel_id), int(row.message_id)

    async def move_card(self, guild_id: int, notice_id: int) -> MoveCard | None:
        """Return a move-up request for its card, or None if it no longer waits (or is erased)."""

        def draw(notice: LevelNotice, member: Member) -> MoveCard | None:
            return self._move_card(notice, member) if notice.choice == "move_up" else None

        return await self._drawn(LevelNotice, notice_id, guild_id, draw)

    async def withdrawn_card(
        self, guild_id: int, notice_id: int, card_item_id: int
    ) -> tuple[int, int, MoveCard] | None:
        """Return where a taken-back request's card is, and who it was, or None if unposted."""
        async with self.db.begin() as s:
            item = await s.get(OutboxItem, card_item_id)
            found = await with_owner(s, LevelNotice, notice_id, guild_id)
            if item is None or found is None or not item.channel_id or not item.message_id:
                return None
            return int(item.channel_id), int(item.message_id), self._move_card(*found)

    def _move_card(self, notice: LevelNotice, member: Member) -> MoveCard:
        level = self.ladder_for(member.guild_id).get(notice.level_key)
        return MoveCard(notice.id, member.user_id, member.preferred_name, level.name)

    async def mentor_card(self, guild_id: int, request_id: int) -> MentorCard | None:
        """Return a mentoring request for its card, or None once it is gone."""

        def draw(request: MentorRequest, member: Member) -> MentorCard:
            level = self.ladder_for(member.guild_id).get(member.level_key).name
            return MentorCard(
                request.id, member.user_id, member.preferred_name, level, request.note
            )

        return await self._drawn(MentorRequest, request_id, guild_id, draw)

    async def _drawn(
        self,
        model: type[OwnedT],
        row_id: int,
        guild_id: int,
        draw: Callable[[OwnedT, Member], DrawnT | None],
    ) -> DrawnT | None:
        """Draw a row of this server with its member as they stand now; None if either is gone."""
        async with self.db.begin() as s:
            found = await with_owner(s, model, row_id, guild_id)
            return draw(*found) if found is not None else None

    @property
    def notes(self) -> StaffNotes[StaffNote]:
        """Notes for workers about things that could not be done for a member."""
        return StaffNotes(self, STAFF_NOTE, _draw_note)
