"""What membership owes Discord: the sign-up card, roles, the welcome, DMs, notes, redactions.

Each is written to the outbox in the same transaction as the decision that causes it, and the
membership cog's senders deliver it (see bot/delivery.py). Payloads hold ids only: a sender
reads the record when it sends, so an erased person is never named by a late delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GuildConfig, Member, OutboxItem
from bot.services.base import Service
from bot.services.membership.forms import MemberView, member_view
from bot.services.outbox import FAILED, PENDING

CARD = "membership.card"
ROLES = "membership.roles"
ROLES_REMOVED = "membership.roles_removed"
WELCOME = "membership.welcome"
APPROVED_DM = "membership.approved_dm"
DECLINED_DM = "membership.declined_dm"
STAFF_NOTE = "membership.staff_note"
REDACT = "membership.redact"
# The private "waiting" reply of the sign-up, updated with the decision while Discord allows.
REPLY = "membership.reply"
# Posts in server channels that name a person: tidied away when they are erased.
POSTS_ABOUT_PERSON = (CARD, WELCOME, STAFF_NOTE)
# Posts that exist only to name the person are deleted; staff records are redacted instead.
DELETED_ON_ERASURE = (WELCOME,)
ERASED = "the person erased their data before it went out"


@dataclass(frozen=True)
class StaffNote:
    """A note for workers in #worker-log about something that could not be done for someone."""

    member: MemberView
    about: str  # what failed: "approval_dm", "decline_dm" or "roles"
    reason: str
    channel_id: int | None
    card_message_id: int | None


async def owe_card(service: Service, s: AsyncSession, config: GuildConfig, member: Member) -> None:
    """Owe the sign-up card in #worker-log for a new (or renewed) sign-up."""
    await service.owe(
        s,
        guild_id=member.guild_id,
        kind=CARD,
        payload={"member_id": member.id, "channel_id": config.worker_log_channel_id},
        subject_member_id=member.id,
    )


async def owe_approval(
    service: Service, s: AsyncSession, config: GuildConfig, member: Member, role_ids: list[int]
) -> None:
    """Owe what an approval brings: roles, the welcome post, and a DM if they opted in.

    No dedup key: the approval's own claim already makes this run once per decision.
    """
    owed: dict[str, dict[str, Any]] = {
        ROLES: {"member_id": member.id, "role_ids": role_ids},
        WELCOME: {"member_id": member.id, "channel_id": config.welcome_channel_id},
    }
    if member.dm_opt_in:
        owed[APPROVED_DM] = {"member_id": member.id}
    owed[REPLY] = {"member_id": member.id}
    for kind, payload in owed.items():
        await service.owe(
            s, guild_id=member.guild_id, kind=kind, payload=payload, subject_member_id=member.id
        )


async def owe_role_removal(
    service: Service, s: AsyncSession, member: Member, role_ids: list[int]
) -> None:
    """Owe taking membership's roles away from someone who left (their record stays)."""
    await service.owe(
        s,
        guild_id=member.guild_id,
        kind=ROLES_REMOVED,
        payload={"member_id": member.id, "role_ids": role_ids},
        subject_member_id=member.id,
    )


async def owe_decline(service: Service, s: AsyncSession, member: Member) -> None:
    """Owe the person the reason their sign-up was declined (their only way to hear it)."""
    for kind in (DECLINED_DM, REPLY):
        await service.owe(
            s,
            guild_id=member.guild_id,
            kind=kind,
            payload={"member_id": member.id},
            subject_member_id=member.id,
        )


async def posts_about(s: AsyncSession, guild_id: int, member_id: int) -> list[tuple[str, int, int]]:
    """Return (kind, channel id, message id) of each membership post naming the person."""
    rows = await s.execute(
        select(OutboxItem.kind, OutboxItem.channel_id, OutboxItem.message_id).where(
            OutboxItem.guild_id == guild_id,
            OutboxItem.subject_member_id == member_id,
            OutboxItem.kind.in_(POSTS_ABOUT_PERSON),
            OutboxItem.message_id.is_not(None),
        )
    )
    return [(kind, int(channel), int(message)) for kind, channel, message in rows if channel]


async def owe_redactions(
    service: Service, s: AsyncSession, guild_id: int, locations: list[tuple[int, int, bool]]
) -> None:
    """Owe the redaction (or deletion) of each (channel, message, delete) of an erased person."""
    for channel_id, message_id, delete in locations:
        await service.owe(
            s,
            guild_id=guild_id,
            kind=REDACT,
            payload={"channel_id": channel_id, "message_id": message_id, "delete": delete},
            dedup_key=f"{REDACT}:{message_id}",
        )


async def cancel_owed(s: AsyncSession, guild_id: int, member_id: int, now: Any) -> None:
    """Stop membership deliveries about an erased person that have not gone out yet."""
    await s.execute(
        update(OutboxItem)
        .where(
            OutboxItem.guild_id == guild_id,
            OutboxItem.subject_member_id == member_id,
            OutboxItem.kind.like("membership.%"),
            OutboxItem.status == PENDING,
        )
        .values(status=FAILED, last_error=ERASED, lease_until=None, done_at=now)
    )


class OwedDeliveries(Service):
    """What the membership senders read and record while delivering."""

    async def subject(self, guild_id: int, member_id: int) -> MemberView | None:
        """Return the record a delivery is about, or None once it is erased."""
        async with self.db.begin() as s:
            member = await s.get(Member, member_id)
            if member is None or member.guild_id != guild_id:
                return None
            return member_view(member, self.settings)

    async def tell_staff(
        self, guild_id: int, member_id: int, about: str, reason: str, delivery_id: int
    ) -> None:
        """Owe workers a note that something for this person could not be done, and why."""
        async with self.db.begin() as s:
            member = await s.get(Member, member_id)
            config = await s.get(GuildConfig, guild_id)
            if member is None or config is None:
                return
            await self.owe(
                s,
                guild_id=guild_id,
                kind=STAFF_NOTE,
                payload={"member_id": member_id, "about": about, "reason": reason[:200]},
                dedup_key=f"{STAFF_NOTE}:{delivery_id}",
                subject_member_id=member_id,
            )
        self.wake()

    async def staff_note(self, guild_id: int, payload: dict[str, Any]) -> StaffNote | None:
        """Return what a staff note says and where it goes, or None once the person is erased."""
        async with self.db.begin() as s:
            member = await s.get(Member, int(payload["member_id"]))
            config = await s.get(GuildConfig, guild_id)
            if member is None or member.guild_id != guild_id:
                return None
            return StaffNote(
                member=member_view(member, self.settings),
                about=str(payload["about"]),
                reason=str(payload["reason"]),
                channel_id=config.worker_log_channel_id if config else None,
                card_message_id=member.card_message_id,
            )
