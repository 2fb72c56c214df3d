"""/session schedule, edit, cancel, who, attendance, minutes, calendar; /sessions for members."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.services.sessions import (
    AGENDA_MAX,
    MINUTES_MAX,
    Promotion,
    QuorumAlert,
    SessionEdit,
    SessionEnded,
    SessionForm,
    SessionReminder,
)
from bot.services.timeparse import parse_duration
from bot.ui.actor import actor_for
from bot.ui.choices import areas, audiences, parse_audience
from bot.ui.commands import command
from bot.ui.context import Interaction
from bot.ui.replies import clip, reply
from cogs.sessions._actions import ics_file
from cogs.sessions._choices import edit_changes
from cogs.sessions._choices import sessions as sessions_choices
from cogs.sessions._deliveries import SessionsSenders
from cogs.sessions._events import on_ended, on_promoted, on_quorum, on_reminder
from cogs.sessions._render import (
    attendance_prompt,
    esc,
    plural,
    scheduled_text,
    upcoming_lines,
    warned_text,
    when_short,
    who_text,
)
from cogs.sessions._views import (
    AttendanceView,
    CalendarButton,
    ConfirmView,
    FeedbackButton,
    RsvpButton,
    TextForm,
)

if TYPE_CHECKING:
    from bot.app import ParticipationBot

Repeat = Literal["weekly", "fortnightly", "monthly"]
group = app_commands.Group(name="session", description="Group sessions")


def on_one_session(
    name: str, description: str, audience: str = "worker", /, **described: str
) -> Callable[[Callable[..., Any]], app_commands.Command[Any, ..., Any]]:
    """Declare a /session command that takes one session, chosen with autocomplete."""
    described = {"session": "The session", **described}
    declared = command(group, name, description, audience, **described)

    def declare(callback: Callable[..., Any]) -> app_commands.Command[Any, ..., Any]:
        return declared(app_commands.autocomplete(session=sessions_choices)(callback))

    return declare


class SessionsCog(commands.Cog):
    """Sessions through Discord: thin glue over the sessions service."""

    session = group

    def __init__(self, bot: ParticipationBot) -> None:
        self.bot = bot
        self.settings = bot.settings
        self.sessions = bot.services.group_sessions

    async def cog_load(self) -> None:
        """Make announcement and DM buttons work after a restart; handle due work."""
        self.bot.add_dynamic_items(RsvpButton, CalendarButton, FeedbackButton)
        scheduler = self.bot.scheduler
        scheduler.on(SessionReminder, on_reminder)
        scheduler.on(QuorumAlert, on_quorum)
        scheduler.on(SessionEnded, on_ended)
        scheduler.on(Promotion, on_promoted)
        # Every message sessions owe Discord is delivered from the outbox by these.
        SessionsSenders(self.bot).register()

    async def _text_form(
        self,
        interaction: Interaction,
        session: int,
        kind: str,
        limit: int,
        action: Callable[[Interaction, str], Awaitable[None]],
    ) -> None:
        """Open a form with one long text box (the agenda, the minutes), for workers only."""
        view = await self.sessions.directory.view_for_worker(actor_for(interaction), session)
        await interaction.response.send_modal(
            TextForm(
                clip(f"{kind.capitalize()}: {view.title}", 45),
                f"{kind.capitalize()} (up to {limit:,} characters)",
                f"session:{kind}-form:{session}",
                limit,
                action,
                # The agenda is edited in place; minutes are written afresh each time.
                default=view.agenda if kind == "agenda" else None,
            )
        )

    # ---- scheduling --------------------------------------------------------------------------

    @command(
        group,
        "schedule",
        "Schedule a session",
        "worker",
        title="What the session is called (up to 100 characters)",
        start="UK time, e.g. '2026-12-03 17:00', '3 Dec 5pm', 'tomorrow 16:30'",
        duration="How long, e.g. '90' (minutes) or '1h30'",
        online_link="Zoom or Teams link (only people going will see it)",
        place="Where to meet in person",
        agenda="What you'll talk about (up to 1,500 characters)",
        area="Where it is held, if in one area (this doesn't limit who can come)",
        places="How many places (leave empty for no limit)",
        audience="Who can come: Everyone, members from one area, or a level",
        papers_link="A link to the papers",
        papers_file="Or attach the papers",
        repeat="Repeat weekly, fortnightly or monthly",
        repeat_count="How many sessions in the series (up to 12)",
        repeat_until="Or the date of the last one, e.g. '1 Mar 2027'",
    )
    @app_commands.autocomplete(audience=audiences, area=areas)
    # "area" alone read like a second audience; the name says it is about the place.
    @app_commands.rename(area="held_in_area")
    async def schedule(
        self,
        interaction: Interaction,
        title: str,
        start: str,
        duration: str,
        online_link: str | None = None,
        place: str | None = None,
        agenda: str | None = None,
        area: str | None = None,
        places: int | None = None,
        audience: str | None = None,
        papers_link: str | None = None,
        papers_file: discord.Attachment | None = None,
        repeat: Repeat | None = None,
        repeat_count: int | None = None,
        repeat_until: str | None = None,
    ) -> None:
        """Check, warn (with a confirm button) or schedule, then announce."""
        kind, value = parse_audience(self.settings.for_server(interaction.guild_id), audience)
        form = SessionForm(
            title=title,
            start=start,
            duration_minutes=parse_duration(duration),
            agenda=agenda,
            online_link=online_link,
            place=place,
            locality=area,
            capacity=places,
            audience=kind,
            audience_value=value,
            papers_url=papers_file.url if papers_file else papers_link,
            repeat=repeat,
            repeat_count=repeat_count,
            repeat_until=repeat_until,
        )
        actor = actor_for(interaction)
        outcome = await self.sessions.scheduling.schedule(actor, form)
        if not outcome.saved:

            async def go_ahead(inner: Interaction) -> None:
                done = await self.sessions.scheduling.schedule(actor_for(inner), form, confirm=True)
                await inner.response.edit_message(
                    content=scheduled_text(self.settings.tz, done.sessions), view=None
                )

            await reply(
                interaction,
                warned_text(outcome.warnings, "Press **Schedule anyway** to keep it as it is."),
                view=ConfirmView(interaction.user.id, "Schedule anyway", go_ahead),
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(
            scheduled_text(self.settings.tz, outcome.sessions), ephemeral=True
        )

    @command(
        group,
        "edit",
        "Change a session",
        "worker",
        session="The session to change",
        title="New title",
        start="New start (UK time)",
        duration="New length, e.g. '90' or '1h30'",
        agenda="New agenda",
        online_link="New online link ('none' to remove)",
        place="New place ('none' to remove)",
        places="New number of places",
        papers_link="New papers link ('none' to remove)",
        audience="Who can come: Everyone, members from one area, or a level",
        area="Where it is held ('none' to remove; this doesn't limit who can come)",
        whole_series="Change this and the later sessions of its series",
    )
    @app_commands.autocomplete(session=sessions_choices)
    @app_commands.autocomplete(audience=audiences, area=areas)
    # "area" alone read like a second audience; the name says it is about the place.
    @app_commands.rename(area="held_in_area")
    async def edit(
        self,
        interaction: Interaction,
        session: int,
        title: str | None = None,
        start: str | None = None,
        duration: str | None = None,
        agenda: str | None = None,
        online_link: str | None = None,
        place: str | None = None,
        places: int | None = None,
        papers_link: str | None = None,
        audience: str | None = None,
        area: str | None = None,
        whole_series: bool = False,
    ) -> None:
        """Apply the changes given (warnings need confirming); tell people who replied."""
        changes = edit_changes(
            self.settings.for_server(interaction.guild_id),
            title=title,
            start=start,
            duration=duration,
            agenda=agenda,
            online_link=online_link,
            place=place,
            places=places,
            papers_link=papers_link,
            audience=audience,
            area=area,
        )

        async def apply(inner: Interaction, confirm: bool) -> None:
            outcome = await self.sessions.scheduling.edit(
                actor_for(inner), session, changes, whole_series=whole_series, confirm=confirm
            )
            if not outcome.saved:

                async def go_ahead(again: Interaction) -> None:
                    await apply(again, True)

                await reply(
                    inner,
                    warned_text(outcome.warnings, "Press **Change anyway** to go ahead."),
                    view=ConfirmView(inner.user.id, "Change anyway", go_ahead),
                )
                return
            told = (
                f" {plural(len(outcome.notify), 'person', 'people')} who replied will get a "
                "message."
                if outcome.notify
                else ""
            )
            done = f"✅ Saved changes to {plural(len(outcome.sessions), 'session')}.{told}"
            if (
                inner.response.is_done()
                or inner.type == discord.InteractionType.application_command
            ):
                await reply(inner, done)
            else:
                await inner.response.edit_message(content=done, view=None)

        await apply(interaction, False)

    @on_one_session("agenda", "Write or change a session's agenda")
    async def agenda(self, interaction: Interaction, session: int) -> None:
        """Open a form (with room for several lines) holding the current agenda."""

        async def save(inner: Interaction, text: str) -> None:
            await self.sessions.scheduling.edit(actor_for(inner), session, SessionEdit(agenda=text))
            await reply(inner, "✅ The agenda is updated on the announcement.")

        await self._text_form(interaction, session, "agenda", AGENDA_MAX, save)

    @on_one_session(
        "cancel",
        "Cancel a session",
        "worker",
        session="The session to cancel",
        reason="Why (everyone who replied is told)",
        whole_series="Cancel this and the later sessions of its series",
    )
    async def cancel(
        self,
        interaction: Interaction,
        session: int,
        reason: str | None = None,
        whole_series: bool = False,
    ) -> None:
        """Ask for confirmation, then cancel and tell everyone who replied."""
        view = await self.sessions.directory.view(actor_for(interaction).guild_id, session)

        async def do_cancel(inner: Interaction) -> None:
            outcome = await self.sessions.scheduling.cancel(
                actor_for(inner), session, whole_series=whole_series, reason=reason
            )
            await inner.response.edit_message(
                content=f"Cancelled {plural(len(outcome.sessions), 'session')}. "
                f"{plural(len(outcome.notify), 'person', 'people')} who replied "
                f"{'is' if len(outcome.notify) == 1 else 'are'} being told.",
                view=None,
            )

        series = " and the rest of its series" if whole_series else ""
        await reply(
            interaction,
            f"Cancel **{esc(view.title)}** ({when_short(view.starts_at, self.settings.tz)})"
            f"{series}? "
            "Everyone who replied will be told.",
            view=ConfirmView(interaction.user.id, "Yes, cancel it", do_cancel),
        )

    # ---- who is coming, attendance, minutes ----------------------------------------------------

    @on_one_session("who", "Who replied, and their adjustments")
    async def who(self, interaction: Interaction, session: int) -> None:
        """List replies with each person's reasonable adjustments, privately."""
        people = await self.sessions.replies.attendees(actor_for(interaction), session)
        await reply(interaction, who_text(people))

    @on_one_session("attendance", "Mark who came and who co-facilitated")
    async def attendance(self, interaction: Interaction, session: int) -> None:
        """Show who replied in selects; saving records contributions and sends feedback forms."""
        people = await self.sessions.replies.attendees(actor_for(interaction), session)

        async def save(inner: Interaction, came: list[int], helped: list[int]) -> None:
            outcome = await self.sessions.attendance.mark_attendance(
                actor_for(inner), session, came, helped
            )
            await inner.response.edit_message(
                content=f"✅ Attendance saved: {len(outcome.attended)} came, "
                f"{len(outcome.cofacilitators)} co-facilitated. Feedback forms are on their way.",
                view=None,
            )

        await reply(
            interaction,
            attendance_prompt(people),
            view=AttendanceView(interaction.user.id, people, save),
        )

    @on_one_session("minutes", "Post the minutes of a session")
    async def minutes(self, interaction: Interaction, session: int) -> None:
        """Open a form for the minutes; post them in announcements."""

        async def post(inner: Interaction, text: str) -> None:
            await self.sessions.minutes.post_minutes(actor_for(inner), session, text)
            await reply(inner, "✅ Minutes posted in announcements.")

        await self._text_form(interaction, session, "minutes", MINUTES_MAX, post)

    @on_one_session("calendar", "Get a session as a calendar file", "member")
    async def calendar(self, interaction: Interaction, session: int) -> None:
        """Attach the .ics file privately."""
        found = await self.sessions.replies.calendar_file(actor_for(interaction), session)
        await reply(
            interaction,
            "Here's the session for your calendar.",
            file=ics_file(found.filename, found.content),
        )

    @app_commands.command(
        name="sessions",
        description="Sessions coming up, and your replies",
        extras={"audience": "member"},
    )
    async def sessions_list(self, interaction: Interaction) -> None:
        """List upcoming sessions for the member, privately."""
        items = await self.sessions.replies.upcoming(actor_for(interaction))
        await reply(interaction, upcoming_lines(items, self.settings.tz))
