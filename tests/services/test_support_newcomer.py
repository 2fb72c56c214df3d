"""Support for someone new and anxious: "I'm not safe right now", and a short first answer."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import OutboxItem
from bot.services.container import Services
from bot.services.support import RERAISE, SPACE_LINK
from tests.services.helpers import approved_member, set_up_guild


async def test_not_safe_right_now_is_urgent_with_the_contacts_first(services: Services) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 3001)
    opened = await services.support.requests.open_request(
        member, topic="struggling", urgency="urgent"
    )
    assert opened.request.urgency == "urgent" and opened.ping_moderators
    first = opened.acknowledgement
    assert first.index("116 123") < first.index("private space")
    assert "You said you're not safe right now" in first
    assert "told straight away" in first
    # The contacts are not repeated once the space is open.
    assert "116 123" not in opened.next_steps
    assert opened.next_steps.startswith(f"Your private space is ready: {SPACE_LINK}")


async def test_not_safe_right_now_raises_the_open_request(services: Services) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 3002)
    await services.support.requests.open_request(member, topic="other", urgency="week")
    again = await services.support.requests.open_request(
        member, topic="struggling", urgency="urgent"
    )
    # Their request was still open: it becomes urgent and the team is told why.
    assert again.existing and again.request.urgency == "urgent" and again.ping_moderators
    said = again.acknowledgement
    assert said.index("116 123") < said.index("already have a support request open")
    async with services.db() as s:
        owed = (await s.scalars(select(OutboxItem).where(OutboxItem.kind == RERAISE))).one()
    assert owed.payload["said"] is True


async def test_the_first_answer_puts_the_link_first_and_is_short(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 3003)
    clock.set(datetime(2026, 11, 28, 20, 0, tzinfo=UTC))  # Saturday evening: the longest case
    opened = await services.support.requests.open_request(member, topic="question", urgency="week")
    whole = opened.whole
    assert whole.index(SPACE_LINK) < 200
    assert whole.index("What happens next") < whole.index("isn't working right now")
    assert whole.index("isn't working right now") < whole.index("116 123")
    assert len(whole) < 900  # it was about 1,030 characters
