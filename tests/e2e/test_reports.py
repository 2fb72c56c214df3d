"""/report through the stand-in: figures against a seeded month, suppression, CSVs, the HTML
page, and bad input refused privately with nothing recorded."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db.models import AuditEntry
from bot.sandbox.fakediscord import FakeDiscord
from bot.services.reports.suppression import PROTECT, SHOWN, SMALL, disclosed
from bot.settings import Settings
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, attachments_of, settle, slash, stand_in_settings
from tests.e2e.test_reports_seed import EXPECTED, GENDER, seed

POPULATION = {
    "population_locality": {"North": 40, "South": 30, "East": 20, "West": 10},
    "population_age_band": {"11-13": 25, "14-15": 25, "16-17": 25, "18-21": 25},
}
SECTIONS = {"summary", "presence", "process", "impact", "equality", "about"}
CHARTS = {"members-by-level.png", "contributions-over-time.png", "group-and-population.png"}
CSVS = {
    "figures.csv",
    "members-by-level-and-area.csv",
    "contributions.csv",
    "consultations.csv",
    "equality-monitoring.csv",
}


@pytest.fixture
def e2e_settings(db_url: str, fake: FakeDiscord, people: People) -> Settings:
    """Settings with the service's population configured, for the representation figures."""
    return stand_in_settings(db_url, fake, people["guild"], reports=POPULATION)


class Page(HTMLParser):
    """Collect a page's section ids, images, links and text."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section" and found.get("id"):
            self.sections.append(str(found["id"]))
        if tag == "img":
            self.images.append(found)
        for name in ("src", "href"):
            if found.get(name):
                self.urls.append(str(found[name]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read_csv(data: bytes) -> list[list[str]]:
    """Read one of the report's CSV files."""
    assert data.startswith("\ufeff".encode())  # a BOM, so Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


async def run_report(
    fake: FakeDiscord, group: People, user: int, **options: Any
) -> tuple[Any, str, dict[str, bytes]]:
    """Run /report; return the handle, all the text it shows and its files by name."""
    handle = await slash(fake, user, group["guild"], "report", options or None)
    text = await settle(fake, handle, wait=60)
    files = {a["filename"]: fake.attachment_bytes(a) for a in attachments_of(handle)}
    return handle, text, files


