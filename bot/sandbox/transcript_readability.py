"""How easy the messages members read are: Flesch reading ease and Flesch–Kincaid grade."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.transcript_html import Entry

_DROP = [
    re.compile(r"<t:-?\d+(?::[tTdDfFR])?>"),  # a Discord timestamp: the UK text follows it
    re.compile(r"<(?:@[!&]?|#)\d+>"),  # mentions
    re.compile(r"<a?:\w+:\d+>"),  # custom emoji
    re.compile(r"```.*?```", re.S),  # code blocks
    re.compile(r"`[^`]*`"),  # code: command names and the like
    re.compile(r"\(?<?https?://\S+"),  # links
    re.compile(r"\((?:UK time)\)"),
]
_MARKS = re.compile(r"[*_~|>#`•·—–\[\]]")
_WORD = re.compile(r"[A-Za-z0-9£][A-Za-z0-9£'’.,-]*")
_END = re.compile(r"[.!?]+(?=\s|$)|\n+")


@dataclass(frozen=True)
class Readability:
    """The scores and the counts they came from."""

    sentences: int
    words: int
    syllables: int

    @property
    def reading_ease(self) -> float:
        """Return Flesch reading ease (higher is easier; 80–90 is 'easy')."""
        return (
            206.835
            - 1.015 * self.words / max(self.sentences, 1)
            - 84.6 * self.syllables / max(self.words, 1)
        )

    @property
    def grade(self) -> float:
        """Return the Flesch–Kincaid grade level (a US school grade)."""
        return (
            0.39 * self.words / max(self.sentences, 1)
            + 11.8 * self.syllables / max(self.words, 1)
            - 15.59
        )

    def line(self) -> str:
        """Return one line to print."""
        return (
            f"Readability of what members read: Flesch reading ease {self.reading_ease:.1f}, "
            f"Flesch–Kincaid grade {self.grade:.1f} ({self.sentences:,} sentences, "
            f"{self.words:,} words)"
        )


def syllables(word: str) -> int:
    """Return a word's syllables by the usual vowel-group rule (good enough for a score)."""
    lower = word.lower().replace("’", "'")
    extra = 1 if re.search(r"[^aeiouy']n't$", lower) else 0  # doesn't, didn't, couldn't
    letters = re.sub(r"[^a-z]", "", lower.removesuffix("n't"))
    if not letters:
        return 1  # a number or a sign, read as one beat
    if len(letters) <= 3:
        return 1 + extra
    # A silent final e, and -es/-ed that add no beat (but: needed, wanted, changes, boxes).
    silent = r"(?:[^laeiouysxzgch]es|(?<![cs])hes|[^laeiouytd]ed|[^laeiouy]e)$"
    letters = re.sub(silent, lambda m: m.group(0)[0], letters)
    letters = re.sub(r"^y", "", letters)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", letters))) + extra


def plain(text: str) -> str:
    """Return text as a reader takes it in: no markdown, links, mentions or codes."""
    for pattern in _DROP:
        text = pattern.sub(" ", text)
    return _MARKS.sub(" ", text)


def measure(texts: Iterable[str]) -> Readability:
    """Score some texts together."""
    sentences = words = beats = 0
    for text in texts:
        for sentence in _END.split(plain(text)):
            found = [w.strip(".,'’-") for w in _WORD.findall(sentence)]
            found = [w for w in found if w]
            if not found:
                continue
            sentences += 1
            words += len(found)
            beats += sum(syllables(w) for w in found)
    return Readability(sentences, words, beats)


def message_text(message: dict[str, Any]) -> list[str]:
    """Return the parts of a message a person reads (content, card text and fields)."""
    parts = [str(message.get("content") or "")]
    for embed in message.get("embeds") or []:
        parts += [str(embed.get("title") or ""), str(embed.get("description") or "")]
        for item in embed.get("fields") or []:
            parts += [str(item.get("name") or ""), str(item.get("value") or "")]
        parts.append(str((embed.get("footer") or {}).get("text") or ""))
    return [p for p in parts if p.strip()]


def members_read(entries: Iterable[Entry]) -> Readability:
    """Score every distinct message members were shown in the story."""
    seen: set[str] = set()
    texts: list[str] = []
    for entry in entries:
        if entry.kind != "message" or not entry.for_members or entry.message is None:
            continue
        for part in message_text(entry.message):
            if part not in seen:
                seen.add(part)
                texts.append(part)
    return measure(texts)
