"""A readable, time-ordered transcript of what users did and what the bot showed them."""

from __future__ import annotations

from typing import Any

from .interaction import Interaction, parse_modal
from .messaging import walk_components
from .model import DM, EPHEMERAL, LOADING, Json
from .state import State


def _name(state: State, user_id: int | str) -> str:
    user = state.users.get(int(user_id))
    if user is None:
        return str(user_id)
    if int(user_id) == state.bot_user_id:
        return "bot"
    return str(user.get("global_name") or user["username"])


def _where(state: State, channel_id: int) -> str:
    channel = state.channels.get(channel_id)
    if channel is None:
        return "(deleted channel)"
    if channel["type"] == DM:
        return f"DM with {_name(state, channel['recipients'][0]['id'])}"
    if "thread_metadata" in channel:
        parent = state.channels.get(int(channel["parent_id"]), {})
        return f"#{parent.get('name', '?')} › {channel['name']}"
    return f"#{channel['name']}"


def _flatten(options: list[Json]) -> tuple[list[str], list[str]]:
    path: list[str] = []
    values: list[str] = []
    for opt in options:
        if opt.get("type") in (1, 2):
            sub_path, sub_values = _flatten(opt.get("options") or [])
            path += [opt["name"], *sub_path]
            values += sub_values
        else:
            values.append(f"{opt['name']}={opt.get('value')}")
    return path, values


def _label(message: Json | None, custom_id: str) -> str:
    for comp in walk_components((message or {}).get("components") or []):
        if comp.get("custom_id") == custom_id:
            return str(comp.get("label") or comp.get("placeholder") or custom_id)
    return custom_id


def _action(state: State, handle: Interaction) -> str | None:
    data: Json = handle.payload.get("data") or {}
    if handle.type == 2 and data.get("type", 1) == 1:
        path, values = _flatten(data.get("options") or [])
        return " ".join([f"/{data['name']}", *path, *values])
    if handle.type == 2:
        target = data.get("target_id")
        messages = (data.get("resolved") or {}).get("messages") or {}
        what = "a message" if target in messages else _name(state, target or 0)
        return f"used '{data['name']}' on {what}"
    if handle.type == 3:
        label = _label(handle.payload.get("message"), data.get("custom_id", ""))
        if data.get("component_type") == 2:
            return f"clicked '{label}'"
        return f"chose {', '.join(data.get('values') or [])} in '{label}'"
    if handle.type == 5:
        answers = [
            f"{c.get('custom_id')}={c.get('value', c.get('values'))}"
            for c in walk_components(data.get("components") or [])
            if c.get("type") not in (1, 18, 10)
        ]
        return f"submitted form: {'; '.join(answers)}"
    return None  # autocomplete keystrokes are noise in a transcript


def _message_text(message: Json) -> str:
    parts: list[str] = []
    if message.get("content"):
        parts.append(str(message["content"]))
    for embed in message.get("embeds") or []:
        bits = [str(embed[k]) for k in ("title", "description") if embed.get(k)]
        bits += [f"{f.get('name')}: {f.get('value')}" for f in embed.get("fields") or []]
        parts.append("[embed] " + " — ".join(bits))
    comps = walk_components(message.get("components") or [])
    parts += [str(c["content"]) for c in comps if c.get("type") == 10 and c.get("content")]
    buttons = [str(c.get("label") or c.get("custom_id")) for c in comps if c.get("type") == 2]
    if buttons:
        parts.append("[buttons: " + ", ".join(buttons) + "]")
    selects = [c for c in comps if c.get("type") in (3, 5, 6, 7, 8)]
    parts += [f"[menu: {c.get('placeholder') or c.get('custom_id')}]" for c in selects]
    parts += [f"[file: {a['filename']}]" for a in message.get("attachments") or []]
    if message["flags"] & LOADING:
        parts.append("(thinking…)")
    return " ".join(parts) or "(empty)"


def transcript(state: State, interactions: list[Interaction]) -> list[str]:
    """Return one line per user action and bot message, in the order they happened."""
    entries: list[tuple[int, str]] = []
    for handle in interactions:
        action = _action(state, handle)
        if action is None:
            continue
        where = _where(state, handle.channel_id)
        entries.append((handle.id, f"[{where}] {_name(state, handle.user_id)}: {action}"))
        if handle.callback_type == 9 and handle.callback is not None:
            modal = parse_modal(handle.callback.get("data") or {})
            fields = ", ".join(f.label for f in modal.fields)
            line = (
                f"[{where}] bot → {_name(state, handle.user_id)}: form '{modal.title}' ({fields})"
            )
            entries.append((handle.id, line))
    messages: list[Any] = [m for ch in state.messages.values() for m in ch.values()]
    messages += list(state.loose_messages.values())
    for message in messages:
        if message.get("type") == 6:
            continue  # "pinned a message" notices
        where = _where(state, int(message["channel_id"]))
        who = _name(state, message["author"]["id"])
        private = ""
        if message["flags"] & EPHEMERAL:
            meta = message.get("interaction_metadata") or {}
            private = f" (only {_name(state, meta.get('user', {}).get('id', 0))} sees this)"
        entries.append((int(message["id"]), f"[{where}] {who}{private}: {_message_text(message)}"))
    entries.sort(key=lambda e: e[0])
    return [line for _, line in entries]
