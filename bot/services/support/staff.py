"""What moderators do with a request: claim it, escalate it, resolve it (all audited)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.group_commit import GroupCommit
from bot.db.models import AuditEntry, SupportRequest
from bot.services.access import Actor, guild_config, require_moderator
from bot.services.base import Service, claim
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound, ServiceError
from bot.services.support.owed import ESCALATION, owe_space_closing, owe_tell, owe_tells
from bot.services.support.records import (
    ESCALATION_TARGETS,
    NOTE_MAX,
    OPEN_STATUSES,
    OUTCOMES,
    REASON_MAX,
    StaffAction,
    view_of,
)
from bot.services.support.rows import GONE, load_request
from bot.services.support.wording import picked_up_text, resolved_text
from bot.services.text import clean_text


def _already(row: SupportRequest, actor: Actor) -> Conflict:
    if row.status == "resolved":
        by = f" by <@{row.resolved_by}>" if row.resolved_by else ""
        return Conflict(f"This request has already been resolved{by}.")
    if row.claimed_by == actor.user_id:
        return Conflict("You've already picked this one up.")
    if row.claimed_by is not None:
        return Conflict(f"<@{row.claimed_by}> has already picked this one up.")
    return Conflict("This request changed while you were looking at it. Please try again.")


def _may_take(row: SupportRequest, actor: Actor) -> None:
    if row.kind != "report" and row.user_id == actor.user_id:
        raise NotAllowed(
            "This request is about you, so another member of the team needs to pick it up."
        )


def _found(rows: dict[int, SupportRequest], request_id: int) -> SupportRequest:
    row = rows.get(request_id)
    if row is None:
        raise NotFound(GONE)
    return row


async def _load(s: AsyncSession, guild_id: int, ids: set[int]) -> dict[int, SupportRequest]:
    """Return this server's requests with these ids, as the database has them now."""
    rows = await s.scalars(
        select(SupportRequest)
        .where(SupportRequest.id.in_(ids), SupportRequest.guild_id == guild_id)
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in rows}


def _untold(row: SupportRequest) -> StaffAction:
    return StaffAction(view_of(row), None, None, None)


def _tell_member(row: SupportRequest, text: str) -> StaffAction:
    """Return the action, telling the member only for their own /support request."""
    if row.kind != "request" or row.user_id is None:
        return _untold(row)
    return StaffAction(view_of(row), row.user_id, row.private_channel_id, text)


