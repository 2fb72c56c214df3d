"""How sessions look in Discord: the announcement, confirmations, reminders and alerts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.services.sessions import (
    AttendeeView,
    MemberSession,
    QuorumAlert,
    RsvpOutcome,
    SessionView,
)
from bot.services.sessions import SessionReminder as ReminderEvent
from bot.services.timeparse import format_clock
from bot.ui.replies import clip

COLOUR = discord.Colour.teal()
REPLY_WORDS = {"going": "Going", "maybe": "Maybe", "cant": "Can't go"}
NO_LINK = "Online — the joining link is sent privately to people who are going"


def esc(text: str | None) -> str:
    """Escape Discord markdown in text people typed."""
    return discord.utils.escape_markdown(text or "")


def when_line(starts_at: datetime, local_text: str) -> str:
    """Return a Discord timestamp plus the readable UK start and finish."""
    return f"<t:{int(starts_at.timestamp())}:F> — {local_text}"


def plural(count: int, one: str, many: str | None = None) -> str:
    """Return "1 session" or "3 sessions": plain English, never "session(s)"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def when_short(moment: datetime, tz: ZoneInfo) -> str:
    """Return a Discord timestamp with only the UK clock time after it, so nothing reads twice."""
    clock = format_clock(moment.astimezone(tz).time())
    return f"<t:{int(moment.timestamp())}:F> ({clock} UK time)"


def announcement_link(view: SessionView) -> str | None:
    """Return the link to a session's announcement, once it has been posted."""
    if not (view.announce_channel_id and view.announce_message_id):
        return None
    return (
        f"https://discord.com/channels/{view.guild_id}/{view.announce_channel_id}/"
        f"{view.announce_message_id}"
    )


def where_public(view: SessionView) -> str:
    """Say where a session is without giving the online link away."""
    parts = []
    if view.place:
        parts.append(esc(view.place))
    if view.online:
        parts.append(NO_LINK)
    return "\n".join(parts) or "To be confirmed"


def where_private(place: str | None, link: str | None) -> str:
    """Say where a session is in full, for someone with a confirmed place."""
    parts = []
    if place:
        parts.append(f"In person: {esc(place)}")
    if link:
        parts.append(f"Online: {link}")
    return "\n".join(parts) or "To be confirmed"


def announcement_embed(view: SessionView, tz: ZoneInfo) -> discord.Embed:
    """Return the public announcement of a session (no online link, ever)."""
    cancelled = view.status == "cancelled"
    title = ("Cancelled: " if cancelled else "") + esc(view.title)
    embed = discord.Embed(
        title=clip(title, 256),
        description=clip(esc(view.agenda) or "Agenda to follow.", 4000),
        colour=discord.Colour.dark_grey() if cancelled else COLOUR,
    )
    embed.add_field(
        name="When", value=clip(when_line(view.starts_at, view.local_text), 1024), inline=False
    )
    embed.add_field(name="Where", value=clip(where_public(view), 1024), inline=False)
    embed.add_field(
        name="Who it's for",
        value=view.audience_text[:1].upper() + view.audience_text[1:],
        inline=True,
    )
    places = "No limit" if view.capacity is None else f"{view.spaces_left} of {view.capacity} left"
    embed.add_field(name="Places", value=places, inline=True)
    replies = f"Going {view.going} · Maybe {view.maybe} · Can't {view.cant}"
    if view.waitlisted:
        replies += f" · Waiting list {view.waitlisted}"
    embed.add_field(name="Replies", value=replies, inline=False)
    if view.papers_url:
        embed.add_field(name="Papers", value=clip(view.papers_url, 1024), inline=False)
    if view.minutes:
        embed.add_field(name="Minutes", value="Posted in announcements.", inline=False)
    footer = "Reply with the buttons below. Your reply is private." if not cancelled else ""
    embed.set_footer(text=footer or "This session will not go ahead.")
    return embed


def session_details(session: SessionView | ReminderEvent, link: str | None) -> str:
    """Return the full details of a session as plain lines (for DMs and confirmations)."""
    lines = [
        f"**{esc(session.title)}**",
        f"When: {when_line(session.starts_at, session.local_text)}",
        where_private(session.place, link),
    ]
    if session.papers_url:
        lines.append(f"Papers: {session.papers_url}")
    return "\n".join(lines)


