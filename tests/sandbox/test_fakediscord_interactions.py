"""A small discord.py bot driven through the fake: commands, components, modals, menus."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.sandbox.fakediscord import CommandError, FakeDiscord

Connect = Callable[[discord.Client], Awaitable[discord.Client]]
FRUITS = ["apple", "apricot", "banana", "cherry"]


class PanelView(discord.ui.View):
    """A persistent view: fixed custom_ids, no timeout."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="OK", custom_id="panel:ok", style=discord.ButtonStyle.primary)
    async def ok(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(content=f"clicked by {interaction.user.id}")

    @discord.ui.select(
        custom_id="panel:pick",
        options=[discord.SelectOption(label=x, value=x) for x in ("red", "green", "blue")],
        max_values=2,
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        await interaction.response.send_message(f"picked {','.join(select.values)}", ephemeral=True)


class Counter(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"count:(?P<n>\d+)"):
    """A restart-proof button carrying its state in the custom_id."""

    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label=str(n), custom_id=f"count:{n}"))
        self.n = n

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Counter:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(Counter(self.n + 1))
        await interaction.response.edit_message(content=f"count {self.n + 1}", view=view)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """A modal mixing the old action-row text input and the new Label form."""

    name: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Name", max_length=20)
    detail: discord.ui.Label[Any] = discord.ui.Label(
        text="Detail",
        component=discord.ui.TextInput(
            custom_id="detail", style=discord.TextStyle.paragraph, required=False
        ),
    )

    mood: discord.ui.Label[Any] = discord.ui.Label(
        text="Mood",
        component=discord.ui.Select(
            custom_id="mood",
            options=[discord.SelectOption(label=x, value=x) for x in ("good", "meh")],
            required=False,
        ),
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.detail.component, discord.ui.TextInput)
        assert isinstance(self.mood.component, discord.ui.Select)
        text = self.detail.component.value
        if self.mood.component.values:
            text += f" ({self.mood.component.values[0]})"
        await interaction.response.send_message(f"thanks {self.name.value}: {text}", ephemeral=True)


class Layout(discord.ui.LayoutView):
    """Components v2: a container with text and a button row."""

    container: discord.ui.Container[Any] = discord.ui.Container(
        discord.ui.TextDisplay("## Session"),
        discord.ui.TextDisplay("Tuesday 18:00"),
        accent_colour=discord.Colour.blurple(),
    )
    row: discord.ui.ActionRow[Any] = discord.ui.ActionRow()

    @row.button(label="Join", custom_id="layout:join")
    async def join(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_message("joined", ephemeral=True)


class ConfirmView(discord.ui.View):
    """A view on an ephemeral message."""

    @discord.ui.button(label="Yes", custom_id="confirm:yes")
    async def yes(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="confirmed", view=None)


class WhoView(discord.ui.View):
    """A user select."""

    @discord.ui.select(cls=discord.ui.UserSelect, custom_id="who:pick")
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.UserSelect[Any]
    ) -> None:
        (user,) = select.values
        await interaction.response.send_message(f"picked {user.display_name}", ephemeral=True)


@dataclass
class Seen:
    dms: list[str]


class TestBot(commands.Bot):
    __test__ = False

    def __init__(self, guild_id: int) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
        self.guild_id = guild_id
        self.seen = Seen(dms=[])
        _add_commands(self.tree)

    async def setup_hook(self) -> None:
        self.add_view(PanelView())
        self.add_dynamic_items(Counter)
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)
        await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None and message.author != self.user:
            self.seen.dms.append(message.content)


