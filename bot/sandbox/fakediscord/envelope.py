"""The INTERACTION_CREATE envelope every interaction type shares."""

from __future__ import annotations

import secrets

from .messaging import gateway_message
from .model import DM, Json
from .permissions import channel_permissions
from .state import State

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def build_interaction(
    state: State,
    user_id: int,
    channel_id: int,
    itype: int,
    data: Json,
    message: Json | None = None,
) -> Json:
    """Return a full interaction payload as Discord dispatches it."""
    channel = state.channel(channel_id)
    guild_id = state.guild_id_of(channel_id)
    payload: Json = {
        "id": str(state.ids.next()),
        "application_id": str(state.application_id),
        "type": itype,
        "data": data,
        "token": "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(64),
        "version": 1,
        "locale": "en-GB",
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "channel_id": str(channel_id),
    }
    if guild_id is None:
        if channel["type"] != DM:
            raise ValueError("interactions outside a guild must be in a DM")
        payload["user"] = state.user(user_id)
        payload["context"] = 1
        payload["authorizing_integration_owners"] = {"0": "0"}
        payload["channel"] = dict(channel)
        payload["app_permissions"] = str(channel_permissions(state, channel_id, state.bot_user_id))
    else:
        perms = channel_permissions(state, channel_id, user_id)
        member = state.member(guild_id, user_id)
        member["permissions"] = str(perms)
        guild = state.guild(guild_id)
        payload.update(
            guild_id=str(guild_id),
            guild={"id": str(guild_id), "locale": guild["preferred_locale"], "features": []},
            guild_locale=guild["preferred_locale"],
            member=member,
            context=0,
            authorizing_integration_owners={"0": str(guild_id)},
            app_permissions=str(channel_permissions(state, channel_id, state.bot_user_id)),
        )
        partial = dict(channel)
        partial["permissions"] = str(perms)
        payload["channel"] = partial
    if message is not None:
        payload["message"] = gateway_message(state, message)
    return payload
