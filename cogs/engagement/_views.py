"""Persistent buttons and forms: level notices, move confirmations and expense claim cards."""

from __future__ import annotations

import io
from typing import Any

import discord

from bot.services.engagement import ClaimView
from bot.ui.actor import actor_about, actor_for
from bot.ui.context import Interaction
from bot.ui.persistent import Form, PersistentButton
from bot.ui.replies import clip, reply
from cogs.engagement._render import NEXT_LEVEL, claim_embed, claim_footer

# Who a command is for, as /help groups it (read only, so one dict serves every command).
MEMBER = {"audience": "member"}
WORKER = {"audience": "worker"}


async def reply_list(
    interaction: Interaction, lines: list[str], empty: str, heading: str = "", **kwargs: Any
) -> None:
    """Reply privately with one line per item under a heading, or say there is nothing."""
    await reply(interaction, clip(heading + "\n".join(lines) if lines else empty), **kwargs)


def buttons(*items: PersistentButton) -> discord.ui.View:
    """Return a view that keeps these buttons for as long as the message exists."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


def notice_view(notice_id: int) -> discord.ui.View:
    """Return the Move up / Stay buttons of a level notice."""
    return buttons(NoticeButton(notice_id, "move_up"), NoticeButton(notice_id, "stay"))


def withdraw_view(notice_id: int) -> discord.ui.View:
    """Return the button that takes back a move-up request a worker has not confirmed yet."""
    return buttons(NoticeButton(notice_id, "stay", label="I'd rather stay"))


def move_card_view(notice_id: int) -> discord.ui.View:
    """Return the worker buttons of a move-up request card."""
    return buttons(ConfirmMoveButton(notice_id), DeclineMoveButton(notice_id))


def claim_card_view(claim: ClaimView) -> discord.ui.View:
    """Return a claim card's buttons: the decision due now, and the receipt if one is kept."""
    first = {"submitted": "approve", "approved": "paid"}.get(claim.status)
    shown: list[PersistentButton] = []
    if first is not None:
        shown += [ClaimButton(claim.id, first), ClaimButton(claim.id, "reject")]
    if claim.receipt_filename:
        shown.append(ReceiptButton(claim.id))
    return buttons(*shown)


class NoticeButton(PersistentButton, key="eng:notice:{choice:move_up|stay}:{notice_id}"):
    """A member's answer to their level notice (works after restarts, in DMs too)."""

    def __init__(self, notice_id: int, choice: str, label: str | None = None) -> None:
        default, style = (
            ("Move up", discord.ButtonStyle.primary)
            if choice == "move_up"
            else ("Stay where I am", discord.ButtonStyle.secondary)
        )
        super().__init__(label=label or default, style=style, choice=choice, notice_id=notice_id)

    async def run(self, interaction: Interaction) -> None:
        """Record the choice; on Move up, ask the workers and offer to take it back."""
        moves = interaction.client.services.engagement.moves
        notice_id = self.ids["notice_id"]
        actor = await actor_about(interaction, lambda: moves.notice_server(notice_id))
        choice = await moves.choose(actor, notice_id, self.ids["choice"])
        # On Move up, the card for workers was owed with the choice; until a worker confirms,
        # the member can take it back from here (or from /progress).
        waiting = withdraw_view(choice.notice_id) if choice.choice == "move_up" else None
        message = interaction.message
        if message is not None and message.embeds:
            # /progress: the answer replaces what its "Next level" said, under the chart.
            embed = message.embeds[0].copy()
            for i, field in enumerate(embed.fields):
                if field.name == NEXT_LEVEL:
                    embed.set_field_at(i, name=NEXT_LEVEL, value=choice.text[:1024], inline=False)
            await interaction.response.edit_message(embed=embed, view=waiting)
            return
        # Only the latest answer is shown under the message, not every change of mind.
        before = (message.content if message is not None else "").split("\n\n**", 1)[0]
        await interaction.response.edit_message(
            content=clip(f"{before}\n\n**{choice.text}**".strip()), view=waiting
        )


class ConfirmMoveButton(PersistentButton, key="eng:move:confirm:{notice_id}"):
    """A worker confirms a move up: the level role replaces the old one."""

    def __init__(self, notice_id: int) -> None:
        green = discord.ButtonStyle.success
        super().__init__(label="Confirm move", style=green, notice_id=notice_id)

    async def run(self, interaction: Interaction) -> None:
        """Confirm once and update the card (the role swap and the DM are owed with it)."""
        client = interaction.client
        move = await client.services.engagement.moves.confirm(
            actor_for(interaction), self.ids["notice_id"]
        )
        name = discord.utils.escape_markdown(move.preferred_name)
        await interaction.response.edit_message(
            content=(
                f"**Level move:** {name} moved from {move.from_level_name} to "
                f"{move.to_level_name}. Confirmed by {interaction.user.display_name}."
            ),
            view=None,
        )


