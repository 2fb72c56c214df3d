"""What support owes Discord: queue cards, re-raises, notes to the member, crisis notes.

Each is written to the outbox in the transaction that decides it, so a Discord failure or a
restart between the decision and the post delays it but never loses it: a safeguarding card
that cannot reach #support-queue goes to another staff channel instead. Payloads hold ids and
the bot's own words, never anything a member wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import reading
from bot.db.models import GuildConfig, OutboxItem, SupportRequest
from bot.db.upsert import insert_for
from bot.services.base import ERASED, Service
from bot.services.errors import NotFound
from bot.services.outbox import DONE, FAILED, PENDING, owe
from bot.services.support.records import RequestView, view_of

CARD = "support.card"
RERAISE = "support.reraise"
TELL = "support.tell"
CRISIS_NOTE = "support.crisis_note"
ESCALATION = "support.escalation"
CLOSE_SPACE = "support.close_space"
REMOVE_SPACE = "support.remove_space"
LIMIT_WARNING = "support.limit_warning"
# A request asked for by DM in a process without the server's gateway cache: the process
# owning the server opens the private space.
OPEN_SPACE = "support.open_space"
# Not delivered by the outbox: a record of where the bot posted a member's own words (they are
# never stored), so erasure can find and redact that post.
WORDS = "support.words"
# A resolved space stays open to the member this long, so they can read the last messages.
CLOSE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class StaffPlaces:
    """Where support posts for staff go, and who may be pinged there."""

    queue_channel_id: int | None
    worker_log_channel_id: int | None
    peer_support_channel_id: int | None
    moderator_role_id: int | None
    safeguarding_role_id: int | None
    worker_role_id: int | None

    @property
    def staff_role_ids(self) -> list[int]:
        """Return the staff roles set up in the server (moderators first)."""
        roles = (self.moderator_role_id, self.safeguarding_role_id, self.worker_role_id)
        return [r for r in roles if r is not None]


def places_of(config: GuildConfig | None) -> StaffPlaces:
    """Return a server's staff places (all None when it is not set up)."""
    if config is None:
        return StaffPlaces(None, None, None, None, None, None)
    return StaffPlaces(
        config.support_queue_channel_id,
        config.worker_log_channel_id,
        config.peer_support_channel_id,
        config.moderator_role_id,
        config.safeguarding_role_id,
        config.worker_role_id,
    )


def _about(
    row: SupportRequest,
    now: datetime,
    kind: str,
    *step: str,
    member: bool = True,
    due_at: datetime | None = None,
    **payload: Any,
) -> dict[str, Any]:
    """Return what `owe` takes for an effect about a request, once per kind (and step)."""
    return {
        "guild_id": row.guild_id,
        "kind": kind,
        "payload": {"request_id": row.id, **payload},
        "now": now,
        "due_at": due_at,
        "dedup_key": ":".join((kind, str(row.id), *step)),
        "subject_member_id": row.member_id if member else None,
    }


async def _owe_about(
    s: AsyncSession, row: SupportRequest, now: datetime, kind: str, *step: str, **named: Any
) -> None:
    """Owe an effect about a request, once per kind (and step): "kind:request id[:step]"."""
    await owe(s, **_about(row, now, kind, *step, **named))


async def owe_card(s: AsyncSession, row: SupportRequest, now: datetime, *, ping: bool) -> None:
    """Owe the queue card of a new request (pinging the moderators when it is urgent)."""
    await _owe_about(s, row, now, CARD, ping=ping)


async def owe_space(s: AsyncSession, row: SupportRequest, now: datetime) -> None:
    """Owe the private space of a request the server's own process must open."""
    await _owe_about(s, row, now, OPEN_SPACE)


async def owe_crisis_note(s: AsyncSession, row: SupportRequest, now: datetime, text: str) -> None:
    """Owe the author of a flagged message the crisis contacts, privately."""
    await _owe_about(s, row, now, CRISIS_NOTE, text=text, channel_id=row.message_channel_id)


async def owe_tell(
    s: AsyncSession, row: SupportRequest, now: datetime, text: str, step: str
) -> None:
    """Owe the member a note about their request, in their private space or else by DM."""
    await _owe_about(s, row, now, TELL, step, text=text)


