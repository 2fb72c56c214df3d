"""SIGKILL in the middle of a burst of votes: every vote its voter saw confirmed is counted.

The real bot runs as its own process (`python -m bot run`) against the stand-in. A poll is
posted, then members click its buttons as fast as the stand-in can dispatch them, and the bot
is killed with SIGKILL as soon as the first confirmations have come back, while clicks are
still arriving and being written. After a restart the database must hold a ballot and a
contribution for every voter who was told "saved" (and may hold more: a vote written just
before the kill whose answer never went out), nothing for anyone who never clicked; a
confirmed voter who clicks again must be told their vote was changed (not saved anew).
"""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from bot.db.engine import create_engine
from bot.db.models import Contribution, Member, Poll, PollBallot
from bot.sandbox.driver import custom_ids
from bot.sandbox.fakediscord import FakeDiscord, Interaction
from bot.sandbox.fakediscord.model import Json
from bot.sandbox.seeding import approved_member_row
from bot.sandbox.soak_process import BotProcess, answer_text, process_env
from bot.services.polls.ballots import voter_key
from tests.conftest import SPEC

MEMBERS = 300  # more than one round (ROUND_LIMIT) can hold
KILL_AFTER = 10  # confirmations seen before the kill


async def _no_wait() -> None:
    """Let clicks arrive together, as in a burst, instead of one after the bot's last reply."""


async def _seed_members(db_url: str, guild: int, users: list[int]) -> None:
    """Add approved members straight into the database (joining each is not what is tested)."""
    now = datetime.now(UTC)
    engine = create_engine(db_url)
    async with engine.begin() as conn:
        await conn.execute(
            insert(Member),
            [approved_member_row(guild, user, i, now) for i, user in enumerate(users)],
        )
    await engine.dispose()


async def _stored(db_url: str, poll_id: int, users: list[int]) -> tuple[set[int], set[int], int]:
    """Return the users with a ballot, the users with a contribution, and the ballot count."""
    engine = create_engine(db_url)
    async with engine.connect() as conn:
        secret = (await conn.execute(select(Poll.ballot_secret).where(Poll.id == poll_id))).one()[0]
        keys = set(
            (await conn.execute(select(PollBallot.voter_key).where(PollBallot.poll_id == poll_id)))
            .scalars()
            .all()
        )
        count = (
            await conn.execute(
                select(func.count()).select_from(PollBallot).where(PollBallot.poll_id == poll_id)
            )
        ).scalar_one()
        contributed = set(
            (
                await conn.execute(
                    select(Member.user_id)
                    .join(Contribution, Contribution.member_id == Member.id)
                    .where(Contribution.source_key == f"poll:{poll_id}")
                )
            )
            .scalars()
            .all()
        )
    await engine.dispose()
    with_ballot = {u for u in users if voter_key(secret, u) in keys}
    return with_ballot, contributed, int(count)


async def test_a_kill_mid_burst_loses_no_confirmed_vote(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeDiscord(SPEC if SPEC.exists() else None, reaction_time=0.0)
    await fake.start()
    env = process_env(fake, db_url, "kill-token")
    bot = BotProcess(fake, env, tmp_path / "bot.log", 1.0)
    try:
        admin = fake.create_user("admin", "Alex Admin")
        guild = fake.create_guild("Participation Group", owner_id=admin)
        fake.create_channel(guild, "general")
        worker = fake.create_user("worker", "Wendy Worker")
        fake.add_member(guild, worker)
        users = [fake.create_user(f"m{i}", f"Member {i}") for i in range(MEMBERS + 1)]
        for user in users:
            fake.add_member(guild, user)
        bot.env["DISCORD_GUILD_ID"] = str(guild)
        await bot.start()
        assert "set up" in await answer_text(await fake.invoke(admin, guild, "setup"), 30)
        roles = {r["name"]: int(r["id"]) for r in fake.guild_roles(guild)}
        channels = {c["name"]: int(c["id"]) for c in fake.guild_channels(guild)}
        fake.set_member_roles(guild, worker, [roles["Worker"]])
        for user in users:
            fake.set_member_roles(guild, user, [roles["Member"]])
        await _seed_members(db_url, guild, users)
        values = {"question": "Which evening?", "closes": "2d", "options": "Mon; Wed; Thu"}
        made = await fake.invoke(worker, guild, "poll create", values)
        assert "posted" in await answer_text(made, 20)
        message = fake.messages_in(channels["polls"])[-1]
        buttons = [c for c in custom_ids(message) if c.startswith("poll:vote:")]
        poll_id = int(buttons[0].split(":")[2])

        fake._settle = _no_wait  # type: ignore[method-assign]
        handles: dict[int, Interaction] = {}

        def confirmed() -> set[int]:
            return {u for u, h in handles.items() if "saved" in (h.content or "")}

        # The kill is sent the moment the stand-in records the KILL_AFTER-th confirmation, not
        # when the test next looks: on a busy machine a look can come after the whole burst.
        seen = [0]
        record = Interaction.mark_answered

        def mark_answered(handle: Interaction, body: Json) -> None:
            record(handle, body)
            if "saved" in str(body.get("data", {}).get("content", "")):
                seen[0] += 1
                if seen[0] == KILL_AFTER and bot.proc is not None:
                    bot.proc.send_signal(signal.SIGKILL)

        monkeypatch.setattr(Interaction, "mark_answered", mark_answered)

        latecomer, clickers = users[-1], users[:-1]

        async def burst() -> None:
            for i, user in enumerate(clickers):
                if len(confirmed()) >= KILL_AFTER:
                    return  # the bot is being killed: the rest never click
                handles[user] = await fake.click(user, int(message["id"]), buttons[i % 3])
                if i % 10 == 9:
                    await asyncio.sleep(0.002)

        clicking = asyncio.create_task(burst())
        async with asyncio.timeout(30):
            while len(confirmed()) < KILL_AFTER:  # looked at every millisecond: kill promptly
                await asyncio.sleep(0.001)
        await bot.kill()
        monkeypatch.undo()
        await clicking
        told = confirmed()
        # Mid-burst: some clicks were sent and never answered, or never sent at all.
        assert KILL_AFTER <= len(told) < MEMBERS

        with_ballot, contributed, count = await _stored(db_url, poll_id, users)
        assert told <= with_ballot, f"confirmed but lost: {sorted(told - with_ballot)}"
        assert told <= contributed
        assert with_ballot <= set(handles), "a ballot for someone who never clicked"
        assert with_ballot == contributed and count == len(with_ballot)

        # After a restart the confirmed vote is still theirs: clicking again changes it.
        await bot.start()
        fake._settle = _no_wait  # type: ignore[method-assign]
        first = sorted(told)[0]
        again = await answer_text(await fake.click(first, int(message["id"]), buttons[2]), 20)
        assert "changed" in again, again
        # Someone who did not click in the burst votes afterwards: a first vote, as it should be.
        new = await answer_text(await fake.click(latecomer, int(message["id"]), buttons[0]), 20)
        assert "is saved" in new, new
        with_ballot_after, _, count_after = await _stored(db_url, poll_id, users)
        assert with_ballot_after == with_ballot | {latecomer}
        assert count_after == len(with_ballot) + 1
    finally:
        await bot.stop()
        await fake.stop()
