"""/join, /signups, /profile, /pause, /resume, /leave, /equality, /mydata, /forgetme."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any, Literal

import discord
from discord import app_commands

from bot.app import ParticipationBot
from bot.services.errors import NotAllowed
from bot.services.membership import (
    EQUALITY_QUESTIONS,
    NAME_MAX,
    NOTE_MAX,
    PREFER_NOT,
    PRONOUNS_MAX,
    JoinForm,
    Suggestion,
    age_band_suggestions,
    area_suggestions,
)
from bot.ui.actor import actor_anywhere, actor_for, guild_for, held_here
from bot.ui.cog import FeatureCog
from bot.ui.commands import Declared, command
from bot.ui.context import Interaction
from bot.ui.replies import clip, reply
from cogs.membership._deliveries import MembershipSenders
from cogs.membership._departure import carry_out_erasure
from cogs.membership._joining import offer_consent
from cogs.membership._render import profile_embed
from cogs.membership._replies import SignUpReplies
from cogs.membership._views import ApproveButton, CarerKnowsButton, ConfirmView, DeclineButton

IAm = Literal["Young person", "Parent or carer"]
FORGET_IN_SERVER = (
    "I can't erase your data from a DM for your group just now, so nothing has been erased. "
    "Please use /forgetme inside your group's Discord server, or ask a worker there to help."
)
TYPE_KEYS = {"Young person": "young_person", "Parent or carer": "carer"}
# Limits Discord enforces while people type, so nothing is refused only after sending. Age and
# area are matched by autocomplete, so their limits leave room for "I'm 19" or a town's name.
Name = app_commands.Range[str, 1, NAME_MAX]
Pronouns = app_commands.Range[str, 1, PRONOUNS_MAX]
AgeTyped = app_commands.Range[str, 1, 40]
AreaTyped = app_commands.Range[str, 1, 100]
Note = app_commands.Range[str, 1, NOTE_MAX]


def _choices(found: list[Suggestion]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=s.label[:100], value=s.value[:100]) for s in found][:25]


def _anywhere(name: str, description: str) -> Declared:
    """Declare a command for everyone that works in the server and in DMs with the bot."""

    def declare(callback: Callable[..., Any]) -> app_commands.Command[Any, ..., Any]:
        callback = app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)(
            callback
        )
        return app_commands.command(
            name=name, description=description, extras={"audience": "everyone"}
        )(callback)

    return declare


class MembershipCog(FeatureCog):
    """Being, becoming and ceasing to be a member."""

    profile = app_commands.Group(
        name="profile", description="See or change your details", guild_only=True
    )

    def __init__(self, bot: ParticipationBot) -> None:
        super().__init__(bot)
        self.membership = bot.services.membership
        self.replies = SignUpReplies(bot.services.clock)

    async def cog_load(self) -> None:
        """Make approval-card buttons work after a restart; send what membership owes."""
        self.bot.add_dynamic_items(ApproveButton, DeclineButton, CarerKnowsButton)
        MembershipSenders(self.bot, self.replies).register()

    async def _age_bands(self, it: Interaction, current: str) -> list[app_commands.Choice[str]]:
        return _choices(age_band_suggestions(current, self.settings_for(it.guild_id).group))

    async def _areas(self, it: Interaction, current: str) -> list[app_commands.Choice[str]]:
        return _choices(area_suggestions(current, self.settings_for(it.guild_id).group))

    @command(
        None,
        "join",
        "Sign up to the participation group",
        "everyone",
        name="What you'd like us to call you",
        age_band="Your age band: type your age and pick from the list",
        i_am="Are you a young person or a parent/carer?",
        area="Where you live: type your town or area and pick from the list",
        reminder_dms="Would you like reminders and news by DM? You can change this later",
        pronouns="Your pronouns, if you'd like to share them",
    )
    @app_commands.autocomplete(age_band=_age_bands, area=_areas)
    async def join(
        self,
        interaction: Interaction,
        name: Name,
        age_band: AgeTyped,
        i_am: IAm,
        area: AreaTyped,
        reminder_dms: bool,
        pronouns: Pronouns | None = None,
    ) -> None:
        """Show the consent step (adjustments are asked there, once); nothing is stored yet."""
        form = JoinForm(
            preferred_name=name,
            age_band=age_band,
            member_type=TYPE_KEYS[i_am],
            locality=area,
            consent=True,
            pronouns=pronouns,
            dm_opt_in=reminder_dms,
        )
        await offer_consent(interaction, form, self.replies)

    @command(None, "signups", "Sign-ups waiting for a decision")
    async def signups(self, interaction: Interaction) -> None:
        """List pending sign-ups with links to their cards."""
        pending = await self.membership.pending(actor_for(interaction))
        if not pending:
            await reply(interaction, "No sign-ups are waiting. 🎉")
            return
        guild = guild_for(interaction)
        lines = []
        for view in pending:
            link = (
                f" — https://discord.com/channels/{guild.id}/{view.card_channel_id}/"
                f"{view.card_message_id}"
                if view.card_message_id
                else ""
            )
            flag = (
                " (under 16: check a parent/carer knows)"
                if view.needs_carer_confirmation and not view.carer_confirmed
                else ""
            )
            lines.append(
                f"• **{discord.utils.escape_markdown(view.preferred_name)}** "
                f"<t:{int(view.joined_at.timestamp())}:R>{flag}{link}"
            )
        await reply(interaction, clip(f"{len(pending)} waiting:\n" + "\n".join(lines)))

    @command(profile, "show", "See the details we hold for you", "member")
    async def profile_show(self, interaction: Interaction) -> None:
        """Show the member their own profile, privately."""
        view = await self.membership.profile(actor_for(interaction))
        await reply(interaction, embed=profile_embed(view, "Your profile"))

    @command(profile, "edit", "Change your details", "member")
    @app_commands.autocomplete(age_band=_age_bands, area=_areas)
    async def profile_edit(
        self,
        interaction: Interaction,
        name: Name | None = None,
        pronouns: Pronouns | None = None,
        age_band: AgeTyped | None = None,
        i_am: IAm | None = None,
        area: AreaTyped | None = None,
        reminder_dms: bool | None = None,
        adjustments_note: Note | None = None,
    ) -> None:
        """Change the fields given; leave the rest as they are."""
        actor = actor_for(interaction)
        current = await self.membership.profile(actor)
        form = JoinForm(
            preferred_name=name if name is not None else current.preferred_name,
            pronouns=pronouns if pronouns is not None else current.pronouns,
            age_band=age_band or current.age_band,
            member_type=TYPE_KEYS[i_am] if i_am else current.member_type,
            locality=area or current.locality,
            dm_opt_in=current.dm_opt_in if reminder_dms is None else reminder_dms,
            adjustments=current.adjustments,
            adjustments_note=(
                adjustments_note if adjustments_note is not None else current.adjustments_note
            ),
            consent=True,
        )
        view = await self.membership.update_profile(actor, form)
        await reply(interaction, "Saved.", embed=profile_embed(view, "Your profile"))

    @command(None, "pause", "Take a break: keep your level, no reminders", "member")
    async def pause(self, interaction: Interaction) -> None:
        """Start a break."""
        await self.membership.pause(actor_for(interaction))
        await reply(
            interaction,
            "You're on a break. Your level and record are kept, and we "
            "won't send you reminders. Use /resume whenever you're ready. Take care.",
        )

    @command(None, "resume", "Come back from a break", "member")
    async def resume(self, interaction: Interaction) -> None:
        """End a break."""
        await self.membership.resume(actor_for(interaction))
        await reply(interaction, "Welcome back! Reminders are on again if you opted in.")

    @command(None, "leave", "Leave the participation group", "member")
    async def leave(self, interaction: Interaction) -> None:
        """Ask for confirmation, then leave (the record is kept until /forgetme)."""
        actor = actor_for(interaction)
        await self.membership.profile(actor)

        async def do_leave(inner: Interaction) -> None:
            # Taking the roles away was owed with the decision and goes out through the outbox.
            await self.membership.leave(actor_for(inner))
            await inner.response.edit_message(
                content="You've left the group. Thank you for everything you contributed. "
                "Your record is kept in case you come back; /forgetme erases it.",
                view=None,
            )

        await reply(
            interaction,
            "Leave the participation group? Your roles will be removed.",
            view=ConfirmView(interaction.user.id, "Yes, leave", do_leave),
        )

    @_anywhere("equality", "Optional equality questions")
    @app_commands.describe(
        gender="How do you describe your gender?",
        ethnicity="Your ethnic group",
        disability="Do you consider yourself disabled?",
        sexual_orientation="Your sexual orientation",
    )
    @app_commands.choices(
        **{
            key: [app_commands.Choice(name=o, value=o) for o in [*options, PREFER_NOT]]
            for key, options in EQUALITY_QUESTIONS.items()
        }
    )
    async def equality(
        self,
        interaction: Interaction,
        gender: app_commands.Choice[str] | None = None,
        ethnicity: app_commands.Choice[str] | None = None,
        disability: app_commands.Choice[str] | None = None,
        sexual_orientation: app_commands.Choice[str] | None = None,
    ) -> None:
        """Store the answers given; only ever reported in aggregate."""
        given = {
            "gender": gender,
            "ethnicity": ethnicity,
            "disability": disability,
            "sexual_orientation": sexual_orientation,
        }
        answers = {k: v.value for k, v in given.items() if v is not None}
        if not answers:
            await reply(
                interaction,
                "Nothing to save: pick an answer for any question you "
                "like (each has 'Prefer not to say').",
            )
            return
        await self.membership.save_equality(await actor_anywhere(interaction), answers)
        await reply(
            interaction,
            "Thank you. These answers are kept apart from your profile "
            "and only ever counted in groups of 5 or more.",
        )

    @_anywhere("mydata", "Get a file of everything we hold about you")
    async def mydata(self, interaction: Interaction) -> None:
        """Send the person a JSON file of their data, privately."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.membership.export(await actor_anywhere(interaction))
        raw = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
        await interaction.followup.send(
            "Here is everything we hold about you.",
            ephemeral=True,
            file=discord.File(io.BytesIO(raw), filename="my-data.json"),
        )

    @_anywhere("forgetme", "Erase everything we hold about you")
    async def forgetme(self, interaction: Interaction) -> None:
        """Ask for confirmation, then erase."""
        actor = await actor_anywhere(interaction)  # explains if they are in no group's server
        if not held_here(self.bot, actor.guild_id):
            # Erasure takes roles away and closes spaces there: only that server's process can.
            raise NotAllowed(FORGET_IN_SERVER)

        async def do_forget(inner: Interaction) -> None:
            await inner.response.defer()
            departure = await self.membership.forget(actor_for(inner))
            await inner.edit_original_response(
                content="Done. Anything we held about you has been erased. What you "
                "contributed is kept only as anonymous counts. Take care.",
                view=None,
            )
            await carry_out_erasure(self.bot, guild_for(inner), departure)

        await reply(
            interaction,
            "This erases your profile, answers and history for good, removes your roles, and "
            "keeps only anonymous counts of what you contributed. Any payment or expenses "
            "claim not yet paid is withdrawn. It cannot be undone. Go ahead?",
            view=ConfirmView(interaction.user.id, "Yes, erase my data", do_forget),
        )
