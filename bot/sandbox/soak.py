"""A fault soak: the real bot as its own process, Discord failing at random, SIGKILL twice.

The stand-in runs here; the bot runs as `python -m bot run` against it with a clock that runs
fast (CLOCK_SPEED), so days of reminders and closes pass in seconds. People join, are
approved, vote, reply to a session and ask for support while a share of Discord's answers are
500, 503 or 429 and the bot is killed at random moments and started again. At the end the
account is checked: everything the bot owed was delivered exactly once or recorded as
undeliverable with its reason, and nothing anyone was told was saved was lost or doubled.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.db.engine import create_engine
from bot.db.migrate import upgrade
from bot.db.models import (
    OutboxItem,
)
from bot.sandbox.driver import button_on, custom_ids, everything_text
from bot.sandbox.fakediscord import FakeDiscord
from bot.sandbox.soak_process import START, BotProcess, answer_text, process_env
from bot.sandbox.soak_report import SoakPlan, SoakReport, stored_counts

UK = ZoneInfo("Europe/London")


class Soak:
    """One scripted run: the group's first days, under failures and kills."""

    def __init__(self, fake: FakeDiscord, bot: BotProcess, plan: SoakPlan, db_url: str) -> None:
        self.fake, self.bot, self.plan, self.db_url = fake, bot, plan, db_url
        self.rng = random.Random(plan.seed)
        self.report = SoakReport()
        self.ids: dict[str, int] = {}
        self.members: list[int] = []
        self.voted_per_poll: list[set[int]] = []
        self.going: Counter[int] = Counter()
        self.polls = 0
        self.ended = START
        self.sessions = 0
        self._step = 0
        # Steps: each vote burst, RSVP, support request and wait is a moment a kill may hit.
        steps = plan.cycles * (2 + plan.members + 3)
        self._kill_steps = set(self.rng.sample(range(1, steps + 1), plan.kills))

    async def kill_if_due(self) -> None:
        """Kill and restart the bot if this step is one of the randomly chosen kill points."""
        self._step += 1
        if self._step in self._kill_steps:
            self.report.kills += 1
            await self.bot.kill()
            await asyncio.sleep(self.rng.uniform(0.0, 1.0))  # down for a while
            await self.bot.start()

    async def setup(self) -> None:
        """Make the server, run /setup and give the staff their roles."""
        fake = self.fake
        admin = fake.create_user("admin", "Alex Admin")
        guild = fake.create_guild("Participation Group", owner_id=admin)
        fake.create_channel(guild, "general")
        worker, moderator = fake.create_user("worker", "Wendy"), fake.create_user("mod", "Mo")
        for user in (worker, moderator):
            fake.add_member(guild, user)
        self.ids.update(guild=guild, admin=admin, worker=worker, moderator=moderator)
        self.bot.env["DISCORD_GUILD_ID"] = str(guild)
        await self.bot.start()
        for _ in range(3):  # /setup is safe to run again when an answer was lost
            text = await answer_text(await fake.invoke(admin, guild, "setup"), 20)
            if "set up" in text:
                break
        else:
            raise RuntimeError(f"/setup did not finish: {text[:300]!r}")
        roles = {r["name"]: int(r["id"]) for r in fake.guild_roles(guild)}
        fake.set_member_roles(guild, worker, [roles["Worker"]])
        fake.set_member_roles(guild, moderator, [roles["Moderator"]])
        self.ids.update({f"role:{n}": i for n, i in roles.items()})
        self.ids.update({f"#{c['name']}": int(c["id"]) for c in fake.guild_channels(guild)})
        await asyncio.sleep(0.3)

    async def join(self, n: int) -> None:
        """One person signs up and a worker approves them (each tries again if not answered)."""
        fake, guild = self.fake, self.ids["guild"]
        user = fake.create_user(f"member{n}", f"Member {n}")
        fake.add_member(guild, user)
        options: dict[str, Any] = {"name": f"Member {n}", "age_band": "16-17"}
        options.update(i_am="Young person", area="North", reminder_dms=True)
        for _ in range(3):
            handle = await fake.invoke(user, guild, "join", options)
            await answer_text(handle)
            consent = handle.original
            if consent is None or "join:agree" not in custom_ids(consent):
                continue
            click = await fake.click(user, int(consent["id"]), "join:agree")
            if "waiting" in await answer_text(click):
                break
        try:  # the card is posted just after the member's answer
            found = await fake.wait_for(lambda: self._card_for(f"Member {n}"), 15)
        except TimeoutError:
            self.report.problems.append(f"Member {n}'s sign-up card never reached #worker-log")
            return
        if found is None:
            return
        card = found
        for _ in range(3):
            click = await fake.click(
                self.ids["worker"], int(card["id"]), button_on(card, "signup:approve:")
            )
            text = await answer_text(click)
            if "pprove" in text or click.callback_type == 7:
                self.members.append(user)
                return

    def _card_for(self, name: str) -> dict[str, Any] | None:
        for message in reversed(self.fake.messages_in(self.ids["#worker-log"])):
            if f"{name}\n" in everything_text(message) + "\n" and any(
                c.startswith("signup:approve:") for c in custom_ids(message)
            ):
                return message
        return None

    async def poll(self) -> None:
        """A worker asks a question; everyone votes at once (and tries again if unanswered)."""
        fake, guild = self.fake, self.ids["guild"]
        values = {"question": f"Which evening suits you? ({self.polls + 1})"}
        values.update(closes=f"{self.plan.poll_hours}h", options="Monday; Wednesday; Thursday")
        before = len(fake.messages_in(self.ids["#polls"]))
        for _ in range(3):
            handle = await fake.invoke(self.ids["worker"], guild, "poll create", values)
            if "posted" in await answer_text(handle, 20):
                break
            await self.bot.ready()
        posted = await fake.wait_for(lambda: fake.messages_in(self.ids["#polls"])[before:], 30)
        self.polls += 1
        message = posted[-1]
        buttons = [c for c in custom_ids(message) if c.startswith("poll:vote:")]
        voted: set[int] = set()

        async def vote(user: int) -> None:
            for _ in range(3):  # a person whose click got no answer tries again
                self.report.votes_tried += 1
                pick = self.rng.choice(buttons)
                text = await answer_text(await fake.click(user, int(message["id"]), pick))
                if "saved" in text or "changed" in text:
                    self.report.votes_confirmed += 1
                    voted.add(user)
                    return
                await self.bot.ready()

        async def kill_mid_burst() -> None:
            await asyncio.sleep(self.rng.uniform(0.05, 0.5))
            await self.kill_if_due()

        await asyncio.gather(*(vote(user) for user in self.members), kill_mid_burst())
        self.voted_per_poll.append(voted)

    async def session(self) -> None:
        """A worker schedules a session; members reply Going, a few at a time."""
        fake, guild = self.fake, self.ids["guild"]
        start = (self.bot.now() + timedelta(hours=self.plan.session_hours)).astimezone(UK)
        values = {"title": "Monthly group", "start": start.strftime("%Y-%m-%d %H:00")}
        values.update(duration="90", online_link="https://zoom.us/j/123456789")
        before = len(fake.messages_in(self.ids["#sessions"]))
        handle = await fake.invoke(self.ids["worker"], guild, "session schedule", values)
        text = await answer_text(handle, 20)
        if "Schedule anyway" in text and handle.original is not None:
            # The papers warning: the worker confirms, as a person would.
            confirm = button_on(handle.original, "session:confirm:yes")
            click = await fake.click(self.ids["worker"], int(handle.original["id"]), confirm)
            text = await answer_text(click, 20)
        if "scheduled" not in text:
            self.report.problems.append(f"the session was not scheduled: {text[:200]!r}")
            return
        posted = await fake.wait_for(lambda: fake.messages_in(self.ids["#sessions"])[before:], 30)
        self.sessions += 1
        message = posted[-1]
        going = button_on(message, "session:rsvp:").rsplit(":", 1)[0] + ":going"

        async def reply(user: int) -> None:
            for _ in range(3):
                self.report.rsvps_tried += 1
                text = await answer_text(await fake.click(user, int(message["id"]), going))
                if "going" in text.lower() or "place" in text.lower():
                    self.report.rsvps_confirmed += 1
                    self.going[user] += 1
                    return
                await self.bot.ready()

        for first in range(0, len(self.members), 10):
            batch = self.members[first : first + 10]
            await asyncio.gather(*(reply(user) for user in batch), self.kill_if_due())

    async def support(self) -> None:
        """A few members ask for support."""
        for user in self.rng.sample(self.members, min(3, len(self.members))):
            self.report.support_asked += 1
            options = {"topic": "question", "urgency": "week"}
            await answer_text(await self.fake.invoke(user, None, "support", options), 20)
            await self.kill_if_due()

    async def wait_until(self, moment: datetime) -> None:
        """Wait until the bot's clock reaches a moment (a kill may come meanwhile)."""
        half = max((moment - self.bot.now()).total_seconds() / 2 / self.plan.speed, 0.0)
        await asyncio.sleep(half)
        await self.kill_if_due()
        await asyncio.sleep(max((moment - self.bot.now()).total_seconds() / self.plan.speed, 0))

    async def run(self) -> SoakReport:
        """Play the script, then drain and account for everything."""
        await self.setup()  # an admin's one-off step; the month of activity is what is soaked
        self.fake.faults.randomly(self.plan.fault_rate, seed=self.plan.seed)
        for n in range(self.plan.members):
            await self.join(n)
        self.report.members_approved = len(self.members)
        # Approval's role change is delivered a moment later; members see #polls once it lands.
        role = self.ids["role:Member"]
        guild = self.ids["guild"]

        def all_roles_given() -> bool:
            members = [self.fake.member(guild, user) or {} for user in self.members]
            return all(str(role) in [str(r) for r in m.get("roles", [])] for m in members)

        await self.fake.wait_for(all_roles_given, 60)
        for _ in range(self.plan.cycles):
            began = self.bot.now()
            await self.poll()
            await self.session()
            await self.support()
            await self.wait_until(began + timedelta(hours=self.plan.cycle_hours))
        # Kill points past the end of the script (a short run) still happen, here.
        while self._step < max(self._kill_steps, default=0):
            await self.kill_if_due()
        await self.drain()
        await self.account()
        return self.report

    async def drain(self, timeout: float = 60.0) -> None:
        """Wait until everything owed by the end of the script has gone, then stop the bot.

        The bot keeps working while it runs (re-raises, wrap-ups), so only what fell due
        before the end of the script must be done; the bot is then stopped for the count.
        """
        ended = self.bot.now()
        engine = create_engine(self.db_url)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while loop.time() < deadline:
                async with engine.connect() as conn:
                    pending = await conn.scalar(
                        select(func.count())
                        .select_from(OutboxItem)
                        .where(OutboxItem.status == "pending", OutboxItem.due_at <= ended)
                    )
                if not pending:
                    break
                await asyncio.sleep(0.5)
            else:
                self.report.problems.append(f"{pending} deliveries still pending after {timeout}s")
        finally:
            await engine.dispose()
        self.fake.faults.clear()
        await self.bot.stop()
        self.ended = ended

    async def account(self) -> None:
        """Count what was stored and delivered, and note every broken promise."""
        report, fake = self.report, self.fake
        report.faults, report.requests = len(fake.faults.given), len(fake.requests)
        stored = await stored_counts(self.db_url)
        report.ballots, report.rsvps_stored = stored.ballots, stored.rsvps_going
        report.support_stored = stored.support_requests
        rows, approved, failed_users = stored.outbox_rows, stored.approved, stored.failed_users
        # Rows falling due after the script ended (re-raises, wrap-ups) are not yet owed.
        report.outbox = dict(
            Counter(
                "not yet due" if r.status == "pending" and r.due_at > self.ended else r.status
                for r in rows
            )
        )
        for row in rows:
            if row.status == "failed":
                report.undeliverable[f"{row.kind}: {row.last_error}"] += 1
        nonces = Counter(
            m.get("nonce")
            for m in fake.state.all_messages()
            if str(m.get("nonce") or "").startswith("outbox-")
        )
        report.delivered_twice = [str(n) for n, count in nonces.items() if count > 1]
        # A delivered post or edit says where its message is; that message must exist (deleted
        # ones aside: a redaction may delete a post on purpose).
        existing = {int(m["id"]) for m in fake.state.all_messages()}
        deletions = {r.payload.get("message_id") for r in rows if r.payload.get("delete")}
        missing = [
            r.id
            for r in rows
            if r.status == "done"
            and r.message_id
            and r.message_id not in existing
            and r.message_id not in deletions
        ]
        if missing:
            report.problems.append(f"{len(missing)} delivered rows have no message in Discord")
        voted = sum(len(v) for v in self.voted_per_poll)
        if not voted <= report.ballots <= len(self.members) * self.polls:
            report.problems.append("ballots do not match the votes people were told were saved")
        if not report.rsvps_confirmed <= report.rsvps_stored <= report.rsvps_tried:
            report.problems.append("RSVPs do not match the replies people were told were saved")
        results = [
            m for m in fake.messages_in(self.ids["#polls"]) if "results" in everything_text(m)
        ]
        report.results_posts = len(results)
        if len(results) != self.polls:
            report.problems.append(f"{len(results)} results posts for {self.polls} polls")
        for user in self.members:
            dms = [everything_text(m) for m in fake.dm_messages(user)]
            for marker in ("your session is tomorrow", "your session starts in an hour"):
                got = sum(marker in text for text in dms)
                report.reminders_delivered += got
                undelivered = user in failed_users
                if not self.going[user] <= got <= self.sessions and not undelivered:
                    report.problems.append(f"member {user} got {got} reminders '{marker}'")
        member_role = self.ids["role:Member"]
        for user in approved:
            roles = [int(r) for r in (fake.member(self.ids["guild"], user) or {}).get("roles", [])]
            if member_role not in roles:
                report.problems.append(f"approved member {user} never got the Member role")


async def run_soak(
    plan: SoakPlan, workdir: Path, spec: Path | None, db_url: str | None = None
) -> SoakReport:
    """Run one soak in a folder (bot log; a SQLite file unless an empty database is given)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "bot.log").unlink(missing_ok=True)
    if db_url is None:
        db_path = workdir / "soak.db"
        db_path.unlink(missing_ok=True)
        db_url = f"sqlite+aiosqlite:///{db_path}"
    await upgrade(db_url)
    fake = FakeDiscord(spec)
    await fake.start()
    env = process_env(fake, db_url, "soak-token")
    bot = BotProcess(fake, env, workdir / "bot.log", plan.speed)
    try:
        return await Soak(fake, bot, plan, db_url).run()
    finally:
        await bot.stop()
        await fake.stop()
