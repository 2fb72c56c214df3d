"""Buttons, selects and modals for sign-up and approval."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.services.membership import ADJUSTMENTS, CONSENT_STATEMENT, JoinForm, MemberView
from bot.ui.actor import actor_for, guild_for
from bot.ui.forms import unique
from bot.ui.replies import guarded, reply, send_dm
from cogs.membership._render import card_embed

log = logging.getLogger(__name__)


def card_view(view: MemberView) -> discord.ui.View:
    """Return the persistent buttons of an approval card (none once decided)."""
    buttons = discord.ui.View(timeout=None)
    if view.status != "pending":
        return buttons
    if view.needs_carer_confirmation and not view.carer_confirmed:
        buttons.add_item(CarerKnowsButton(view.id))
    buttons.add_item(ApproveButton(view.id))
    buttons.add_item(DeclineButton(view.id))
    return buttons


async def post_card(client: Any, view: MemberView) -> None:
    """Post a new sign-up's card in the worker-log channel and remember where it is."""
    services = client.services
    channel_id = await services.membership.worker_log_channel(view.guild_id)
    channel = client.get_channel(channel_id) if channel_id else None
    if not isinstance(channel, discord.TextChannel):
        log.warning("no worker-log channel to post a sign-up card in guild %s", view.guild_id)
        return
    message = await channel.send(embed=card_embed(view), view=card_view(view))
    await services.membership.set_card(view.id, channel.id, message.id)


tell = send_dm


class JoinConsentView(discord.ui.View):
    """The consent step of /join: adjustments, then agree or cancel. Nothing is kept before."""

    def __init__(self, owner_id: int, form: JoinForm) -> None:
        super().__init__(timeout=900)
        self.owner_id = owner_id
        self.form = form
        select: discord.ui.Select[Any] = discord.ui.Select(
            placeholder="Any reasonable adjustments? (optional, choose any)",
            min_values=0,
            max_values=len(ADJUSTMENTS),
            options=[
                discord.SelectOption(label=label, value=key, default=key in form.adjustments)
                for key, label in ADJUSTMENTS.items()
            ],
            row=0,
            custom_id="join:adjustments",
        )
        select.callback = self._adjust  # type: ignore[method-assign]
        self.select = select
        self.add_item(select)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Only the person signing up can use their form."""
        return interaction.user.id == self.owner_id

    async def _adjust(self, interaction: discord.Interaction[Any]) -> None:
        self.form = JoinForm(**{**self.form.__dict__, "adjustments": tuple(self.select.values)})
        await interaction.response.defer()

    @discord.ui.button(
        label="I agree — sign me up",
        style=discord.ButtonStyle.success,
        row=1,
        custom_id="join:agree",
    )
    @guarded
    async def agree(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        """Take the sign-up with consent and tell the person what happens next."""
        client = interaction.client
        form = JoinForm(**{**self.form.__dict__, "consent": True})
        view = await client.services.membership.join(actor_for(interaction), form)
        self.stop()
        await interaction.response.edit_message(
            content=(
                f"Thank you, {discord.utils.escape_markdown(view.preferred_name)}! Your sign-up "
                "is waiting for a participation worker to look at it. We'll let you know here "
                "or by DM when it has been approved."
                + (
                    "\nBecause you are under 16, a worker will first check that a parent or "
                    "carer knows you are joining."
                    if view.needs_carer_confirmation
                    else ""
                )
                + "\nIf you'd like to, you can also answer a few optional equality questions "
                "with /equality (every question has 'Prefer not to say')."
            ),
            view=None,
        )
        await post_card(client, view)

    @discord.ui.button(
        label="Cancel", style=discord.ButtonStyle.secondary, row=1, custom_id="join:cancel"
    )
    async def cancel(
        self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]
    ) -> None:
        """Drop the form; nothing was saved."""
        self.stop()
        await interaction.response.edit_message(
            content="No problem: nothing has been saved. You can /join any time.", view=None
        )

    async def on_timeout(self) -> None:
        """Forget the unsent form (it was never stored)."""
        self.form = JoinForm("", "", "", "", False)


def consent_text(name: str) -> str:
    """Return the message shown before consent."""
    return (
        f"Hi {discord.utils.escape_markdown(name)}! Before we sign you up, please read this.\n\n"
        f"{CONSENT_STATEMENT}\n\n"
        "If you need any reasonable adjustments, choose them below. Then press "
        "**I agree — sign me up**. If you change your mind, press Cancel: nothing is kept."
    )


class _CardButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"x"):
    """Base for approval-card buttons: the member id lives in the custom_id."""

    action = ""
    label = ""
    style = discord.ButtonStyle.secondary

    def __init__(self, member_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=self.label, style=self.style, custom_id=f"signup:{self.action}:{member_id}"
            )
        )
        self.member_id = member_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> _CardButton:
        """Rebuild the button from its custom_id after a restart."""
        return cls(int(match["id"]))

    async def refresh_card(
        self, interaction: discord.Interaction[Any], view: MemberView, note: str
    ) -> None:
        """Redraw the card the button is on."""
        await interaction.response.edit_message(embed=card_embed(view, note), view=card_view(view))


class ApproveButton(_CardButton, template=r"signup:approve:(?P<id>[0-9]+)"):
    """Approve a sign-up: roles, welcome, and the card updated."""

    action = "approve"
    label = "Approve"
    style = discord.ButtonStyle.success

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Approve once; give roles and welcome after answering."""
        client = interaction.client
        decision = await client.services.membership.approve(actor_for(interaction), self.member_id)
        view = decision.member
        await self.refresh_card(interaction, view, f"Approved by {interaction.user.display_name}")
        guild = guild_for(interaction)
        member = guild.get_member(view.user_id)
        if member is None:
            try:
                member = await guild.fetch_member(view.user_id)
            except discord.NotFound:
                member = None
        if member is not None:
            roles = [r for rid in decision.add_role_ids if (r := guild.get_role(rid)) is not None]
            await member.add_roles(*roles, reason="Sign-up approved")
        name = discord.utils.escape_markdown(view.preferred_name)
        welcome = client.get_channel(decision.welcome_channel_id or 0)
        if isinstance(welcome, discord.TextChannel):
            await welcome.send(
                f"Welcome to the group, <@{view.user_id}>! 🎉 Have a look around, "
                "and use /help to see what you can do.",
                allowed_mentions=discord.AllowedMentions(users=True),
            )
        await tell(
            client,
            view.user_id,
            f"Good news, {name}: your sign-up to the participation group has been approved. "
            "Welcome! Use /help to see what you can take part in, /profile to check your "
            "details, and /pause if you ever need a break.",
        )


