"""Render a sandbox transcript as a self-contained page that looks like Discord."""

from __future__ import annotations

import base64
import hashlib
import html
import mimetypes
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.sandbox.transcript_markdown import Names, render
from bot.sandbox.transcript_style import CSS

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
MAX_DOWNLOAD = 300_000  # bytes a file chip carries inside the page
BUTTON_STYLES = {1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link", 6: "premium"}
FILE_ICON = (
    "<svg width='24' height='30' viewBox='0 0 24 30' aria-hidden='true'><path d='M2 1h13l7 7v21H2z'"
    " fill='#dbdee1'/><path d='M15 1v7h7' fill='#b5bac1'/><path d='M6 15h12M6 19h12M6 23h8'"
    " stroke='#80848e' stroke-width='1.6'/></svg>"
)
SELECT_TYPES = {3: "", 5: "Choose people", 6: "Choose roles", 7: "Choose", 8: "Choose channels"}


@dataclass
class FormField:
    """One input of a form (modal) as the person sees it."""

    label: str
    hint: str = ""
    long: bool = False
    custom_id: str = ""
    typed: bool = False


@dataclass
class Entry:
    """One thing in the story: a heading, a note, someone's action, a message or a form."""

    kind: str  # heading | note | action | message | form
    text: str = ""
    who: str = ""
    who_id: int | None = None
    where: str = ""
    how: str = ""  # for messages: post | dm | private | reply | update
    for_whom: str = ""
    message: dict[str, Any] | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    fields: list[FormField] = field(default_factory=list)
    at: datetime | None = None
    for_members: bool = False
    command: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)


def page(title: str, subtitle: str, entries: list[Entry], names: Names) -> str:
    """Return the whole transcript page."""
    body = "\n".join(
        _entry(entry, replace(names, now=entry.at), n) for n, entry in enumerate(entries)
    )
    chapters = "".join(
        f"<li><a href='#part-{n}'>{html.escape(e.text)}</a></li>"
        for n, e in enumerate(entries)
        if e.kind == "heading"
    )
    contents = f"<nav><h2>Contents</h2><ol>{chapters}</ol></nav>" if chapters else ""
    return (
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body><main>"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p>"
        "<p class='legend'><span class='pill dm'>✉ Direct message</span>"
        "<span class='pill private'>◉ Only they can see this</span>"
        "<span class='pill chan'># channel post</span>"
        "<span class='pill update'>✎ Message updated</span></p>"
        f"{contents}</header>{body}</main></body></html>"
    )


def _entry(entry: Entry, names: Names, n: int) -> str:
    if entry.kind == "heading":
        return f"<h2 class='divider' id='part-{n}'><span>{html.escape(entry.text)}</span></h2>"
    if entry.kind == "note":
        return f'<p class="note">{html.escape(entry.text)}</p>'
    if entry.kind == "action":
        return _action(entry, names)
    if entry.kind == "form":
        return _form(entry)
    return _message(entry, names)


def _avatar(name: str, bot: bool = False) -> str:
    if bot:
        return '<div class="avatar bot" aria-hidden="true">PB</div>'
    hue = int(hashlib.sha1(name.encode()).hexdigest()[:4], 16) % 360
    initial = html.escape((name.strip() or "?")[0].upper())
    return f'<div class="avatar" style="background:hsl({hue} 45% 42%)">{initial}</div>'


def _action(entry: Entry, names: Names) -> str:
    who = html.escape(entry.who)
    said = entry.message
    if said is not None:  # the person wrote a message in a channel: show it as Discord does
        content = render(str(said.get("content") or ""), names)
        return (
            f'<article class="msg person"><div class="where"><span class="pill chan">'
            f"{html.escape(entry.where)}</span></div>{_avatar(entry.who)}<div class='body'>"
            f"<div class='head'><b class='name'>{who}</b>{_when(entry)}</div>"
            f"<div class='content'>{content}</div></div></article>"
        )
    if entry.command:
        chips = "".join(
            f"<span class='opt'><b>{html.escape(name)}</b> {html.escape(value)}</span>"
            for name, value in entry.options
        )
        shown = f"used <span class='cmd'>/{html.escape(entry.command)}</span>{chips}"
        if entry.text and not entry.text.startswith("/"):
            shown += f"<span class='aside'>{html.escape(entry.text)}</span>"
    else:
        shown = html.escape(entry.text)
    return (
        f"<div class='act'>{_avatar(entry.who)}<div class='what'><b class='name'>{who}</b> "
        f"{shown}</div></div>"
    )


def _when(entry: Entry) -> str:
    if entry.at is None:
        return ""
    local = entry.at.astimezone(Names().tz)
    return f"<time class='at'>{local:%d/%m/%Y %H:%M}</time>"


