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
    made: list[str] = []
    linked: list[str] = []
    roles: dict[str, discord.Role] = {}
    old_roles = previous.role_ids if previous else {}
    for role_spec in plan.roles:
        role = _find_role(guild, old_roles.get(role_spec.key), role_spec.name)
        if role is None:
            role = await guild.create_role(name=role_spec.name, reason="participation-bot /setup")
            made.append(f"role {role_spec.name}")
        else:
            linked.append(f"role {role.name}")
        roles[role_spec.key] = role

    category: discord.CategoryChannel | None = None
    if previous is not None:
        found = guild.get_channel(previous.category_id)
        category = found if isinstance(found, discord.CategoryChannel) else None
    if category is None:
        category = discord.utils.find(
            lambda c: c.name.casefold() == plan.category_name.casefold(), guild.categories
        )
    if category is None:
        category = await guild.create_category(
            plan.category_name, reason="participation-bot /setup"
        )
        made.append(f"category {plan.category_name}")
    else:
        linked.append(f"category {category.name}")

    channels: dict[str, discord.TextChannel] = {}
    old_channels = previous.channel_ids if previous else {}
    for spec in plan.channels:
        channel: discord.TextChannel | None = None
        old = old_channels.get(spec.key)
        if old is not None and isinstance(found := guild.get_channel(old), discord.TextChannel):
            channel = found
        if channel is None:
            channel = next((c for c in category.text_channels if c.name == spec.name), None)
        if channel is None:
            channel = await guild.create_text_channel(
                spec.name,
                category=category,
                topic=spec.topic,
                overwrites=_overwrites(guild, spec, roles),
                reason="participation-bot /setup",
            )
            made.append(f"#{spec.name}")
            if spec.key == "peer_support":
                guidelines = await channel.send(plan.guidelines)
                await guidelines.pin(reason="Peer-support guidelines")
            if spec.key == "welcome":
                await channel.send(
                    "Welcome to the participation group! Young people and parents or carers "
                    "help shape the service here. Use **/join** to sign up, **/help** to see "
                    "what you can do, and **/jargon** if a word puzzles you."
                )
        else:
            linked.append(f"#{channel.name}")
            if spec.staff_only or spec.members_only:
                # A linked channel may be public: staff cards and member talk must not be.
                await channel.edit(
                    overwrites=_overwrites(guild, spec, roles), reason="participation-bot /setup"
                )
        channels[spec.key] = channel
    record = SetupRecord(
        role_ids={k: r.id for k, r in roles.items()},
        channel_ids={k: c.id for k, c in channels.items()},
        category_id=category.id,
    )
    return record, made, linked
