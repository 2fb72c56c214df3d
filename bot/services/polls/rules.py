"""The rules a poll must meet: question, options, audience, closing time, reminder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.errors import InvalidInput
from bot.services.text import clean_text
from bot.services.timeparse import parse_local
from bot.settings import Settings

QUESTION_MAX = 300
OPTION_MAX = 80  # Discord's button label limit
MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_OPEN = timedelta(days=90)
MIN_OPEN = timedelta(minutes=1)
AUDIENCES = ("everyone", "locality", "level")


@dataclass(frozen=True)
class PollDraft:
    """What a worker asked for when creating a poll."""

    question: str
    options: list[str]
    closes_at: datetime
    multiple: bool = False
    anonymous: bool = True
    results_hidden: bool = True
    audience_kind: str = "everyone"
    audience_value: str | None = None
    channel_id: int | None = None  # None: the server's polls channel
    reminder_at: datetime | None = None


@dataclass(frozen=True)
class CleanDraft:
    """A draft that passed every rule, ready to store."""

    question: str
    options: list[str]
    closes_at: datetime
    multiple: bool
    anonymous: bool
    results_hidden: bool
    audience_kind: str
    audience_value: str | None
    reminder_at: datetime | None


def parse_options(text: str) -> list[str]:
    """Split options typed as one line separated by ';' (or one per line)."""
    parts = re.split(r"[;\n]", text or "")
    return [p.strip() for p in parts if p.strip()]


def clean_options(options: list[str]) -> list[str]:
    """Return trimmed options, refusing too few, too many, too long or repeated ones."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(options, start=1):
        label = clean_text(raw, field=f"option {number}", max_length=OPTION_MAX, required=False)
        if label is None:
            continue
        folded = " ".join(label.split()).casefold()
        if folded in seen:
            raise InvalidInput(
                f"The option {label!r} appears twice. Each option must be different."
            )
        seen.add(folded)
        cleaned.append(label)
    if len(cleaned) < MIN_OPTIONS:
        raise InvalidInput(
            f"A poll needs at least {MIN_OPTIONS} options; you gave {len(cleaned)}. "
            "Separate options with a semicolon, like: Yes; No; Not sure"
        )
    if len(cleaned) > MAX_OPTIONS:
        raise InvalidInput(
            f"A poll can have at most {MAX_OPTIONS} options; you gave {len(cleaned)}. "
            "Try merging some, or use a consultation for longer lists."
        )
    return cleaned


def check_closing(closes_at: datetime, now: datetime, tz: ZoneInfo) -> datetime:
    """Return the closing time if it is at least a minute and at most 90 days away."""
    if closes_at.tzinfo is None:
        raise InvalidInput("The closing time needs a time zone (this is a bug in the bot).")
    if closes_at < now + MIN_OPEN:
        shown = closes_at.astimezone(tz).strftime("%d %b %Y %H:%M")
        raise InvalidInput(
            f"The closing time ({shown}) is in the past or too soon. "
            "Choose a time at least a minute from now."
        )
    if closes_at > now + MAX_OPEN:
        raise InvalidInput(
            "A poll can stay open for at most 90 days. Please choose an earlier closing time."
        )
    return closes_at


def check_reminder(
    reminder_at: datetime | None, closes_at: datetime, now: datetime
) -> datetime | None:
    """Return the reminder time if it falls between now and the close."""
    if reminder_at is None:
        return None
    if reminder_at.tzinfo is None:
        raise InvalidInput("The reminder time needs a time zone (this is a bug in the bot).")
    if not now <= reminder_at < closes_at:
        raise InvalidInput("The reminder must be sent after now and before the poll closes.")
    return reminder_at


def check_audience(kind: str, value: str | None, settings: Settings) -> str | None:
    """Return the audience value that goes with the kind, refusing unknown ones."""
    if kind == "everyone":
        return None
    if kind == "locality":
        localities = settings.group.localities
        match = next(
            (loc for loc in localities if loc.casefold() == (value or "").casefold()), None
        )
        if match is None:
            raise InvalidInput(f"Please choose an area from: {', '.join(localities)}.")
        return match
    if kind == "level":
        levels = settings.ladder.levels
        wanted = (value or "").casefold()
        level = next(
            (lv for lv in levels if wanted in {lv.key.casefold(), lv.name.casefold()}), None
        )
        if level is None:
            raise InvalidInput(
                f"Please choose a level from: {', '.join(lv.name for lv in levels)}."
            )
        return level.key
    raise InvalidInput("The audience must be everyone, an area or a level.")


def check_draft(draft: PollDraft, now: datetime, settings: Settings) -> CleanDraft:
    """Apply every rule to a draft; raise InvalidInput with a fix on the first problem."""
    question = clean_text(draft.question, field="the question", max_length=QUESTION_MAX)
    assert question is not None  # required=True never returns None
    options = clean_options(list(draft.options))
    closes_at = check_closing(draft.closes_at, now, settings.tz)
    return CleanDraft(
        question=question,
        options=options,
        closes_at=closes_at,
        multiple=bool(draft.multiple),
        anonymous=bool(draft.anonymous),
        results_hidden=bool(draft.results_hidden),
        audience_kind=draft.audience_kind,
        audience_value=check_audience(draft.audience_kind, draft.audience_value, settings),
        reminder_at=check_reminder(draft.reminder_at, closes_at, now),
    )


_DURATION = re.compile(r"^\s*(\d{1,4})\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_closing(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """Read a closing time typed as '3d', '48h', '2 weeks' or a UK date and time."""
    duration = _DURATION.match((text or "").strip().lower())
    if duration:
        unit = _UNITS[duration.group(2)[0]]
        return now + timedelta(**{unit: int(duration.group(1))})
    try:
        return parse_local(text, now, tz)
    except InvalidInput as error:
        raise InvalidInput(
            f"{error.message} You can also give a length of time, like '3d' or '48h'."
        ) from None
