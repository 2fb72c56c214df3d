"""How polls and their results look in Discord: embeds and the vote components."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import discord

from bot.services.polls import PollResults, PollView, may_show_turnout_only, too_few_to_show_choices
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


def _results_note(poll: PollView, audience_size: int | None) -> str:
    if not poll.is_open:
        return "Posted in this channel when the poll closed."
    note = (
        "Hidden until the poll closes."
        if poll.results_hidden
        else "Shown as votes come in (use “See results”)."
    )
    if audience_size is not None and too_few_to_show_choices(poll.anonymous, audience_size):
        # Said before anyone votes, so nobody is surprised by results without the choices.
        # Worded so it stays true if more members join later.
        note += (
            " Only a few members can vote in this poll. If fewer than 3 vote, the results "
            "will show only how many voted, not what they chose, to keep votes anonymous."
        )
    return note


def poll_embed(
    poll: PollView, settings: Settings, *, audience_size: int | None = None
) -> discord.Embed:
    """Return the embed of the poll message (open or closed); the size adds the small-group note."""
    tz = settings.tz
    lines = [f"**{_escape(poll.question)}**", ""]
    lines += [f"{i}. {_escape(label)}" for i, label in enumerate(poll.options, start=1)]
    if poll.multiple:
        more = (
            "You can choose more than one."
            if poll.is_open
            else "People could choose more than one."
        )
        lines += ["", more]
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
    embed.add_field(name="Results", value=_results_note(poll, audience_size), inline=True)
    # Once closed, nothing may suggest a vote can still be changed.
    footer = "you can change your vote until it closes" if poll.is_open else "voting has closed"
    embed.set_footer(text=f"Poll {poll.id} · {footer}")
    return embed


_SPLIT_AT = {
    "semicolons": "split at the semicolons",
    "lines": "one per line",
    "commas": "split at the commas",
    "slashes": "split at the slashes",
    "or": "split at the word “or”",
}


def options_read_text(poll: PollView, separator: str) -> str:
    """Tell the worker how their typed options were read, so a wrong split is seen at once."""
    how = _SPLIT_AT.get(separator)
    listed = " · ".join(f"**{_escape(label)}**" for label in poll.options)
    text = f"I read {len(poll.options)} options" + (f", {how}" if how else "") + f": {listed}"
    if separator not in {"semicolons", "lines"}:
        text += (
            "\nIf an option was meant to hold a comma, a slash or the word “or”, close this "
            "poll with /poll close and make it again with semicolons (;) between the options."
        )
    return text


def small_audience_text(poll: PollView, audience_size: int) -> str | None:
    """Warn the worker, before anyone votes, when an anonymous poll may show turnout only."""
    if not may_show_turnout_only(poll.anonymous, audience_size):
        return None
    who = {0: "No members", 1: "Only 1 member"}.get(audience_size, f"Only {audience_size} members")
    return (
        f"{who} can vote in this poll right now. It is anonymous, so if fewer than 3 "
        "people vote, the results will show only how many voted, not what they chose."
    )


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
