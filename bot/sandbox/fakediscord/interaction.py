"""The test-side handle on one interaction, the modal it showed and the registry of them."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from .messaging import find_message
from .model import EPHEMERAL, LOADING, DiscordError, Json, not_found
from .state import State


@dataclass
class ModalField:
    """One input of a modal as the user sees it."""

    custom_id: str
    label: str
    type: int
    style: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    required: bool = True
    value: str | None = None
    placeholder: str | None = None
    options: list[Json] = field(default_factory=list)
    in_label: bool = False
    id: int | None = None


@dataclass
class Modal:
    """A modal shown in answer to an interaction (callback type 9)."""

    title: str
    custom_id: str
    fields: list[ModalField]
    components: list[Json]

    def field(self, custom_id: str) -> ModalField:
        """Return the input with this custom_id."""
        for item in self.fields:
            if item.custom_id == custom_id:
                return item
        raise KeyError(custom_id)


def parse_modal(data: Json) -> Modal:
    """Read the inputs out of a modal callback (action-row or Label form)."""
    fields: list[ModalField] = []
    for comp in data.get("components") or []:
        ctype = comp.get("type")
        if ctype == 1:
            for inner in comp.get("components") or []:
                fields.append(_field(inner, inner.get("label") or "", in_label=False))
        elif ctype == 18:
            fields.append(_field(comp["component"], comp.get("label") or "", in_label=True))
    return Modal(
        data.get("title") or "",
        data.get("custom_id") or "",
        fields,
        list(data.get("components") or []),
    )


def _field(comp: Json, label: str, in_label: bool) -> ModalField:
    return ModalField(
        custom_id=comp.get("custom_id") or "",
        label=label,
        type=int(comp.get("type") or 4),
        style=comp.get("style"),
        min_length=comp.get("min_length"),
        max_length=comp.get("max_length"),
        required=bool(comp.get("required", True)),
        value=comp.get("value"),
        placeholder=comp.get("placeholder"),
        options=list(comp.get("options") or []),
        in_label=in_label,
        id=comp.get("id"),
    )


class Interaction:
    """Follow one interaction: its callback, original message, followups and latency."""

    def __init__(self, state: State, payload: Json, name: str) -> None:
        self.state = state
        self.payload = payload
        self.name = name
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.guild_id = int(payload["guild_id"]) if "guild_id" in payload else None
        self.channel_id = int(payload["channel_id"])
        user = payload["member"]["user"] if "member" in payload else payload["user"]
        self.user_id = int(user["id"])
        self.source_message_id = int(payload["message"]["id"]) if "message" in payload else None
        self.dispatched_at = time.monotonic()
        self.latency: float | None = None
        self.callback: Json | None = None
        self.callbacks: list[Json] = []
        self.original_id: int | None = None
        self.followup_ids: list[int] = []
        self.expired = False
        self._answered = asyncio.Event()

    def __repr__(self) -> str:
        return f"<Interaction {self.name!r} id={self.id} callback={self.callback_type}>"

    @property
    def responded(self) -> bool:
        """Say whether the bot has answered the interaction callback."""
        return self.callback is not None

    @property
    def callback_type(self) -> int | None:
        """Return the callback type (4, 5, 6, 7, 8 or 9) once answered."""
        return None if self.callback is None else int(self.callback["type"])

    def mark_answered(self, body: Json) -> None:
        """Record the callback body and the time it took."""
        self.callback = body
        self.latency = time.monotonic() - self.dispatched_at
        self._answered.set()

    async def response(self, timeout: float = 5.0) -> Json:  # noqa: ASYNC109, RUF100 (a test API)
        """Wait for the callback and return its body ({"type": ..., "data": ...})."""
        try:
            await asyncio.wait_for(self._answered.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"{self!r} got no callback within {timeout}s") from None
        assert self.callback is not None
        return self.callback

    def _message(self, message_id: int | None) -> Json | None:
        if message_id is None:
            return None
        try:
            return find_message(self.state, message_id)
        except DiscordError:
            return None

    @property
    def original(self) -> Json | None:
        """Return the original response message as it is now (after edits)."""
        return self._message(self.original_id)

    @property
    def message(self) -> Json | None:
        """Return the message the clicked component is on, as it is now."""
        return self._message(self.source_message_id)

    @property
    def followups(self) -> list[Json]:
        """Return the followup messages as they are now."""
        found = (self._message(mid) for mid in self.followup_ids)
        return [m for m in found if m is not None]

    @property
    def ephemeral(self) -> bool:
        """Say whether the response is only visible to the user."""
        msg = self.original
        if msg is not None:
            return bool(msg["flags"] & EPHEMERAL)
        data = (self.callback or {}).get("data") or {}
        return bool(int(data.get("flags") or 0) & EPHEMERAL)

    @property
    def thinking(self) -> bool:
        """Say whether the original response is still a 'thinking...' placeholder."""
        msg = self.original
        return msg is not None and bool(msg["flags"] & LOADING)

    @property
    def modal(self) -> Modal | None:
        """Return the modal shown (callback type 9)."""
        if self.callback_type != 9:
            return None
        assert self.callback is not None
        return parse_modal(self.callback.get("data") or {})

    @property
    def choices(self) -> list[Json] | None:
        """Return autocomplete choices (callback type 8)."""
        if self.callback_type != 8:
            return None
        assert self.callback is not None
        return list((self.callback.get("data") or {}).get("choices") or [])

    @property
    def content(self) -> str | None:
        """Return the original (or updated) message's content."""
        msg = self.original if self.callback_type != 7 else self.message
        return None if msg is None else str(msg.get("content") or "")


class InteractionRegistry:
    """Track live interactions, flag unanswered ones after the timeout."""

    def __init__(self, violations: list[str], timeout: float) -> None:
        self.violations = violations
        self.timeout = timeout
        self.by_id: dict[int, Interaction] = {}
        self.by_token: dict[str, Interaction] = {}
        self._timers: list[asyncio.TimerHandle] = []

    def add(self, handle: Interaction) -> None:
        """Register a dispatched interaction and start its 3-second clock."""
        self.by_id[handle.id] = handle
        self.by_token[handle.token] = handle
        loop = asyncio.get_running_loop()
        self._timers.append(loop.call_later(self.timeout, self._check, handle))

    def _check(self, handle: Interaction) -> None:
        if not handle.responded:
            handle.expired = True
            self.violations.append(
                f"interaction {handle.name!r} ({handle.id}) was not answered within {self.timeout}s"
            )

    def get(self, interaction_id: int, token: str) -> Interaction:
        """Return the interaction for a callback URL (Unknown interaction otherwise)."""
        handle = self.by_id.get(interaction_id)
        if handle is None or handle.token != token:
            raise DiscordError(404, 10062, "Unknown interaction", violation=True)
        return handle

    def webhook(self, application_id: int, expected: int, token: str) -> Interaction:
        """Return the interaction behind a webhook token (Unknown Webhook otherwise)."""
        handle = self.by_token.get(token)
        if handle is None or application_id != expected:
            raise DiscordError(404, 10015, "Unknown Webhook", violation=True)
        return handle

    def close(self) -> None:
        """Cancel pending timers."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()


def message_of(handle: Interaction, message_id: int) -> Json:
    """Return the original, a followup or the component's message of an interaction."""
    mine = (handle.original_id, handle.source_message_id)
    if message_id in mine or message_id in handle.followup_ids:
        return find_message(handle.state, message_id)
    raise not_found("Message", 10008)
