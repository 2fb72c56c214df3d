"""The stand-in reads a multipart body (payload_json and files) as aiohttp's own reader does."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from aiohttp import BodyPartReader, MultipartReader
from aiohttp.streams import StreamReader

from bot.sandbox.fakediscord.model import DiscordError
from bot.sandbox.fakediscord.router import _multipart


class _Sink:
    def __init__(self) -> None:
        self.data = bytearray()

    async def write(self, chunk: bytes) -> None:
        self.data += chunk


async def _encoded(files: list[tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """Build the body as discord.py does (aiohttp FormData): payload_json, then files[n]."""
    form = aiohttp.FormData(quote_fields=True)
    form.add_field("payload_json", json.dumps({"content": "Here’s your file"}))
    for i, (name, data, ctype) in enumerate(files):
        form.add_field(f"files[{i}]", data, filename=name, content_type=ctype)
    writer = form()
    sink = _Sink()
    await writer.write(sink)  # type: ignore[arg-type]
    return bytes(sink.data), writer.headers["Content-Type"]


async def _aiohttp_reads(raw: bytes, ctype: str) -> tuple[Any, list[tuple[str, str, bytes]]]:
    """Read the same body with aiohttp's MultipartReader, the reference."""

    class _Protocol:
        _reading_paused = False

        def pause_reading(self) -> None: ...

        def resume_reading(self, resume_parser: bool = True) -> None: ...

    stream = StreamReader(_Protocol(), 2**16, loop=asyncio.get_running_loop())  # type: ignore[arg-type]
    stream.feed_data(raw)
    stream.feed_eof()
    reader = MultipartReader({"Content-Type": ctype}, stream)
    body, files = None, []
    while (part := await reader.next()) is not None:
        assert isinstance(part, BodyPartReader)
        data = bytes(await part.read())
        if part.name == "payload_json":
            body = json.loads(data)
        else:
            files.append((part.filename or "", part.headers.get("Content-Type", ""), data))
    return body, files


@pytest.mark.asyncio
async def test_files_and_payload_read_as_aiohttp_reads_them() -> None:
    files = [
        ("session-7.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),
        ("chart – café.png", bytes(range(256)) * 3 + b"\r\n--", "image/png"),
        ("empty.txt", b"", "text/plain"),
    ]
    raw, ctype = await _encoded(files)
    body, uploads = _multipart(raw, ctype)
    expected_body, expected = await _aiohttp_reads(raw, ctype)
    assert body == expected_body == {"content": "Here’s your file"}
    assert [(u.filename, u.content_type, u.data) for u in uploads] == expected
    assert [u.data for u in uploads] == [data for _, data, _ in files]
    assert [u.index for u in uploads] == [0, 1, 2]


def test_a_body_without_a_boundary_is_refused() -> None:
    with pytest.raises(DiscordError):
        _multipart(b"--x\r\n\r\n", "multipart/form-data")


def test_the_boundary_counts_only_at_the_start_of_a_line() -> None:
    raw = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="payload_json"\r\n\r\n'
        b'{"content": "x"}\r\n'
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="files[0]"; filename="a.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n"
        b"line one --XyZ is not a delimiter here\r\nline two\r\n"
        b"--XyZ--\r\n"
    )
    body, uploads = _multipart(raw, "multipart/form-data; boundary=XyZ ")
    assert body == {"content": "x"}
    assert uploads[0].data == b"line one --XyZ is not a delimiter here\r\nline two"


def test_a_body_not_split_by_its_boundary_is_refused() -> None:
    with pytest.raises(DiscordError):
        _multipart(b"--XyZ\npayload\n--XyZ--\n", "multipart/form-data; boundary=XyZ")
