"""Show moments both as Discord timestamps and as plain UK local text."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def uk_text(moment: datetime, tz: ZoneInfo) -> str:
    """Return e.g. 'Thursday 3 December 2026, 5:00pm (UK time)'."""
    local = moment.astimezone(tz)
    hour = local.strftime("%I").lstrip("0") or "12"
    return (
        f"{local:%A} {local.day} {local:%B %Y}, {hour}:{local:%M}{local:%p}".replace(
            "AM", "am"
        ).replace("PM", "pm")
        + " (UK time)"
    )


def both(moment: datetime, tz: ZoneInfo) -> str:
    """Return a Discord timestamp followed by the UK text, for every message with a time."""
    return f"<t:{int(moment.timestamp())}:F> — {uk_text(moment, tz)}"
