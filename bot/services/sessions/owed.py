"""What sessions owe Discord: reminders, alerts, notices, announcements, feedback and minutes.

Each is written to the outbox in the transaction that decides it (the reminder claim, the
cancel, the promotion) and delivered by the sessions cog's senders, so a Discord failure or a
restart between the decision and the post delays it but never loses or doubles it. Payloads
hold ids (and the few numbers the decision saw); a DM names its person only through
`subject_member_id`, which erasure clears, and the sender reads the session when it sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GroupSession, OutboxItem
from bot.db.upsert import insert_for
from bot.services.base import Service
from bot.services.outbox import PENDING

REMINDER = "sessions.reminder"
QUORUM = "sessions.quorum"
ENDED = "sessions.ended"
PROMOTED = "sessions.promoted"
CHANGED = "sessions.changed"
CANCELLED = "sessions.cancelled"
ANNOUNCE = "sessions.announce"
REDRAW = "sessions.redraw"
EVENT = "sessions.event"
FEEDBACK_DM = "sessions.feedback_dm"
FEEDBACK_POST = "sessions.feedback_post"
MINUTES = "sessions.minutes"
# DMs to one person (their own DM channel); everything else is a post in a server channel.
DMS = (REMINDER, PROMOTED, CHANGED, CANCELLED, FEEDBACK_DM)
# Posts in a server channel, each sent by the sender's method of the same name.
POSTS = (ANNOUNCE, REDRAW, EVENT, QUORUM, ENDED, FEEDBACK_POST, MINUTES)
CHUNK = 200  # rows per multi-row insert (well inside SQLite's limit on bound values)
# Who is still in the group: people who left (or were erased) are not told about changes.
CURRENT = ("approved", "paused")


async def owe_dm(
    service: Service,
    s: AsyncSession,
    gs: GroupSession,
    kind: str,
    member_id: int,
    payload: dict[str, Any] | None = None,
    *,
    dedup: str | None = None,
) -> None:
    """Owe one person a DM about a session (their member id is the subject, not the payload)."""
    await service.owe(
        s,
        guild_id=gs.guild_id,
        kind=kind,
        payload={"session_id": gs.id, **(payload or {})},
        dedup_key=f"{kind}:{gs.id}:{member_id}:{dedup}" if dedup is not None else None,
        subject_member_id=member_id,
    )


async def owe_reminders(
    s: AsyncSession, owed: list[tuple[GroupSession, int, dict[str, Any], str]], now: datetime
) -> None:
    """Owe many reminder DMs at once, (session, member id, payload, dedup) each, in one go.

    A catch-up after downtime claims a thousand at a time: one statement per chunk, not one
    per reminder, keeps the claim quick.
    """
    rows = [
        {
            "guild_id": gs.guild_id,
            "kind": REMINDER,
            "payload": {"session_id": gs.id, **payload},
            "dedup_key": f"{REMINDER}:{gs.id}:{member_id}:{dedup}",
            "subject_member_id": member_id,
            "status": PENDING,
            "due_at": now,
            "attempts": 0,
            "created_at": now,
        }
        for gs, member_id, payload, dedup in owed
    ]
    for start in range(0, len(rows), CHUNK):
        await s.execute(
            insert_for(s, OutboxItem)
            .values(rows[start : start + CHUNK])
            .on_conflict_do_nothing(index_elements=["dedup_key"])
        )


async def owe_post(
    service: Service, s: AsyncSession, gs: GroupSession, kind: str, **payload: Any
) -> None:
    """Owe a post (or an edit) in a server channel about a session."""
    await service.owe(s, guild_id=gs.guild_id, kind=kind, payload={"session_id": gs.id, **payload})


async def owe_redraw(service: Service, s: AsyncSession, gs: GroupSession) -> bool:
    """Owe a redraw of the session's announcement (one not yet claimed is enough).

    Return whether a new one was owed (the scheduler then needs waking).
    """
    # A redraw shows the session as it is when it goes out, so one not yet claimed covers
    # every change made before it runs: a burst of replies redraws once, not once each.
    waiting = await s.scalar(
        select(OutboxItem.id).where(
            OutboxItem.guild_id == gs.guild_id,
            OutboxItem.kind == REDRAW,
            OutboxItem.status == PENDING,
            OutboxItem.lease_until.is_(None),
            OutboxItem.payload["session_id"].as_integer() == gs.id,
        )
    )
    if waiting is None:
        await owe_post(service, s, gs, REDRAW)
    return waiting is None
