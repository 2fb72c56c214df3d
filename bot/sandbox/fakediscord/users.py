"""Act as users: slash commands, buttons, selects, modals, context menus and messages."""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Mapping, Sequence
from typing import Any

from .commands import CommandError, command_data, context_data, find_command
from .envelope import build_interaction
from .gateway import GatewayHub
from .interaction import Interaction, InteractionRegistry, ModalField
from .messaging import (
    Upload,
    build_message,
    find_message,
    post_message,
    store_upload,
    walk_components,
)
from .model import (
    EPHEMERAL,
    GUILD_TEXT,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    THREAD_TYPES,
    Json,
)
from .permissions import channel_permissions, visible_to
from .router import Env
from .state import State

_SELECT_TYPES = (3, 5, 6, 7, 8)


class UserActions:
    """The act-as-user half of FakeDiscord (mixed into it)."""

    state: State
    env: Env
    hub: GatewayHub
    registry: InteractionRegistry
    reaction_time: float
    last_reply_at: float
    inflight: int

    # ---- plumbing ------------------------------------------------------------------------
    async def _settle(self) -> None:
        # discord.py registers a view or modal only after our REST reply reaches it; a human
        # cannot click faster than that, so let the bot finish handling our last reply first.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5.0
        while loop.time() < deadline:
            wait = self.last_reply_at + self.reaction_time - loop.time()
            if self.inflight == 0 and wait <= 0:
                return
            await asyncio.sleep(max(wait, 0.005))

    async def _dispatch(self, payload: Json, name: str) -> Interaction:
        if self.hub.live_sessions() == 0:
            raise RuntimeError("no bot is connected to the fake gateway")
        await self._settle()
        handle = Interaction(self.state, payload, name)
        self.registry.add(handle)
        guild_id = int(payload["guild_id"]) if "guild_id" in payload else None
        self.hub.dispatch("INTERACTION_CREATE", payload, guild_id)
        await asyncio.sleep(0)
        return handle

    def _channel_for(self, user_id: int, guild_id: int | None, channel_id: int | None) -> int:
        if channel_id is not None:
            if not visible_to(self.state, user_id, channel_id):
                raise PermissionError(f"user {user_id} cannot see channel {channel_id}")
            return channel_id
        if guild_id is None:
            return int(self.state.dm_channel(user_id)["id"])
        texts = sorted(
            (c for c in self.state.channels.values() if c.get("guild_id") == str(guild_id)),
            key=lambda c: (c.get("position", 0), int(c["id"])),
        )
        for channel in texts:
            if channel["type"] == GUILD_TEXT and visible_to(
                self.state, user_id, int(channel["id"])
            ):
                return int(channel["id"])
        raise ValueError(f"guild {guild_id} has no text channel user {user_id} can see")

    def _check_command_access(self, command: Json, user_id: int, channel_id: int) -> None:
        in_dm = self.state.guild_id_of(channel_id) is None
        contexts = command.get("contexts")
        if contexts is not None and (1 if in_dm else 0) not in contexts:
            raise CommandError(f"/{command['name']} is not available in this context")
        if in_dm and command.get("dm_permission") is False:
            raise CommandError(f"/{command['name']} is not available in DMs")
        required = command.get("default_member_permissions")
        if required is None or self.state.guild_id_of(channel_id) is None:
            return
        perms = channel_permissions(self.state, channel_id, user_id)
        if perms & int(required) != int(required):
            raise PermissionError(f"user {user_id} may not use /{command['name']}")

    # ---- application commands ------------------------------------------------------------
    async def invoke(
        self,
        user_id: int,
        guild_id: int | None,
        name: str,
        options: Mapping[str, Any] | None = None,
        channel_id: int | None = None,
        subcommand: str | None = None,
    ) -> Interaction:
        """Run a slash command as a user; `name` may include subcommands ("support queue")."""
        parts = name.split() + (subcommand.split() if subcommand else [])
        command = find_command(self.state, guild_id, parts[0])
        cid = self._channel_for(user_id, guild_id, channel_id)
        self._check_command_access(command, user_id, cid)
        data = command_data(self.state, command, parts[1:], dict(options or {}), guild_id, cid)
        payload = build_interaction(self.state, user_id, cid, 2, data)
        return await self._dispatch(payload, " ".join(parts))

    async def autocomplete(
        self,
        user_id: int,
        guild_id: int | None,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        channel_id: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109, RUF100 (a test API)
    ) -> list[Json]:
        """Type into an option with autocomplete and return the choices the bot offers."""
        parts = name.split()
        command = find_command(self.state, guild_id, parts[0])
        cid = self._channel_for(user_id, guild_id, channel_id)
        given = dict(options)
        given.setdefault(focused, "")
        data = command_data(self.state, command, parts[1:], given, guild_id, cid, focused=focused)
        payload = build_interaction(self.state, user_id, cid, 4, data)
        handle = await self._dispatch(payload, f"{name} (autocomplete {focused})")
        await handle.response(timeout)
        return handle.choices or []

    async def context_menu(
        self,
        user_id: int,
        guild_id: int | None,
        name: str,
        target_message_id: int | None = None,
        target_user_id: int | None = None,
        channel_id: int | None = None,
    ) -> Interaction:
        """Use a message (or user) context-menu command."""
        target = None
        if target_message_id is not None:
            target = find_message(self.state, target_message_id)
            channel_id = int(target["channel_id"])
        ctype = 3 if target is not None else 2
        command = find_command(self.state, guild_id, name, ctype)
        cid = self._channel_for(user_id, guild_id, channel_id)
        self._check_command_access(command, user_id, cid)
        data = context_data(self.state, command, guild_id, cid, target, target_user_id)
        payload = build_interaction(self.state, user_id, cid, 2, data)
        return await self._dispatch(payload, name)

    def upload_attachment(
        self, filename: str, data: bytes, content_type: str | None = None
    ) -> Json:
        """Upload a file as a user would for an attachment option; return its payload."""
        ctype = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        upload = Upload(0, filename, ctype, data)
        return store_upload(self.state, self.env.http_base, 0, upload)

    # ---- components ----------------------------------------------------------------------
    def _component(
        self, user_id: int, message_id: int, custom_id: str, kinds: Sequence[int]
    ) -> tuple[Json, Json]:
        message = find_message(self.state, message_id)
        channel_id = int(message["channel_id"])
        if message["flags"] & EPHEMERAL:
            owner = (message.get("interaction_metadata") or {}).get("user", {}).get("id")
            if owner is not None and owner != str(user_id):
                raise PermissionError(f"message {message_id} is only visible to user {owner}")
        elif not visible_to(self.state, user_id, channel_id):
            raise PermissionError(f"user {user_id} cannot see message {message_id}")
        for comp in walk_components(message.get("components") or []):
            if comp.get("custom_id") == custom_id and comp.get("type") in kinds:
                if comp.get("disabled"):
                    raise ValueError(f"component {custom_id!r} is disabled")
                return message, comp
        ids = [c.get("custom_id") for c in walk_components(message.get("components") or [])]
        raise ValueError(f"message {message_id} has no component {custom_id!r} (has {ids})")

    async def click(self, user_id: int, message_id: int, custom_id: str) -> Interaction:
        """Click a button on a message."""
        message, comp = self._component(user_id, message_id, custom_id, (2,))
        data: Json = {"custom_id": custom_id, "component_type": 2}
        if "id" in comp:
            data["id"] = comp["id"]
        payload = build_interaction(
            self.state, user_id, int(message["channel_id"]), 3, data, message
        )
        return await self._dispatch(payload, f"button {custom_id}")

    async def select(
        self, user_id: int, message_id: int, custom_id: str, values: Sequence[str | int]
    ) -> Interaction:
        """Pick values in a select menu (string, user, role, mentionable or channel)."""
        message, comp = self._component(user_id, message_id, custom_id, _SELECT_TYPES)
        picked = [str(v) for v in values]
        low, high = comp.get("min_values", 1), comp.get("max_values", 1)
        if not low <= len(picked) <= high:
            raise ValueError(f"select {custom_id!r} takes {low}..{high} values, got {len(picked)}")
        ctype = int(comp["type"])
        data: Json = {"custom_id": custom_id, "component_type": ctype, "values": picked}
        if "id" in comp:
            data["id"] = comp["id"]
        if ctype == 3:
            allowed = [o["value"] for o in comp.get("options") or []]
            bad = [v for v in picked if v not in allowed]
            if bad:
                raise ValueError(f"select {custom_id!r} has no options {bad} (has {allowed})")
        else:
            channel_id = int(message["channel_id"])
            data["resolved"] = self._resolve_ids(picked, channel_id)
        payload = build_interaction(
            self.state, user_id, int(message["channel_id"]), 3, data, message
        )
        return await self._dispatch(payload, f"select {custom_id}")

    def _resolve_ids(self, ids: list[str], channel_id: int) -> Json:
        guild_id = self.state.guild_id_of(channel_id)
        out: dict[str, dict[str, Json]] = {}
        for raw in ids:
            key = int(raw)
            if key in self.state.users:
                out.setdefault("users", {})[raw] = self.state.user(key)
                if guild_id is not None and key in self.state.members.get(guild_id, {}):
                    out.setdefault("members", {})[raw] = self.state.member(guild_id, key, False)
            elif key in self.state.channels:
                ch = self.state.channel(key)
                partial = {k: ch[k] for k in ("id", "name", "type") if k in ch}
                out.setdefault("channels", {})[raw] = {**partial, "permissions": "0"}
            elif guild_id is not None:
                out.setdefault("roles", {})[raw] = dict(self.state.role(guild_id, key))
        return out

    async def submit_modal(
        self,
        user_id: int,
        modal_interaction: Interaction,
        values: Mapping[str, str | Sequence[str]],
    ) -> Interaction:
        """Fill in and submit the modal the bot showed in answer to `modal_interaction`."""
        modal = modal_interaction.modal
        if modal is None:
            raise ValueError(f"{modal_interaction!r} did not answer with a modal")
        if user_id != modal_interaction.user_id:
            raise ValueError("only the user who opened a modal can submit it")
        known = {f.custom_id for f in modal.fields}
        unknown = set(values) - known
        if unknown:
            raise ValueError(
                f"modal {modal.custom_id!r} has no inputs {sorted(unknown)} (has {sorted(known)})"
            )
        rows: list[Json] = []
        for comp in modal.components:
            rows.append(self._mirror(comp, modal.fields, values))
        data: Json = {"custom_id": modal.custom_id, "components": rows}
        source = modal_interaction.message
        payload = build_interaction(
            self.state, user_id, modal_interaction.channel_id, 5, data, source
        )
        return await self._dispatch(payload, f"modal {modal.custom_id}")

    def _mirror(self, comp: Json, fields: list[ModalField], values: Mapping[str, Any]) -> Json:
        ctype = comp.get("type")
        if ctype == 1:
            inner = [self._answer(c, fields, values) for c in comp.get("components") or []]
            return {"type": 1, "components": inner}
        if ctype == 18:
            out: Json = {"type": 18, "component": self._answer(comp["component"], fields, values)}
            if "id" in comp:
                out["id"] = comp["id"]
            return out
        return {k: comp[k] for k in ("type", "id") if k in comp}

    @staticmethod
    def _answer(comp: Json, fields: list[ModalField], values: Mapping[str, Any]) -> Json:
        cid = comp.get("custom_id") or ""
        field = next(f for f in fields if f.custom_id == cid)
        out: Json = {"type": field.type, "custom_id": cid}
        if field.id is not None:
            out["id"] = field.id
        given = values.get(cid)
        if field.type == 4:
            text = str(given) if given is not None else (field.value or "")
            if field.required and not text:
                raise ValueError(f"modal input {cid!r} is required")
            if text and field.min_length is not None and len(text) < field.min_length:
                raise ValueError(
                    f"modal input {cid!r} needs at least {field.min_length} characters"
                )
            if field.max_length is not None and len(text) > field.max_length:
                raise ValueError(f"modal input {cid!r} takes at most {field.max_length} characters")
            out["value"] = text
        else:
            picked = [given] if isinstance(given, str) else list(given or [])
            if field.required and not picked:
                raise ValueError(f"modal select {cid!r} is required")
            out["values"] = [str(v) for v in picked]
        return out

    # ---- messages ------------------------------------------------------------------------
    async def send_message(
        self,
        user_id: int,
        channel_id: int | None,
        content: str,
        files: Sequence[tuple[str, bytes]] = (),
    ) -> Json:
        """Post a message as a user (channel_id None means the user's DM with the bot)."""
        if channel_id is None:
            channel_id = int(self.state.dm_channel(user_id)["id"])
        if not visible_to(self.state, user_id, channel_id):
            raise PermissionError(f"user {user_id} cannot see channel {channel_id}")
        channel = self.state.channel(channel_id)
        needed = SEND_MESSAGES_IN_THREADS if channel["type"] in THREAD_TYPES else SEND_MESSAGES
        if not channel_permissions(self.state, channel_id, user_id) & needed:
            raise PermissionError(f"user {user_id} cannot send messages in {channel_id}")
        attachments = [
            store_upload(
                self.state,
                self.env.http_base,
                channel_id,
                Upload(i, name, mimetypes.guess_type(name)[0] or "application/octet-stream", data),
            )
            for i, (name, data) in enumerate(files)
        ]
        message = build_message(self.state, channel_id, user_id, {"content": content}, attachments)
        stored = post_message(self.state, message)
        await asyncio.sleep(0)
        return stored

    async def send_dm(self, user_id: int, content: str) -> Json:
        """Post a message from a user to the bot in their DM."""
        return await self.send_message(user_id, None, content)


__all__ = ["CommandError", "UserActions"]
