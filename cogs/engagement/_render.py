"""How progress and expense claims look in Discord."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import discord

from bot.services.engagement import ClaimView, ProgressView
from bot.ui.timefmt import both

NEXT_LEVEL = "Next level"
CLAIM_COLOURS = {
    "submitted": discord.Colour.gold(),
    "approved": discord.Colour.blue(),
    "rejected": discord.Colour.red(),
    "paid": discord.Colour.green(),
}


def progress_embed(view: ProgressView) -> discord.Embed:
    """Return the /progress embed: level, contributions by kind, what the next level needs."""
    embed = discord.Embed(
        title="Your progress",
        description=(
            f"You are at **{view.level_name}** (level {view.level_number} of "
            f"{view.level_count}): {view.level_description}"
        )[:4096],
        colour=discord.Colour.teal(),
    )
    done = "\n".join(f"• {c.words}" for c in view.counts) or "Nothing recorded yet."
    if view.hours:
        done += f"\n• {view.hours.normalize():f} hours in all"
    embed.add_field(name="What you have contributed", value=done[:1024], inline=False)
    if view.training:
        embed.add_field(
            name="Training completed",
            value="\n".join(f"• {t}" for t in view.training)[:1024],
            inline=False,
        )
    if view.next_level_name is None:
        nxt = "You are at the top of the ladder. Thank you for everything you do."
    elif view.move_waiting:
        nxt = (
            f"You have asked to move up to {view.next_level_name}; a worker will confirm it. "
            "Changed your mind? Press “I'd rather stay” below until then."
        )
    elif view.next_met:
        nxt = f"You meet everything {view.next_level_name} asks for."
        if view.declined_reason:
            reason = view.declined_reason.rstrip(". ")
            nxt += f" A worker did not confirm your last request for now (their reason: {reason})."
        nxt += " Whether you move up is your choice: use the buttons below if you'd like to."
    else:
        nxt = f"To reach {view.next_level_name}: " + "; ".join(view.next_needs) + "."
    embed.add_field(name=NEXT_LEVEL, value=nxt[:1024], inline=False)
    if view.rate_text:
        embed.add_field(name="Payment", value=view.rate_text[:1024], inline=False)
    embed.set_footer(text="There is no rush and no race: stay at any level as long as you like.")
    return embed


def claim_footer(claim: ClaimView, guild: discord.Guild | None) -> str:
    """Return a claim card's footer: its step, and the worker who took it if still known."""
    by = claim.paid_by if claim.status == "paid" else claim.decided_by
    worker = guild.get_member(by) if guild is not None and by else None
    step = claim.status_text.capitalize()
    return f"{step} · {worker.display_name}" if worker is not None else step


def claim_embed(
    claim: ClaimView, note: str | None = None, tz: ZoneInfo | None = None
) -> discord.Embed:
    """Return an expenses claim card for workers."""
    who = f"<@{claim.user_id}>" if claim.user_id else "(erased member)"
    embed = discord.Embed(
        title=f"Expenses claim #{claim.id}: {claim.category_name}, {claim.amount_text}",
        description=f"{who} · status: **{claim.status_text}**",
        colour=CLAIM_COLOURS.get(claim.status),
    )
    if claim.note:
        embed.add_field(name="Note", value=claim.note[:1024], inline=False)
    if claim.receipt_filename:
        label = discord.utils.escape_markdown(claim.receipt_filename)
        embed.add_field(name="Receipt", value=f"{label} (kept: press View receipt)"[:1024])
    if tz is not None:
        embed.add_field(name="Claimed", value=both(claim.claimed_at, tz)[:1024], inline=False)
    if claim.reject_reason:
        embed.add_field(name="Reason given", value=claim.reject_reason[:1024], inline=False)
    if claim.days_to_pay is not None:
        embed.add_field(name="Days from claim to payment", value=str(claim.days_to_pay))
    if note:
        embed.set_footer(text=note[:2048])
    return embed
