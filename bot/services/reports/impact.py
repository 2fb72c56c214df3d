"""Impact: what difference involvement made, and how it felt. Consultations beside their
"you said, we did", feedback still owed, the end-of-involvement questionnaire, session
feedback and level moves."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Consultation,
    ConsultationAnswer,
    ConsultationFeedback,
    ConsultationParticipant,
    ConsultationQuestion,
    ConsultationRespondent,
    GroupSession,
    LevelChange,
    SessionFeedback,
)
from bot.services.reports.figures import (
    ConsultationImpact,
    Impact,
    QuestionResult,
    Waiting,
)
from bot.services.reports.periods import Period
from bot.services.reports.presence import level_names
from bot.services.reports.queries import count_by, in_period
from bot.settings import Settings

# The consultations feature's built-in end-of-involvement questionnaire is marked so.
END_OF_INVOLVEMENT = "end_of_involvement"
MIN_RESPONDENTS = 5


def _not_leaving() -> object:
    return or_(Consultation.template.is_(None), Consultation.template != END_OF_INVOLVEMENT)


async def _consultations(
    s: AsyncSession, guild_id: int, period: Period, settings: Settings
) -> list[ConsultationImpact]:
    feedback = ConsultationFeedback
    rows = (
        await s.execute(
            select(Consultation, feedback)
            .outerjoin(feedback, feedback.consultation_id == Consultation.id)
            .where(
                Consultation.guild_id == guild_id,
                _not_leaving(),  # type: ignore[arg-type]
                or_(
                    in_period(Consultation.closed_at, period),
                    in_period(feedback.published_at, period),
                ),
            )
            .order_by(Consultation.closed_at, Consultation.id)
        )
    ).all()
    ids = [c.id for c, _ in rows]
    responses = await count_by(
        s,
        ConsultationParticipant.consultation_id,
        ConsultationParticipant.consultation_id.in_(ids),
    )
    return [
        ConsultationImpact(
            title=c.title,
            closed_on=c.closed_at.astimezone(settings.tz).date() if c.closed_at else None,
            outcomes=c.outcomes,
            responses=responses.get(c.id, 0),
            audience=c.audience_size_at_close,
            said=f.said if f else None,
            did=f.did if f else None,
            could_not=f.could_not if f else None,
            days_to_feedback=f.days_to_feedback if f else None,
        )
        for c, f in rows
    ]


async def _waiting(
    s: AsyncSession, guild_id: int, period: Period, settings: Settings
) -> list[Waiting]:
    rows = (
        await s.execute(
            select(Consultation.title, Consultation.closed_at, Consultation.review_date)
            .outerjoin(ConsultationFeedback)
            .where(
                Consultation.guild_id == guild_id,
                Consultation.closed_at.is_not(None),
                Consultation.closed_at < period.end,
                Consultation.review_date < period.end,
                or_(
                    ConsultationFeedback.consultation_id.is_(None),
                    ConsultationFeedback.published_at >= period.end,
                ),
            )
            .order_by(Consultation.review_date)
        )
    ).all()
    tz = settings.tz
    return [
        Waiting(
            title=title,
            closed_on=closed.astimezone(tz).date(),
            review_on=review.astimezone(tz).date(),
            days_overdue=(period.end - review).days,
        )
        for title, closed, review in rows
    ]


async def _leaving(
    s: AsyncSession, guild_id: int, period: Period
) -> tuple[int, list[QuestionResult]]:
    """Combine the answers to every end-of-involvement questionnaire running in the period."""
    ids = (
        select(Consultation.id)
        .where(
            Consultation.guild_id == guild_id,
            Consultation.template == END_OF_INVOLVEMENT,
            Consultation.opened_at < period.end,
            or_(Consultation.closed_at.is_(None), Consultation.closed_at >= period.start),
        )
        .scalar_subquery()
    )
    respondents = await s.scalar(
        select(func.count(func.distinct(ConsultationAnswer.respondent_id)))
        .join(ConsultationRespondent)
        .where(
            ConsultationRespondent.consultation_id.in_(ids), ConsultationAnswer.skipped.is_(False)
        )
    )
    if not respondents or respondents < MIN_RESPONDENTS:
        return respondents or 0, []
    questions = (
        await s.scalars(
            select(ConsultationQuestion)
            .where(ConsultationQuestion.consultation_id.in_(ids))
            .order_by(ConsultationQuestion.position)
        )
    ).all()
    answers = (
        await s.execute(
            select(
                ConsultationAnswer.question_id, ConsultationAnswer.choices, ConsultationAnswer.scale
            )
            .join(ConsultationQuestion)
            .where(
                ConsultationQuestion.consultation_id.in_(ids), ConsultationAnswer.skipped.is_(False)
            )
        )
    ).all()
    by_text: dict[str, dict[str, int]] = {}
    scales: dict[str, list[int]] = {}
    kinds = {q.id: q for q in questions}
    for q in questions:
        if q.kind == "scale":
            by_text.setdefault(q.text, {str(n): 0 for n in range(1, 6)})
        elif q.kind in {"single", "multiple"}:
            by_text.setdefault(q.text, {o: 0 for o in q.options})
    for question_id, choices, scale in answers:
        q = kinds[question_id]
        if q.kind == "scale" and scale is not None:
            by_text[q.text][str(scale)] = by_text[q.text].get(str(scale), 0) + 1
            scales.setdefault(q.text, []).append(scale)
        elif q.kind in {"single", "multiple"}:
            for index in choices or []:
                if 0 <= index < len(q.options):
                    by_text[q.text][q.options[index]] += 1
    return respondents, [
        QuestionResult(
            text=text,
            answers=len(scales[text]) if text in scales else sum(counts.values()),
            counts=list(counts.items()),
            average=sum(scales[text]) / len(scales[text]) if scales.get(text) else None,
        )
        for text, counts in by_text.items()
    ]


async def impact(s: AsyncSession, settings: Settings, guild_id: int, period: Period) -> Impact:
    """Compute the Impact figures for a period."""
    held = (
        GroupSession.guild_id == guild_id,
        in_period(GroupSession.starts_at, period),
    )
    count, average = (
        await s.execute(
            select(func.count(), func.avg(SessionFeedback.rating)).join(GroupSession).where(*held)
        )
    ).one()
    listened = await count_by(s, SessionFeedback.listened, *held, join=GroupSession)
    names = level_names(settings)
    moves = (
        await s.execute(
            select(
                LevelChange.from_level, LevelChange.to_level, LevelChange.direction, func.count()
            )
            .where(
                LevelChange.guild_id == guild_id,
                in_period(LevelChange.at, period),
            )
            .group_by(LevelChange.from_level, LevelChange.to_level, LevelChange.direction)
        )
    ).all()
    respondents, leaving = await _leaving(s, guild_id, period)
    return Impact(
        consultations=await _consultations(s, guild_id, period, settings),
        waiting=await _waiting(s, guild_id, period, settings),
        leaving_respondents=respondents,
        leaving_results=leaving,
        session_feedback=count or 0,
        average_rating=float(average) if average is not None else None,
        listened={k: listened.get(k, 0) for k in ("yes", "partly", "no")},
        level_moves=[
            (names.get(f or "", f or "Joined"), names.get(t, t), d, n) for f, t, d, n in moves
        ],
    )
