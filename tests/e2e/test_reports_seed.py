"""A month of a group's activity (October 2026) written straight into the database, with the
figures a report on it must show. Used by tests/e2e/test_reports*.py; holds no tests itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import (
    Consultation,
    ConsultationAnswer,
    ConsultationFeedback,
    ConsultationParticipant,
    ConsultationQuestion,
    ConsultationRespondent,
    Contribution,
    EqualityMonitoring,
    ExpenseClaim,
    GroupSession,
    LevelChange,
    Member,
    Payment,
    Poll,
    PollBallot,
    SessionAttendance,
    SessionFeedback,
    SessionRsvp,
    SupportRequest,
)

BEFORE = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def oct_(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """Return a UTC moment in October 2026."""
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


# (level, area, type, age band, how many); with one approved in October, 35 members at the end.
LAYOUT = [
    ("consultation", "North", "young_person", "14-15", 9),
    ("consultation", "South", "young_person", "16-17", 7),
    ("consultation", "East", "carer", "Parent or carer", 3),
    ("consultation", "West", "young_person", "18-21", 2),
    ("working_together", "North", "young_person", "16-17", 5),
    ("working_together", "South", "young_person", "18-21", 3),
    ("doing_together", "North", "young_person", "18-21", 2),
    ("doing_together", "East", "carer", "Parent or carer", 1),
    ("deciding_together", "South", "young_person", "22-25", 1),
    ("leading", "North", "young_person", "22-25", 1),
]
# Gender answers for the first members of each level, to make a table with small cells.
GENDER = {
    "consultation": [("Woman or girl", 10), ("Man or boy", 7), ("Non-binary", 2)],
    "working_together": [("Woman or girl", 5), ("Man or boy", 3)],
}
EXPECTED: dict[str, Any] = {
    "members": 35,
    "young_people": 31,
    "carers": 4,
    "signups": 3,
    "left": 1,
    "on_break": 1,
    "active": 12,
    "contributions": 12 + 6 + 2,
    "hours": 6 * 2 + 2 * 3.5,
    "sessions_held": 2,
    "going": 7,
    "attended": 6,
    "quorum_met": 1,
    "polls": 2,
    "poll_ballots": 17,
    "poll_audience": 50,
    "consultation_responses": 8,
    "support": 4,
    "out_of_hours": 2,
    "median_first_response_hours": 2.5,
    "claims": 3,
    "median_days_to_pay": 7,
    "moves_up": 2,
    "moves_down": 1,
}


def _member(guild_id: int, n: int, level: str, area: str, kind: str, band: str) -> Member:
    return Member(
        guild_id=guild_id,
        user_id=5_000_000_000 + n,
        preferred_name=f"Member {n}",
        age_band=band,
        member_type=kind,
        locality=area,
        dm_opt_in=False,
        adjustments=["no_early_starts", "captions"] if n % 5 == 0 else [],
        consent_at=BEFORE,
        status="approved",
        level_key=level,
        joined_at=BEFORE - timedelta(days=3),
        decided_at=BEFORE,
    )


async def seed(db: async_sessionmaker[AsyncSession], guild_id: int) -> dict[str, Any]:
    """Write October 2026's activity (and a little either side); return ids the tests need."""
    async with db.begin() as s:
        members: list[Member] = []
        for level, area, kind, band, count in LAYOUT:
            for _ in range(count):
                members.append(_member(guild_id, len(members), level, area, kind, band))
        paused = members[-1]
        paused.status, paused.paused_at = "paused", oct_(10)
        leaver = _member(guild_id, 900, "consultation", "West", "young_person", "16-17")
        leaver.status, leaver.left_at = "left", oct_(20)
        new = _member(guild_id, 901, "consultation", "East", "young_person", "11-13")
        new.joined_at, new.decided_at = oct_(5), oct_(6)
        declined = _member(guild_id, 902, "consultation", "North", "young_person", "14-15")
        declined.joined_at, declined.decided_at = oct_(7), oct_(8)
        declined.status, declined.level_key = "declined", None
        waiting = _member(guild_id, 903, "consultation", "North", "young_person", "14-15")
        waiting.joined_at, waiting.decided_at, waiting.status = oct_(30), None, "pending"
        waiting.level_key = None
        november = _member(guild_id, 904, "consultation", "South", "young_person", "16-17")
        november.joined_at, november.decided_at = datetime(2026, 11, 2, tzinfo=UTC), None
        november.status = "pending"
        s.add_all([*members, leaver, new, declined, waiting, november])
        await s.flush()
        members.append(new)  # 35 in the group at the end of October
        by_level: dict[str, list[Member]] = {}
        for m in members:
            by_level.setdefault(m.level_key or "", []).append(m)
        for level, answers in GENDER.items():
            people = iter(by_level[level])
            for answer, count in answers:
                for _ in range(count):
                    s.add(
                        EqualityMonitoring(
                            member_id=next(people).id,
                            answers={"gender": answer},
                            answered_at=BEFORE,
                        )
                    )

        def contribution(
            m: Member, kind: str, key: str, at: datetime, hours: float | None = None
        ) -> None:
            s.add(
                Contribution(
                    guild_id=guild_id,
                    member_id=m.id,
                    kind=kind,
                    source_key=key,
                    hours=Decimal(str(hours)) if hours is not None else None,
                    occurred_at=at,
                    recorded_at=at,
                )
            )

        # 12 poll votes by 12 different members; 6 sessions attended (2h) by 6 of them; two
        # pieces of project work (3.5h); and contributions outside October that must not count.
        for k, m in enumerate(members[:12]):
            contribution(m, "poll_vote", "poll:1", oct_(3 + k))
        for m in members[:6]:
            contribution(m, "session_attended", "session:1", oct_(7, 17), 2)
        contribution(members[0], "project_work", "project:a", oct_(12), 3.5)
        contribution(members[1], "project_work", "project:a", oct_(13), 3.5)
        contribution(members[20], "poll_vote", "poll:0", datetime(2026, 9, 30, 22, tzinfo=UTC))
        contribution(members[21], "poll_vote", "poll:9", datetime(2026, 11, 1, 0, 30, tzinfo=UTC))

        def session(day: int, hour: int, status: str = "scheduled", **kw: Any) -> GroupSession:
            start = oct_(day, hour)
            row = GroupSession(
                guild_id=guild_id,
                title=f"Session {day}",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                duration_minutes=120,
                audience_kind="everyone",
                status=status,
                created_at=BEFORE,
                updated_at=BEFORE,
                **kw,
            )
            s.add(row)
            return row

        good = session(
            7, 17, papers_url="https://example.org/papers", attendance_marked_at=oct_(7, 20)
        )
        early = session(21, 8, attendance_marked_at=oct_(21, 11))  # 9am UK time: an early start
        session(28, 17, status="cancelled")
        await s.flush()
        for m in members[:4]:
            s.add(SessionRsvp(session_id=good.id, member_id=m.id, reply="going", replied_at=BEFORE))
        for m in members[:3]:
            s.add(SessionAttendance(session_id=good.id, member_id=m.id, marked_at=oct_(7, 20)))
        for m in members[4:6]:
            s.add(SessionAttendance(session_id=good.id, member_id=m.id, marked_at=oct_(7, 20)))
        for m in members[5:8]:
            s.add(
                SessionRsvp(session_id=early.id, member_id=m.id, reply="going", replied_at=BEFORE)
            )
        s.add(
            SessionAttendance(session_id=early.id, member_id=members[5].id, marked_at=oct_(21, 11))
        )
        for m, rating, listened in zip(
            members[:3], [5, 4, 3], ["yes", "yes", "partly"], strict=True
        ):
            s.add(
                SessionFeedback(
                    session_id=good.id,
                    member_id=m.id,
                    rating=rating,
                    listened=listened,
                    given_at=oct_(8),
                )
            )

        for closed, audience, ballots in [
            (oct_(9), 30, 12),
            (oct_(19), 20, 5),
            (datetime(2026, 11, 3, tzinfo=UTC), 30, 9),
        ]:
            poll = Poll(
                guild_id=guild_id,
                question="Which evening?",
                options=["Mon", "Tue"],
                audience_kind="everyone",
                channel_id=1,
                created_at=closed - timedelta(days=3),
                closes_at=closed,
                closed_at=closed,
                audience_size=audience,
            )
            s.add(poll)
            await s.flush()
            for k in range(ballots):
                s.add(PollBallot(poll_id=poll.id, voter_key=f"{poll.id}-{k}", choices=1))

        def consultation(title: str, closed: datetime, review: datetime, **kw: Any) -> Consultation:
            row = Consultation(
                guild_id=guild_id,
                title=title,
                purpose="Why we ask",
                outcomes=f"Outcomes for {title}",
                can_change="Times",
                cannot_change="Budget",
                deadline=closed,
                review_date=review,
                audience_kind="everyone",
                anonymous=True,
                status="closed",
                created_at=BEFORE,
                opened_at=BEFORE,
                closed_at=closed,
                audience_size_at_close=30,
                **kw,
            )
            s.add(row)
            return row

        heard = consultation("Waiting room design", oct_(10), oct_(24))
        late = consultation("Evening sessions", oct_(15), oct_(25))
        leaving = consultation(
            "How did it feel to take part?",
            oct_(30),
            datetime(2026, 11, 13, tzinfo=UTC),
            template="end_of_involvement",
        )
        await s.flush()
        for m in members[:8]:
            s.add(ConsultationParticipant(consultation_id=heard.id, member_id=m.id))
        s.add(
            ConsultationFeedback(
                consultation_id=heard.id,
                said="Make it calmer",
                did="New chairs and softer lights",
                could_not="Move the building: the lease runs to 2030",
                published_at=oct_(20),
                days_to_feedback=10,
            )
        )
        scale = ConsultationQuestion(
            consultation_id=leaving.id, position=1, kind="scale", text="How did it feel?"
        )
        heard_q = ConsultationQuestion(
            consultation_id=leaving.id,
            position=2,
            kind="single",
            text="Did you feel listened to?",
            options=["Yes, always", "Mostly", "Sometimes", "Not really"],
        )
        s.add_all([scale, heard_q])
        await s.flush()
        for k, (score, choice) in enumerate(
            zip([4, 5, 3, 4, 5, 2], [0, 0, 1, 1, 2, 0], strict=True)
        ):
            respondent = ConsultationRespondent(id=f"r{k:031d}", consultation_id=leaving.id)
            s.add(respondent)
            await s.flush()
            s.add(
                ConsultationAnswer(respondent_id=respondent.id, question_id=scale.id, scale=score)
            )
            s.add(
                ConsultationAnswer(
                    respondent_id=respondent.id, question_id=heard_q.id, choices=[choice]
                )
            )

        # Support: Tue 13 Oct 2pm and Thu 15 Oct 10am UK (in hours); Sat 17 Oct and Wed 9pm (out).
        for created, first, done, outcome in [
            (oct_(13, 13), 1, 24, "supported"),
            (oct_(15, 9), 3, 48, "signposted"),
            (oct_(17, 11), 2, None, None),
            (oct_(14, 20), 6, 2, "withdrawn"),
        ]:
            s.add(
                SupportRequest(
                    guild_id=guild_id,
                    kind="request",
                    urgency="week",
                    status="resolved" if done else "claimed",
                    created_at=created,
                    claimed_at=created + timedelta(hours=first),
                    resolved_at=created + timedelta(hours=done) if done else None,
                    outcome=outcome,
                )
            )
        for claimed, status, days in [
            (oct_(2), "paid", 5),
            (oct_(3), "paid", 9),
            (oct_(25), "submitted", None),
        ]:
            s.add(
                ExpenseClaim(
                    guild_id=guild_id,
                    member_id=members[0].id,
                    category="travel",
                    amount_pence=1250,
                    status=status,
                    claimed_at=claimed,
                    paid_at=claimed + timedelta(days=days) if days else None,
                    days_to_pay=days,
                )
            )
        for status in ("paid", "due"):
            s.add(
                Payment(
                    guild_id=guild_id,
                    member_id=members[30].id,
                    level_key="leading",
                    kind="project_work",
                    hours=Decimal(2),
                    rate_pence=1500,
                    amount_pence=3000,
                    reward="money",
                    status=status,
                    created_at=oct_(12),
                )
            )
        for m, frm, to, direction in [
            (members[21], "consultation", "working_together", "up"),
            (members[22], "consultation", "working_together", "up"),
            (members[29], "deciding_together", "doing_together", "down"),
        ]:
            s.add(
                LevelChange(
                    guild_id=guild_id,
                    member_id=m.id,
                    from_level=frm,
                    to_level=to,
                    direction=direction,
                    at=oct_(16),
                )
            )
    return {"heard": heard.id, "late": late.id}
