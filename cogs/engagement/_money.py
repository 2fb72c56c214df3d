"""/contributions (workers), /payments and /expenses."""

from __future__ import annotations

from typing import Any, Literal

import aiohttp
import discord
from discord import app_commands

from bot.services.engagement import (
    BY_HAND,
    CATEGORIES,
    REWARDS,
    SINGULAR,
    ContributionKind,
    ContributionView,
    Receipt,
    check_upload,
    format_pounds,
    hours_words,
)
from bot.services.errors import InvalidInput
from bot.ui.actor import actor_for
from bot.ui.cog import FeatureCog
from bot.ui.commands import command
from bot.ui.context import Interaction
from bot.ui.replies import reply
from bot.ui.timefmt import uk_text
from cogs.engagement._views import (
    reply_list,
    send_receipt,
    update_claim_card,
)

# Attendance at a session run with /session is recorded from its register.
SESSION_KINDS = {ContributionKind.SESSION_ATTENDED, ContributionKind.SESSION_COFACILITATED}
# Only what a worker should log by hand: the bot records votes, responses and modules itself.
KIND_CHOICES = [
    app_commands.Choice(
        name=SINGULAR[k].capitalize()
        + (" (one not run with /session)" if k in SESSION_KINDS else ""),
        value=k.value,
    )
    for k in BY_HAND
]
CATEGORY_CHOICES = [app_commands.Choice(name=v, value=k) for k, v in CATEGORIES.items()]
REWARD_CHOICES = [
    app_commands.Choice(name="Money", value="money"),
    app_commands.Choice(name="Voucher", value="voucher"),
    app_commands.Choice(name="Accreditation", value="accreditation"),
    app_commands.Choice(name="No payment, thanks (decline)", value="declined"),
]
NONE = discord.AllowedMentions.none()
PAYMENT_STATUS = {
    "due": "waiting to be paid",
    "paid": "paid",
    "cancelled": "cancelled (its record was corrected)",
}
HOURS_HELP = "How long it took, e.g. 1.5 (paid by the hour at a paid level)"
# What workers and members type, limited while they type so nothing is refused after sending.
Number = app_commands.Range[int, 1]  # a record's number, as the lists show it
Reason = app_commands.Range[str, 1, 200]
Hours = app_commands.Range[str, None, 10]
Note = app_commands.Range[str, None, 200]


async def _download(attachment: discord.Attachment) -> bytes:
    """Return an uploaded receipt's bytes, or explain kindly that Discord would not give them."""
    try:
        return await attachment.read()
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError):
        raise InvalidInput(
            "Sorry, I couldn't fetch your receipt from Discord just now, so nothing has been "
            "saved. Please try the claim again in a minute."
        ) from None


def _kind(value: str) -> str:
    """Return a contribution kind in words ('session co-facilitated')."""
    try:
        return SINGULAR[ContributionKind(value)]
    except ValueError:
        return value.replace("_", " ")


def _who(user_id: int | None) -> str:
    """Mention a member, or say they erased their data."""
    return f"<@{user_id}>" if user_id is not None else "(erased member)"


