"""What membership owes Discord: the sign-up card, roles, the welcome, DMs, notes, redactions.

Each is written to the outbox in the same transaction as the decision that causes it, and the
membership cog's senders deliver it (see bot/delivery.py). Payloads hold ids only: a sender
reads the record when it sends, so an erased person is never named by a late delivery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GuildConfig, Member, OutboxItem
from bot.services.base import Service
from bot.services.membership.forms import MemberView, member_view

T = TypeVar("T")

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


@dataclass(frozen=True)
class StaffNote:
    """A note for workers in #worker-log about something that could not be done for someone."""

    member: MemberView
    about: str  # what failed: "approval_dm", "decline_dm" or "roles"
    reason: str
    channel_id: int | None
    card_message_id: int | None


async def owe_about(
    service: Service,
    s: AsyncSession,
    kind: str,
    member: Member,
    payload: dict[str, Any],
    key: object = None,
) -> None:
    """Owe, in this transaction, something about a member: once per `key`, if one is given."""
    await service.owe(
        s,
        guild_id=member.guild_id,
        kind=kind,
        payload=payload,
        dedup_key=f"{kind}:{key}" if key else None,
        subject_member_id=member.id,
    )


async def owe_card(service: Service, s: AsyncSession, config: GuildConfig, member: Member) -> None:
    """Owe the sign-up card in #worker-log for a new (or renewed) sign-up."""
    payload = {"member_id": member.id, "channel_id": config.worker_log_channel_id}
    await owe_about(service, s, CARD, member, payload)


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
        await owe_about(service, s, kind, member, payload)


async def owe_role_removal(
    service: Service, s: AsyncSession, member: Member, role_ids: list[int]
) -> None:
    """Owe taking membership's roles away from someone who left (their record stays)."""
    payload = {"member_id": member.id, "role_ids": role_ids}
    await owe_about(service, s, ROLES_REMOVED, member, payload)


async def owe_decline(service: Service, s: AsyncSession, member: Member) -> None:
    """Owe the person the reason their sign-up was declined (their only way to hear it)."""
    for kind in (DECLINED_DM, REPLY):
        await owe_about(service, s, kind, member, {"member_id": member.id})


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


class StaffNotes(Generic[T]):
    """Notes for workers in #worker-log that something for a member could not be done, and why.

    A feature owes them under its own `kind`, and `draw` makes what its sender posts from
    (member, what failed, why, the #worker-log channel).
    """

    def __init__(
        self, service: Service, kind: str, draw: Callable[[Member, str, str, int | None], T]
    ) -> None:
        self.service = service
        self.kind = kind
        self.draw = draw

    async def tell(
        self, guild_id: int, member_id: int, about: str, reason: str, delivery_id: int
    ) -> None:
        """Owe a note once per failed delivery; none about someone erased or with no settings."""
        service = self.service
        async with service.db.begin() as s:
            member = await s.get(Member, member_id)
            config = await s.get(GuildConfig, guild_id)
            if member is None or member.guild_id != guild_id or config is None:
                return
            await service.owe(
                s,
                guild_id=guild_id,
                kind=self.kind,
                payload={"member_id": member_id, "about": about, "reason": reason[:200]},
                dedup_key=f"{self.kind}:{delivery_id}",
                subject_member_id=member_id,
            )
        service.wake()

    async def read(self, guild_id: int, payload: dict[str, Any]) -> T | None:
        """Return what a note says and where it goes, or None once the person is erased."""
        async with self.service.db.begin() as s:
            member = await s.get(Member, int(payload.get("member_id") or 0))
            if member is None or member.guild_id != guild_id:
                return None
            config = await s.get(GuildConfig, guild_id)
            channel_id = config.worker_log_channel_id if config else None
            return self.draw(member, str(payload["about"]), str(payload["reason"]), channel_id)


class OwedDeliveries(Service):
    """What the membership senders read and record while delivering."""

    async def subject(self, guild_id: int, member_id: int) -> MemberView | None:
        """Return the record a delivery is about, or None once it is erased."""
        async with self.db.begin() as s:
            member = await s.get(Member, member_id)
            if member is None or member.guild_id != guild_id:
                return None
            return member_view(member, self.settings_for(member.guild_id))

    @property
    def notes(self) -> StaffNotes[StaffNote]:
        """Notes for workers about things that could not be done for someone."""

        def draw(member: Member, about: str, reason: str, channel_id: int | None) -> StaffNote:
            view = member_view(member, self.settings_for(member.guild_id))
            return StaffNote(view, about, reason, channel_id, member.card_message_id)

        return StaffNotes(self, STAFF_NOTE, draw)
