"""Interaction callbacks and the webhook routes for followups and @original."""

from __future__ import annotations

import time

from .interaction import Interaction, InteractionRegistry, message_of
from .messaging import (
    build_message,
    check_content,
    delete_message,
    descriptions,
    edit_message,
    find_message,
    post_message,
    store_upload,
)
from .model import EPHEMERAL, LOADING, DiscordError, Json, invalid_form
from .router import Call, Reply, Router

__all__ = ["InteractionRegistry", "register"]

# Which callback types Discord accepts for each interaction type.
_ALLOWED = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
_MESSAGE_FLAGS = 4 | EPHEMERAL | 4096 | (1 << 15)


def _uploads(call: Call, channel_id: int) -> list[Json]:
    alt = descriptions(call.body)
    return [
        store_upload(call.env.state, call.env.http_base, channel_id, u, alt.get(u.index))
        for u in call.uploads
    ]


def _new_message(call: Call, handle: Interaction, data: Json, *, followup: bool) -> Json:
    state = call.env.state
    meta: Json = {
        "id": str(handle.id),
        "type": handle.type,
        "user": state.user(handle.user_id),
        "authorizing_integration_owners": handle.payload["authorizing_integration_owners"],
    }
    if handle.type == 2:
        meta["name"] = handle.name
        meta["command_type"] = handle.payload["data"].get("type", 1)
    if handle.source_message_id is not None:
        meta["interacted_message_id"] = str(handle.source_message_id)
    if followup and handle.original_id is not None:
        meta["original_response_message_id"] = str(handle.original_id)
    kind = 0
    if handle.type == 2 and not followup:
        kind = 20 if handle.payload["data"].get("type", 1) == 1 else 23
    extra: Json = {
        "webhook_id": str(state.application_id),
        "application_id": str(state.application_id),
        "interaction_metadata": meta,
    }
    attachments = _uploads(call, handle.channel_id)
    return build_message(
        state, handle.channel_id, state.bot_user_id, data, attachments, kind=kind, extra=extra
    )


def _check_flags(data: Json) -> None:
    flags = int(data.get("flags") or 0)
    if flags & ~_MESSAGE_FLAGS:
        raise invalid_form("data.flags", "Invalid message flags.", "MESSAGE_FLAGS_INVALID")


def _apply(call: Call, handle: Interaction, body: Json) -> Json | None:
    ctype = int(body.get("type") or 0)
    data: Json = body.get("data") or {}
    if ctype not in _ALLOWED.get(handle.type, set()):
        raise DiscordError(
            400, 40043, f"Interaction callback type {ctype} is not valid here", violation=True
        )
    if ctype in (6, 7) and handle.source_message_id is None:
        raise DiscordError(400, 40043, "This interaction has no message to update", violation=True)
    if ctype == 4:
        _check_flags(data)
        check_content(data, creating=True, has_files=bool(call.uploads))
        message = post_message(call.env.state, _new_message(call, handle, data, followup=False))
        handle.original_id = int(message["id"])
        return message
    if ctype == 5:
        flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
        placeholder = _new_message(call, handle, {"content": "", "flags": 0}, followup=False)
        placeholder["flags"] = flags
        message = post_message(call.env.state, placeholder)
        handle.original_id = int(message["id"])
        return message
    if ctype in (6, 7):
        # For component interactions @original is the message the component is on.
        assert handle.source_message_id is not None
        handle.original_id = handle.source_message_id
        if ctype == 7:
            target = find_message(call.env.state, handle.source_message_id)
            return edit_message(call.env.state, target, data, _uploads(call, handle.channel_id))
        return None
    if ctype == 8 and len(data.get("choices") or []) > 25:
        raise invalid_form("data.choices", "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    return None


def register(router: Router) -> None:
    """Add the interaction callback and webhook routes."""

    @router.route("POST", "/interactions/{interaction_id}/{token}/callback")
    async def callback(call: Call) -> Reply:
        handle = call.env.interactions.get(call.id("interaction_id"), call.params["token"])
        body = call.json()
        violations = call.env.violations
        if handle.responded:
            violations.append(f"interaction {handle.name!r} ({handle.id}) answered twice")
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if (
            handle.expired
            or time.monotonic() - handle.dispatched_at > call.env.interactions.timeout
        ):
            if not handle.expired:
                violations.append(f"interaction {handle.name!r} ({handle.id}) answered too late")
            handle.expired = True
            raise DiscordError(404, 10062, "Unknown interaction")
        message = _apply(call, handle, body)
        handle.callbacks.append(body)
        handle.mark_answered(body)
        if call.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        ctype = int(body["type"])
        info: Json = {"id": str(handle.id), "type": handle.type}
        if message is not None and ctype in (4, 5):
            info["response_message_id"] = message["id"]
            info["response_message_loading"] = ctype == 5
            info["response_message_ephemeral"] = bool(message["flags"] & EPHEMERAL)
        resource: Json = {"type": ctype}
        if message is not None:
            resource["message"] = message
        return 200, {"interaction": info, "resource": resource}

    def _handle(call: Call) -> Interaction:
        state = call.env.state
        return call.env.interactions.webhook(
            call.id("app_id"), state.application_id, call.params["token"]
        )

    @router.route("POST", "/webhooks/{app_id}/{token}")
    async def followup(call: Call) -> Reply:
        handle = _handle(call)
        if not handle.responded:
            raise DiscordError(404, 10015, "Unknown Webhook", violation=True)
        data = call.json()
        _check_flags(data)
        original = handle.original
        if original is not None and original["flags"] & LOADING:
            # The first followup after a 'thinking' defer replaces the placeholder.
            original["flags"] &= ~LOADING
            message = edit_message(
                call.env.state, original, data, _uploads(call, handle.channel_id)
            )
        else:
            check_content(data, creating=True, has_files=bool(call.uploads))
            message = post_message(call.env.state, _new_message(call, handle, data, followup=True))
            handle.followup_ids.append(int(message["id"]))
        wait = call.query.get("wait", "false").lower() in ("1", "true")
        return (200, message) if wait else (204, None)

    def _target(call: Call, handle: Interaction) -> Json:
        raw = call.params["message_id"]
        if raw == "@original":
            if handle.original_id is None:
                raise DiscordError(404, 10008, "Unknown Message", violation=True)
            return find_message(call.env.state, handle.original_id)
        return message_of(handle, call.id("message_id"))

    template = "/webhooks/{app_id}/{token}/messages/{message_id}"

    @router.route("GET", template)
    async def get_message(call: Call) -> Reply:
        return 200, dict(_target(call, _handle(call)))

    @router.route("PATCH", template)
    async def edit(call: Call) -> Reply:
        handle = _handle(call)
        message = _target(call, handle)
        message["flags"] &= ~LOADING
        uploads = _uploads(call, handle.channel_id)
        return 200, edit_message(call.env.state, message, call.json(), uploads)

    @router.route("DELETE", template)
    async def delete(call: Call) -> Reply:
        handle = _handle(call)
        delete_message(call.env.state, _target(call, handle))
        return 204, None
