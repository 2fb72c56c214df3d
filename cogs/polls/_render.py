"""How polls and their results look in Discord: embeds and the vote components."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import discord

from bot.services.polls import PollResults, PollView
from bot.settings import Settings
from bot.ui.timefmt import both

COLOUR = discord.Colour(0x2A6F97)
BAR_WIDTH = 12


def audience_text(poll: PollView, settings: Settings) -> str:
    """Say who may vote, in plain words."""
    text = poll.audience.describe(settings, everyone="every member")
    return text[:1].upper() + text[1:]


def message_link(poll: PollView) -> str | None:
    """Return a link to the posted poll, if it has been posted."""
    if poll.message_id is None:
        return None
    return f"https://discord.com/channels/{poll.guild_id}/{poll.channel_id}/{poll.message_id}"


def _escape(text: str) -> str:
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def poll_embed(poll: PollView, settings: Settings) -> discord.Embed:
    """Return the embed of the poll message (open or closed)."""
    tz = settings.tz
    lines = [f"**{_escape(poll.question)}**", ""]
    lines += [f"{i}. {_escape(label)}" for i, label in enumerate(poll.options, start=1)]
    if poll.multiple:
        lines += ["", "You can choose more than one."]
    embed = discord.Embed(
        title="Quick poll" + (" (closed)" if not poll.is_open else ""),
        description="\n".join(lines),
        colour=COLOUR if poll.is_open else discord.Colour.dark_grey(),
    )
    if poll.is_open:
        embed.add_field(name="Closes", value=both(poll.closes_at, tz), inline=False)
    else:
        closed = poll.closed_at or poll.closes_at
        embed.add_field(name="Closed", value=both(closed, tz), inline=False)
    embed.add_field(name="Who can vote", value=audience_text(poll, settings), inline=True)
    embed.add_field(
        name="Privacy",
        value=(
            "Anonymous: nobody, workers included, can see who voted what."
            if poll.anonymous
            else "Named: participation workers can see who voted what."
        ),
        inline=True,
    )
    embed.add_field(
        name="Results",
        value=(
            "Hidden until the poll closes."
            if poll.results_hidden
            else "Shown as votes come in (use “See results”)."
        ),
        inline=True,
    )
    embed.set_footer(text=f"Poll {poll.id} · you can change your vote until it closes")
    return embed


def _bar(count: int, top: int) -> str:
    filled = round(BAR_WIDTH * count / top) if top else 0
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def results_lines(results: PollResults) -> list[str]:
    """Return one line per option with its count, share and a text bar."""
    if results.withheld:
        return [
            "Fewer than 3 people voted, so the choices are not shown: with so few votes, "
            "showing them could tell people how someone voted in an anonymous poll."
        ]
    top = max(results.counts, default=0)
    total = results.total_ballots
    lines = []
    for label, count in zip(results.poll.options, results.counts, strict=True):
        share = f"{round(100 * count / total)}%" if total else "0%"
        votes = "vote" if count == 1 else "votes"
        lines.append(f"`{_bar(count, top)}` **{_escape(label)}** — {count} {votes} ({share})")
    return lines


def turnout_text(results: PollResults) -> str:
    """Say how many of the audience voted."""
    share = f" ({round(100 * results.turnout)}%)" if results.audience_size else ""
    return f"{results.total_ballots} of {results.audience_size} members voted{share}."


def results_embed(
    results: PollResults, tz: ZoneInfo, *, chart: str | None = None, late: bool = False
) -> discord.Embed:
    """Return the results embed; `chart` names an attached PNG to show."""
    poll = results.poll
    lines = [f"**{_escape(poll.question)}**", "", *results_lines(results), ""]
    lines.append(turnout_text(results))
    if poll.multiple:
        lines.append("People could choose more than one option, so shares add up to over 100%.")
    if late:
        lines.append("This poll closed while the bot was offline; its results are posted now.")
    embed = discord.Embed(
        title="Poll results" if not poll.is_open else "Poll results so far",
        description="\n".join(lines)[:4096],
        colour=COLOUR,
    )
    if poll.is_open:
        embed.add_field(name="Closes", value=both(poll.closes_at, tz), inline=False)
    if chart:
        embed.set_image(url=f"attachment://{chart}")
    embed.set_footer(
        text=f"Poll {poll.id} · " + ("anonymous" if poll.anonymous else "named") + " poll"
    )
    return embed
