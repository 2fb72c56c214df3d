"""Members saying "I'm interested" (or taking it back), and workers selecting who takes part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Opportunity, OpportunityInterest, OpportunitySelection
from bot.services.access import Actor, require_member, require_worker
from bot.services.audience import Audience
from bot.services.base import Service, changed, insert_once, view_from
from bot.services.contributions import record_contribution
from bot.services.errors import Conflict, NotAllowed
from bot.services.membership import ADJUSTMENTS
from bot.services.opportunities.records import SELECTED, OpportunityView, find, member_of, view_of
from bot.services.opportunities.rules import CONTRIBUTION

Link = type[OpportunityInterest] | type[OpportunitySelection]


def one_link(table: Link, opportunity_id: int, member_id: int) -> tuple[ColumnElement[bool], ...]:
    """Return the conditions that pick one member's interest in (or selection for) one."""
    return (table.opportunity_id == opportunity_id, table.member_id == member_id)


async def add_link(
    s: AsyncSession, table: Link, opportunity_id: int, member_id: int, **values: Any
) -> bool:
    """Add a member's interest in (or selection for) an opportunity; False if already there."""
    unique = ["opportunity_id", "member_id"]
    return await insert_once(
        s, table, unique, opportunity_id=opportunity_id, member_id=member_id, **values
    )


CLOSED_TEXT = (
    "This opportunity has closed, so it's no longer taking interest. "
    "See the open ones with /opportunities."
)


@dataclass(frozen=True)
class InterestReceipt:
    """What pressing "I'm interested" did: saved now, or saved already."""

    opportunity: OpportunityView
    already: bool


@dataclass(frozen=True)
class InterestedPerson:
    """Someone interested, with what a worker needs to support them (workers only)."""

    member_id: int
    user_id: int
    name: str
    level_key: str | None
    locality: str
    adjustments: tuple[str, ...]
    adjustments_note: str | None
    interested_at: datetime
    selected: bool


@dataclass(frozen=True)
class Selection:
    """A member selected: their contribution is recorded, and whether they are DMed."""

    opportunity: OpportunityView
    name: str
    user_id: int
    told_by_dm: bool


@dataclass(frozen=True)
class SelectedDM:
    """The "you've been selected" DM as it stands when it is sent."""

    opportunity: OpportunityView
    user_id: int


def _closed(row: Opportunity, now: datetime) -> bool:
    return row.closed_at is not None or row.closes_at <= now


