"""One typed Settings object: TOML defaults from config/ plus secrets from the environment."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.config_dir import CONFIG_DIR_ENV, DEFAULT_CONFIG_DIR, ConfigError, config_dir_from
from bot.contribution_kinds import BY_HAND, ContributionKind

__all__ = ["CONFIG_DIR_ENV", "DEFAULT_CONFIG_DIR", "ConfigError", "Settings", "load_settings"]

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


class _TomlSource(PydanticBaseSettingsSource):
    """Lowest-priority source: the merged TOML files of the config directory."""

    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


_toml_data: dict[str, Any] = {}
ASYNC_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


class Settings(BaseSettings):
    """Everything the bot is configured with; built once in the CLI and passed in."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, env_ignore_empty=True)

    discord_token: SecretStr | None = None
    database_url: SecretStr = SecretStr("sqlite+aiosqlite:///data/participation.db")
    discord_guild_id: int | None = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    discord_openapi_spec: Path | None = None
    log_level: str = "INFO"
    # How long discord.py waits for more servers after READY before it calls itself ready.
    guild_ready_timeout: float = Field(default=2.0, ge=0.0, le=60.0)
    # Faster-than-real time from a start moment, for fault soaks of a real process (CLOCK_SPEED,
    # CLOCK_START). Leave at 1 in production.
    clock_speed: float = Field(default=1.0, ge=1.0, le=1_000_000.0)
    clock_start: AwareDatetime | None = None
    # The real moment CLOCK_START names (CLOCK_ANCHOR), so several processes share one clock.
    clock_anchor: AwareDatetime | None = None
    # The shards this process connects, e.g. "0-3" of 8 (SHARDS, SHARD_COUNT; `run` flags win).
    shards: str | None = None
    shard_count: int | None = None
    # /health and Prometheus /metrics on this port (OPS_PORT; 0 picks a free one); off unless
    # set. OPS_HOST is where it listens: this machine only unless a container needs 0.0.0.0.
    ops_port: int | None = Field(default=None, ge=0, le=65535)
    ops_host: str = "127.0.0.1"
    outbox_concurrency: int = Field(default=8, ge=1, le=50)  # deliveries at once (see README)

    timezone: str = "Europe/London"
    group: GroupConfig
    sessions: SessionsConfig = SessionsConfig()
    support: SupportConfig
    payments: PaymentsConfig = PaymentsConfig()
    glossary: dict[str, str] = {}
    ladder: LadderConfig
    safeguarding: SafeguardingConfig = SafeguardingConfig()
    reports: ReportsConfig = ReportsConfig()
    bulletin: BulletinConfig = BulletinConfig()
    # Each server's effective settings (its overrides on these), when the bot serves several.
    _per_server: Callable[[int], Settings | None] | None = PrivateAttr(default=None)

    def for_server(self, guild_id: int | None) -> Settings:
        """Return one server's effective settings: these defaults with its own overrides."""
        # Read the private slot directly: this runs on every setting a service reads, and
        # pydantic's attribute lookup for private attributes is a hundred times slower.
        lookup = (self.__pydantic_private__ or {}).get("_per_server")
        if guild_id is None or lookup is None:
            return self
        found: Settings | None = lookup(guild_id)
        return found or self

    def serve_per_server(self, lookup: Callable[[int], Settings | None] | None) -> None:
        """Answer `for_server` with `lookup` (the per-server settings cache) from now on."""
        self._per_server = lookup

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls, _toml_data))

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: SecretStr) -> SecretStr:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            driver = make_url(value.get_secret_value()).drivername
        except ArgumentError:
            raise ValueError("is not a database URL (see the README's Settings)") from None
        if driver not in ASYNC_DRIVERS:
            # Name only the driver: the URL may hold a password.
            raise ValueError(
                f"needs an async driver: use postgresql+asyncpg://… or sqlite+aiosqlite:///…, "
                f"not {driver}://"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not a known time zone") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @property
    def tz(self) -> ZoneInfo:
        """Return the display time zone."""
        return ZoneInfo(self.timezone)


def config_error(exc: ValidationError, *prefix: str) -> ConfigError:
    """Return the one-line ConfigError for a validation failure, its key under `prefix`."""
    first = exc.errors()[0]
    key = ".".join([*prefix, *(str(part) for part in first["loc"])]) or "settings"
    return ConfigError(f"config: {key}: {first['msg']}")


def read_config_dir(config_dir: Path) -> dict[str, Any]:
    """Merge default.toml, levels.toml, safeguarding.toml and local.toml from a directory."""
    data: dict[str, Any] = {}
    files = ["default.toml", "levels.toml", "safeguarding.toml", "reports.toml", "local.toml"]
    for name in files:
        path = config_dir / name
        if not path.exists():
            if name == "default.toml":
                raise ConfigError(f"config: {path} is missing")
            continue
        try:
            content = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config: {path.name} is not valid TOML: {exc}") from exc
        if name == "levels.toml":
            content = {"ladder": content}
        elif name == "safeguarding.toml":
            content = {"safeguarding": content}
        elif name == "reports.toml":
            content = {"reports": content}
        _merge(data, content)
    return data


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def load_settings(config_dir: Path | None = None, **overrides: Any) -> Settings:
    """Build Settings from the config directory and the environment, or raise ConfigError."""
    global _toml_data
    _toml_data = read_config_dir(config_dir_from(config_dir))
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise config_error(exc) from None
