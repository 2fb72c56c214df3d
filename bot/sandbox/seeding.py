"""Rows written straight into the database by benchmarks and tests whose subject is not joining."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def approved_member_row(
    guild_id: int, user_id: int, index: int, now: datetime, **changes: Any
) -> dict[str, Any]:
    """Return a `members` row for an approved young person who joined `now` ("Member {index}")."""
    row: dict[str, Any] = {
        "guild_id": guild_id,
        "user_id": user_id,
        "preferred_name": f"Member {index}",
        "age_band": "16-17",
        "member_type": "young_person",
        "locality": "North",
        "dm_opt_in": False,
        "adjustments": [],
        "consent_at": now,
        "joined_at": now,
        "status": "approved",
        "level_key": "consultation",
    }
    row.update(changes)
    return row
