"""The reports service: permissions, what people typed kept harmless in the HTML and CSVs,
and the files within Discord's limits."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Consultation
from bot.services.container import Services
from bot.services.errors import NotAllowed
from bot.services.reports import render
from tests.conftest import GUILD, MODERATOR, WORKER
from tests.e2e.test_reports import Page
from tests.e2e.test_reports_seed import seed
from tests.services.helpers import set_up_guild

NASTY = '<script>alert("hi")</script><img src="https://tracker.example/x.png">'


async def test_only_workers_and_words_stay_words(services: Services) -> None:
    await set_up_guild(services)
    ids = await seed(services.db, GUILD)
    async with services.db.begin() as s:
        await s.execute(
            update(Consultation)
            .where(Consultation.id == ids["heard"])
            .values(title='=HYPERLINK("https://evil.example")', outcomes=NASTY)
        )
    for someone in (MODERATOR,):
        try:
            await services.reports.figures(someone, "last_month")
        except NotAllowed as refused:
            assert "Only participation workers" in refused.message
        else:
            raise AssertionError("a moderator got a report")

    report = await services.reports.figures(WORKER, "last_month")
    files = render(report)
    page = files.html.decode("utf-8")
    assert "<script>" not in page and 'tracker.example/x.png">' not in page
    assert "&lt;script&gt;" in page
    parser = Page()
    parser.feed(page)
    assert parser.urls and all(u.startswith(("data:image/png;base64,", "#")) for u in parser.urls)
    consultations = files.csvs["consultations.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK" in consultations  # a spreadsheet shows it, never runs it

    # Discord: at most 10 files, all together well under 25 MiB.
    assert 1 + len(files.charts) + len(files.csvs) <= 10
    total = len(files.html) + sum(len(c.png) for c in files.charts)
    total += sum(len(d) for d in files.csvs.values())
    assert total < 8 * 1024 * 1024
    assert len(files.summary) < 2000
