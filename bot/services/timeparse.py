"""Read the dates and times people type (UK local time) and show instants back in UK time.

Everything returned is an aware UTC datetime. Local times that do not exist (the hour skipped
when the clocks go forward in March) or happen twice (the hour repeated when they go back in
October) are refused with a message that says how to write them unambiguously.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.errors import InvalidInput

EXAMPLES = "`2026-12-03 17:00`, `3 Dec 5pm`, `tomorrow 16:30` or `next Tuesday 4pm`"

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ZONE_OFFSETS = {"gmt": timedelta(0), "bst": timedelta(hours=1)}

_TIME = (
    r"(?:(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)"
    r"|(?P<h24>\d{1,2})[:.](?P<m24>\d{2})"
    r"|(?P<word>noon|midday|midnight))"
)
_TIME_AT_END = re.compile(rf"^(?P<rest>.*?)\s*(?:\bat\s+)?{_TIME}$")
_TIME_AT_START = re.compile(rf"^{_TIME}\s*(?:\bon\s+)?(?P<rest>.*)$")
_ISO_DATE = re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})$")
_SLASH_DATE = re.compile(r"^(?P<d>\d{1,2})/(?P<mo>\d{1,2})(?:/(?P<y>\d{2}|\d{4}))?$")
_DAY_MONTH = re.compile(r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>[a-z]+)(?:\s+(?P<y>\d{4}))?$")
_MONTH_DAY = re.compile(r"^(?P<mon>[a-z]+)\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?P<y>\d{4}))?$")


def _unreadable(text: str) -> InvalidInput:
    shown = text.strip()[:60]
    return InvalidInput(f"I couldn't read {shown!r} as a date and time. Try {EXAMPLES} (UK time).")


def _parse_time(match: re.Match[str], text: str) -> time:
    word = match.group("word")
    if word:
        return time(0, 0) if word == "midnight" else time(12, 0)
    if match.group("h24") is not None:
        hour, minute = int(match.group("h24")), int(match.group("m24"))
        if hour > 23 or minute > 59:
            raise InvalidInput(f"{hour:02d}:{minute:02d} is not a time of day. {_hint()}")
        return time(hour, minute)
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    if not 1 <= hour <= 12 or minute > 59:
        raise InvalidInput(
            f"{hour}{match.group('ampm')} is not a time of day: with am or pm the hour is "
            f"1 to 12. {_hint()}"
        )
    pm = match.group("ampm").startswith("p")
    return time(hour % 12 + (12 if pm else 0), minute)


def _hint() -> str:
    return f"Try {EXAMPLES} (UK time)."


def _make_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(f"{text.strip()[:60]!r} is not a real date. {_hint()}") from None


def _infer_year(month: int, day: int, today: date, text: str) -> date:
    # A date without a year means the next time it comes round (today counts).
    candidate = _make_date(today.year, month, day, text) if (month, day) != (2, 29) else None
    if candidate is None:
        for year in range(today.year, today.year + 8):
            try:
                leap = date(year, 2, 29)
            except ValueError:
                continue
            if leap >= today - timedelta(days=31):
                return leap
        raise _unreadable(text)
    # A date a few weeks back is more likely a slip than next year: keep it, so that the
    # caller can say it is in the past instead of silently booking a year ahead.
    if candidate < today - timedelta(days=31):
        return _make_date(today.year + 1, month, day, text)
    return candidate


def _month(name: str, text: str) -> int:
    month = MONTHS.get(name)
    if month is None:
        raise _unreadable(text)
    return month


def _parse_date(part: str, today: date, text: str) -> date:
    words = part.split()
    weekday_named: int | None = None
    # "Thursday 3 December": the weekday is a check on the date that follows it.
    if len(words) > 1 and words[0] in WEEKDAYS and words[1] not in {"week"}:
        weekday_named = WEEKDAYS[words[0]]
        part = " ".join(words[1:])
    if part in {"today", "tonight"}:
        found = today
    elif part == "tomorrow":
        found = today + timedelta(days=1)
    elif part in WEEKDAYS or (
        len(part.split()) == 2
        and part.split()[0] in {"next", "this"}
        and part.split()[1] in WEEKDAYS
    ):
        # "Tuesday", "this Tuesday" and "next Tuesday" all mean the coming Tuesday (never
        # today); the confirmation shows the full date so a misunderstanding is caught.
        wanted = WEEKDAYS[part.split()[-1]]
        ahead = (wanted - today.weekday()) % 7 or 7
        found = today + timedelta(days=ahead)
    elif match := _ISO_DATE.match(part):
        found = _make_date(int(match["y"]), int(match["mo"]), int(match["d"]), text)
    elif match := _SLASH_DATE.match(part):
        # UK order: day/month(/year).
        day, month = int(match["d"]), int(match["mo"])
        if match["y"] is None:
            found = _infer_year(month, day, today, text)
        else:
            year = int(match["y"])
            found = _make_date(year + 2000 if year < 100 else year, month, day, text)
    elif (match := _DAY_MONTH.match(part)) or (match := _MONTH_DAY.match(part)):
        month = _month(match["mon"], text)
        day = int(match["d"])
        if match["y"] is None:
            found = _infer_year(month, day, today, text)
        else:
            found = _make_date(int(match["y"]), month, day, text)
    else:
        raise _unreadable(text)
    if weekday_named is not None and found.weekday() != weekday_named:
        raise InvalidInput(
            f"{format_date(found)} is a {DAY_NAMES[found.weekday()]}, not a "
            f"{DAY_NAMES[weekday_named]}. Please check the date."
        )
    return found


def parse_date(text: str, now: datetime, tz: ZoneInfo) -> date:
    """Parse a typed UK date (no time) relative to `now`, e.g. `2027-03-01` or `1 Mar 2027`."""
    norm = re.sub(r"[,\s]+", " ", (text or "").strip().lower()).strip()
    if not norm or len(norm) > 60:
        raise InvalidInput("Please give a date like `2027-03-01` or `1 Mar 2027`.")
    return _parse_date(norm, now.astimezone(tz).date(), text)


def _split_zone(text: str) -> tuple[str, str | None]:
    match = re.match(r"^(?P<rest>.*?)\s*(?P<zone>gmt|bst|utc)$", text) or re.match(
        r"^(?P<rest>.*\d)(?P<zone>z)$", text
    )
    if match and match["rest"]:
        return match["rest"].strip(), match["zone"]
    return text, None


EARLIEST_YEAR = 1900
YEARS_AHEAD = 100


def parse_local(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """Parse a typed UK date and time relative to `now`; return an aware UTC datetime."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    raw = text or ""
    if not raw.strip():
        raise InvalidInput(f"Please give a date and time, like {EXAMPLES}.")
    if len(raw) > 100:
        raise InvalidInput(f"That date and time is too long to be right. {_hint()}")
    norm = re.sub(r"[,\s]+", " ", raw.strip().lower()).strip()
    norm = norm.replace("t", " ", 1) if re.match(r"^\d{4}-\d{1,2}-\d{1,2}t", norm) else norm
    norm, zone = _split_zone(norm)
    match = _TIME_AT_END.match(norm)
    if match is None or not match.group("rest"):
        start = _TIME_AT_START.match(norm)
        if start is not None and start.group("rest"):
            match = start
    if match is None:
        try:
            _parse_date(norm, now.astimezone(tz).date(), raw)
        except InvalidInput:
            raise _unreadable(raw) from None
        raise InvalidInput(f"Please include a time as well as the date, like {EXAMPLES} (UK time).")
    rest = re.sub(r"^(?:on|at)\s+|\s+(?:at|on)$", "", match.group("rest").strip())
    if not rest:
        raise InvalidInput(f"Please include the date as well as the time, like {EXAMPLES}.")
    clock = _parse_time(match, raw)
    today = now.astimezone(tz).date()
    day = _parse_date(rest, today, raw)
    if not EARLIEST_YEAR <= day.year <= today.year + YEARS_AHEAD:
        # Year 1 or 9999 cannot be turned into UTC at all, and no one means them.
        raise InvalidInput(
            f"{format_date(day)} is too far from today to be right. Please check the year."
        )
    return localize(datetime.combine(day, clock), tz, zone)


