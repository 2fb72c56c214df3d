"""A local stand-in for Discord (REST + gateway) for end-to-end tests and demos."""

from .commands import CommandError
from .discordpy import point_discord_py_at, restore_discord_py
from .interaction import Interaction, Modal, ModalField
from .server import FakeDiscord

__all__ = [
    "CommandError",
    "FakeDiscord",
    "Interaction",
    "Modal",
    "ModalField",
    "point_discord_py_at",
    "restore_discord_py",
]
