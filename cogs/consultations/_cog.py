"""/consult: draft, questions (typed or uploaded), suggest, open, answer, close, results."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import discord
from discord import app_commands

from bot.app import ParticipationBot
from bot.services.consultations import FILE_MAX_BYTES, FORMAT_HINT, KIND_LABELS
from bot.services.errors import InvalidInput, ServiceError
from bot.services.timeparse import parse_local
from bot.ui.actor import actor_for
from bot.ui.cog import FeatureCog
from bot.ui.commands import command
from bot.ui.context import Interaction
from bot.ui.replies import clip, reply
from bot.ui.timefmt import both
from cogs.consultations._delivery import ConsultationSenders
from cogs.consultations._guide import GUIDE_ITEMS, DraftModal, QuestionModal, guide_view
from cogs.consultations._modals import FeedbackModal
from cogs.consultations._publish import send_results
from cogs.consultations._render import (
    esc,
    people,
    question_lines,
    small_audience_note,
    summary_embed,
)
from cogs.consultations._suggestions import (
    SUGGESTION_ITEMS,
    AcceptModal,
    suggestion_lines,
    suggestion_view,
)
from cogs.consultations._views import DYNAMIC_ITEMS, TextAnswerModal, show_step

Kind = Literal["single choice", "multiple choice", "scale 1-5", "free text"]
KINDS = {
    "single choice": "single",
    "multiple choice": "multiple",
    "scale 1-5": "scale",
    "free text": "text",
}


class ConsultationsCog(FeatureCog):
    """Consultations through Discord: thin glue over the consultations service."""

    consult = app_commands.Group(name="consult", description="Consultations: you said, we did")

    def __init__(self, bot: ParticipationBot) -> None:
        super().__init__(bot)
        self.consultations = bot.services.consultations

    async def cog_load(self) -> None:
        """Make buttons and forms work after a restart; send what the outbox says is owed."""
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS, *SUGGESTION_ITEMS, *GUIDE_ITEMS)
        # What someone typed into these forms is saved even if the bot restarted meanwhile.
        self.bot.add_persistent_forms(
            TextAnswerModal, FeedbackModal, QuestionModal, AcceptModal, DraftModal
        )
        ConsultationSenders(self.bot).register()

    # ---- autocomplete ------------------------------------------------------------------------

    async def _mine(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        """Offer consultations the person can act on: all for workers, open/draft for members."""
        actor = actor_for(interaction)
        c = self.consultations
        try:
            found = await c.drafting.list_for_worker(actor)
        except ServiceError:
            try:
                found = [o.consultation for o in await c.answering.open_for_member(actor)]
                found += await c.drafting.drafts_for_member(actor)
            except ServiceError:
                return []
        needle = current.casefold()
        return [
            app_commands.Choice(name=clip(f"#{v.id} {v.title} ({v.status})", 100), value=v.id)
            for v in found
            if needle in f"{v.id} {v.title}".casefold()
        ][:25]

    async def _audiences(self, it: Interaction, current: str) -> list[app_commands.Choice[str]]:
        here = self.settings_for(it.guild_id)
        names = {"Everyone": "everyone"}
        names |= {f"Area: {loc}": f"locality:{loc}" for loc in here.group.localities}
        names |= {f"Level: {lv.name}": f"level:{lv.key}" for lv in here.ladder.levels}
        needle = current.casefold()
        return [
            app_commands.Choice(name=n, value=v) for n, v in names.items() if needle in n.casefold()
        ][:25]

    def _when(self, text: str, what: str) -> datetime:
        try:
            return parse_local(text, self.bot.services.clock.now(), self.settings.tz)
        except InvalidInput as exc:
            raise InvalidInput(f"The {what}: {exc.message}") from exc

    async def _require_worker(self, interaction: Interaction) -> None:
        # Refuse before a form is shown, so nobody types into a form that can't be saved.
        await self.consultations.drafting.list_for_worker(actor_for(interaction))

    # ---- drafting ----------------------------------------------------------------------------

    @command(
        consult,
        "draft",
        "Draft a consultation",
        deadline="When answers close (UK time), e.g. '2026-12-10 17:00' or '10 Dec 5pm'",
        audience="Who it is for: Everyone, an area or a level",
        anonymous="Keep answers anonymous (nobody can link an answer to a person)",
        review_date="When feedback should be out (default: 28 days after the deadline)",
    )
    @app_commands.autocomplete(audience=_audiences)
    async def draft(
        self,
        interaction: Interaction,
        deadline: str,
        audience: str = "everyone",
        anonymous: bool = True,
        review_date: str | None = None,
    ) -> None:
        """Check the dates and audience first, then ask for the long answers in a form."""
        await self._require_worker(interaction)
        when = self._when(deadline, "deadline")
        review = self._when(review_date, "review date") if review_date else None
        drafting = self.consultations.drafting
        drafting.check_dates(when, review)
        checked = drafting.check_audience(audience, interaction.guild_id)
        await interaction.response.send_modal(DraftModal(when, review, checked, anonymous))

    @command(consult, "template", "Add the 'how did it feel?' questionnaire")
    @app_commands.autocomplete(audience=_audiences)
    async def template(self, interaction: Interaction, audience: str = "everyone") -> None:
        """Create the built-in questionnaire as a draft to check and open."""
        drafting = self.consultations.drafting
        view = await drafting.create_end_of_involvement(
            actor_for(interaction), drafting.check_audience(audience, interaction.guild_id)
        )
        await reply(
            interaction,
            f"Draft #{view.id} created with {len(view.questions)} questions. Press **Preview** "
            "to check them, add your own, then **Open it now**.",
            view=guide_view(view.id, more=True),
        )

    @command(consult, "show", "See a consultation", "member")
    @app_commands.autocomplete(consultation=_mine)
    async def show(self, interaction: Interaction, consultation: int) -> None:
        """Show the details and numbered questions."""
        view = await self.consultations.drafting.get(actor_for(interaction), consultation)
        await reply(interaction, question_lines(view), embed=summary_embed(view, self.settings.tz))

    @command(consult, "question", "Add a question")
    @app_commands.autocomplete(consultation=_mine)
    async def question(self, interaction: Interaction, consultation: int, kind: Kind) -> None:
        """Ask for the question in a form (the service checks it on submit)."""
        await self._require_worker(interaction)
        await interaction.response.send_modal(QuestionModal(consultation, KINDS[kind]))

    @command(consult, "remove-question", "Remove a question")
    @app_commands.autocomplete(consultation=_mine)
    async def remove_question(
        self, interaction: Interaction, consultation: int, number: int
    ) -> None:
        """Remove question N (only before anyone answers)."""
        c = self.consultations
        actor = actor_for(interaction)
        view = await c.drafting.get(actor, consultation)
        match = [q for q in view.questions if q.position == number]
        if not match:
            raise InvalidInput(f"There is no question {number}; see `/consult show`.")
        await c.questions.remove_question(actor, consultation, match[0].id)
        await reply(interaction, f"Question {number} removed.")

    @command(
        consult,
        "upload",
        "Add questions from a text file",
        file="Plain text: 'Q: question', 'type: single|multiple|scale|text', '- option' lines",
        replace="Replace the questions already there (default: add to them)",
    )
    @app_commands.autocomplete(consultation=_mine)
    async def upload(
        self,
        interaction: Interaction,
        consultation: int,
        file: discord.Attachment,
        replace: bool = False,
    ) -> None:
        """Read the file and add every question in it, or explain what to fix."""
        if file.size > FILE_MAX_BYTES:
            raise InvalidInput(
                f"The file is {file.size:,} bytes; the most is {FILE_MAX_BYTES:,}. " + FORMAT_HINT
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        added = await self.consultations.questions.upload_questions(
            actor_for(interaction), consultation, data, replace=replace
        )
        lines = [f"{q.position}. {esc(q.text)} ({KIND_LABELS[q.kind]})" for q in added]
        count = "1 question" if len(added) == 1 else f"{len(added)} questions"
        await reply(interaction, clip(f"Added {count}:\n" + "\n".join(lines)))

    # ---- co-production -----------------------------------------------------------------------

    @command(
        consult,
        "suggest",
        "Suggest a question",
        "member",
        question="Your question (up to 300 characters)",
    )
    @app_commands.autocomplete(consultation=_mine)
    async def suggest(self, interaction: Interaction, consultation: int, question: str) -> None:
        """Send a question suggestion to the workers."""
        await self.consultations.suggestions.suggest(actor_for(interaction), consultation, question)
        await reply(
            interaction,
            "Thank you! A worker will look at your suggestion before the consultation opens.",
        )

    @command(consult, "suggestions", "Decide suggestions")
    @app_commands.autocomplete(consultation=_mine)
    async def suggestions(self, interaction: Interaction, consultation: int) -> None:
        """List up to five waiting suggestions with Accept and Decline buttons."""
        waiting = await self.consultations.suggestions.suggestions(
            actor_for(interaction), consultation
        )
        if not waiting:
            await reply(interaction, "No suggestions are waiting.")
            return
        more = f"\n…and {len(waiting) - 5} more after these." if len(waiting) > 5 else ""
        await reply(
            interaction,
            clip(f"Suggested questions:\n{suggestion_lines(waiting)}{more}"),
            view=suggestion_view(waiting),
        )

    # ---- opening, answering, closing ---------------------------------------------------------

    @command(consult, "open", "Open a consultation")
    @app_commands.autocomplete(consultation=_mine)
    async def open(self, interaction: Interaction, consultation: int) -> None:
        """Open it; the outbox posts it with a "Take part" button."""
        actor = actor_for(interaction)
        view = await self.consultations.drafting.open(actor, consultation)
        # The guided flow warns before opening; this quick command says it with the answer.
        note = small_audience_note(await self.consultations.preview.preview(actor, consultation))
        more = f"\n\n{note}" if note else ""
        await reply(interaction, f"Open until {both(view.deadline, self.settings.tz)}.{more}")

    @command(consult, "answer", "Answer a consultation", "member")
    @app_commands.autocomplete(consultation=_mine)
    async def answer(self, interaction: Interaction, consultation: int) -> None:
        """Show the next unanswered question privately."""
        step = await self.consultations.answering.next_question(
            actor_for(interaction), consultation
        )
        await show_step(interaction, step, new_message=True)

    @command(consult, "close", "Close early")
    @app_commands.autocomplete(consultation=_mine)
    async def close(self, interaction: Interaction, consultation: int) -> None:
        """Close now; workers are told and everyone thanked through the outbox."""
        event = await self.consultations.closing.close(actor_for(interaction), consultation)
        await reply(interaction, f"Closed: {people(event.respondents)} took part.")

    @command(consult, "results", "Results and CSV")
    @app_commands.autocomplete(consultation=_mine)
    async def results(self, interaction: Interaction, consultation: int) -> None:
        """Send counts, charts, free-text answers and the CSV privately."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        actor = actor_for(interaction)
        found = await self.consultations.results.results(actor, consultation)
        csv_bytes = await self.consultations.results.export_csv(actor, consultation)
        await send_results(interaction, found, csv_bytes)

    @command(consult, "feedback", 'Publish "you said, we did"')
    @app_commands.autocomplete(consultation=_mine)
    async def feedback(self, interaction: Interaction, consultation: int) -> None:
        """Ask for the three parts in a form (checked again on submit)."""
        await self._require_worker(interaction)
        view = await self.consultations.drafting.get(actor_for(interaction), consultation)
        if view.status != "closed":
            raise InvalidInput(
                "Feedback can be published once the consultation has closed. "
                "Close it early with `/consult close` if you're ready."
            )
        await interaction.response.send_modal(FeedbackModal(consultation))
