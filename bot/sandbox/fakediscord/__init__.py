"""A local stand-in for Discord (REST + gateway) for end-to-end tests and demos.

Typical use::

    fake = FakeDiscord(Path("../shared/discord-api-spec/openapi.json"))
    await fake.start()
    point_discord_py_at(fake.api_base, fake.gateway_url)
    owner = fake.create_user("Olivia")
    guild_id = fake.create_guild("Youth Voices", owner)
    # start the bot (guild_ready_timeout=0.05 makes on_ready quick), then act as users:
    handle = await fake.invoke(owner, guild_id, "profile")
    await handle.response()
    assert fake.violations == []
"""

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
