"""What consultations owe Discord, written in the deciding transaction (see bot/services/outbox.py).

Each kind is one message: the cog registers a sender for it. Payloads hold ids and the few
words a message needs; the feedback texts are read when it is sent, so a DM to fifty people
does not copy them fifty times.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Consultation
from bot.services.base import Service

# A consultation opened: announced with its "Take part" button.
OPENED = "consultations.opened"
# Workers are told a consultation closed (in #worker-log) ...
CLOSED_WORKERS = "consultations.closed_workers"
# ... and everyone is thanked for taking part (in announcements).
CLOSED_THANKS = "consultations.closed_thanks"
# "You said, we did" in announcements, and in a DM to each respondent who opted in.
FEEDBACK_POST = "consultations.feedback_post"
FEEDBACK_DM = "consultations.feedback_dm"
# The review date passed with no feedback: workers are reminded once.
FEEDBACK_OVERDUE = "consultations.feedback_overdue"
# A worker's decision on a member's suggested question, thanked by DM if they opted in.
SUGGESTION_DM = "consultations.suggestion_dm"
KINDS = (
    OPENED,
    CLOSED_WORKERS,
    CLOSED_THANKS,
    FEEDBACK_POST,
    FEEDBACK_DM,
    FEEDBACK_OVERDUE,
    SUGGESTION_DM,
)


async def owe_opened(
    service: Service, s: AsyncSession, row: Consultation, announcements_channel_id: int | None
) -> None:
    """Owe the announcement of a consultation that just opened (read afresh when it is sent)."""
    await service.owe(
        s,
        guild_id=row.guild_id,
        kind=OPENED,
        payload={"consultation_id": row.id, "channel_id": announcements_channel_id},
        dedup_key=f"{OPENED}:{row.id}",
    )


async def owe_closed(
    service: Service,
    s: AsyncSession,
    row: Consultation,
    *,
    early: bool,
    respondents: int,
    audience_size: int,
    worker_log_channel_id: int | None,
    announcements_channel_id: int | None,
) -> None:
    """Owe the workers' note and the public thank-you for a consultation that just closed."""
    about = {
        "consultation_id": row.id,
        "title": row.title,
        "early": early,
        "respondents": respondents,
        "audience_size": audience_size,
        "review_date": row.review_date.isoformat(),
    }
    for kind, channel_id in (
        (CLOSED_WORKERS, worker_log_channel_id),
        (CLOSED_THANKS, announcements_channel_id),
    ):
        await service.owe(
            s,
            guild_id=row.guild_id,
            kind=kind,
            payload=about | {"channel_id": channel_id},
            dedup_key=f"{kind}:{row.id}",
        )


async def owe_feedback(
    service: Service,
    s: AsyncSession,
    row: Consultation,
    announcements_channel_id: int | None,
    recipients: list[tuple[int, int]],
) -> None:
    """Owe the feedback post, and a DM to each (member id, user id) who took part and opted in."""
    await service.owe(
        s,
        guild_id=row.guild_id,
        kind=FEEDBACK_POST,
        payload={"consultation_id": row.id, "channel_id": announcements_channel_id},
        dedup_key=f"{FEEDBACK_POST}:{row.id}",
    )
    for member_id, user_id in recipients:
        await service.owe(
            s,
            guild_id=row.guild_id,
            kind=FEEDBACK_DM,
            payload={"consultation_id": row.id, "user_id": user_id},
            dedup_key=f"{FEEDBACK_DM}:{row.id}:{member_id}",
            subject_member_id=member_id,
        )


async def owe_overdue(
    service: Service,
    s: AsyncSession,
    row: Consultation,
    respondents: int,
    worker_log_channel_id: int | None,
) -> None:
    """Owe the one reminder to workers that a review date passed with no feedback."""
    await service.owe(
        s,
        guild_id=row.guild_id,
        kind=FEEDBACK_OVERDUE,
        payload={
            "consultation_id": row.id,
            "title": row.title,
            "respondents": respondents,
            "channel_id": worker_log_channel_id,
        },
        dedup_key=f"{FEEDBACK_OVERDUE}:{row.id}",
    )
