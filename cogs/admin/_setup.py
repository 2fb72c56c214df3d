"""Make or link the roles and channels /setup plans, in Discord."""

from __future__ import annotations

from typing import Any

import discord

from bot.services.setup import ChannelSpec, SetupPlan, SetupRecord

STAFF_KEYS = ("worker", "moderator", "safeguarding")
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
        allowed = STAFF_KEYS if spec.staff_only else MEMBER_KEYS
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


async def apply_plan(
    guild: discord.Guild, plan: SetupPlan, previous: SetupRecord | None
) -> tuple[SetupRecord, list[str], list[str]]:
    """Create what is missing and link what exists; return the record, made and linked names."""
    run = _SetupRun(guild, plan, previous)
    roles = await run.roles()
    category = await run.category()
    channels = {spec.key: await run.channel(spec, category, roles) for spec in plan.channels}
    record = SetupRecord(
        role_ids={k: r.id for k, r in roles.items()},
        channel_ids={k: c.id for k, c in channels.items()},
        category_id=category.id,
    )
    return record, run.made, run.linked


class _SetupRun:
    """One /setup in one server: finds or makes each thing, noting which it did."""

    def __init__(self, guild: discord.Guild, plan: SetupPlan, previous: SetupRecord | None):
        self.guild = guild
        self.plan = plan
        self.previous = previous
        self.made: list[str] = []
        self.linked: list[str] = []

    async def roles(self) -> dict[str, discord.Role]:
        """Find or make each planned role."""
        roles: dict[str, discord.Role] = {}
        old_roles = self.previous.role_ids if self.previous else {}
        for role_spec in self.plan.roles:
            role = _find_role(self.guild, old_roles.get(role_spec.key), role_spec.name)
            if role is None:
                role = await self.guild.create_role(
                    name=role_spec.name, reason="participation-bot /setup"
                )
                self.made.append(f"role {role_spec.name}")
            else:
                self.linked.append(f"role {role.name}")
            roles[role_spec.key] = role
        return roles

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
                "what you can do, and **/jargon** if a word puzzles you."
            )
