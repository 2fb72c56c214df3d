"""A readable record of a sandbox run: who did what, and what the bot said where."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.sandbox.driver import everything_text
from bot.sandbox.fakediscord import FakeDiscord, Interaction
from bot.sandbox.transcript_html import Entry, FormField, page
from bot.sandbox.transcript_markdown import Names

T = TypeVar("T")


class Transcript:
    """Print each step and every message the bot sent because of it."""

    def __init__(
        self,
        fake: FakeDiscord,
        guild_id: int,
        echo: bool = True,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.fake = fake
        self.guild_id = guild_id
        self.names: dict[int, str] = {}
        self.staff: set[int] = set()
        self.lines: list[tuple[str, str]] = []  # (kind, text)
        self.entries: list[Entry] = []  # the same story, with what each message looked like
        self.now = now
        self.echo = echo
        self._this_step: list[Entry] = []
        self._seen: set[str] = set()
        self._snapshot()

    def name(self, user_id: int, name: str) -> int:
        """Remember a person's display name; return their id."""
        self.names[user_id] = name
        return user_id

    def _all_messages(self) -> list[tuple[str, dict[str, Any]]]:
        return [(where, m) for where, m, _ in self._messages_with_reader()]

    def _messages_with_reader(self) -> list[tuple[str, dict[str, Any], int | None]]:
        found: list[tuple[str, dict[str, Any], int | None]] = []
        for channel in self.fake.guild_channels(self.guild_id):
            if channel.get("type") in (0, 5, 11, 12):
                for message in self.fake.messages_in(int(channel["id"])):
                    found.append((f"#{channel['name']}", message, None))
        for user_id, name in self.names.items():
            for message in self.fake.dm_messages(user_id):
                found.append((f"DM with {name}", message, user_id))
        return found

    def _snapshot(self) -> None:
        self._seen = {m["id"] for _, m in self._all_messages()}

    def _say(self, kind: str, text: str) -> None:
        # The files keep every word; the console shows each message cut to a readable length.
        self.lines.append((kind, text))
        if self.echo:
            print(_short(text, 400) if kind == "bot" else text, flush=True)

    def skip(self) -> None:
        """Leave out what the bot sent since the last step (a part the story tells in a note)."""
        self._snapshot()
        self._this_step = []

    def heading(self, text: str) -> None:
        """Start a new part of the story."""
        self._say("heading", f"\n== {text} ==")
        self.entries.append(Entry("heading", text))

    def note(self, text: str) -> None:
        """Narrate something that is not a bot message."""
        self._say("note", f"   ({text})")
        self.entries.append(Entry("note", text, at=self._at()))

    def _at(self) -> datetime | None:
        return self.now() if self.now else None

    async def step(self, who: int, action: str, run: Callable[[], Awaitable[T]]) -> T:
        """Run one user action and record it with everything the bot sent because of it."""
        self._say("action", f"[{self.names.get(who, who)}] {action}")
        entry = Entry("action", action, who=str(self.names.get(who, who)), who_id=who)
        entry.at = self._at()
        self.entries.append(entry)
        self._this_step = []
        result = await run()
        if isinstance(result, Interaction) and result.type == 5:
            self._fill_form(result)
        if isinstance(result, Interaction) and result.type == 2:
            entry.command, entry.options = self._command(result)
        if isinstance(result, dict) and "author" in result and "channel_id" in result:
            self._seen.add(result["id"])
            entry.message = copy.deepcopy(result)
            entry.where = self._where(int(result["channel_id"]))
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

    def _fill_form(self, handle: Interaction) -> None:
        """Show the last form with what the person typed into it."""
        typed: dict[str, str] = {}
        for row in (handle.payload.get("data") or {}).get("components") or []:
            for item in [*(row.get("components") or []), row.get("component") or {}]:
                value = item.get("value", item.get("values"))
                if item.get("custom_id") and value is not None:
                    typed[str(item["custom_id"])] = (
                        ", ".join(map(str, value)) if isinstance(value, list) else str(value)
                    )
        form = next((e for e in reversed(self.entries) if e.kind == "form"), None)
        if form is not None:
            for field in form.fields:
                if field.custom_id in typed:
                    field.hint, field.typed = typed[field.custom_id], True

    def _command(self, handle: Interaction) -> tuple[str, list[tuple[str, str]]]:
        """Return the command a person used and the options they gave, as they typed them."""
        data = handle.payload.get("data") or {}
        files = (data.get("resolved") or {}).get("attachments") or {}
        path, options = [str(data.get("name"))], data.get("options") or []
        while options and options[0].get("type") in (1, 2):
            path.append(str(options[0]["name"]))
            options = options[0].get("options") or []
        shown: list[tuple[str, str]] = []
        for option in options:
            value = option.get("value")
            if option.get("type") in (6, 9) and str(value).isdigit():
                value = "@" + self.names.get(int(str(value)), "someone")
            elif option.get("type") == 11:
                value = (files.get(str(value)) or {}).get("filename", "a file")
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            shown.append((str(option["name"]), _short(str(value), 120)))
        return " ".join(path), shown

    def _where(self, channel_id: int) -> str:
        """Return '#name' for a channel or thread, or 'DM with Jess' for a direct message."""
        channel = self.fake.channel(channel_id)
        if channel.get("type") != 1:
            return f"#{channel.get('name')}"
        with_whom = [int(u["id"]) for u in channel.get("recipients") or []]
        return "DM with " + ", ".join(self.names.get(u, "someone") for u in with_whom)

    def _for_members(self, message: dict[str, Any], actor: int | None) -> bool:
        """Say whether someone who is not staff reads this message."""
        if int(message.get("flags") or 0) & 64:
            return actor is not None and actor not in self.staff
        channel = int(message["channel_id"])
        return any(
            self.fake.visible_to(uid, channel)
            for uid in self.names
            if uid not in self.staff and uid != self.fake.bot_user_id
        )

    def _files(self, message: dict[str, Any]) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for attachment in message.get("attachments") or []:
            try:
                files[str(attachment["id"])] = self.fake.attachment_bytes(attachment)
            except KeyError:
                continue
        return files

    def _entry(self, message: dict[str, Any], how: str, whom: str, actor: int | None) -> None:
        """Keep a copy of a message as it looks now, with its files, for the HTML page."""
        entry = Entry(
            "message",
            where=self._where(int(message["channel_id"])),
            how=how,
            for_whom=whom,
            message=copy.deepcopy(message),
            files=self._files(message),
            at=self._at(),
            for_members=self._for_members(message, actor),
        )
        self.entries.append(entry)
        self._this_step.append(entry)

    def _refresh(self) -> None:
        """Show this step's messages as they ended up (a chart may be attached after the text)."""
        for entry in self._this_step:
            try:
                now = self.fake.message(int((entry.message or {})["id"]))
            except Exception:  # deleted since: keep what was seen
                continue
            entry.message, entry.files = copy.deepcopy(now), self._files(now)

    def _record_answer(self, handle: Interaction) -> None:
        private = "privately" if handle.ephemeral else "publicly"
        whom = str(self.names.get(handle.user_id, "them"))
        if handle.modal is not None:
            self._say("bot", f"   bot shows a form: {handle.modal.title}")
            fields = [
                FormField(f.label, f.value or f.placeholder or "", f.style == 2, f.custom_id)
                for f in handle.modal.fields
            ]
            self.entries.append(Entry("form", handle.modal.title, for_whom=whom, fields=fields))
            return
        how = "private" if handle.ephemeral else "reply"
        if handle.callback_type in (6, 7):
            private, how = "updates the message", "update"
        for message in [m for m in (handle.original, *handle.followups) if m]:
            self._seen.add(message["id"])
            body = self._names(_flat(everything_text(message)))
            self._say("bot", f"   bot → {private}: {body}")
            self._entry(message, how, whom, handle.user_id)
            for attachment in message.get("attachments") or []:
                self._say("bot", f"   bot attaches {attachment['filename']}")
        if handle.original is None and not handle.followups and handle.content:
            self._say("bot", f"   bot → {private}: {_flat(handle.content)}")

    def flush(self) -> None:
        """Record messages the bot posted in channels or DMs since the last step."""
        self._refresh()
        for where, message, reader in self._messages_with_reader():
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
            whom = self.names.get(reader, "") if reader is not None else ""
            self._entry(message, "dm" if reader is not None else "post", whom, reader)

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write transcript.txt and transcript.html; return their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        text_path = folder / "transcript.txt"
        text_path.write_text("\n".join(t for _, t in self.lines) + "\n", encoding="utf-8")
        guild = self.fake.guild_channels(self.guild_id)
        names = Names(
            users={uid: name for uid, name in self.names.items()},
            roles={int(r["id"]): str(r["name"]) for r in self.fake.guild_roles(self.guild_id)},
            channels={int(c["id"]): str(c["name"]) for c in guild},
        )
        subtitle = (
            "What members and staff saw in Discord, step by step: who did what, and every "
            "message, card, button, chart and file the bot sent. Times are UK time."
        )
        title = "A participation group's first months, as seen in Discord"
        page_html = page(title, subtitle, self.entries, names)
        html_path = folder / "transcript.html"
        html_path.write_text(page_html, encoding="utf-8")
        return text_path, html_path


def _has_body(message: dict[str, Any]) -> bool:
    return bool(everything_text(message) or message.get("attachments"))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _short(text: str, limit: int = 400) -> str:
    flat = _flat(text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
