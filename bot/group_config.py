"""What describes one group: the sections of the TOML files, checked the same way per server.

`bot.settings.Settings` holds one of each as the deployment's defaults; a server's own
overrides (`/settings`) are checked by these same models, so both give the same messages.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    field_validator,
    model_validator,
)

from bot.contribution_kinds import BY_HAND, ContributionKind

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _parse_clock(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a time like 09:30") from exc


def _clock_text(value: str) -> str:
    _parse_clock(value)
    return value


# A time of day as written in the config, e.g. "09:30".
ClockText = Annotated[str, AfterValidator(_clock_text)]


class GroupConfig(_Strict):
    name: str = "Participation Group"
    localities: list[str] = Field(min_length=1)
    age_bands: list[str] = Field(min_length=1)
    under_16_age_bands: list[str] = []
    under_18_age_bands: list[str] = []
    # Towns and places people may type for their area, e.g. {"Bradford" = "North"}.
    locality_aliases: dict[str, str] = {}

    @model_validator(mode="after")
    def _bands_known(self) -> GroupConfig:
        for band in [*self.under_16_age_bands, *self.under_18_age_bands]:
            if band not in self.age_bands:
                raise ValueError(f"age band {band!r} is not in age_bands")
        for town, area in self.locality_aliases.items():
            if area not in self.localities:
                raise ValueError(f"{town!r} points to {area!r}, which is not in localities")
        return self


class SessionsConfig(_Strict):
    earliest_start: ClockText = "10:00"
    school_hours: tuple[str, str] = ("08:30", "15:30")
    papers_days_before: int = Field(default=7, ge=0, le=60)
    reminder_offsets_hours: list[int] = [24, 1]
    quorum_minimum: int = Field(default=2, ge=1)
    quorum_check_hours_before: int = Field(default=72, ge=1)
    quorum_reserve: int = Field(default=1, ge=0)
    # How late a reminder may still go out (bot was down); later ones are skipped and logged.
    max_late_minutes: dict[str, int] = {"papers": 4320, "24h": 720, "1h": 30}

    @field_validator("school_hours")
    @classmethod
    def _clocks(cls, value: tuple[str, str]) -> tuple[str, str]:
        if _parse_clock(value[0]) >= _parse_clock(value[1]):
            raise ValueError("school_hours must start before they end")
        return value


class CrisisResource(_Strict):
    name: str
    detail: str


class SupportConfig(_Strict):
    hours_start: ClockText = "09:00"
    hours_end: ClockText = "17:00"
    working_days: list[str] = ["Mon", "Tue", "Wed", "Thu", "Fri"]
    expected_response: str = "within 1 working day"
    reraise_after_minutes: int = Field(default=60, ge=1)
    # A person waits this long after one /support before another opens (against floods).
    request_cooldown_minutes: int = Field(default=2, ge=0)
    # Staff keep a resolved request's private space this long before it is removed.
    space_retention_days: int = Field(default=90, ge=1)
    crisis_resources: list[CrisisResource] = Field(min_length=1)

    @field_validator("working_days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        for day in value:
            if day not in DAY_NAMES:
                raise ValueError(f"{day!r} is not one of {', '.join(DAY_NAMES)}")
        return value


class PaymentsConfig(_Strict):
    currency: str = "GBP"
    benchmark_days_to_pay: int = 28
    # Contribution kinds paid by the hour at a paid level: the timed work logged by hand, but
    # not "other" (votes and responses are not paid either).
    paid_kinds: list[ContributionKind] = [k for k in BY_HAND if k is not ContributionKind.OTHER]
    expense_max_pence: int = Field(default=100_000, ge=100, le=1_000_000)


class LevelRequirements(_Strict):
    months_involved: int = Field(default=0, ge=0)
    training: list[str] = []
    contributions: dict[ContributionKind, PositiveInt] = {}


class LevelConfig(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1, max_length=40)
    description: str
    paid: bool = False
    hourly_rate_pence: int | None = Field(default=None, gt=0, le=50_000)
    requirements: LevelRequirements = LevelRequirements()

    @model_validator(mode="after")
    def _rate_matches_paid(self) -> LevelConfig:
        if self.paid and self.hourly_rate_pence is None:
            raise ValueError(f"level {self.key!r} is paid but has no hourly_rate_pence")
        if not self.paid and self.hourly_rate_pence is not None:
            raise ValueError(f"level {self.key!r} is unpaid but has an hourly_rate_pence")
        return self


class TrainingModule(_Strict):
    key: str
    name: str


class LadderConfig(_Strict):
    levels: list[LevelConfig] = Field(min_length=1)
    training_modules: list[TrainingModule] = []

    @model_validator(mode="after")
    def _consistent(self) -> LadderConfig:
        for attr in ("key", "name"):
            seen: set[str] = set()
            for level in self.levels:
                value = getattr(level, attr).casefold()
                if value in seen:
                    raise ValueError(f"two levels share the {attr} {getattr(level, attr)!r}")
                seen.add(value)
        if len({m.key for m in self.training_modules}) != len(self.training_modules):
            raise ValueError("two training_modules share a key")
        first = self.levels[0]
        if first.requirements != LevelRequirements():
            raise ValueError(
                f"the first level {first.key!r} is where everyone starts, so it cannot have "
                "requirements"
            )
        modules = {m.key for m in self.training_modules}
        for level in self.levels:
            for module in level.requirements.training:
                if module not in modules:
                    raise ValueError(
                        f"level {level.key!r} needs training {module!r}, "
                        "which is not in training_modules"
                    )
        return self


class SafeguardingConfig(_Strict):
    phrases: list[str] = []
    patterns: list[str] = []
    exclusions: list[str] = []

    @field_validator("patterns", "exclusions")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from exc
        return value


class BulletinConfig(_Strict):
    """When the monthly bulletin goes out (UK time) and what it looks back and ahead over."""

    day_of_month: int = Field(default=1, ge=1, le=28)
    time: str = "10:00"
    # A bulletin held up this long (the bot was down) still goes; later, that month's is missed.
    catch_up_hours: int = Field(default=24, ge=1, le=24 * 14)
    sessions_days_ahead: int = Field(default=35, ge=1, le=92)
    feedback_days_back: int = Field(default=35, ge=1, le=366)

    @field_validator("time")
    @classmethod
    def _clock(cls, value: str) -> str:
        _parse_clock(value)
        return value


class ReportsConfig(_Strict):
    # A group's share of an area or age band below this fraction of the population's share
    # is called under-represented in /report.
    under_represented_below: float = Field(default=0.8, gt=0, le=1)
    population_locality: dict[str, int] = {}
    population_age_band: dict[str, int] = {}
