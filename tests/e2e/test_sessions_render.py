"""Everything the sessions cog renders stays inside Discord's limits, whatever was typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.sessions import QuorumAlert, SessionReminder, SessionView
from cogs.sessions._render import announcement_embed, quorum_text, reminder_text

TZ = ZoneInfo("Europe/London")
START = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
LINK = "https://zoom.us/j/" + "9" * 480


def view(title: str, agenda: str | None, place: str | None, **changes: object) -> SessionView:
    values: dict[str, object] = {
        "id": 1,
        "guild_id": 2,
        "series_id": None,
        "title": title,
        "agenda": agenda,
        "starts_at": START,
        "ends_at": START + timedelta(hours=8),
        "duration_minutes": 480,
        "local_text": "Thursday 10 December 2026, 5:00pm to 1:00am (UK time)",
        "online": True,
        "place": place,
        "locality": None,
        "capacity": 500,
        "audience": "everyone",
        "audience_value": None,
        "audience_text": "everyone in the group",
        "papers_url": LINK,
        "status": "scheduled",
        "sequence": 0,
        "going": 500,
        "maybe": 9999,
        "cant": 9999,
        "waitlisted": 9999,
        "discord_event_id": None,
        "announce_channel_id": None,
        "announce_message_id": None,
        "minutes": "x" * 4000,
        "created_by": None,
    }
    values.update(changes)
    return SessionView(**values)  # type: ignore[arg-type]


def embed_size(embed_dict: dict) -> int:
    total = len(embed_dict.get("title", "")) + len(embed_dict.get("description", ""))
    total += len((embed_dict.get("footer") or {}).get("text", ""))
    for field in embed_dict.get("fields", []):
        total += len(field["name"]) + len(field["value"])
    return total


text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=1500)


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(min_size=1, max_size=100),
    agenda=st.one_of(st.none(), text),
    place=st.one_of(st.none(), st.text(max_size=200)),
    cancelled=st.booleans(),
)
def test_announcement_fits(
    title: str, agenda: str | None, place: str | None, cancelled: bool
) -> None:
    embed = announcement_embed(
        view(title, agenda, place, status="cancelled" if cancelled else "scheduled"), TZ
    ).to_dict()
    assert len(embed.get("title", "")) <= 256
    assert len(embed.get("description", "")) <= 4096
    assert len(embed.get("fields", [])) <= 25
    assert all(len(f["value"]) <= 1024 and len(f["name"]) <= 256 for f in embed["fields"])
    assert embed_size(embed) <= 6000
    assert LINK not in str(embed.get("fields")) or "Papers" in str(embed.get("fields"))
    assert "zoom.us" not in str([f for f in embed["fields"] if f["name"] == "Where"])


@settings(max_examples=60, deadline=None)
@given(title=st.text(min_size=1, max_size=100), name=st.text(min_size=1, max_size=64))
def test_messages_fit(title: str, name: str) -> None:
    reminder = SessionReminder(
        reminder_id=1,
        session_id=1,
        guild_id=2,
        member_id=3,
        user_id=4,
        preferred_name=name,
        kind="24h",
        title=title,
        agenda="a" * 1500,
        starts_at=START,
        ends_at=START + timedelta(hours=8),
        local_text="Thursday 10 December 2026, 5:00pm to 1:00am (UK time)",
        place="p" * 200,
        online_link=LINK,
        papers_url=LINK,
        sequence=0,
        due_at=START - timedelta(hours=24),
        late_minutes=90,
    )
    body = reminder_text(reminder, TZ)
    assert len(body) <= 2000 and "Thursday 10 December 2026" in body
    assert LINK in body  # stated in full, never clipped away
    alert = QuorumAlert(1, 2, title, START, "x", 1, 3, None, None)
    assert len(quorum_text(alert, TZ)) <= 2000
