"""Persistent reply, calendar and feedback buttons; confirmation, attendance and text forms."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.services.errors import InvalidInput
from bot.services.sessions import AttendeeView, RsvpOutcome
from bot.ui.actor import actor_for
from bot.ui.forms import unique
from bot.ui.replies import guarded, reply
from cogs.sessions._actions import ics_file, refresh_announcement, tell_promoted
from cogs.sessions._render import esc, session_details

LABELS = {"going": "Going", "maybe": "Maybe", "cant": "Can't go"}
STYLES = {
    "going": discord.ButtonStyle.success,
    "maybe": discord.ButtonStyle.secondary,
    "cant": discord.ButtonStyle.danger,
}
Action = Callable[[discord.Interaction[Any]], Awaitable[None]]


def rsvp_text(outcome: RsvpOutcome, tz: Any) -> str:
    """Return the private answer to a reply button."""
    view = outcome.session
    if outcome.reply == "going" and outcome.waitlisted:
        return (
            f"**{esc(view.title)}** is full, so you're on the waiting list (number "
            f"{outcome.waitlist_position}). If a place comes up it's yours, and we'll tell you."
        )
    if outcome.reply == "going":
        head = "You're going — see you there!" if outcome.changed else "You're already going."
        return (
            f"{head}\n\n"
            + session_details(
                view.title,
                view.starts_at,
                view.local_text,
                view.place,
                outcome.online_link,
                view.papers_url,
                tz,
            )
            + "\n\nThe calendar file is attached. Please keep the link to yourself."
        )
    if outcome.reply == "maybe":
        return (
            f"Thanks — we've put you down as a maybe for **{esc(view.title)}**. Press Going "
            "when you know, to get the joining details and reminders."
        )
    return f"Thanks for letting us know you can't come to **{esc(view.title)}**."


class RsvpButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"session:rsvp:(?P<id>[0-9]+):(?P<reply>going|maybe|cant)",
):
    """Going / Maybe / Can't go on a session announcement; works after a restart."""

    def __init__(self, session_id: int, reply: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=LABELS[reply],
                style=STYLES[reply],
                custom_id=f"session:rsvp:{session_id}:{reply}",
            )
        )
        self.session_id = session_id
        self.reply = reply

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RsvpButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["id"]), match["reply"])

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Record the reply, answer privately (with the link and .ics when going)."""
        client: Any = interaction.client
        sessions = client.services.group_sessions
        actor = actor_for(interaction)
        outcome = await sessions.rsvp(actor, self.session_id, self.reply)
        extra: dict[str, Any] = {}
        if outcome.reply == "going" and not outcome.waitlisted:
            calendar = await sessions.calendar_file(actor, self.session_id)
            extra["file"] = ics_file(calendar.filename, calendar.content)
        await reply(interaction, rsvp_text(outcome, client.settings.tz), **extra)
        await client.scheduler.poke()
        await tell_promoted(client, outcome.promoted)
        await refresh_announcement(client, outcome.session)


class CalendarButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"session:ics:(?P<id>[0-9]+)"
):
    """Send the session as an .ics calendar file, privately."""

    def __init__(self, session_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Add to calendar",
                emoji="📅",
                style=discord.ButtonStyle.secondary,
                custom_id=f"session:ics:{session_id}",
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CalendarButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Attach the calendar file (with the link only for people going)."""
        client: Any = interaction.client
        calendar = await client.services.group_sessions.calendar_file(
            actor_for(interaction), self.session_id
        )
        await reply(
            interaction,
            "Here's the session for your calendar (times are in UTC, your calendar shows "
            "them in your own time).",
            file=ics_file(calendar.filename, calendar.content),
        )


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"session:feedback:(?P<id>[0-9]+)"
):
    """Open the short feedback form for a session someone attended."""

    def __init__(self, session_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Tell us how it was",
                style=discord.ButtonStyle.primary,
                custom_id=f"session:feedback:{session_id}",
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeedbackButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the feedback form."""
        await interaction.response.send_modal(FeedbackModal(self.session_id))


class FeedbackModal(discord.ui.Modal):
    """How was it (1-5), did you feel listened to, anything else."""

    def __init__(self, session_id: int) -> None:
        super().__init__(
            title="How was the session?", custom_id=unique(f"session:fb-form:{session_id}")
        )
        self.session_id = session_id
        self.rating: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="How was it? 1 (not good) to 5 (very good)",
            custom_id="rating",
            max_length=1,
            placeholder="5",
        )
        self.listened: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Did you feel listened to? yes, partly or no",
            custom_id="listened",
            max_length=10,
            placeholder="yes",
        )
        self.comment: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Anything else you'd like to tell us?",
            custom_id="comment",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1000,
        )
        for item in (self.rating, self.listened, self.comment):
            self.add_item(item)

    @guarded
    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Store the feedback once."""
        client: Any = interaction.client
        raw = self.rating.value.strip()
        if not raw.isdigit():
            raise InvalidInput("Please give a number from 1 (not good) to 5 (very good).")
        await client.services.group_sessions.submit_feedback(
            actor_for(interaction),
            self.session_id,
            int(raw),
            self.listened.value.strip().casefold().rstrip("."),
            self.comment.value,
        )
        await reply(interaction, "Thank you! Your feedback helps us make sessions better.")


class TextModal(discord.ui.Modal):
    """One long text box (minutes, agenda), handed to a callback."""

    def __init__(
        self,
        title: str,
        label: str,
        custom_id: str,
        max_length: int,
        action: Callable[[discord.Interaction[Any], str], Awaitable[None]],
        default: str | None = None,
    ) -> None:
        super().__init__(title=title, custom_id=unique(custom_id))
        self.action = action
        self.text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=label,
            custom_id="text",
            style=discord.TextStyle.paragraph,
            max_length=max_length,
            default=(default or "")[:max_length] or None,
        )
        self.add_item(self.text)

    @guarded
    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Pass the text on."""
        await self.action(interaction, self.text.value)


class ConfirmView(discord.ui.View):
    """Go ahead despite the warnings (or not); only the person who asked can answer."""

    def __init__(self, owner_id: int, label: str, action: Action) -> None:
        super().__init__(timeout=600)
        self.owner_id = owner_id
        self.action = action
        self.yes.label = label

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Only the person who asked can confirm."""
        return interaction.user.id == self.owner_id

    @discord.ui.button(style=discord.ButtonStyle.danger, custom_id="session:confirm:yes")
    @guarded
    async def yes(self, interaction: discord.Interaction[Any], _: Any) -> None:
        """Do it."""
        self.stop()
        await self.action(interaction)

    @discord.ui.button(
        label="No, go back", style=discord.ButtonStyle.secondary, custom_id="session:confirm:no"
    )
    async def no(self, interaction: discord.Interaction[Any], _: Any) -> None:
        """Do nothing."""
        self.stop()
        await interaction.response.edit_message(content="OK — nothing has changed.", view=None)


