"""What an opportunity must say before it is posted: the pledges' "clear from the start"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from bot.contribution_kinds import ContributionKind
from bot.services.audience import EVERYONE, Audience
from bot.services.errors import InvalidInput
from bot.services.text import clean_text
from bot.services.timeparse import localize, parse_date
from bot.settings import Settings

KINDS: dict[str, str] = {
    "panel": "Recruitment panel",
    "training": "Training",
    "project": "Project",
    "event": "Event",
}
# What being selected counts as on the member's record (training received is not delivered).
CONTRIBUTION: dict[str, ContributionKind] = {
    "panel": ContributionKind.RECRUITMENT_PANEL,
    "training": ContributionKind.OTHER,
    "project": ContributionKind.PROJECT_WORK,
    "event": ContributionKind.OTHER,
}
TITLE_MAX, INVOLVES_MAX, PAYMENT_MAX, SUITS_MAX = 100, 1000, 300, 200
MAX_DAYS_AHEAD = 366
MAX_HOURS = Decimal(100)
# Words that leave people guessing about money: the pledges ask us to be clear at every stage.
VAGUE_PAYMENT = {
    "tbc",
    "tbd",
    "tba",
    "n/a",
    "na",
    "?",
    "-",
    "unknown",
    "ask",
    "maybe",
    "to be confirmed",
}


@dataclass(frozen=True)
class OpportunityDraft:
    """An opportunity as a worker typed it."""

    kind: str
    title: str
    involves: str
    date: str
    payment: str
    audience_kind: str | None = None
    audience_value: str | None = None
    suits: str | None = None
    hours: str | None = None


@dataclass(frozen=True)
class CleanOpportunity:
    """A checked opportunity, ready to store."""

    kind: str
    title: str
    involves: str
    payment: str
    audience: Audience
    suits: str | None
    hours: Decimal | None
    happens_at: datetime


def check_kind(kind: str) -> str:
    """Return the kind's key, matched by key or name without regard to case."""
    wanted = (kind or "").strip().casefold()
    for key, label in KINDS.items():
        if wanted in {key, label.casefold()}:
            return key
    raise InvalidInput(
        f"Please choose what kind of opportunity it is: {', '.join(KINDS.values())}."
    )


def check_payment(payment: str | None) -> str:
    """Refuse an opportunity that does not say clearly what is paid or claimable."""
    text = clean_text(
        payment, field="the payment and expenses", max_length=PAYMENT_MAX, required=False
    )
    if text is None or text.casefold().strip(" .!") in VAGUE_PAYMENT or len(text) < 3:
        raise InvalidInput(
            "Please say clearly what is paid and what expenses can be claimed, so people know "
            "before they put themselves forward — for example “£15 an hour, plus travel” or "
            "“Unpaid; travel and childcare expenses paid”. Nothing was posted."
        )
    return text


def check_hours(hours: str | None) -> Decimal | None:
    """Return the hours it takes (for the contribution record), or None if not given."""
    if hours is None or not hours.strip():
        return None
    try:
        value = Decimal(hours.strip().removesuffix("h").strip())
    except InvalidOperation:
        raise InvalidInput("Please give the hours as a number, like 2 or 1.5.") from None
    if not value.is_finite() or value <= 0 or value > MAX_HOURS:
        raise InvalidInput("Please give the hours as a number between 0.5 and 100.")
    return value.quantize(Decimal("0.01"))


def check_date(text: str, now: datetime, settings: Settings) -> datetime:
    """Return the start of the (UK) day it happens: after today and within a year."""
    day = parse_date(text, now, settings.tz)
    today = now.astimezone(settings.tz).date()
    if day <= today:
        raise InvalidInput(
            "Please give a date after today: interest closes when the day comes, so people "
            "need time to put themselves forward."
        )
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput("Please give a date within the next year.")
    return localize(datetime.combine(day, time(0, 0)), settings.tz)


def check_draft(draft: OpportunityDraft, now: datetime, settings: Settings) -> CleanOpportunity:
    """Check everything a member needs to know is there; raise InvalidInput saying what is not."""
    kind = check_kind(draft.kind)
    title = clean_text(draft.title, field="the title", max_length=TITLE_MAX)
    involves = clean_text(
        draft.involves, field="what it involves", max_length=INVOLVES_MAX, multiline=True
    )
    payment = check_payment(draft.payment)
    audience = Audience.check(draft.audience_kind, draft.audience_value, settings)
    suits = clean_text(draft.suits, field="who it suits", max_length=SUITS_MAX, required=False)
    if audience.kind == EVERYONE and suits is None:
        raise InvalidInput(
            "Please say who it suits: choose a level or area, or describe them in `suits` "
            "(for example “anyone aged 16 to 25 with experience of CAMHS”)."
        )
    assert title is not None and involves is not None
    return CleanOpportunity(
        kind=kind,
        title=title,
        involves=involves,
        payment=payment,
        audience=audience,
        suits=suits,
        hours=check_hours(draft.hours),
        happens_at=check_date(draft.date, now, settings),
    )
