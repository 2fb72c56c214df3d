"""What the sessions services share: forms, views, events and the lookups they all need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import GroupSession, Member, SessionRsvp
from bot.services.errors import InvalidInput, NotFound
from bot.services.timeparse import format_local, format_local_range
from bot.settings import Settings

TITLE_MAX = 100
AGENDA_MAX = 1500
PLACE_MAX = 200
URL_MAX = 500
REASON_MAX = 500
MINUTES_MAX = 4000
COMMENT_MAX = 1000
DURATION_MIN, DURATION_MAX = 15, 480
CAPACITY_MAX = 500
SERIES_MAX = 12
REPLIES = {"going": "Going", "maybe": "Maybe", "cant": "Can't go"}
AUDIENCES = ("everyone", "locality", "level")
REPEATS = {"weekly": 7, "fortnightly": 14, "monthly": 0}
LISTENED = {"yes": "Yes", "partly": "Partly", "no": "No"}
PAPERS = "papers"


class Keep(Enum):
    """Marks a field an edit leaves as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class SessionForm:
    """What a worker typed to schedule a session (start is UK local time, as typed)."""

    title: str
    start: str
    duration_minutes: int
    agenda: str | None = None
    online_link: str | None = None
    place: str | None = None
    locality: str | None = None
    capacity: int | None = None
    audience: str = "everyone"
    audience_value: str | None = None
    papers_url: str | None = None
    repeat: str | None = None
    repeat_count: int | None = None
    repeat_until: str | None = None


@dataclass(frozen=True)
class SessionEdit:
    """The fields a worker changes; anything left as KEEP stays as it is."""

    title: str | Keep = KEEP
    start: str | Keep = KEEP
    duration_minutes: int | Keep = KEEP
    agenda: str | None | Keep = KEEP
    online_link: str | None | Keep = KEEP
    place: str | None | Keep = KEEP
    locality: str | None | Keep = KEEP
    capacity: int | None | Keep = KEEP
    audience: str | Keep = KEEP
    audience_value: str | None | Keep = KEEP
    papers_url: str | None | Keep = KEEP


@dataclass(frozen=True)
class SessionView:
    """A session as anyone may see it: deliberately without the online link."""

    id: int
    guild_id: int
    series_id: int | None
    title: str
    agenda: str | None
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    local_text: str
    online: bool
    place: str | None
    locality: str | None
    capacity: int | None
    audience: str
    audience_value: str | None
    audience_text: str
    papers_url: str | None
    status: str
    sequence: int
    going: int
    maybe: int
    cant: int
    waitlisted: int
    discord_event_id: int | None
    announce_channel_id: int | None
    announce_message_id: int | None
    minutes: str | None
    created_by: int | None

    @property
    def spaces_left(self) -> int | None:
        """Return how many places are free, or None when there is no limit."""
        return None if self.capacity is None else max(self.capacity - self.going, 0)


@dataclass(frozen=True)
class Recipient:
    """Someone to tell about a session (a reply, a place, a cancellation, a feedback form)."""

    session_id: int
    member_id: int
    user_id: int
    preferred_name: str
    reply: str | None
    dm_opt_in: bool


@dataclass(frozen=True)
class Promotion:
    """A member moved off the waitlist into a place; the cog tells them, with the link."""

    session: SessionView
    member_id: int
    user_id: int
    preferred_name: str
    online_link: str | None


@dataclass(frozen=True)
class SessionReminder:
    """A reminder DM that is due: everything the message needs, stated in full."""

    reminder_id: int
    session_id: int
    guild_id: int
    member_id: int
    user_id: int
    preferred_name: str
    kind: str
    title: str
    agenda: str | None
    starts_at: datetime
    ends_at: datetime
    local_text: str
    place: str | None
    online_link: str | None
    papers_url: str | None
    sequence: int
    due_at: datetime
    late_minutes: int


@dataclass(frozen=True)
class QuorumAlert:
    """Too few members are going to a session: tell the workers in worker-log."""

    session_id: int
    guild_id: int
    title: str
    starts_at: datetime
    local_text: str
    going: int
    needed: int
    worker_log_channel_id: int | None
    created_by: int | None


@dataclass(frozen=True)
class SessionEnded:
    """A session has ended and nobody has marked attendance yet: prompt the workers."""

    session_id: int
    guild_id: int
    title: str
    starts_at: datetime
    local_text: str
    going: int
    worker_log_channel_id: int | None
    created_by: int | None


