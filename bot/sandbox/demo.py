"""The sandbox: the real bot against the local Discord stand-in, playing a group's first month."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.clock import ManualClock
from bot.sandbox.demo_consultation import consultation
from bot.sandbox.demo_session import session
from bot.sandbox.driver import BotHarness, attachments_of, command, everything_text, press
from bot.sandbox.fakediscord import FakeDiscord, Interaction
from bot.sandbox.transcript import Transcript
from bot.settings import Settings

log = logging.getLogger(__name__)
DEFAULT_SPEC = Path(__file__).resolve().parents[3] / "shared" / "discord-api-spec" / "openapi.json"


class Demo:
    """A scripted first month of a participation group."""

    def __init__(self, fake: FakeDiscord, harness: BotHarness, story: Transcript) -> None:
        self.fake = fake
        self.harness = harness
        self.story = story
        self.guild = story.guild_id
        self.people: dict[str, int] = {}
        self.channels: dict[str, int] = {}

    def person(self, key: str, name: str) -> int:
        """Create a Discord user who is in the server."""
        user = self.fake.create_user(key, name)
        self.fake.add_member(self.guild, user)
        self.people[key] = self.story.name(user, name)
        return user

    def channel(self, name: str) -> int:
        """Return a channel id by name (after /setup)."""
        for channel in self.fake.guild_channels(self.guild):
            if channel["name"] == name:
                return int(channel["id"])
        raise KeyError(name)

    def role(self, name: str) -> int:
        """Return a role id by name (after /setup)."""
        for role in self.fake.guild_roles(self.guild):
            if role["name"] == name:
                return int(role["id"])
        raise KeyError(name)

    async def setup(self) -> None:
        """The admin sets the server up and gives staff their roles."""
        story, fake = self.story, self.fake
        story.heading("Week 1: setting up")
        admin = self.people["admin"]
        await story.step(admin, "/setup", lambda: command(fake, admin, self.guild, "setup"))
        story.flush()
        fake.set_member_roles(self.guild, self.people["worker"], [self.role("Worker")])
        fake.set_member_roles(self.guild, self.people["moderator"], [self.role("Moderator")])
        story.note("Alex gives Wendy the Worker role and Mo the Moderator role")
        await fake.wait_for(lambda: self._bot_sees_role(self.people["worker"], "Worker"))

    def _bot_sees_role(self, user_id: int, name: str) -> bool:
        member = self.harness.bot.get_guild(self.guild).get_member(user_id)
        return member is not None and any(r.name == name for r in member.roles)

    async def join(self, key: str, **options: object) -> dict[str, object]:
        """Someone signs up and agrees; return their approval card."""
        story, fake = self.story, self.fake
        user = self.people[key]
        shown = ", ".join(f"{k}: {v}" for k, v in options.items())
        consent = await story.step(
            user, f"/join {shown}", lambda: command(fake, user, self.guild, "join", dict(options))
        )
        assert consent.original is not None, consent.content
        worker_log = self.channel("worker-log")
        before = len(fake.messages_in(worker_log))
        await story.step(
            user,
            "presses 'I agree — sign me up'",
            lambda: press(fake, user, consent.original or {}, "join:agree"),
        )
        await fake.wait_for(lambda: len(fake.messages_in(worker_log)) > before)
        story.flush()
        return fake.messages_in(worker_log)[-1]

    async def membership(self) -> None:
        """Three people join; a worker approves two and declines one; data rights."""
        story, fake = self.story, self.fake
        story.heading("Week 1: people sign up")
        jess_card = await self.join(
            "jess",
            name="Jess",
            age_band="16-17",
            i_am="Young person",
            area="North",
            reminder_dms=True,
            pronouns="she/her",
        )
        kai_card = await self.join(
            "kai",
            name="Kai",
            age_band="11-13",
            i_am="Young person",
            area="South",
            reminder_dms=False,
        )
        morgan_card = await self.join(
            "morgan",
            name="Morgan",
            age_band="Parent or carer",
            i_am="Parent or carer",
            area="East",
            reminder_dms=True,
        )
        worker = self.people["worker"]
        story.heading("Week 1: a worker looks at the sign-ups")
        await story.step(worker, "/signups", lambda: command(fake, worker, self.guild, "signups"))
        await story.step(
            worker, "approves Jess", lambda: press(fake, worker, jess_card, "signup:approve:")
        )
        await fake.wait_for(lambda: self._has_member_role(self.people["jess"], "Member"))
        story.flush()
        await story.step(
            worker,
            "confirms a parent/carer knows Kai is joining",
            lambda: press(fake, worker, kai_card, "signup:carer:"),
        )
        kai_card = fake.message(int(str(kai_card["id"])))
        await story.step(
            worker, "approves Kai", lambda: press(fake, worker, kai_card, "signup:approve:")
        )
        await fake.wait_for(lambda: self._has_member_role(self.people["kai"], "Member"))
        story.flush()
        form = await story.step(
            worker,
            "presses Decline on Morgan's sign-up",
            lambda: press(fake, worker, morgan_card, "signup:decline:"),
        )
        assert form.modal is not None
        reason = (
            "The carers' group for the East is full this term; we have added you to the "
            "list for January and will message you then."
        )
        field = form.modal.fields[0].custom_id
        await story.step(
            worker,
            f"declines with the reason: {reason}",
            lambda: self._submit(worker, form, {field: reason}),
        )
        await fake.wait_for(
            lambda: any(
                reason in (m.get("content") or "") for m in fake.dm_messages(self.people["morgan"])
            )
        )
        story.flush()

        story.heading("Week 2: data rights")
        jess = self.people["jess"]
        export = await story.step(
            jess, "/mydata", lambda: command(fake, jess, self.guild, "mydata")
        )
        files = await fake.wait_for(lambda: attachments_of(export))
        data = json.loads(fake.attachment_bytes(files[0]))
        story.note(f"Jess's file holds sections: {', '.join(sorted(data))}")
        kai = self.people["kai"]
        ask = await story.step(kai, "/forgetme", lambda: command(fake, kai, self.guild, "forgetme"))
        await story.step(
            kai,
            "presses 'Yes, erase my data'",
            lambda: press(fake, kai, ask.original or {}, "confirm:yes"),
        )
        await fake.wait_for(lambda: not (fake.member(self.guild, kai) or {}).get("roles"))
        story.flush()

    async def polls(self) -> None:
        """A worker asks a quick anonymous poll; Jess votes, changes her mind; it closes on time."""
        story, fake = self.story, self.fake
        worker, jess = self.people["worker"], self.people["jess"]
        polls = self.channel("polls")
        story.heading("Week 2: a quick poll")
        before = len(fake.messages_in(polls))
        question = "Which evening suits you best for our online sessions?"
        await story.step(
            worker,
            f"/poll create question: {question} options: Monday; Wednesday; Thursday closes: 3d",
            lambda: command(
                fake,
                worker,
                self.guild,
                "poll create",
                {"question": question, "options": "Monday; Wednesday; Thursday", "closes": "3d"},
            ),
        )
        poll = (await fake.wait_for(lambda: fake.messages_in(polls)[before:]))[-1]
        story.flush()
        ids = [c["custom_id"] for row in poll["components"] for c in row["components"]]
        monday, thursday = ids[0], ids[2]
        await story.step(jess, "votes Monday", lambda: press(fake, jess, poll, monday))
        await story.step(
            jess, "changes her vote to Thursday", lambda: press(fake, jess, poll, thursday)
        )
        story.heading("Week 2: the poll closes")
        self.harness.clock.advance(timedelta(days=3))
        story.note("three days pass")
        await self.harness.run_due()
        await fake.wait_for(
            lambda: any("Poll results" in everything_text(m) for m in fake.messages_in(polls))
        )
        story.note("nobody, workers included, can see who chose what")
        story.flush()

    async def engagement(self) -> None:
        """Jess's contributions make her eligible; she moves up; she claims travel expenses."""
        story, fake, harness = self.story, self.fake, self.harness
        worker, jess = self.people["worker"], self.people["jess"]
        story.heading("Weeks 2-5: contributions, a level move and expenses")
        for kind, hours in [("poll_vote", None)] * 3 + [("session_attended", "2")]:
            options: dict[str, Any] = {"member": jess, "kind": kind}
            if hours:
                options["hours"] = hours
            await story.step(worker, f"/contributions log {kind}", self._run(worker, options))
        harness.clock.advance(timedelta(days=35))
        story.note("five weeks pass")
        await harness.run_due()
        notice = await self._message(
            lambda: next(
                (m for m in fake.dm_messages(jess) if "eng:notice:" in str(m.get("components"))),
                None,
            )
        )
        story.flush()
        await story.step(
            jess, "chooses Move up", lambda: press(fake, jess, notice, "eng:notice:move_up:")
        )
        log_channel = self.channel("worker-log")
        card = await self._message(lambda: self._last_with(log_channel, "eng:move:confirm:"))
        await story.step(
            worker, "confirms Jess's move", lambda: press(fake, worker, card, "eng:move:confirm:")
        )
        await fake.wait_for(lambda: self._has_member_role(jess, "Level: Working Together"))
        progress = await story.step(
            jess, "/progress", lambda: command(fake, jess, self.guild, "progress")
        )
        await fake.wait_for(lambda: attachments_of(progress))
        story.flush()
        await story.step(
            jess,
            "/expenses claim travel £6.40",
            lambda: command(
                fake,
                jess,
                self.guild,
                "expenses claim",
                {"category": "travel", "amount": "£6.40", "note": "Bus to the session"},
            ),
        )
        claim = await self._message(lambda: self._last_with(log_channel, "eng:claim:approve:"))
        await story.step(
            worker, "approves the claim", lambda: press(fake, worker, claim, "eng:claim:approve:")
        )
        claim = fake.message(int(claim["id"]))
        await story.step(
            worker, "marks it paid", lambda: press(fake, worker, claim, "eng:claim:paid:")
        )
        await fake.wait_for(
            lambda: any("has been paid" in (m.get("content") or "") for m in fake.dm_messages(jess))
        )
        story.flush()

    async def support(self) -> None:
        """Jess asks for support by DM, Mo picks it up, and crisis words get help at once."""
        story, fake = self.story, self.fake
        jess, mo = self.people["jess"], self.people["moderator"]
        queue, peer = self.channel("support-queue"), self.channel("peer-support")

        def cards() -> list[dict[str, Any]]:
            return [m for m in fake.messages_in(queue) if m.get("embeds")]

        story.heading("Week 8: support and safeguarding")
        before = len(cards())
        await story.step(
            jess,
            "/support in a DM: I'm struggling and want to talk, I need help today",
            lambda: command(
                fake,
                jess,
                None,
                "support",
                {
                    "topic": "struggling",
                    "urgency": "today",
                    "message": "Exams are getting on top of me and I'd like to talk to someone.",
                },
            ),
        )
        await fake.wait_for(lambda: len(cards()) > before)
        story.flush()
        card = cards()[-1]
        await story.step(
            mo, "presses Claim on the card", lambda: press(fake, mo, card, "support:claim:")
        )
        space = self.channel("support-1")
        await fake.wait_for(
            lambda: any("picked up" in (m.get("content") or "") for m in fake.messages_in(space))
        )
        story.flush()
        await story.step(
            jess,
            "writes in #peer-support: this revision is killing me haha",
            lambda: fake.send_message(jess, peer, "this revision is killing me haha"),
        )
        story.note("a figure of speech: nothing happens")
        before = len(cards())
        await story.step(
            jess,
            "writes in #peer-support: honestly some days I feel like I can't go on",
            lambda: fake.send_message(jess, peer, "honestly some days I feel like I can't go on"),
        )
        await fake.wait_for(lambda: len(cards()) > before)
        story.flush()
        story.note("the message stays in #peer-support; only a link to it is kept")
        alert = cards()[-1]
        await story.step(
            mo, "claims the safeguarding alert", lambda: press(fake, mo, alert, "support:claim:")
        )
        await story.step(
            mo, "/support-queue", lambda: command(fake, mo, self.guild, "support-queue")
        )

    def _run(self, user: int, options: dict[str, Any]) -> Callable[[], Awaitable[Interaction]]:
        """Return a step that logs a contribution with these options."""
        return lambda: command(self.fake, user, self.guild, "contributions log", options)

    async def _message(self, find: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
        """Wait until find() returns a message, and return it."""
        found = await self.fake.wait_for(find)
        assert found is not None
        return found

    def _last_with(self, channel_id: int, prefix: str) -> dict[str, Any] | None:
        """Return the newest message in a channel with a component id starting with prefix."""
        for message in reversed(self.fake.messages_in(channel_id)):
            if prefix in str(message.get("components")):
                return message
        return None

    async def _submit(self, user: int, form: Interaction, values: dict[str, str]) -> Interaction:
        from bot.sandbox.driver import answered

        return await answered(await self.fake.submit_modal(user, form, values))

    def _has_member_role(self, user_id: int, role_name: str) -> bool:
        member = self.fake.member(self.guild, user_id) or {}
        return self.role(role_name) in {int(r) for r in member.get("roles", [])}


async def run_demo(settings: Settings, out: Path) -> int:
    """Play the demo; write the transcript; return 0 if Discord would have accepted everything."""
    spec = settings.discord_openapi_spec or (DEFAULT_SPEC if DEFAULT_SPEC.exists() else None)
    out.mkdir(parents=True, exist_ok=True)
    database = out / "sandbox.db"
    for leftover in out.glob("sandbox.db*"):
        leftover.unlink()
    fake = FakeDiscord(spec)
    await fake.start()
    print(
        "participation-bot sandbox: the real bot against a local Discord stand-in "
        f"({'requests checked against' if spec else 'no'} Discord's OpenAPI spec"
        f"{' ' + str(spec) if spec else ''})"
    )
    # A fixed Monday, 4pm UK time: the story reads the same on every run.
    clock = ManualClock(datetime(2026, 11, 2, 16, 0, tzinfo=UTC))
    admin = fake.create_user("admin", "Alex (admin)")
    guild = fake.create_guild("Riverside Participation Group", owner_id=admin)
    fake.create_channel(guild, "general")
    story = Transcript(fake, guild)
    sandbox_settings = settings.model_copy(
        update={
            "database_url": SecretStr(f"sqlite+aiosqlite:///{database}"),
            "discord_guild_id": guild,
            "discord_api_base": fake.api_base,
            "discord_gateway_url": fake.gateway_url,
        }
    )
    harness = BotHarness(fake, sandbox_settings, clock)
    demo = Demo(fake, harness, story)
    demo.people["admin"] = story.name(admin, "Alex (admin)")
    demo.person("worker", "Wendy (worker)")
    demo.person("moderator", "Mo (moderator)")
    for key, name in (("jess", "Jess"), ("kai", "Kai"), ("morgan", "Morgan")):
        demo.person(key, name)
    status = 0
    try:
        await harness.start()
        await demo.setup()
        await demo.membership()
        await demo.polls()
        await demo.engagement()
        await consultation(demo)
        await demo.support()
        await session(demo)
    except Exception:
        log.exception("the sandbox demo stopped early")
        status = 1
    finally:
        await harness.stop()
        await fake.stop()
    text_path, html_path = story.write(out)
    if fake.violations:
        print("\nDiscord would have refused these requests:", file=sys.stderr)
        for violation in fake.violations:
            print(f"- {violation}", file=sys.stderr)
        status = 1
    print(f"\nTranscript: {text_path} and {html_path}")
    print("The sandbox demo finished." if status == 0 else "The sandbox demo FAILED.")
    return status
