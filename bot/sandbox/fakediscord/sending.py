"""What Discord does when a message is sent, beyond its body: nonces and who is notified."""

from __future__ import annotations

import re
import time

from .model import MENTION_EVERYONE, Json
from .permissions import channel_permissions
from .state import State

NONCE_WINDOW_SECONDS = 180.0  # Discord checks nonces "in the past few minutes"
_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def repeated_nonce(state: State, channel_id: int, author_id: int, body: Json) -> Json | None:
    """Return the message an earlier request with this nonce made (enforce_nonce), if any."""
    nonce = body.get("nonce")
    if nonce is None or not body.get("enforce_nonce"):
        return None
    seen = state.nonces.get((channel_id, author_id, str(nonce)))
    if seen is None or time.monotonic() - seen[1] > NONCE_WINDOW_SECONDS:
        return None
    message = state.messages.get(channel_id, {}).get(seen[0])
    return dict(message) if message is not None else None


def remember_nonce(state: State, channel_id: int, author_id: int, body: Json, msg: Json) -> None:
    """Keep a sent message's nonce so that a retry with it returns the same message."""
    if body.get("nonce") is not None and body.get("enforce_nonce"):
        key = (channel_id, author_id, str(body["nonce"]))
        state.nonces[key] = (int(msg["id"]), time.monotonic())


def who_is_notified(state: State, channel_id: int, body: Json, author_id: int) -> set[int]:
    """Return who Discord would notify: mentions allowed by allowed_mentions and able to ping.

    A role ping rings only if allowed_mentions lets it through AND the role is mentionable or
    the author may mention everyone in the channel; @everyone needs that permission too.
    """
    content = body.get("content") or ""
    allowed = body.get("allowed_mentions")
    parse = set(allowed.get("parse") or []) if isinstance(allowed, dict) else None
    user_ids = [int(u) for u in _USER_MENTION.findall(content)]
    role_ids = [int(r) for r in _ROLE_MENTION.findall(content)]
    if parse is not None:
        listed_users = {int(u) for u in allowed.get("users") or []}  # type: ignore[union-attr]
        listed_roles = {int(r) for r in allowed.get("roles") or []}  # type: ignore[union-attr]
        user_ids = [u for u in user_ids if "users" in parse or u in listed_users]
        role_ids = [r for r in role_ids if "roles" in parse or r in listed_roles]
    guild_id = state.guild_id_of(channel_id)
    notified = {u for u in user_ids if u in state.users}
    if guild_id is None:
        return notified
    may_ping_all = bool(channel_permissions(state, channel_id, author_id) & MENTION_EVERYONE)
    roles = state.roles.get(guild_id, {})
    ringing = {r for r in role_ids if r in roles and (roles[r].get("mentionable") or may_ping_all)}
    everyone = "@everyone" in content and may_ping_all and (parse is None or "everyone" in parse)
    for uid, member in state.members.get(guild_id, {}).items():
        if everyone or ringing & {int(r) for r in member.get("roles", [])}:
            notified.add(uid)
    notified.discard(author_id)
    return notified
