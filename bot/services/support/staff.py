"""What moderators do with a request: claim it, escalate it, resolve it (all audited)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import AuditEntry, SupportRequest
from bot.services.access import Actor, require_moderator
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services.support.records import (
    ESCALATION_TARGETS,
    NOTE_MAX,
    OPEN_STATUSES,
    OUTCOMES,
    REASON_MAX,
    StaffAction,
    view_of,
)
from bot.services.support.wording import picked_up_text, resolved_text
from bot.services.text import clean_text
from bot.settings import Settings


async def load_request(s: AsyncSession, guild_id: int, request_id: int) -> SupportRequest:
    """Return a request of this server, or explain that it is gone."""
    row = await s.get(SupportRequest, request_id)
    if row is None or row.guild_id != guild_id:
        raise NotFound("That support request no longer exists.")
    return row


def _audit(actor: Actor, row: SupportRequest, action: str, detail: str, at: datetime) -> AuditEntry:
    # The detail names the request and what happened, never anything the member wrote.
    return AuditEntry(
        guild_id=actor.guild_id,
        actor_user_id=actor.user_id,
        action=f"support.{action}",
        member_id=row.member_id,
        detail=f"request {row.id}: {detail}",
        at=at,
    )


def _already(row: SupportRequest, actor: Actor) -> Conflict:
    if row.status == "resolved":
        by = f" by <@{row.resolved_by}>" if row.resolved_by else ""
        return Conflict(f"This request has already been resolved{by}.")
    if row.claimed_by == actor.user_id:
        return Conflict("You've already picked this one up.")
    if row.claimed_by is not None:
        return Conflict(f"<@{row.claimed_by}> has already picked this one up.")
    return Conflict("This request changed while you were looking at it. Please try again.")


class SupportStaffMixin:
    """Claim, escalate and resolve; each is one transaction with a conditional UPDATE."""

    settings: Settings
    db: async_sessionmaker[AsyncSession]
    clock: Clock

    async def _take(self, s: AsyncSession, actor: Actor, row: SupportRequest) -> bool:
        """Claim the request for the actor if nobody has it; return True if this claimed it."""
        if row.kind != "report" and row.user_id == actor.user_id:
            raise NotAllowed(
                "This request is about you, so another member of the team needs to pick it up."
            )
        now = self.clock.now()
        # WHERE claimed_by IS NULL: two moderators pressing at once, exactly one wins.
        result = await s.execute(
            update(SupportRequest)
            .where(
                SupportRequest.id == row.id,
                SupportRequest.claimed_by.is_(None),
                SupportRequest.status == "open",
            )
            .values(claimed_by=actor.user_id, claimed_at=now, status="claimed", next_raise_at=None)
            .execution_options(synchronize_session=False)
        )
        await s.refresh(row)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def _picked_up(self, row: SupportRequest, actor: Actor) -> StaffAction:
        if row.kind != "request" or row.user_id is None:
            return StaffAction(view_of(row), None, None, None)
        return StaffAction(
            view_of(row), row.user_id, row.private_channel_id, picked_up_text(actor.user_id)
        )

    async def claim(self, actor: Actor, request_id: int) -> StaffAction:
        """Pick up a request exactly once; tell the member who has it."""
        async with self.db.begin() as s:
            await require_moderator(s, actor)
            row = await load_request(s, actor.guild_id, request_id)
            if not await self._take(s, actor, row):
                raise _already(row, actor)
            s.add(_audit(actor, row, "claim", "claimed", self.clock.now()))
            return self._picked_up(row, actor)

    async def escalate(self, actor: Actor, request_id: int, to: str, reason: str) -> StaffAction:
        """Escalate to a worker or the safeguarding lead, with a short staff-only reason."""
        if to not in ESCALATION_TARGETS:
            raise InvalidInput(
                "Please choose who to escalate to: a worker or the safeguarding lead."
            )
        text = clean_text(
            reason, field="the reason for escalating", max_length=REASON_MAX, multiline=True
        )
        now = self.clock.now()
        async with self.db.begin() as s:
            config = await require_moderator(s, actor)
            row = await load_request(s, actor.guild_id, request_id)
            # Escalating an unclaimed request picks it up too, so someone is answerable for it.
            first = row.claimed_by is None and await self._take(s, actor, row)
            if first:
                s.add(_audit(actor, row, "claim", "claimed on escalating", now))
            result = await s.execute(
                update(SupportRequest)
                .where(SupportRequest.id == row.id, SupportRequest.status.in_(OPEN_STATUSES))
                .values(
                    status="escalated",
                    escalated_to=to,
                    escalated_by=actor.user_id,
                    escalated_at=now,
                    escalation_reason=text,
                    claimed_by=func.coalesce(SupportRequest.claimed_by, actor.user_id),
                    claimed_at=func.coalesce(SupportRequest.claimed_at, now),
                    next_raise_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            await s.refresh(row)
            if not result.rowcount:  # type: ignore[attr-defined]
                raise _already(row, actor)
            s.add(_audit(actor, row, "escalate", f"to {to}", now))
            role = config.worker_role_id if to == "worker" else config.safeguarding_role_id
            told = (
                self._picked_up(row, actor)
                if first
                else StaffAction(view_of(row), None, None, None)
            )
            return StaffAction(
                told.request, told.tell_user_id, told.tell_channel_id, told.tell_text, role
            )

    async def resolve(
        self, actor: Actor, request_id: int, outcome: str, note: str | None = None
    ) -> StaffAction:
        """Resolve a request once, with an outcome from the fixed list and an optional note."""
        if outcome not in OUTCOMES:
            raise InvalidInput(f"Please choose an outcome: {', '.join(OUTCOMES.values())}.")
        text = clean_text(
            note, field="the note", max_length=NOTE_MAX, required=False, multiline=True
        )
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_moderator(s, actor)
            row = await load_request(s, actor.guild_id, request_id)
            result = await s.execute(
                update(SupportRequest)
                .where(SupportRequest.id == row.id, SupportRequest.status.in_(OPEN_STATUSES))
                .values(
                    status="resolved",
                    resolved_by=actor.user_id,
                    resolved_at=now,
                    outcome=outcome,
                    resolution_note=text,
                    # Resolving counts as the first response when nobody claimed it first.
                    claimed_by=func.coalesce(SupportRequest.claimed_by, actor.user_id),
                    claimed_at=func.coalesce(SupportRequest.claimed_at, now),
                    next_raise_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            await s.refresh(row)
            if not result.rowcount:  # type: ignore[attr-defined]
                raise _already(row, actor)
            s.add(_audit(actor, row, "resolve", outcome, now))
            if row.kind != "request" or row.user_id is None:
                return StaffAction(view_of(row), None, None, None)
            return StaffAction(view_of(row), row.user_id, row.private_channel_id, resolved_text())
