"""Data rights: everything held about a person (/mydata), and erasure (/forgetme)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from bot.db.models import AuditEntry, EqualityMonitoring, Member
from bot.services.access import Actor, guild_config
from bot.services.base import Service
from bot.services.membership.forms import ADJUSTMENTS, Departure
from bot.services.membership.records import member_role_ids, own_record
from bot.services.personal_data import PersonalDataProvider, collect_traces


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


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
                    "consented_at": _iso(member.consent_at),
                    "joined_at": _iso(member.joined_at),
                    "decided_at": _iso(member.decided_at),
                    "decline_reason": member.decline_reason,
                    "parent_carer_aware_confirmed_at": _iso(member.carer_aware_confirmed_at),
                    "paused_at": _iso(member.paused_at),
                    "left_at": _iso(member.left_at),
                }
                data["equality_monitoring"] = equality.answers if equality else None
                data["history"] = [{"action": a.action, "at": _iso(a.at)} for a in audit]
            # Someone who never signed up may still have used /support or reported a message.
            member_id = member.id if member is not None else 0
            for provider in self.providers:
                data[provider.section] = await provider.export(
                    s, actor.guild_id, actor.user_id, member_id
                )
            return data

    async def forget(self, actor: Actor) -> Departure:
        """Erase the actor: personal data deleted, contributions anonymised, votes unlinked."""
        async with self.db.begin() as s:
            config = await guild_config(s, actor.guild_id)
            member = await own_record(s, actor)
            member_id = member.id if member is not None else 0
            redact: list[tuple[int, int]] = []
            if member is not None and member.card_channel_id and member.card_message_id:
                redact.append((member.card_channel_id, member.card_message_id))
            traces = await collect_traces(
                list(self.providers), s, actor.guild_id, actor.user_id, member_id
            )
            redact += traces.messages
            for provider in self.providers:
                await provider.erase(s, actor.guild_id, actor.user_id, member_id)
            # Staff actions stay for accountability, but no longer point at the person.
            if member is not None:
                await s.execute(
                    update(AuditEntry)
                    .where(AuditEntry.member_id == member.id)
                    .values(member_id=None, detail=None)
                )
            await s.execute(
                update(AuditEntry)
                .where(AuditEntry.actor_user_id == actor.user_id)
                .values(actor_user_id=None)
            )
            await s.execute(
                update(Member)
                .where(Member.carer_aware_confirmed_by == actor.user_id)
                .values(carer_aware_confirmed_by=None)
            )
            await s.execute(
                update(Member).where(Member.decided_by == actor.user_id).values(decided_by=None)
            )
            if member is not None:
                await s.execute(delete(Member).where(Member.id == member.id))
            self.audit(s, None, "member.erased", guild_id=actor.guild_id)
            return Departure(
                actor.user_id,
                await member_role_ids(s, config),
                redact,
                traces.channels_to_leave,
            )