class DeclineButton(_CardButton, template=r"signup:decline:(?P<id>[0-9]+)"):
    """Decline a sign-up: asks the worker for a reason first."""

    action = "decline"
    label = "Decline"
    style = discord.ButtonStyle.danger

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Open the reason form (permission is checked again on submit)."""
        client = interaction.client
        await client.services.membership.get_for_worker(actor_for(interaction), self.member_id)
        await interaction.response.send_modal(DeclineModal(self.member_id))


class CarerKnowsButton(_CardButton, template=r"signup:carer:(?P<id>[0-9]+)"):
    """Confirm that a parent or carer knows about an under-16's sign-up."""

    action = "carer"
    label = "Parent/carer knows"
    style = discord.ButtonStyle.primary

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Record the check and redraw the card with Approve available."""
        client = interaction.client
        view = await client.services.membership.confirm_carer_aware(
            actor_for(interaction), self.member_id
        )
        await self.refresh_card(
            interaction, view, f"Parent/carer check by {interaction.user.display_name}"
        )


class DeclineModal(discord.ui.Modal, title="Decline this sign-up"):
    """Ask for the reason the person will be given."""

    reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Reason (the person will see this)",
        style=discord.TextStyle.paragraph,
        max_length=500,
        required=True,
    )

    def __init__(self, member_id: int) -> None:
        super().__init__(custom_id=unique(f"signup:decline-reason:{member_id}"))
        self.member_id = member_id

    @guarded
    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Decline with the reason and tell the person kindly."""
        client = interaction.client
        decision = await client.services.membership.decline(
            actor_for(interaction), self.member_id, self.reason.value
        )
        view = decision.member
        note = f"Declined by {interaction.user.display_name}"
        if interaction.message is not None:
            await interaction.response.edit_message(embed=card_embed(view, note), view=None)
        else:
            await reply(interaction, "Declined; the person has been told the reason.")
        delivered = await tell(
            client,
            view.user_id,
            f"Hello {discord.utils.escape_markdown(view.preferred_name)}, thank you for wanting "
            "to join the participation group. This time a worker was not able to approve your "
            f"sign-up. The reason they gave: {view.decline_reason}\n"
            "If you have questions, or things change, you are welcome to /join again or ask "
            "a worker.",
        )
        if not delivered:
            await reply(interaction, "Their DMs are closed, so please let them know another way.")
