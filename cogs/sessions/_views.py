"""Persistent reply, calendar and feedback buttons; confirmation, attendance and text forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.services.errors import InvalidInput
from bot.services.sessions import AttendeeView
from bot.ui.actor import actor_about
from bot.ui.context import Interaction
from bot.ui.owned import OwnedView
from bot.ui.persistent import Form, PersistentButton
from bot.ui.replies import guarded, reply
from cogs.sessions._actions import ics_file
from cogs.sessions._render import REPLY_WORDS, rsvp_text

STYLES = {
    "going": discord.ButtonStyle.success,
    "maybe": discord.ButtonStyle.secondary,
    "cant": discord.ButtonStyle.danger,
}
Action = Callable[[Interaction], Awaitable[None]]


class RsvpButton(PersistentButton, key="session:rsvp:{session_id}:{reply:going|maybe|cant}"):
    """Going / Maybe / Can't go on a session announcement; works after a restart."""

    def __init__(self, session_id: int, reply: str) -> None:
        super().__init__(
            label=REPLY_WORDS[reply], style=STYLES[reply], session_id=session_id, reply=reply
        )
        self.session_id, self.reply = session_id, reply

    async def run(self, interaction: Interaction) -> None:
        """Record the reply, answer privately (with the link and .ics when going)."""
        replies = interaction.client.services.group_sessions.replies
        actor = await actor_about(interaction, lambda: replies.session_server(self.session_id))
        outcome = await replies.rsvp(actor, self.session_id, self.reply)
        extra: dict[str, Any] = {}
        if outcome.calendar is not None:
            # Built with the reply, in its transaction: a place comes with its calendar file.
            extra["file"] = ics_file(outcome.calendar.filename, outcome.calendar.content)
        # The redraw of the announcement and any promotion's news were owed with the reply.
        await reply(interaction, rsvp_text(outcome), **extra)


class CalendarButton(PersistentButton, key="session:ics:{session_id}"):
    """Send the session as an .ics calendar file, privately."""

    def __init__(self, session_id: int) -> None:
        super().__init__(label="Add to calendar", emoji="📅", session_id=session_id)
        self.session_id = session_id

    async def run(self, interaction: Interaction) -> None:
        """Attach the calendar file (with the link only for people going)."""
        replies = interaction.client.services.group_sessions.replies
        actor = await actor_about(interaction, lambda: replies.session_server(self.session_id))
        calendar = await replies.calendar_file(actor, self.session_id)
        await reply(
            interaction,
            "Here's the session for your calendar (times are in UTC, your calendar shows "
            "them in your own time).",
            file=ics_file(calendar.filename, calendar.content),
        )


class FeedbackButton(PersistentButton, key="session:feedback:{session_id}"):
    """Open the short feedback form for a session someone attended."""

    label_text = "Tell us how it was"
    button_style = discord.ButtonStyle.primary
    session_id: int

    async def run(self, interaction: Interaction) -> None:
        """Show the feedback form."""
        await interaction.response.send_modal(FeedbackForm(self.session_id))


def _box(label: str, max_length: int, **options: Any) -> discord.ui.TextInput[Any]:
    return discord.ui.TextInput(label=label, max_length=max_length, **options)


class FeedbackForm(Form):
    """How was it (1-5), did you feel listened to, anything else."""

    def __init__(self, session_id: int) -> None:
        super().__init__(title="How was the session?", custom_id=f"session:fb-form:{session_id}")
        self.session_id = session_id
        self.rating = _box(
            "How was it? 1 (not good) to 5 (very good)", 1, custom_id="rating", placeholder="5"
        )
        self.listened = _box(
            "Did you feel listened to? yes, partly or no",
            10,
            custom_id="listened",
            placeholder="yes",
        )
        self.comment = _box(
            "Anything else you'd like to tell us?",
            1000,
            custom_id="comment",
            style=discord.TextStyle.paragraph,
            required=False,
        )
        for item in (self.rating, self.listened, self.comment):
            self.add_item(item)

    async def submit(self, interaction: Interaction) -> None:
        """Store the feedback once."""
        raw = self.rating.value.strip()
        if not raw.isdigit():
            raise InvalidInput("Please give a number from 1 (not good) to 5 (very good).")
        sessions = interaction.client.services.group_sessions
        where = sessions.replies.session_server
        await sessions.feedback.submit_feedback(
            await actor_about(interaction, lambda: where(self.session_id)),
            self.session_id,
            int(raw),
            self.listened.value.strip().casefold().rstrip("."),
            self.comment.value,
        )
        await reply(interaction, "Thank you! Your feedback helps us make sessions better.")


