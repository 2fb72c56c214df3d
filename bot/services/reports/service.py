"""/report: the figures for a period (SQL aggregates), then the files made from them.

- periods.py       the period: a named choice or typed dates, checked
- presence.py      who is involved (levels, areas, sign-ups, activity, the population)
- process.py       how it ran (contributions, sessions, polls, consultations, support, money)
- impact.py        what difference it made (you said, we did; how it felt; level moves)
- equality.py      equality monitoring by level, through suppression.py
- charts.py, document.py, spreadsheets.py, wording.py   what people receive
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.services.access import Actor, require_worker
from bot.services.base import Service
from bot.services.errors import InvalidInput
from bot.services.reports.charts import Chart, draw_charts
from bot.services.reports.document import render_html
from bot.services.reports.equality import equality
from bot.services.reports.figures import Report
from bot.services.reports.impact import impact
from bot.services.reports.periods import resolve_period
from bot.services.reports.presence import presence
from bot.services.reports.process import process
from bot.services.reports.spreadsheets import csv_files
from bot.services.reports.wording import summary_text


@dataclass(frozen=True)
class ReportFiles:
    """What /report hands back: the summary text, the charts, the CSVs and the HTML page."""

    summary: str
    charts: list[Chart]
    csvs: dict[str, bytes]
    html_name: str
    html: bytes


def _nothing_happened(report: Report) -> bool:
    pr, pc = report.presence, report.process
    return not any(
        [
            pr.members,
            pr.signups,
            pr.left,
            pc.contributions,
            pc.sessions_held,
            pc.polls,
            pc.consultations,
            pc.support.requests,
            pc.money.claims,
            report.impact.consultations,
        ]
    )


def render(report: Report) -> ReportFiles:
    """Draw the charts and write the CSVs and the HTML page (slow: run it off the event loop)."""
    charts = draw_charts(report)
    html = render_html(report, charts)
    stem = f"participation-report-{report.period.first_day}-to-{report.period.last_day}"
    return ReportFiles(
        summary=summary_text(report),
        charts=charts,
        csvs=csv_files(report),
        html_name=f"{stem}.html",
        html=html.encode("utf-8"),
    )


class ReportsService(Service):
    """Workers' reports: the figures for a period, and the files made from them."""

    async def figures(
        self,
        actor: Actor,
        period: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> Report:
        """Compute a period's report for a worker, or refuse with a reason."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
        now = self.clock.now()
        chosen = resolve_period(period, date_from, date_to, now, self.settings.tz)
        guild_id = actor.guild_id
        async with self.db.begin() as s:
            report = Report(
                group_name=self.settings_for(guild_id).group.name,
                period=chosen,
                generated_at=now,
                presence=await presence(s, self.settings_for(guild_id), guild_id, chosen),
                process=await process(s, self.settings_for(guild_id), guild_id, chosen),
                impact=await impact(s, self.settings_for(guild_id), guild_id, chosen),
                equality=await equality(s, self.settings_for(guild_id), guild_id, chosen),
                timezone=self.settings_for(guild_id).timezone,
                threshold=self.settings_for(guild_id).reports.under_represented_below,
            )
        if _nothing_happened(report):
            raise InvalidInput(
                f"Nothing was recorded for {chosen.label}: no members, sign-ups, contributions, "
                "sessions, polls, consultations, support requests or claims. Please choose a "
                "period when the group was running."
            )
        async with self.db.begin() as s:
            self.audit(s, actor, "report.run", guild_id=guild_id, detail=chosen.label)
        return report

    async def report(
        self,
        actor: Actor,
        period: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> ReportFiles:
        """Compute a report and make its files, drawing off the event loop."""
        found = await self.figures(actor, period, date_from, date_to)
        return await asyncio.to_thread(render, found)
