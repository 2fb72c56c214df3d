"""Check messages for crisis language, quickly, without keeping any of the words.

What the default list (config/safeguarding.toml) catches
---------------------------------------------------------
- Plain statements of suicidal thinking or self-harm: "I want to kill myself", "I keep
  thinking about suicide", "I've been self harming again", "I cut myself last night",
  "I want to die", "everyone would be better off without me", "I can't go on",
  "I don't want to be here anymore", "I'm going to take all my pills", "I won't be around
  tomorrow", "I took an overdose", "I want to unalive myself".
- The same with the usual typing variations: any capitals, curly or missing apostrophes
  ("cant go on", "don’t want to be alive"), repeated spaces or line breaks between words,
  and "self harm" / "self-harm" / "selfharm".
- Worry about someone else, because the words are the same: "my friend says she's suicidal".

What it deliberately lets through (false positives it avoids)
-------------------------------------------------------------
- Figures of speech listed as exclusions: "this homework is killing me", "the traffic was
  killing me", "I was dying of laughter", "I could die of embarrassment", "I'm killing
  myself laughing", "the Suicide Squad film". An exclusion only cuts the crisis phrase it
  overlaps, so "this homework is killing me and honestly I want to die" is still caught.
- Phrases match whole words only, so "suicidesquadfan" or "skill myself up" do not match.

What it will flag although nobody is at risk (false positives it still makes)
-----------------------------------------------------------------------------
- Negations and reassurance: "I'm not suicidal, just tired", "I'd never hurt myself".
- Talking about the topic: "we did a suicide awareness talk at school", "the self-harm
  leaflet was useful", song lyrics and quotes.
- Hyperbole not on the exclusion list: "if I have to do PE again I'll kill myself".
  The cost of these is a kind private message and a card a moderator can resolve as
  "No action needed"; we chose that over missing someone.

What it misses (false negatives: a moderator's eyes are still needed)
---------------------------------------------------------------------
- Indirect or coded language: "I just want it all to stop", "I won't be a problem for much
  longer", "I've written letters to everyone", "kms", "I want to disappear".
- Word forms not listed: "suicide" is listed but "suiciding" is not; "hurt myself" is but
  "hurts myself" is not. Add forms to `phrases` when moderators see them.
- Misspellings and deliberate obfuscation: "sucide", "k!ll myself", "s u i c i d e".
- Other languages, images, emoji-only messages, voice notes and attachments.
- Anything said outside peer-support channels and support spaces, and in DMs to the bot.
- Risk that is not in the words at all: someone going quiet, or a change in tone.
Patterns are a safety net under human moderation, never a replacement for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.group_config import SafeguardingConfig

# Curly quotes and look-alikes people's phones insert, mapped to a plain apostrophe. A 1:1
# character map keeps positions the same, so exclusion spans line up with crisis spans.
# An exclusion is looked for this many characters either side of a crisis match: figures of
# speech are short, and scanning only nearby keeps long messages fast.
_WINDOW = 120
_APOSTROPHES = str.maketrans({c: "'" for c in "\u2018\u2019\u02bc\u02b9\u2032\u0060\u00b4"})


@dataclass(frozen=True)
class Match:
    """Which rule matched (never the text that matched it)."""

    kind: str  # "phrase" | "pattern"
    index: int  # position of the rule in its config list
    rule: str  # the configured phrase or pattern itself


def _phrase_regex(phrase: str) -> str:
    """Turn a phrase into a whole-word regex tolerant of spacing, hyphens and apostrophes."""
    parts: list[str] = []
    for word in re.split(r"[\s\-]+", phrase.strip().lower()):
        if not word:
            continue
        # An apostrophe may be typed, curly (normalised before matching) or left out.
        parts.append("'?".join(re.escape(piece) for piece in word.split("'")))
    # "self harm", "self-harm", "self  harm" and "selfharm" all match the same phrase.
    return r"[\s\-]*".join(parts)


class SafeguardingMatcher:
    """Crisis phrases and patterns compiled once; `check` runs in microseconds."""

    def __init__(self, config: SafeguardingConfig) -> None:
        phrases = [p for p in config.phrases if p.strip()]
        self._phrases = phrases
        self._phrase_indexes = [config.phrases.index(p) for p in phrases]
        self._combined: re.Pattern[str] | None = None
        if phrases:
            alternatives = "|".join(
                f"(?P<p{i}>{_phrase_regex(phrase)})" for i, phrase in enumerate(phrases)
            )
            # (?<!\w) / (?!\w) rather than \b so phrases ending in punctuation still work.
            self._combined = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
        self._patterns = [re.compile(p, re.IGNORECASE) for p in config.patterns]
        self._pattern_sources = list(config.patterns)
        self._exclusions = [re.compile(p, re.IGNORECASE) for p in config.exclusions]

    def check(self, text: str) -> Match | None:
        """Return the first crisis rule the text matches (after exclusions), or None."""
        if not text:
            return None
        # Lower-casing once lets the phrase regex run without IGNORECASE, which is faster.
        normalised = text.translate(_APOSTROPHES).lower()
        if self._combined is not None:
            for found in self._combined.finditer(normalised):
                if not self._excluded(normalised, found.span()):
                    i = int((found.lastgroup or "p0")[1:])
                    return Match("phrase", self._phrase_indexes[i], self._phrases[i])
        for index, pattern in enumerate(self._patterns):
            for found in pattern.finditer(normalised):
                if not self._excluded(normalised, found.span()):
                    return Match("pattern", index, self._pattern_sources[index])
        return None

    def _excluded(self, text: str, span: tuple[int, int]) -> bool:
        """Tell whether an exclusion overlaps the span (searching only the text around it)."""
        start, end = span
        # search(text, pos, endpos) keeps \b and look-behinds honest at the window's start.
        low, high = max(0, start - _WINDOW), min(len(text), end + _WINDOW)
        return any(
            found.start() < end and start < found.end()
            for pattern in self._exclusions
            for found in pattern.finditer(text, low, high)
        )
