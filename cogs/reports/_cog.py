"""/report: a period's figures as a summary, charts, CSV files and one HTML page, privately."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.services.reports import PERIODS, ReportFiles
from bot.ui.actor import actor_for
from bot.ui.cog import FeatureCog
from bot.ui.commands import command
from bot.ui.context import Interaction
from bot.ui.replies import clip

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)
MAX_FILES = 10  # Discord's limit per message
MAX_BYTES = 8 * 1024 * 1024  # well inside every server's upload limit (25 MiB at most)


def attachments(files: ReportFiles) -> list[discord.File]:
    """Return the files to attach: the HTML first, then the charts, then the CSVs.

    Within Discord's 10 files and size limit; the HTML holds the charts too, so a chart is
    what gives way first if a report were ever too big.
    """
    found = [(files.html_name, files.html, "The full report: open it in a browser, print it")]
    charts = [(c.filename, c.png, c.alt) for c in files.charts]
    csvs = [(name, data, None) for name, data in files.csvs.items()]
    chosen: list[tuple[str, bytes, str | None]] = []
    total = 0
    for name, data, description in [*found, *csvs, *charts]:
        if len(chosen) < MAX_FILES and total + len(data) <= MAX_BYTES:
            chosen.append((name, data, description))
            total += len(data)
        else:
            log.info("report attachment %s left out (limits)", name)
    order = {name: k for k, (name, _, _) in enumerate([*found, *charts, *csvs])}
    chosen.sort(key=lambda item: order[item[0]])
    return [
        discord.File(io.BytesIO(data), filename=name, description=clip(d, 1024) if d else None)
        for name, data, d in chosen
    ]


class ReportsCog(FeatureCog):
    """Workers' reports through Discord: thin glue over the reports service."""

    @command(
        None,
        "report",
        "Make an impact report for a period (workers)",
        period="Which period (ignored if you type dates)",
        date_from="Or type the first day, like '1 Apr 2026'",
        date_to="And the last day, like '30 Sep 2026' (default: today)",
    )
    @app_commands.rename(date_from="from", date_to="to")
    @app_commands.choices(
        period=[app_commands.Choice(name=label, value=key) for key, label in PERIODS.items()]
    )
    async def report(
        self,
        interaction: Interaction,
        period: app_commands.Choice[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> None:
        """Reply privately with the summary, charts, CSV files and the HTML report."""
        # Counting a year of activity and drawing charts takes a few seconds: answer first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        files = await self.services.reports.report(
            actor_for(interaction), period.value if period else None, date_from, date_to
        )
        await interaction.followup.send(
            clip(files.summary), files=attachments(files), ephemeral=True
        )
