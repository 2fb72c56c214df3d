"""The /join conversation: fix one wrong answer, choose adjustments, consent; then the outcome.

Nothing is stored until the person presses "I agree". A wrong answer is answered with a way to
change only that answer (a list to pick from, or a form holding what they typed), because a
slash command cannot be handed back filled in: retyping all of it is what makes people give up.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import discord

from bot.services.membership import (
    ADJUSTMENTS,
    CONSENT_STATEMENT,
    MEMBER_TYPES,
    NAME_MAX,
    NOTE_MAX,
    PRONOUNS_MAX,
    FieldProblem,
    JoinForm,
    MemberView,
)
from bot.settings import Settings
from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.owned import OwnedView
from bot.ui.persistent import Form
from bot.ui.replies import clip, guarded, reply
from cogs.membership._replies import SignUpReplies

# Channels only members can see (made by /setup); people waiting are told they open later.
MEMBERS_ONLY = "#sessions, #polls and #peer-support"
KEPT = "Your other answers are kept: change just this one below."
# The answers typed as text: what to call each, its limit, and whether it may be long.
TEXT_ANSWERS = {
    "preferred_name": ("Your preferred name", NAME_MAX, False),
    "pronouns": ("Your pronouns", PRONOUNS_MAX, False),
    "adjustments_note": ("Anything else that would help you take part", NOTE_MAX, True),
}


def _e(text: str) -> str:
    return discord.utils.escape_markdown(text)


def consent_text(form: JoinForm) -> str:
    """Return the consent step: the answers as understood, what is kept, how to go on."""
    dms = "yes" if form.dm_opt_in else "no"
    answers = (
        f"{_e(form.age_band)} · {MEMBER_TYPES.get(form.member_type, '?')} · "
        f"{_e(form.locality)} · reminder DMs: {dms}"
        + (f" · {_e(form.pronouns)}" if form.pronouns else "")
    )
    told = f"\nYou told us: {_e(form.adjustments_note)}" if form.adjustments_note else ""
    return clip(
        f"Hi {_e(form.preferred_name.strip()[:NAME_MAX])}! Before we sign you up, please check "
        f"your answers and read this.\n**Your answers:** {answers}{told}\n\n"
        f"{CONSENT_STATEMENT}\n\n"
        "If you need any reasonable adjustments, choose them below, or press **Something "
        "else** to tell us in your own words. Then press **I agree — sign me up**. If you "
        "change your mind, press Cancel: nothing is kept."
    )


def thanks(view: MemberView) -> str:
    """Return what someone is told once their sign-up is taken (this reply is updated later)."""
    return (
        f"Thank you, {_e(view.preferred_name)}! Your sign-up is waiting for a participation "
        "worker to look at it. If they decide in the next few minutes, this message will change "
        "to tell you. "
        "Once you are approved, we'll "
        + ("DM you and " if view.dm_opt_in else "")
        + "welcome you in #welcome."
        + f"\nUntil then you can't see {MEMBERS_ONLY}. They open to you once you are "
        "approved. Then you can vote in polls and reply to sessions."
        + (
            "\nYou are under 16, so a worker will first check that a parent or carer knows "
            "you are joining."
            if view.needs_carer_confirmation
            else ""
        )
        + "\nYou can also answer a few optional equality questions with /equality. "
        "Every question has 'Prefer not to say'."
    )


def decided_text(view: MemberView) -> str:
    """Return the sign-up reply once a worker has decided."""
    if view.status == "declined":
        return clip(
            f"Hello {_e(view.preferred_name)}. This time a worker was not able to approve your "
            f"sign-up. The reason they gave: {view.decline_reason}\nIf you have questions, or "
            "things change, you are welcome to /join again or ask a worker."
        )
    return (
        f"Good news, {_e(view.preferred_name)}: a worker approved your sign-up. Welcome! "
        f"You can now see {MEMBERS_ONLY}. Use /help to see what you can take part in."
    )


async def _show(interaction: Interaction, text: str, view: discord.ui.View, edit: bool) -> None:
    if edit:
        await interaction.response.edit_message(content=text, view=view)
    else:
        await reply(interaction, text, view=view)


async def offer_consent(
    interaction: Interaction, form: JoinForm, replies: SignUpReplies, *, edit: bool = False
) -> None:
    """Show the consent step, or a way to change the one answer that cannot be used."""
    membership = interaction.client.services.membership
    owner = interaction.user.id
    try:
        understood = await membership.check_can_join(actor_for(interaction), form)
    except FieldProblem as problem:
        settings = interaction.client.settings.for_server(interaction.guild_id)
        fix = JoinFixView(owner, form, problem.field, replies, settings)
        await _show(interaction, f"{problem.message}\n{KEPT}", fix, edit)
        return
    await _show(
        interaction, consent_text(understood), JoinConsentView(owner, understood, replies), edit
    )


class JoinFixView(OwnedView):
    """Change the one answer that was wrong; the others stay as they were typed."""

    def __init__(
        self, owner_id: int, form: JoinForm, field: str, replies: SignUpReplies, settings: Settings
    ) -> None:
        super().__init__(owner_id, timeout=900)
        self.form, self.field, self.replies = form, field, replies
        choices = {"age_band": settings.group.age_bands, "locality": settings.group.localities}
        if field in choices:
            picker: discord.ui.Select[JoinFixView] = discord.ui.Select(
                placeholder="Choose your age band" if field == "age_band" else "Choose your area",
                options=[
                    discord.SelectOption(label=v[:100], value=v[:100]) for v in choices[field]
                ][:25],
                custom_id=f"join:fix:{field}",
            )
            picker.callback = self._picked  # type: ignore[method-assign]
            self.picker = picker
            self.add_item(picker)
        else:
            button: discord.ui.Button[JoinFixView] = discord.ui.Button(
                label="Change it", style=discord.ButtonStyle.primary, custom_id="join:fix:text"
            )
            button.callback = self._open_form  # type: ignore[method-assign]
            self.add_item(button)

    @guarded
    async def _picked(self, interaction: Interaction) -> None:
        self.stop()
        changed: dict[str, Any] = {self.field: self.picker.values[0]}
        form = dataclasses.replace(self.form, **changed)
        await offer_consent(interaction, form, self.replies, edit=True)

    @guarded
    async def _open_form(self, interaction: Interaction) -> None:
        # Not stopped: someone who closes the form without sending can press again.
        await interaction.response.send_modal(AnswerForm(self.field, self.form, self.replies))


class AnswerForm(Form):
    """One text answer, holding what was typed, to change without retyping the rest."""

    def __init__(self, field: str, form: JoinForm, replies: SignUpReplies) -> None:
        label, limit, long = TEXT_ANSWERS.get(field, TEXT_ANSWERS["adjustments_note"])
        super().__init__(custom_id=f"join:answer:{field}", title="Change your answer")
        self.field, self.form, self.replies = field, form, replies
        self.answer: discord.ui.TextInput[AnswerForm] = discord.ui.TextInput(
            label=label[:45],
            style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
            default=(getattr(form, field) or "")[:limit] or None,
            max_length=limit,
            required=field == "preferred_name",
        )
        self.add_item(self.answer)

    async def submit(self, interaction: Interaction) -> None:
        """Keep the new answer and show the next step (consent, or what is still wrong)."""
        changed: dict[str, Any] = {self.field: self.answer.value or None}
        form = dataclasses.replace(self.form, **changed)
        await offer_consent(interaction, form, self.replies, edit=True)


class JoinConsentView(OwnedView):
    """The consent step of /join: adjustments (asked once), then agree or cancel."""

    def __init__(self, owner_id: int, form: JoinForm, replies: SignUpReplies) -> None:
        super().__init__(owner_id, timeout=900)
        self.form, self.replies = form, replies
        self._mark_chosen()

    def _mark_chosen(self) -> None:
        self.adjustments.options = [
            discord.SelectOption(label=label, value=key, default=key in self.form.adjustments)
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
        self.form = dataclasses.replace(self.form, adjustments=tuple(select.values))
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
        form = dataclasses.replace(self.form, consent=True)
        view = await interaction.client.services.membership.join(actor_for(interaction), form)
        self.stop()
        # The card in #worker-log was owed with the sign-up and goes out through the outbox;
        # this reply is kept so the decision can update it (see _replies.py).
        await interaction.response.edit_message(content=thanks(view), view=None)
        self.replies.remember(view.id, interaction)

    @discord.ui.button(
        label="Something else", style=discord.ButtonStyle.secondary, row=1, custom_id="join:other"
    )
    @guarded
    async def something_else(
        self, interaction: Interaction, _: discord.ui.Button[JoinConsentView]
    ) -> None:
        """Ask, in the person's own words, for an adjustment not on the list."""
        await interaction.response.send_modal(NoteForm(self))

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


class NoteForm(Form):
    """The one place a newcomer describes, in their own words, an adjustment not on the list."""

    def __init__(self, consent: JoinConsentView) -> None:
        super().__init__(custom_id="join:note", title="Something else that would help")
        self.consent = consent
        self.note: discord.ui.TextInput[NoteForm] = discord.ui.TextInput(
            label=TEXT_ANSWERS["adjustments_note"][0],
            style=discord.TextStyle.paragraph,
            default=consent.form.adjustments_note or None,
            max_length=NOTE_MAX,
            required=False,
        )
        self.add_item(self.note)

    async def submit(self, interaction: Interaction) -> None:
        """Keep the words with the form and show them on the consent step."""
        consent = self.consent
        typed = dataclasses.replace(consent.form, adjustments_note=self.note.value or None)
        membership = interaction.client.services.membership
        # Checked before it replaces the kept form, so a refused note loses nothing chosen.
        consent.form = await membership.check_can_join(actor_for(interaction), typed)
        consent._mark_chosen()
        await interaction.response.edit_message(content=consent_text(consent.form), view=consent)
