"""Route REST requests: parse JSON/multipart, validate against the spec, call a handler."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.multipart import content_disposition_filename, parse_content_disposition

from .faults import FaultPlan, failure_body
from .messaging import Upload
from .model import DiscordError, Json
from .openapi import OpenApiSpec
from .ratelimits import RateLimits
from .state import State

if TYPE_CHECKING:
    from .callbacks import InteractionRegistry

_log = logging.getLogger(__name__)
_FILE_FIELD = re.compile(r"^files\[(\d+)\]$")
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)

# (status, JSON body); a None body answers 204 No Content.
Reply = tuple[int, Any]
Handler = Callable[["Call"], Awaitable[Reply]]


@dataclass
class Env:
    """What handlers need: the state, the interactions and where files are served."""

    state: State
    interactions: InteractionRegistry
    http_base: str = ""
    gateway_url: str = ""
    shard_count: int = 1
    violations: list[str] = field(default_factory=list)
    faults: FaultPlan = field(default_factory=FaultPlan)
    rate_limits: RateLimits = field(default_factory=RateLimits)


@dataclass
class Call:
    """One parsed REST request."""

    env: Env
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    uploads: list[Upload]

    def id(self, name: str) -> int:
        """Return a path parameter as a snowflake (404 if it is not one)."""
        raw = self.params[name]
        if raw == "@me" and name == "user_id":
            return self.env.state.bot_user_id
        if not raw.isdigit():
            raise DiscordError(404, 0, "404: Not Found")
        return int(raw)

    def json(self) -> Json:
        """Return the body as an object (an empty one when absent)."""
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise DiscordError(
                400, 50109, "The request body contains invalid JSON.", violation=True
            )
        return self.body


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    """Answer JSON with Content-Type exactly application/json (discord.py checks it)."""
    if body is None:
        return web.Response(status=204, headers=headers)
    data = json.dumps(body).encode()
    return web.Response(
        status=status, body=data, headers={**(headers or {}), "Content-Type": "application/json"}
    )


class Router:
    """Map method + path template to handlers; literal segments win over placeholders."""

    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], int, str, str, Handler]] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Register a handler for a method and a path template."""
        pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")
        literals = sum(1 for seg in template.split("/") if seg and not seg.startswith("{"))
        self._routes.append((pattern, literals, method, template, handler))
        self._routes.sort(key=lambda r: -r[1])

    def route(self, method: str, template: str) -> Callable[[Handler], Handler]:
        """Register the decorated handler."""

        def deco(handler: Handler) -> Handler:
            self.add(method, template, handler)
            return handler

        return deco

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        """Return the handler and path parameters for a request, if any."""
        for pattern, _, m, _, handler in self._routes:
            if m != method:
                continue
            found = pattern.match(path)
            if found:
                return handler, found.groupdict()
        return None


async def _read_body(request: web.Request) -> tuple[Any, list[Upload]]:
    if not request.can_read_body:
        return None, []
    raw = await request.read()
    ctype = request.headers.get("Content-Type", "")
    if ctype.lower().startswith("multipart/"):
        return _multipart(raw, ctype)
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None


def _multipart(raw: bytes, ctype: str) -> tuple[Any, list[Upload]]:
    """Read a multipart/form-data body: its payload_json and its files[n] parts.

    Split by hand (the body is already in memory): aiohttp's reader parses every header
    through the email package, which made the stand-in slower than the bots it measures.
    """
    found = _BOUNDARY.search(ctype)
    if found is None:
        raise DiscordError(400, 50035, "Invalid Form Body: no multipart boundary")
    body: Any = None
    uploads: list[Upload] = []
    # A delimiter is a line of its own: CRLF, "--", the boundary (the first has no CRLF).
    delimiter = b"\r\n--" + found.group(1).strip().encode("latin-1")
    parts = 0
    for chunk in (b"\r\n" + raw).split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        head, gap, data = chunk.partition(b"\r\n\r\n")
        if not gap:
            continue
        parts += 1
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon:
                headers[key.strip().lower()] = value.strip()
        _, params = parse_content_disposition(headers.get("content-disposition"))
        name = content_disposition_filename(params, "name") or ""
        if name == "payload_json":
            body = json.loads(data.decode())
        elif (m := _FILE_FIELD.match(name)) is not None:
            uploads.append(
                Upload(
                    int(m.group(1)),
                    content_disposition_filename(params, "filename") or f"file{m.group(1)}",
                    headers.get("content-type", "application/octet-stream"),
                    bytes(data),
                )
            )
    if not parts:
        raise DiscordError(400, 50035, "Invalid Form Body: no part found by its boundary")
    uploads.sort(key=lambda u: u.index)
    return body, uploads


async def serve(
    env: Env, router: Router, spec: OpenApiSpec | None, prefix: str, request: web.Request
) -> web.Response:
    """Handle one REST request end to end, recording violations."""
    method = request.method
    path = request.path[len(prefix) :] or "/"
    where = f"{method} {path}"
    try:
        body, uploads = await _read_body(request)
        if spec is not None:
            op = spec.operation(method, path)
            if op is None:
                env.violations.append(f"not in the OpenAPI spec: {where}")
            else:
                problem = spec.validate(op, body)
                if problem is not None:
                    env.violations.append(f"schema violation: {problem}")
                    errors = {"_errors": [{"code": "SCHEMA", "message": problem}]}
                    return json_response(
                        400, DiscordError(400, 50035, "Invalid Form Body", errors).body()
                    )
        found = router.match(method, path)
        if found is None:
            env.violations.append(f"unknown route: {where}")
            return json_response(404, {"message": "404: Not Found", "code": 0})
        handler, params = found
        limits = env.rate_limits.check(method, path)
        if limits.refused is not None:  # over a rate limit: refused, nothing done
            return json_response(429, *limits.refused)
        fault = env.faults.take(method, path)
        if fault is not None and not fault.after_effect:
            return json_response(fault.status, *failure_body(fault.status))
        call = Call(env, method, path, params, dict(request.query), body, uploads)
        status, out = await handler(call)
        if fault is not None:  # done, but the reply is lost: the caller sees only the failure
            return json_response(fault.status, *failure_body(fault.status))
        return json_response(status, out, limits.headers)
    except DiscordError as err:
        if err.violation:
            env.violations.append(f"rejected {where}: {err.code} {err.message} {err.errors or ''}")
        return json_response(err.status, err.body())
    except Exception as exc:  # a fake bug must surface in the test, not as a hung bot
        _log.exception("fake discord failed on %s", where)
        env.violations.append(f"fake discord error on {where}: {exc!r}")
        # 400, not 500: discord.py retries 5xx with back-off, which would stall the test.
        return json_response(400, {"message": f"fake discord error: {exc!r}", "code": 0})