def _add_commands(tree: app_commands.CommandTree[Any]) -> None:
    @tree.command(description="Echo options back")
    async def echo(
        interaction: discord.Interaction,
        text: str,
        count: int,
        who: discord.User,
        file: discord.Attachment | None = None,
    ) -> None:
        name = file.filename if file else "-"
        await interaction.response.send_message(
            f"{text} x{count} for {who.id} {name}", ephemeral=True
        )

    @tree.command(description="Think, then answer")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("done")
        await interaction.edit_original_response(content="edited")
        original = await interaction.original_response()
        assert original.content == "edited"
        await interaction.followup.send("more", ephemeral=True)

    @tree.command(description="Show the panel")
    async def panel(interaction: discord.Interaction) -> None:
        view = PanelView()
        view.add_item(Counter(0))
        await interaction.response.send_message("panel", view=view)

    @tree.command(description="Give feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @tree.command(description="Pick a fruit")
    async def fruit(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"fruit {name}", ephemeral=True)

    @fruit.autocomplete("name")
    async def fruit_names(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f, value=f) for f in FRUITS if f.startswith(current)]

    group = app_commands.Group(name="support", description="Support tools")

    @group.command(description="Show the queue")
    async def queue(interaction: discord.Interaction, size: int = 3) -> None:
        await interaction.response.send_message(f"queue {size}", ephemeral=True)

    tree.add_command(group)

    @tree.context_menu(name="Quote")
    async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"quoted: {message.content}", ephemeral=True)

    @tree.command(description="DM me")
    async def dmme(interaction: discord.Interaction) -> None:
        await interaction.user.send("hello from bot")
        await interaction.response.send_message("sent", ephemeral=True)

    @tree.command(description="Answer after a delay")
    async def late(interaction: discord.Interaction, delay: float) -> None:
        await asyncio.sleep(delay)
        await interaction.response.send_message("late", ephemeral=True)

    @tree.command(description="Every option kind")
    async def kinds(
        interaction: discord.Interaction,
        role: discord.Role,
        channel: discord.TextChannel,
        ratio: float,
        flag: bool,
        member: discord.Member,
    ) -> None:
        text = f"{role.name}|{channel.name}|{ratio}|{flag}|{member.display_name}"
        await interaction.response.send_message(text, ephemeral=True)

    @tree.context_menu(name="Profile")
    async def profile(interaction: discord.Interaction, user: discord.Member) -> None:
        await interaction.response.send_message(f"profile of {user.id}", ephemeral=True)

    @tree.command(description="Show a layout")
    async def layout(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(view=Layout(timeout=None))

    @tree.command(description="Ask privately")
    async def confirm(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "sure?", view=ConfirmView(timeout=None), ephemeral=True
        )

    @tree.command(description="Pick a person")
    async def who(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("who?", view=WhoView(timeout=None))

    @tree.command(description="Send a file")
    async def report(interaction: discord.Interaction) -> None:
        data = discord.File(io.BytesIO(b"a,b\n1,2\n"), filename="report.csv")
        await interaction.response.send_message("your report", file=data)


@dataclass
class World:
    fake: FakeDiscord
    bot: TestBot
    guild_id: int
    owner: int
    user: int
    channel: int


@pytest.fixture
async def world(fake: FakeDiscord, connect: Connect) -> World:
    owner = fake.create_user("Olivia")
    guild_id = fake.create_guild("Youth Voices", owner)
    channel = fake.create_channel(guild_id, "general")
    user = fake.create_user("Sam", "Sam S")
    fake.add_member(guild_id, user)
    bot = TestBot(guild_id)
    await connect(bot)
    return World(fake, bot, guild_id, owner, user, channel)


async def test_sync_registers_commands_with_ids(world: World) -> None:
    names = sorted(c["name"] for c in world.fake.commands(world.guild_id))
    assert names == [
        "Profile",
        "Quote",
        "confirm",
        "dmme",
        "echo",
        "feedback",
        "fruit",
        "kinds",
        "late",
        "layout",
        "panel",
        "report",
        "slow",
        "support",
        "who",
    ]
    assert all(c["id"].isdigit() for c in world.fake.commands(world.guild_id))


async def test_slash_command_with_options_answers_ephemerally(world: World) -> None:
    fake = world.fake
    upload = fake.upload_attachment("notes.txt", b"hi")
    options = {"text": "hello", "count": 2, "who": world.owner, "file": upload}
    handle = await fake.invoke(world.user, world.guild_id, "echo", options)
    body = await handle.response()
    assert body["type"] == 4
    assert handle.ephemeral
    assert handle.content == f"hello x2 for {world.owner} notes.txt"
    assert handle.latency is not None and handle.latency < 3
    assert fake.messages_in(world.channel) == []  # ephemeral replies are not in the channel


async def test_defer_followup_and_edit_original(world: World) -> None:
    fake = world.fake
    handle = await fake.invoke(world.user, world.guild_id, "slow")
    assert (await handle.response())["type"] == 5
    await fake.wait_for(lambda: len(handle.followups) == 1)
    assert handle.content == "edited"
    assert not handle.thinking and not handle.ephemeral
    assert handle.followups[0]["content"] == "more"
    assert handle.followups[0]["flags"] & 64


async def test_persistent_button_select_and_dynamic_item(world: World) -> None:
    fake = world.fake
    handle = await fake.invoke(world.user, world.guild_id, "panel")
    await handle.response()
    assert handle.original is not None
    message_id = int(handle.original["id"])
    click = await fake.click(world.user, message_id, "panel:ok")
    assert (await click.response())["type"] == 7
    assert fake.message(message_id)["content"] == f"clicked by {world.user}"
    pick = await fake.select(world.user, message_id, "panel:pick", ["red", "blue"])
    await pick.response()
    assert pick.content == "picked red,blue" and pick.ephemeral
    count = await fake.click(world.user, message_id, "count:0")
    await count.response()
    assert fake.message(message_id)["content"] == "count 1"
    again = await fake.click(world.user, message_id, "count:1")
    await again.response()
    assert fake.message(message_id)["content"] == "count 2"


async def test_modal_shown_and_submitted(world: World) -> None:
    fake = world.fake
    handle = await fake.invoke(world.user, world.guild_id, "feedback")
    assert (await handle.response())["type"] == 9
    modal = handle.modal
    assert modal is not None and modal.title == "Feedback"
    assert modal.field(modal.fields[0].custom_id).label == "Name"
    assert modal.field("detail").label == "Detail" and modal.field("detail").in_label
    name_id = modal.fields[0].custom_id
    submitted = await fake.submit_modal(
        world.user, handle, {name_id: "Sam", "detail": "more please", "mood": ["good"]}
    )
    await submitted.response()
    assert submitted.content == "thanks Sam: more please (good)"
    with pytest.raises(ValueError, match="at most 20"):
        await fake.submit_modal(world.user, handle, {name_id: "x" * 21})


async def test_autocomplete_and_subcommand(world: World) -> None:
    fake = world.fake
    choices = await fake.autocomplete(world.user, world.guild_id, "fruit", {"name": "ap"}, "name")
    assert [c["value"] for c in choices] == ["apple", "apricot"]
    handle = await fake.invoke(world.user, world.guild_id, "support queue", {"size": 5})
    await handle.response()
    assert handle.content == "queue 5"


async def test_message_context_menu(world: World) -> None:
    fake = world.fake
    posted = await fake.send_message(world.user, world.channel, "quote me")
    handle = await fake.context_menu(world.owner, world.guild_id, "Quote", int(posted["id"]))
    await handle.response()
    assert handle.content == "quoted: quote me"


async def test_dm_both_ways(world: World) -> None:
    fake = world.fake
    handle = await fake.invoke(world.user, world.guild_id, "dmme")
    await handle.response()
    dms = await fake.wait_for(lambda: fake.dm_messages(world.user))
    assert dms[0]["content"] == "hello from bot"
    await fake.send_dm(world.user, "hi bot")
    await fake.wait_for(lambda: world.bot.seen.dms == ["hi bot"])


async def test_file_bytes_round_trip(world: World) -> None:
    fake = world.fake
    handle = await fake.invoke(world.user, world.guild_id, "report")
    await handle.response()
    assert handle.original is not None
    (attachment,) = handle.original["attachments"]
    assert attachment["filename"] == "report.csv"
    assert fake.attachment_bytes(attachment) == b"a,b\n1,2\n"
    # The attachment url is served, so discord.py's Attachment.read() works too.
    channel = world.bot.get_channel(world.channel)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.fetch_message(int(handle.original["id"]))
    assert await message.attachments[0].read() == b"a,b\n1,2\n"


async def test_interaction_answered_twice_is_a_violation(world: World) -> None:
    fake = world.fake
    handle = await fake.invoke(world.user, world.guild_id, "fruit", {"name": "apple"})
    await handle.response()
    interaction_id, token = handle.id, handle.token
    route = discord.http.Route("POST", "/interactions/{i}/{t}/callback", i=interaction_id, t=token)
    with pytest.raises(discord.HTTPException) as err:
        await world.bot.http.request(route, json={"type": 4, "data": {"content": "again"}})
    assert err.value.code == 40060
    assert any("answered twice" in v for v in fake.violations)
    fake.violations.clear()


async def test_unanswered_interaction_is_a_violation(world: World) -> None:
    fake = world.fake
    fake.registry.timeout = 0.2
    handle = await fake.invoke(world.user, world.guild_id, "late", {"delay": 0.4})
    await asyncio.sleep(0.3)
    assert not handle.responded
    assert any("'late'" in v and "not answered within 0.2s" in v for v in fake.violations)
    # The late answer is refused as Discord refuses it (404 Unknown interaction).
    await fake.wait_for(lambda: "POST" in " ".join(fake.requests[-1:]))
    assert not handle.responded
    fake.violations.clear()


async def test_dm_interaction_has_user_and_dm_channel(world: World) -> None:
    fake = world.fake
    handle = await fake.invoke(
        world.user, None, "echo", {"text": "hi", "count": 1, "who": world.user}
    )
    await handle.response()
    assert "user" in handle.payload and "member" not in handle.payload
    assert handle.payload["context"] == 1
    assert fake.is_dm(handle.channel_id)
    assert handle.content == f"hi x1 for {world.user} -"


async def test_button_on_ephemeral_message_and_user_select(world: World) -> None:
    fake = world.fake
    handle = await fake.invoke(world.user, world.guild_id, "confirm")
    await handle.response()
    assert handle.original is not None and handle.ephemeral
    click = await fake.click(world.user, int(handle.original["id"]), "confirm:yes")
    assert (await click.response())["type"] == 6
    await fake.wait_for(
        lambda: fake.message(int(handle.original_id or 0))["content"] == "confirmed"
    )
    assert fake.message(int(handle.original_id or 0))["components"] == []
    who = await fake.invoke(world.user, world.guild_id, "who")
    await who.response()
    assert who.original is not None
    picked = await fake.select(world.user, int(who.original["id"]), "who:pick", [world.owner])
    await picked.response()
    assert picked.content == "picked Olivia"


async def test_unknown_option_and_missing_command_are_refused(world: World) -> None:
    fake = world.fake
    with pytest.raises(CommandError, match="unknown options"):
        await fake.invoke(world.user, world.guild_id, "fruit", {"colour": "red"})
    with pytest.raises(CommandError, match="required option"):
        await fake.invoke(world.user, world.guild_id, "echo", {"text": "x"})
    with pytest.raises(CommandError, match="no command"):
        await fake.invoke(world.user, world.guild_id, "nope")


async def test_every_option_kind_resolves(world: World) -> None:
    fake = world.fake
    role = fake.create_role(world.guild_id, "Helpers")
    await fake.wait_for(lambda: world.bot.get_guild(world.guild_id).get_role(role))  # type: ignore[union-attr]
    options = {
        "role": role,
        "channel": world.channel,
        "ratio": 0.5,
        "flag": True,
        "member": world.owner,
    }
    handle = await fake.invoke(world.user, world.guild_id, "kinds", options)
    await handle.response()
    assert handle.content == "Helpers|general|0.5|True|Olivia"


async def test_user_context_menu(world: World) -> None:
    fake = world.fake
    handle = await fake.context_menu(
        world.user, world.guild_id, "Profile", target_user_id=world.owner
    )
    await handle.response()
    assert handle.content == f"profile of {world.owner}"


async def test_components_v2_layout_and_button(world: World) -> None:
    fake = world.fake
    handle = await fake.invoke(world.user, world.guild_id, "layout")
    await handle.response()
    assert handle.original is not None and handle.original["flags"] & (1 << 15)
    click = await fake.click(world.user, int(handle.original["id"]), "layout:join")
    await click.response()
    assert click.content == "joined"


async def test_transcript_reads_like_a_conversation(world: World) -> None:
    fake = world.fake
    handle = await fake.invoke(world.user, world.guild_id, "panel")
    await handle.response()
    assert handle.original is not None
    click = await fake.click(world.user, int(handle.original["id"]), "panel:ok")
    await click.response()
    modal = await fake.invoke(world.user, world.guild_id, "feedback")
    await modal.response()
    lines = fake.transcript()
    assert lines[0] == "[#general] Sam S: /panel"
    assert lines[1].startswith(f"[#general] bot: clicked by {world.user} [buttons: OK, 0]")
    assert lines[2] == "[#general] Sam S: clicked 'OK'"
    assert lines[3] == "[#general] Sam S: /feedback"
    assert lines[4] == "[#general] bot → Sam S: form 'Feedback' (Name, Detail, Mood)"
