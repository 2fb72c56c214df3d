"""Posting opportunities, and listing the open ones (and the recent ones, for workers)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.db.models import Member, Opportunity, OpportunityInterest
from bot.services.access import Actor, guild_config, is_worker, require_member, require_worker
from bot.services.audience import Audience
from bot.services.base import Service
from bot.services.errors import InvalidInput
from bot.services.opportunities.records import (
    POSTED,
    OpportunityView,
    find,
    posted_at,
    view_of,
)
from bot.services.opportunities.rules import OpportunityDraft, check_draft

LIST_LIMIT = 25


@dataclass(frozen=True)
class OpenOpportunity:
    """An open opportunity as one person sees it in /opportunities."""

    opportunity: OpportunityView
    interested: bool


class OpportunityPosting(Service):
    """Opportunities as workers post them and members browse them."""

    async def post(self, actor: Actor, draft: OpportunityDraft) -> OpportunityView:
        """Check and store an opportunity, and owe its announcement (workers only)."""
        now = self.clock.now()
        async with self.db.begin() as s:
            config = await require_worker(s, actor)
            clean = check_draft(draft, now, self.settings_for(actor.guild_id))
            if config.announcements_channel_id is None:
                raise InvalidInput(
                    "There is no announcements channel to post it in. Run /setup first."
                )
            row = Opportunity(
                guild_id=actor.guild_id,
                kind=clean.kind,
                title=clean.title,
                involves=clean.involves,
                suits=clean.suits,
                audience_kind=clean.audience.kind,
                audience_value=clean.audience.value,
                payment=clean.payment,
                hours=clean.hours,
                happens_at=clean.happens_at,
                closes_at=clean.happens_at,
                channel_id=config.announcements_channel_id,
                created_by=actor.user_id,
                created_at=now,
            )
            s.add(row)
            await s.flush()
            payload = {"opportunity_id": row.id, "channel_id": row.channel_id}
            await self.owe_once(s, POSTED, row.id, guild_id=actor.guild_id, payload=payload)
            self.audit(s, actor, "opportunity.post", detail=f"opportunity {row.id}")
            view = view_of(row, self.settings_for(row.guild_id))
        self.wake()
        return view

    async def get(self, guild_id: int, opportunity_id: int) -> OpportunityView:
        """Return an opportunity as it stands now, with where it was announced."""
        async with self.db.begin() as s:
            row = await find(s, guild_id, opportunity_id)
            return view_of(
                row,
                self.settings_for(row.guild_id),
                now=self.clock.now(),
                where=await posted_at(s, row.id),
            )

    async def open_for(self, actor: Actor) -> list[OpenOpportunity]:
        """List the open opportunities this person may put themselves forward for."""
        now = self.clock.now()
        async with self.db.begin() as s:
            config = await guild_config(s, actor.guild_id)
            worker = is_worker(config, actor)
            member: Member | None = None
            if worker:
                member = await s.scalar(
                    select(Member).where(
                        Member.guild_id == actor.guild_id,
                        Member.user_id == actor.user_id,
                        Member.status.in_(("approved", "paused")),
                    )
                )
            else:
                # Not yet approved, declined or left: say why, kindly, rather than show nothing.
                member = await require_member(s, actor)
            rows = await s.scalars(
                select(Opportunity)
                .where(
                    Opportunity.guild_id == actor.guild_id,
                    Opportunity.closed_at.is_(None),
                    Opportunity.closes_at > now,
                )
                .order_by(Opportunity.closes_at, Opportunity.id)
            )
            found = [r for r in rows if worker or (member and Audience.of(r).includes(member))]
            mine: set[int] = set()
            if member is not None:
                mine = set(
                    await s.scalars(
                        select(OpportunityInterest.opportunity_id).where(
                            OpportunityInterest.member_id == member.id
                        )
                    )
                )
            return [
                OpenOpportunity(
                    view_of(
                        r, self.settings_for(r.guild_id), now=now, where=await posted_at(s, r.id)
                    ),
                    r.id in mine,
                )
                for r in found[:LIST_LIMIT]
            ]

    async def recent(self, actor: Actor, limit: int = LIST_LIMIT) -> list[OpportunityView]:
        """List the newest opportunities, open or closed, for a worker to pick from."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            rows = await s.scalars(
                select(Opportunity)
                .where(Opportunity.guild_id == actor.guild_id)
                .order_by(Opportunity.id.desc())
                .limit(limit)
            )
            return [view_of(r, self.settings_for(r.guild_id), now=now) for r in rows]

    async def for_delivery(self, guild_id: int, opportunity_id: int) -> OpportunityView:
        """Return an opportunity to announce or redraw, with where it was announced."""
        return await self.get(guild_id, opportunity_id)
