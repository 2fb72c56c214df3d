"""Guild scheduled events."""

from __future__ import annotations

import datetime as dt

from .model import DiscordError, Json, invalid_form, stored
from .state import State

EXTERNAL = 3
_STATUS_MOVES = {1: {1, 2, 4}, 2: {2, 3}, 3: {3}, 4: {4}}


def _parse_time(field: str, value: object) -> dt.datetime:
    if not isinstance(value, str):
        raise invalid_form(field, "This field is required", "BASE_TYPE_REQUIRED")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_form(field, "Could not parse datetime.", "DATE_TIME_TYPE_PARSE") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _check(event: Json) -> None:
    start = _parse_time("scheduled_start_time", event["scheduled_start_time"])
    if event["entity_type"] == EXTERNAL:
        location = (event.get("entity_metadata") or {}).get("location")
        if not location:
            raise invalid_form("entity_metadata.location", "This field is required")
        if event.get("channel_id") is not None:
            raise invalid_form("channel_id", "Must be null for external events.")
        if event.get("scheduled_end_time") is None:
            raise invalid_form("scheduled_end_time", "This field is required", "BASE_TYPE_REQUIRED")
    elif event.get("channel_id") is None:
        raise invalid_form("channel_id", "This field is required", "BASE_TYPE_REQUIRED")
    if event.get("scheduled_end_time") is not None:
        end = _parse_time("scheduled_end_time", event["scheduled_end_time"])
        if end <= start:
            raise invalid_form("scheduled_end_time", "End time must be after start time.")


def create_event(state: State, guild_id: int, body: Json, creator_id: int) -> Json:
    """Create a scheduled event and dispatch GUILD_SCHEDULED_EVENT_CREATE."""
    state.guild(guild_id)
    start = _parse_time("scheduled_start_time", body.get("scheduled_start_time"))
    if start < dt.datetime.now(dt.UTC):
        raise invalid_form("scheduled_start_time", "Cannot schedule event in the past.")
    channel_id = body.get("channel_id")
    if channel_id is not None:
        state.channel(int(channel_id))
    event: Json = {
        "id": str(state.ids.next()),
        "guild_id": str(guild_id),
        "channel_id": str(channel_id) if channel_id is not None else None,
        "creator_id": str(creator_id),
        "creator": state.user(creator_id),
        "name": body.get("name"),
        "description": body.get("description"),
        "scheduled_start_time": body.get("scheduled_start_time"),
        "scheduled_end_time": body.get("scheduled_end_time"),
        "privacy_level": body.get("privacy_level", 2),
        "status": 1,
        "entity_type": body.get("entity_type"),
        "entity_id": None,
        "entity_metadata": body.get("entity_metadata"),
        "user_count": 0,
        "image": None,
        "recurrence_rule": body.get("recurrence_rule"),
    }
    _check(event)
    state.events[guild_id][int(event["id"])] = event
    state.emit("GUILD_SCHEDULED_EVENT_CREATE", dict(event), guild_id)
    return dict(event)


def get_event(state: State, guild_id: int, event_id: int) -> Json:
    """Return a stored scheduled event."""
    state.guild(guild_id)
    return stored(state.events, guild_id, event_id, "Guild Scheduled Event", 10070)


def update_event(state: State, guild_id: int, event_id: int, body: Json) -> Json:
    """Modify a scheduled event and dispatch GUILD_SCHEDULED_EVENT_UPDATE."""
    event = get_event(state, guild_id, event_id)
    updated = dict(event)
    for key in (
        "name",
        "description",
        "scheduled_start_time",
        "scheduled_end_time",
        "privacy_level",
        "entity_type",
        "entity_metadata",
        "channel_id",
        "recurrence_rule",
    ):
        if key in body:
            updated[key] = body[key]
    if updated.get("channel_id") is not None:
        updated["channel_id"] = str(updated["channel_id"])
    if "status" in body and body["status"] is not None:
        status = int(body["status"])
        if status not in _STATUS_MOVES[int(event["status"])]:
            raise DiscordError(
                400, 180000, "Invalid scheduled event status transition", violation=True
            )
        updated["status"] = status
    _check(updated)
    event.clear()
    event.update(updated)
    state.emit("GUILD_SCHEDULED_EVENT_UPDATE", dict(event), guild_id)
    return dict(event)


def delete_event(state: State, guild_id: int, event_id: int) -> None:
    """Delete a scheduled event and dispatch GUILD_SCHEDULED_EVENT_DELETE."""
    event = get_event(state, guild_id, event_id)
    del state.events[guild_id][event_id]
    state.emit("GUILD_SCHEDULED_EVENT_DELETE", dict(event), guild_id)
