"""/poll create, close, results and votes; the results and reminders go out through the outbox."""

from __future__ import annotations

import csv
import io
import logging

import discord
from discord import app_commands

from bot.services.errors import NotAllowed
from bot.services.polls import (
    OptionsRead,
    PollClosed,
    PollDraft,
    PollReminder,
    PollView,
    parse_closing,
    read_options,
)
from bot.ui.actor import actor_for
from bot.ui.choices import audiences, numbered, parse_audience
from bot.ui.cog import FeatureCog
from bot.ui.commands import command
from bot.ui.context import Interaction
from bot.ui.replies import clip, reply
from bot.ui.timefmt import both
from cogs.polls._closing import chart, poll_channel, redraw
from cogs.polls._deliveries import PollsSenders
from cogs.polls._render import (
    message_link,
    options_read_text,
    poll_embed,
    results_embed,
    small_audience_text,
)
from cogs.polls._views import (
    CreatePollModal,
    LiveResultsButton,
    MyVoteButton,
    VoteButton,
    VoteSelect,
    vote_view,
)

log = logging.getLogger(__name__)
WAITING_CHOICE = "Polls open to you once a worker approves your sign-up"


async def poll_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
    """Offer the recent polls this person may see (or say why there are none yet)."""
    polls = interaction.client.services.polls
    actor = actor_for(interaction)
    found = await polls.recent(actor)
    if not found and await polls.is_waiting(actor):
        # Choosing this explains itself: the command answers why polls are closed to them.
        return [app_commands.Choice(name=WAITING_CHOICE, value=0)]
    return numbered(current, ((p.id, p.question, "" if p.is_open else " (closed)") for p in found))


