"""A readable record of a sandbox run: who did what, and what the bot said where."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.sandbox.driver import everything_text
from bot.sandbox.fakediscord import FakeDiscord, Interaction

T = TypeVar("T")


class Transcript:
    """Print each step and every message the bot sent because of it."""

    def __init__(self, fake: FakeDiscord, guild_id: int, echo: bool = True) -> None:
        self.fake = fake
        self.guild_id = guild_id
        self.names: dict[int, str] = {}
        self.lines: list[tuple[str, str]] = []  # (kind, text)
        self.echo = echo
        self._seen: set[str] = set()
        self._snapshot()

    def name(self, user_id: int, name: str) -> int:
        """Remember a person's display name; return their id."""
        self.names[user_id] = name
        return user_id

    def _all_messages(self) -> list[tuple[str, dict[str, Any]]]:
        found: list[tuple[str, dict[str, Any]]] = []
        for channel in self.fake.guild_channels(self.guild_id):
            if channel.get("type") in (0, 5, 11, 12):
                for message in self.fake.messages_in(int(channel["id"])):
                    found.append((f"#{channel['name']}", message))
        for user_id, name in self.names.items():
            for message in self.fake.dm_messages(user_id):
                found.append((f"DM with {name}", message))
        return found

    def _snapshot(self) -> None:
        self._seen = {m["id"] for _, m in self._all_messages()}

    def _say(self, kind: str, text: str) -> None:
        # The files keep every word; the console shows each message cut to a readable length.
        self.lines.append((kind, text))
        if self.echo:
            print(_short(text, 400) if kind == "bot" else text, flush=True)

    def heading(self, text: str) -> None:
        """Start a new part of the story."""
        self._say("heading", f"\n== {text} ==")

    def note(self, text: str) -> None:
        """Narrate something that is not a bot message."""
        self._say("note", f"   ({text})")

    async def step(self, who: int, action: str, run: Callable[[], Awaitable[T]]) -> T:
        """Run one user action and record it with everything the bot sent because of it."""
        self._say("action", f"[{self.names.get(who, who)}] {action}")
        result = await run()
        if isinstance(result, Interaction):
            if result.callback_type == 5:  # deferred: wait for the real answer
                await self.fake.wait_for(lambda: result.original and _has_body(result.original))
            self._record_answer(result)
        self.flush()
        return result

    def _names(self, text: str) -> str:
        for user_id, name in self.names.items():
            text = text.replace(f"<@{user_id}>", f"@{name}")
        for role in self.fake.guild_roles(self.guild_id):
            text = text.replace(f"<@&{role['id']}>", f"@{role['name']}")
        for channel in self.fake.guild_channels(self.guild_id):
            text = text.replace(f"<#{channel['id']}>", f"#{channel['name']}")
        return text

    def _record_answer(self, handle: Interaction) -> None:
        private = "privately" if handle.ephemeral else "publicly"
        if handle.modal is not None:
            self._say("bot", f"   bot shows a form: {handle.modal.title}")
            return
        if handle.callback_type in (6, 7):
            private = "updates the message"
        for message in [m for m in (handle.original, *handle.followups) if m]:
            self._seen.add(message["id"])
            body = self._names(_flat(everything_text(message)))
            self._say("bot", f"   bot → {private}: {body}")
            for attachment in message.get("attachments") or []:
                self._say("bot", f"   bot attaches {attachment['filename']}")
        if handle.original is None and not handle.followups and handle.content:
            self._say("bot", f"   bot → {private}: {_flat(handle.content)}")

    def flush(self) -> None:
        """Record messages the bot posted in channels or DMs since the last step."""
        for where, message in self._all_messages():
            if message["id"] in self._seen:
                continue
            self._seen.add(message["id"])
            author = message.get("author", {}).get("id")
            if author is not None and int(author) != self.fake.bot_user_id:
                continue
            if not _has_body(message):  # e.g. Discord's "pinned a message" notice
                continue
            body = self._names(_flat(everything_text(message)))
            self._say("bot", f"   bot in {where}: {body}")

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write transcript.txt and transcript.html; return their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        text_path = folder / "transcript.txt"
        text_path.write_text("\n".join(t for _, t in self.lines) + "\n", encoding="utf-8")
        rows = []
        for kind, text in self.lines:
            rows.append(f'<p class="{kind}">{html.escape(text.strip())}</p>')
        page = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<title>participation-bot sandbox</title><style>"
            "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
            ".heading{font-weight:700;font-size:1.2rem;margin-top:1.5rem}"
            ".action{margin:.6rem 0 .1rem;color:#123}.bot{margin:.1rem 0 .1rem 2rem;color:#355;"
            "white-space:pre-wrap}.note{color:#666;font-style:italic}</style></head><body>"
            "<h1>participation-bot: a sandbox run</h1>" + "\n".join(rows) + "</body></html>"
        )
        html_path = folder / "transcript.html"
        html_path.write_text(page, encoding="utf-8")
        return text_path, html_path


def _has_body(message: dict[str, Any]) -> bool:
    return bool(everything_text(message) or message.get("attachments"))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _short(text: str, limit: int = 400) -> str:
    flat = _flat(text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
