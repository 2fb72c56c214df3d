"""Send what consultations owe Discord: closes, "you said, we did", reminders and thank-yous.

The service writes each message as an outbox row with the decision; these senders render and
send one row each. They pass the row's nonce (through `post_owed` / `dm_owed`), so a retry
after a lost reply appears once; Discord's failures are classified by `bot.delivery`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import discord

from bot.delivery import Sender, Sent, Undeliverable, dm_owed
from bot.services.consultations import KINDS
from bot.services.outbox import Delivery
from bot.ui.senders import Senders
from bot.ui.timefmt import both
from cogs.consultations._render import esc, feedback_embed, people, summary_embed
from cogs.consultations._views import StartButton

NO_PINGS = discord.AllowedMentions.none()
FEEDBACK_DM_TEXT = "You took part in this consultation: here's what happened because you spoke up."


def waiting(n: int) -> str:
    """Say who is waiting for feedback, in words that fit the number."""
    if n == 0:
        return "Nobody took part, but the people asked still deserve to hear what happens next."
    if n == 1:
        return "1 person took part and is waiting to hear what happened."
    return f"{n} people took part and are waiting to hear what happened."


class ConsultationSenders(Senders):
    """One sender per kind of consultation message the outbox holds."""

    def kinds(self) -> dict[str, Sender]:
        """Send each kind ("consultations.opened") with the method of its name (`opened`)."""
        return self.named(*KINDS)

    async def _post(self, delivery: Delivery, content: str, **kwargs: Any) -> Sent:
        return await self.post_to_channel(delivery, content, allowed_mentions=NO_PINGS, **kwargs)

    def _review_date(self, delivery: Delivery) -> str:
        when = datetime.fromisoformat(str(delivery.payload["review_date"]))
        return both(when, self.bot.settings.tz)

    async def opened(self, delivery: Delivery) -> Sent:
        """Announce an open consultation with its "Take part" button."""
        drafting = self.bot.services.consultations.drafting
        view = await drafting.for_delivery(
            delivery.guild_id, int(delivery.payload["consultation_id"])
        )
        if view is None:
            raise Undeliverable("the consultation is no longer there")
        if view.status != "open":
            # Held up past its close (Discord was down): inviting people now would mislead.
            raise Undeliverable("it closed before it could be announced")
        buttons = discord.ui.View(timeout=None)
        buttons.add_item(StartButton(consultation_id=view.id))
        return await self._post(
            delivery,
            "📣 A new consultation is open: we'd love to hear from you.",
            embed=summary_embed(view, self.bot.settings.tz),
            view=buttons,
        )

    async def closed_workers(self, delivery: Delivery) -> Sent:
        """Tell workers a consultation closed, how many took part, and what is next."""
        p = delivery.payload
        how = "closed early" if p["early"] else "closed on its deadline"
        return await self._post(
            delivery,
            f"Consultation **{esc(p['title'])}** (#{p['consultation_id']}) {how}: "
            f"{p['respondents']} of {people(p['audience_size'])} took part.\n"
            'See the answers with `/consult results`, then publish "you said, we did" with '
            f"`/consult feedback` by {self._review_date(delivery)}.",
        )

    async def closed_thanks(self, delivery: Delivery) -> Sent:
        """Thank everyone who took part, in announcements."""
        p = delivery.payload
        n = int(p["respondents"])
        thanks = (
            ""
            if n == 0
            else f" Thank you to {'the one person' if n == 1 else f'the {n} people'} who took "
            "part!"
        )
        return await self._post(
            delivery,
            f"The consultation **{esc(p['title'])}** has now closed.{thanks} We'll tell you "
            f"{'what happens next' if n == 0 else 'what we did with your answers'} by "
            f"{self._review_date(delivery)}.",
        )

    async def feedback_overdue(self, delivery: Delivery) -> Sent:
        """Remind workers (once) that the review date passed with no feedback."""
        p = delivery.payload
        return await self._post(
            delivery,
            f"⏰ Reminder: the review date for **{esc(p['title'])}** "
            f'(#{p["consultation_id"]}) has passed and no "you said, we did" has been '
            f"published. {waiting(int(p['respondents']))} Use `/consult feedback` to close "
            'the loop, even if the answer is "not yet, and here\'s why".',
        )

    async def _feedback_embed(self, delivery: Delivery) -> discord.Embed:
        feedback = await self.bot.services.consultations.feedback.for_delivery(
            delivery.guild_id, int(delivery.payload["consultation_id"])
        )
        if feedback is None:
            raise Undeliverable("the feedback is no longer there")
        return feedback_embed(feedback)

    async def feedback_post(self, delivery: Delivery) -> Sent:
        """Post "you said, we did" in announcements."""
        embed = await self._feedback_embed(delivery)
        return await self._post(delivery, "📣 You said, we did.", embed=embed)

    async def feedback_dm(self, delivery: Delivery) -> Sent:
        """DM "you said, we did" to one person who took part and asked for DMs."""
        if delivery.subject_member_id is None:
            raise Undeliverable("the person asked for their data to be erased")
        embed = await self._feedback_embed(delivery)
        user_id = int(delivery.payload["user_id"])
        return await dm_owed(self.bot, delivery, user_id, FEEDBACK_DM_TEXT, embed=embed)

    async def suggestion_dm(self, delivery: Delivery) -> Sent:
        """Thank a member for a suggested question, saying whether it was added."""
        if delivery.subject_member_id is None:
            raise Undeliverable("the person asked for their data to be erased")
        p = delivery.payload
        title = esc(p["title"])
        text = (
            f"Thank you! Your suggested question for **{title}** has been added to the "
            "consultation."
            if p["accepted"]
            else f"Thank you for suggesting a question for **{title}**. This time it wasn't "
            "added, but your ideas help shape what we ask."
        )
        return await dm_owed(self.bot, delivery, int(p["user_id"]), text)