class DeclineMoveButton(PersistentButton, key="eng:move:decline:{notice_id}"):
    """A worker does not confirm a move: asks for the reason first."""

    def __init__(self, notice_id: int) -> None:
        super().__init__(label="Not now", style=discord.ButtonStyle.secondary, notice_id=notice_id)

    async def run(self, interaction: Interaction) -> None:
        """Open the reason form (permission is checked again on submit)."""
        await interaction.client.services.engagement.moves.check_worker(actor_for(interaction))
        await interaction.response.send_modal(ReasonModal("move", self.ids["notice_id"]))


class ClaimButton(PersistentButton, key="eng:claim:{action:approve|reject|paid}:{claim_id}"):
    """Worker buttons on an expenses claim card."""

    LABELS = {
        "approve": ("Approve", discord.ButtonStyle.success),
        "reject": ("Reject", discord.ButtonStyle.danger),
        "paid": ("Mark paid", discord.ButtonStyle.primary),
    }

    def __init__(self, claim_id: int, action: str) -> None:
        label, style = self.LABELS[action]
        super().__init__(label=label, style=style, action=action, claim_id=claim_id)

    async def run(self, interaction: Interaction) -> None:
        """Approve or mark paid at once; reject asks for a reason."""
        expenses = interaction.client.services.engagement.expenses
        actor = actor_for(interaction)
        action, claim_id = self.ids["action"], self.ids["claim_id"]
        if action == "reject":
            await expenses.waiting(actor)  # refuses non-workers before the form opens
            await interaction.response.send_modal(ReasonModal("claim", claim_id))
            return
        decide = expenses.approve if action == "approve" else expenses.mark_paid
        await update_claim_card(interaction, await decide(actor, claim_id))


class ReceiptButton(PersistentButton, key="eng:receipt:{claim_id}"):
    """Show a claim's receipt, privately, from the bytes the bot kept (links expire)."""

    def __init__(self, claim_id: int) -> None:
        grey = discord.ButtonStyle.secondary
        super().__init__(label="View receipt", style=grey, claim_id=claim_id)

    async def run(self, interaction: Interaction) -> None:
        """Send the receipt to the worker who asked, as a file only they see."""
        await send_receipt(interaction, self.ids["claim_id"])


async def send_receipt(interaction: Interaction, claim_id: int) -> None:
    """Reply privately with a claim's kept receipt (workers, or the person who claimed)."""
    receipts = interaction.client.services.engagement.receipts
    receipt = await receipts.receipt(actor_for(interaction), claim_id)
    file = discord.File(
        io.BytesIO(receipt.data), filename=receipt.filename, description=receipt.description
    )
    await reply(interaction, f"The receipt for claim #{claim_id}:", file=file)


async def update_claim_card(interaction: Interaction, claim: ClaimView) -> None:
    """Redraw the claim card (or reply, if not on it); the member's DM is owed already."""
    if interaction.message is not None and interaction.message.embeds:
        # Drawn as the owed redraw draws it, so whichever lands last shows the same card.
        note = claim_footer(claim, interaction.guild)
        tz = interaction.client.services.settings.tz
        await interaction.response.edit_message(
            embed=claim_embed(claim, note, tz), view=claim_card_view(claim)
        )
    else:
        await reply(interaction, f"Claim #{claim.id}: {claim.status_text}. The member is told.")


class ReasonModal(Form, title="Give a reason"):
    """Ask a worker for the reason a member will be given (claim rejected, move not now)."""

    reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Reason (the member will see this)",
        style=discord.TextStyle.paragraph,
        max_length=500,
        required=True,
    )

    def __init__(self, kind: str, item_id: int) -> None:
        super().__init__(custom_id=f"eng:reason:{kind}:{item_id}", timeout=None)
        self.kind = kind
        self.item_id = item_id

    async def submit(self, interaction: Interaction) -> None:
        """Reject the claim or decline the move, and tell the member why."""
        engagement = interaction.client.services.engagement
        actor = actor_for(interaction)
        if self.kind == "claim":
            claim = await engagement.expenses.reject(actor, self.item_id, self.reason.value)
            await update_claim_card(interaction, claim)
            return
        declined = await engagement.moves.decline(actor, self.item_id, self.reason.value)
        content = (
            f"**Level move** to {declined.level_name}: not confirmed for now by "
            f"{interaction.user.display_name}. Reason: {declined.reason}"
        )
        if interaction.message is not None:
            await interaction.response.edit_message(content=content[:2000], view=None)
        else:
            await reply(interaction, "Done; the member has been told the reason.")


DYNAMIC_ITEMS = (NoticeButton, ConfirmMoveButton, DeclineMoveButton, ClaimButton, ReceiptButton)
