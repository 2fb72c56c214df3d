"""/settings view, edit, reset, export and crisis (server admins and workers)."""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.ext import tasks

from bot.services.errors import InvalidInput
from bot.services.settings import FORM_LIMIT, NATIONS, REFRESH_SECONDS, SECTIONS, SectionView
from bot.ui.actor import actor_for
from bot.ui.cog import FeatureCog
from bot.ui.commands import command
from bot.ui.confirm import Confirm
from bot.ui.context import Interaction
from bot.ui.persistent import Form
from bot.ui.replies import MAX_CONTENT, clip, reply

log = logging.getLogger(__name__)

SECTION_CHOICES = [
    app_commands.Choice(name=f"{key}: {about}"[:100], value=key) for key, about in SECTIONS.items()
]
NATION_CHOICES = [app_commands.Choice(name=v, value=k) for k, v in NATIONS.items()]
FILE_MAX_BYTES = 64_000
SECTION = "Which part of the settings"


def _whose(view: SectionView) -> str:
    return "this server's own" if view.overridden else "the default"


def _summary(views: list[SectionView]) -> str:
    lines = [
        "This server's settings (the defaults unless changed here). "
        "See one with `/settings view section:`, change it with `/settings edit`."
    ]
    lines += [f"• **{v.section}** — {v.about}: *{_whose(v)}*" for v in views]
    return "\n".join(lines)


class SettingsForm(Form):
    """A section as TOML, to edit; checked as the config files are when it is sent."""

    def __init__(self, cog: SettingsCog, section: str, text: str) -> None:
        super().__init__(custom_id=f"settings:edit:{section}", title=f"Edit the {section} settings")
        self.cog = cog
        self.section = section
        self.text: discord.ui.TextInput[SettingsForm] = discord.ui.TextInput(
            label=f"{section} settings, as in the TOML files"[:45],
            style=discord.TextStyle.paragraph,
            default=text,
            max_length=FORM_LIMIT,
            custom_id="settings:toml",
        )
        self.add_item(self.text)

    async def submit(self, interaction: Interaction) -> None:
        """Save the section, or say what is wrong (nothing changes then)."""
        await self.cog.save(interaction, self.section, self.text.value)


