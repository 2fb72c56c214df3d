"""Buttons, selects and forms for sign-up and approval."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.services.membership import MemberView
from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.owned import OwnedView
from bot.ui.persistent import Form, PersistentButton
from bot.ui.replies import guarded, reply
from cogs.membership._render import card_embed


def card_view(view: MemberView) -> discord.ui.View:
    """Return the persistent buttons of an approval card (none once decided)."""
    buttons = discord.ui.View(timeout=None)
    if view.status != "pending":
        return buttons
    # The order is shown, not explained after a refusal: Approve opens once the check is done.
    waiting_for_carer = view.needs_carer_confirmation and not view.carer_confirmed
    if waiting_for_carer:
        buttons.add_item(CarerKnowsButton(member_id=view.id))
    buttons.add_item(ApproveButton(member_id=view.id, disabled=waiting_for_carer))
    buttons.add_item(DeclineButton(member_id=view.id))
    return buttons


async def redraw_card(interaction: Interaction, view: MemberView, note: str) -> None:
    """Redraw the approval card a button was pressed on."""
    await interaction.response.edit_message(embed=card_embed(view, note), view=card_view(view))


class ConfirmView(OwnedView):
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


class ApproveButton(PersistentButton, key="signup:approve:{member_id}"):
    """Approve a sign-up: roles, welcome, and the card updated."""

    def __init__(self, member_id: int, disabled: bool = False) -> None:
        super().__init__(
            label="Approve",
            style=discord.ButtonStyle.success,
            disabled=disabled,
            member_id=member_id,
        )
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

    label_text = "Parent/carer knows"
    button_style = discord.ButtonStyle.primary
    member_id: int

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
