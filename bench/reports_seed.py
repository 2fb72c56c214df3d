"""Seed a year of a big group's activity for bench/bench_reports.py, with bulk inserts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contribution_kinds import ContributionKind
from bot.db.models import (
    Consultation,
    ConsultationFeedback,
    ConsultationParticipant,
    Contribution,
    EqualityMonitoring,
    ExpenseClaim,
    GroupSession,
    GuildConfig,
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
from bot.services.membership import EQUALITY_QUESTIONS, PREFER_NOT
from bot.settings import load_settings

GUILD = 1
WORKER_ROLE = 2
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
YEAR_AGO = NOW - timedelta(days=365)
CHUNK = 20_000


def _at(rng: random.Random) -> datetime:
    return YEAR_AGO + timedelta(seconds=rng.randint(0, 365 * 86400 - 1))


async def _bulk(s: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    for k in range(0, len(rows), CHUNK):
        await s.execute(insert(model), rows[k : k + CHUNK])


async def seed_group(
    db: async_sessionmaker[AsyncSession], members: int, rng: random.Random
) -> list[int]:
    """Members, equality answers, sessions, polls, consultations, support, claims, payments."""
    settings = load_settings(database_url="sqlite+aiosqlite:///unused.db")
    levels = [lv.key for lv in settings.ladder.levels]
    areas = settings.group.localities
    bands = settings.group.age_bands
    async with db.begin() as s:
        await s.execute(insert(GuildConfig).values(guild_id=GUILD, worker_role_id=WORKER_ROLE))
        rows = []
        for i in range(members):
            band = rng.choice(bands)
            joined = NOW - timedelta(days=rng.randint(1, 900))
            left = rng.random() < 0.05
            rows.append(
                {
                    "guild_id": GUILD,
                    "user_id": 10_000 + i,
                    "preferred_name": f"Member {i}",
                    "age_band": band,
                    "member_type": "carer" if band == "Parent or carer" else "young_person",
                    "locality": rng.choice(areas),
                    "dm_opt_in": True,
                    "adjustments": rng.choice(
                        [[], [], [], ["no_early_starts"], ["papers_early", "captions"]]
                    ),
                    "consent_at": joined,
                    "status": "left" if left else rng.choice(["approved"] * 19 + ["paused"]),
                    "level_key": rng.choices(levels, weights=[60, 20, 12, 5, 3])[0],
                    "joined_at": joined,
                    "decided_at": joined + timedelta(days=2),
                    "left_at": NOW - timedelta(days=rng.randint(1, 300)) if left else None,
                    "paused_at": joined + timedelta(days=30),
                }
            )
        await _bulk(s, Member, rows)
        ids = list((await s.scalars(text("SELECT id FROM members ORDER BY id"))).all())
        await _bulk(
            s,
            EqualityMonitoring,
            [
                {
                    "member_id": m,
                    "answered_at": YEAR_AGO,
                    "answers": {
                        q: rng.choice([*opts, PREFER_NOT]) for q, opts in EQUALITY_QUESTIONS.items()
                    },
                }
                for m in ids
                if rng.random() < 0.6
            ],
        )
        # Weekly sessions, three a week; 20 going and about 15 there at each.
        sessions = []
        for week in range(52):
            for slot in range(3):
                start = YEAR_AGO + timedelta(
                    days=7 * week + 2 * slot, hours=rng.choice([9, 17, 18])
                )
                sessions.append(
                    {
                        "guild_id": GUILD,
                        "title": f"Session {week}-{slot}",
                        "starts_at": start,
                        "ends_at": start + timedelta(hours=2),
                        "duration_minutes": 120,
                        "audience_kind": "everyone",
                        "status": "scheduled",
                        "created_at": start - timedelta(days=10),
                        "updated_at": start,
                        "papers_url": "https://example.org/p" if slot else None,
                        "attendance_marked_at": start + timedelta(hours=3),
                        "sequence": 0,
                    }
                )
        await _bulk(s, GroupSession, sessions)
        session_ids = list((await s.scalars(text("SELECT id FROM group_sessions"))).all())
        rsvps, attendance, feedback = [], [], []
        for sid in session_ids:
            people = rng.sample(ids, min(24, len(ids)))
            for m in people[:20]:
                rsvps.append(
                    {
                        "session_id": sid,
                        "member_id": m,
                        "reply": "going",
                        "waitlisted": False,
                        "replied_at": YEAR_AGO,
                    }
                )
            for m in people[4:19]:
                attendance.append(
                    {"session_id": sid, "member_id": m, "cofacilitated": False, "marked_at": NOW}
                )
            for m in people[4:12]:
                feedback.append(
                    {
                        "session_id": sid,
                        "member_id": m,
                        "rating": rng.randint(2, 5),
                        "listened": rng.choice(["yes", "yes", "partly", "no"]),
                        "given_at": NOW,
                    }
                )
        await _bulk(s, SessionRsvp, rsvps)
        await _bulk(s, SessionAttendance, attendance)
        await _bulk(s, SessionFeedback, feedback)
        polls = [
            {
                "guild_id": GUILD,
                "question": f"Poll {k}",
                "options": ["A", "B", "C"],
                "multiple": False,
                "anonymous": True,
                "results_hidden": True,
                "audience_kind": "everyone",
                "channel_id": 1,
                "created_at": (at := _at(rng)) - timedelta(days=3),
                "closes_at": at,
                "closed_at": at,
                "audience_size": members,
            }
            for k in range(100)
        ]
        await _bulk(s, Poll, polls)
        poll_ids = list((await s.scalars(text("SELECT id FROM polls"))).all())
        await _bulk(
            s,
            PollBallot,
            [
                {"poll_id": p, "voter_key": f"{p}-{k}", "choices": 1 << rng.randint(0, 2)}
                for p in poll_ids
                for k in range(rng.randint(300, 2000))
            ],
        )
        consultations = [
            {
                "guild_id": GUILD,
                "title": f"Consultation {k}",
                "purpose": "Why",
                "outcomes": "What we hope for",
                "can_change": "a",
                "cannot_change": "b",
                "deadline": (at := _at(rng)),
                "review_date": at + timedelta(days=28),
                "audience_kind": "everyone",
                "anonymous": True,
                "status": "closed",
                "created_at": at - timedelta(days=30),
                "opened_at": at - timedelta(days=21),
                "closed_at": at,
                "audience_size_at_close": members,
                "questions_locked": True,
            }
            for k in range(24)
        ]
        await _bulk(s, Consultation, consultations)
        c_rows = (await s.execute(text("SELECT id, closed_at FROM consultations"))).all()
        await _bulk(
            s,
            ConsultationParticipant,
            [
                {"consultation_id": c, "member_id": m}
                for c, _ in c_rows
                for m in rng.sample(ids, min(400, len(ids) // 2))
            ],
        )
        await _bulk(
            s,
            ConsultationFeedback,
            [
                {
                    "consultation_id": c,
                    "said": "You said",
                    "did": "We did",
                    "could_not": "Could not, because",
                    "published_at": NOW - timedelta(days=1),
                    "days_to_feedback": rng.randint(5, 40),
                }
                for c, _ in c_rows[:18]
            ],
        )
        support = []
        for _ in range(2000):
            at = _at(rng)
            support.append(
                {
                    "guild_id": GUILD,
                    "kind": rng.choice(["request"] * 8 + ["safeguarding", "report"]),
                    "urgency": rng.choice(["urgent", "today", "week", "whenever"]),
                    "status": "resolved",
                    "created_at": at,
                    "claimed_at": at + timedelta(minutes=rng.randint(5, 600)),
                    "resolved_at": at + timedelta(hours=rng.randint(1, 96)),
                    "outcome": "supported",
                    "raised_interval": 0,
                }
            )
        await _bulk(s, SupportRequest, support)
        claims = []
        for _ in range(3000):
            at, days = _at(rng), rng.randint(2, 40)
            paid = at + timedelta(days=days) < NOW
            claims.append(
                {
                    "guild_id": GUILD,
                    "member_id": rng.choice(ids),
                    "category": "travel",
                    "amount_pence": rng.randint(200, 5000),
                    "status": "paid" if paid else "approved",
                    "claimed_at": at,
                    "paid_at": at + timedelta(days=days) if paid else None,
                    "days_to_pay": days if paid else None,
                }
            )
        await _bulk(s, ExpenseClaim, claims)
        await _bulk(
            s,
            Payment,
            [
                {
                    "guild_id": GUILD,
                    "member_id": rng.choice(ids),
                    "level_key": "leading",
                    "kind": "project_work",
                    "hours": Decimal(2),
                    "rate_pence": 1500,
                    "amount_pence": 3000,
                    "reward": "money",
                    "status": rng.choice(["due", "paid"]),
                    "created_at": _at(rng),
                }
                for _ in range(5000)
            ],
        )
        await _bulk(
            s,
            LevelChange,
            [
                {
                    "guild_id": GUILD,
                    "member_id": rng.choice(ids),
                    "from_level": "consultation",
                    "to_level": "working_together",
                    "direction": "up",
                    "at": _at(rng),
                }
                for _ in range(500)
            ],
        )
    return ids


async def add_contributions(
    db: async_sessionmaker[AsyncSession], ids: list[int], start: int, stop: int, rng: random.Random
) -> None:
    """Add contributions numbered start..stop, spread over the year."""
    kinds = list(ContributionKind)
    weights = [50, 15, 15, 3, 3, 2, 2, 5, 3, 2]
    async with db.begin() as s:
        for k in range(start, stop, CHUNK):
            rows = []
            for n in range(k, min(k + CHUNK, stop)):
                kind = rng.choices(kinds, weights=weights)[0]
                at = _at(rng)
                rows.append(
                    {
                        "guild_id": GUILD,
                        "member_id": rng.choice(ids),
                        "kind": kind.value,
                        "source_key": f"b:{n}",
                        "hours": Decimal("1.50") if weights[kinds.index(kind)] < 10 else None,
                        "occurred_at": at,
                        "recorded_at": at,
                    }
                )
            await s.execute(insert(Contribution), rows)
