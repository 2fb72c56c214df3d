"""The burst benchmark's real-bot side: the clicks a seeded group makes, and the count check."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# ---- measuring --------------------------------------------------------------------------
from bursts_harness import (
    MODERATORS,
    QUESTIONS,
    SEQUENCE,
    Click,
    Server,
    _letters,
    _no_wait,
    _settle_text,
    _when,
    twice,
)
from sqlalchemy import func, insert, select, text

from bot.db.engine import create_engine
from bot.db.models import (
    ConsultationAnswer,
    ConsultationQuestion,
    Member,
    PollBallot,
    SessionRsvp,
    SupportRequest,
)
from bot.sandbox.driver import answered, command, custom_ids
from bot.sandbox.fakediscord.messaging import build_message, post_message
from bot.sandbox.seeding import approved_member_row


async def bot_clicks(
    server: Server, database_url: str, burst: int
) -> tuple[dict[str, list[Click]], list[int]]:
    """Set the real bot's server up, seed members and requests.

    Return every path's clicks, and the ids of the poll, the session and the consultation.
    """
    fake, guild, users = server.fake, server.guild, server.members
    setup = await command(fake, server.admin, guild, "setup")
    await fake.wait_for(lambda: setup.content and "set up" in setup.content, timeout=60)
    roles = {r["name"]: int(r["id"]) for r in fake.guild_roles(guild)}
    channels = {c["name"]: int(c["id"]) for c in fake.guild_channels(guild)}
    fake.set_member_roles(guild, server.worker, [roles["Worker"]])
    for mod in server.moderators:
        fake.set_member_roles(guild, mod, [roles["Moderator"]])
    for user in users:
        fake.set_member_roles(guild, user, [roles["Member"]])

    now = datetime.now(UTC)
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(
            insert(Member),
            [approved_member_row(guild, user, i, now, id=i + 1) for i, user in enumerate(users)],
        )
        if engine.dialect.name == "postgresql":
            await conn.execute(text(SEQUENCE.format(table="members")))

    # A poll.
    poll = await command(
        fake,
        server.worker,
        guild,
        "poll create",
        {"question": "Which day suits you?", "closes": "2d", "options": "Mon; Tue; Wed; Thu"},
    )
    assert "posted" in (poll.content or ""), poll.content
    poll_msg = fake.messages_in(channels["polls"])[-1]
    poll_id = next(c for c in custom_ids(poll_msg) if c.startswith("poll:vote:")).split(":")[2]

    # A session.
    before = len(fake.messages_in(channels["sessions"]))
    session = await command(
        fake,
        server.worker,
        guild,
        "session schedule",
        {
            "title": "Monthly group",
            "start": _when(10),
            "duration": "90",
            "online_link": "https://zoom.us/j/123456789",
            "agenda": "1. Welcome",
        },
    )
    said = await _settle_text(fake, session)
    assert "scheduled" in said, said
    announced = await fake.wait_for(
        lambda: fake.messages_in(channels["sessions"])[before:], timeout=30
    )
    rsvp_msg = announced[-1]
    rsvp_cid = next(c for c in custom_ids(rsvp_msg) if c.startswith("session:rsvp:"))
    session_id = rsvp_cid.split(":")[2]

    # A consultation with two single-choice questions, open to everyone.
    form = await command(fake, server.worker, guild, "consult draft", {"deadline": _when(12)})
    assert form.modal is not None, form.content
    words = {
        "title": "Meeting days",
        "why": "We want to meet when most of you can come.",
        "whatwehope": "A day and a place that suit most people.",
        "whatcanchange": "The day and the place.",
        "whatcant": "The length of the meeting.",
    }
    values = {
        f.custom_id: w
        for f in form.modal.fields
        for start, w in words.items()
        if _letters(f.label).startswith(start)
    }
    drafted = await answered(await fake.submit_modal(server.worker, form, values))
    consult_id = int((drafted.content or "").split("#", 1)[1].split()[0])
    upload = await command(
        fake,
        server.worker,
        guild,
        "consult upload",
        {"consultation": consult_id, "file": fake.upload_attachment("q.txt", QUESTIONS)},
    )
    assert "Added 2" in await _settle_text(fake, upload)
    opened = await command(fake, server.worker, guild, "consult open", {"consultation": consult_id})
    assert "Open until" in (opened.content or ""), opened.content
    start_cid = f"consult:start:{consult_id}"
    post = await fake.wait_for(
        lambda: next(
            (m for m in fake.messages_in(channels["announcements"]) if start_cid in custom_ids(m)),
            None,
        ),
        timeout=30,
    )
    assert post is not None
    post_id = int(post["id"])
    # Everyone presses "Take part" (not timed) to get their private step with question 1.
    steps: dict[int, int] = {}
    fake._settle = _no_wait  # type: ignore[method-assign]
    # Setup, not measured: small groups, and a press left unanswered (a slow machine) is
    # pressed again, as a person would.
    for i in range(0, len(users), 25):
        group = users[i : i + 25]
        for _ in range(3):
            handles = await asyncio.gather(*(fake.click(u, post_id, start_cid) for u in group))
            for user, h in zip(group, handles, strict=True):
                with contextlib.suppress(TimeoutError):
                    await h.response(10)
                if h.original is not None:
                    steps[user] = int(h.original["id"])
            group = [u for u in group if u not in steps]
            if not group:
                break
        assert not group, f"'Take part' was never answered for {len(group)} people"
    async with engine.connect() as conn:
        q1, q2 = (
            await conn.scalars(
                select(ConsultationQuestion.id)
                .where(ConsultationQuestion.consultation_id == consult_id)
                .order_by(ConsultationQuestion.position)
            )
        ).all()
    # Exact ids: question 2's select is there only once question 1's answer was shown.
    pick = f"consult:pick:{consult_id}"
    answers = [Click(u, steps[u], f"{pick}:{q1}:0", [str(i % 2)]) for i, u in enumerate(users)]
    answers += [Click(u, steps[u], f"{pick}:{q2}:0", ["2"]) for u in users]

    # Open support requests with a card each in the queue (seeded; claims by moderators).
    queue = channels["support-queue"]
    claims = 2 * len(users)
    cards = []
    for rid in range(1, claims + 1):
        claim_button = {"type": 2, "style": 3, "label": "Claim"}
        claim_button["custom_id"] = f"support:claim:{rid}"
        body = {
            "embeds": [{"title": f"Support request #{rid}", "description": "Whenever"}],
            "components": [{"type": 1, "components": [claim_button]}],
        }
        message = build_message(fake.state, queue, fake.bot_user_id, body, [])
        post_message(fake.state, message)
        cards.append(int(message["id"]))
    async with engine.begin() as conn:
        await conn.execute(
            insert(SupportRequest),
            [
                {
                    "id": rid,
                    "guild_id": guild,
                    "kind": "request",
                    "user_id": users[(rid - 1) % len(users)],
                    "member_id": (rid - 1) % len(users) + 1,
                    "topic": "question",
                    "urgency": "whenever",
                    "status": "open",
                    "card_channel_id": queue,
                    "card_message_id": cards[rid - 1],
                    "created_at": now,
                    "raised_interval": 0,
                    "next_raise_at": now + timedelta(days=1),
                    "author_is_staff": False,
                }
                for rid in range(1, claims + 1)
            ],
        )
        if engine.dialect.name == "postgresql":
            await conn.execute(text(SEQUENCE.format(table="support_requests")))
    await engine.dispose()
    clicks = {
        "vote": twice(
            users,
            int(poll_msg["id"]),
            lambda i: f"poll:vote:{poll_id}:{i % 2}",
            lambda i: f"poll:vote:{poll_id}:{2 + i % 2}",
        ),
        "rsvp": twice(
            users,
            int(rsvp_msg["id"]),
            lambda i: f"session:rsvp:{session_id}:going",
            lambda i: f"session:rsvp:{session_id}:maybe",
        ),
        "answer": answers,
        "claim": [
            Click(server.moderators[i % MODERATORS], cards[i], f"support:claim:{i + 1}")
            for i in range(claims)
        ],
    }
    return clicks, [int(poll_id), int(session_id), consult_id]


async def counted(
    database_url: str, ids: list[int], members: int, answers_sent: int
) -> dict[str, str]:
    """Check in the database that every click of every path counted exactly once.

    A consultation click is not sent when the click before it (question 1) was not answered,
    so the answers expected are the answer clicks sent.
    """
    poll_id, session_id, consult_id = ids
    engine = create_engine(database_url)
    async with engine.connect() as conn:

        async def count(stmt: Any) -> int:
            return int((await conn.execute(stmt)).scalar_one())

        found = {
            "vote": await count(
                select(func.count()).select_from(PollBallot).where(PollBallot.poll_id == poll_id)
            ),
            "rsvp": await count(
                select(func.count())
                .select_from(SessionRsvp)
                .where(SessionRsvp.session_id == session_id, SessionRsvp.reply == "maybe")
            ),
            "answer": await count(select(func.count()).select_from(ConsultationAnswer)),
            "claim": await count(
                select(func.count())
                .select_from(SupportRequest)
                .where(SupportRequest.status == "claimed")
            ),
        }
    await engine.dispose()
    expected = {"vote": members, "rsvp": members, "answer": answers_sent, "claim": 2 * members}
    return {
        k: f"{found[k]}/{expected[k]} {'ok' if found[k] == expected[k] else 'WRONG'}" for k in found
    }
