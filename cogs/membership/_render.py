"""How sign-ups and profiles look in Discord."""

from __future__ import annotations

import discord

from bot.services.membership import ADJUSTMENTS, MEMBER_TYPES, MemberView

STATUS_COLOURS = {
    "pending": discord.Colour.gold(),
    "approved": discord.Colour.green(),
    "declined": discord.Colour.red(),
}


def _adjustments(view: MemberView) -> str:
    items = [ADJUSTMENTS.get(a, a) for a in view.adjustments]
    if view.adjustments_note:
        items.append(f"In their words: {view.adjustments_note}")
    return "\n".join(f"• {item}" for item in items)[:1024] or "None asked for"


def profile_embed(view: MemberView, title: str) -> discord.Embed:
    """Return an embed of someone's details (for the card and /profile)."""
    embed = discord.Embed(title=title[:256], colour=STATUS_COLOURS.get(view.status))
    embed.add_field(name="Preferred name", value=view.preferred_name, inline=True)
    embed.add_field(name="Pronouns", value=view.pronouns or "Not given", inline=True)
    embed.add_field(name="Age band", value=view.age_band, inline=True)
    embed.add_field(name="Taking part as", value=MEMBER_TYPES.get(view.member_type, "?"))
    embed.add_field(name="Area", value=view.locality, inline=True)
    embed.add_field(name="Reminder DMs", value="Yes" if view.dm_opt_in else "No", inline=True)
    embed.add_field(name="Reasonable adjustments", value=_adjustments(view), inline=False)
    return embed


def card_embed(view: MemberView, note: str | None = None) -> discord.Embed:
    """Return the approval card workers see in the worker-log channel."""
    embed = profile_embed(view, f"Sign-up: {view.preferred_name}")
    embed.description = f"<@{view.user_id}> · status: **{view.status}**"
    if view.needs_carer_confirmation:
        embed.add_field(
            name="Under 16",
            value="A parent or carer knows: confirmed"
            if view.carer_confirmed
            else "First check that a parent or carer knows, then press 'Parent/carer knows'. "
            "Approve opens after that.",
            inline=False,
        )
    if view.decline_reason:
        embed.add_field(name="Reason given", value=view.decline_reason[:1024], inline=False)
    if note:
        embed.set_footer(text=note[:2048])
    return embed