def check_url(value: str | None, field: str) -> str | None:
    """Return a cleaned http(s) link, None for empty, or explain what is wrong."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > URL_MAX:
        raise InvalidInput(f"The {field} is too long: the most is {URL_MAX} characters.")
    parts = urlsplit(text)
    if (
        parts.scheme.lower() not in {"http", "https"}
        or not parts.netloc
        or any(c.isspace() for c in text)
        or ("." not in parts.netloc.split(":")[0] and parts.netloc.split(":")[0] != "localhost")
    ):
        raise InvalidInput(
            f"The {field} must be a web address starting with https://, "
            "like https://zoom.us/j/123456789."
        )
    return text


def audience_text(settings: Settings, audience: str, value: str | None) -> str:
    """Describe who a session is for, in plain words."""
    if audience == "locality":
        return f"members in {value}"
    if audience == "level":
        names = {level.key: level.name for level in settings.ladder.levels}
        return f"members at the {names.get(value or '', value)} level"
    return "everyone in the group"


def in_audience(session: GroupSession, member: Member) -> bool:
    """Tell whether a member is among the people a session is for."""
    if session.audience == "locality":
        return member.locality == session.audience_value
    if session.audience == "level":
        return member.level_key == session.audience_value
    return True


class SessionsBase:
    """State and lookups every part of the sessions service uses."""

    def __init__(
        self, settings: Settings, db: async_sessionmaker[AsyncSession], clock: Clock
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock

    @property
    def tz(self) -> ZoneInfo:
        """Return the display time zone."""
        return self.settings.tz

    def local(self, moment: datetime) -> str:
        """Show an instant in UK time."""
        return format_local(moment, self.tz)

    async def _get(
        self, s: AsyncSession, guild_id: int, session_id: int, *, lock: bool = False
    ) -> GroupSession:
        stmt = select(GroupSession).where(GroupSession.id == session_id)
        if lock:
            # Serialises replies to one session on PostgreSQL (SQLite already serialises
            # writers with BEGIN IMMEDIATE), so capacity is never overshot.
            stmt = stmt.with_for_update()
        found = await s.scalar(stmt)
        if found is None or found.guild_id != guild_id:
            raise NotFound("That session no longer exists.")
        return found

    async def _counts(self, s: AsyncSession, ids: list[int]) -> dict[int, dict[str, int]]:
        counts: dict[int, dict[str, int]] = {
            i: {"going": 0, "maybe": 0, "cant": 0, "waitlisted": 0} for i in ids
        }
        if not ids:
            return counts
        bucket = case(
            (SessionRsvp.waitlisted.is_(True), "waitlisted"),
            else_=SessionRsvp.reply,
        )
        rows = await s.execute(
            select(SessionRsvp.session_id, bucket, func.count())
            .where(SessionRsvp.session_id.in_(ids))
            .group_by(SessionRsvp.session_id, bucket)
        )
        for session_id, name, number in rows:
            counts[session_id][name] = number
        return counts

    def _view(self, gs: GroupSession, counts: dict[str, int]) -> SessionView:
        return SessionView(
            id=gs.id,
            guild_id=gs.guild_id,
            series_id=gs.series_id,
            title=gs.title,
            agenda=gs.agenda,
            starts_at=gs.starts_at,
            ends_at=gs.ends_at,
            duration_minutes=gs.duration_minutes,
            local_text=format_local_range(gs.starts_at, gs.ends_at, self.tz),
            online=gs.online_link is not None,
            place=gs.place,
            locality=gs.locality,
            capacity=gs.capacity,
            audience=gs.audience,
            audience_value=gs.audience_value,
            audience_text=audience_text(self.settings, gs.audience, gs.audience_value),
            papers_url=gs.papers_url,
            status=gs.status,
            sequence=gs.sequence,
            going=counts.get("going", 0),
            maybe=counts.get("maybe", 0),
            cant=counts.get("cant", 0),
            waitlisted=counts.get("waitlisted", 0),
            discord_event_id=gs.discord_event_id,
            announce_channel_id=gs.announce_channel_id,
            announce_message_id=gs.announce_message_id,
            minutes=gs.minutes,
            created_by=gs.created_by,
        )

    async def _views(self, s: AsyncSession, rows: list[GroupSession]) -> list[SessionView]:
        counts = await self._counts(s, [r.id for r in rows])
        return [self._view(r, counts[r.id]) for r in rows]

    async def _one_view(self, s: AsyncSession, gs: GroupSession) -> SessionView:
        return (await self._views(s, [gs]))[0]

    async def view(self, guild_id: int, session_id: int) -> SessionView:
        """Return a session's public view (for rendering announcements and buttons)."""
        async with self.db.begin() as s:
            return await self._one_view(s, await self._get(s, guild_id, session_id))

    async def _repliers(
        self, s: AsyncSession, session_ids: list[int], *, include_cant: bool = True
    ) -> list[Recipient]:
        if not session_ids:
            return []
        stmt = (
            select(SessionRsvp, Member)
            .join(Member, Member.id == SessionRsvp.member_id)
            .where(SessionRsvp.session_id.in_(session_ids))
            .order_by(SessionRsvp.session_id, SessionRsvp.id)
        )
        if not include_cant:
            stmt = stmt.where(SessionRsvp.reply != "cant")
        return [
            Recipient(
                session_id=rsvp.session_id,
                member_id=member.id,
                user_id=member.user_id,
                preferred_name=member.preferred_name,
                reply=rsvp.reply,
                dm_opt_in=member.dm_opt_in,
            )
            for rsvp, member in (await s.execute(stmt)).all()
        ]