def _form(entry: Entry) -> str:
    inputs = "".join(
        f"<label>{html.escape(f.label)}<span class='input{' long' if f.long else ''}"
        f"{' typed' if f.typed else ''}'>"
        f"{html.escape(f.hint)}</span></label>"
        for f in entry.fields
    )
    return (
        f"<div class='formwrap'><div class='where'><span class='pill private'>◉ A form only "
        f"{html.escape(entry.for_whom)} can see</span></div><div class='form'>"
        f"<h3>{html.escape(entry.text)}</h3>{inputs}<div class='formbtns'>"
        "<span class='btn secondary'>Cancel</span><span class='btn primary'>Submit</span>"
        "</div></div></div>"
    )


def _pill(entry: Entry) -> str:
    whom = html.escape(entry.for_whom)
    where = html.escape(entry.where)
    pills = {
        "dm": f"<span class='pill dm'>✉ Direct message to {whom}</span>",
        "private": f"<span class='pill private'>◉ Only {whom} can see this</span>"
        f"<span class='pill chan'>{where}</span>",
        "update": f"<span class='pill update'>✎ Updated the message {whom} used</span>"
        f"<span class='pill chan'>{where}</span>",
        "reply": f"<span class='pill chan'>{where}</span>"
        f"<span class='pill'>In answer to {whom}</span>",
    }
    return pills.get(entry.how, f"<span class='pill chan'>{where}</span>")


def _message(entry: Entry, names: Names) -> str:
    message = entry.message or {}
    shown_in_embeds = _embedded_files(message)
    parts = []
    if message.get("content"):
        parts.append(f"<div class='content'>{render(str(message['content']), names)}</div>")
    parts += [_embed(e, entry, names) for e in message.get("embeds") or []]
    parts += _attachments(message, entry, shown_in_embeds)
    parts.append(_components(message.get("components") or [], entry, names))
    private = entry.how == "private" or (entry.how == "update" and _ephemeral(message))
    footer = (
        "<div class='eph'>◉ Only you can see this · <u>Dismiss message</u></div>" if private else ""
    )
    edited = " <span class='edited'>(edited)</span>" if entry.how == "update" else ""
    return (
        f"<article class='msg{' private' if private else ''}'><div class='where'>{_pill(entry)}"
        f"</div>{_avatar('bot', bot=True)}<div class='body'><div class='head'>"
        f"<b class='name bot'>participation-bot</b><span class='tag'>APP</span>{_when(entry)}"
        f"{edited}</div>{''.join(parts)}{footer}</div></article>"
    )


def _ephemeral(message: dict[str, Any]) -> bool:
    return bool(int(message.get("flags") or 0) & 64)


def _embedded_files(message: dict[str, Any]) -> set[str]:
    used: set[str] = set()
    for embed in message.get("embeds") or []:
        for key in ("image", "thumbnail"):
            url = str((embed.get(key) or {}).get("url") or "")
            if url.startswith("attachment://"):
                used.add(url.removeprefix("attachment://"))
    return used


def _file_uri(attachment: dict[str, Any], entry: Entry) -> tuple[str, str, int] | None:
    data = entry.files.get(str(attachment.get("id")))
    if data is None:
        return None
    name = str(attachment.get("filename") or "file")
    ctype = str(attachment.get("content_type") or "").split(";")[0].strip()
    if ctype in ("", "application/octet-stream"):
        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        ctype = "image/png"
    return f"data:{ctype};base64,{base64.b64encode(data).decode()}", ctype, len(data)


def _image(message: dict[str, Any], entry: Entry, url: str, cls: str) -> str:
    if not url.startswith("attachment://"):
        return ""
    name = url.removeprefix("attachment://")
    for attachment in message.get("attachments") or []:
        if attachment.get("filename") == name:
            found = _file_uri(attachment, entry)
            if found and found[1] in IMAGE_TYPES:
                return f"<img class='{cls}' src='{found[0]}' alt='{html.escape(name)}'>"
    return ""


def _attachments(message: dict[str, Any], entry: Entry, skip: set[str]) -> list[str]:
    out: list[str] = []
    for attachment in message.get("attachments") or []:
        name = str(attachment.get("filename") or "file")
        if name in skip:
            continue
        found = _file_uri(attachment, entry)
        if found and found[1] in IMAGE_TYPES:
            out.append(f"<img class='picture' src='{found[0]}' alt='{html.escape(name)}'>")
            continue
        size = int(attachment.get("size") or (found[2] if found else 0))
        href = f" href='{found[0]}' download='{html.escape(name)}'" if found else ""
        if found and found[2] > MAX_DOWNLOAD:
            href = ""
        out.append(
            f"<a class='file'{href}><span class='fileicon'>{FILE_ICON}</span><span><b>"
            f"{html.escape(name)}</b><small>{_size(size)}</small></span></a>"
        )
    return out


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(size, 1) / 1000:.1f} KB" if size >= 1000 else f"{size} bytes"


