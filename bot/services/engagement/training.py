"""Training modules workers record, and mentoring: a member asks, a worker pairs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contribution_kinds import ContributionKind
from bot.db.models import Member, MentorRequest, TrainingRecord
from bot.services.access import Actor, guild_config, require_member, require_worker
from bot.services.base import claim, insert_once
from bot.services.contributions import record_contribution
from bot.services.engagement.common import (
    LadderService,
    find_member,
    in_guild,
    not_own,
    waiting_rows,
    who,
)
from bot.services.engagement.eligibility import check_member
from bot.services.engagement.ladder import Ladder
from bot.services.engagement.owed import MENTOR_CARD, PAIRING_DM, owe_card
from bot.services.errors import Conflict, InvalidInput
from bot.services.membership import owe_about
from bot.services.text import clean_text


@dataclass(frozen=True)
class TrainingDone:
    """A module recorded as completed, and whether it made the member eligible."""

    member_id: int
    user_id: int
    module_key: str
    module_name: str
    eligibility_notice_id: int | None


@dataclass(frozen=True)
class MentorRequestView:
    """A request for a mentor."""

    id: int
    member_id: int
    user_id: int
    preferred_name: str
    level_name: str
    note: str | None
    status: str
    requested_at: datetime
    worker_log_channel_id: int | None


@dataclass(frozen=True)
class MentorCandidate:
    """Someone at a higher level who could mentor."""

    member_id: int
    user_id: int
    preferred_name: str
    level_key: str
    level_name: str


@dataclass(frozen=True)
class Pairing:
    """A mentoring pair; the cog tells both people with the texts given."""

    request_id: int
    mentee_user_id: int
    mentor_user_id: int
    mentee_text: str
    mentor_text: str
    mentor_told: bool = True  # False: the mentor turned DMs from the bot off; a worker tells them


def pairing_texts(ladder: Ladder, mentee: Member, mentor: Member) -> tuple[str, str]:
    """Return what the mentee and the mentor are told about their pairing."""
    return (
        f"Good news: {mentor.preferred_name} ({ladder.get(mentor.level_key).name}) will be "
        "your mentor and will get in touch; a worker can help if anything is unclear.",
        f"Thank you for mentoring: you have been paired with {mentee.preferred_name}. Please "
        "get in touch with them; a worker can help if anything is unclear.",
    )


class TrainingService(LadderService):
    """Training records and mentoring."""

    def modules(self, guild_id: int | None = None) -> list[tuple[str, str]]:
        """Return (key, name) for every training module a server has."""
        return list(self.ladder_for(guild_id).modules.items())

    async def record(self, actor: Actor, member_user_id: int, module_key: str) -> TrainingDone:
        """Record that a member completed a module (workers only, once per module)."""
        if module_key not in self.ladder_for(actor.guild_id).modules:
            names = ", ".join(self.ladder_for(actor.guild_id).modules.values()) or "none are set up"
            raise InvalidInput(f"Please choose a training module from: {names}.")
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            member = await find_member(s, actor.guild_id, member_user_id)
            not_own(member, actor, "You can't record your own training: ask another worker.")
            added = await insert_once(
                s,
                TrainingRecord,
                ["member_id", "module_key"],
                guild_id=actor.guild_id,
                member_id=member.id,
                module_key=module_key,
                completed_at=now,
                recorded_by=actor.user_id,
            )
            name = self.ladder_for(actor.guild_id).modules[module_key]
            if not added:
                raise Conflict(f"{member.preferred_name} already has “{name}” recorded.")
            await record_contribution(
                s,
                guild_id=actor.guild_id,
                member_id=member.id,
                kind=ContributionKind.TRAINING_COMPLETED,
                source_key=f"training:{module_key}",
                occurred_at=now,
                recorded_at=now,
                recorded_by=actor.user_id,
            )
            self.audit(s, actor, "training.record", member_id=member.id, detail=module_key)
            notice = await check_member(
                s, self.settings, self.ladder_for(member.guild_id), member, now
            )
        if notice is not None:
            self.wake()
        return TrainingDone(member.id, member.user_id, module_key, name, notice)

    # ---- mentoring ---------------------------------------------------------------------------

    def _request_view(
        self, r: MentorRequest, m: Member, channel_id: int | None = None
    ) -> MentorRequestView:
        return MentorRequestView(
            id=r.id,
            **who(m),
            level_name=self.ladder_for(m.guild_id).get(m.level_key).name,
            note=r.note,
            status=r.status,
            requested_at=r.requested_at,
            worker_log_channel_id=channel_id,
        )

    async def request_mentor(self, actor: Actor, note: str | None = None) -> MentorRequestView:
        """Ask for a mentor; one open request at a time. Workers are told (worker log)."""
        text = clean_text(
            note, field="what you'd like help with", max_length=500, required=False, multiline=True
        )
        now = self.clock.now()
        try:
            async with self.db.begin() as s:
                member = await require_member(s, actor, allow_paused=False)
                config = await guild_config(s, actor.guild_id)
                request = MentorRequest(
                    guild_id=actor.guild_id,
                    member_id=member.id,
                    open_key=member.id,
                    note=text,
                    requested_at=now,
                    status="requested",
                )
                s.add(request)
                await s.flush()
                await owe_card(self, s, MENTOR_CARD, member, request_id=request.id)
                view = self._request_view(request, member, config.worker_log_channel_id)
        except IntegrityError:
            raise Conflict(
                "You already have a mentoring request or a mentor. A worker will be in touch."
            ) from None
        self.wake()
        return view

    async def open_requests(self, actor: Actor, limit: int = 25) -> list[MentorRequestView]:
        """List mentoring requests waiting for a pairing, oldest first (workers only)."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            rows = await waiting_rows(
                s,
                MentorRequest,
                actor.guild_id,
                ("requested",),
                MentorRequest.requested_at,
                limit=limit,
            )
            # A request always has its member: erasing them deletes the request.
            return [self._request_view(r, m) for r, m in rows if m is not None]

    async def candidates(self, actor: Actor, request_id: int) -> list[MentorCandidate]:
        """List members at a higher level than the mentee (at most 25, highest first)."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            request, mentee = await self._request(s, actor.guild_id, request_id)
            above = [
                lvl.key
                for lvl in self.ladder_for(actor.guild_id).levels
                if self.ladder_for(actor.guild_id).index(lvl.key)
                > self.ladder_for(actor.guild_id).index(mentee.level_key)
            ]
            rows = await s.scalars(
                select(Member).where(
                    Member.guild_id == actor.guild_id,
                    Member.status == "approved",
                    Member.level_key.in_(above),
                )
            )
            found = [
                MentorCandidate(
                    m.id,
                    m.user_id,
                    m.preferred_name,
                    self.ladder_for(actor.guild_id).get(m.level_key).key,
                    self.ladder_for(actor.guild_id).get(m.level_key).name,
                )
                for m in rows
                if m.id != mentee.id
            ]
            found.sort(
                key=lambda c: (
                    -self.ladder_for(actor.guild_id).index(c.level_key),
                    c.preferred_name,
                )
            )
            return found[:25]

    async def _request(
        self, s: AsyncSession, guild_id: int, request_id: int
    ) -> tuple[MentorRequest, Member]:
        request = await in_guild(
            s, MentorRequest, request_id, guild_id, "That mentoring request no longer exists."
        )
        mentee = await s.get(Member, request.member_id)
        assert mentee is not None
        return request, mentee

    async def pair(self, actor: Actor, request_id: int, mentor_user_id: int) -> Pairing:
        """Pair a mentee with a member at a higher level, once; return what to tell both."""
        now = self.clock.now()
        async with self.db.begin() as s:
            await require_worker(s, actor)
            request, mentee = await self._request(s, actor.guild_id, request_id)
            mentor = await find_member(s, actor.guild_id, mentor_user_id)
            if mentor.id == mentee.id:
                raise InvalidInput("Someone can't be their own mentor.")
            if mentor.status != "approved":
                raise Conflict(
                    f"{mentor.preferred_name} is on a break, so please choose someone else."
                )
            if self.ladder_for(actor.guild_id).index(mentor.level_key) <= self.ladder_for(
                actor.guild_id
            ).index(mentee.level_key):
                raise InvalidInput(
                    f"A mentor needs to be at a higher level than {mentee.preferred_name} "
                    f"({self.ladder_for(actor.guild_id).get(mentee.level_key).name})."
                )
            await claim(
                s,
                update(MentorRequest)
                .where(MentorRequest.id == request_id, MentorRequest.status == "requested")
                .values(
                    status="paired",
                    mentor_member_id=mentor.id,
                    paired_at=now,
                    paired_by=actor.user_id,
                ),
                f"{mentee.preferred_name}'s request is already {request.status}.",
            )
            self.audit(s, actor, "mentoring.pair", member_id=mentee.id)
            # Each is told about the pairing as it stands when the message goes (ids only).
            # The mentee asked for this; the mentor did not, so only if they want DMs.
            told = [("mentee", mentee)] + ([("mentor", mentor)] if mentor.dm_opt_in else [])
            for side, person in told:
                payload = {"request_id": request_id, "side": side, "member_id": person.id}
                await owe_about(self, s, PAIRING_DM, person, payload)
            mentee_text, mentor_text = pairing_texts(
                self.ladder_for(actor.guild_id), mentee, mentor
            )
            pairing = Pairing(
                request_id=request_id,
                mentee_user_id=mentee.user_id,
                mentor_user_id=mentor.user_id,
                mentee_text=mentee_text,
                mentor_text=mentor_text,
                mentor_told=mentor.dm_opt_in,
            )
        self.wake()
        return pairing

    async def close(self, actor: Actor, request_id: int) -> None:
        """End a request or pairing (the mentee, or a worker)."""
        now = self.clock.now()
        async with self.db.begin() as s:
            request, mentee = await self._request(s, actor.guild_id, request_id)
            if mentee.user_id != actor.user_id:
                await require_worker(s, actor)
            await claim(
                s,
                update(MentorRequest)
                .where(MentorRequest.id == request_id, MentorRequest.status != "closed")
                .values(status="closed", open_key=None, closed_at=now),
                "That mentoring request is already closed.",
            )
