"""What consultations owe Discord, written in the deciding transaction (see bot/services/outbox.py).

Each kind is one message: the cog registers a sender for it. Payloads hold ids and the few
words a message needs; the feedback texts are read when it is sent, so a DM to fifty people
does not copy them fifty times.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Consultation
from bot.services.base import Service

if TYPE_CHECKING:
    from bot.services.consultations.closing import ConsultationClosed

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


async def _owe(
    service: Service,
    s: AsyncSession,
    row: Consultation,
    kind: str,
    member_id: int | None = None,
    **payload: object,
) -> None:
    """Owe one message about a consultation, once ("kind:id", a DM once per member)."""
    await service.owe_once(
        s,
        kind,
        row.id,
        guild_id=row.guild_id,
        payload={"consultation_id": row.id, **payload},
        member_id=member_id,
    )


async def owe_opened(
    service: Service, s: AsyncSession, row: Consultation, announcements_channel_id: int | None
) -> None:
    """Owe the announcement of a consultation that just opened (read afresh when it is sent)."""
    await _owe(service, s, row, OPENED, channel_id=announcements_channel_id)


async def owe_closed(
    service: Service, s: AsyncSession, row: Consultation, closed: ConsultationClosed
) -> None:
    """Owe the workers' note and the public thank-you for a consultation that just closed."""
    about: dict[str, Any] = {
        "title": row.title,
        "early": closed.early,
        "respondents": closed.respondents,
        "audience_size": closed.audience_size,
        "review_date": row.review_date.isoformat(),
    }
    for kind, channel_id in (
        (CLOSED_WORKERS, closed.worker_log_channel_id),
        (CLOSED_THANKS, closed.announcements_channel_id),
    ):
        await _owe(service, s, row, kind, **about, channel_id=channel_id)


async def owe_feedback(
    service: Service,
    s: AsyncSession,
    row: Consultation,
    announcements_channel_id: int | None,
    recipients: list[tuple[int, int]],
) -> None:
    """Owe the feedback post, and a DM to each (member id, user id) who took part and opted in."""
    await _owe(service, s, row, FEEDBACK_POST, channel_id=announcements_channel_id)
    for member_id, user_id in recipients:
        await _owe(service, s, row, FEEDBACK_DM, member_id, user_id=user_id)


async def owe_overdue(
    service: Service,
    s: AsyncSession,
    row: Consultation,
    respondents: int,
    worker_log_channel_id: int | None,
) -> None:
    """Owe the one reminder to workers that a review date passed with no feedback."""
    await _owe(
        service,
        s,
        row,
        FEEDBACK_OVERDUE,
        title=row.title,
        respondents=respondents,
        channel_id=worker_log_channel_id,
    )