class TextForm(Form):
    """One long text box (minutes, agenda), handed to a callback."""

    def __init__(
        self,
        title: str,
        label: str,
        custom_id: str,
        max_length: int,
        action: Callable[[Interaction, str], Awaitable[None]],
        default: str | None = None,
    ) -> None:
        super().__init__(title=title, custom_id=custom_id)
        self.action = action
        self.text = _box(
            label,
            max_length,
            custom_id="text",
            style=discord.TextStyle.paragraph,
            default=(default or "")[:max_length] or None,
        )
        self.add_item(self.text)

    async def submit(self, interaction: Interaction) -> None:
        """Pass the text on."""
        await self.action(interaction, self.text.value)


class ConfirmView(OwnedView):
    """Go ahead despite the warnings (or not); only the person who asked can answer."""

    def __init__(self, owner_id: int, label: str, action: Action) -> None:
        super().__init__(owner_id, timeout=600)
        self.action = action
        self.yes.label = label

    @discord.ui.button(style=discord.ButtonStyle.danger, custom_id="session:confirm:yes")
    @guarded
    async def yes(self, interaction: Interaction, _: Any) -> None:
        """Do it."""
        self.stop()
        await self.action(interaction)

    @discord.ui.button(
        label="No, go back", style=discord.ButtonStyle.secondary, custom_id="session:confirm:no"
    )
    async def no(self, interaction: Interaction, _: Any) -> None:
        """Do nothing."""
        self.stop()
        await interaction.response.edit_message(content="OK — nothing has changed.", view=None)


SaveAttendance = Callable[[Interaction, list[int], list[int]], Awaitable[None]]


class AttendanceView(OwnedView):
    """Choose who came and who co-facilitated, then save."""

    def __init__(self, owner_id: int, people: list[AttendeeView], save: SaveAttendance) -> None:
        super().__init__(owner_id, timeout=900)
        self.save_action = save
        shown = people[:25]
        # Once attendance is saved, start from what was saved, not from the replies.
        came = {
            p.member_id
            for p in shown
            if (p.attended if p.attended is not None else p.reply == "going" and not p.waitlisted)
        }
        self.came: list[int] = [p.member_id for p in shown if p.member_id in came]
        self.helped: list[int] = [p.member_id for p in shown if p.cofacilitated]
        if shown:
            self.came_select = self._select(shown, "Who came?", "came", 0, set(self.came), True)
            self.helped_select = self._select(
                shown, "Who co-facilitated? (optional)", "helped", 1, set(self.helped), False
            )

    def _select(
        self,
        people: list[AttendeeView],
        placeholder: str,
        name: str,
        row: int,
        ticked: set[int],
        describe: bool,
    ) -> discord.ui.Select[Any]:
        options = [
            discord.SelectOption(
                label=p.preferred_name[:100],
                value=str(p.member_id),
                description=(
                    ("Going" if p.reply == "going" and not p.waitlisted else p.reply)[:100]
                    if describe
                    else None
                ),
                default=p.member_id in ticked,
            )
            for p in people
        ]
        select: discord.ui.Select[Any] = discord.ui.Select(
            placeholder=placeholder,
            min_values=0,
            max_values=len(options),
            options=options,
            custom_id=f"session:att:{name}",
            row=row,
        )

        async def chosen(interaction: Interaction) -> None:
            setattr(self, name, [int(v) for v in select.values])
            await interaction.response.defer()

        select.callback = chosen  # type: ignore[method-assign,assignment]
        self.add_item(select)
        return select

    @discord.ui.button(
        label="Save attendance",
        style=discord.ButtonStyle.success,
        custom_id="session:att:save",
        row=2,
    )
    @guarded
    async def save(self, interaction: Interaction, _: Any) -> None:
        """Record attendance and contributions."""
        self.stop()
        await self.save_action(interaction, self.came, self.helped)