def _embed(embed: dict[str, Any], entry: Entry, names: Names) -> str:
    colour = embed.get("color")
    bar = f"#{int(colour):06x}" if isinstance(colour, int) else "#1e1f22"
    parts = []
    author = (embed.get("author") or {}).get("name")
    if author:
        parts.append(f"<div class='e-author'>{html.escape(str(author))}</div>")
    if embed.get("title"):
        title = render(str(embed["title"]), names)
        url = str(embed.get("url") or "")
        if url.startswith(("https://", "http://")):
            title = f"<a href='{html.escape(url, quote=True)}'>{title}</a>"
        parts.append(f"<div class='e-title'>{title}</div>")
    if embed.get("description"):
        parts.append(f"<div class='e-desc'>{render(str(embed['description']), names)}</div>")
    fields = embed.get("fields") or []
    if fields:
        cells = "".join(
            f"<div class='e-field' style='grid-column:{span}'><div class='e-name'>"
            f"{render(str(f.get('name') or ''), names)}</div><div class='e-value'>"
            f"{render(str(f.get('value') or ''), names)}</div></div>"
            for f, span in zip(fields, _spans(fields), strict=True)
        )
        parts.append(f"<div class='e-fields'>{cells}</div>")
    message = entry.message or {}
    image = _image(message, entry, str((embed.get("image") or {}).get("url") or ""), "e-image")
    thumb = _image(message, entry, str((embed.get("thumbnail") or {}).get("url") or ""), "e-thumb")
    footer = (embed.get("footer") or {}).get("text")
    stamp = embed.get("timestamp")
    bits = [html.escape(str(footer))] if footer else []
    if stamp:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
        bits.append(f"{moment.astimezone(names.tz):%d/%m/%Y %H:%M}")
    foot = f"<div class='e-foot'>{' • '.join(bits)}</div>" if bits else ""
    return (
        f"<div class='embed' style='border-left-color:{bar}'>{thumb}{''.join(parts)}{image}"
        f"{foot}</div>"
    )


def _spans(fields: list[dict[str, Any]]) -> list[str]:
    """Lay fields out as Discord does: up to three inline fields share a row equally."""
    spans: list[str] = []
    row: list[int] = []

    def close() -> None:
        width = 12 // len(row)
        spans.extend(f"{1 + i * width} / {1 + (i + 1) * width}" for i in range(len(row)))
        row.clear()

    for index, item in enumerate(fields):
        if not item.get("inline"):
            if row:
                close()
            spans.append("1 / 13")
            continue
        row.append(index)
        if len(row) == 3:
            close()
    if row:
        close()
    return spans


def _components(components: list[Any], entry: Entry, names: Names) -> str:
    out: list[str] = []
    for comp in components:
        if not isinstance(comp, dict):
            continue
        kind = comp.get("type")
        if kind == 1:
            inner = "".join(_control(c) for c in comp.get("components") or [])
            out.append(f"<div class='row'>{inner}</div>")
        elif kind == 10:
            out.append(
                f"<div class='content'>{render(str(comp.get('content') or ''), names)}</div>"
            )
        elif kind == 14:
            out.append("<hr class='sep'>")
        elif kind in (9, 17):
            inner = _components(list(comp.get("components") or []), entry, names)
            accessory = comp.get("accessory")
            if isinstance(accessory, dict) and accessory.get("type") == 2:
                inner += f"<div class='row'>{_control(accessory)}</div>"
            out.append(f"<div class='container'>{inner}</div>")
        else:
            out.append(f"<div class='row'>{_control(comp)}</div>")
    return "".join(out)


def _control(comp: dict[str, Any]) -> str:
    kind = comp.get("type")
    disabled = " disabled" if comp.get("disabled") else ""
    if kind == 2:
        style = BUTTON_STYLES.get(int(comp.get("style") or 2), "secondary")
        emoji = (comp.get("emoji") or {}).get("name") or ""
        label = " ".join(x for x in (str(emoji), str(comp.get("label") or "")) if x)
        arrow = " ↗" if style == "link" else ""
        return f"<span class='btn {style}{disabled}'>{html.escape(label)}{arrow}</span>"
    if kind in SELECT_TYPES:
        chosen = [str(o.get("label")) for o in comp.get("options") or [] if o.get("default")]
        text = ", ".join(chosen) or str(comp.get("placeholder") or SELECT_TYPES[kind] or "Choose")
        return (
            f"<span class='select{disabled}{' chosen' if chosen else ''}'><span>"
            f"{html.escape(text)}</span><span class='chev'>⌄</span></span>"
        )
    return ""
