"""Two bot processes, four shards, eight servers, one PostgreSQL database, one SIGKILL.

Each process is `python -m bot run --shards … --shard-count 4` against one stand-in; a server's
events reach only the process owning `(guild_id >> 22) % 4`, and DMs reach shard 0. With a
clock at twelve hours a second, each server lives a month: people join and are approved, and
every week a worker asks a question everyone votes on, schedules a session everyone replies
to, and someone asks for support, which a moderator takes. In the second week the
process owning shards 2-3 is killed with SIGKILL and started again. At the end people ask
for support by DM (which only shard 0's process receives), for a server on each process.
Then the account: every delivery (reminders, cards, results) reached Discord exactly once,
every vote counted once, and no server's words or rows turned up in another.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import (
    GroupSession,
    Member,
    OutboxItem,
    Poll,
    PollBallot,
    SessionReminder,
    SupportRequest,
)
from bot.sandbox.driver import button_on, custom_ids, everything_text
from bot.sandbox.fakediscord import FakeDiscord
from bot.sandbox.soak_process import START, BotProcess, answer_text, process_env
from bot.shards import parse_ids
from tests.conftest import PG_URL, SPEC

pytestmark = pytest.mark.skipif(
    not PG_URL,
    reason="several processes need PostgreSQL (TEST_DATABASE_URL); SQLite serves one process",
)

UK = ZoneInfo("Europe/London")
# One real second is twelve hours of the bot's time: a week is 14 s, about what a week's
# interactions in eight servers take on a busy two-core machine (a faster clock would make
# people reply to sessions that had already begun).
SPEED = 43200.0
SHARDS = 4
SERVERS = 8
MEMBERS = 4  # each asks for support once in the month
WEEKS = 4
TAG = re.compile(r"\[G(\d)\]")


class ShardProcess(BotProcess):
    """One bot process owning some shards; its clock is the one every process shares."""

    def __init__(self, fake: FakeDiscord, env: dict[str, str], log: Path, shards: str) -> None:
        super().__init__(fake, env, log, SPEED)
        self.shards = shards
        self.ids = set(parse_ids(shards, SHARDS))

    async def start(self) -> None:
        """Start `run --shards … --shard-count 4` and wait until its shards are connected."""
        # One clock for the deployment, however long each process takes to start.
        env = {**self.env, "CLOCK_START": START.isoformat(), "CLOCK_SPEED": str(SPEED)}
        env["CLOCK_ANCHOR"] = self._wall_start.isoformat()
        args = ["-m", "bot", "run", "--shards", self.shards, "--shard-count", str(SHARDS)]
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, *args, env=env, stdout=out, stderr=out
            )
        await self.ready()
        await asyncio.sleep(0.3)  # READY's guild data reaches the bot's cache

    async def ready(self) -> None:
        """Wait until every shard this process owns has a live connection."""

        def up() -> bool:
            if self.proc is not None and self.proc.returncode is not None:
                raise RuntimeError(f"the bot exited with {self.proc.returncode}; see {self.log}")
            return self.ids <= self.fake.hub.live_shards()

        await self.fake.wait_for(up, timeout=60)


@dataclass
class Server:
    """One group's server and its people."""

    n: int
    guild: int
    admin: int
    worker: int
    moderator: int
    people: list[int]
    members: list[int] = field(default_factory=list)
    channels: dict[str, int] = field(default_factory=dict)
    voted: list[set[int]] = field(default_factory=list)
    votes_tried: int = 0
    support: int = 0

    @property
    def tag(self) -> str:
        return f"[G{self.n}]"


