"""The sandbox: the real bot against the local Discord stand-in, playing a group's first months."""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.clock import ManualClock
from bot.sandbox.demo_bulletin import bulletin, report
from bot.sandbox.demo_consultation import consultation
from bot.sandbox.demo_engagement import engagement, polls
from bot.sandbox.demo_members import membership, more_members
from bot.sandbox.demo_opportunity import opportunity
from bot.sandbox.demo_session import session
from bot.sandbox.demo_support import support
from bot.sandbox.driver import BotHarness, command, press
from bot.sandbox.fakediscord import FakeDiscord, Interaction
from bot.sandbox.transcript import Transcript
from bot.sandbox.transcript_readability import members_read
from bot.settings import Settings

log = logging.getLogger(__name__)
PEOPLE = (
    ("jess", "Jess"),
    ("kai", "Kai"),
    ("morgan", "Morgan"),
    ("sam", "Sam"),
    ("priya", "Priya"),
    ("leo", "Leo"),
)
DEFAULT_SPEC = Path(__file__).resolve().parents[3] / "shared" / "discord-api-spec" / "openapi.json"


class Demo:
    """A scripted first months of a participation group."""

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
        await self.slash(admin, "setup")
        story.flush()
        fake.set_member_roles(self.guild, self.people["worker"], [self.role("Worker")])
        fake.set_member_roles(self.guild, self.people["moderator"], [self.role("Moderator")])
        story.note("Alex gives Wendy the Worker role and Mo the Moderator role")
        await fake.wait_for(lambda: self._bot_sees_role(self.people["worker"], "Worker"))

    async def slash(
        self,
        user: int,
        name: str,
        options: dict[str, Any] | None = None,
        action: str | None = None,
    ) -> Interaction:
        """Run a slash command as one step of the story (told as "/name" unless action says)."""
        return await self.story.step(
            user,
            action or f"/{name}",
            lambda: command(self.fake, user, self.guild, name, options),
        )

    async def click(
        self, user: int, action: str, message: dict[str, Any], prefix: str
    ) -> Interaction:
        """Press a message's component whose custom_id starts with prefix, as one story step."""
        return await self.story.step(user, action, lambda: press(self.fake, user, message, prefix))

    def _bot_sees_role(self, user_id: int, name: str) -> bool:
        member = self.harness.bot.get_guild(self.guild).get_member(user_id)
        return member is not None and any(r.name == name for r in member.roles)

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
    story = Transcript(fake, guild, now=clock.now)
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
    story.staff = {admin, demo.people["worker"], demo.people["moderator"]}
    for key, name in PEOPLE:
        demo.person(key, name)
    status = 0
    report_path: Path | None = None
    try:
        await harness.start()
        await demo.setup()
        await membership(demo)
        await more_members(demo)
        await polls(demo)
        await engagement(demo)
        await consultation(demo)
        await opportunity(demo)
        await support(demo)
        await session(demo)
        await bulletin(demo)
        report_path = await report(demo, out)
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
    if report_path is not None:
        print(f"The worker's report: {report_path}")
    print(members_read(story.entries).line())
    print("The sandbox demo finished." if status == 0 else "The sandbox demo FAILED.")
    return status