async def owe_tells(
    s: AsyncSession, told: list[tuple[SupportRequest, str]], now: datetime, step: str
) -> None:
    """Owe many members their notes at once: one statement for a burst of claims."""
    if not told:
        return
    rows = []
    for row, text in told:
        about = _about(row, now, TELL, step, text=text)
        del about["now"]
        rows.append({**about, "due_at": now, "status": PENDING, "attempts": 0, "created_at": now})
    # One statement, many parameter sets: compiled once however many claims there are.
    table: Any = OutboxItem.__table__
    await s.execute(insert_for(s, table).on_conflict_do_nothing(index_elements=["dedup_key"]), rows)


async def owe_space_closing(
    s: AsyncSession, row: SupportRequest, now: datetime, retention: timedelta
) -> None:
    """Owe closing a resolved request's space to the member now, and removing it later."""
    if row.private_channel_id is None:
        return
    for kind, after in ((CLOSE_SPACE, CLOSE_AFTER), (REMOVE_SPACE, retention)):
        await _owe_about(
            s, row, now, kind, member=False, due_at=now + after, channel_id=row.private_channel_id
        )


async def cancel_owed_to(s: AsyncSession, guild_id: int, request_ids: list[int], now: Any) -> None:
    """Stop notes to an erased person that have not gone out yet (in this server only)."""
    if not request_ids:
        return
    theirs = [OutboxItem.dedup_key == f"{CRISIS_NOTE}:{rid}" for rid in request_ids]
    theirs += [OutboxItem.dedup_key.like(f"{TELL}:{rid}:%") for rid in request_ids]
    await s.execute(
        update(OutboxItem)
        .where(OutboxItem.guild_id == guild_id, OutboxItem.status == PENDING, or_(*theirs))
        .values(status=FAILED, last_error=ERASED, lease_until=None, done_at=now)
        .execution_options(synchronize_session=False)
    )


async def words_posts(
    s: AsyncSession, guild_id: int, request_ids: list[int]
) -> list[tuple[int, int]]:
    """Return where the bot posted the words of these requests' authors (for erasure)."""
    if not request_ids:
        return []
    rows = await s.execute(
        select(OutboxItem.channel_id, OutboxItem.message_id).where(
            OutboxItem.guild_id == guild_id,
            OutboxItem.kind == WORDS,
            or_(*[OutboxItem.dedup_key.like(f"{WORDS}:{rid}:%") for rid in request_ids]),
            OutboxItem.message_id.is_not(None),
        )
    )
    return [(int(c), int(m)) for c, m in rows if c]


class SupportOwed(Service):
    """What the support senders read and record while delivering."""

    async def card(self, guild_id: int, request_id: int) -> tuple[RequestView, StaffPlaces]:
        """Return a request as its card shows it, and where staff posts go."""
        async with reading(self.db) as s:
            row = await s.get(SupportRequest, request_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound("That support request no longer exists.")
            return view_of(row), places_of(await s.get(GuildConfig, guild_id))

    async def places(self, guild_id: int) -> StaffPlaces:
        """Return where staff posts go in a server."""
        async with reading(self.db) as s:
            return places_of(await s.get(GuildConfig, guild_id))

    async def record_words(
        self, guild_id: int, request_id: int, member_id: int | None, where: tuple[int, int]
    ) -> None:
        """Remember where the bot posted a member's words (never the words themselves)."""
        now = self.clock.now()
        async with self.db.begin() as s:
            s.add(
                OutboxItem(
                    guild_id=guild_id,
                    kind=WORDS,
                    payload={"request_id": request_id},
                    dedup_key=f"{WORDS}:{request_id}:{where[1]}",
                    subject_member_id=member_id,
                    status=DONE,
                    due_at=now,
                    attempts=0,
                    created_at=now,
                    done_at=now,
                    channel_id=where[0],
                    message_id=where[1],
                )
            )

    async def space_removed(self, guild_id: int, request_id: int) -> None:
        """Forget a private space that was removed after its retention."""
        async with self.db.begin() as s:
            await s.execute(
                update(SupportRequest)
                .where(SupportRequest.guild_id == guild_id, SupportRequest.id == request_id)
                .values(private_channel_id=None)
            )