class Month:
    """The script and its account."""

    def __init__(self, fake: FakeDiscord, processes: list[ShardProcess], db_url: str) -> None:
        self.fake, self.processes, self.db_url = fake, processes, db_url
        self.servers: list[Server] = []
        self.problems: list[str] = []

    def now(self) -> datetime:
        return self.processes[0].now()

    def make_servers(self) -> None:
        fake = self.fake
        for n in range(SERVERS):
            admin = fake.create_user(f"admin{n}", f"Admin [G{n}]")
            guild = fake.create_guild(f"Group [G{n}]", admin, shard_id=n % SHARDS)
            fake.create_channel(guild, "general")
            worker = fake.create_user(f"worker{n}", f"Worker [G{n}]")
            moderator = fake.create_user(f"mod{n}", f"Moderator [G{n}]")
            people = [fake.create_user(f"m{n}x{i}", f"Member [G{n}] {i}") for i in range(MEMBERS)]
            for user in (worker, moderator, *people):
                fake.add_member(guild, user)
            self.servers.append(Server(n, guild, admin, worker, moderator, people))

    async def set_up(self, server: Server) -> None:
        fake = self.fake
        for _ in range(3):
            text = await answer_text(await fake.invoke(server.admin, server.guild, "setup"), 30)
            if "set up" in text:
                break
        else:
            raise RuntimeError(f"/setup did not finish in {server.tag}: {text[:300]!r}")
        roles = {r["name"]: int(r["id"]) for r in fake.guild_roles(server.guild)}
        fake.set_member_roles(server.guild, server.worker, [roles["Worker"]])
        fake.set_member_roles(server.guild, server.moderator, [roles["Moderator"]])
        server.channels = {c["name"]: int(c["id"]) for c in fake.guild_channels(server.guild)}
        server.channels["role:Member"] = roles["Member"]
        await asyncio.sleep(0.2)
        await asyncio.gather(*(self.join(server, user, n) for n, user in enumerate(server.people)))

    async def join(self, server: Server, user: int, n: int) -> None:
        fake, name = self.fake, f"Member {server.tag} {n}"
        options: dict[str, Any] = {"name": name, "age_band": "16-17", "i_am": "Young person"}
        options.update(area="North", reminder_dms=True)
        for _ in range(3):
            handle = await fake.invoke(user, server.guild, "join", options)
            await answer_text(handle)
            consent = handle.original
            if consent is None or "join:agree" not in custom_ids(consent):
                continue
            if "waiting" in await answer_text(
                await fake.click(user, int(consent["id"]), "join:agree")
            ):
                break
        log = server.channels["worker-log"]

        def card() -> dict[str, Any] | None:
            for message in fake.messages_in(log):
                if f"{name}\n" in everything_text(message) + "\n" and any(
                    c.startswith("signup:approve:") for c in custom_ids(message)
                ):
                    return message
            return None

        found = await fake.wait_for(card, 20)
        for _ in range(3):
            click = await fake.click(
                server.worker, int(found["id"]), button_on(found, "signup:approve:")
            )
            if "pprove" in await answer_text(click) or click.callback_type == 7:
                server.members.append(user)
                return
        self.problems.append(f"{name} was never approved")

    async def week(self, server: Server, week: int) -> None:
        await asyncio.gather(
            self.poll(server, week), self.session(server, week), self.ask_for_support(server)
        )

    async def poll(self, server: Server, week: int) -> None:
        fake, channel = self.fake, server.channels["polls"]
        values = {"question": f"{server.tag} Which evening suits you in week {week + 1}?"}
        values.update(closes="96h", options="Monday; Wednesday; Thursday")
        before = len(fake.messages_in(channel))
        for _ in range(3):
            text = await answer_text(
                await fake.invoke(server.worker, server.guild, "poll create", values), 20
            )
            if "posted" in text:
                break

        def posted() -> dict[str, Any] | None:
            for message in fake.messages_in(channel)[before:]:
                if values["question"] in everything_text(message) and any(
                    c.startswith("poll:vote:") for c in custom_ids(message)
                ):
                    return message
            return None

        message = await fake.wait_for(posted, 30)
        buttons = [c for c in custom_ids(message) if c.startswith("poll:vote:")]
        voted: set[int] = set()

        async def vote(user: int, pick: str) -> None:
            for _ in range(3):  # a person whose click got no answer tries again
                server.votes_tried += 1
                text = await answer_text(await fake.click(user, int(message["id"]), pick))
                if "saved" in text or "changed" in text:
                    voted.add(user)
                    return

        await asyncio.gather(
            *(vote(u, buttons[i % len(buttons)]) for i, u in enumerate(server.members))
        )
        server.voted.append(voted)

    async def session(self, server: Server, week: int) -> None:
        fake, channel = self.fake, server.channels["sessions"]
        start = (self.now() + timedelta(days=5)).astimezone(UK).replace(hour=18, minute=0)
        values = {"title": f"{server.tag} Week {week + 1} group"}
        values.update(start=start.strftime("%Y-%m-%d %H:00"), duration="90")
        values.update(online_link="https://zoom.us/j/123456789")
        before = len(fake.messages_in(channel))
        handle = await fake.invoke(server.worker, server.guild, "session schedule", values)
        text = await answer_text(handle, 20)
        if "Schedule anyway" in text and handle.original is not None:
            confirm = button_on(handle.original, "session:confirm:yes")
            click = await fake.click(server.worker, int(handle.original["id"]), confirm)
            text = await answer_text(click, 20)
        if "scheduled" not in text:
            self.problems.append(f"{server.tag} week {week + 1}: not scheduled: {text[:200]!r}")
            return

        def posted() -> dict[str, Any] | None:
            for message in fake.messages_in(channel)[before:]:
                if values["title"] in everything_text(message) and any(
                    c.startswith("session:rsvp:") for c in custom_ids(message)
                ):
                    return message
            return None

        message = await fake.wait_for(posted, 30)
        going = button_on(message, "session:rsvp:").rsplit(":", 1)[0] + ":going"

        async def reply(user: int) -> None:
            for _ in range(3):
                text = await answer_text(await fake.click(user, int(message["id"]), going))
                if "going" in text.lower() or "place" in text.lower():
                    return

        await asyncio.gather(*(reply(user) for user in server.members))

    async def ask_for_support(self, server: Server) -> None:
        fake, queue = self.fake, server.channels["support-queue"]
        user = server.members[server.support % len(server.members)]
        server.support += 1
        before = len(fake.messages_in(queue))
        options = {"topic": "question", "urgency": "week"}
        text = await answer_text(await fake.invoke(user, server.guild, "support", options), 20)
        if not text:
            self.problems.append(f"{server.tag}: /support got no answer")

        def card() -> dict[str, Any] | None:
            for message in fake.messages_in(queue)[before:]:
                if any(c.startswith("support:claim:") for c in custom_ids(message)):
                    return message
            return None

        found = await fake.wait_for(card, 30)  # the card goes out from the server's process
        for _ in range(3):
            click = await fake.click(
                server.moderator, int(found["id"]), button_on(found, "support:claim:")
            )
            if await answer_text(click) or click.callback_type == 7:
                return

    def mark(self, what: str) -> None:
        """Note how long each part took (printed with the test's output)."""
        loop = asyncio.get_running_loop().time()
        self.timings.append(f"{what}: {loop - self._began:.1f}s")

    async def run(self) -> None:
        self.timings: list[str] = []
        self._began = asyncio.get_running_loop().time()
        self.make_servers()
        await asyncio.gather(*(p.start() for p in self.processes))
        self.mark("both processes connected")
        await self.fake.wait_for(lambda: self.fake.state.global_commands, 30)
        await asyncio.gather(*(self.set_up(s) for s in self.servers))

        def roles_given() -> bool:
            return all(
                str(s.channels["role:Member"])
                in [str(r) for r in (self.fake.member(s.guild, u) or {}).get("roles", [])]
                for s in self.servers
                for u in s.members
            )

        await self.fake.wait_for(roles_given, 60)
        self.mark("eight servers set up, people approved")
        began = self.now()
        for week in range(WEEKS):
            await asyncio.gather(*(self.week(s, week) for s in self.servers))
            if week == 1:
                # Mid-month, with that week's deliveries still going out: the process owning
                # shards 2-3 dies without a word, and comes back.
                await self.processes[1].kill()
                await asyncio.sleep(0.5)
                await self.processes[1].start()
                self.mark("shards 2-3 killed and back")
            rest = began + timedelta(days=7 * (week + 1)) - self.now()
            self.mark(f"week {week + 1} done ({rest.total_seconds() / 86400:.1f} days to spare)")
            await asyncio.sleep(max(rest.total_seconds() / SPEED, 0.0))
        await self.by_dm()
        await self.drain()
        self.mark("everything owed delivered")

    async def by_dm(self) -> None:
        """Ask for support by DM: DMs reach shard 0, whose process knows only shards 0-1."""
        near, far = self.servers[0], self.servers[3]
        assert self.fake.shard_of(near.guild) == 0 and self.fake.shard_of(far.guild) == 3
        options = {"topic": "question", "urgency": "week"}
        queue = near.channels["support-queue"]
        before = len(self.fake.messages_in(queue))
        text = await answer_text(await self.fake.invoke(near.worker, None, "support", options))
        near.support += 1
        if not text or "inside your group" in text:
            self.problems.append(f"/support by DM for a server on shard 0: {text[:200]!r}")
        await self.fake.wait_for(
            lambda: any(
                c.startswith("support:claim:")
                for m in self.fake.messages_in(queue)[before:]
                for c in custom_ids(m)
            ),
            30,
        )
        # The far server is on the other process: the database finds the group. This member's
        # request from the month is still open, so they are pointed back to it and its space.
        # (tests/e2e/test_support_dm_processes.py follows a new request there to its card.)
        text = await answer_text(await self.fake.invoke(far.members[0], None, "support", options))
        if "You already have a support request open" not in text or "<#" not in text:
            self.problems.append(f"/support by DM for a server on shard 3: {text[:300]!r}")

    async def drain(self, timeout: float = 60.0) -> None:
        """Wait until everything owed by now has gone out, then stop both processes."""
        self.ended = self.now()
        engine = create_engine(self.db_url)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                async with engine.connect() as conn:
                    pending = await conn.scalar(
                        select(func.count())
                        .select_from(OutboxItem)
                        .where(OutboxItem.status == "pending", OutboxItem.due_at <= self.ended)
                    )
                if not pending or loop.time() > deadline:
                    break
                await asyncio.sleep(0.3)
        finally:
            await engine.dispose()
        if pending:
            self.problems.append(f"{pending} deliveries still pending after {timeout}s")
        await asyncio.gather(*(p.stop() for p in self.processes))


