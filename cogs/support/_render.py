"""How support requests look in Discord: the queue card and the /support-queue list."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.services.support import ESCALATION_TARGETS, QueuePage, RequestView
from bot.ui.timefmt import both

URGENCY_COLOURS = {
    "urgent": discord.Colour.red(),
    "today": discord.Colour.orange(),
    "week": discord.Colour.gold(),
    "whenever": discord.Colour.blue(),
}


def safe(text: str) -> str:
    """Return someone's words to show as typed: no markdown, masked links or mentions."""
    escaped = discord.utils.escape_markdown(discord.utils.escape_mentions(text))
    # escape_markdown leaves [text](url) alone, which Discord renders as a disguised link.
    return escaped.replace("[", "\\[").replace("]", "\\]").replace("<", "\\<")


def waited_text(minutes: int) -> str:
    """Return a wait in words, e.g. '1 hour 5 minutes'."""
    hours, mins = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if mins or not hours:
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(parts)


def _who(view: RequestView) -> str:
    if view.user_id is None:
        return "Someone who has since erased their data"
    return f"<@{view.user_id}>"


def card_embed(view: RequestView, tz: ZoneInfo, note: str | None = None) -> discord.Embed:
    """Return the queue card of a request: metadata only, never anyone's words."""
    colour = (
        discord.Colour.dark_grey()
        if view.status == "resolved"
        else URGENCY_COLOURS.get(view.urgency)
    )
    embed = discord.Embed(title=f"{view.kind_label} #{view.id}"[:256], colour=colour)
    person = {"request": "From", "safeguarding": "Written by", "report": "Reported by"}
    embed.add_field(name=person.get(view.kind, "From"), value=_who(view), inline=True)
    embed.add_field(name="Urgency", value=view.urgency_label, inline=True)
    embed.add_field(name="Status", value=view.status_label, inline=True)
    if view.topic_label:
        embed.add_field(name="About", value=view.topic_label, inline=False)
    if view.message_link:
        embed.add_field(name="Message", value=f"[Jump to the message]({view.message_link})")
    if view.private_channel_id:
        embed.add_field(name="Private space", value=f"<#{view.private_channel_id}>")
    embed.add_field(name="Raised", value=both(view.created_at, tz), inline=False)
    if view.claimed_by:
        embed.add_field(name="Picked up by", value=f"<@{view.claimed_by}>", inline=True)
    if view.escalated_to:
        target = ESCALATION_TARGETS.get(view.escalated_to, view.escalated_to)
        reason = f"\n{safe(view.escalation_reason)}" if view.escalation_reason else ""
        embed.add_field(name="Escalated to", value=f"{target}{reason}"[:1024], inline=False)
    if view.status == "resolved":
        extra = f"\n{safe(view.resolution_note)}" if view.resolution_note else ""
        embed.add_field(name="Outcome", value=f"{view.outcome_label}{extra}"[:1024], inline=False)
    if view.kind == "safeguarding" and view.author_is_staff:
        embed.description = (
            "Crisis words were spotted in a message by someone on the team. They may have been "
            "quoting someone to help them, or they may need support themselves. The message "
            "has **not** been removed and they were sent the crisis contacts. Please check in "
            "with them kindly and privately."
        )
    elif view.kind == "safeguarding":
        embed.description = (
            "Crisis words were spotted in this message. It has **not** been removed. The "
            "author was sent the crisis contacts privately. Please check in with them."
        )
    elif view.kind == "report":
        embed.description = "A member reported this message. It has not been removed."
    if note:
        embed.set_footer(text=note[:2048])
    return embed


def card_content(view: RequestView, moderator_role_id: int | None, ping: bool) -> str | None:
    """Return the text above a card: a role ping for urgent requests (the role given)."""
    if not ping or moderator_role_id is None:
        return None
    if view.author_is_staff:
        return (
            f"<@&{moderator_role_id}> Someone on the team may need support: crisis words were "
            "spotted in their message. Please check in with them kindly."
        )
    if view.urgency == "urgent":
        return f"<@&{moderator_role_id}> Urgent: someone may be at risk. Please pick this up now."
    return f"<@&{moderator_role_id}> This needs someone today."


def queue_embed(page: QueuePage, tz: ZoneInfo, now: datetime) -> discord.Embed:
    """Return the /support-queue list: most urgent first, then the longest waiting."""
    embed = discord.Embed(title=f"Open support requests: {page.total}")
    if not page.requests:
        embed.description = "Nothing is waiting. Thank you for keeping on top of it."
        return embed
    lines = []
    for view in page.requests:
        waited = int((now - view.created_at).total_seconds() // 60)
        waited_text = f"{waited // 60}h {waited % 60}m" if waited >= 60 else f"{waited}m"
        where = ""
        if view.card_channel_id and view.card_message_id:
            where = (
                f" · [card](https://discord.com/channels/{view.guild_id}/"
                f"{view.card_channel_id}/{view.card_message_id})"
            )
        holder = f" · <@{view.claimed_by}>" if view.claimed_by else ""
        lines.append(
            f"**#{view.id}** {view.urgency_label} · {view.kind_label}"
            f"{' · ' + view.topic_label if view.topic_label else ''} · {view.status_label}"
            f"{holder} · waiting {waited_text}{where}"
        )
    text = ""
    for line in lines:
        if len(text) + len(line) + 1 > 3900:
            text += "\n…and more: resolve some to see the rest."
            break
        text += line + "\n"
    embed.description = text.strip()
    return embed
