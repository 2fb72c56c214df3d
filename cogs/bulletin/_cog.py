"""/bulletin preview and /bulletin note (workers); the monthly send goes through the outbox."""

from __future__ import annotations

import logging

from discord import app_commands

from bot.services.bulletin import BulletinPreview, BulletinSent
from bot.ui.actor import actor_for
from bot.ui.cog import FeatureCog
from bot.ui.commands import command
from bot.ui.context import Interaction
from bot.ui.replies import reply
from bot.ui.timefmt import both
from cogs.bulletin._deliveries import BulletinSenders
from cogs.bulletin._render import bulletin_embed

log = logging.getLogger(__name__)


class BulletinCog(FeatureCog):
    """The monthly bulletin through Discord: thin glue over the bulletin service."""

    bulletin = app_commands.Group(name="bulletin", description="The monthly bulletin")

    async def cog_load(self) -> None:
        """Send what the bulletin owes, and note each month's send."""
        BulletinSenders(self.bot).register()
        self.bot.scheduler.on(BulletinSent, self.sent)

    async def sent(self, event: BulletinSent) -> None:
        """Log a month's send; its post and DMs were owed with it and go out by themselves."""
        log.info(
            "bulletin %s decided in guild %s for %s DMs",
            event.month,
            event.guild_id,
            event.recipients,
        )

    def _when(self, preview: BulletinPreview) -> str:
        people = preview.recipients
        dms = "1 member" if people == 1 else f"{people} members"
        return (
            f"It goes to announcements {both(preview.due_at, self.settings.tz)}, and by DM to "
            f"{dms} who chose news by DM."
        )

    @command(bulletin, "preview", "See the next monthly bulletin as it would go out now")
    async def preview(self, interaction: Interaction) -> None:
        """Show the next bulletin privately, with when it goes and to how many."""
        preview = await self.services.bulletin.preview(actor_for(interaction))
        await reply(
            interaction,
            "Here's a preview of the next bulletin (only you can see this). "
            + self._when(preview)
            + " Add a short note with `/bulletin note`.",
            embed=bulletin_embed(preview.contents, self.settings_for(interaction.guild_id)),
        )

    @command(
        bulletin,
        "note",
        "Add a short note to the next bulletin (leave empty to remove it)",
        text="Your note, up to 500 characters (leave empty to remove it)",
    )
    async def note(
        self, interaction: Interaction, text: app_commands.Range[str, 1, 500] | None = None
    ) -> None:
        """Save (or remove) the note, and show the bulletin with it."""
        preview = await self.services.bulletin.set_note(actor_for(interaction), text)
        said = "Your note is saved" if preview.contents.note else "The note is removed"
        await reply(
            interaction,
            f"{said}. {self._when(preview)}",
            embed=bulletin_embed(preview.contents, self.settings_for(interaction.guild_id)),
        )
