"""Answer interactions privately, whether or not they were already answered or deferred."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord

from bot.services.errors import ServiceError

log = logging.getLogger("participation_bot.errors")

MAX_CONTENT = 2000


def clip(text: str, limit: int = MAX_CONTENT) -> str:
    """Cut text to Discord's limit, saying so rather than failing."""
    if len(text) <= limit:
        return text
    return text[: limit - 2] + " …"


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    ephemeral: bool = True,
    **kwargs: Any,
) -> None:
    """Send a reply: the first response if none yet, else a followup."""
    if content is not None:
        content = clip(content)
    if interaction.response.is_done():
        await interaction.followup.send(
            content or discord.utils.MISSING, ephemeral=ephemeral, **kwargs
        )
    else:
        await interaction.response.send_message(content, ephemeral=ephemeral, **kwargs)


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Turn a service error into its friendly message, anything else into a reference."""
    original = getattr(error, "original", error)
    if isinstance(original, ServiceError):
        message = original.message
    elif isinstance(original, discord.app_commands.CommandOnCooldown):
        message = f"Please wait {original.retry_after:.0f} seconds and try again."
    elif isinstance(original, discord.app_commands.CheckFailure):
        message = "You can't use that here."
    else:
        reference = secrets.token_hex(3).upper()
        # Log what was used, never what was typed or chosen: forms and selects carry words.
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        used = getattr(interaction.command, "qualified_name", None) or custom_id.split(":")[0]
        log.error(
            "unexpected error ref=%s type=%s used=%s",
            reference,
            interaction.type.name,
            used,
            exc_info=original,
        )
        message = (
            "Sorry, something went wrong on our side. Part of it may already have been done, "
            "so please check before trying again. If it keeps happening, tell a worker the "
            f"reference {reference}."
        )
    try:
        await reply(interaction, message)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id)


def guarded(func: Any) -> Any:
    """Wrap a button, select or modal callback so errors get the same private reply."""
    import functools

    @functools.wraps(func)
    async def wrapper(self: Any, interaction: discord.Interaction[Any], *args: Any) -> Any:
        try:
            return await func(self, interaction, *args)
        except Exception as exc:
            await report_error(interaction, exc)
            return None

    return wrapper


async def send_dm(client: Any, user_id: int, text: str, **kwargs: Any) -> bool:
    """DM someone; return False (and carry on) if their DMs are closed or they are gone."""
    try:
        user = client.get_user(user_id) or await client.fetch_user(user_id)
        await user.send(clip(text), **kwargs)
        return True
    except discord.HTTPException:
        log.info("could not DM a member")
        return False
