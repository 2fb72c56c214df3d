"""Buttons, selects and forms for sign-up and approval."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.services.membership import ADJUSTMENTS, CONSENT_STATEMENT, JoinForm, MemberView
from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.persistent import Form, PersistentButton
from bot.ui.replies import guarded, reply
from cogs.membership._render import card_embed


def card_view(view: MemberView) -> discord.ui.View:
    """Return the persistent buttons of an approval card (none once decided)."""
    buttons = discord.ui.View(timeout=None)
    if view.status != "pending":
        return buttons
    if view.needs_carer_confirmation and not view.carer_confirmed:
        buttons.add_item(CarerKnowsButton(member_id=view.id))
    buttons.add_item(ApproveButton(member_id=view.id))
    buttons.add_item(DeclineButton(member_id=view.id))
    return buttons


async def redraw_card(interaction: Interaction, view: MemberView, note: str) -> None:
    """Redraw the approval card a button was pressed on."""
    await interaction.response.edit_message(embed=card_embed(view, note), view=card_view(view))


class OwnerOnlyView(discord.ui.View):
    """A private, short-lived view only the person who asked for it can use."""

    def __init__(self, owner_id: int, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: Interaction) -> bool:  # type: ignore[override]
        """Only the person who asked can use it."""
        return interaction.user.id == self.owner_id


class ConfirmView(OwnerOnlyView):
    """A yes/no confirmation for something that cannot be undone."""

    def __init__(
        self, owner_id: int, label: str, action: Callable[[Interaction], Awaitable[None]]
    ) -> None:
        super().__init__(owner_id, timeout=300)
        self.action = action
        self.confirm.label = label

    @discord.ui.button(label="Yes", style=discord.ButtonStyle.danger, custom_id="confirm:yes")
    @guarded
    async def confirm(self, interaction: Interaction, _: discord.ui.Button[ConfirmView]) -> None:
        """Do it."""
        self.stop()
        await self.action(interaction)

    @discord.ui.button(
        label="No, keep everything", style=discord.ButtonStyle.secondary, custom_id="confirm:no"
    )
    async def keep(self, interaction: Interaction, _: discord.ui.Button[ConfirmView]) -> None:
        """Do nothing."""
        self.stop()
        await interaction.response.edit_message(content="OK — nothing has changed.", view=None)


class JoinConsentView(OwnerOnlyView):
    """The consent step of /join: adjustments, then agree or cancel. Nothing is kept before."""

    def __init__(self, owner_id: int, form: JoinForm) -> None:
        super().__init__(owner_id, timeout=900)
        self.form = form
        self.adjustments.options = [
            discord.SelectOption(label=label, value=key, default=key in form.adjustments)
            for key, label in ADJUSTMENTS.items()
        ]

    @discord.ui.select(
        cls=discord.ui.Select[Any],
        placeholder="Any reasonable adjustments? (optional, choose any)",
        min_values=0,
        max_values=len(ADJUSTMENTS),
        row=0,
        custom_id="join:adjustments",
    )
    async def adjustments(
        self, interaction: Interaction, select: discord.ui.Select[JoinConsentView]
    ) -> None:
        """Remember the adjustments chosen (nothing is stored until the person agrees)."""
        self.form = JoinForm(**{**self.form.__dict__, "adjustments": tuple(select.values)})
        await interaction.response.defer()

    @discord.ui.button(
        label="I agree — sign me up",
        style=discord.ButtonStyle.success,
        row=1,
        custom_id="join:agree",
    )
    @guarded
    async def agree(self, interaction: Interaction, _: discord.ui.Button[JoinConsentView]) -> None:
        """Take the sign-up with consent and tell the person what happens next."""
        client = interaction.client
        form = JoinForm(**{**self.form.__dict__, "consent": True})
        view = await client.services.membership.join(actor_for(interaction), form)
        self.stop()
        # The card in #worker-log was owed with the sign-up and goes out through the outbox.
        await interaction.response.edit_message(content=_thanks(view), view=None)

    @discord.ui.button(
        label="Cancel", style=discord.ButtonStyle.secondary, row=1, custom_id="join:cancel"
    )
    async def cancel(self, interaction: Interaction, _: discord.ui.Button[JoinConsentView]) -> None:
        """Drop the form; nothing was saved."""
        self.stop()
        await interaction.response.edit_message(
            content="No problem: nothing has been saved. You can /join any time.", view=None
        )

    async def on_timeout(self) -> None:
        """Forget the unsent form (it was never stored)."""
        self.form = JoinForm("", "", "", "", False)


def _thanks(view: MemberView) -> str:
    """Return what someone is told once their sign-up is taken."""
    return (
        f"Thank you, {discord.utils.escape_markdown(view.preferred_name)}! Your sign-up "
        "is waiting for a participation worker to look at it. Once it is approved we'll "
        + ("DM you and " if view.dm_opt_in else "")
        + "welcome you in the welcome channel."
        + (
            "\nBecause you are under 16, a worker will first check that a parent or "
            "carer knows you are joining."
            if view.needs_carer_confirmation
            else ""
        )
        + "\nIf you'd like to, you can also answer a few optional equality questions "
        "with /equality (every question has 'Prefer not to say')."
    )


def consent_text(name: str) -> str:
    """Return the message shown before consent."""
    return (
        f"Hi {discord.utils.escape_markdown(name)}! Before we sign you up, please read this.\n\n"
        f"{CONSENT_STATEMENT}\n\n"
        "If you need any reasonable adjustments, choose them below. Then press "
        "**I agree — sign me up**. If you change your mind, press Cancel: nothing is kept."
    )


class ApproveButton(PersistentButton, key="signup:approve:{member_id}"):
    """Approve a sign-up: roles, welcome, and the card updated."""

    def __init__(self, member_id: int) -> None:
        super().__init__(label="Approve", style=discord.ButtonStyle.success, member_id=member_id)
        self.member_id = member_id

    async def run(self, interaction: Interaction) -> None:
        """Approve once and redraw the card; roles, welcome and DM were owed with the decision."""
        client = interaction.client
        decision = await client.services.membership.approve(actor_for(interaction), self.member_id)
        await redraw_card(
            interaction, decision.member, f"Approved by {interaction.user.display_name}"
        )


class DeclineButton(PersistentButton, key="signup:decline:{member_id}"):
    """Decline a sign-up: asks the worker for a reason first."""

    def __init__(self, member_id: int) -> None:
        super().__init__(label="Decline", style=discord.ButtonStyle.danger, member_id=member_id)
        self.member_id = member_id

    async def run(self, interaction: Interaction) -> None:
        """Open the reason form (permission is checked again on submit)."""
        membership = interaction.client.services.membership
        await membership.get_for_worker(actor_for(interaction), self.member_id)
        await interaction.response.send_modal(DeclineForm(self.member_id))


class CarerKnowsButton(PersistentButton, key="signup:carer:{member_id}"):
    """Confirm that a parent or carer knows about an under-16's sign-up."""

    def __init__(self, member_id: int) -> None:
        super().__init__(
            label="Parent/carer knows", style=discord.ButtonStyle.primary, member_id=member_id
        )
        self.member_id = member_id

    async def run(self, interaction: Interaction) -> None:
        """Record the check and redraw the card with Approve available."""
        membership = interaction.client.services.membership
        view = await membership.confirm_carer_aware(actor_for(interaction), self.member_id)
        await redraw_card(
            interaction, view, f"Parent/carer check by {interaction.user.display_name}"
        )


class DeclineForm(Form):
    """Ask for the reason the person will be given."""

    reason: discord.ui.TextInput[DeclineForm] = discord.ui.TextInput(
        label="Reason (the person will see this)",
        style=discord.TextStyle.paragraph,
        max_length=500,
        required=True,
    )

    def __init__(self, member_id: int) -> None:
        super().__init__(
            custom_id=f"signup:decline-reason:{member_id}", title="Decline this sign-up"
        )
        self.member_id = member_id

    async def submit(self, interaction: Interaction) -> None:
        """Decline with the reason; the person's DM was owed with the decision."""
        client = interaction.client
        decision = await client.services.membership.decline(
            actor_for(interaction), self.member_id, self.reason.value
        )
        note = f"Declined by {interaction.user.display_name}"
        if interaction.message is not None:
            await interaction.response.edit_message(
                embed=card_embed(decision.member, note), view=None
            )
        else:
            await reply(
                interaction,
                "Declined. I'll DM them the reason, or note in #worker-log if I can't reach them.",
            )
