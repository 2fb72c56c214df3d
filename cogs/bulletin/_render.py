"""How the monthly bulletin looks: one card, the same in announcements and in every DM."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.services.bulletin import BulletinContents, month_name
from bot.services.timeparse import format_date
from bot.settings import Settings
from bot.ui.replies import clip
from bot.ui.timefmt import uk_text

COLOUR = discord.Colour.gold()
FIELD_MAX = 1024
SESSIONS_HINT = "See them all and say if you're coming with /sessions."


def esc(text: str) -> str:
    """Show what a person typed as text, not as markdown."""
    return discord.utils.escape_markdown(text)


def _lines(lines: list[str]) -> str:
    """Join lines into one field, dropping whole lines (and saying so) past Discord's limit."""
    shown: list[str] = []
    for i, line in enumerate(lines):
        more = f"…and {len(lines) - i} more."
        if len("\n".join([*shown, line])) > FIELD_MAX - len(more) - 1:
            shown.append(more)
            break
        shown.append(line)
    return "\n".join(shown)


def bulletin_embed(contents: BulletinContents, settings: Settings) -> discord.Embed:
    """Return the bulletin card: a note, new opportunities, sessions, "you said, we did"."""
    tz = settings.tz
    embed = discord.Embed(
        title=clip(f"📰 {settings.group.name} bulletin — {month_name(contents.month)}", 256),
        colour=COLOUR,
        description=(
            clip(f"**A note from the team:** {esc(contents.note)}", 4000)
            if contents.note
            else "Here's what's new in the group this month."
        ),
    )
    opportunities = [
        f"• **{esc(o.kind_label)}: {esc(o.title)}** — "
        f"{format_date(datetime.fromisoformat(o.happens_at).astimezone(tz).date())}. "
        f"For: {esc(o.who)}. Pay: {esc(o.payment)}"
        for o in contents.opportunities
    ]
    embed.add_field(
        name="New opportunities",
        value=_lines([*opportunities, "See them all and say you're interested: /opportunities"])
        if opportunities
        else "No new opportunities this month. We'll post them in announcements as they come.",
        inline=False,
    )
    sessions = [
        f"• **{esc(x.title)}** — {uk_text(datetime.fromisoformat(x.starts_at), tz)}"
        + ("" if x.who == "everyone" else f" (for {esc(x.who)})")
        for x in contents.sessions
    ]
    embed.add_field(
        name="Sessions coming up",
        value=_lines([*sessions, SESSIONS_HINT])
        if sessions
        else "No sessions are booked yet for the coming weeks.",
        inline=False,
    )
    feedback = [
        f"• **{esc(f.title)}** — you said: {esc(clip(f.said, 150))} We did: {esc(clip(f.did, 200))}"
        for f in contents.feedback
    ]
    embed.add_field(
        name="You said, we did",
        value=_lines(feedback)
        if feedback
        else "No new “you said, we did” this month: we'll share what changed as soon as we can.",
        inline=False,
    )
    embed.set_footer(
        text="Thank you for being part of the group. Words you don't know? Try /jargon."
    )
    return embed
