"""Keep what a worker typed into a refused form on the reply, so nothing has to be retyped.

The words ride in an embed on the private reply: its "Change what I typed" button reads them
back from the message it is on and opens the form filled in. Discord keeps the message, so
this works after a restart too, and nothing of it is stored by the bot.
"""

from __future__ import annotations

import discord

TYPED = "What you typed"
EMPTY = "(empty)"
FIELD_MAX = 1024  # Discord's limit on an embed field's value
FOOTER = "Nothing is lost: press “Change what I typed” to fix it and send it again."
DRAFT_FIELDS = (
    ("title", "Title"),
    ("purpose", "Why we are asking"),
    ("outcomes", "What we hope will come of it"),
    ("can_change", "What can change"),
    ("cannot_change", "What can't change"),
)


def _chunks(text: str) -> list[str]:
    """Split text into field-sized pieces at line ends (options are one per line)."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines():
        while len(line) > FIELD_MAX:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:FIELD_MAX])
            line = line[FIELD_MAX:]
        joined = f"{current}\n{line}" if current else line
        if len(joined) > FIELD_MAX:
            chunks.append(current)
            joined = line
        current = joined
    if current.strip():
        chunks.append(current)
    return chunks


def _typed(message: discord.Message | None) -> discord.Embed | None:
    for embed in message.embeds if message is not None else []:
        if embed.title == TYPED:
            return embed
    return None


def question_typed(text: str, options: str) -> discord.Embed:
    """Return the embed holding a question and its options as typed."""
    embed = discord.Embed(title=TYPED, description=text.strip() or EMPTY)
    for number, chunk in enumerate(_chunks(options)):
        name = "Options" if number == 0 else "Options, continued"
        embed.add_field(name=name, value=chunk, inline=False)
    embed.set_footer(text=FOOTER)
    return embed


def read_question_typed(message: discord.Message | None) -> tuple[str, str]:
    """Return the question and options kept on a message ("" and "" if there are none)."""
    embed = _typed(message)
    if embed is None:
        return "", ""
    text = embed.description or ""
    options = "\n".join(f.value or "" for f in embed.fields if (f.name or "").startswith("Opt"))
    return ("" if text == EMPTY else text), options


def draft_typed(values: dict[str, str]) -> discord.Embed:
    """Return the embed holding a draft's five answers as typed."""
    embed = discord.Embed(title=TYPED)
    for key, name in DRAFT_FIELDS:
        value = values.get(key, "").strip() or EMPTY
        embed.add_field(name=name, value=value[:FIELD_MAX], inline=False)
    embed.set_footer(text=FOOTER)
    return embed


def read_draft_typed(message: discord.Message | None) -> dict[str, str]:
    """Return a draft's answers kept on a message, by form field (empty if there are none)."""
    embed = _typed(message)
    if embed is None:
        return {}
    by_name = {f.name: f.value or "" for f in embed.fields}
    found = {key: by_name.get(name, "") for key, name in DRAFT_FIELDS}
    return {key: "" if value == EMPTY else value for key, value in found.items()}
