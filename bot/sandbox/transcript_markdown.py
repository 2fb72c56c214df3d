"""Render Discord's markdown as the client shows it: safe HTML, UK times, named mentions."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
_TOKEN = "\x00{}\x00"
_CODE_BLOCK = re.compile(r"```(?:[a-zA-Z0-9_+-]*\n)?(.*?)```", re.S)
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_TIMESTAMP = re.compile(r"<t:(-?\d{1,13})(?::([tTdDfFR]))?>")
_MENTION = re.compile(r"<(@!?|@&|#)(\d{5,25})>")
_EMOJI = re.compile(r"<a?:(\w{2,32}):\d{5,25}>")
_SLASH = re.compile(r"</([\w -]{1,80}):\d{5,25}>")
_MASKED = re.compile(r"\[([^\]\n]{1,200})\]\(<?(https?://[^\s)>]{1,500})>?\)")
_URL = re.compile(r"<?(https?://[^\s<>\x00]{1,500}[^\s<>.,:;!?'\")\]\x00])>?")
_INLINE = [
    (re.compile(r"\*\*\*(.+?)\*\*\*", re.S), r"<strong><em>\1</em></strong>"),
    (re.compile(r"\*\*(.+?)\*\*", re.S), r"<strong>\1</strong>"),
    (re.compile(r"__(.+?)__", re.S), r"<u>\1</u>"),
    (re.compile(r"(?<![\w*])\*(?![\s*])(.+?)(?<![\s*])\*(?![\w*])", re.S), r"<em>\1</em>"),
    (re.compile(r"(?<![\w_])_(?![\s_])(.+?)(?<![\s_])_(?![\w_])", re.S), r"<em>\1</em>"),
    (re.compile(r"~~(.+?)~~", re.S), r"<s>\1</s>"),
    (re.compile(r"\|\|(.+?)\|\|", re.S), r'<span class="spoiler">\1</span>'),
]
_ESCAPED = re.compile(r"\\([*_~`|>\\#\-\[\]()])")


@dataclass
class Names:
    """What the reader's Discord knows: people, roles and channels by id; the moment it is read."""

    users: dict[int, str] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)
    channels: dict[int, str] = field(default_factory=dict)
    messages: Callable[[int], str | None] = lambda _id: None
    now: datetime | None = None
    tz: ZoneInfo = UK


def uk_time(moment: datetime, style: str, names: Names) -> str:
    """Return a Discord timestamp as an en-GB client in the UK shows it."""
    local = moment.astimezone(names.tz)
    clock = f"{local:%H:%M}"
    if style == "t":
        return clock
    if style == "T":
        return f"{local:%H:%M:%S}"
    if style == "d":
        return f"{local:%d/%m/%Y}"
    if style == "D":
        return f"{local.day} {local:%B %Y}"
    if style == "F":
        return f"{local:%A}, {local.day} {local:%B %Y} at {clock}"
    if style == "R":
        return relative(moment, names.now or datetime.now(UTC))
    return f"{local.day} {local:%B %Y} at {clock}"


def relative(moment: datetime, now: datetime) -> str:
    """Return 'in 3 days' or '2 hours ago', as Discord words a relative timestamp."""
    seconds = (moment - now).total_seconds()
    size = abs(seconds)
    unit, count = ("minute", round(size / 60)) if size >= 60 else ("second", int(size))
    for name, length in (("year", 31536000), ("month", 2592000), ("day", 86400), ("hour", 3600)):
        if size >= length:
            unit, count = name, round(size / length)
            break
    words = f"{count} {unit}{'' if count == 1 else 's'}"
    if unit == "second" and count < 10:
        return "just now"
    return f"in {words}" if seconds > 0 else f"{words} ago"


