"""Messages, attachments and pins, with the limits Discord enforces beyond the schema."""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass
from typing import Any

from .model import EPHEMERAL, THREAD_TYPES, DiscordError, Json, invalid_form, not_found, now_iso
from .state import State, StoredFile

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
COMPONENTS_V2 = 1 << 15
_CREATE_FLAGS = 4 | EPHEMERAL | 4096 | COMPONENTS_V2


@dataclass
class Upload:
    """One file part of a multipart request (`files[n]`)."""

    index: int
    filename: str
    content_type: str
    data: bytes


def descriptions(body: Any) -> dict[int, str]:
    """Return the alt text a request gives each upload (`attachments[i].description`)."""
    if not isinstance(body, dict):
        return {}
    listed = body.get("attachments")
    if listed is None and isinstance(body.get("data"), dict):  # an interaction callback
        listed = body["data"].get("attachments")
    return {
        int(a["id"]): str(a["description"])
        for a in listed or []
        if isinstance(a, dict) and a.get("description") and str(a.get("id", "")).isdigit()
    }


def store_upload(
    state: State, base_url: str, channel_id: int, upload: Upload, description: str | None = None
) -> Json:
    """Keep an upload's bytes and return its attachment payload with a signed, expiring url."""
    att_id = state.ids.next()
    state.files[att_id] = StoredFile(att_id, upload.filename, upload.content_type, upload.data)
    issued = time.time()
    state.file_issued[att_id] = issued
    expires = int(issued + state.attachment_ttl)
    # Like Discord's CDN: ex= (expiry), is= (issued) and hm= (signature), all in hex.
    url = (
        f"{base_url}/attachments/{channel_id}/{att_id}/{upload.filename}"
        f"?ex={expires:x}&is={int(issued):x}&hm={(att_id * 2654435761) % (1 << 64):016x}"
    )
    stored: Json = {
        "id": str(att_id),
        "filename": upload.filename,
        "size": len(upload.data),
        "url": url,
        "proxy_url": url,
        "content_type": upload.content_type,
    }
    if description:
        stored["description"] = description
    return stored


def check_content(body: Json, *, creating: bool, has_files: bool) -> None:
    """Reject what Discord rejects: long content, empty messages, oversized embeds."""
    content = body.get("content")
    if isinstance(content, str) and len(content) > 2000:
        raise invalid_form("content", "Must be 2000 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    flags = int(body.get("flags") or 0)
    if flags & COMPONENTS_V2 and (content or body.get("embeds")):
        raise invalid_form("content", "Cannot send content or embeds with components v2.")
    embeds = body.get("embeds") or []
    total = sum(_embed_length(e) for e in embeds if isinstance(e, dict))
    if total > 6000:
        raise invalid_form("embeds", "Embed size exceeds maximum size of 6000", "MAX_EMBED_SIZE")
    _check_custom_ids(body.get("components") or [])
    if creating and not (
        content
        or embeds
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or has_files
    ):
        raise DiscordError(400, 50006, "Cannot send an empty message", violation=True)


def _embed_length(embed: Json) -> int:
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    for field in embed.get("fields") or []:
        size += len(field.get("name") or "") + len(field.get("value") or "")
    return size


def walk_components(components: list[Any]) -> list[Json]:
    """Return every component in a (possibly nested) component tree."""
    out: list[Json] = []
    for comp in components:
        if not isinstance(comp, dict):
            continue
        out.append(comp)
        out.extend(walk_components(comp.get("components") or []))
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), dict):
                out.extend(walk_components([comp[key]]))
    return out


def _check_custom_ids(components: list[Any]) -> None:
    seen: set[str] = set()
    for comp in walk_components(components):
        cid = comp.get("custom_id")
        if cid is None:
            continue
        if cid in seen:
            raise invalid_form(
                "components",
                "Component custom id cannot be duplicated",
                "COMPONENT_CUSTOM_ID_DUPLICATED",
            )
        seen.add(cid)


def _number_components(components: list[Any]) -> list[Any]:
    # Discord gives every component a numeric id when none is set.
    counter = itertools.count(1)
    for comp in walk_components(components):
        if "id" not in comp:
            comp["id"] = next(counter)
    return components


