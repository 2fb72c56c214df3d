"""REST routes under /channels (messages, pins, overwrites, threads) and DMs."""

from __future__ import annotations

from . import guards, sending, threads
from . import messaging as msgs
from .model import (
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    DM,
    EPHEMERAL,
    MANAGE_CHANNELS,
    MANAGE_MESSAGES,
    MANAGE_ROLES,
    MANAGE_THREADS,
    PIN_MESSAGES,
    DiscordError,
    Json,
    invalid_form,
)
from .router import Call, Reply, Router


def _uploads(call: Call, channel_id: int) -> list[Json]:
    alt = msgs.descriptions(call.body)
    return [
        msgs.store_upload(call.env.state, call.env.http_base, channel_id, u, alt.get(u.index))
        for u in call.uploads
    ]


def _manage(call: Call, channel_id: int) -> None:
    state = call.env.state
    channel = state.channel(channel_id)
    if "thread_metadata" in channel:
        if channel.get("owner_id") != str(state.bot_user_id):
            guards.in_channel(state, channel_id, MANAGE_THREADS, "manage threads")
        return
    guards.in_channel(state, channel_id, MANAGE_CHANNELS, "manage channels")
    if call.json().get("permission_overwrites") is not None:
        guards.in_channel(state, channel_id, MANAGE_ROLES, "manage roles (overwrites)")


def _pin_perm(call: Call) -> None:
    perm = MANAGE_MESSAGES | PIN_MESSAGES
    guards.in_channel(call.env.state, call.id("channel_id"), perm, "pin messages")


