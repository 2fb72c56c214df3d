"""Persistent vote buttons and selects (they carry the poll id), and the create modal."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.services.polls import PollView, VoteReceipt
from bot.ui.actor import actor_for
from bot.ui.forms import unique
from bot.ui.replies import guarded, reply
from bot.ui.timefmt import both

BUTTON_STYLE = discord.ButtonStyle.primary


def vote_view(poll: PollView) -> discord.ui.View:
    """Return the components of an open poll: buttons, or a select when they do not fit."""
    view = discord.ui.View(timeout=None)
    if not poll.is_open:
        return view
    if poll.uses_select:
        view.add_item(VoteSelect.for_poll(poll))
    else:
        for index, label in enumerate(poll.options):
            view.add_item(VoteButton(poll.id, index, label))
    view.add_item(MyVoteButton(poll.id))
    if not poll.results_hidden:
        view.add_item(LiveResultsButton(poll.id))
    return view


def receipt_text(receipt: VoteReceipt, tz: Any) -> str:
    """Return the private confirmation after a vote."""
    poll = receipt.poll
    chosen = ", ".join(f"**{discord.utils.escape_markdown(label)}**" for label in receipt.labels)
    head = (
        f"Your vote is changed to {chosen}."
        if receipt.changed
        else f"Your vote for {chosen} is saved."
    )
    lines = [f"✅ {head}", f"You can change it until {both(poll.closes_at, tz)}."]
    if poll.anonymous:
        lines.append("This poll is anonymous: nobody, workers included, can see how you voted.")
    else:
        lines.append("This is a named poll: participation workers can see how you voted.")
    if poll.results_hidden:
        lines.append("Results will be shared when the poll closes.")
    return "\n".join(lines)


async def _vote(interaction: discord.Interaction[Any], poll_id: int, choices: list[int]) -> None:
    client: Any = interaction.client
    receipt = await client.services.polls.vote(actor_for(interaction), poll_id, choices)
    await reply(interaction, receipt_text(receipt, client.settings.tz))


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"poll:vote:(?P<poll>[0-9]+):(?P<index>[0-9]+)",
):
    """One option of a single-choice poll."""

    def __init__(self, poll_id: int, index: int, label: str = "Vote") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                style=BUTTON_STYLE,
                custom_id=f"poll:vote:{poll_id}:{index}",
                row=0,
            )
        )
        self.poll_id = poll_id
        self.index = index

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteButton:
        """Rebuild the button from its custom_id (after a restart too)."""
        label = getattr(item, "label", None) or "Vote"
        return cls(int(match["poll"]), int(match["index"]), label)

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Cast or change the vote, and confirm privately."""
        await _vote(interaction, self.poll_id, [self.index])


class VoteSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"poll:pick:(?P<poll>[0-9]+)"
):
    """The options of a multiple-choice poll, or of one with more than five options."""

    def __init__(self, poll_id: int, select: discord.ui.Select[Any]) -> None:
        super().__init__(select)
        self.poll_id = poll_id

    @classmethod
    def for_poll(cls, poll: PollView) -> VoteSelect:
        """Build the select for a poll."""
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=f"poll:pick:{poll.id}",
            placeholder="Choose all that apply" if poll.multiple else "Choose one option",
            min_values=1,
            max_values=len(poll.options) if poll.multiple else 1,
            options=[
                discord.SelectOption(label=label[:100], value=str(i))
                for i, label in enumerate(poll.options)
            ],
            row=0,
        )
        return cls(poll.id, select)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteSelect:
        """Rebuild the select from the message it is on (after a restart too)."""
        assert isinstance(item, discord.ui.Select)
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=item.custom_id,
            min_values=item.min_values,
            max_values=item.max_values,
            options=list(item.options),
            placeholder=item.placeholder,
        )
        return cls(int(match["poll"]), select)

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Cast or change the vote with every option picked."""
        picked = [int(v) for v in self.item.values if v.isdigit()]
        await _vote(interaction, self.poll_id, picked)


class MyVoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"poll:mine:(?P<poll>[0-9]+)"
):
    """Show the member, privately, what they chose."""

    def __init__(self, poll_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="My vote",
                style=discord.ButtonStyle.secondary,
                custom_id=f"poll:mine:{poll_id}",
                row=1,
            )
        )
        self.poll_id = poll_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> MyVoteButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["poll"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Tell the member their current choice (only they see it)."""
        client: Any = interaction.client
        polls = client.services.polls
        actor = actor_for(interaction)
        poll = await polls.get(actor.guild_id, self.poll_id)
        choices = await polls.my_choices(actor, self.poll_id)
        if choices is None:
            text = (
                "You haven't voted in this poll yet."
                if poll.is_open
                else "This poll has closed, so votes can no longer be looked up or changed."
            )
        else:
            labels = ", ".join(
                f"**{discord.utils.escape_markdown(poll.options[i])}**" for i in choices
            )
            until = both(poll.closes_at, client.settings.tz)
            text = f"You chose {labels}. You can change it until {until}."
        await reply(interaction, text)


class LiveResultsButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"poll:live:(?P<poll>[0-9]+)"
):
    """Show the results so far of a poll whose results are not hidden."""

    def __init__(self, poll_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="See results",
                style=discord.ButtonStyle.secondary,
                custom_id=f"poll:live:{poll_id}",
                row=1,
            )
        )
        self.poll_id = poll_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> LiveResultsButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["poll"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Reply privately with the counts so far."""
        from cogs.polls._render import results_embed

        client: Any = interaction.client
        results = await client.services.polls.results(actor_for(interaction), self.poll_id)
        await reply(interaction, embed=results_embed(results, client.settings.tz))


class CreatePollModal(discord.ui.Modal):
    """Type the question and the options (one per line) when they are long."""

    question: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Question", max_length=300, custom_id="poll:create:question"
    )
    options: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Options: one per line (2 to 10)",
        style=discord.TextStyle.paragraph,
        max_length=1000,
        custom_id="poll:create:options",
        placeholder="Yes\nNo\nNot sure",
    )

    def __init__(
        self,
        question: str | None,
        create: Callable[[discord.Interaction[Any], str, str], Awaitable[None]],
    ) -> None:
        super().__init__(title="New quick poll", timeout=900, custom_id=unique("poll:create:modal"))
        if question:
            self.question.default = question[:300]
        self.create = create

    @guarded
    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Create and post the poll."""
        await self.create(interaction, self.question.value, self.options.value)
