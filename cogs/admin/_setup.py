"""Make or link the roles and channels /setup plans, in Discord."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import discord

from bot.services.setup import ChannelSpec, SetupPlan, SetupRecord
from cogs.admin._pings import silent_ping_warning, silent_pings

log = logging.getLogger(__name__)

STAFF_KEYS = ("worker", "moderator", "safeguarding")
# Moderators may be volunteers (even young people): #worker-log is for workers and admins.
WORKER_KEYS = ("worker",)
MEMBER_KEYS = ("member", "carer", *STAFF_KEYS)


def _find_role(guild: discord.Guild, role_id: int | None, name: str) -> discord.Role | None:
    if role_id is not None and (role := guild.get_role(role_id)) is not None:
        return role
    return discord.utils.find(lambda r: r.name.casefold() == name.casefold(), guild.roles)


def _overwrites(
    guild: discord.Guild, spec: ChannelSpec, roles: dict[str, discord.Role]
) -> dict[Any, discord.PermissionOverwrite]:
    me = guild.me
    result: dict[Any, discord.PermissionOverwrite] = {
        me: discord.PermissionOverwrite(
            view_channel=True,
            send_messages=True,
            manage_messages=True,
            create_private_threads=True,
            manage_threads=True,
            embed_links=True,
            attach_files=True,
            read_message_history=True,
        )
    }
    if spec.staff_only or spec.members_only:
        result[guild.default_role] = discord.PermissionOverwrite(view_channel=False)
        allowed = (
            WORKER_KEYS if spec.workers_only else STAFF_KEYS if spec.staff_only else MEMBER_KEYS
        )
        for key in allowed:
            if key in roles:
                result[roles[key]] = discord.PermissionOverwrite(view_channel=True)
    if spec.read_only:
        default = result.get(guild.default_role, discord.PermissionOverwrite())
        default.update(send_messages=False)
        result[guild.default_role] = default
        for key in STAFF_KEYS:
            if key in roles:
                current = result.get(roles[key], discord.PermissionOverwrite())
                current.update(view_channel=True, send_messages=True)
                result[roles[key]] = current
    return result


@dataclass
class Applied:
    """What one /setup ended with: the ids, what it made and linked, and what needs a human."""

    record: SetupRecord
    made: list[str]
    linked: list[str]
    warnings: list[str]


async def apply_plan(
    guild: discord.Guild, plan: SetupPlan, previous: SetupRecord | None
) -> Applied:
    """Create what is missing and link what exists; say what still needs an admin."""
    run = _SetupRun(guild, plan, previous)
    roles = await run.roles()
    category = await run.category()
    channels = {spec.key: await run.channel(spec, category, roles) for spec in plan.channels}
    record = SetupRecord(
        role_ids={k: r.id for k, r in roles.items()},
        channel_ids={k: c.id for k, c in channels.items()},
        category_id=category.id,
    )
    warnings = list(run.warnings)
    silent = silent_pings(guild, record.role_ids)
    if silent:
        warnings.append(silent_ping_warning(silent))
    return Applied(record, run.made, run.linked, warnings)


class _SetupRun:
    """One /setup in one server: finds or makes each thing, noting which it did."""

    def __init__(self, guild: discord.Guild, plan: SetupPlan, previous: SetupRecord | None):
        self.guild = guild
        self.plan = plan
        self.previous = previous
        self.made: list[str] = []
        self.linked: list[str] = []
        self.warnings: list[str] = []

    async def roles(self) -> dict[str, discord.Role]:
        """Find or make each planned role."""
        roles: dict[str, discord.Role] = {}
        old_roles = self.previous.role_ids if self.previous else {}
        for role_spec in self.plan.roles:
            # Staff roles are pinged for urgent support: a ping to a role nobody may mention
            # notifies no one unless the bot holds Mention Everyone.
            pinged = role_spec.key in STAFF_KEYS
            role = _find_role(self.guild, old_roles.get(role_spec.key), role_spec.name)
            if role is None:
                role = await self.guild.create_role(
                    name=role_spec.name, mentionable=pinged, reason="participation-bot /setup"
                )
                self.made.append(f"role {role_spec.name}")
            else:
                self.linked.append(f"role {role.name}")
                if pinged and not role.mentionable:
                    await self._make_mentionable(role)
            roles[role_spec.key] = role
        return roles

    async def _make_mentionable(self, role: discord.Role) -> None:
        """Let the bot's urgent pings reach a linked staff role (or say why it could not)."""
        me = self.guild.me
        # Discord lets a bot edit only roles below its own highest role: don't ask in vain.
        if me is not None and me.guild_permissions.manage_roles and role < me.top_role:
            try:
                await role.edit(mentionable=True, reason="participation-bot /setup: urgent pings")
                return
            except discord.HTTPException:
                pass
        log.warning("setup: could not make the %s role mentionable", role.name)
        self.warnings.append(
            f"I couldn't make the {role.name} role mentionable (move the bot's role above it, "
            "or change it in Server Settings → Roles)."
        )

    async def category(self) -> discord.CategoryChannel:
        """Find (by the recorded id, then by name) or make the Participation category."""
        name = self.plan.category_name
        category: discord.CategoryChannel | None = None
        if self.previous is not None:
            found = self.guild.get_channel(self.previous.category_id)
            category = found if isinstance(found, discord.CategoryChannel) else None
        if category is None:
            category = discord.utils.find(
                lambda c: c.name.casefold() == name.casefold(), self.guild.categories
            )
        if category is None:
            category = await self.guild.create_category(name, reason="participation-bot /setup")
            self.made.append(f"category {name}")
        else:
            self.linked.append(f"category {category.name}")
        return category

    async def channel(
        self,
        spec: ChannelSpec,
        category: discord.CategoryChannel,
        roles: dict[str, discord.Role],
    ) -> discord.TextChannel:
        """Find (by the recorded id, then by name in the category) or make one channel."""
        old = self.previous.channel_ids.get(spec.key) if self.previous else None
        found = self.guild.get_channel(old) if old is not None else None
        channel = found if isinstance(found, discord.TextChannel) else None
        if channel is None:
            channel = next((c for c in category.text_channels if c.name == spec.name), None)
        overwrites = _overwrites(self.guild, spec, roles)
        if channel is None:
            channel = await self.guild.create_text_channel(
                spec.name,
                category=category,
                topic=spec.topic,
                overwrites=overwrites,
                reason="participation-bot /setup",
            )
            self.made.append(f"#{spec.name}")
            await self._first_post(channel, spec)
            return channel
        self.linked.append(f"#{channel.name}")
        if spec.staff_only or spec.members_only:
            # A linked channel may be public: staff cards and member talk must not be.
            await channel.edit(overwrites=overwrites, reason="participation-bot /setup")
        return channel

    async def _first_post(self, channel: discord.TextChannel, spec: ChannelSpec) -> None:
        """Post what a new channel starts with: pinned guidelines, or the welcome."""
        if spec.key == "peer_support":
            guidelines = await channel.send(self.plan.guidelines)
            await guidelines.pin(reason="Peer-support guidelines")
        if spec.key == "welcome":
            await channel.send(
                "Welcome to the participation group! Young people and parents or carers "
                "help shape the service here. Use **/join** to sign up, **/help** to see "
                "what you can do, and **/jargon** if a word puzzles you. Once a worker "
                "approves your sign-up, #sessions, #polls and #peer-support open to you."
            )