class SupportStaff(Service):
    """Claim, escalate and resolve; each is one transaction with a conditional UPDATE."""

    def _audit(
        self, s: AsyncSession, actor: Actor, row: SupportRequest, action: str, detail: str
    ) -> None:
        # The detail names the request and what happened, never anything the member wrote.
        self.audit(
            s,
            actor,
            f"support.{action}",
            member_id=row.member_id,
            detail=f"request {row.id}: {detail}",
        )

    async def _audit_claims(
        self, s: AsyncSession, actors: list[Actor], rows: list[SupportRequest]
    ) -> None:
        """Audit a burst of claims in one statement, as `_audit` does one."""
        if actors:
            now = self.clock.now()
            entries = [
                {
                    "guild_id": actor.guild_id,
                    "actor_user_id": actor.user_id,
                    "action": "support.claim",
                    "member_id": row.member_id,
                    "detail": f"request {row.id}: claimed",
                    "at": now,
                }
                for actor, row in zip(actors, rows, strict=True)
            ]
            await s.execute(insert(AuditEntry), entries)

    async def _owe_tell(
        self, s: AsyncSession, row: SupportRequest, action: StaffAction, step: str
    ) -> None:
        """Owe the member the note an action tells them (in their space, or by DM)."""
        if action.tell_text is not None and action.tell_user_id is not None:
            await owe_tell(s, row, self.clock.now(), action.tell_text, step)

    async def _take(self, s: AsyncSession, actor: Actor, row: SupportRequest) -> bool:
        """Claim the request for the actor if nobody has it; return True if this claimed it."""
        _may_take(row, actor)
        won = row.id in await self._take_all(s, {0: (actor, row.id)})
        await s.refresh(row)
        return won

    async def _settle(
        self, s: AsyncSession, actor: Actor, row: SupportRequest, now: datetime, **values: Any
    ) -> None:
        """Move a still-unresolved request on; whoever settles it first counts as picking it up."""
        won = await claim(
            s,
            update(SupportRequest)
            .where(SupportRequest.id == row.id, SupportRequest.status.in_(OPEN_STATUSES))
            .values(
                **values,
                claimed_by=func.coalesce(SupportRequest.claimed_by, actor.user_id),
                claimed_at=func.coalesce(SupportRequest.claimed_at, now),
                next_raise_at=None,
            ),
        )
        await s.refresh(row)
        if not won:
            raise _already(row, actor)

    def __init__(self, *parts: Any, **named: Any) -> None:
        super().__init__(*parts, **named)
        # One lane per server: a round reads the server's set-up once. A moderator's presses
        # on different cards share a round (a queue is worked through card after card); a
        # second press on the same card waits for the next, so it is answered in order.
        self._claims: GroupCommit[tuple[Actor, int], StaffAction] = GroupCommit(
            self._claim_batch,
            None,
            lambda press: (press[0].user_id, press[1]),
            lane=lambda press: press[0].guild_id,
        )

    async def claim(self, actor: Actor, request_id: int) -> StaffAction:
        """Pick up a request exactly once; tell the member who has it.

        Claims in one server that arrive together share one transaction (group commit); this
        returns once the one holding this claim has committed.
        """
        return await self._claims.submit((actor, request_id))

    async def _claim_batch(
        self, presses: Sequence[tuple[Actor, int]]
    ) -> list[StaffAction | Exception]:
        """Claim a burst of requests in one transaction, first press first; say who won each."""
        guild_id = presses[0][0].guild_id
        done: dict[int, StaffAction | Exception] = {}
        # Each request's first press in this batch, by presser: their conditional UPDATE.
        first: dict[int, int] = {}
        told: list[tuple[SupportRequest, str]] = []
        async with self.db.begin() as s:
            # Held for the whole batch: the session keeps loaded rows only while referenced,
            # so each presser's check below reuses it instead of reading it again.
            config = await guild_config(s, guild_id)
            ids = {request_id for _, request_id in presses}
            rows = await _load(s, guild_id, ids)
            for index, (actor, request_id) in enumerate(presses):
                try:
                    await require_moderator(s, actor)
                    row = _found(rows, request_id)
                    _may_take(row, actor)
                except ServiceError as exc:
                    done[index] = exc
                    continue
                first.setdefault(request_id, index)
            won = await self._take_all(s, {i: presses[i] for i in first.values()})
            rows = await _load(s, guild_id, ids)
            taken: dict[int, StaffAction] = {}
            for index, (actor, request_id) in enumerate(presses):
                if index in done:
                    continue
                row = rows[request_id]
                if first[request_id] != index or request_id not in won:
                    done[index] = _already(row, actor)
                    continue
                action = taken[index] = _tell_member(row, picked_up_text(actor.user_id))
                if action.tell_text is not None and action.tell_user_id is not None:
                    told.append((row, action.tell_text))
            # Written after every decision, each kind in one statement for the whole burst.
            await owe_tells(s, told, self.clock.now(), "claim")
            claimers = [presses[i][0] for i in taken]
            await self._audit_claims(s, claimers, [rows[r.request.id] for r in taken.values()])
            del config
        done.update(taken)
        if taken:
            self.wake()
        return [done[index] for index in range(len(presses))]

    async def _take_all(self, s: AsyncSession, taking: dict[int, tuple[Actor, int]]) -> set[int]:
        """Claim each request for its presser if nobody has it; return the ids this claimed."""
        by_presser: dict[int, list[int]] = {}
        for actor, request_id in taking.values():
            by_presser.setdefault(actor.user_id, []).append(request_id)
        won: set[int] = set()
        for user_id, request_ids in by_presser.items():
            # WHERE claimed_by IS NULL: two moderators pressing at once, exactly one wins.
            claimed = await s.scalars(
                update(SupportRequest)
                .where(
                    SupportRequest.id.in_(request_ids),
                    SupportRequest.claimed_by.is_(None),
                    SupportRequest.status == "open",
                )
                .values(
                    claimed_by=user_id,
                    claimed_at=self.clock.now(),
                    status="claimed",
                    next_raise_at=None,
                )
                .returning(SupportRequest.id)
                .execution_options(synchronize_session=False)
            )
            won.update(claimed)
        return won

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
                self._audit(s, actor, row, "claim", "claimed on escalating")
            await self._settle(
                s,
                actor,
                row,
                now,
                status="escalated",
                escalated_to=to,
                escalated_by=actor.user_id,
                escalated_at=now,
                escalation_reason=text,
            )
            self._audit(s, actor, row, "escalate", f"to {to}")
            role = config.worker_role_id if to == "worker" else config.safeguarding_role_id
            told = _tell_member(row, picked_up_text(actor.user_id)) if first else _untold(row)
            await self._owe_tell(s, row, told, "claim")
            await self.owe(
                s,
                guild_id=row.guild_id,
                kind=ESCALATION,
                payload={"request_id": row.id, "role_id": role, "by": actor.user_id},
            )
        self.wake()
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
            # Resolving counts as the first response when nobody claimed it first.
            await self._settle(
                s,
                actor,
                row,
                now,
                status="resolved",
                resolved_by=actor.user_id,
                resolved_at=now,
                outcome=outcome,
                resolution_note=text,
            )
            self._audit(s, actor, row, "resolve", outcome)
            action = _tell_member(row, resolved_text(row.private_channel_id is not None))
            await self._owe_tell(s, row, action, "resolve")
            if row.kind == "request":
                retention = timedelta(
                    days=self.settings_for(row.guild_id).support.space_retention_days
                )
                await owe_space_closing(s, row, now, retention)
        self.wake()
        return action