async def _rows(db_url: str) -> dict[str, list[Any]]:
    engine = create_engine(db_url)
    found: dict[str, list[Any]] = {}
    try:
        async with create_sessionmaker(engine).begin() as s:
            for model in (OutboxItem, Poll, Member, GroupSession, SupportRequest, SessionReminder):
                found[model.__name__] = list(await s.scalars(select(model)))
            found["ballots"] = list(
                await s.execute(
                    select(PollBallot.poll_id, func.count()).group_by(PollBallot.poll_id)
                )
            )
    finally:
        await engine.dispose()
    return found


def _tags(text: str) -> set[int]:
    return {int(n) for n in TAG.findall(text)}


async def test_two_processes_serve_eight_servers_for_a_month_through_a_kill(
    tmp_path: Path, db_url: str
) -> None:
    await upgrade(db_url)
    fake = FakeDiscord(SPEC if SPEC.exists() else None, shard_count=SHARDS)
    await fake.start()
    env = process_env(fake, db_url, "shards-token")
    env.pop("DISCORD_GUILD_ID", None)  # one deployment, every server: global commands
    processes = [
        ShardProcess(fake, env, tmp_path / "low.log", "0-1"),
        ShardProcess(fake, env, tmp_path / "high.log", "2-3"),
    ]
    processes[1]._wall_start = processes[0]._wall_start  # one clock for the deployment
    month = Month(fake, processes, db_url)
    try:
        await month.run()
    finally:
        await asyncio.gather(*(p.stop() for p in processes))
        await fake.stop()
    print("\n".join(month.timings))
    assert month.problems == []
    # Every request the processes sent passed Discord's OpenAPI checks. (An answer later than
    # Discord's 3 s is a matter of this shared machine's load, as in the fault soak; it is
    # printed, not failed on.)
    late = [v for v in fake.violations if "was not answered within" in v]
    print(f"{len(late)} interactions answered after 3 s")
    assert [v for v in fake.violations if v not in late] == []
    servers = {s.guild: s for s in month.servers}
    assert {fake.shard_of(g) for g in servers} == set(range(SHARDS))
    assert all(len(s.members) == MEMBERS for s in servers.values())
    rows = await _rows(db_url)
    messages = fake.state.all_messages()

    # Every delivery that posted a message is in Discord exactly once, and nothing else is.
    outbox: list[OutboxItem] = rows["OutboxItem"]
    assert not [r for r in outbox if r.status == "pending" and r.due_at <= month.ended]
    # At twelve hours a second an hour is 83 ms: a reminder reaching its sender after the
    # session began is recorded as too late, by the bot's own rule; nothing else may fail.
    failed = [f"{r.kind}: {r.last_error}" for r in outbox if r.status == "failed"]
    assert [f for f in failed if not f.startswith("sessions.reminder: too late")] == []
    nonces = Counter(str(m.get("nonce")) for m in messages if m.get("nonce"))
    assert [n for n, count in nonces.items() if count > 1] == []
    by_id = {r.id: r for r in outbox}
    for nonce in nonces:
        if nonce.startswith("outbox-"):
            row = by_id[int(nonce.split("-")[1])]
            # The clock runs on while both processes stop: a delivery that fell due after the
            # month ended may be cut by the stop after Discord took it; its retry carries the
            # same nonce, so Discord still shows it once. Anything due in the month is done.
            cut_by_stop = row.status == "pending" and row.due_at > month.ended
            assert (
                row.status == "done" or cut_by_stop
            ), f"{row.kind} {row.id} was posted but is {row.status}"
    kinds = Counter(r.kind for r in outbox if r.status == "done")
    posted_rows = [by_id[int(n.split("-")[1])] for n in nonces if n.startswith("outbox-")]
    posted = Counter(r.kind for r in posted_rows if r.status == "done")  # not those cut by the stop
    for kind in ("membership.card", "support.card", "sessions.reminder", "polls.results"):
        assert posted[kind] == kinds[kind] > 0, f"{kind}: {posted[kind]} posted of {kinds[kind]}"
    assert kinds["membership.card"] == SERVERS * MEMBERS
    assert kinds["support.card"] == SERVERS * WEEKS + 1  # and one by DM
    assert kinds["polls.results"] == SERVERS * WEEKS
    # Every reminder claimed was owed once and delivered once; none was lost to the kill.
    reminders: list[SessionReminder] = rows["SessionReminder"]
    owed = Counter(int(r.payload["reminder_id"]) for r in outbox if r.kind == "sessions.reminder")
    assert set(owed.values()) == {1}, "a reminder was owed twice"
    by_reminder = {r.id: r for r in reminders}
    for row in outbox:
        if row.kind == "sessions.reminder" and row.status == "done":
            assert by_reminder[int(row.payload["reminder_id"])].sent_at is not None
    sent = [r for r in reminders if r.sent_at is not None]
    assert all(owed[r.id] == 1 for r in sent)
    print(
        f"{len(outbox)} deliveries ({sum(kinds.values())} done, {len(failed)} too late); "
        f"reminders {Counter(r.kind for r in sent)} sent of {len(reminders)}; "
        f"{sum(dict(rows['ballots']).values())} ballots; {len(messages)} messages"
    )
    assert all(r.sent_at or r.skipped_at for r in reminders if r.due_at <= month.ended)
    assert {r.kind for r in sent} >= {"24h"}

    # Every vote counted once: the ballots of each poll are the people told it was saved.
    ballots = dict(rows["ballots"])
    polls: list[Poll] = rows["Poll"]
    assert len(polls) == SERVERS * WEEKS
    for poll in polls:
        server = servers[poll.guild_id]
        week = int(re.findall(r"week (\d)", poll.question)[0]) - 1
        assert ballots.get(poll.id, 0) == len(server.voted[week]) == MEMBERS, poll.question

    # No server's data in another: its rows carry its guild, its messages name only it.
    for poll in polls:
        assert _tags(poll.question) == {servers[poll.guild_id].n}
    for member in rows["Member"]:
        assert _tags(member.preferred_name) == {servers[member.guild_id].n}
    for session in rows["GroupSession"]:
        assert _tags(session.title) == {servers[session.guild_id].n}
    asked = Counter(r.guild_id for r in rows["SupportRequest"])
    assert asked == {g: s.support for g, s in servers.items()}
    assert sorted(asked.values()) == [WEEKS] * (SERVERS - 1) + [WEEKS + 1]
    for request in rows["SupportRequest"]:
        server = servers[request.guild_id]
        assert request.user_id in (*server.members, server.worker)
    for row in outbox:
        assert row.guild_id in servers
    people = {u: s.n for s in servers.values() for u in (*s.members, s.worker, s.moderator)}
    for message in messages:
        text = everything_text(message)
        channel = fake.state.channel(int(message["channel_id"]))
        if channel.get("guild_id"):
            owner = servers[int(channel["guild_id"])].n
        else:
            owner = people[int(next(r["id"] for r in channel["recipients"]))]
        assert _tags(text) <= {owner}, f"server {owner} saw another's words: {text[:200]!r}"
