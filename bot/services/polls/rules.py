"""The rules a poll must meet: its draft, its changes, who may vote, and what a vote may be."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypedDict
from zoneinfo import ZoneInfo

from bot.db.models import Member, Poll
from bot.services.audience import LOCALITY, Audience
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.polls.records import when
from bot.services.text import clean_text
from bot.services.timeparse import parse_local
from bot.settings import Settings

QUESTION_MAX = 300
OPTION_MAX = 80  # Discord's button label limit
MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_OPEN = timedelta(days=90)
MIN_OPEN = timedelta(minutes=1)


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
    audience: Audience
    reminder_at: datetime | None


@dataclass(frozen=True)
class OptionsRead:
    """The options as read from what was typed, and the separator they were split at."""

    options: list[str]
    separator: str  # semicolons | lines | commas | slashes | or | none


# The first separator present wins, so an option may hold a comma when ';' or new lines
# separate the options. A comma between digits ("1,000") never splits.
_COMMA = re.compile(r"(?<!\d),|,(?!\d)")
_SLASH = re.compile(r"\s+/\s+")
_OR = re.compile(r"\s+or\s+", re.IGNORECASE)
_LEADING_JOIN = re.compile(r"^(?:or|and)\s+", re.IGNORECASE)


def read_options(text: str) -> OptionsRead:
    """Split typed options at new lines or ';', else commas, else ' / ', else ' or '."""
    text = text or ""
    if "\n" in text or ";" in text:
        kind = "semicolons" if ";" in text else "lines"
        parts = re.split(r"[;\n]", text)
    elif _COMMA.search(text):
        kind = "commas"
        parts = _COMMA.split(text)
        # "Monday, Tuesday or Wednesday" and "Monday, Tuesday, or Wednesday" read as three.
        parts = [_LEADING_JOIN.sub("", p.strip()) for p in parts]
        parts[-1:] = _OR.split(parts[-1])
    elif _SLASH.search(text):
        kind, parts = "slashes", _SLASH.split(text)
    elif _OR.search(text.strip()):
        kind, parts = "or", _OR.split(text.strip())
    else:
        kind, parts = "none", [text]
    return OptionsRead([p.strip() for p in parts if p.strip()], kind)


def parse_options(text: str) -> list[str]:
    """Split typed options as read_options does, and return them alone."""
    return read_options(text).options


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
            "Separate options with semicolons, commas or new lines, like: Yes; No; Not sure"
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
        audience=Audience.check(draft.audience_kind, draft.audience_value, settings),
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


def check_open(poll: Poll, now: datetime, settings: Settings) -> None:
    """Refuse a vote in a poll that has closed, or whose closing time has passed."""
    if poll.closed_at is not None or now >= poll.closes_at:
        raise Conflict(
            f"This poll closed on {when(poll.closed_at or poll.closes_at, settings)}, "
            "so votes can no longer be cast or changed."
        )


class Voter(Protocol):
    """What the audience check needs of a member: a row, or just its columns."""

    @property
    def locality(self) -> str: ...
    @property
    def level_key(self) -> str | None: ...


def check_voter(poll: Poll, member: Member | Voter, settings: Settings) -> None:
    """Refuse a member outside the poll's audience, saying who it is for."""
    audience = Audience.of(poll)
    if audience.includes(member):
        return
    if audience.kind == LOCALITY:
        raise NotAllowed(
            f"This poll is for {audience.describe(settings)}. Your profile says "
            f"{member.locality}; if that has changed, update it with /profile."
        )
    raise NotAllowed(f"This poll is only for {audience.describe(settings)}.")


def check_choices(poll: Poll, choices: Sequence[int]) -> tuple[int, ...]:
    """Return the chosen option indexes, sorted, if the poll allows them."""
    picked = tuple(sorted(set(choices)))
    if not picked:
        raise InvalidInput("Please choose an option.")
    if any(not 0 <= i < len(poll.options) for i in picked):
        raise InvalidInput("That option isn't in this poll. Please choose one shown.")
    if not poll.multiple and len(picked) > 1:
        raise InvalidInput("This poll takes one choice only. Please pick just one.")
    return picked


class PollChanges(TypedDict, total=False):
    """What a worker may change in an open poll (None or left out: unchanged)."""

    anonymous: bool | None
    results_hidden: bool | None
    closes_at: datetime | None


def check_edit(poll: Poll, changes: PollChanges) -> None:
    """Refuse changing a closed poll, or turning anonymity or hidden results off."""
    anonymous, results_hidden = changes.get("anonymous"), changes.get("results_hidden")
    if poll.closed_at is not None:
        raise Conflict("This poll has closed, so it can't be changed.")
    if anonymous is False and poll.anonymous:
        raise Conflict(
            "Anonymity can't be turned off once it is on: people voted trusting that "
            "nobody could see their choice. If you need named votes, make a new poll."
        )
    if results_hidden is False and poll.results_hidden:
        raise Conflict(
            "Hidden results can't be shown early once hidden: people voted without "
            "seeing how others voted. The results will be shown when the poll closes."
        )


def check_results_shown(poll: Poll, settings: Settings) -> None:
    """Refuse counts of an open poll whose results are hidden until it closes."""
    if poll.results_hidden and poll.closed_at is None:
        raise NotAllowed(
            "The results of this poll are hidden until it closes on "
            f"{when(poll.closes_at, settings)}."
        )