class SettingsCog(FeatureCog):
    """Per-server settings through Discord: thin glue over the settings service."""

    settings_group = app_commands.Group(
        name="settings", description="This server's own settings (admins and workers)"
    )

    async def cog_load(self) -> None:
        """Read every server's settings before the first interaction, then keep up to date."""
        count = await self.services.server_settings.load()
        log.info("per-server settings loaded: %d servers have their own", count)
        self.refresh.start()

    async def cog_unload(self) -> None:
        """Stop looking for other processes' edits."""
        self.refresh.cancel()

    @tasks.loop(seconds=REFRESH_SECONDS)
    async def refresh(self) -> None:
        """Take in the settings other processes changed lately."""
        if self.bot.is_closed():
            self.refresh.cancel()  # the database is being let go: nothing to read from
            return
        try:
            await self.services.server_settings.refresh()
        except Exception:  # a database blip must not end the loop; the next look retries
            log.exception("could not refresh per-server settings")

    @command(settings_group, "view", "See this server's settings", "worker", section=SECTION)
    @app_commands.choices(section=SECTION_CHOICES)
    async def view(self, interaction: Interaction, section: str | None = None) -> None:
        """Show a summary, or one section as TOML (as a file when it is long)."""
        views = await self.services.server_settings.view(actor_for(interaction), section)
        if section is None:
            await reply(interaction, clip(_summary(views)))
            return
        (shown,) = views
        head = f"**{shown.section}** — {shown.about}. These are *{_whose(shown)}*."
        # A value holding ``` would end the code block early: break it with a zero-width space.
        body = shown.toml.replace("```", "`\u200b``")
        text = f"{head}\n```toml\n{body}```"
        if len(text) <= MAX_CONTENT:
            await reply(interaction, text)
            return
        await reply(
            interaction,
            f"{head} They are long, so here they are as a file.",
            file=discord.File(io.BytesIO(shown.toml.encode()), filename=f"{section}.toml"),
        )

    @command(
        settings_group,
        "edit",
        "Change this server's settings",
        "worker",
        section=SECTION,
        file="Optional: a .toml file with the whole section, instead of the form",
    )
    @app_commands.choices(section=SECTION_CHOICES)
    async def edit(
        self, interaction: Interaction, section: str, file: discord.Attachment | None = None
    ) -> None:
        """Open the section in a form, or take it from a file (for long sections)."""
        actor = actor_for(interaction)
        if file is not None:
            if file.size > FILE_MAX_BYTES:
                raise InvalidInput(
                    f"The file is {file.size:,} bytes; the most is {FILE_MAX_BYTES:,}."
                )
            await interaction.response.defer(ephemeral=True, thinking=True)
            raw = await file.read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput("The file is not UTF-8 text: save it as plain text.") from None
            await self.save(interaction, section, text)
            return
        current = await self.services.server_settings.form_text(actor, section)
        await interaction.response.send_modal(SettingsForm(self, section, current))

    async def save(self, interaction: Interaction, section: str, text: str) -> None:
        """Check and save a section's TOML, and say what happened."""
        changed = await self.services.server_settings.edit(actor_for(interaction), section, text)
        if changed.overridden:
            said = f"Saved: this server now has its own **{section}** settings."
        else:
            said = f"Saved: the **{section}** settings are the same as the default now."
        await reply(interaction, said + " They apply at once.")

    @command(settings_group, "reset", "Put settings back to the default", "worker", section=SECTION)
    @app_commands.choices(section=SECTION_CHOICES)
    async def reset(self, interaction: Interaction, section: str) -> None:
        """Ask first, then put the section back to the deployment's default."""
        actor = actor_for(interaction)
        (shown,) = await self.services.server_settings.view(actor, section)
        if not shown.overridden:
            await reply(interaction, f"The **{section}** settings are already the default.")
            return

        async def go(pressed: Interaction) -> None:
            await self.services.server_settings.reset(actor_for(pressed), section)
            await pressed.response.edit_message(
                content=f"Done: the **{section}** settings are back to the default.", view=None
            )

        await reply(
            interaction,
            f"Put this server's **{section}** settings back to the default? "
            "Its own values for them will be gone (`/settings export` keeps a copy).",
            view=Confirm(interaction.user.id, "Yes, reset", "No, keep them", go),
        )

    @command(settings_group, "export", "Download this server's own settings as TOML", "worker")
    async def export(self, interaction: Interaction) -> None:
        """Send the server's own settings as a TOML file for a config folder."""
        text = await self.services.server_settings.export(actor_for(interaction))
        await reply(
            interaction,
            "Here are this server's own settings. Put them in a config folder's `local.toml` "
            "to make them a deployment's defaults.",
            file=discord.File(io.BytesIO(text.encode()), filename="server-settings.toml"),
        )

    @command(
        settings_group,
        "crisis",
        "Use ready-made crisis contacts for a UK nation",
        "worker",
        nation="Where the group's members live",
    )
    @app_commands.choices(nation=NATION_CHOICES)
    async def crisis(self, interaction: Interaction, nation: str) -> None:
        """Make a nation's crisis contacts this server's, and show them."""
        actor = actor_for(interaction)
        await self.services.server_settings.apply_crisis_set(actor, nation)
        resources = self.services.server_settings.settings_for(actor.guild_id)
        lines = [f"• **{r.name}**: {r.detail}" for r in resources.support.crisis_resources]
        await reply(
            interaction,
            clip(
                f"Done: this server's crisis contacts are now the set for {NATIONS[nation]}. "
                "They show in /support and the peer-support guidelines (run /setup to re-pin "
                "them):\n" + "\n".join(lines)
            ),
        )