def _mentions(state: State, content: str) -> tuple[list[Json], list[str]]:
    users = [state.users[int(u)] for u in _USER_MENTION.findall(content) if int(u) in state.users]
    return [dict(u) for u in users], list(dict.fromkeys(_ROLE_MENTION.findall(content)))


def build_message(
    state: State,
    channel_id: int,
    author_id: int,
    body: Json,
    attachments: list[Json],
    *,
    kind: int = 0,
    extra: Json | None = None,
) -> Json:
    """Build a new message payload (not yet stored)."""
    content = body.get("content") or ""
    mentions, mention_roles = _mentions(state, content)
    flags = int(body.get("flags") or 0) & _CREATE_FLAGS
    embeds = [{"type": "rich", **e} for e in body.get("embeds") or []]
    message: Json = {
        "id": str(state.ids.next()),
        "channel_id": str(channel_id),
        "author": state.user(author_id),
        "content": content,
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": bool(body.get("tts", False)),
        "mention_everyone": "@everyone" in content,
        "mentions": mentions,
        "mention_roles": mention_roles,
        "attachments": attachments,
        "embeds": embeds,
        "components": _number_components(list(body.get("components") or [])),
        "pinned": False,
        "type": kind,
        "flags": flags,
    }
    if body.get("nonce") is not None:
        message["nonce"] = body["nonce"]
    ref = body.get("message_reference")
    if isinstance(ref, dict) and ref.get("message_id") is not None:
        message["message_reference"] = {
            "type": 0,
            "message_id": str(ref["message_id"]),
            "channel_id": str(ref.get("channel_id") or channel_id),
        }
        message["type"] = 19 if kind == 0 else kind
    if extra:
        message.update(extra)
    return message


def post_message(state: State, message: Json) -> Json:
    """Store a message in its channel and dispatch MESSAGE_CREATE (ephemerals stay private)."""
    channel_id = int(message["channel_id"])
    if message["flags"] & EPHEMERAL:
        state.loose_messages[int(message["id"])] = message
        return dict(message)
    channel = state.channel(channel_id)
    state.messages.setdefault(channel_id, {})[int(message["id"])] = message
    channel["last_message_id"] = message["id"]
    if channel["type"] in THREAD_TYPES:
        channel["message_count"] = channel.get("message_count", 0) + 1
        channel["total_message_sent"] = channel.get("total_message_sent", 0) + 1
    state.emit("MESSAGE_CREATE", gateway_message(state, message), state.guild_id_of(channel_id))
    return dict(message)


def gateway_message(state: State, message: Json) -> Json:
    """Add guild_id and member to a message, as the gateway sends it."""
    out = dict(message)
    guild_id = state.guild_id_of(int(message["channel_id"]))
    if guild_id is not None:
        out["guild_id"] = str(guild_id)
        author_id = int(message["author"]["id"])
        if author_id in state.members.get(guild_id, {}) and "webhook_id" not in message:
            out["member"] = state.member(guild_id, author_id, with_user=False)
    return out


def find_message(state: State, message_id: int, channel_id: int | None = None) -> Json:
    """Return a stored message by id, optionally checking its channel."""
    if channel_id is not None:
        msg = state.messages.get(channel_id, {}).get(message_id)
    else:
        msg = next(
            (m[message_id] for m in state.messages.values() if message_id in m),
            None,
        )
    if msg is None:
        msg = state.loose_messages.get(message_id)
        if msg is not None and channel_id is not None and msg["channel_id"] != str(channel_id):
            msg = None
    if msg is None:
        raise not_found("Message", 10008)
    return msg