def localize(naive: datetime, tz: ZoneInfo, zone: str | None = None) -> datetime:
    """Turn a wall-clock UK time into UTC, refusing times skipped or repeated by the clocks."""
    if naive.tzinfo is not None:
        raise ValueError("localize takes a naive wall-clock time")
    if zone in {"utc", "z"}:
        return naive.replace(tzinfo=UTC)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    when = f"{format_clock(naive.time())} on {format_date(naive.date())}"
    if round_trip != naive:
        later = first.astimezone(UTC).astimezone(tz)
        raise InvalidInput(
            f"{when} doesn't exist in UK time: the clocks go forward an hour that night. "
            f"Please choose another time, such as {format_clock(later.time())} "
            f"(the same moment written after the change) or an hour earlier."
        )
    if zone is not None:
        offset = ZONE_OFFSETS[zone]
        moment = (naive - offset).replace(tzinfo=UTC)
        if moment.astimezone(tz).utcoffset() != offset:
            actual = "BST" if moment.astimezone(tz).dst() else "GMT"
            raise InvalidInput(
                f"On {format_date(naive.date())} UK time is {actual}, not {zone.upper()}. "
                f"Leave out {zone.upper()}, or write {actual}."
            )
        return moment
    if first.utcoffset() != second.utcoffset():
        raise InvalidInput(
            f"{when} happens twice in UK time: the clocks go back an hour that night. "
            f"Please say which one by adding BST (the first, before the change) or GMT "
            f"(the second), for example `{naive:%Y-%m-%d %H:%M} BST`."
        )
    return first.astimezone(UTC)


