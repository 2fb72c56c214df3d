"""Working hours and the kind, plain words the bot says about support."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.group_config import DAY_NAMES
from bot.services.support.records import RequestView
from bot.settings import Settings

FULL_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def crisis_resources_text(settings: Settings) -> str:
    """Return the crisis contacts as a short bulleted list."""
    lines = ["**If you need help right now:**"]
    lines += [f"• **{r.name}**: {r.detail}" for r in settings.support.crisis_resources]
    return "\n".join(lines)


def _clock_text(value: time) -> str:
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def _hours(settings: Settings) -> tuple[time, time, list[int]]:
    support = settings.support
    days = sorted(DAY_NAMES.index(d) for d in support.working_days)
    return time.fromisoformat(support.hours_start), time.fromisoformat(support.hours_end), days


def hours_text(settings: Settings) -> str:
    """Return the working hours in words, e.g. 'Monday to Friday, 9am to 5pm (UK time)'."""
    start, end, days = _hours(settings)
    if not days:
        return "at no set times"
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        day_text = f"{FULL_DAYS[days[0]]} to {FULL_DAYS[days[-1]]}"
    elif len(days) == 1:
        day_text = f"on {FULL_DAYS[days[0]]}s"
    else:
        names = [FULL_DAYS[d] for d in days]
        day_text = ", ".join(names[:-1]) + f" and {names[-1]}"
    return f"{day_text}, {_clock_text(start)} to {_clock_text(end)} (UK time)"


def is_working_time(settings: Settings, now: datetime) -> bool:
    """Tell whether the team is working at this moment (hours are UK local time)."""
    start, end, days = _hours(settings)
    local = now.astimezone(settings.tz)
    return local.weekday() in days and start <= local.time().replace(tzinfo=None) < end


def next_opening(settings: Settings, now: datetime) -> datetime | None:
    """Return when the team is next working (aware UTC), or None if no days are set."""
    start, _end, days = _hours(settings)
    if not days:
        return None
    local = now.astimezone(settings.tz)
    for offset in range(8):
        day = (local + timedelta(days=offset)).date()
        if day.weekday() not in days:
            continue
        opening = datetime.combine(day, start, tzinfo=settings.tz)
        if opening > local:
            return opening.astimezone(now.tzinfo)
    return None


def when_text(settings: Settings, moment: datetime) -> str:
    """Return a moment as UK local words plus a Discord timestamp, e.g. 'Monday 9am'."""
    local = moment.astimezone(settings.tz)
    words = f"{FULL_DAYS[local.weekday()]} {local.day} {local:%B} at {_clock_text(local.time())}"
    return f"{words} UK time (<t:{int(moment.timestamp())}:R>)"


def out_of_hours_notice(settings: Settings, now: datetime) -> str | None:
    """Return the out-of-hours notice, or None during working hours."""
    if is_working_time(settings, now):
        return None
    opening = next_opening(settings, now)
    back = f" We're back on {when_text(settings, opening)}." if opening else ""
    return (
        "**Just so you know:** the team isn't working right now. We work "
        f"{hours_text(settings)}.{back} Your request is saved."
    )


# Where the cog puts the link to the private space once Discord has made it.
SPACE_LINK = "{space}"
OPENING = "I'm opening your private space now."


def _urgent_lead(why: str, out_of_hours: bool) -> str:
    """Return the first words to someone whose request is urgent (crisis words or their say)."""
    heard = (
        "You said you're not safe right now, so"
        if why == "said"
        else "What you wrote sounds really hard, so"
    )
    if out_of_hours:
        # Never let someone wait for a team that is not there: say so, and point at help now.
        return (
            f"Thank you for telling us. {heard} the moderators have been told, but the team "
            "isn't working right now and may not see it until they're back. Please use these "
            "contacts now: they are there for you."
        )
    return f"Thank you for telling us. {heard} the moderators have been told straight away."


def acknowledgement(settings: Settings, *, urgent: str | None, out_of_hours: bool) -> str:
    """Return what the member is told at once after /support (urgent: crisis contacts first).

    `urgent` is why the request is urgent: "said" (they chose "I'm not safe right now"),
    "words" (crisis words in their message), or None.
    """
    if urgent is None:
        return f"Thank you for reaching out. {OPENING}"
    return "\n\n".join(
        (_urgent_lead(urgent, out_of_hours), crisis_resources_text(settings), OPENING)
    )


def next_steps(
    settings: Settings,
    *,
    urgent: str | None,
    today: bool,
    out_of_hours: str | None,
    has_space: bool = True,
) -> str:
    """Return what happens next: the space's link first, then the wait, then the contacts.

    With `has_space` the text holds SPACE_LINK for the cog to fill in.
    """
    expected = "as soon as they can" if urgent else settings.support.expected_response
    if has_space:
        parts = [
            f"Your private space is ready: {SPACE_LINK}. Only you and the moderators can see "
            f"it.\n**What happens next:** a moderator will reply there {expected}, and I'll "
            "tell you when someone picks it up."
        ]
    else:
        parts = [
            "I couldn't open a private space just now, so your request has gone straight to "
            f"the moderators' queue. **What happens next:** a moderator will contact you "
            f"{expected}."
        ]
    if today and not urgent:
        parts.append(
            "You said you need help today. The moderators have been told, but they may not "
            "see it until they're back, so please use the contacts below if you need help "
            "before then."
            if out_of_hours
            else "You said you need help today, so the moderators have been told straight away."
        )
    if out_of_hours:
        parts.append(out_of_hours)
    if not urgent:
        parts.append(crisis_resources_text(settings))
    return "\n\n".join(parts)


def already_open_text(
    settings: Settings, view: RequestView, *, why: str | None, out_of_hours: str | None
) -> str:
    """Return what someone is told when they ask again while their request is open."""
    where = (
        f"Your private space with the moderators is here: <#{view.private_channel_id}>. "
        "You can write to them there at any time."
        if view.private_channel_id
        else "The moderators have it and will contact you."
    )
    pointed = (
        f"You already have a support request open (#{view.id}), so I haven't opened another "
        f"one. {where}"
    )
    if why is None:
        parts = [
            pointed,
            *([out_of_hours] if out_of_hours else []),
            crisis_resources_text(settings),
        ]
        return "\n\n".join(parts)
    heard = (
        "You said you're not safe right now"
        if why == "said"
        else "What you wrote sounds really hard"
    )
    wait = (
        " They may not see it until they're back, so please use these contacts if you need "
        "help before then."
        if out_of_hours
        else ""
    )
    # Someone who may be at risk reads the contacts first, then where their space is.
    parts = [
        f"{heard}, so I've told the moderators it's urgent.{wait}",
        crisis_resources_text(settings),
        pointed,
    ]
    if out_of_hours:
        parts.append(out_of_hours)
    return "\n\n".join(parts)


def refusal_with_resources(settings: Settings, reason: str) -> str:
    """Return a refusal that still gives the crisis contacts."""
    return f"{reason}\n\n{crisis_resources_text(settings)}"


def author_message(
    settings: Settings, *, repeat: bool, now: datetime | None = None, staff: bool = False
) -> str:
    """Return the private note to someone whose message matched a crisis pattern.

    Out of hours it says honestly that nobody may see the alert until the team is back.
    """
    away = now is not None and not is_working_time(settings, now)
    opening = next_opening(settings, now) if away and now is not None else None
    back = f" (we're next around on {when_text(settings, opening)})" if opening else ""
    if away:
        told = (
            "The moderators have been told, but the team isn't working right now, so they may "
            f"not see it until they're back{back}. If you need help before then, please use "
            "the contacts below: they're there for you right now."
        )
    else:
        told = "A moderator has been told and may get in touch."
    if repeat:
        again = "I've let the moderators know about this message too."
        if away:
            again += (
                " The team isn't working right now, so please use the contacts below if you "
                "need help."
            )
        return (
            f"{again} Your message is still there and you're not in trouble. The contacts I "
            "sent you are here again in case you need them.\n\n" + crisis_resources_text(settings)
        )
    if staff:
        return (
            "Hi, I'm the group's bot. Some words in your message are on our list of crisis "
            "words, so I check in with everyone who writes them, the team included. If you were "
            "supporting someone, thank you, and there's nothing you need to do. If it's about "
            "you, that's okay too: you matter as much as anyone you help. The safeguarding lead "
            "has been told and may get in touch. If you'd like to talk to someone privately, "
            "use **/support** at any time.\n\n" + crisis_resources_text(settings)
        )
    return (
        "Hi, I'm the group's bot. Some words in your message made us want to check you're "
        "okay. You're not in trouble, and your message hasn't been removed.\n\n"
        f"{told} If you'd like to talk to someone privately, use **/support** at any time.\n\n"
        + crisis_resources_text(settings)
    )


def dm_crisis_reply(settings: Settings) -> str:
    """Return the answer to a DM to the bot with crisis words in it (nobody reads bot DMs)."""
    return (
        "Hi, I'm the group's bot. What you wrote sounds really hard, and I want to make sure "
        "you can reach someone. Nobody reads messages sent to me here, so please use the "
        "contacts below if you need help now. To reach the group's moderators privately, use "
        "**/support** (it works here in DMs too).\n\n" + crisis_resources_text(settings)
    )


REPORT_THANKS = (
    "Thank you for telling us. The moderators have been sent a link to the message and will "
    "look at it. The message stays where it is until they do, and the person who wrote it "
    "won't be told it was you. If you're worried about your own safety or someone else's right "
    "now, please use /support or call 999."
)
REPORT_AGAIN = (
    "You've already reported this message, thank you. The moderators have it and will look "
    "at it."
)


def picked_up_text(moderator_id: int) -> str:
    """Return the note telling a member someone has their request."""
    return (
        f"<@{moderator_id}> has picked up your support request and will be with you soon, "
        "here in this private space."
    )


def resolved_text(has_space: bool = False) -> str:
    """Return the note telling a member their request is closed."""
    closing = (
        " This private space will close for you in a day; the moderators keep a record of it."
        if has_space
        else ""
    )
    return (
        "The moderators have marked your support request as resolved. Thank you for "
        f"reaching out.{closing} If anything changes, or you want to talk again, use /support "
        "any time."
    )
