"""What a worker types to schedule or change a session, and the limits on it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

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
REPEATS = {"weekly": 7, "fortnightly": 14, "monthly": 0}
LISTENED = {"yes": "Yes", "partly": "Partly", "no": "No"}
PAPERS = "papers"
# Stored as they are typed; the start (it moves a series) and the audience are handled apart.
PLAIN_FIELDS = (
    "title agenda duration_minutes online_link place locality capacity papers_url".split()
)


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