def register(router: Router) -> None:
    """Add the channel, message, pin, thread and DM routes."""

    @router.route("GET", "/channels/{channel_id}")
    async def get_channel(call: Call) -> Reply:
        return 200, dict(call.env.state.channel(call.id("channel_id")))

    @router.route("PATCH", "/channels/{channel_id}")
    async def modify_channel(call: Call) -> Reply:
        state, cid = call.env.state, call.id("channel_id")
        _manage(call, cid)
        return 200, state.update_channel(cid, call.json())

    @router.route("DELETE", "/channels/{channel_id}")
    async def delete_channel(call: Call) -> Reply:
        _manage(call, call.id("channel_id"))
        return 200, call.env.state.delete_channel(call.id("channel_id"))

    async def overwrite(call: Call) -> Reply:
        # PUT sets an overwrite and DELETE removes it: both need manage roles in that channel.
        body = call.json() if call.method == "PUT" else None
        if body is not None and body.get("type") not in (0, 1):
            raise invalid_form("type", "Value must be one of {0, 1}.", "BASE_TYPE_CHOICES")
        state, cid = call.env.state, call.id("channel_id")
        guards.in_channel(state, cid, MANAGE_ROLES, "manage roles")
        state.set_overwrite(cid, call.id("target"), body)
        return 204, None

    for method in ("PUT", "DELETE"):
        router.add(method, "/channels/{channel_id}/permissions/{target}", overwrite)

    @router.route("POST", "/channels/{channel_id}/typing")
    async def typing(call: Call) -> Reply:
        call.env.state.channel(call.id("channel_id"))
        return 204, None

    # ---- messages ------------------------------------------------------------------------
    @router.route("GET", "/channels/{channel_id}/messages")
    async def list_messages(call: Call) -> Reply:
        return 200, msgs.list_messages(call.env.state, call.id("channel_id"), call.query)

    @router.route("POST", "/channels/{channel_id}/messages")
    async def create_message(call: Call) -> Reply:
        state = call.env.state
        cid = call.id("channel_id")
        channel = state.channel(cid)
        body = call.json()
        if int(body.get("flags") or 0) & EPHEMERAL:
            raise invalid_form(
                "flags", "Ephemeral messages need an interaction.", "MESSAGE_FLAGS_INVALID"
            )
        if channel["type"] == 4:
            raise DiscordError(
                400, 50008, "Cannot send messages in a non-text channel", violation=True
            )
        if "thread_metadata" in channel and channel["thread_metadata"]["archived"]:
            raise DiscordError(400, 50083, "Thread is archived", violation=True)
        msgs.check_content(body, creating=True, has_files=bool(call.uploads))
        guards.message_send(state, cid, bool(call.uploads))
        if channel["type"] == DM:
            recipient = int(channel["recipients"][0]["id"])
            if recipient in state.dms_closed:
                # A user who closed DMs is a normal condition the bot must handle, not a bug.
                raise DiscordError(403, 50007, "Cannot send messages to this user")
        ref = body.get("message_reference")
        if isinstance(ref, dict) and ref.get("message_id") is not None:
            ref_channel = int(ref.get("channel_id") or cid)
            msgs.find_message(state, int(ref["message_id"]), ref_channel)
        repeated = sending.repeated_nonce(state, cid, state.bot_user_id, body)
        if repeated is not None:  # a retry of a message that was already made: no second one
            return 200, repeated
        message = msgs.build_message(state, cid, state.bot_user_id, body, _uploads(call, cid))
        posted = msgs.post_message(state, message)
        sending.remember_nonce(state, cid, state.bot_user_id, body, posted)
        state.notified[int(posted["id"])] = sending.who_is_notified(
            state, cid, body, state.bot_user_id
        )
        return 200, posted

    @router.route("GET", "/channels/{channel_id}/messages/{message_id}")
    async def get_message(call: Call) -> Reply:
        state = call.env.state
        return 200, dict(msgs.find_message(state, call.id("message_id"), call.id("channel_id")))

    @router.route("PATCH", "/channels/{channel_id}/messages/{message_id}")
    async def edit_message(call: Call) -> Reply:
        state = call.env.state
        cid = call.id("channel_id")
        message = msgs.find_message(state, call.id("message_id"), cid)
        if message["author"]["id"] != str(state.bot_user_id):
            body = call.json()
            if set(body) - {"flags"}:
                raise DiscordError(
                    403, 50005, "Cannot edit a message authored by another user", violation=True
                )
            guards.in_channel(state, cid, MANAGE_MESSAGES, "manage messages")
        return 200, msgs.edit_message(state, message, call.json(), _uploads(call, cid))

    @router.route("DELETE", "/channels/{channel_id}/messages/{message_id}")
    async def delete_message(call: Call) -> Reply:
        state, cid = call.env.state, call.id("channel_id")
        message = msgs.find_message(state, call.id("message_id"), cid)
        if message["author"]["id"] != str(state.bot_user_id):
            guards.in_channel(state, cid, MANAGE_MESSAGES, "manage messages")
        msgs.delete_message(state, message)
        return 204, None

    @router.route("POST", "/channels/{channel_id}/messages/bulk-delete")
    async def bulk_delete(call: Call) -> Reply:
        state = call.env.state
        cid = call.id("channel_id")
        for mid in call.json().get("messages") or []:
            msgs.delete_message(state, msgs.find_message(state, int(mid), cid))
        return 204, None

    # ---- pins (the 2.7 /messages/pins form and the older /pins form) ---------------------
    async def pin(call: Call) -> Reply:
        # PUT pins the message and DELETE unpins it.
        state = call.env.state
        _pin_perm(call)
        pinned = call.method == "PUT"
        msgs.set_pin(state, call.id("channel_id"), call.id("message_id"), state.bot_user_id, pinned)
        return 204, None

    for base in ("/channels/{channel_id}/pins", "/channels/{channel_id}/messages/pins"):
        for method in ("PUT", "DELETE"):
            router.add(method, base + "/{message_id}", pin)

    @router.route("GET", "/channels/{channel_id}/pins")
    async def old_pins(call: Call) -> Reply:
        return 200, [dict(m) for _, m in msgs.pinned(call.env.state, call.id("channel_id"))]

    @router.route("GET", "/channels/{channel_id}/messages/pins")
    async def new_pins(call: Call) -> Reply:
        pairs = msgs.pinned(call.env.state, call.id("channel_id"))
        before = call.query.get("before")
        if before is not None:
            pairs = [p for p in pairs if p[0] < before]
        limit = int(call.query.get("limit", "50"))
        items = [{"pinned_at": at, "message": dict(m)} for at, m in pairs[:limit]]
        return 200, {"items": items, "has_more": len(pairs) > limit}

    # ---- threads -------------------------------------------------------------------------
    @router.route("POST", "/channels/{channel_id}/threads")
    async def start_thread(call: Call) -> Reply:
        state = call.env.state
        private = int(call.json().get("type") or 12) == 12
        perm = CREATE_PRIVATE_THREADS if private else CREATE_PUBLIC_THREADS
        guards.in_channel(state, call.id("channel_id"), perm, "create threads")
        out = threads.create_thread(state, call.id("channel_id"), call.json(), state.bot_user_id)
        return 201, out

    @router.route("POST", "/channels/{channel_id}/messages/{message_id}/threads")
    async def thread_from_message(call: Call) -> Reply:
        state = call.env.state
        guards.in_channel(state, call.id("channel_id"), CREATE_PUBLIC_THREADS, "threads")
        cid = call.id("channel_id")
        message = msgs.find_message(state, call.id("message_id"), cid)
        out = threads.create_thread(state, cid, call.json(), state.bot_user_id, message)
        return 201, out

    @router.route("PUT", "/channels/{channel_id}/thread-members/{user_id}")
    async def add_thread_member(call: Call) -> Reply:
        threads.add_thread_member(call.env.state, call.id("channel_id"), call.id("user_id"))
        return 204, None

    @router.route("DELETE", "/channels/{channel_id}/thread-members/{user_id}")
    async def remove_thread_member(call: Call) -> Reply:
        threads.remove_thread_member(call.env.state, call.id("channel_id"), call.id("user_id"))
        return 204, None

    @router.route("GET", "/channels/{channel_id}/thread-members/{user_id}")
    async def get_thread_member(call: Call) -> Reply:
        state = call.env.state
        with_member = call.query.get("with_member") in ("1", "true", "True")
        return 200, threads.thread_member(
            state, call.id("channel_id"), call.id("user_id"), with_member
        )

    @router.route("GET", "/channels/{channel_id}/thread-members")
    async def thread_members(call: Call) -> Reply:
        with_member = call.query.get("with_member") in ("1", "true", "True")
        return 200, threads.list_thread_members(call.env.state, call.id("channel_id"), with_member)

    # ---- DMs -----------------------------------------------------------------------------
    @router.route("POST", "/users/@me/channels")
    async def open_dm(call: Call) -> Reply:
        state = call.env.state
        recipient = call.json().get("recipient_id")
        if recipient is None:
            raise invalid_form("recipient_id", "This field is required", "BASE_TYPE_REQUIRED")
        uid = int(recipient)
        if state.user(uid).get("bot"):
            raise DiscordError(400, 50007, "Cannot send messages to this user", violation=True)
        channel = state.dm_channel(uid)
        assert channel["type"] == DM
        return 200, channel
