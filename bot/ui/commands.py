"""Declaring a slash command once: its name, who it is for, its options' help, server only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from discord import app_commands

Declared = Callable[[Callable[..., Any]], app_commands.Command[Any, ..., Any]]


def command(
    group: app_commands.Group | None,
    name: str,
    description: str,
    who: str = "worker",
    /,
    **described: str,
) -> Declared:
    """Declare a server-only slash command (in `group`, if any) for `who`, its options described.

    `who` ("worker" or "member") is kept in the command's extras for the command list; the
    keyword arguments describe the options, as `app_commands.describe` does.
    """

    def declare(callback: Callable[..., Any]) -> app_commands.Command[Any, ..., Any]:
        callback = app_commands.guild_only()(callback)
        if described:
            callback = app_commands.describe(**described)(callback)
        make = group.command if group is not None else app_commands.command
        return make(name=name, description=description, extras={"audience": who})(callback)

    return declare
