"""How an opportunity looks in Discord: the announcement card and the lists."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import discord

from bot.services.opportunities import InterestedPerson, OpenOpportunity, OpportunityView
from bot.services.timeparse import format_date
from bot.settings import Settings
from bot.ui.replies import clip

COLOUR = discord.Colour.teal()


def esc(text: str) -> str:
    """Show what a person typed as text, not as markdown."""
    return discord.utils.escape_markdown(text)


def day_of(view: OpportunityView, tz: ZoneInfo) -> str:
    """Return the day it happens, e.g. "Thursday 14 January 2027"."""
    return format_date(view.happens_at.astimezone(tz).date())


def last_day(view: OpportunityView, tz: ZoneInfo) -> str:
    """Return the last day to say you're interested (the day before it happens)."""
    return format_date((view.closes_at - timedelta(seconds=1)).astimezone(tz).date())


def message_link(view: OpportunityView) -> str | None:
    """Return a link to the announcement, once it is posted."""
    if view.channel_id is None or view.message_id is None:
        return None
    return f"https://discord.com/channels/{view.guild_id}/{view.channel_id}/{view.message_id}"


def opportunity_embed(view: OpportunityView, settings: Settings) -> discord.Embed:
    """Return the announcement card: what, who, when and the money, all stated up front."""
    tz = settings.tz
    embed = discord.Embed(
        title=clip(f"{view.kind_label}: {view.title}", 256),
        description=clip(esc(view.involves), 4000),
        colour=discord.Colour.dark_grey() if view.closed else COLOUR,
    )
    embed.add_field(name="Who it suits", value=clip(esc(view.who), 1024), inline=False)
    embed.add_field(name="When", value=day_of(view, tz), inline=True)
    if view.hours is not None:
        embed.add_field(name="Time it takes", value=f"About {view.hours.normalize():f} hours")
    embed.add_field(name="Payment and expenses", value=clip(esc(view.payment), 1024), inline=False)
    if view.closed:
        embed.add_field(
            name="Closed", value="This opportunity has closed to new interest.", inline=False
        )
        embed.set_footer(text="Thank you to everyone who put themselves forward.")
    else:
        embed.add_field(
            name="Say you're interested by",
            value=f"the end of {last_day(view, tz)}",
            inline=False,
        )
        embed.set_footer(
            text="Press “I'm interested” to put yourself forward: it doesn't commit you to "
            "anything, and a worker will be in touch. Ask about adjustments any time."
        )
    return embed


def open_list_embed(found: list[OpenOpportunity], settings: Settings) -> discord.Embed:
    """Return the open opportunities one person can see, up to 25."""
    tz = settings.tz
    embed = discord.Embed(title="Open opportunities", colour=COLOUR)
    for item in found[:25]:
        view = item.opportunity
        lines = [
            f"**When:** {day_of(view, tz)}",
            f"**Who it suits:** {esc(view.who)}",
            f"**Payment and expenses:** {esc(view.payment)}",
            f"**Say you're interested by** the end of {last_day(view, tz)}",
        ]
        if item.interested:
            lines.append("✅ You've said you're interested.")
        link = message_link(view)
        if link:
            lines.append(f"[See the announcement]({link})")
        embed.add_field(
            name=clip(f"{view.kind_label}: {view.title}", 256),
            value=clip("\n".join(lines), 1024),
            inline=False,
        )
    return embed


def interested_text(
    view: OpportunityView, people: list[InterestedPerson], settings: Settings
) -> str:
    """Return who is interested, with their adjustments, for workers only."""
    if not people:
        return f"Nobody has said they're interested in **{esc(view.title)}** yet."
    names = {level.key: level.name for level in settings.ladder.levels}
    lines = [f"**{len(people)} interested in {esc(view.title)}** (only workers see this):"]
    for p in people:
        level = names.get(p.level_key or "", "no level yet")
        mark = " — ✅ selected" if p.selected else ""
        lines.append(f"• **{esc(p.name)}** (<@{p.user_id}>), {level}, {esc(p.locality)}{mark}")
        needs = list(p.adjustments)
        if p.adjustments_note:
            needs.append(f"“{esc(p.adjustments_note)}”")
        lines.append(f"  Adjustments: {'; '.join(needs)}" if needs else "  No adjustments noted.")
    lines.append("Select someone with `/opportunity select`.")
    return clip("\n".join(lines))
