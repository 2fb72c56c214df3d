"""Random text through sign-up: refused with a clear message, or stored exactly."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from bot.db.models import AuditEntry, Member
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import InvalidInput
from tests.conftest import GUILD
from tests.services.helpers import form, set_up_guild


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=st.text(max_size=120), pronouns=st.one_of(st.none(), st.text(max_size=60)))
def test_any_text_is_refused_clearly_or_stored_exactly(
    services: Services, name: str, pronouns: str | None
) -> None:
    async def attempt() -> None:
        if await services.setup.current(GUILD) is None:
            await set_up_guild(services)
        actor = Actor(user_id=4242, guild_id=GUILD)
        try:
            await services.membership.join(actor, form(name, pronouns=pronouns))
        except InvalidInput as exc:
            assert exc.message and len(exc.message) < 300
            async with services.db() as s:
                assert await s.scalar(select(Member).where(Member.user_id == 4242)) is None
            return
        async with services.db.begin() as s:
            member = await s.scalar(select(Member).where(Member.user_id == 4242))
            assert member is not None
            assert member.preferred_name == name.strip()
            assert member.pronouns == ((pronouns or "").strip() or None)
            await s.execute(delete(AuditEntry))
            await s.execute(delete(Member))

    asyncio.get_event_loop_policy().get_event_loop().run_until_complete(attempt())
