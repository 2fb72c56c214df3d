"""The figures of a report, as plain dataclasses (no Discord, no database)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.services.reports.periods import Period
from bot.services.reports.suppression import Suppressed


def rate(part: int, whole: int) -> float | None:
    """Return part/whole as a fraction, or None when there is nothing to divide by."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Table:
    """A labelled table of counts (rows by columns), without totals."""

    row_labels: list[str]
    col_labels: list[str]
    counts: list[list[int]]

    def row_totals(self) -> list[int]:
        """Return each row's total."""
        return [sum(r) for r in self.counts]

    def col_totals(self) -> list[int]:
        """Return each column's total."""
        return [sum(r[j] for r in self.counts) for j in range(len(self.col_labels))]


@dataclass(frozen=True)
class Representation:
    """How one locality or age band compares with the population the service serves."""

    dimension: str  # "Area" | "Age band"
    name: str
    members: int
    share: float
    population_share: float
    under: bool


@dataclass(frozen=True)
class Presence:
    """Who is involved: members by level and area, sign-ups, activity, breaks and leavers."""

    members: int
    by_level_locality: Table
    young_people: int
    carers: int
    by_age_band: dict[str, int]
    signups: int
    signups_approved: int
    signups_declined: int
    signups_waiting: int
    active: int
    on_break: int
    left: int
    representation: list[Representation]


@dataclass(frozen=True)
class Adjustment:
    """One kind of reasonable adjustment asked for by people going to sessions."""

    label: str
    asked: int
    met: int | None  # None when the bot cannot tell


@dataclass(frozen=True)
class Support:
    """Support requests made in the period (metadata only)."""

    requests: int
    by_kind: dict[str, int]
    urgent: int
    out_of_hours: int
    resolved: int
    median_hours_to_first_response: float | None
    median_hours_to_resolve: float | None


@dataclass(frozen=True)
class Money:
    """Expense claims and payments for paid roles."""

    claims: int
    claims_pence: int
    claims_paid: int
    claims_rejected: int
    claims_waiting: int
    median_days_to_pay: float | None
    benchmark_days: int
    payments: int
    payments_pence: int
    payments_paid: int


@dataclass(frozen=True)
class Process:
    """How involvement ran: contributions, sessions, polls, consultations, support, money."""

    contributions: int
    hours: float
    by_kind: list[tuple[str, int, float]]
    bucket_labels: list[str]
    by_bucket: dict[str, list[int]]
    sessions_held: int
    sessions_marked: int
    going: int
    attended: int
    quorum_minimum: int
    quorum_met: int
    adjustments: list[Adjustment]
    polls: int
    poll_ballots: int
    poll_audience: int
    consultations: int
    consultation_responses: int
    consultation_audience: int
    support: Support
    money: Money


@dataclass(frozen=True)
class ConsultationImpact:
    """One consultation's intended outcomes beside its "you said, we did"."""

    title: str
    closed_on: date | None
    outcomes: str
    responses: int
    audience: int | None
    said: str | None
    did: str | None
    could_not: str | None
    days_to_feedback: int | None


@dataclass(frozen=True)
class Waiting:
    """A closed consultation still without feedback after its review date."""

    title: str
    closed_on: date | None
    review_on: date
    days_overdue: int


@dataclass(frozen=True)
class QuestionResult:
    """The combined answers to one end-of-involvement question."""

    text: str
    answers: int
    counts: list[tuple[str, int]]
    average: float | None


@dataclass(frozen=True)
class Impact:
    """What difference involvement made and how it felt."""

    consultations: list[ConsultationImpact]
    waiting: list[Waiting]
    leaving_respondents: int
    leaving_results: list[QuestionResult]
    session_feedback: int
    average_rating: float | None
    listened: dict[str, int]
    level_moves: list[tuple[str, str, str, int]]  # from, to, direction, count

    @property
    def moves_up(self) -> int:
        """Return how many moves were up a level."""
        return sum(n for _, _, d, n in self.level_moves if d == "up")

    @property
    def moves_down(self) -> int:
        """Return how many moves were down a level."""
        return sum(n for _, _, d, n in self.level_moves if d == "down")


@dataclass(frozen=True)
class EqualityTable:
    """One equality question by level, with small numbers suppressed."""

    question: str
    row_labels: list[str]
    col_labels: list[str]
    answered: int  # members who answered this question (fewer than 5: no table is shown)
    table: Suppressed


@dataclass(frozen=True)
class Equality:
    """Equality monitoring, in aggregate only."""

    members: int
    answered: int
    tables: list[EqualityTable]


@dataclass(frozen=True)
class Report:
    """Everything in one report."""

    group_name: str
    period: Period
    generated_at: datetime
    presence: Presence
    process: Process
    impact: Impact
    equality: Equality
    timezone: str = "Europe/London"
    threshold: float = 0.8  # under-represented below this share of the population's share
    notes: list[str] = field(default_factory=list)


def counted(rows: Sequence[Any]) -> dict[Any, int]:
    """Return (key, count) result rows as a dict."""
    return {key: int(count) for key, count in rows}
