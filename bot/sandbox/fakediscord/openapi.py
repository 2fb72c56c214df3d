"""Validate REST requests against Discord's official OpenAPI 3.1 spec."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .model import Json

_SPEC_URI = "urn:discord-openapi"
_METHODS = ("get", "put", "post", "patch", "delete")


@dataclass
class Operation:
    """One spec operation: its id, template and the pointer to its JSON body schema."""

    operation_id: str
    method: str
    template: str
    body_pointer: str | None


_BITFIELDS = {"permissions", "allow", "deny", "default_member_permissions"}


def _accept_string_bitfields(node: Any) -> None:
    # Discord serialises permission bitfields as strings and accepts them in requests
    # (discord.py sends "1024"), but the spec types the request fields as integers.
    if isinstance(node, list):
        for item in node:
            _accept_string_bitfields(item)
        return
    if not isinstance(node, dict):
        return
    props = node.get("properties")
    if isinstance(props, dict):
        for name in _BITFIELDS & set(props):
            schema = props[name]
            types = schema.get("type") if isinstance(schema, dict) else None
            if (isinstance(types, list) and "integer" in types) or types == "integer":
                props[name] = {"anyOf": [schema, {"type": "string", "pattern": "^[0-9]+$"}]}
    for value in node.values():
        _accept_string_bitfields(value)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


_BITSET_FIELDS = ("permissions", "allow", "deny", "default_member_permissions")


def _accept_string_bitsets(schemas: Json) -> None:
    """Let permission bitsets be decimal strings too, as Discord documents and accepts.

    The spec types them as integers in request bodies, yet Discord serialises permissions as
    strings and discord.py sends them that way; only these fields are relaxed.
    """
    for name, schema in schemas.items():
        if not name.endswith(("Request", "RequestPartial")):
            continue
        for field, prop in (schema.get("properties") or {}).items():
            kinds = prop.get("type") if isinstance(prop, dict) else None
            if field in _BITSET_FIELDS and isinstance(kinds, list) and "integer" in kinds:
                schema["properties"][field] = {
                    "anyOf": [prop, {"type": "string", "pattern": "^[0-9]{1,20}$"}]
                }


class OpenApiSpec:
    """Match requests to spec operations and validate their bodies (validators cached)."""

    def __init__(self, path: Path) -> None:
        spec: Json = json.loads(path.read_text(encoding="utf-8"))
        # Discord accepts integer snowflakes although the spec only allows strings;
        # discord.py sends integers (recipient_id, role ids), so both must pass here.
        spec["components"]["schemas"]["SnowflakeType"] = {
            "anyOf": [
                {"type": "string", "pattern": "^(0|[1-9][0-9]*)$"},
                {"type": "integer", "minimum": 0},
            ]
        }
        _accept_string_bitsets(spec["components"]["schemas"])
        _accept_string_bitfields(spec)
        self._registry: Registry[Any] = Registry().with_resource(
            _SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012)
        )
        self._routes: list[tuple[re.Pattern[str], int, dict[str, Operation]]] = []
        for template, item in spec["paths"].items():
            ops: dict[str, Operation] = {}
            for method in _METHODS:
                op = item.get(method)
                if op is None:
                    continue
                pointer = None
                content = (op.get("requestBody") or {}).get("content") or {}
                if "application/json" in content:
                    parts = ["#", "paths", _escape(template), method, "requestBody"]
                    pointer = "/".join([*parts, "content", "application~1json", "schema"])
                ops[method.upper()] = Operation(
                    op["operationId"], method.upper(), template, pointer
                )
            pattern = re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", template) + "$")
            literals = sum(1 for seg in template.split("/") if seg and not seg.startswith("{"))
            self._routes.append((pattern, literals, ops))
        # Literal segments beat placeholders (`/messages/pins` before `/messages/{id}`).
        self._routes.sort(key=lambda r: -r[1])
        self._validators: dict[str, Draft202012Validator] = {}

    def operation(self, method: str, path: str) -> Operation | None:
        """Return the spec operation for a method and a path without the /api/vN prefix."""
        for pattern, _, ops in self._routes:
            if pattern.match(path):
                return ops.get(method.upper())
        return None

    def knows_path(self, path: str) -> bool:
        """Say whether any operation exists for this path."""
        return any(pattern.match(path) for pattern, _, _ in self._routes)

    def validate(self, op: Operation, body: Any) -> str | None:
        """Return a violation message if the body breaks the operation's schema."""
        if op.body_pointer is None or body is None:
            return None
        validator = self._validators.get(op.body_pointer)
        if validator is None:
            schema = {"$ref": _SPEC_URI + op.body_pointer}
            validator = Draft202012Validator(schema, registry=self._registry)
            self._validators[op.body_pointer] = validator
        error = best_match(validator.iter_errors(body))
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path) or "(body)"
        message = error.message if len(error.message) <= 300 else error.message[:297] + "..."
        return f"{op.operation_id} {op.method} {op.template}: at {where}: {message}"


_LOADED: dict[Path, OpenApiSpec] = {}


def load_spec(path: Path) -> OpenApiSpec:
    """Return the spec at path, parsed once per process (validators are shared too)."""
    key = path.resolve()
    spec = _LOADED.get(key)
    if spec is None:
        spec = _LOADED[key] = OpenApiSpec(key)
    return spec