class EngagementRecordsCog(FeatureCog):
    """Contribution records, payments and expenses."""

    contributions = app_commands.Group(
        name="contributions", description="Log and fix members' contributions (workers)"
    )
    payments = app_commands.Group(name="payments", description="Payment for paid activity")
    expenses = app_commands.Group(name="expenses", description="Claim out-of-pocket expenses")

    def _what(self, c: ContributionView) -> str:
        """Say what a contribution was, how long it took and when, in words."""
        hours = f", {hours_words(c.hours)}" if c.hours is not None else ""
        note = f" (“{c.note}”)" if c.note else ""
        when = uk_text(c.occurred_at, self.services.settings.tz)
        return f"{c.kind_words}{hours}, on {when}{note}"

    def _line(self, c: ContributionView) -> str:
        """One line of a list; the number is what correct and remove ask for."""
        return f"• No. {c.id}: {self._what(c)}"

    # ---- contributions ----------------------------------------------------------------------

    @command(
        contributions,
        "log",
        "Log a contribution for a member",
        "worker",
        member="Who contributed",
        kind="What they did (votes, consultation answers and training modules are recorded "
        "by the bot)",
        hours=HOURS_HELP,
        note="A short note (optional)",
    )
    @app_commands.choices(kind=KIND_CHOICES)
    async def log(
        self,
        interaction: Interaction,
        member: discord.User,
        kind: app_commands.Choice[str],
        hours: Hours | None = None,
        note: Note | None = None,
    ) -> None:
        """Log once per interaction; say what it set off."""
        logged = await self.services.engagement.contributions.log(
            actor_for(interaction),
            member.id,
            kind.value,
            hours=hours,
            note=note,
            source_key=f"log:{interaction.id}",
        )
        c = logged.contribution
        text = f"Logged for <@{member.id}>: {self._what(c)}."
        if logged.payment_ids:
            text += " A payment record was created at their level's rate."
        text += f"\nIf it needs fixing, it is number {c.id} in /contributions correct or remove."
        await reply(interaction, text, allowed_mentions=NONE)

    @command(contributions, "list", "A member's latest contributions", "worker")
    async def list_(self, interaction: Interaction, member: discord.User) -> None:
        """List with numbers, to correct or remove one."""
        found = await self.services.engagement.contributions.list_for(
            actor_for(interaction), member.id
        )
        heading = (
            f"Latest for <@{member.id}> (the number is what /contributions correct and remove "
            "ask for):\n"
        )
        lines = [self._line(c) for c in found]
        await reply_list(
            interaction, lines, f"{heading}Nothing recorded yet.", heading, allowed_mentions=NONE
        )

    @command(
        contributions,
        "correct",
        "Correct a wrong contribution",
        "worker",
        number="The contribution number (see /contributions list)",
        reason="Why it is being corrected (kept in the audit log)",
        kind="What they really did, if that was wrong",
        hours=HOURS_HELP,
        note="A short note, if that was wrong",
    )
    @app_commands.choices(kind=KIND_CHOICES)
    async def correct(
        self,
        interaction: Interaction,
        number: Number,
        reason: Reason,
        kind: app_commands.Choice[str] | None = None,
        hours: Hours | None = None,
        note: Note | None = None,
    ) -> None:
        """Change the fields given."""
        changes: dict[str, Any] = {}
        if kind is not None:
            changes["kind"] = kind.value
        if hours is not None:
            changes["hours"] = hours
        if note is not None:
            changes["note"] = note
        fixed = await self.services.engagement.contributions.correct(
            actor_for(interaction), number, reason=reason, **changes
        )
        await reply(interaction, f"Corrected number {fixed.id}: {self._what(fixed)}.")

    @command(
        contributions,
        "remove",
        "Remove a wrong contribution",
        "worker",
        number="The contribution number (see /contributions list)",
        reason="Why it is being removed (kept in the audit log)",
    )
    async def remove(self, interaction: Interaction, number: Number, reason: Reason) -> None:
        """Remove it (audited)."""
        gone = await self.services.engagement.contributions.remove(
            actor_for(interaction), number, reason
        )
        await reply(interaction, f"Removed number {gone.id}: {self._what(gone)}.")

    # ---- payments ---------------------------------------------------------------------------

    @command(payments, "rate", "What paid activity pays at your level", "member")
    async def rate(self, interaction: Interaction) -> None:
        """State the rate before any activity."""
        statement = await self.services.engagement.payments.rate_statement(actor_for(interaction))
        await reply(interaction, statement.text)

    @command(
        payments,
        "preference",
        "Choose money, voucher or accreditation, or decline payment",
        "member",
    )
    @app_commands.choices(reward=REWARD_CHOICES)
    async def preference(self, interaction: Interaction, reward: app_commands.Choice[str]) -> None:
        """Save the choice; it applies from now on."""
        statement = await self.services.engagement.payments.set_preference(
            actor_for(interaction), reward.value
        )
        await reply(interaction, f"Saved: {REWARDS[statement.reward]}.\n{statement.text}")

    @command(payments, "mine", "Your payment records", "member")
    async def mine(self, interaction: Interaction) -> None:
        """List the member's payments."""
        found = await self.services.engagement.payments.my_payments(actor_for(interaction))
        lines = [
            f"• {p.amount_text} for {hours_words(p.hours)} ({_kind(p.kind)}): "
            + (
                "you declined payment"
                if p.status == "declined"
                else f"{PAYMENT_STATUS.get(p.status, p.status)}, as {REWARDS[p.reward]}"
            )
            for p in found
        ]
        await reply_list(interaction, lines, "You have no payment records yet.")

    @command(payments, "due", "Payments waiting to be made (workers)", "worker")
    async def due(self, interaction: Interaction) -> None:
        """List payments to make."""
        found = await self.services.engagement.payments.due(actor_for(interaction))
        lines = [
            f"• Payment {p.id}: {_who(p.user_id)}, {p.amount_text} as {REWARDS[p.reward]} "
            f"({hours_words(p.hours)} of {_kind(p.kind)} at {format_pounds(p.rate_pence)} "
            "an hour)"
            for p in found
        ]
        await reply_list(
            interaction,
            lines,
            "No payments are due.",
            "Payments to make (mark one with /payments paid and its number):\n",
            allowed_mentions=NONE,
        )

    @command(
        payments,
        "paid",
        "Mark a payment as paid (workers)",
        "worker",
        number="The payment number (see /payments due)",
    )
    async def paid(self, interaction: Interaction, number: Number) -> None:
        """Mark it paid and tell the member."""
        payment = await self.services.engagement.payments.mark_paid(actor_for(interaction), number)
        told = (
            "They are being sent a message."
            if payment.told
            else ""
            if payment.user_id is None
            else "They have turned off messages from the bot, so they will see it in "
            "/payments mine."
        )
        await reply(
            interaction,
            f"Payment {payment.id} ({payment.amount_text} to {_who(payment.user_id)}) is marked "
            f"as paid. {told}".strip(),
            allowed_mentions=NONE,
        )

    # ---- expenses ---------------------------------------------------------------------------

    @command(
        expenses,
        "claim",
        "Claim out-of-pocket expenses",
        "member",
        category="What it was for",
        amount="How much, in pounds and pence, e.g. 12.50",
        note="What it was (needed for Other)",
        receipt="A photo or file of the receipt (optional)",
    )
    @app_commands.choices(category=CATEGORY_CHOICES)
    async def claim(
        self,
        interaction: Interaction,
        category: app_commands.Choice[str],
        amount: app_commands.Range[str, 1, 20],
        note: app_commands.Range[str, None, 500] | None = None,
        receipt: discord.Attachment | None = None,
    ) -> None:
        """Submit the claim, keeping the receipt itself; the workers' card is owed with it."""
        kept = None
        if receipt is not None:
            check_upload(receipt.filename, receipt.content_type, receipt.size)
            # Fetching the file is network work: answer Discord first.
            await interaction.response.defer(ephemeral=True, thinking=True)
            kept = Receipt(receipt.filename, receipt.content_type or "", await _download(receipt))
        claim = await self.services.engagement.expenses.claim(
            actor_for(interaction), category.value, amount, note, receipt=kept
        )
        await reply(interaction, claim.member_text)

    @command(
        expenses,
        "receipt",
        "See the receipt kept for a claim",
        "member",
        number="The claim number",
    )
    async def receipt(self, interaction: Interaction, number: Number) -> None:
        """Show a claim's receipt privately (workers, or the person who claimed)."""
        await send_receipt(interaction, number)

    @command(expenses, "list", "Your expenses claims", "member")
    async def claims(self, interaction: Interaction) -> None:
        """List the member's claims and where each one is."""
        found = await self.services.engagement.expenses.mine(actor_for(interaction))
        lines = []
        for c in found:
            line = f"• Claim #{c.id}, {c.category_name.lower()}, {c.amount_text}: {c.status_text}"
            if c.reject_reason:
                line += f" (reason: {c.reject_reason})"
            lines.append(line)
        await reply_list(interaction, lines, "You have not made any claims yet.")

    @command(expenses, "queue", "Claims waiting for workers", "worker")
    async def queue(self, interaction: Interaction) -> None:
        """List claims to decide or pay."""
        found = await self.services.engagement.expenses.waiting(actor_for(interaction))
        lines = [
            f"• #{c.id} {_who(c.user_id)} {c.category_name}, {c.amount_text}: {c.status_text}"
            for c in found
        ]
        await reply_list(interaction, lines, "No claims are waiting.", allowed_mentions=NONE)

    async def _decide(
        self,
        interaction: Interaction,
        action: Literal["approve", "paid", "reject"],
        number: int,
        reason: str = "",
    ) -> None:
        expenses = self.services.engagement.expenses
        actor = actor_for(interaction)
        if action == "approve":
            claim = await expenses.approve(actor, number)
        elif action == "paid":
            claim = await expenses.mark_paid(actor, number)
        else:
            claim = await expenses.reject(actor, number, reason)
        await update_claim_card(interaction, claim)

    @command(expenses, "approve", "Approve a claim", "worker")
    async def approve(self, interaction: Interaction, number: Number) -> None:
        """Approve and tell the member."""
        await self._decide(interaction, "approve", number)

    @command(expenses, "reject", "Reject a claim with a reason", "worker")
    async def reject(
        self, interaction: Interaction, number: Number, reason: app_commands.Range[str, 1, 500]
    ) -> None:
        """Reject and tell the member why."""
        await self._decide(interaction, "reject", number, reason)

    @command(expenses, "paid", "Mark a claim as paid", "worker")
    async def mark_paid(self, interaction: Interaction, number: Number) -> None:
        """Mark paid and tell the member."""
        await self._decide(interaction, "paid", number)