def parse_duration(text: str) -> int:
    """Read a length of time like `90`, `90 min`, `1h30`, `1.5 hours`; return minutes."""
    norm = re.sub(r"\s+", "", (text or "").strip().lower())
    if match := re.match(r"^(\d{1,4})(?:m|min|mins|minutes?)?$", norm):
        return int(match[1])
    if match := re.match(
        r"^(\d{1,2})(?:h|hr|hrs|hours?)(?:(\d{1,2})(?:m|min|mins|minutes?)?)?$", norm
    ):
        return int(match[1]) * 60 + int(match[2] or 0)
    if match := re.match(r"^(\d{1,2}\.\d{1,2})(?:h|hr|hrs|hours?)$", norm):
        return round(float(match[1]) * 60)
    if match := re.match(r"^(\d{1,2}):(\d{2})$", norm):
        return int(match[1]) * 60 + int(match[2])
    raise InvalidInput(
        f"I couldn't read {text.strip()[:40]!r} as a length of time. "
        "Try `90`, `90 min`, `1h30` or `2 hours`."
    )


def format_clock(value: time) -> str:
    """Show a time of day the UK way: 5:00pm, 12:30am."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d}{'am' if value.hour < 12 else 'pm'}"


def format_date(value: date) -> str:
    """Show a date in full: Thursday 3 December 2026."""
    return f"{DAY_NAMES[value.weekday()]} {value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def format_local(moment: datetime, tz: ZoneInfo) -> str:
    """Show an instant in UK time: "Thursday 3 December 2026, 5:00pm (UK time)"."""
    local = moment.astimezone(tz)
    clock = format_clock(local.time())
    naive = local.replace(tzinfo=None)
    if naive.replace(tzinfo=tz, fold=0).utcoffset() != naive.replace(tzinfo=tz, fold=1).utcoffset():
        # In the repeated hour the wall-clock time alone does not say which one is meant.
        clock += " BST" if local.dst() else " GMT"
    return f"{format_date(local.date())}, {clock} (UK time)"


def format_local_range(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """Show a session's time: "Thursday 3 December 2026, 5:00pm to 6:30pm (UK time)"."""
    first = format_local(start, tz).removesuffix(" (UK time)")
    local_end = end.astimezone(tz)
    if local_end.date() == start.astimezone(tz).date():
        tail = format_clock(local_end.time())
    else:
        tail = format_local(end, tz).removesuffix(" (UK time)")
    return f"{first} to {tail} (UK time)"