async def test_report_on_a_seeded_month(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    await seed(harness.services.db, group["guild"])
    handle, text, files = await run_report(fake, group, group.worker, period="last_month")
    assert handle.ephemeral, text
    assert "participation report for October 2026" in text, text
    assert "35 members" in text and "12 members took part" in text, text
    assert "20 contributions (19.0 hours)" in text and "2 sessions held" in text, text
    assert (
        "Under-represented compared with the people the service serves: East, West, 11-13" in text
    )
    assert len(text) <= 2000

    # Within Discord's limits: at most 10 files; the HTML, three charts and five CSVs.
    assert set(files) == {"participation-report-2026-10-01-to-2026-10-31.html"} | CHARTS | CSVS
    assert all(files[name].startswith(b"\x89PNG") for name in CHARTS)

    figures = {row[1]: row[2] for row in read_csv(files["figures.csv"])[1:]}
    for label, key in [
        ("Members at the end of the period", "members"),
        ("Young people", "young_people"),
        ("Parents and carers", "carers"),
        ("New sign-ups", "signups"),
        ("Left", "left"),
        ("On a break", "on_break"),
        ("Active members (took part)", "active"),
        ("Contributions", "contributions"),
        ("Sessions held", "sessions_held"),
        ("Going (said they would come)", "going"),
        ("Attended", "attended"),
        ("Polls closed", "polls"),
        ("Poll votes", "poll_ballots"),
        ("Consultation responses", "consultation_responses"),
        ("Support requests", "support"),
        ("Support requests out of hours", "out_of_hours"),
        ("Expense claims", "claims"),
        ("Moves up a level", "moves_up"),
        ("Moves down a level", "moves_down"),
    ]:
        assert figures[label] == str(EXPECTED[key]), (label, figures[label])
    assert float(figures["Hours contributed"]) == EXPECTED["hours"]
    assert float(figures["Median hours to first response"]) == 2.5
    assert float(figures["Median hours to resolve"]) == 36  # the withdrawn one is not "resolved"
    assert float(figures["Median days to pay a claim"]) == 7
    assert float(figures["Poll response rate"]) == 0.34  # 17 of 50
    assert figures["Sessions with quorum (at least 2)"] == "1"
    assert figures["Consultations waiting for feedback past review date"] == "1"
    assert figures["Sign-ups declined"] == "1" and figures["Sign-ups waiting"] == "1"
    assert float(figures["Average session rating (1-5)"]) == 4.0

    members = read_csv(files["members-by-level-and-area.csv"])
    assert members[0] == ["level", "North", "South", "East", "West", "Online only", "total"]
    assert members[1] == ["Consultation", "9", "7", "4", "2", "0", "22"]
    assert members[-1] == ["Total", "17", "11", "5", "2", "0", "35"]
    kinds = {row[0]: row[1:3] for row in read_csv(files["contributions.csv"])[1:]}
    assert kinds["Poll votes"] == ["12", "0.0"] and kinds["Sessions attended"] == ["6", "12.0"]
    consultations = read_csv(files["consultations.csv"])
    assert [row[0] for row in consultations[1:]] == ["Waiting room design", "Evening sessions"]
    assert consultations[1][5:9] == [
        "Make it calmer",
        "New chairs and softer lights",
        "Move the building: the lease runs to 2030",
        "10",
    ]

    check_equality(read_csv(files["equality-monitoring.csv"]))
    check_html(files["participation-report-2026-10-01-to-2026-10-31.html"].decode("utf-8"))

    async with harness.services.db() as s:
        runs = await s.scalar(select(func.count()).where(AuditEntry.action == "report.run"))
    assert runs == 1


def check_equality(rows: list[list[str]]) -> None:
    """Every seeded count under 5 shows as "fewer than 5"; nothing hidden can be worked out."""
    header, body = rows[0], [r for r in rows[1:] if r[0] == "Gender"]
    assert header[2:] == [
        "Consultation",
        "Working Together",
        "Doing Together",
        "Deciding Together",
        "Leading",
        "total",
    ]
    seeded = {answer: [0] * 5 for answer in [r[1] for r in body]}
    for column, level in enumerate(GENDER):
        for answer, count in GENDER[level]:
            seeded[answer][column] = count
    seeded["Not answered"] = [22 - 19, 8 - 8, 3, 1, 1]
    grid = [[*seeded[r[1]], sum(seeded[r[1]])] for r in body[:-1]]
    grid.append([sum(row[j] for row in grid) for j in range(6)])
    marks = []
    for row, values in zip(body, grid, strict=True):
        labels = row[2:]
        for label, value in zip(labels, values, strict=True):
            if value < 5:
                assert label == "fewer than 5", (row, values)
            else:
                assert label in {str(value), "hidden"}, (row, values)
        marks.append(
            [
                SMALL if label == "fewer than 5" else PROTECT if label == "hidden" else SHOWN
                for label in labels
            ]
        )
    # The subtraction case: women are 10 at Consultation and 5 at Working Together, 15 in all;
    # showing both would reveal the three "fewer than 5" cells as 0 (15 - 10 - 5), so one of
    # them is hidden too.
    woman = next(r for r in body if r[1] == "Woman or girl")
    assert woman[2:8].count("hidden") >= 1 and woman[7] == "15", woman
    # The members per level are published in Presence: assume the reader knows them too.
    assert disclosed(grid, marks, known=frozenset((len(grid) - 1, j) for j in range(6))) == set()
    assert disclosed(grid, marks) == set()
    # No one answered the other questions: fewer than 5 answers, so no table at all.
    assert ["Ethnicity", "Fewer than 5 members answered: nothing is shown"] in rows


def check_html(page: str) -> None:
    """The page parses, holds every section with its meaning, and needs no network."""
    parser = Page()
    parser.feed(page)
    parser.close()
    assert set(parser.sections) >= SECTIONS, parser.sections
    charts = {img.get("data-chart") for img in parser.images}
    assert charts == CHARTS
    assert all(str(img["src"]).startswith("data:image/png;base64,") for img in parser.images)
    assert all(img.get("alt") for img in parser.images)
    # Charts inline and links only within the page: nothing to fetch from a network.
    assert not [u for u in parser.urls if not u.startswith(("data:", "#"))], "no network"
    assert {u[1:] for u in parser.urls if u.startswith("#")} <= set(parser.sections)
    assert page.count("What this means.") >= 8
    text = " ".join(parser.text)
    for expected in [
        "Waiting room design",
        "New chairs and softer lights",
        "Evening sessions",
        "Under-represented",
        "fewer than 5",
        "Average 3.8 out of 5",
        "@page",
    ]:
        assert expected in text or expected in page, expected


async def test_bad_input_is_refused_privately(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    await seed(harness.services.db, group["guild"])
    sam = await approved(fake, group, "Sam")
    cases: list[tuple[int, dict[str, str], str]] = [
        (sam, {"period": "last_month"}, "Only participation workers"),
        (group.moderator, {}, "Only participation workers"),
        (group.worker, {"from": "1 Jan 2027"}, "has not happened yet"),
        (group.worker, {"from": "1 Jan 2016", "to": "31 Dec 2025"}, "at most a year"),
        (group.worker, {"from": "31 Oct 2026", "to": "1 Oct 2026"}, "swap them round"),
        (group.worker, {"from": "1 Jan 2025", "to": "31 Mar 2025"}, "Nothing was recorded"),
        (group.worker, {"to": "31 Oct 2026"}, "`from` date as well"),
        (group.worker, {"from": "the day after payday"}, "date"),
    ]
    for user, options, expected in cases:
        handle, text, files = await run_report(fake, group, user, **options)
        assert handle.ephemeral and expected in text, (options, text)
        assert files == {}, options
        assert "went wrong" not in text
    async with harness.services.db() as s:
        runs = await s.scalar(select(func.count()).where(AuditEntry.action == "report.run"))
    assert runs == 0
