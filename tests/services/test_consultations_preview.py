"""Before a consultation opens: who can answer, and whether its results could be withheld."""

from __future__ import annotations

import pytest

from bot.services.container import Services
from bot.services.errors import NotAllowed
from tests.conftest import WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_consultations_helpers import draft_form


@pytest.mark.parametrize(
    ("members", "anonymous", "may_be_withheld", "cannot_be_shown"),
    [
        (0, True, True, True),
        (2, True, True, True),
        (3, True, True, False),
        (9, True, True, False),
        (10, True, False, False),
        (2, False, False, False),
    ],
)
async def test_the_preview_says_when_an_anonymous_audience_is_small(
    services: Services, members: int, anonymous: bool, may_be_withheld: bool, cannot_be_shown: bool
) -> None:
    await set_up_guild(services)
    for n in range(members):
        await approved_member(services, 3000 + n, f"Member {n}")
    view = await services.consultations.drafting.draft(WORKER, draft_form(anonymous=anonymous))
    preview = await services.consultations.preview.preview(WORKER, view.id)
    assert preview.audience_size == members and preview.consultation.id == view.id
    assert preview.results_may_be_withheld is may_be_withheld
    assert preview.results_cannot_be_shown is cannot_be_shown


async def test_only_workers_preview_and_check_a_draft(services: Services) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 3001)
    view = await services.consultations.drafting.draft(WORKER, draft_form())
    with pytest.raises(NotAllowed):
        await services.consultations.preview.preview(member, view.id)
    with pytest.raises(NotAllowed):
        await services.consultations.questions.check_editable(member, view.id)
    await services.consultations.questions.check_editable(WORKER, view.id)