def edit_message(
    state: State,
    message: Json,
    body: Json,
    uploads: list[Json],
) -> Json:
    """Apply an edit (content, embeds, components, attachments, flags) and dispatch it."""
    check_content(body, creating=False, has_files=bool(uploads))
    if "content" in body:
        message["content"] = body["content"] or ""
        message["mentions"], message["mention_roles"] = _mentions(state, message["content"])
    if "embeds" in body:
        message["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
    if "components" in body:
        message["components"] = _number_components(list(body["components"] or []))
    if "flags" in body and body["flags"] is not None:
        # Only SUPPRESS_EMBEDS may be toggled; the others are kept as they were.
        keep = message["flags"] & ~4
        message["flags"] = keep | (int(body["flags"]) & 4)
    message["attachments"] = merge_attachments(message["attachments"], body, uploads)
    message["edited_timestamp"] = now_iso()
    if not message["flags"] & EPHEMERAL:
        channel_id = int(message["channel_id"])
        payload = gateway_message(state, message)
        state.emit("MESSAGE_UPDATE", payload, state.guild_id_of(channel_id))
    return dict(message)


def merge_attachments(current: list[Json], body: Json, uploads: list[Json]) -> list[Json]:
    """Keep the attachments an edit lists by id and add the new uploads."""
    listed = body.get("attachments")
    if listed is None:
        return current + uploads
    by_index = {i: u for i, u in enumerate(uploads)}
    by_id = {a["id"]: a for a in current}
    out: list[Json] = []
    for entry in listed:
        key = str(entry.get("id"))
        if key in by_id:
            out.append(by_id[key])
        elif key.isdigit() and int(key) in by_index:
            out.append(by_index.pop(int(key)))
    return out + list(by_index.values())


def delete_message(state: State, message: Json) -> None:
    """Delete a message and dispatch MESSAGE_DELETE."""
    channel_id = int(message["channel_id"])
    mid = int(message["id"])
    state.messages.get(channel_id, {}).pop(mid, None)
    state.loose_messages.pop(mid, None)
    state.pins.get(channel_id, {}).pop(mid, None)
    if message["flags"] & EPHEMERAL:
        return
    guild_id = state.guild_id_of(channel_id)
    data: Json = {"id": str(mid), "channel_id": str(channel_id)}
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    state.emit("MESSAGE_DELETE", data, guild_id)


def list_messages(state: State, channel_id: int, query: dict[str, str]) -> list[Json]:
    """Return a channel's messages newest first, honouring before/after/around/limit."""
    state.channel(channel_id)
    limit = int(query.get("limit", "50"))
    if not 1 <= limit <= 100:
        raise invalid_form("limit", "Value must be between 1 and 100.", "NUMBER_TYPE_MAX")
    msgs = sorted(state.messages.get(channel_id, {}).values(), key=lambda m: -int(m["id"]))
    if "before" in query:
        msgs = [m for m in msgs if int(m["id"]) < int(query["before"])]
    if "after" in query:
        msgs = [m for m in msgs if int(m["id"]) > int(query["after"])]
        return [dict(m) for m in msgs[-limit:]]
    if "around" in query:
        pivot = int(query["around"])
        older = [m for m in msgs if int(m["id"]) <= pivot][: (limit + 1) // 2]
        newer = [m for m in msgs if int(m["id"]) > pivot][-(limit // 2) :] if limit > 1 else []
        return [dict(m) for m in newer + older]
    return [dict(m) for m in msgs[:limit]]


def set_pin(state: State, channel_id: int, message_id: int, actor_id: int, pinned: bool) -> None:
    """Pin or unpin a message, posting Discord's system message on pin."""
    message = find_message(state, message_id, channel_id)
    pins = state.pins.setdefault(channel_id, {})
    if pinned and message_id not in pins:
        if len(pins) >= 250:
            raise DiscordError(400, 30003, "Maximum number of pins reached (250)", violation=True)
        pins[message_id] = now_iso()
    elif not pinned:
        pins.pop(message_id, None)
    message["pinned"] = pinned
    guild_id = state.guild_id_of(channel_id)
    data: Json = {
        "channel_id": str(channel_id),
        "last_pin_timestamp": max(pins.values(), default=None),
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    state.emit("CHANNEL_PINS_UPDATE", data, guild_id)
    if pinned:
        ref = {"message_reference": {"message_id": str(message_id)}}
        system = build_message(state, channel_id, actor_id, {"content": ""}, [], kind=6)
        system.update(ref)
        system["message_reference"]["channel_id"] = str(channel_id)
        system["message_reference"]["type"] = 0
        post_message(state, system)


def pinned(state: State, channel_id: int) -> list[tuple[str, Json]]:
    """Return (pinned_at, message) pairs, most recently pinned first."""
    state.channel(channel_id)
    pins = state.pins.get(channel_id, {})
    pairs = [(at, find_message(state, mid, channel_id)) for mid, at in pins.items()]
    return sorted(pairs, key=lambda p: p[0], reverse=True)
