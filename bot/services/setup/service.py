"""What /setup makes in a server, and the record of what it made or linked."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models import GuildConfig, LevelRole
from bot.services.access import Actor
from bot.services.base import Service
from bot.services.errors import NotAllowed
from bot.settings import Settings

CATEGORY_NAME = "Participation"


def peer_support_guidelines(settings: Settings) -> str:
    """Return the pinned peer-support guidelines, with the configured crisis contacts."""
    contacts = "\n".join(f"• **{r.name}**: {r.detail}" for r in settings.support.crisis_resources)
    return (
        "**Peer support: how we look after each other here**\n"
        "1. Be kind. Everyone here has their own story; listen first.\n"
        "2. Keep it private: what people share here stays here.\n"
        "3. Share your experience, not advice about medication or diagnosis.\n"
        "4. This space is not watched all the time. If you need help, use /support. "
        "If you need help now:\n"
        f"{contacts}\n"
        "5. If something here worries you, right-click the message and choose "
        "Apps → Report to moderators.\n"
        "Messages that suggest someone may be at risk are never deleted; the person is offered "
        "help and a moderator is told."
    )[:2000]


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only server admins (with Manage Server) can run /setup.")


@dataclass(frozen=True)
class RoleSpec:
    """A role /setup makes or links; `key` names the GuildConfig column or level."""

    key: str
    name: str
    level_key: str | None = None


@dataclass(frozen=True)
class ChannelSpec:
    """A text channel under the Participation category."""

    key: str
    name: str
    topic: str
    staff_only: bool = False
    members_only: bool = False
    read_only: bool = False
    # Workers (and admins) only: sign-up cards, expenses and notes about people's health.
    workers_only: bool = False


@dataclass(frozen=True)
class SetupPlan:
    """Everything /setup should find or make."""

    category_name: str
    roles: list[RoleSpec]
    channels: list[ChannelSpec]
    guidelines: str


@dataclass(frozen=True)
class SetupRecord:
    """The ids /setup ended up with (made or linked)."""

    role_ids: dict[str, int]
    channel_ids: dict[str, int]
    category_id: int


class SetupService(Service):
    """Plan and record the roles and channels of a server."""

    def plan(self, actor: Actor) -> SetupPlan:
        """Return what /setup makes; only server admins may run it."""
        _require_admin(actor)
        roles = [
            RoleSpec("member", "Member"),
            RoleSpec("carer", "Carer"),
            RoleSpec("worker", "Worker"),
            RoleSpec("moderator", "Moderator"),
            RoleSpec("safeguarding", "Safeguarding Lead"),
        ]
        roles += [
            RoleSpec(f"level:{lvl.key}", f"Level: {lvl.name}", level_key=lvl.key)
            for lvl in self.settings_for(actor.guild_id).ladder.levels
        ]
        channels = [
            ChannelSpec(
                "welcome",
                "welcome",
                "Start here: use /join to sign up. Sessions, polls and peer support open to "
                "you once a worker approves your sign-up.",
                read_only=True,
            ),
            ChannelSpec(
                "announcements",
                "announcements",
                "News, opportunities and 'you said, we did'.",
                read_only=True,
            ),
            ChannelSpec(
                "sessions",
                "sessions",
                "Upcoming sessions: reply with the buttons.",
                members_only=True,
                read_only=True,
            ),
            ChannelSpec(
                "polls",
                "polls",
                "Quick polls: vote with the buttons.",
                members_only=True,
                read_only=True,
            ),
            ChannelSpec(
                "peer_support",
                "peer-support",
                "Peer support between members. Read the pinned guidelines.",
                members_only=True,
            ),
            ChannelSpec(
                "support_queue", "support-queue", "Staff only: support requests.", staff_only=True
            ),
            ChannelSpec(
                "worker_log",
                "worker-log",
                "Participation workers only: sign-ups, claims and the log.",
                staff_only=True,
                workers_only=True,
            ),
        ]
        return SetupPlan(
            CATEGORY_NAME,
            roles,
            channels,
            peer_support_guidelines(self.settings_for(actor.guild_id)),
        )

    async def current(self, guild_id: int) -> SetupRecord | None:
        """Return the ids recorded by an earlier /setup, if any."""
        async with self.db.begin() as s:
            config = await s.get(GuildConfig, guild_id)
            if config is None or config.category_id is None:
                return None
            roles = {
                key: getattr(config, f"{key}_role_id")
                for key in ("member", "carer", "worker", "moderator", "safeguarding")
            }
            level_rows = await s.execute(
                LevelRole.__table__.select().where(LevelRole.guild_id == guild_id)
            )
            for row in level_rows:
                roles[f"level:{row.level_key}"] = row.role_id
            channels = {
                key: getattr(config, f"{key}_channel_id")
                for key in (
                    "welcome",
                    "announcements",
                    "sessions",
                    "polls",
                    "peer_support",
                    "support_queue",
                    "worker_log",
                )
            }
            return SetupRecord(
                role_ids={k: v for k, v in roles.items() if v is not None},
                channel_ids={k: v for k, v in channels.items() if v is not None},
                category_id=config.category_id,
            )

    async def record(self, actor: Actor, record: SetupRecord) -> None:
        """Store the ids /setup made or linked (one transaction)."""
        _require_admin(actor)
        async with self.db.begin() as s:
            config = await s.get(GuildConfig, actor.guild_id)
            if config is None:
                config = GuildConfig(guild_id=actor.guild_id)
                s.add(config)
            for key, role_id in record.role_ids.items():
                if key.startswith("level:"):
                    level_key = key.split(":", 1)[1]
                    row = await s.get(LevelRole, (actor.guild_id, level_key))
                    if row is None:
                        await s.flush()
                        s.add(
                            LevelRole(guild_id=actor.guild_id, level_key=level_key, role_id=role_id)
                        )
                    else:
                        row.role_id = role_id
                else:
                    setattr(config, f"{key}_role_id", role_id)
            for key, channel_id in record.channel_ids.items():
                setattr(config, f"{key}_channel_id", channel_id)
            config.category_id = record.category_id
            config.setup_at = self.clock.now()

    async def level_role_ids(self, guild_id: int) -> dict[str, int]:
        """Return level key -> role id for a server."""
        record = await self.current(guild_id)
        if record is None:
            return {}
        return {k.split(":", 1)[1]: v for k, v in record.role_ids.items() if k.startswith("level:")}
