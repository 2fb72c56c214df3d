"""Data rights: everything held about a person (/mydata), and erasure (/forgetme)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, EqualityMonitoring, Member
from bot.services.access import Actor, guild_config
from bot.services.base import Service, forget_owed
from bot.services.membership.forms import ADJUSTMENTS, Departure
from bot.services.membership.owed import (
    DELETED_ON_ERASURE,
    owe_redactions,
    posts_about,
)
from bot.services.membership.records import member_role_ids, own_record
from bot.services.personal_data import PersonalDataProvider, collect_traces, iso


class DataRights(Service):
    """Export and erasure across every feature's personal-data provider."""

    # Replaced, never mutated, as each feature registers: no instance set-up needed.
    providers: tuple[PersonalDataProvider, ...] = ()

    def register_personal_data(self, provider: PersonalDataProvider) -> None:
        """Add a feature's export and erasure to /mydata and /forgetme."""
        self.providers = (*self.providers, provider)

    async def export(self, actor: Actor) -> dict[str, Any]:
        """Return everything held about the actor, as JSON-ready data (members or not)."""
        async with self.db.begin() as s:
            await guild_config(s, actor.guild_id)
            member = await own_record(s, actor)
            data: dict[str, Any] = {
                "about": "Everything participation-bot holds about you in this server.",
                "discord_user_id": str(actor.user_id),
                "profile": None,
                "equality_monitoring": None,
                "history": [],
            }
            if member is not None:
                equality = await s.get(EqualityMonitoring, member.id)
                audit = await s.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.member_id == member.id)
                    .order_by(AuditEntry.id)
                )
                data["profile"] = {
                    "preferred_name": member.preferred_name,
                    "pronouns": member.pronouns,
                    "age_band": member.age_band,
                    "member_type": member.member_type,
                    "locality": member.locality,
                    "reminder_dms": member.dm_opt_in,
                    "adjustments": [ADJUSTMENTS.get(a, a) for a in member.adjustments or []],
                    "adjustments_note": member.adjustments_note,
                    "status": member.status,
                    "level": member.level_key,
                    "consented_at": iso(member.consent_at),
                    "joined_at": iso(member.joined_at),
                    "decided_at": iso(member.decided_at),
                    "decline_reason": member.decline_reason,
                    "parent_carer_aware_confirmed_at": iso(member.carer_aware_confirmed_at),
                    "paused_at": iso(member.paused_at),
                    "left_at": iso(member.left_at),
                }
                data["equality_monitoring"] = equality.answers if equality else None
                data["history"] = [{"action": a.action, "at": iso(a.at)} for a in audit]
            # Someone who never signed up may still have used /support or reported a message.
            member_id = member.id if member is not None else 0
            for provider in self.providers:
                data[provider.section] = await provider.export(
                    s, actor.guild_id, actor.user_id, member_id
                )
            return data

    async def forget(self, actor: Actor) -> Departure:
        """Erase the actor in this server only: personal data deleted, contributions anonymised.

        The bot's posts naming them are owed a redaction (or deletion) in the same transaction,
        so a Discord failure delays it but never leaves their name behind.
        """
        guild_id = actor.guild_id
        async with self.db.begin() as s:
            config = await guild_config(s, guild_id)
            member = await own_record(s, actor)
            member_id = member.id if member is not None else 0
            traces = await collect_traces(
                list(self.providers), s, guild_id, actor.user_id, member_id
            )
            locations = await self._posts_to_tidy(s, member, traces.messages)
            for provider in self.providers:
                await provider.erase(s, guild_id, actor.user_id, member_id)
            # Staff actions stay for accountability, but no longer point at the person. Every
            # update names this server: erasing here must not rewrite another server's rows.
            if member is not None:
                await s.execute(
                    update(AuditEntry)
                    .where(AuditEntry.guild_id == guild_id, AuditEntry.member_id == member.id)
                    .values(member_id=None, detail=None)
                )
                await forget_owed(s, "membership", guild_id, member.id, self.clock.now())
            await s.execute(
                update(AuditEntry)
                .where(AuditEntry.guild_id == guild_id, AuditEntry.actor_user_id == actor.user_id)
                .values(actor_user_id=None)
            )
            await s.execute(
                update(Member)
                .where(
                    Member.guild_id == guild_id, Member.carer_aware_confirmed_by == actor.user_id
                )
                .values(carer_aware_confirmed_by=None)
            )
            await s.execute(
                update(Member)
                .where(Member.guild_id == guild_id, Member.decided_by == actor.user_id)
                .values(decided_by=None)
            )
            await owe_redactions(self, s, guild_id, locations)
            if member is not None:
                await s.execute(delete(Member).where(Member.id == member.id))
            self.audit(s, None, "member.erased", guild_id=guild_id)
            departure = Departure(
                actor.user_id,
                await member_role_ids(s, config),
                [(channel, message) for channel, message, _ in locations],
                traces.channels_to_leave,
                config.welcome_channel_id,
            )
        self.wake()
        return departure

    async def _posts_to_tidy(
        self, s: AsyncSession, member: Member | None, others: list[tuple[int, int]]
    ) -> list[tuple[int, int, bool]]:
        """Return (channel, message, delete?) for every bot post about the person, once each."""
        found: dict[int, tuple[int, int, bool]] = {}
        if member is not None:
            for kind, channel_id, message_id in await posts_about(s, member.guild_id, member.id):
                found[message_id] = (channel_id, message_id, kind in DELETED_ON_ERASURE)
            if member.card_channel_id and member.card_message_id:
                found.setdefault(
                    member.card_message_id, (member.card_channel_id, member.card_message_id, False)
                )
        for channel_id, message_id in others:
            found.setdefault(message_id, (channel_id, message_id, False))
        return list(found.values())
