"""Clean and check free text people type, before it is stored or shown."""

from __future__ import annotations

import unicodedata

from bot.services.errors import InvalidInput


def clean_text(
    value: str | None,
    *,
    field: str,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str | None:
    """Strip, refuse control characters, and check length; return None for an empty optional."""
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidInput(f"Please fill in {field}: it can't be empty.")
        return None
    for char in text:
        if multiline and char in "\n\t":
            continue
        if unicodedata.category(char) in {"Cc", "Cf"} and char not in "\u200d\ufe0f":
            raise InvalidInput(
                f"{field.capitalize()} has a hidden control character in it. "
                "Please type it again without copying from elsewhere."
            )
    if len(text) > max_length:
        raise InvalidInput(
            f"{field.capitalize()} is too long: {len(text)} characters, "
            f"and the most is {max_length}."
        )
    return text
