"""The sections of config/ a server may override, as TOML text, validated as the TOML is."""

from __future__ import annotations

import tomllib
from typing import Any

import tomli_w
from pydantic import BaseModel, TypeAdapter, ValidationError

from bot.services.errors import InvalidInput
from bot.settings import Settings, config_error

# Everything that describes a group. Not here, because they belong to the deployment:
# the token, database URL, Discord addresses, log level, clock, and the time zone (every
# group is a UK group, and scheduled rows are stored in UTC against the one display zone).
SECTIONS: dict[str, str] = {
    "group": "name, localities, age bands and place names",
    "sessions": "session rules: earliest start, school hours, reminders, quorum",
    "support": "support hours, response promise and crisis resources",
    "ladder": "engagement levels, their requirements and hourly rates, training modules",
    "payments": "currency, days to pay, paid kinds of work, expense limit",
    "glossary": "jargon and what it means (for /jargon)",
    "safeguarding": "phrases and patterns that raise an urgent card",
    "bulletin": "when the monthly bulletin goes out and what it covers",
    "reports": "under-representation threshold and population figures",
}
# A Discord form's text box holds at most this many characters.
FORM_LIMIT = 4000


def check_section(section: str) -> str:
    """Return the section name if a server may override it, else refuse with the list."""
    if section not in SECTIONS:
        raise InvalidInput(
            f"There is no settings section called {section!r}. "
            f"Choose one of: {', '.join(SECTIONS)}."
        )
    return section


def plain(value: Any) -> Any:
    """Return a section's value as plain TOML-ready data (no empty values TOML cannot hold)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    return TypeAdapter(Any).dump_python(value, mode="json")


def section_data(settings: Settings, section: str) -> Any:
    """Return a section's value in these settings as plain TOML-ready data."""
    return plain(getattr(settings, section))


def to_toml(data: dict[str, Any]) -> str:
    """Write data as TOML text."""
    return tomli_w.dumps(data)


def section_toml(settings: Settings, section: str) -> str:
    """Return a section's value as the TOML one would write under [section] (without it)."""
    return to_toml(section_data(settings, section))


def parse_toml(section: str, text: str) -> dict[str, Any]:
    """Read TOML text for one section, refusing bad TOML with the TOML check's wording."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"config: {section}: is not valid TOML: {exc}") from None
    # Someone may paste the section with its header ([support] ...): take what is under it.
    if set(data) == {section} and isinstance(data[section], dict):
        inner: dict[str, Any] = data[section]
        return inner
    return data


def merged(base: Settings, section: str, override: dict[str, Any]) -> Any:
    """Return the section's value with the override over the deployment's (validated)."""
    default = section_data(base, section)
    # A keyed section (the glossary) is the override alone: a term left out is removed.
    # A table's keys left out keep the deployment's value.
    value = override if section == "glossary" else {**default, **override}
    annotation: Any = Settings.model_fields[section].annotation
    try:
        return TypeAdapter(annotation).validate_python(value)
    except ValidationError as exc:
        raise InvalidInput(str(config_error(exc, section))) from None


def effective(base: Settings, overrides: dict[str, dict[str, Any]]) -> Settings:
    """Return the deployment's settings with a server's overrides, each validated."""
    if not overrides:
        return base
    update = {section: merged(base, section, value) for section, value in overrides.items()}
    return base.model_copy(update=update)
