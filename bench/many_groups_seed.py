"""The many-groups benchmark's seeded world: 1,000 servers in the stand-in and in PostgreSQL.

Servers, users and members are created directly (members are bulk-inserted with SQLAlchemy
Core, not joined through Discord): the benchmark measures running many groups, not joining.
Each server has a #sessions channel holding one session announcement with RSVP buttons (a
message posted as the bot would, its ids stored on the session so the bot redraws it), and a
second session an hour after the busiest minute whose first `reminded` members are going and
owed a "1h" reminder DM at that minute.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, insert, select, text, update

from bot.db.engine import create_engine
from bot.db.models import (
    GroupSession,
    GuildConfig,
    Member,
    OutboxItem,
    SessionReminder,
    SessionRsvp,
)
from bot.sandbox.fakediscord import FakeDiscord
from bot.sandbox.fakediscord.messaging import build_message, post_message
from bot.sandbox.seeding import approved_member_row

SEQUENCE = "SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"
FAR = timedelta(days=20)


@dataclass
class Group:
    """One server: its id, #sessions channel, announcement, members and session ids."""

    guild: int
    channel: int
    announcement: int
    users: list[int]
    rsvp_session: int
    reminder_session: int


def build_world(fake: FakeDiscord, servers: int, members: int) -> list[Group]:
    """Create the servers, their #sessions channels and member users in the stand-in."""
    groups: list[Group] = []
    for n in range(servers):
        owner = fake.create_user(f"owner{n}", f"Owner {n}")
        guild = fake.create_guild(f"Group {n}", owner_id=owner)
        channel = fake.create_channel(guild, "sessions")
        users = [fake.create_user(f"g{n}m{i}", f"Member {i}") for i in range(members)]
        for user in users:
            fake.add_member(guild, user)
        rsvp_session, reminder_session = 2 * n + 1, 2 * n + 2
        body = {
            "content": "Monthly group",
            "components": [
                {
                    "type": 1,
                    "components": [
                        {"type": 2, "style": 1, "label": label.title(), "custom_id": cid}
                        for label in ("going", "maybe", "cant")
                        for cid in [f"session:rsvp:{rsvp_session}:{label}"]
                    ],
                }
            ],
        }
        message = build_message(fake.state, channel, fake.bot_user_id, body, [])
        post_message(fake.state, message)
        groups.append(
            Group(guild, channel, int(message["id"]), users, rsvp_session, reminder_session)
        )
    return groups


def _session(gid: int, guild: int, starts: datetime, now: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "id": gid,
        "guild_id": guild,
        "title": "Monthly group",
        "starts_at": starts,
        "ends_at": starts + timedelta(minutes=90),
        "duration_minutes": 90,
        "online_link": "https://zoom.us/j/123456789",
        "audience_kind": "everyone",
        "status": "scheduled",
        "sequence": 0,
        "created_at": now,
        "updated_at": now,
        **extra,
    }


async def seed(url: str, groups: list[Group], reminded: int) -> int:
    """Bulk-insert members, both sessions of every server, replies and reminders."""
    now = datetime.now(UTC)
    engine = create_engine(url)
    members: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    replies: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    for g in groups:
        sessions.append(
            _session(
                g.rsvp_session,
                g.guild,
                now + FAR,
                now,
                announce_channel_id=g.channel,
                announce_message_id=g.announcement,
            )
        )
        sessions.append(
            _session(
                g.reminder_session,
                g.guild,
                now + FAR,
                now,
                announce_channel_id=None,
                announce_message_id=None,
            )
        )
        for i, user in enumerate(g.users):
            member_id = len(members) + 1
            members.append(
                approved_member_row(g.guild, user, i, now, id=member_id, dm_opt_in=i < reminded)
            )
            if i < reminded:
                row = {"session_id": g.reminder_session, "member_id": member_id}
                replies.append({**row, "id": len(replies) + 1, "reply": "going", "replied_at": now})
                reminders.append(
                    {**row, "id": len(reminders) + 1, "kind": "1h", "due_at": now + FAR}
                )
    async with engine.begin() as conn:
        await conn.execute(
            insert(GuildConfig),
            [
                {"guild_id": g.guild, "sessions_channel_id": g.channel, "setup_at": now}
                for g in groups
            ],
        )
        for table, rows in (
            (Member, members),
            (GroupSession, sessions),
            (SessionRsvp, replies),
            (SessionReminder, reminders),
        ):
            for i in range(0, len(rows), 5000):
                await conn.execute(insert(table), rows[i : i + 5000])
            await conn.execute(text(SEQUENCE.format(table=table.__tablename__)))
    await engine.dispose()
    return len(reminders)


async def arm(url: str, due: datetime) -> None:
    """Make every reminder due (again) at `due`, its session an hour later; forget past runs."""
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(delete(OutboxItem))
        await conn.execute(
            update(SessionReminder).values(
                due_at=due, sent_at=None, skipped_at=None, skip_reason=None
            )
        )
        starts = due + timedelta(hours=1)
        await conn.execute(
            update(GroupSession)
            .where(GroupSession.announce_message_id.is_(None))
            .values(starts_at=starts, ends_at=starts + timedelta(minutes=90))
        )
        # The RSVP clicks of the last run (and the reminders they made) are forgotten, so
        # every run's clicks are first replies.
        announced = select(GroupSession.id).where(GroupSession.announce_message_id.is_not(None))
        await conn.execute(delete(SessionRsvp).where(SessionRsvp.session_id.in_(announced)))
        await conn.execute(delete(SessionReminder).where(SessionReminder.session_id.in_(announced)))
    await engine.dispose()


async def reset_schema(url: str) -> None:
    """Drop and recreate the public schema of the benchmark's PostgreSQL database."""
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
