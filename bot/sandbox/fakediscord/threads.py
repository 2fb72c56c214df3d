"""Threads and their membership."""

from __future__ import annotations

from .model import (
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    DiscordError,
    Json,
    invalid_form,
    now_iso,
    stored,
)
from .state import State

_PARENT_TYPES = (0, 5, 15, 16)


def create_thread(
    state: State,
    parent_id: int,
    body: Json,
    creator_id: int,
    from_message: Json | None = None,
) -> Json:
    """Create a thread (from a message, or standalone) and dispatch THREAD_CREATE."""
    parent = state.channel(parent_id)
    if parent["type"] not in _PARENT_TYPES:
        raise DiscordError(400, 50024, "Cannot execute action on this channel type", violation=True)
    name = body.get("name")
    if not name:
        raise invalid_form("name", "This field is required", "BASE_TYPE_REQUIRED")
    if from_message is not None:
        ttype = PUBLIC_THREAD
        # Discord gives a thread started from a message the message's own id.
        tid = int(from_message["id"])
        if tid in state.channels:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
    else:
        ttype = int(body.get("type") or PRIVATE_THREAD)
        if ttype not in (PUBLIC_THREAD, PRIVATE_THREAD):
            raise invalid_form("type", "Value must be one of {11, 12}.", "BASE_TYPE_CHOICES")
        tid = state.ids.next()
    guild_id = int(parent["guild_id"])
    created = now_iso()
    thread: Json = {
        "id": str(tid),
        "type": ttype,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(creator_id),
        "name": name,
        "last_message_id": None,
        "message_count": 0,
        "member_count": 0,
        "rate_limit_per_user": body.get("rate_limit_per_user") or 0,
        "flags": 0,
        "total_message_sent": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": body.get("auto_archive_duration") or 4320,
            "archive_timestamp": created,
            "locked": False,
            "create_timestamp": created,
        },
    }
    if ttype == PRIVATE_THREAD:
        thread["thread_metadata"]["invitable"] = bool(body.get("invitable", True))
    state.channels[tid] = thread
    state.messages[tid] = {}
    state.thread_members[tid] = {}
    if from_message is not None:
        from_message["thread"] = dict(thread)
        from_message["flags"] |= 1 << 5
    _join(state, tid, creator_id)
    event = dict(thread)
    event["newly_created"] = True
    if creator_id == state.bot_user_id:
        event["member"] = thread_member(state, tid, creator_id)
    state.emit("THREAD_CREATE", event, guild_id)
    out = dict(thread)
    out["member"] = thread_member(state, tid, creator_id)
    return out


def _thread(state: State, thread_id: int) -> Json:
    thread = state.channel(thread_id)
    if thread_id not in state.thread_members:
        raise DiscordError(400, 50024, "Cannot execute action on this channel type", violation=True)
    return thread


def _join(state: State, thread_id: int, user_id: int) -> None:
    thread = state.channels[thread_id]
    state.thread_members[thread_id][user_id] = now_iso()
    thread["member_count"] = len(state.thread_members[thread_id])


def thread_member(state: State, thread_id: int, user_id: int, with_member: bool = False) -> Json:
    """Return a thread member payload."""
    joined = stored(state.thread_members, thread_id, user_id, "Member", 10007)
    out: Json = {
        "id": str(thread_id),
        "user_id": str(user_id),
        "join_timestamp": joined,
        "flags": 1,
    }
    if with_member:
        guild_id = int(state.channels[thread_id]["guild_id"])
        out["member"] = state.member(guild_id, user_id)
    return out


def add_thread_member(state: State, thread_id: int, user_id: int) -> None:
    """Add a guild member to a thread and dispatch THREAD_MEMBERS_UPDATE."""
    thread = _thread(state, thread_id)
    guild_id = int(thread["guild_id"])
    state.stored_member(guild_id, user_id)
    if thread["thread_metadata"]["archived"]:
        raise DiscordError(400, 50083, "Thread is archived", violation=True)
    if user_id in state.thread_members[thread_id]:
        return
    _join(state, thread_id, user_id)
    data: Json = {
        "id": str(thread_id),
        "guild_id": str(guild_id),
        "member_count": thread["member_count"],
        "added_members": [thread_member(state, thread_id, user_id, with_member=True)],
    }
    state.emit("THREAD_MEMBERS_UPDATE", data, guild_id)


def remove_thread_member(state: State, thread_id: int, user_id: int) -> None:
    """Remove a user from a thread and dispatch THREAD_MEMBERS_UPDATE."""
    thread = _thread(state, thread_id)
    if state.thread_members[thread_id].pop(user_id, None) is None:
        return
    thread["member_count"] = len(state.thread_members[thread_id])
    data: Json = {
        "id": str(thread_id),
        "guild_id": thread["guild_id"],
        "member_count": thread["member_count"],
        "removed_member_ids": [str(user_id)],
    }
    state.emit("THREAD_MEMBERS_UPDATE", data, int(thread["guild_id"]))


def list_thread_members(state: State, thread_id: int, with_member: bool) -> list[Json]:
    """Return a thread's members."""
    _thread(state, thread_id)
    return [
        thread_member(state, thread_id, uid, with_member) for uid in state.thread_members[thread_id]
    ]
