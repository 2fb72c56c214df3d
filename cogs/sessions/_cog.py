"""/session schedule, edit, cancel, who, attendance, minutes, calendar; /sessions for members."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ParticipationBot
from bot.services.sessions import (
    AGENDA_MAX,
    KEEP,
    MINUTES_MAX,
    Promotion,
    SessionEdit,
    SessionForm,
)
from bot.services.timeparse import parse_duration
from bot.ui.actor import actor_for
from bot.ui.replies import clip, reply
from bot.ui.timefmt import both
from cogs.sessions._actions import ics_file, tell_promoted
from cogs.sessions._choices import areas, audiences, parse_audience
from cogs.sessions._choices import sessions as sessions_choices
from cogs.sessions._events import (
    after_cancel,
    after_edit,
    after_schedule,
    ask_feedback,
    on_ended,
    on_quorum,
    on_reminder,
    publish_minutes,
)
from cogs.sessions._render import esc, scheduled_text, upcoming_lines, warned_text, who_text
from cogs.sessions._views import (
    AttendanceView,
    CalendarButton,
    ConfirmView,
    FeedbackButton,
    RsvpButton,
    TextModal,
)

log = logging.getLogger(__name__)
Repeat = Literal["weekly", "fortnightly", "monthly"]
CLEAR = {"none", "-", "clear"}


class SessionsCog(commands.Cog):
    """Sessions through Discord: thin glue over the sessions service."""

    session = app_commands.Group(name="session", description="Group sessions")

    def __init__(self, bot: ParticipationBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.settings = bot.settings

    async def cog_load(self) -> None:
        """Make announcement and DM buttons work after a restart; handle due work."""
        from bot.services.sessions import QuorumAlert, SessionEnded
        from bot.services.sessions import SessionReminder as ReminderEvent

        self.bot.add_dynamic_items(RsvpButton, CalendarButton, FeedbackButton)

        async def reminder(event: ReminderEvent) -> None:
            await on_reminder(self.bot, event)

        async def quorum(alert: QuorumAlert) -> None:
            await on_quorum(self.bot, alert)

        self.bot.scheduler.on(ReminderEvent, reminder)
        self.bot.scheduler.on(QuorumAlert, quorum)

        async def ended(event: SessionEnded) -> None:
            await on_ended(self.bot, event)

        self.bot.scheduler.on(SessionEnded, ended)

        async def promoted(event: Promotion) -> None:
            await tell_promoted(self.bot, (event,))

        # A place freed because someone left the group goes to the next on the waitlist.
        self.bot.scheduler.on(Promotion, promoted)

    # ---- scheduling --------------------------------------------------------------------------

    @session.command(
        name="schedule", description="Schedule a session", extras={"audience": "worker"}
    )
    @app_commands.describe(
        title="What the session is called (up to 100 characters)",
        start="UK time, e.g. '2026-12-03 17:00', '3 Dec 5pm', 'tomorrow 16:30'",
        duration="How long, e.g. '90' (minutes) or '1h30'",
        online_link="Zoom or Teams link (only people going will see it)",
        place="Where to meet in person",
        agenda="What you'll talk about (up to 1,500 characters)",
        area="The area the session is in, if any",
        places="How many places (leave empty for no limit)",
        audience="Who it's for: Everyone, an area or a level",
        papers_link="A link to the papers",
        papers_file="Or attach the papers",
        repeat="Repeat weekly, fortnightly or monthly",
        repeat_count="How many sessions in the series (up to 12)",
        repeat_until="Or the date of the last one, e.g. '1 Mar 2027'",
    )
    @app_commands.autocomplete(audience=audiences, area=areas)
    @app_commands.guild_only()
    async def schedule(
        self,
        interaction: discord.Interaction[Any],
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
        kind, value = parse_audience(self.settings, audience)
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
        outcome = await self.services.group_sessions.schedule(actor, form)
        if not outcome.saved:

            async def go_ahead(inner: discord.Interaction[Any]) -> None:
                done = await self.services.group_sessions.schedule(
                    actor_for(inner), form, confirm=True
                )
                await inner.response.edit_message(
                    content=scheduled_text(self.settings.tz, done.sessions), view=None
                )
                await after_schedule(self.bot, done.sessions, done.sessions_channel_id)

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
        await after_schedule(self.bot, outcome.sessions, outcome.sessions_channel_id)

    @session.command(name="edit", description="Change a session", extras={"audience": "worker"})
    @app_commands.describe(
        session="The session to change",
        title="New title",
        start="New start (UK time)",
        duration="New length, e.g. '90' or '1h30'",
        agenda="New agenda",
        online_link="New online link ('none' to remove)",
        place="New place ('none' to remove)",
        places="New number of places",
        papers_link="New papers link ('none' to remove)",
        audience="Who it's for: Everyone, an area or a level",
        area="The area the session is in ('none' to remove)",
        whole_series="Change this and the later sessions of its series",
    )
    @app_commands.autocomplete(session=sessions_choices, audience=audiences, area=areas)
    @app_commands.guild_only()
    async def edit(
        self,
        interaction: discord.Interaction[Any],
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

        def text(value: str | None) -> Any:
            if value is None:
                return KEEP
            return None if value.strip().casefold() in CLEAR else value

        changes = SessionEdit(
            title=title if title is not None else KEEP,
            start=start if start is not None else KEEP,
            duration_minutes=parse_duration(duration) if duration is not None else KEEP,
            agenda=text(agenda),
            online_link=text(online_link),
            place=text(place),
            capacity=places if places is not None else KEEP,
            papers_url=text(papers_link),
            locality=text(area),
        )
        if audience is not None:
            kind, value = parse_audience(self.settings, audience)
            changes = replace(changes, audience=kind, audience_value=value)
        sessions = self.services.group_sessions

        async def apply(inner: discord.Interaction[Any], confirm: bool) -> None:
            outcome = await sessions.edit(
                actor_for(inner), session, changes, whole_series=whole_series, confirm=confirm
            )
            if not outcome.saved:

                async def go_ahead(again: discord.Interaction[Any]) -> None:
                    await apply(again, True)

                await reply(
                    inner,
                    warned_text(outcome.warnings, "Press **Change anyway** to go ahead."),
                    view=ConfirmView(inner.user.id, "Change anyway", go_ahead),
                )
                return
            told = (
                f" {len(outcome.notify)} people who replied will get a message."
                if outcome.notify
                else ""
            )
            done = f"✅ Saved changes to {len(outcome.sessions)} session(s).{told}"
            if (
                inner.response.is_done()
                or inner.type == discord.InteractionType.application_command
            ):
                await reply(inner, done)
            else:
                await inner.response.edit_message(content=done, view=None)
            await after_edit(self.bot, outcome)

        await apply(interaction, False)

    @session.command(
        name="agenda",
        description="Write or change a session's agenda",
        extras={"audience": "worker"},
    )
    @app_commands.describe(session="The session")
    @app_commands.autocomplete(session=sessions_choices)
    @app_commands.guild_only()
    async def agenda(self, interaction: discord.Interaction[Any], session: int) -> None:
        """Open a form (with room for several lines) holding the current agenda."""
        view = await self.services.group_sessions.view_for_worker(actor_for(interaction), session)

        async def save(inner: discord.Interaction[Any], text: str) -> None:
            outcome = await self.services.group_sessions.edit(
                actor_for(inner), session, SessionEdit(agenda=text)
            )
            await reply(inner, "✅ The agenda is updated on the announcement.")
            await after_edit(self.bot, outcome)

        await interaction.response.send_modal(
            TextModal(
                clip(f"Agenda: {view.title}", 45),
                "Agenda (up to 1,500 characters)",
                f"session:agenda-form:{session}",
                AGENDA_MAX,
                save,
                default=view.agenda,
            )
        )

    @session.command(name="cancel", description="Cancel a session", extras={"audience": "worker"})
    @app_commands.describe(
        session="The session to cancel",
        reason="Why (everyone who replied is told)",
        whole_series="Cancel this and the later sessions of its series",
    )
    @app_commands.autocomplete(session=sessions_choices)
    @app_commands.guild_only()
    async def cancel(
        self,
        interaction: discord.Interaction[Any],
        session: int,
        reason: str | None = None,
        whole_series: bool = False,
    ) -> None:
        """Ask for confirmation, then cancel and tell everyone who replied."""
        view = await self.services.group_sessions.view(actor_for(interaction).guild_id, session)

        async def do_cancel(inner: discord.Interaction[Any]) -> None:
            outcome = await self.services.group_sessions.cancel(
                actor_for(inner), session, whole_series=whole_series, reason=reason
            )
            await inner.response.edit_message(
                content=f"Cancelled {len(outcome.sessions)} session(s). "
                f"{len(outcome.notify)} people who replied are being told.",
                view=None,
            )
            await after_cancel(self.bot, outcome)

        series = " and the rest of its series" if whole_series else ""
        await reply(
            interaction,
            f"Cancel **{esc(view.title)}** ({both(view.starts_at, self.settings.tz)}){series}? "
            "Everyone who replied will be told.",
            view=ConfirmView(interaction.user.id, "Yes, cancel it", do_cancel),
        )

    # ---- who is coming, attendance, minutes ----------------------------------------------------

    @session.command(
        name="who", description="Who replied, and their adjustments", extras={"audience": "worker"}
    )
    @app_commands.describe(session="The session")
    @app_commands.autocomplete(session=sessions_choices)
    @app_commands.guild_only()
    async def who(self, interaction: discord.Interaction[Any], session: int) -> None:
        """List replies with each person's reasonable adjustments, privately."""
        people = await self.services.group_sessions.attendees(actor_for(interaction), session)
        await reply(interaction, who_text(people))

    @session.command(
        name="attendance",
        description="Mark who came and who co-facilitated",
        extras={"audience": "worker"},
    )
    @app_commands.describe(session="The session")
    @app_commands.autocomplete(session=sessions_choices)
    @app_commands.guild_only()
    async def attendance(self, interaction: discord.Interaction[Any], session: int) -> None:
        """Show who replied in selects; saving records contributions and sends feedback forms."""
        sessions = self.services.group_sessions
        people = await sessions.attendees(actor_for(interaction), session)

        async def save(inner: discord.Interaction[Any], came: list[int], helped: list[int]) -> None:
            outcome = await sessions.mark_attendance(actor_for(inner), session, came, helped)
            await inner.response.edit_message(
                content=f"✅ Attendance saved: {len(outcome.attended)} came, "
                f"{len(outcome.cofacilitators)} co-facilitated. Feedback forms are on their way.",
                view=None,
            )
            await ask_feedback(self.bot, outcome)

        already = any(p.attended is not None for p in people)
        ticked = (
            "The attendance you saved before is ticked."
            if already
            else "People who were going are already ticked."
        )
        more = (
            f" Only the first 25 of the {len(people)} who replied can be shown here."
            if len(people) > 25
            else ""
        )
        await reply(
            interaction,
            "Choose who came and who co-facilitated, then press **Save attendance**. "
            f"({ticked}){more}",
            view=AttendanceView(interaction.user.id, people, save),
        )

    @session.command(
        name="minutes", description="Post the minutes of a session", extras={"audience": "worker"}
    )
    @app_commands.describe(session="The session")
    @app_commands.autocomplete(session=sessions_choices)
    @app_commands.guild_only()
    async def minutes(self, interaction: discord.Interaction[Any], session: int) -> None:
        """Open a form for the minutes; post them in announcements."""
        view = await self.services.group_sessions.view_for_worker(actor_for(interaction), session)

        async def post(inner: discord.Interaction[Any], text: str) -> None:
            outcome = await self.services.group_sessions.post_minutes(
                actor_for(inner), session, text
            )
            await reply(inner, "✅ Minutes posted in announcements.")
            await publish_minutes(self.bot, outcome)

        await interaction.response.send_modal(
            TextModal(
                clip(f"Minutes: {view.title}", 45),
                "Minutes (up to 4,000 characters)",
                f"session:minutes-form:{session}",
                MINUTES_MAX,
                post,
            )
        )

    @session.command(
        name="calendar",
        description="Get a session as a calendar file",
        extras={"audience": "member"},
    )
    @app_commands.describe(session="The session")
    @app_commands.autocomplete(session=sessions_choices)
    @app_commands.guild_only()
    async def calendar(self, interaction: discord.Interaction[Any], session: int) -> None:
        """Attach the .ics file privately."""
        found = await self.services.group_sessions.calendar_file(actor_for(interaction), session)
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
    async def sessions_list(self, interaction: discord.Interaction[Any]) -> None:
        """List upcoming sessions for the member, privately."""
        items = await self.services.group_sessions.upcoming(actor_for(interaction))
        await reply(interaction, upcoming_lines(items, self.settings.tz))
