"""The rules a session must meet, and the reasonable-adjustment checks that need confirming."""

from __future__ import annotations

import calendar
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.services.audience import LOCALITY, Audience
from bot.services.errors import InvalidInput
from bot.services.sessions.forms import (
    AGENDA_MAX,
    CAPACITY_MAX,
    DURATION_MAX,
    DURATION_MIN,
    PLACE_MAX,
    REPEATS,
    SERIES_MAX,
    TITLE_MAX,
    URL_MAX,
    SessionForm,
)
from bot.services.text import clean_text
from bot.services.timeparse import (
    format_clock,
    format_local,
    localize,
    parse_date,
    parse_duration,
    parse_local,
)
from bot.settings import Settings

HORIZON = timedelta(days=730)
REPEAT_HELP = "Please choose how often it repeats: weekly, fortnightly or monthly."


def check_url(value: str | None, field: str) -> str | None:
    """Return a cleaned http(s) link, None for empty, or explain what is wrong."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > URL_MAX:
        raise InvalidInput(f"The {field} is too long: the most is {URL_MAX} characters.")
    parts = urlsplit(text)
    host = parts.netloc.split(":")[0]
    if (
        parts.scheme.lower() not in {"http", "https"}
        or not parts.netloc
        or any(c.isspace() for c in text)
        or ("." not in host and host != "localhost")
    ):
        raise InvalidInput(
            f"The {field} must be a web address starting with https://, "
            "like https://zoom.us/j/123456789."
        )
    return text


def _duration(value: int | str) -> int:
    if isinstance(value, bool):
        raise InvalidInput("Please give the length in minutes, like 90.")
    minutes = value if isinstance(value, int) else parse_duration(value)
    if not DURATION_MIN <= minutes <= DURATION_MAX:
        raise InvalidInput(
            f"A session must last between {DURATION_MIN} minutes and {DURATION_MAX // 60} "
            f"hours; {minutes} minutes won't work."
        )
    return minutes


def _add_months(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    # The 31st becomes the last day of a shorter month rather than spilling into the next.
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _capacity(capacity: Any) -> int | None:
    if capacity is not None and (
        isinstance(capacity, bool)
        or not isinstance(capacity, int)
        or not 1 <= capacity <= CAPACITY_MAX
    ):
        raise InvalidInput(
            f"Places must be a number from 1 to {CAPACITY_MAX}, or left empty for no limit."
        )
    return capacity


def check_fields(settings: Settings, values: dict[str, Any]) -> dict[str, Any]:
    """Return the stored columns for what a worker typed, or explain what is wrong."""
    out: dict[str, Any] = {
        "title": clean_text(values["title"], field="the title", max_length=TITLE_MAX),
        "agenda": clean_text(
            values.get("agenda"),
            field="the agenda",
            max_length=AGENDA_MAX,
            required=False,
            multiline=True,
        ),
        "duration_minutes": _duration(values["duration_minutes"]),
        "online_link": check_url(values.get("online_link"), "online link"),
        "place": clean_text(
            values.get("place"), field="the place", max_length=PLACE_MAX, required=False
        ),
        "papers_url": check_url(values.get("papers_url"), "papers link"),
    }
    if out["online_link"] is None and out["place"] is None:
        raise InvalidInput(
            "Please give an online link (Zoom or Teams) or a place to meet, or both."
        )
    locality = (values.get("locality") or "").strip() or None
    out["locality"] = locality and Audience.check(LOCALITY, locality, settings).value
    out["capacity"] = _capacity(values.get("capacity"))
    audience = Audience.check(values.get("audience"), values.get("audience_value"), settings)
    out["audience_kind"], out["audience_value"] = audience.kind, audience.value
    return out


def check_start(settings: Settings, text: str, now: datetime) -> datetime:
    """Return the start a worker typed, if it is in the next two years."""
    start = parse_local(text, now, settings.tz)
    if start <= now:
        raise InvalidInput(
            f"{format_local(start, settings.tz)} has already passed. "
            "Please choose a time in the future."
        )
    if start - now > HORIZON:
        raise InvalidInput("That is more than two years away. Please choose a nearer date.")
    return start


def occurrences(
    settings: Settings, first: datetime, form: SessionForm, now: datetime
) -> list[datetime]:
    """Return the start of each session a form asks for (one, or a series)."""
    if form.repeat in (None, "", "none"):
        if form.repeat_count not in (None, 1) or form.repeat_until:
            raise InvalidInput(REPEAT_HELP)
        return [first]
    if form.repeat not in REPEATS:
        raise InvalidInput(REPEAT_HELP)
    if (form.repeat_count is None) == (not form.repeat_until):
        raise InvalidInput(
            f"Please say how many sessions there are (up to {SERIES_MAX}) or the date of the "
            "last one, but not both."
        )
    base = first.astimezone(settings.tz).replace(tzinfo=None)
    until = parse_date(form.repeat_until, now, settings.tz) if form.repeat_until else None
    if until is not None and until < base.date():
        raise InvalidInput("The end date is before the first session. Please check it.")
    count = SERIES_MAX + 1  # an end date decides; one too many means it makes too many
    if form.repeat_count is not None:
        count = form.repeat_count
        if isinstance(count, bool) or not 1 <= count <= SERIES_MAX:
            raise InvalidInput(f"A series can have from 1 to {SERIES_MAX} sessions.")
    step = REPEATS[form.repeat]
    starts = []
    for k in range(count):
        local = _add_months(base, k) if step == 0 else base + timedelta(days=step * k)
        if until is not None and local.date() > until:
            break
        starts.append(first if k == 0 else localize(local, settings.tz))
    if len(starts) > SERIES_MAX:
        raise InvalidInput(
            f"That end date makes more than {SERIES_MAX} sessions. "
            f"A series can have up to {SERIES_MAX}: choose an earlier end date."
        )
    return starts


def warnings(
    settings: Settings,
    starts: list[datetime],
    minutes: int,
    now: datetime,
    *,
    has_papers: bool = False,
) -> list[str]:
    """Return the reasonable-adjustment checks these starts fail, for the worker to confirm."""
    cfg = settings.sessions
    earliest = time.fromisoformat(cfg.earliest_start)
    school = (time.fromisoformat(cfg.school_hours[0]), time.fromisoformat(cfg.school_hours[1]))
    under_18 = bool(settings.group.under_18_age_bands)
    found: dict[str, list[datetime]] = {"early": [], "school": [], "papers": []}
    for start in starts:
        local = start.astimezone(settings.tz)
        end = (start + timedelta(minutes=minutes)).astimezone(settings.tz)
        if local.time() < earliest:
            found["early"].append(start)
        overlaps = local.time() < school[1] and (
            end.time() > school[0] or end.date() > local.date()
        )
        if under_18 and local.weekday() < 5 and overlaps:
            found["school"].append(start)
        # Only a session with papers can miss the papers deadline; a false warning teaches
        # workers to click through the true ones.
        if has_papers and start - now < timedelta(days=cfg.papers_days_before):
            found["papers"].append(start)

    def which(items: list[datetime]) -> str:
        more = len(items) - 1
        return format_local(items[0], settings.tz) + (
            f" (and {more} more in the series)" if more else ""
        )

    said = []
    if found["early"]:
        said.append(
            f"{which(found['early'])} starts before {format_clock(earliest)}. Early starts "
            "are hard for some people (for example because of medication)."
        )
    if found["school"]:
        said.append(
            f"{which(found['school'])} is during school hours ({format_clock(school[0])} to "
            f"{format_clock(school[1])} on weekdays) and the audience may include under-18s."
        )
    if found["papers"]:
        said.append(
            f"{which(found['papers'])} is less than {cfg.papers_days_before} days away, so "
            f"papers can't go out {cfg.papers_days_before} days before as the standards ask."
        )
    return said
