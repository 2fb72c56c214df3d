"""The ladder from config in plain words: what a level needs, and whether someone meets it."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.contribution_kinds import KIND_LABELS, ContributionKind
from bot.group_config import LevelConfig
from bot.settings import Settings

SINGULAR: dict[ContributionKind, str] = {
    ContributionKind.POLL_VOTE: "poll vote",
    ContributionKind.CONSULTATION_RESPONSE: "consultation response",
    ContributionKind.SESSION_ATTENDED: "session attended",
    ContributionKind.SESSION_COFACILITATED: "session co-facilitated",
    ContributionKind.TRAINING_COMPLETED: "training module completed",
    ContributionKind.TRAINING_DELIVERED: "training delivered",
    ContributionKind.RECRUITMENT_PANEL: "recruitment panel",
    ContributionKind.PROJECT_WORK: "piece of project work",
    ContributionKind.PEER_SUPPORT_GIVEN: "time giving peer support",
    ContributionKind.OTHER: "other contribution",
}
# What a member would do for more of a kind, as "{n} more" phrases ("vote in 2 more polls").
MORE: dict[ContributionKind, tuple[str, str]] = {
    ContributionKind.POLL_VOTE: ("vote in {n} more poll", "vote in {n} more polls"),
    ContributionKind.CONSULTATION_RESPONSE: (
        "answer {n} more consultation",
        "answer {n} more consultations",
    ),
    ContributionKind.SESSION_ATTENDED: ("come to {n} more session", "come to {n} more sessions"),
    ContributionKind.SESSION_COFACILITATED: (
        "help run {n} more session",
        "help run {n} more sessions",
    ),
    ContributionKind.TRAINING_COMPLETED: (
        "complete {n} more training module",
        "complete {n} more training modules",
    ),
    ContributionKind.TRAINING_DELIVERED: (
        "deliver training {n} more time",
        "deliver training {n} more times",
    ),
    ContributionKind.RECRUITMENT_PANEL: (
        "sit on {n} more recruitment panel",
        "sit on {n} more recruitment panels",
    ),
    ContributionKind.PROJECT_WORK: (
        "do {n} more piece of project work",
        "do {n} more pieces of project work",
    ),
    ContributionKind.PEER_SUPPORT_GIVEN: (
        "give peer support {n} more time",
        "give peer support {n} more times",
    ),
    ContributionKind.OTHER: (
        "make {n} more other contribution",
        "make {n} more other contributions",
    ),
}
PLURAL: dict[ContributionKind, str] = {
    **KIND_LABELS,
    ContributionKind.PROJECT_WORK: "pieces of project work",
    ContributionKind.PEER_SUPPORT_GIVEN: "times giving peer support",
}


def count_words(kind: ContributionKind, count: int) -> str:
    """Return e.g. '1 poll vote' or '3 sessions attended'."""
    return f"{count} {SINGULAR[kind] if count == 1 else PLURAL[kind]}"


def hours_words(hours: Decimal) -> str:
    """Return '1 hour', '1.5 hours' or '2 hours'."""
    return f"{hours.normalize():f} hour{'' if hours == 1 else 's'}"


def more_words(kind: ContributionKind, more: int, have: int, wanted: int) -> str:
    """Return what is left of a count, e.g. 'vote in 2 more polls (1 of 3 done)'."""
    one, many = MORE[kind]
    return (one if more == 1 else many).format(n=more) + f" ({have} of {wanted} done)"


def months_words(months: int) -> str:
    """Return '1 month' or '3 months'."""
    return f"{months} month{'' if months == 1 else 's'}"


def format_pounds(pence: int) -> str:
    """Return an amount of pence as '£12.50'."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def months_between(start: datetime, end: datetime, tz: ZoneInfo) -> int:
    """Return whole calendar months from start to end, counted in UK local time."""
    a, b = start.astimezone(tz), end.astimezone(tz)
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if (b.day, b.time()) < (a.day, a.time()):
        months -= 1
    return max(months, 0)


@dataclass(frozen=True)
class Standing:
    """What a member has done so far, in the terms the ladder counts."""

    counts: Mapping[str, int]
    modules: Set[str]
    months: int


class Ladder:
    """The configured levels in order, with the questions services ask about them."""

    def __init__(self, settings: Settings) -> None:
        self.levels: list[LevelConfig] = list(settings.ladder.levels)
        self.modules: dict[str, str] = {m.key: m.name for m in settings.ladder.training_modules}
        self._index = {level.key: i for i, level in enumerate(self.levels)}

    def index(self, level_key: str | None) -> int:
        """Return a level's position; unknown or missing keys count as the first level."""
        return self._index.get(level_key or "", 0)

    def get(self, level_key: str | None) -> LevelConfig:
        """Return a level's config (the first level for unknown keys)."""
        return self.levels[self.index(level_key)]

    def known(self, level_key: str) -> bool:
        """Tell whether a level key is on the ladder."""
        return level_key in self._index

    def next_after(self, level_key: str | None) -> LevelConfig | None:
        """Return the level above, or None at the top."""
        i = self.index(level_key) + 1
        return self.levels[i] if i < len(self.levels) else None

    def below(self, level_key: str | None) -> LevelConfig | None:
        """Return the level below, or None at the bottom."""
        i = self.index(level_key) - 1
        return self.levels[i] if i >= 0 else None

    def missing(self, level: LevelConfig, standing: Standing) -> list[str]:
        """Return what is still needed for a level, as things to do (empty when it is met)."""
        needs: list[str] = []
        req = level.requirements
        for kind, wanted in req.contributions.items():
            have = standing.counts.get(kind.value, 0)
            if have < wanted:
                needs.append(more_words(kind, wanted - have, have, wanted))
        for module in req.training:
            if module not in standing.modules:
                needs.append(f"complete the training module “{self.modules.get(module, module)}”")
        if standing.months < req.months_involved:
            needs.append(
                f"be involved for {months_words(req.months_involved)} "
                f"({months_words(standing.months)} so far)"
            )
        return needs

    def describe(self, level: LevelConfig) -> list[str]:
        """Return everything a level asks for, in plain words."""
        req = level.requirements
        parts = [count_words(kind, n) for kind, n in req.contributions.items()]
        parts += [f"the training module “{self.modules.get(m, m)}”" for m in req.training]
        if req.months_involved:
            parts.append(f"being involved for {months_words(req.months_involved)}")
        return parts
