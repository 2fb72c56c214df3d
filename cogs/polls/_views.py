"""Persistent vote buttons and selects (they carry the poll id), and the create form."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import discord

from bot.services.polls import PollView, VoteReceipt
from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.persistent import Form, PersistentButton, PersistentSelect
from bot.ui.replies import reply
from bot.ui.timefmt import both
from cogs.polls._render import results_embed

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


def receipt_text(receipt: VoteReceipt, tz: ZoneInfo) -> str:
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


async def _vote(interaction: Interaction, poll_id: int, choices: list[int]) -> None:
    client = interaction.client
    receipt = await client.services.polls.vote(actor_for(interaction), poll_id, choices)
    await reply(interaction, receipt_text(receipt, client.settings.tz))


class VoteButton(PersistentButton, key="poll:vote:{poll_id}:{index}"):
    """One option of a single-choice poll."""

    def __init__(self, poll_id: int, index: int, label: str = "Vote") -> None:
        super().__init__(label=label[:80], style=BUTTON_STYLE, row=0, poll_id=poll_id, index=index)
        self.poll_id = poll_id
        self.index = index

    async def run(self, interaction: Interaction) -> None:
        """Cast or change the vote, and confirm privately."""
        await _vote(interaction, self.poll_id, [self.index])


class VoteSelect(PersistentSelect, key="poll:pick:{poll_id}"):
    """The options of a multiple-choice poll, or of one with more than five options."""

    def __init__(
        self,
        poll_id: int,
        options: list[discord.SelectOption] | None = None,
        placeholder: str | None = None,
        max_values: int = 1,
    ) -> None:
        # Rebuilt after a restart with only the poll id: the base restores the options.
        super().__init__(
            options=options or [],
            placeholder=placeholder,
            min_values=1,
            max_values=max_values,
            row=0,
            poll_id=poll_id,
        )
        self.poll_id = poll_id

    @classmethod
    def for_poll(cls, poll: PollView) -> VoteSelect:
        """Build the select for a poll."""
        return cls(
            poll.id,
            options=[
                discord.SelectOption(label=label[:100], value=str(i))
                for i, label in enumerate(poll.options)
            ],
            placeholder="Choose all that apply" if poll.multiple else "Choose one option",
            max_values=len(poll.options) if poll.multiple else 1,
        )

    async def run(self, interaction: Interaction) -> None:
        """Cast or change the vote with every option picked."""
        picked = [int(v) for v in self.values if v.isdigit()]
        await _vote(interaction, self.poll_id, picked)


class _PollButton(PersistentButton, template=r"poll:never"):
    """A grey button under a poll's options that answers about the whole poll."""

    caption: ClassVar[str]

    def __init__(self, poll_id: int) -> None:
        super().__init__(label=self.caption, row=1, poll_id=poll_id)
        self.poll_id = poll_id


class MyVoteButton(_PollButton, key="poll:mine:{poll_id}"):
    """Show the member, privately, what they chose."""

    caption = "My vote"

    async def run(self, interaction: Interaction) -> None:
        """Tell the member their current choice (only they see it)."""
        client = interaction.client
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
            if client.services.clock.now() < poll.closes_at:
                text = f"You chose {labels}. You can change it until {until}."
            else:
                # Past its time but not yet closed by the scheduler: it can't be changed now.
                text = f"You chose {labels}. Voting closed {until}, so it can't be changed now."
        await reply(interaction, text)


class LiveResultsButton(_PollButton, key="poll:live:{poll_id}"):
    """Show the results so far of a poll whose results are not hidden."""

    caption = "See results"

    async def run(self, interaction: Interaction) -> None:
        """Reply privately with the counts so far."""
        client = interaction.client
        results = await client.services.polls.results(actor_for(interaction), self.poll_id)
        await reply(interaction, embed=results_embed(results, client.settings.tz))


class CreatePollModal(Form):
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
        self, question: str | None, create: Callable[[Interaction, str, str], Awaitable[None]]
    ) -> None:
        super().__init__(custom_id="poll:create:modal", title="New quick poll")
        if question:
            self.question.default = question[:300]
        self.create = create

    async def submit(self, interaction: Interaction) -> None:
        """Create and post the poll."""
        await self.create(interaction, self.question.value, self.options.value)