class OpportunityInterestService(Service):
    """Interest from members, and selections by workers (each recorded once)."""

    async def interest(self, actor: Actor, opportunity_id: int) -> InterestReceipt:
        """Record that a member is interested; pressing again says so kindly."""
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor, allow_paused=False)
            row = await find(s, actor.guild_id, opportunity_id)
            if _closed(row, now):
                raise Conflict(CLOSED_TEXT)
            audience = Audience.of(row)
            if not audience.includes(member):
                who = audience.describe(self.settings_for(actor.guild_id))
                raise NotAllowed(
                    f"This opportunity is for {who}, so it isn't "
                    "open to you this time. See the ones that are with /opportunities."
                )
            added = await add_link(s, OpportunityInterest, row.id, member.id, interested_at=now)
            return InterestReceipt(
                view_of(row, self.settings_for(row.guild_id), now=now), already=not added
            )

    async def withdraw(self, actor: Actor, opportunity_id: int) -> OpportunityView:
        """Take back a member's interest (not once they have been selected)."""
        now = self.clock.now()
        async with self.db.begin() as s:
            member = await require_member(s, actor)
            row = await find(s, actor.guild_id, opportunity_id)
            selected = await s.scalar(
                select(OpportunitySelection.id).where(
                    *one_link(OpportunitySelection, row.id, member.id)
                )
            )
            if selected is not None:
                raise Conflict(
                    "You've already been selected for this one, so please tell a worker if "
                    "you can no longer take part. That's completely fine."
                )
            removed = await changed(
                s,
                delete(OpportunityInterest).where(
                    *one_link(OpportunityInterest, row.id, member.id)
                ),
            )
            if removed == 0:
                raise Conflict(
                    "You haven't said you're interested in this one, so there's nothing to "
                    "take back."
                )
            return view_of(row, self.settings_for(row.guild_id), now=now)

    async def interested(
        self, actor: Actor, opportunity_id: int
    ) -> tuple[OpportunityView, list[InterestedPerson]]:
        """List who is interested, with their reasonable adjustments (workers only)."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            row = await find(s, actor.guild_id, opportunity_id)
            return view_of(row, self.settings_for(row.guild_id), now=now), await self._people(
                s, row.id
            )

    async def _people(self, s: AsyncSession, opportunity_id: int) -> list[InterestedPerson]:
        selected = set(
            await s.scalars(
                select(OpportunitySelection.member_id).where(
                    OpportunitySelection.opportunity_id == opportunity_id
                )
            )
        )
        rows = await s.execute(
            select(Member, OpportunityInterest.interested_at)
            .join(OpportunityInterest, OpportunityInterest.member_id == Member.id)
            .where(OpportunityInterest.opportunity_id == opportunity_id)
            .order_by(OpportunityInterest.interested_at, OpportunityInterest.id)
        )
        return [
            view_from(
                InterestedPerson,
                m,
                member_id=m.id,
                name=m.preferred_name,
                adjustments=tuple(ADJUSTMENTS.get(a, a) for a in m.adjustments or []),
                interested_at=at,
                selected=m.id in selected,
            )
            for m, at in rows
        ]

    async def select(self, actor: Actor, opportunity_id: int, user_id: int) -> Selection:
        """Select an interested member: record their contribution once and owe them a DM."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            row = await find(s, actor.guild_id, opportunity_id)
            member = await member_of(s, actor.guild_id, user_id)
            interested = await s.scalar(
                select(OpportunityInterest.id).where(
                    *one_link(OpportunityInterest, row.id, member.id)
                )
            )
            if interested is None:
                raise Conflict(
                    f"{member.preferred_name} hasn't said they're interested in this one, so "
                    "they can't be selected for it. Ask them to press “I'm interested” first."
                )
            selected = {"selected_by": actor.user_id, "selected_at": now}
            added = await add_link(s, OpportunitySelection, row.id, member.id, **selected)
            if not added:
                raise Conflict(
                    f"{member.preferred_name} is already selected for this one; their "
                    "contribution is recorded."
                )
            await record_contribution(
                s,
                guild_id=actor.guild_id,
                member_id=member.id,
                kind=CONTRIBUTION[row.kind],
                source_key=f"opportunity:{row.id}",
                occurred_at=row.happens_at,
                recorded_at=now,
                hours=row.hours,
                note=row.title[:100],
                recorded_by=actor.user_id,
            )
            told = bool(member.dm_opt_in)
            if told:
                payload = {"opportunity_id": row.id, "user_id": member.user_id}
                await self.owe_once(
                    s,
                    SELECTED,
                    row.id,
                    guild_id=actor.guild_id,
                    payload=payload,
                    member_id=member.id,
                )
            self.audit(
                s, actor, "opportunity.select", member_id=member.id, detail=f"opportunity {row.id}"
            )
            result = Selection(
                view_of(row, self.settings_for(row.guild_id), now=now),
                member.preferred_name,
                member.user_id,
                told,
            )
        self.wake()
        return result

    async def selected_dm(
        self, guild_id: int, opportunity_id: int, member_id: int | None
    ) -> SelectedDM | None:
        """Return the selection DM to send now, or None if the person is gone or erased."""
        async with self.db.begin() as s:
            row = await find(s, guild_id, opportunity_id)
            member = await s.get(Member, member_id) if member_id is not None else None
            if member is None or member.guild_id != guild_id:
                return None
            return SelectedDM(
                view_of(row, self.settings_for(row.guild_id), now=self.clock.now()), member.user_id
            )