class PollsCog(FeatureCog):
    """Quick polls through Discord: thin glue over the polls service."""

    poll = app_commands.Group(name="poll", description="Quick polls")

    async def cog_load(self) -> None:
        """Make vote buttons on posted polls work after a restart; send what polls owe."""
        self.bot.add_dynamic_items(VoteButton, VoteSelect, MyVoteButton, LiveResultsButton)
        PollsSenders(self.bot).register()
        self.bot.scheduler.on(PollClosed, self.closed)
        self.bot.scheduler.on(PollReminder, self.reminded)

    # ---- commands ----------------------------------------------------------------------------

    @command(
        poll,
        "create",
        "Ask a quick poll",
        question="The question (up to 300 characters)",
        closes="When voting ends: '3d', '48h', or a UK date and time like '1 Dec 5pm'",
        options="2 to 10 options, separated by ';' or ',' (leave empty to type one per line)",
        audience="Who may vote: Everyone, an area or a level",
        multiple="Can people choose more than one option?",
        anonymous="Keep votes anonymous (cannot be turned off later)",
        hide_results="Hide results until the poll closes (cannot be turned off later)",
        channel="Where to post it (default: the polls channel)",
        reminder="When to DM one reminder to those who haven't voted: from now ('2d') or a UK time",
    )
    @app_commands.autocomplete(audience=audiences)
    async def create(
        self,
        interaction: Interaction,
        question: str,
        closes: str,
        options: str | None = None,
        audience: str | None = None,
        multiple: bool = False,
        anonymous: bool = True,
        hide_results: bool = True,
        channel: discord.TextChannel | None = None,
        reminder: str | None = None,
    ) -> None:
        """Create and post a poll, or open a form for long options."""
        kind, value = parse_audience(self.settings_for(interaction.guild_id), audience)

        def draft(question: str, options: OptionsRead) -> PollDraft:
            # Times are read when the poll is made: after the form, if there is one.
            now, tz = self.services.clock.now(), self.settings.tz
            return PollDraft(
                question=question,
                options=options.options,
                closes_at=parse_closing(closes, now, tz),
                multiple=multiple,
                anonymous=anonymous,
                results_hidden=hide_results,
                audience_kind=kind,
                audience_value=value,
                channel_id=channel.id if channel else None,
                reminder_at=parse_closing(reminder, now, tz) if reminder else None,
            )

        # Check the cheap things before showing a form that would then be refused.
        draft(question, read_options("a;b"))
        if options is None:

            async def from_modal(inner: Interaction, question: str, options: str) -> None:
                read = read_options(options)
                await self._create(inner, draft(question, read), read)

            await interaction.response.send_modal(CreatePollModal(question, from_modal))
            return
        read = read_options(options)
        await self._create(interaction, draft(question, read), read)

    async def _create(self, interaction: Interaction, draft: PollDraft, read: OptionsRead) -> None:
        actor = actor_for(interaction)
        poll = await self.services.polls.create(actor, draft)
        size = await self.services.polls.audience_count(poll.guild_id, poll.id)
        try:
            poll = await self._post(poll, size)
        except (discord.HTTPException, NotAllowed):
            await self.services.polls.discard(actor, poll.id)
            raise NotAllowed(
                "I couldn't post the poll in that channel. Check I can send messages there, "
                "or choose another channel. Nothing was saved."
            ) from None
        lines = [
            f"Your poll is posted: {message_link(poll)}",
            f"It closes {both(poll.closes_at, self.settings.tz)}.",
            options_read_text(poll, read.separator),
        ]
        small = small_audience_text(poll, size)
        if small:
            lines.append(small)
        await reply(interaction, clip("\n".join(lines)))

    async def _post(self, poll: PollView, audience_size: int) -> PollView:
        channel = await poll_channel(self.bot, poll.channel_id)
        message = await channel.send(
            embed=poll_embed(poll, self.settings_for(poll.guild_id), audience_size=audience_size),
            view=vote_view(poll),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        await self.services.polls.set_message(poll.id, message.channel.id, message.id)
        return await self.services.polls.get(poll.guild_id, poll.id)

    @command(poll, "close", "Close a poll now", poll="The poll to close")
    @app_commands.autocomplete(poll=poll_choices)
    async def close(self, interaction: Interaction, poll: int) -> None:
        """Close a poll early and post its results."""
        # Closing rewrites every ballot, which takes a moment: answer Discord first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        event = await self.services.polls.close(actor_for(interaction), poll)
        # The results post was owed with the close: it goes out now, and survives a 503.
        await interaction.followup.send(
            f"Poll {poll} is closed. Its results are being posted in "
            f"<#{event.results.poll.channel_id}>.",
            ephemeral=True,
        )

    @command(
        poll,
        "edit",
        "Change an open poll's closing time, or make it anonymous or hidden",
        poll="The open poll",
        closes="New closing time: '3d', '48h', or a UK date and time",
        anonymous="Turn anonymity on (it can never be turned off)",
        hide_results="Hide results until close (can never be undone)",
    )
    @app_commands.autocomplete(poll=poll_choices)
    async def edit(
        self,
        interaction: Interaction,
        poll: int,
        closes: str | None = None,
        anonymous: bool | None = None,
        hide_results: bool | None = None,
    ) -> None:
        """Change an open poll; turning anonymity or hidden results off is refused."""
        now = self.services.clock.now()
        closes_at = parse_closing(closes, now, self.settings.tz) if closes else None
        view = await self.services.polls.edit(
            actor_for(interaction),
            poll,
            anonymous=anonymous,
            results_hidden=hide_results,
            closes_at=closes_at,
        )
        await reply(
            interaction,
            f"Poll {poll} is updated. It closes {both(view.closes_at, self.settings.tz)}.",
        )
        if view.message_id is None:
            return
        try:
            redrawn = await redraw(self.bot, await poll_channel(self.bot, view.channel_id), view)
        except NotAllowed:
            redrawn = False
        if not redrawn:
            log.info("poll %s message could not be updated after an edit", poll)

    @command(poll, "results", "See a poll's results", "member", poll="The poll")
    @app_commands.autocomplete(poll=poll_choices)
    async def results(self, interaction: Interaction, poll: int) -> None:
        """Show counts and a chart privately (once results are not hidden)."""
        actor = actor_for(interaction)
        try:
            found = await self.services.polls.results(actor, poll)
        except NotAllowed as hidden:
            # Workers still see how many have voted, to judge whether to nudge people.
            try:
                so_far = await self.services.polls.turnout(actor, poll)
            except NotAllowed:
                raise hidden from None
            await reply(
                interaction,
                f"{hidden.message}\nSo far {so_far.total_ballots} of {so_far.audience_size} "
                "members have voted.",
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        file, name = await chart(found)
        await interaction.followup.send(
            embed=results_embed(found, self.settings.tz, chart=name),
            file=file or discord.utils.MISSING,
            ephemeral=True,
        )

    @command(poll, "votes", "Who voted what in a named poll (workers)", poll="The named poll")
    @app_commands.autocomplete(poll=poll_choices)
    async def votes(self, interaction: Interaction, poll: int) -> None:
        """Send a CSV of names and choices; anonymous polls refuse."""
        found = await self.services.polls.named_votes(actor_for(interaction), poll)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["name", "discord_user_id", "choices"])
        for vote in found:
            name = vote.preferred_name or "(erased)"
            # A leading =, +, - or @ would run as a formula in a spreadsheet.
            if name[:1] in "=+-@":
                name = "'" + name
            writer.writerow([name, vote.user_id or "", "; ".join(vote.labels)])
        data = out.getvalue().encode("utf-8")
        await reply(
            interaction,
            f"{len(found)} votes in poll {poll}.",
            file=discord.File(io.BytesIO(data), filename=f"poll-{poll}-votes.csv"),
        )

    # ---- scheduled events --------------------------------------------------------------------

    async def closed(self, event: PollClosed) -> None:
        """Note a close; its results and closed message were owed in the closing transaction."""
        log.info("poll %s closed (%s); its results are owed", event.results.poll.id, event.reason)

    async def reminded(self, event: PollReminder) -> None:
        """Note a reminder claim; each member's DM was owed in the same transaction."""
        log.info("poll %s reminder owed to %d members", event.poll.id, len(event.user_ids))