def reminder_text(event: ReminderEvent, tz: ZoneInfo, link: str | None = None) -> str:
    """Return a reminder DM that states date, time and place or link in full."""
    head = {
        "papers": "The papers for your session are ready, so you have time to read them.",
        "24h": "A reminder: your session is tomorrow.",
        "1h": "A reminder: your session starts in an hour.",
    }.get(event.kind, "A reminder about your session.")
    if event.late_minutes >= 5 and event.kind != "papers":
        head += " (Sorry this is late: the bot was offline.)"
    body = session_details(event, event.online_link)
    # The reply buttons travel with the reminder, so changing your mind is one press here.
    announced = f" The announcement: {link}" if link else ""
    return clip(
        f"Hi {esc(event.preferred_name)}! {head}\n\n{body}\n\n"
        f"If you can no longer come, press **Can't go** below.{announced}\n"
        "(You get reminders because you chose reminder DMs; change it with /profile edit.)"
    )


def quorum_text(alert: QuorumAlert, tz: ZoneInfo) -> str:
    """Return the worker-log alert for a session that is short of people."""
    return clip(
        f"⚠️ **{esc(alert.title)}** ({when_short(alert.starts_at, tz)}) has {alert.going} "
        f"member{'s' if alert.going != 1 else ''} going; the standards ask for at least "
        f"{alert.needed} (a minimum plus a reserve). Consider inviting more people, "
        "or moving or cancelling the session."
    )


def upcoming_lines(items: list[MemberSession], tz: ZoneInfo) -> str:
    """Return /sessions: what is coming up and the member's replies."""
    if not items:
        return "There are no sessions coming up for you right now."
    lines = ["**Coming up**"]
    for item in items:
        view = item.session
        if item.reply is None:
            mine = "not replied yet"
        elif item.waitlisted:
            mine = "on the waiting list"
        else:
            mine = REPLY_WORDS[item.reply]
        line = f"• **{esc(view.title)}** — {when_short(view.starts_at, tz)} — you: {mine}"
        if item.online_link:
            line += f"\n  Join: {item.online_link}"
        elif view.place:
            line += f"\n  At: {esc(view.place)}"
        link = announcement_link(view)
        if link:
            line += f"\n  {link}"
        lines.append(line)
    return clip("\n".join(lines))


def warned_text(warnings: tuple[str, ...], ending: str) -> str:
    """Return the reasonable-adjustment warnings a worker must confirm."""
    lines = "\n".join(f"• {w}" for w in warnings)
    return clip(f"Before this goes ahead, please check:\n{lines}\n\n{ending}")


def scheduled_text(tz: ZoneInfo, views: tuple[SessionView, ...]) -> str:
    """Return the private confirmation that sessions are scheduled."""
    lines = [f"• {esc(v.title)} — {when_short(v.starts_at, tz)}" for v in views[:12]]
    many = f"{len(views)} sessions are" if len(views) > 1 else "The session is"
    return clip(f"✅ {many} scheduled and announced in the sessions channel:\n" + "\n".join(lines))


def who_text(people: list[AttendeeView]) -> str:
    """Return who replied with each person's reasonable adjustments, for workers."""
    if not people:
        return "Nobody has replied yet."
    lines = []
    for p in people:
        status = "waiting list" if p.waitlisted else REPLY_WORDS[p.reply].lower()
        needs = ", ".join(p.adjustments) or "no adjustments listed"
        note = f" — “{esc(p.adjustments_note)}”" if p.adjustments_note else ""
        lines.append(f"• **{esc(p.preferred_name)}** ({status}): {needs}{note}")
    return clip("**Replies and reasonable adjustments**\n" + "\n".join(lines))


def rsvp_text(outcome: RsvpOutcome) -> str:
    """Return the private answer to a reply button."""
    view = outcome.session
    if outcome.reply == "going" and outcome.waitlisted:
        # No number when a later press in the same moment already took them off the list.
        number = f" (number {outcome.waitlist_position})" if outcome.waitlist_position else ""
        return (
            f"**{esc(view.title)}** is full, so you're on the waiting list{number}. "
            "If a place comes up it's yours, and we'll tell you."
        )
    if outcome.reply == "going":
        head = "You're going — see you there!" if outcome.changed else "You're already going."
        return (
            f"{head}\n\n{session_details(view, outcome.online_link)}"
            "\n\nThe calendar file is attached. Please keep the link to yourself."
        )
    if outcome.reply == "maybe":
        return (
            f"Thanks — we've put you down as a maybe for **{esc(view.title)}**. Press Going "
            "when you know, to get the joining details and reminders."
        )
    return f"Thanks for letting us know you can't come to **{esc(view.title)}**."


def attendance_prompt(people: list[AttendeeView]) -> str:
    """Return the instructions above the attendance selects."""
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
    return (
        "Choose who came and who co-facilitated, then press **Save attendance**. "
        f"({ticked}){more}"
    )