class _Tokens:
    """Hold finished HTML aside so later markdown passes cannot touch it."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def keep(self, finished: str) -> str:
        self.parts.append(finished)
        return _TOKEN.format(len(self.parts) - 1)

    def restore(self, text: str) -> str:
        while "\x00" in text:
            text = re.sub(r"\x00(\d+)\x00", lambda m: self.parts[int(m.group(1))], text)
        return text


def _link(url: str, names: Names, label: str | None = None) -> str:
    """Return a safe link; Discord message links show as a channel chip, long URLs shortened."""
    href = html.escape(url, quote=True)
    found = re.fullmatch(r"https://discord\.com/channels/(\d+|@me)/(\d+)(?:/(\d+))?", url)
    if found and label is None:
        channel = names.channels.get(int(found.group(2)), "a channel")
        where = f"#{channel} › 💬" if found.group(3) else f"#{channel}"
        return f'<a class="mention" href="{href}">{html.escape(where)}</a>'
    if label is None:
        bare = re.sub(r"^https?://(www\.)?", "", url)
        label = bare if len(bare) <= 48 else bare[:45] + "…"
    return f'<a href="{href}" title="{href}" rel="noopener">{html.escape(label)}</a>'


def _inline(text: str, names: Names, tokens: _Tokens) -> str:
    """Render one line's inline markdown; the text is raw and is escaped here."""
    text = _ESCAPED.sub(lambda m: tokens.keep(html.escape(m.group(1))), text)
    text = _CODE_SPAN.sub(lambda m: tokens.keep(f"<code>{html.escape(m.group(1))}</code>"), text)

    def stamp(m: re.Match[str]) -> str:
        moment = datetime.fromtimestamp(int(m.group(1)), UTC)
        shown = html.escape(uk_time(moment, m.group(2) or "f", names))
        full = html.escape(uk_time(moment, "F", names))
        return tokens.keep(f'<time class="stamp" title="{full}">{shown}</time>')

    def mention(m: re.Match[str]) -> str:
        kind, ident = m.group(1), int(m.group(2))
        if kind == "#":
            label = "#" + names.channels.get(ident, "unknown-channel")
        elif kind == "@&":
            label = "@" + names.roles.get(ident, "unknown-role")
        else:
            label = "@" + names.users.get(ident, "someone")
        return tokens.keep(f'<span class="mention">{html.escape(label)}</span>')

    text = _TIMESTAMP.sub(stamp, text)
    text = _MENTION.sub(mention, text)
    text = _EMOJI.sub(lambda m: tokens.keep(html.escape(f":{m.group(1)}:")), text)
    text = _SLASH.sub(
        lambda m: tokens.keep(f'<span class="mention">/{html.escape(m.group(1))}</span>'), text
    )
    text = _MASKED.sub(lambda m: tokens.keep(_link(m.group(2), names, _plain(m.group(1)))), text)
    text = _URL.sub(lambda m: tokens.keep(_link(m.group(1), names)), text)
    text = html.escape(text, quote=False)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


def _plain(label: str) -> str:
    """Return a link label without markdown marks (it is escaped when the link is built)."""
    return re.sub(r"[*_~|`]", "", label)


def render(text: str, names: Names) -> str:
    """Return Discord markdown as HTML: every character of the input is escaped or rendered."""
    tokens = _Tokens()
    text = text.replace("\x00", "").replace("\r\n", "\n")
    return tokens.restore(_render(text, names, tokens))


def _render(text: str, names: Names, tokens: _Tokens) -> str:
    text = _CODE_BLOCK.sub(
        lambda m: "\n" + tokens.keep(f"<pre><code>{html.escape(m.group(1))}</code></pre>") + "\n",
        text,
    )
    out: list[str] = []
    lists: list[str] = []  # open list tags
    quote: list[str] | None = None
    rest_quoted = False

    def close_lists() -> None:
        while lists:
            out.append(f"</{lists.pop()}>")

    for line in text.split("\n"):
        quoted = rest_quoted
        if line.startswith(">>> "):
            rest_quoted, quoted, line = True, True, line[4:]
        elif line.startswith("> ") or line == ">":
            quoted, line = True, line[2:]
        if quoted:
            quote = [] if quote is None else quote
            quote.append(line)
            continue
        if quote is not None:
            close_lists()
            out.append(f"<blockquote>{_render(chr(10).join(quote), names, tokens)}</blockquote>")
            quote = None
        out.append(_block_line(line, names, tokens, lists))
    if quote is not None:
        close_lists()
        out.append(f"<blockquote>{_render(chr(10).join(quote), names, tokens)}</blockquote>")
    close_lists()
    body = "".join(out)
    return re.sub(r"^(<br>)+|(<br>)+$", "", body)


def _block_line(line: str, names: Names, tokens: _Tokens, lists: list[str]) -> str:
    """Render one line: a heading, a list item, small text or a plain line."""
    bullet = re.match(r"^(\s*)(?:[-*•]|(\d{1,3})[.)])\s+(.*)$", line)
    if bullet:
        tag = "ol" if bullet.group(2) else "ul"
        opened = ""
        if not lists or lists[-1] != tag:
            closed = "".join(f"</{t}>" for t in reversed(lists))
            lists.clear()
            lists.append(tag)
            start = f' start="{int(bullet.group(2))}"' if bullet.group(2) else ""
            opened = f"{closed}<{tag}{start}>"
        return f"{opened}<li>{_inline(bullet.group(3), names, tokens)}</li>"
    closed = "".join(f"</{t}>" for t in reversed(lists))
    lists.clear()
    heading = re.match(r"^(#{1,3}) (.+)$", line)
    if heading:
        level = len(heading.group(1))
        return f"{closed}<h{level + 2}>{_inline(heading.group(2), names, tokens)}</h{level + 2}>"
    small = re.match(r"^-# (.+)$", line)
    if small:
        return f'{closed}<small class="sub">{_inline(small.group(1), names, tokens)}</small><br>'
    return f"{closed}{_inline(line, names, tokens)}<br>"
