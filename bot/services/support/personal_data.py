"""Support requests in /mydata and /forgetme."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SupportRequest
from bot.services.base import Service
from bot.services.outbox import owe
from bot.services.personal_data import DiscordTraces, iso
from bot.services.support.owed import CLOSE_SPACE, cancel_owed_to, words_posts
from bot.services.support.records import ESCALATION_TARGETS, OPEN_STATUSES, WITHDRAWN, view_of


def _own_request(r: SupportRequest) -> dict[str, Any]:
    """Return one of the person's own requests as /mydata shows it: labels, times, no words."""
    view = view_of(r)
    return {
        "id": r.id,
        "kind": view.kind_label,
        "topic": view.topic_label,
        "urgency": view.urgency_label,
        "status": r.status,
        "message_link": r.message_link,
        "created_at": iso(r.created_at),
        "picked_up_at": iso(r.claimed_at),
        "escalated_to": ESCALATION_TARGETS.get(r.escalated_to or "", None),
        "escalated_at": iso(r.escalated_at),
        "resolved_at": iso(r.resolved_at),
        "outcome": view.outcome_label,
        "staff_notes_held": bool(r.escalation_reason or r.resolution_note),
    }


class SupportPersonalData(Service):
    """Export and erase a person's support records; the bare counts stay for reports."""

    section = "support_requests"

    async def export(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> Any:
        """Return the person's requests (metadata only) and any they handled as staff."""
        own = await session.scalars(
            select(SupportRequest)
            .where(
                SupportRequest.guild_id == guild_id,
                or_(SupportRequest.user_id == user_id, SupportRequest.member_id == member_id),
            )
            .order_by(SupportRequest.id)
        )
        handled = await session.scalars(
            select(SupportRequest)
            .where(
                SupportRequest.guild_id == guild_id,
                or_(
                    SupportRequest.claimed_by == user_id,
                    SupportRequest.escalated_by == user_id,
                    SupportRequest.resolved_by == user_id,
                ),
            )
            .order_by(SupportRequest.id)
        )
        return {
            "about": (
                "Support requests you made, messages of yours that were flagged for a "
                "moderator, and messages you reported. We never keep what was written. "
                "Staff notes about keeping people safe are not in this automatic file: a "
                "participation worker can give you a full copy of your records on request, "
                "after checking that nothing in it could put anyone at risk."
            ),
            "requests": [_own_request(r) for r in own],
            "handled_as_staff": [
                {
                    "id": r.id,
                    "picked_up": r.claimed_by == user_id,
                    "escalated": r.escalated_by == user_id,
                    "resolved": r.resolved_by == user_id,
                }
                for r in handled
            ],
        }

    async def discord_traces(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> DiscordTraces:
        """Return the person's queue cards and private spaces (read before erasing)."""
        rows = await session.scalars(
            select(SupportRequest).where(
                SupportRequest.guild_id == guild_id,
                or_(SupportRequest.user_id == user_id, SupportRequest.member_id == member_id),
            )
        )
        traces = DiscordTraces()
        ids = []
        for r in rows:
            ids.append(r.id)
            if r.card_channel_id and r.card_message_id and r.kind != "report":
                traces.messages.append((r.card_channel_id, r.card_message_id))
            if r.private_channel_id:
                traces.channels_to_leave.append(r.private_channel_id)
        # Their own words, passed to the queue when no private space could be opened.
        traces.messages += await words_posts(session, guild_id, ids)
        return traces

    async def erase(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> None:
        """Unlink the person from their requests and staff actions; keep the bare counts."""
        mine = (
            SupportRequest.guild_id == guild_id,
            or_(SupportRequest.user_id == user_id, SupportRequest.member_id == member_id),
        )
        now = self.clock.now()
        rows = (
            await session.execute(
                select(SupportRequest.id, SupportRequest.private_channel_id).where(*mine)
            )
        ).all()
        await cancel_owed_to(session, guild_id, [rid for rid, _space in rows], now)
        for rid, space in rows:
            if space:
                # Their private space closes to them now; staff keep it as a record.
                await owe(
                    session,
                    guild_id=guild_id,
                    kind=CLOSE_SPACE,
                    payload={"request_id": rid, "channel_id": space},
                    now=now,
                    dedup_key=f"{CLOSE_SPACE}:{rid}:erased",
                )
        # A request still open is withdrawn: nobody can help an anonymous row.
        await session.execute(
            update(SupportRequest)
            .where(*mine, SupportRequest.status.in_(OPEN_STATUSES))
            .values(status="resolved", outcome=WITHDRAWN, resolved_at=now)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(SupportRequest)
            .where(*mine)
            .values(
                user_id=None,
                member_id=None,
                dedup_key=None,
                message_link=None,
                message_channel_id=None,
                message_id=None,
                private_channel_id=None,
                escalation_reason=None,
                resolution_note=None,
                next_raise_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        for column in ("claimed_by", "escalated_by", "resolved_by"):
            await session.execute(
                update(SupportRequest)
                .where(
                    SupportRequest.guild_id == guild_id, getattr(SupportRequest, column) == user_id
                )
                .values({column: None})
                .execution_options(synchronize_session=False)
            )