class AttendanceView(discord.ui.View):
    """Choose who came and who co-facilitated, then save."""

    def __init__(
        self,
        owner_id: int,
        people: list[AttendeeView],
        save: Callable[[discord.Interaction[Any], list[int], list[int]], Awaitable[None]],
    ) -> None:
        super().__init__(timeout=900)
        self.owner_id = owner_id
        self.save_action = save
        options = [
            discord.SelectOption(
                label=p.preferred_name[:100],
                value=str(p.member_id),
                description=("Going" if p.reply == "going" and not p.waitlisted else p.reply)[:100],
                # Once attendance is saved, start from what was saved, not from the replies.
                default=p.attended
                if p.attended is not None
                else p.reply == "going" and not p.waitlisted,
            )
            for p in people[:25]
        ]
        self.came: list[int] = [int(o.value) for o in options if o.default]
        self.helped: list[int] = [p.member_id for p in people[:25] if p.cofacilitated]
        if options:
            came: discord.ui.Select[Any] = discord.ui.Select(
                placeholder="Who came?",
                min_values=0,
                max_values=len(options),
                options=options,
                custom_id="session:att:came",
                row=0,
            )
            came.callback = self._came  # type: ignore[method-assign]
            helped: discord.ui.Select[Any] = discord.ui.Select(
                placeholder="Who co-facilitated? (optional)",
                min_values=0,
                max_values=len(options),
                options=[
                    discord.SelectOption(
                        label=o.label, value=o.value, default=int(o.value) in self.helped
                    )
                    for o in options
                ],
                custom_id="session:att:helped",
                row=1,
            )
            helped.callback = self._helped  # type: ignore[method-assign]
            self.came_select, self.helped_select = came, helped
            self.add_item(came)
            self.add_item(helped)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Only the worker marking attendance can use this."""
        return interaction.user.id == self.owner_id

    async def _came(self, interaction: discord.Interaction[Any]) -> None:
        self.came = [int(v) for v in self.came_select.values]
        await interaction.response.defer()

    async def _helped(self, interaction: discord.Interaction[Any]) -> None:
        self.helped = [int(v) for v in self.helped_select.values]
        await interaction.response.defer()

    @discord.ui.button(
        label="Save attendance",
        style=discord.ButtonStyle.success,
        custom_id="session:att:save",
        row=2,
    )
    @guarded
    async def save(self, interaction: discord.Interaction[Any], _: Any) -> None:
        """Record attendance and contributions."""
        self.stop()
        await self.save_action(interaction, self.came, self.helped)
