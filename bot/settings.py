"""One typed Settings object: TOML defaults from config/ plus secrets from the environment."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.config_dir import CONFIG_DIR_ENV, DEFAULT_CONFIG_DIR, ConfigError, config_dir_from
from bot.group_config import (
    BulletinConfig,
    GroupConfig,
    LadderConfig,
    PaymentsConfig,
    ReportsConfig,
    SafeguardingConfig,
    SessionsConfig,
    SupportConfig,
)

__all__ = ["CONFIG_DIR_ENV", "DEFAULT_CONFIG_DIR", "ConfigError", "Settings", "load_settings"]


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
